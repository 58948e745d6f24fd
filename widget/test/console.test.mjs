// Real-browser test of the agent console against a real Baton server: an agent signs in to
// /console in one browser while a visitor chats in the widget on the third-party shop page in
// another (separate profiles, so separate cookies and storage). See harness.mjs.
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, test } from "node:test";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { axe, browser, ROOT, startBaton, until } from "./harness.mjs";

// The agent harness.mjs creates for the demo site.
const AGENT = { email: "a@example.com", name: "Alice", password: "correct horse battery staple" };

let server;
before(async () => {
  server = await startBaton();
}, { timeout: 240000 });
after(async () => {
  await server?.stop();
});

async function withBrowsers(fn) {
  const agent = await browser();
  const visitor = await browser();
  try {
    await fn(agent.context, visitor.context);
    assert.deepEqual(agent.errors, [], "uncaught errors in the console");
    assert.deepEqual(visitor.errors, [], "uncaught errors in the shop page");
  } finally {
    await agent.close();
    await visitor.close();
  }
}

/** The texts of the widget's stored rows, as the visitor sees them. */
const visitorRows = (page) =>
  page.evaluate(() => [...document.querySelector("baton-chat").shadowRoot.querySelectorAll(".lg > .m")].map((r) => r.querySelector(".tx").textContent));

const waitVisitorRow = (page, text) => until(async () => (await visitorRows(page)).includes(text), `the visitor to see ${JSON.stringify(text)}`);

/** A tab's live count as shown. */
const count = (page, tab) => page.locator(`[data-tab="${tab}"] .count`).textContent();

/** The console's transcript rows: class (who) and text. */
const transcript = (page) =>
  page.evaluate(() => [...document.querySelectorAll(".log > .m")].map((r) => ({ cls: r.className, text: r.querySelector(".tx").textContent, badge: r.querySelector(".badge")?.textContent || "" })));

test("an agent signs in, takes a visitor's conversation live, replies, notes, tags and resolves", async () => {
  await withBrowsers(async (agentCtx, visitorCtx) => {
    // Sign-in: a wrong password is explained; the right one opens the inbox.
    const con = await agentCtx.newPage();
    await con.goto(server.url + "/console");
    await con.getByLabel("Email").fill(AGENT.email);
    await con.getByLabel("Password").fill("wrong password");
    await con.getByRole("button", { name: "Sign in" }).click();
    await con.getByRole("alert").filter({ hasText: "Wrong email or password." }).waitFor();
    await con.getByLabel("Password").fill(AGENT.password);
    await con.getByRole("button", { name: "Sign in" }).click();
    await con.getByRole("tab", { name: /Unassigned/ }).waitFor();
    assert.equal(await con.evaluate(() => document.cookie), "", "the session cookie is HttpOnly: no script reads it");
    assert.equal(await con.evaluate(() => localStorage.length + sessionStorage.length), 0, "the console stores nothing a script could read");
    await con.getByLabel("Site").selectOption({ label: "Bot Shop" });
    await con.waitForURL(/#botshop$/);
    const before = Number(await count(con, "unassigned"));
    const bots = Number(await count(con, "bot"));

    // A visitor writes on the shop: the bot answers, and the conversation shows in Bot, live.
    const shop = await visitorCtx.newPage();
    await shop.goto(server.pageOrigin + "/?site=botshop");
    await shop.getByRole("button", { name: "Open chat", exact: true }).click();
    const box = shop.getByRole("textbox", { name: "Message", exact: true });
    await box.fill("Can I bring my pet iguana to the moon?");
    await box.press("Enter");
    await waitVisitorRow(shop, "I can connect you with someone from our team. Would you like that?");
    await until(async () => Number(await count(con, "bot")) === bots + 1, "the Bot count to go up");

    // The visitor asks for a person and gives an email: the conversation moves to Unassigned.
    await shop.getByRole("button", { name: "Yes, connect me with an agent", exact: true }).click();
    const email = shop.getByLabel("Your email", { exact: true });
    await email.fill("jane@example.com");
    await email.press("Enter");
    await waitVisitorRow(shop, "Thanks! Someone from our team will be with you here shortly.");
    await until(async () => Number(await count(con, "unassigned")) === before + 1, "the Unassigned count to go up");
    assert.equal(Number(await count(con, "bot")), bots, "the conversation left the Bot tab");
    const row = con.locator(".list .row").first();
    await row.waitFor();

    // j opens the first conversation of the tab (the newest): the visitor's.
    await con.locator("body").press("j");
    await con.locator(".log .m.visitor").filter({ hasText: "Can I bring my pet iguana to the moon?" }).waitFor();
    await con.locator(".log .m.bot").filter({ hasText: "Sorry, I don't have an answer to that." }).waitFor();
    assert.equal(await row.getAttribute("aria-current"), "true");

    // Typing shows both ways.
    await box.fill("Are you th");
    await con.getByText("is typing…").waitFor();
    await con.locator("body").press("r");
    assert.equal(await con.evaluate(() => document.activeElement?.id), "composer", "r focuses the reply box");
    await con.keyboard.type("Hi");
    await shop.getByText("Alice is typing…").waitFor();

    // The reply takes the conversation: the visitor sees who joined, then the reply.
    await con.locator("#composer").fill("Hi, Alice here. Let me look up your parcel.");
    await con.locator("#composer").press("Enter");
    await waitVisitorRow(shop, "Alice joined the conversation");
    await waitVisitorRow(shop, "Hi, Alice here. Let me look up your parcel.");
    await until(async () => (await count(con, "me")) === "1", "the conversation in Me");
    await con.getByText("Assigned to Alice").first().waitFor();

    // An internal note is marked and never reaches the visitor.
    await con.getByRole("radio", { name: "Internal note" }).click();
    await con.getByLabel("Internal note (the visitor never sees it)").fill("Carrier lost it: refund without asking");
    await con.getByRole("button", { name: "Add note" }).click();
    await con.locator(".log .m.note").filter({ hasText: "Carrier lost it" }).waitFor();
    await con.getByRole("radio", { name: "Reply" }).click();
    // A file sent both ways (real files through the real pickers; each comes back as a download).
    await fileBothWays(con, shop);
    await con.locator("#composer").fill("We are refunding you today.");
    await con.locator("#composer").press("Enter");
    await waitVisitorRow(shop, "We are refunding you today.");
    assert.ok(!(await visitorRows(shop)).some((t) => t.includes("Carrier lost it")), "the visitor saw an internal note");

    // Tag, pause the bot.
    await con.getByLabel("Add a tag").fill("refund");
    await con.getByLabel("Add a tag").press("Enter");
    await con.getByRole("button", { name: "Remove tag refund" }).waitFor();
    await con.getByRole("button", { name: "Pause bot" }).click();
    await con.getByRole("button", { name: "Resume bot" }).waitFor();
    await con.getByRole("button", { name: "Resume bot" }).click();
    await con.getByRole("button", { name: "Pause bot" }).waitFor();

    const rows = await transcript(con);
    assert.ok(rows.some((r) => r.cls.includes("ev") && r.text === "Alice joined the conversation"), "system events are shown as such");
    assert.ok(rows.some((r) => r.cls.includes("note") && r.badge === "Internal note"), "notes are badged");
    assert.ok(rows.some((r) => r.cls.includes("bot") && r.badge === "Bot"), "the bot's messages are badged");

    // The inbox is accessible (axe-core injected through the debugger: the page's CSP forbids inline scripts).
    await con.evaluate(await axe());
    const result = await con.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
    assert.deepEqual(
      result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join("; ")})`),
      [],
    );
    await con.getByRole("tab", { name: /^Me/ }).click();
    await con.locator(".list .row[aria-current=true]").waitFor();
    await con.screenshot({ path: path.join(ROOT, "docs/console.png") });

    // e resolves: the conversation moves to Closed.
    await con.locator("body").click({ position: { x: 5, y: 400 } });
    await con.locator("body").press("e");
    await con.getByRole("button", { name: "Reopen" }).waitFor();
    await until(async () => (await count(con, "me")) === "0", "Me to empty");
    await con.getByRole("tab", { name: /Closed/ }).click();
    await con.locator(".list .row").filter({ hasText: "We are refunding you today." }).waitFor();
    const c = await server.api("GET", "/v1/conversations?site=botshop&status=resolved");
    assert.ok(c.conversations.some((x) => x.tags.includes("refund")), "resolved with its tag, as the API says");

    // A reload keeps the session (the cookie) and the site (the URL's fragment).
    await con.reload();
    await con.getByRole("tab", { name: /Closed/ }).waitFor();
    assert.equal(await con.getByLabel("Site").inputValue(), "botshop");
    await until(async () => (await count(con, "closed")) === "1", "the resolved conversation counted after the reload");

    // Sign-out clears the session: a reload shows the sign-in form.
    await con.getByRole("button", { name: "Sign out" }).click();
    await con.getByRole("button", { name: "Sign in" }).waitFor();
    assert.equal((await agentCtx.cookies(server.url)).length, 0, "the session cookie is gone");
  });
});

// 1×1 PNG.
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==", "base64");

/** Picks a file through the button that opens the page's file chooser. */
async function pick(page, button, file) {
  const [chooser] = await Promise.all([page.waitForEvent("filechooser"), button.click()]);
  await chooser.setFiles(file);
}

/** Clicks a link and returns the bytes of the download it starts. */
async function download(page, link) {
  const [dl] = await Promise.all([page.waitForEvent("download"), link.click()]);
  return readFile(await dl.path());
}

async function fileBothWays(con, shop) {
  const dir = await mkdtemp(path.join(tmpdir(), "baton-files-"));
  const photo = path.join(dir, "broken parcel.png");
  const label = path.join(dir, "return label.pdf");
  const page = path.join(dir, "evil.svg");
  await writeFile(photo, PNG);
  await writeFile(label, "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");
  await writeFile(page, '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>');
  const attach = shop.getByRole("button", { name: "Attach a file" });

  // A refused kind is explained in the widget and can be removed; nothing is sent.
  await pick(shop, attach, page);
  await shop.getByText("This kind of file cannot be sent.").waitFor();
  await shop.getByRole("button", { name: "Remove" }).click();

  // The visitor sends a photo: the agent sees it previewed and downloads the same bytes.
  await pick(shop, attach, photo);
  await until(async () => (await visitorRows(shop)).some((t) => t.startsWith("broken parcel.png")), "the visitor's photo in the widget");
  const got = con.locator(".log .m.visitor a").filter({ hasText: "broken parcel.png" });
  await got.waitFor();
  await until(() => con.locator(".log .m.visitor img").evaluate((i) => i.complete && i.naturalWidth === 1), "the photo's preview to load");
  assert.deepEqual(await download(con, got), PNG, "the agent downloads the visitor's photo");

  // The agent answers with a PDF and a line of text: the visitor downloads it from the shop page.
  await pick(con, con.getByRole("button", { name: "Attach a file" }), label);
  await con.getByRole("button", { name: "Remove return label.pdf" }).waitFor();
  await con.locator("#composer").fill("Here is your return label.");
  await con.locator("#composer").press("Enter");
  await until(async () => (await visitorRows(shop)).some((t) => t.startsWith("Here is your return label.") && t.includes("return label.pdf")), "the label in the widget");
  const link = shop.locator("baton-chat a.fi").filter({ hasText: "return label.pdf" });
  assert.deepEqual(await download(shop, link), await readFile(label), "the visitor downloads the agent's PDF");
  const r = await fetch(new URL(await link.getAttribute("href")));
  assert.equal(r.headers.get("x-content-type-options"), "nosniff");
  assert.match(r.headers.get("content-disposition"), /^attachment; .*filename\*=UTF-8''return%20label\.pdf$/);
}

test("the console reconnects after the server restarts and shows what happened meanwhile", async () => {
  await withBrowsers(async (agentCtx) => {
    const con = await agentCtx.newPage();
    await con.goto(server.url + "/console#demo");
    await con.getByLabel("Email").fill(AGENT.email);
    await con.getByLabel("Password").fill(AGENT.password);
    await con.getByRole("button", { name: "Sign in" }).click();
    await con.getByRole("tab", { name: /Unassigned/ }).waitFor();
    assert.equal(await con.getByLabel("Site").inputValue(), "demo");
    const open = Number(await count(con, "open"));

    await server.halt();
    await con.getByRole("status").filter({ hasText: "Reconnecting…" }).waitFor();
    await server.start();
    // A visitor writes through the API right after the restart; the console catches up by
    // itself, from the lists it reloads or the events it then receives.
    const v = await fetch(server.url + "/v1/visitors", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ site: "demo" }) }).then((r) => r.json());
    await con.evaluate(
      ({ url, token }) =>
        new Promise((resolve, reject) => {
          const ws = new WebSocket(url.replace(/^http/, "ws") + "/v1/ws?token=" + encodeURIComponent(token));
          ws.onmessage = (e) => {
            const f = JSON.parse(e.data);
            if (f.type === "hello") ws.send(JSON.stringify({ id: "1", type: "send", client_id: "after-restart", text: "Written while you were away" }));
            if (f.id === "1") f.type === "reply" ? resolve() : reject(new Error(f.message));
          };
          ws.onerror = () => reject(new Error("visitor socket failed"));
        }),
      { url: server.url, token: v.visitor_token },
    );
    await until(async () => Number(await count(con, "open")) === open + 1, "the new conversation counted after the reconnect", 30000);
    await until(async () => (await con.getByRole("status").textContent()) === "", "the reconnecting notice to go");
  });
});
