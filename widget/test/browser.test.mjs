// Real-browser tests of the visitor widget against a real Baton server. The page under test is a
// third-party shop on another origin (127.0.0.2) with hostile CSS, including the widget exactly
// as a site owner would. See harness.mjs.
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { after, before, test } from "node:test";
import { axe, browser, ROOT, startBaton, until, WAIT_MS } from "./harness.mjs";

let server;
before(async () => {
  server = await startBaton();
}, { timeout: 240000 });
after(async () => {
  await server?.stop();
});

// ---- helpers ---------------------------------------------------------------------------------

const launcher = (page, name = "Open chat") => page.getByRole("button", { name, exact: true });
const messageBox = (page, name = "Message") => page.getByRole("textbox", { name, exact: true });

async function visit(context, query = "", pathname = "/") {
  const page = await context.newPage();
  await page.goto(server.pageOrigin + pathname + (query ? "?" + query : ""));
  await launcher(page).waitFor();
  return page;
}

async function openChat(page) {
  await launcher(page).click();
  await messageBox(page).waitFor();
}

async function send(page, text) {
  const box = messageBox(page);
  await box.fill(text);
  await box.press("Enter");
}

/** The conversation rows as the visitor sees them. */
function rows(page) {
  return page.evaluate(() =>
    [...document.querySelector("baton-chat").shadowRoot.querySelectorAll(".lg > .m")].map((r) => ({
      seq: r.dataset.seq ? Number(r.dataset.seq) : null,
      text: r.querySelector(".tx").textContent,
      mine: r.classList.contains("me"),
      pending: r.classList.contains("pd"),
    })),
  );
}

/** Waits until a row with this text exists (stored by the server unless pending is true). */
async function waitRow(page, text, { pending = false, ms = WAIT_MS } = {}) {
  await until(async () => (await rows(page)).some((r) => r.text === text && r.pending === pending), `row ${JSON.stringify(text)}${pending ? " (pending)" : ""}`, ms);
}

/** Nothing shown twice, nothing lost: stored rows carry the seqs 1..n exactly once, in order. */
async function assertGapFree(page) {
  const seqs = (await rows(page)).filter((r) => r.seq !== null).map((r) => r.seq);
  assert.deepEqual(seqs, seqs.map((_, i) => i + 1), `rows out of order, repeated or missing: ${seqs}`);
}

/** The visible connection notice (its text is also announced through the live region). */
const notice = (page, text) => page.locator("baton-chat .nt").filter({ hasText: text });

/** What the live region last announced to screen readers. */
const announced = (page) => page.evaluate(() => document.querySelector("baton-chat").shadowRoot.querySelector('[aria-live="polite"]').textContent);

function countText(list, text) {
  return list.filter((r) => r.text === text).length;
}

const saved = (page) => page.evaluate(() => JSON.parse(localStorage.getItem("baton:demo") || "{}"));

async function conversationId(page) {
  return until(async () => (await saved(page)).conv, "the widget to know its conversation");
}

/** An agent's WebSocket, opened from a page on Baton's own origin. */
async function agentSocket(context) {
  const page = await context.newPage();
  await page.goto(server.url + "/v1/sites/demo/config");
  await page.evaluate(
    ({ url, token }) =>
      new Promise((resolve, reject) => {
        const ws = new WebSocket(url.replace(/^http/, "ws") + "/v1/ws?token=" + encodeURIComponent(token));
        window.agent = ws;
        ws.onmessage = (e) => JSON.parse(e.data).type === "hello" && resolve();
        ws.onerror = () => reject(new Error("agent socket failed"));
      }),
    { url: server.url, token: server.agentToken },
  );
  let id = 0;
  return {
    command: (frame) =>
      page.evaluate(
        (f) =>
          new Promise((resolve, reject) => {
            const on = (e) => {
              const r = JSON.parse(e.data);
              if (r.id !== f.id) return;
              window.agent.removeEventListener("message", on);
              r.type === "reply" ? resolve(r.data) : reject(new Error(r.code + ": " + r.message));
            };
            window.agent.addEventListener("message", on);
            window.agent.send(JSON.stringify(f));
          }),
        { ...frame, id: "a" + ++id },
      ),
    close: () => page.close(),
  };
}

async function withBrowser(options, fn) {
  const b = await browser(options);
  try {
    await fn(b.context);
    assert.deepEqual(b.errors, [], "uncaught errors in the page");
  } finally {
    await b.close();
  }
}

// ---- tests -----------------------------------------------------------------------------------

test("opens from the launcher, sends, and shows an agent's reply with quick replies", async () => {
  await withBrowser({}, async (context) => {
    const page = await context.newPage();
    const requests = [];
    page.on("request", (r) => requests.push(r.url()));
    await page.goto(server.pageOrigin + "/");
    await launcher(page).waitFor();
    assert.equal(requests.filter((u) => u.includes("/widget/chat.")).length, 0, "the chat UI loaded before the visitor asked for it");

    await openChat(page);
    assert.equal(await launcher(page, "Close chat").getAttribute("aria-expanded"), "true");
    assert.ok(requests.some((u) => /\/widget\/chat\.[0-9a-f]{10}\.js$/.test(u)), "the chat UI loads on first open");
    assert.equal(await page.evaluate(() => document.querySelector("baton-chat").shadowRoot.activeElement?.getAttribute("aria-label")), "Message", "focus moves into the panel");
    await page.getByText("Hi! How can we help?").waitFor();
    await page.getByText("Demo Shop", { exact: true }).waitFor();

    await send(page, "Hello, do you ship to Belgium?");
    await waitRow(page, "Hello, do you ship to Belgium?");
    assert.equal(await messageBox(page).inputValue(), "", "the message box is cleared after sending");

    const conv = await conversationId(page);
    await server.reply(conv, "We do! Want the rates?", { quick_replies: [{ label: "Yes please", value: "yes" }, { label: "No thanks", value: "no" }] });
    await waitRow(page, "We do! Want the rates?");
    await until(async () => (await announced(page)) === "Alice: We do! Want the rates?", "the reply announced to screen readers");
    await page.getByRole("button", { name: "Yes please" }).click();
    await waitRow(page, "yes");
    assert.equal(await page.getByRole("button", { name: "Yes please" }).count(), 0, "quick replies disappear once answered");
    await assertGapFree(page);

    await launcher(page, "Close chat").click();
    await launcher(page).waitFor();
    assert.equal(await page.evaluate(() => document.querySelector("baton-chat").shadowRoot.activeElement?.getAttribute("aria-label")), "Open chat", "focus returns to the launcher");
  });
});

test("shows an inline form, explains a bad email, and takes the corrected one", async () => {
  await withBrowser({}, async (context) => {
    const page = await visit(context);
    await openChat(page);
    await send(page, "Can someone email me the invoice?");
    await waitRow(page, "Can someone email me the invoice?");
    const conv = await conversationId(page);
    await server.reply(conv, "Sure, where should we send it?", {
      form: { id: "email", fields: [{ name: "email", type: "email", label: "Your email" }] },
    });
    const field = page.getByLabel("Your email", { exact: true });
    await field.waitFor();
    // The browser's own check accepts "jane@x" for type=email; the server does not.
    await field.fill("jane@x");
    await page.getByRole("button", { name: "Submit", exact: true }).click();
    await page.getByRole("alert").filter({ hasText: "is not an email address" }).waitFor();
    await field.fill("jane@example.com");
    await field.press("Enter");
    await waitRow(page, "jane@example.com");
    assert.equal(await page.getByLabel("Your email", { exact: true }).count(), 0, "the form goes away once answered");
    await assertGapFree(page);
  });
});

test("marks the bot's replies as automated, with the bot's name", async () => {
  await withBrowser({}, async (context) => {
    const page = await visit(context, "site=botshop");
    await openChat(page);
    await send(page, "robotcheck: who am I talking to?");
    await waitRow(page, "I am the shop's assistant.");
    const author = await page.evaluate(() => {
      const rows = [...document.querySelector("baton-chat").shadowRoot.querySelectorAll(".lg > .m")];
      const row = rows.find((r) => r.querySelector(".tx").textContent === "I am the shop's assistant.");
      return row.querySelector(".a").textContent;
    });
    assert.equal(author, "Shop botAutomated");
    await assertGapFree(page);
  });
});

/** How the handoff says when the team is back, as the server writes it for a visitor in tz. */
function backAt(at, tz) {
  const date = (d) => new Intl.DateTimeFormat("en-CA", { timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit" }).format(d);
  const days = Math.round((Date.parse(date(at)) - Date.parse(date(new Date()))) / 86400000);
  const clock = new Intl.DateTimeFormat("en-GB", { timeZone: tz, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(at);
  const weekday = new Intl.DateTimeFormat("en-US", { timeZone: tz, weekday: "long" }).format(at);
  return days === 0 ? `today at ${clock}` : days === 1 ? `tomorrow at ${clock}` : `on ${weekday} at ${clock}`;
}

/** The visitor's side of a handoff: an unknown question, the consent button, the email form. */
async function askForAPerson(page) {
  await openChat(page);
  await send(page, "Can I bring my pet iguana to the moon?");
  await waitRow(page, "Sorry, I don't have an answer to that.");
  await waitRow(page, "I can connect you with someone from our team. Would you like that?");
  await page.getByRole("button", { name: "No, thanks", exact: true }).waitFor();
  await page.getByRole("button", { name: "Yes, connect me with an agent", exact: true }).click();
  await waitRow(page, "Yes, connect me with an agent");
  const field = page.getByLabel("Your email", { exact: true });
  await field.fill("jane@x"); // the browser takes it for type=email; the server does not
  await page.getByRole("button", { name: "Submit", exact: true }).click();
  await page.getByRole("alert").filter({ hasText: "is not an email address" }).waitFor();
  await field.fill("jane@example.com");
  await field.press("Enter");
  await waitRow(page, "jane@example.com");
}

test("hands over off hours: consent, email, and the auto-response in the visitor's time", async () => {
  await withBrowser({ timezoneId: "America/New_York" }, async (context) => {
    const page = await visit(context, "site=closedshop");
    await askForAPerson(page);
    await waitRow(
      page,
      `Thanks! Our team is away right now: we're back ${backAt(server.closedUntil, "America/New_York")}. ` +
        "We'll reply here, or by email at jane@example.com if you have left the chat by then.",
    );
    const conv = await until(async () => JSON.parse((await page.evaluate(() => localStorage.getItem("baton:closedshop"))) || "{}").conv, "the conversation");
    const c = await until(async () => {
      const d = await server.api("GET", `/v1/conversations/${conv}`);
      return d.conversation.status === "unassigned" && d.conversation;
    }, "the conversation to wait in Unassigned");
    assert.deepEqual(c.tags, ["sys_human_help"]);
    await assertGapFree(page);
  });
});

test("hands over on hours: someone is coming, and the agent's reply arrives live", async () => {
  await withBrowser({}, async (context) => {
    const agent = await agentSocket(context); // Alice is online: the team answers live
    try {
      const page = await visit(context, "site=botshop");
      await askForAPerson(page);
      await waitRow(page, "Thanks! Someone from our team will be with you here shortly.");
      const conv = JSON.parse(await page.evaluate(() => localStorage.getItem("baton:botshop"))).conv;
      await server.reply(conv, "Hi Jane, Alice here. Iguanas travel free.");
      await waitRow(page, "Hi Jane, Alice here. Iguanas travel free.");
      await assertGapFree(page);
    } finally {
      await agent.close();
    }
  });
});

test("asks again whether someone is there when the chat is opened later", async () => {
  await withBrowser({}, async (context) => {
    const page = await context.newPage();
    await page.clock.install(); // time flows, and the test can jump it forward
    await page.goto(server.pageOrigin + "/?site=botshop");
    await openChat(page);
    await page.getByText("We're away", { exact: true }).waitFor();
    const agent = await agentSocket(context); // Alice comes online while the page stays open
    try {
      await launcher(page, "Close chat").click();
      await page.clock.fastForward("00:31");
      await launcher(page).click();
      await page.getByText("We're online", { exact: true }).waitFor();
    } finally {
      await agent.close();
    }
  });
});

test("a site can hide the launcher while nobody is available", async () => {
  await withBrowser({}, async (context) => {
    const page = await context.newPage();
    await page.goto(server.pageOrigin + "/?site=hiddenshop");
    await page.evaluate(
      () =>
        new Promise((resolve) => {
          window.Baton = window.Baton || function () { (window.Baton.q = window.Baton.q || []).push(arguments); };
          window.Baton("on", "ready", resolve);
        }),
    );
    const hidden = () => page.evaluate(() => document.querySelector("baton-chat").shadowRoot.querySelector(".f").hidden);
    assert.equal(await hidden(), true, "the launcher shows while the shop is closed");
    assert.equal(await launcher(page).count(), 0);
    // The site's own button still opens the chat.
    await page.evaluate(() => window.Baton("open"));
    await messageBox(page).waitFor();
    assert.equal(await hidden(), false);
  });
});

test("shows the agent typing and an unread badge while closed", async () => {
  await withBrowser({}, async (context) => {
    const page = await visit(context);
    await openChat(page);
    await send(page, "Anyone there?");
    await waitRow(page, "Anyone there?");
    const conv = await conversationId(page);
    const agent = await agentSocket(context);
    try {
      await agent.command({ type: "typing", conversation_id: conv, typing: true });
      await page.getByText("Alice is typing…").waitFor();
    } finally {
      await agent.close();
    }
    await launcher(page, "Close chat").click();
    await server.reply(conv, "Yes, Alice here.");
    const badge = page.locator("baton-chat .b");
    await until(async () => (await badge.textContent()) === "1" && (await badge.isVisible()), "an unread badge of 1");
    assert.equal(await launcher(page).getAttribute("aria-describedby"), "bu");
    await page.getByText("1 unread messages").waitFor({ state: "attached" });
    await openChat(page);
    await waitRow(page, "Yes, Alice here.");
    await badge.waitFor({ state: "hidden" });
  });
});

test("keeps the conversation across navigation and reloads", async () => {
  await withBrowser({}, async (context) => {
    const page = await visit(context);
    await openChat(page);
    await send(page, "first page message");
    await waitRow(page, "first page message");
    await server.reply(await conversationId(page), "reply before navigating");
    await waitRow(page, "reply before navigating");

    await page.getByRole("link", { name: "Other page" }).click();
    await page.waitForURL(/\/other$/);
    // The panel was open: it opens again on the next page, with the history.
    await waitRow(page, "first page message");
    await waitRow(page, "reply before navigating");

    await page.reload();
    await waitRow(page, "reply before navigating");
    await send(page, "after reload");
    await waitRow(page, "after reload");
    const list = await rows(page);
    for (const text of ["first page message", "reply before navigating", "after reload"]) assert.equal(countText(list, text), 1, text);
    await assertGapFree(page);
  });
});

test("keeps two tabs of the same site in sync", async () => {
  await withBrowser({}, async (context) => {
    const a = await visit(context);
    const b = await visit(context);
    await openChat(a);
    await send(a, "from tab A");
    await waitRow(a, "from tab A");
    await launcher(a, "Close chat").click();
    // Tab B had no conversation when it loaded and was never opened: it follows tab A's
    // conversation, and both show the unread badge when the agent replies.
    await server.reply(await conversationId(a), "to both tabs");
    const badge = (page) => page.locator("baton-chat .b");
    await until(async () => (await badge(a).textContent()) === "1" && (await badge(b).textContent()) === "1", "both tabs' unread badges");
    await openChat(b);
    await waitRow(b, "from tab A");
    await waitRow(b, "to both tabs");
    // Read in tab B is read in tab A too.
    await badge(a).waitFor({ state: "hidden" });
    await send(b, "from tab B");
    await openChat(a);
    await waitRow(a, "from tab B");
    await waitRow(a, "to both tabs");
    assert.equal(await saved(a).then((s) => s.vid), await saved(b).then((s) => s.vid), "both tabs are one visitor");
    for (const page of [a, b]) {
      const list = await rows(page);
      for (const text of ["from tab A", "from tab B", "to both tabs"]) assert.equal(countText(list, text), 1, text);
      await assertGapFree(page);
    }
  });
});

test("survives a network drop: notice, queued sends, and what was missed", async () => {
  await withBrowser({}, async (context) => {
    const page = await visit(context);
    await openChat(page);
    await send(page, "before the drop");
    await waitRow(page, "before the drop");
    const conv = await conversationId(page);

    await context.setOffline(true);
    await notice(page, "Connection lost. Reconnecting…").waitFor();
    await send(page, "typed offline 1");
    await send(page, "typed offline 2");
    await waitRow(page, "typed offline 1", { pending: true });
    await waitRow(page, "typed offline 2", { pending: true });
    await server.reply(conv, "sent while you were away");

    await context.setOffline(false);
    await notice(page, "Connected again.").waitFor();
    await waitRow(page, "sent while you were away");
    await waitRow(page, "typed offline 1");
    await waitRow(page, "typed offline 2");
    const list = await rows(page);
    assert.equal(list.filter((r) => r.pending).length, 0, "nothing left unsent");
    for (const text of ["before the drop", "typed offline 1", "typed offline 2", "sent while you were away"]) assert.equal(countText(list, text), 1, text);
    const order = list.map((r) => r.text);
    assert.ok(order.indexOf("typed offline 1") < order.indexOf("typed offline 2"), "offline messages keep their order");
    await assertGapFree(page);

    // After a reload the server's copy matches: every message stored exactly once.
    await page.reload();
    await waitRow(page, "typed offline 2");
    const again = await rows(page);
    for (const text of ["before the drop", "typed offline 1", "typed offline 2", "sent while you were away"]) assert.equal(countText(again, text), 1, text);
    await assertGapFree(page);
  });
});

test("reconnects after the server restarts and sends what was typed meanwhile", async () => {
  await withBrowser({}, async (context) => {
    const page = await visit(context);
    await openChat(page);
    await send(page, "before the restart");
    await waitRow(page, "before the restart");
    await server.halt();
    try {
      await notice(page, "Connection lost. Reconnecting…").waitFor();
      await send(page, "typed while the server was down");
      await waitRow(page, "typed while the server was down", { pending: true });
    } finally {
      await server.start();
    }
    await notice(page, "Connected again.").waitFor({ timeout: 20000 });
    await waitRow(page, "typed while the server was down");
    const list = await rows(page);
    for (const text of ["before the restart", "typed while the server was down"]) assert.equal(countText(list, text), 1, text);
    await assertGapFree(page);
  });
});

test("sends CORS headers only to the site's allowed origins", async () => {
  const cases = [
    { path: "/widget.js", origin: server.pageOrigin, allow: server.pageOrigin },
    { path: "/widget.js", origin: server.foreignOrigin, allow: null },
    { path: "/v1/sites/demo/config", origin: server.pageOrigin, allow: server.pageOrigin },
    { path: "/v1/sites/demo/config", origin: server.foreignOrigin, allow: null },
  ];
  for (const c of cases) {
    const r = await fetch(server.url + c.path, { headers: { Origin: c.origin } });
    assert.equal(r.status, 200, c.path);
    assert.equal(r.headers.get("access-control-allow-origin"), c.allow, `${c.path} from ${c.origin}`);
    assert.match(r.headers.get("vary") || "", /Origin/, `${c.path} must vary on Origin`);
  }
});

test("stays hidden on a page whose origin the site does not allow, whose socket is refused", async () => {
  await withBrowser({}, async (context) => {
    const page = await context.newPage();
    const config = page.waitForEvent("requestfailed", (r) => r.url().endsWith("/v1/sites/demo/config"));
    await page.goto(server.foreignOrigin + "/");
    await config; // refused by CORS
    assert.equal(await page.locator("baton-chat .l").isVisible(), false, "no launcher where the chat is not allowed");
    // Even with a valid visitor token, the WebSocket refuses this origin.
    const r = await fetch(server.url + "/v1/visitors", { method: "POST", headers: { "Content-Type": "application/json" }, body: '{"site":"demo"}' });
    const { visitor_token } = await r.json();
    const outcome = await page.evaluate(
      (u) =>
        new Promise((resolve) => {
          const ws = new WebSocket(u);
          ws.onmessage = (e) => resolve("frame: " + e.data);
          ws.onclose = (e) => resolve("closed " + e.code);
        }),
      server.url.replace(/^http/, "ws") + "/v1/ws?token=" + encodeURIComponent(visitor_token),
    );
    assert.equal(outcome, "closed 1006", "the handshake is refused");
  });
});

test("runs the JavaScript API, including calls queued before the script loaded", async () => {
  await withBrowser({}, async (context) => {
    const page = await context.newPage();
    const visitorBodies = [];
    const framesSent = [];
    page.on("request", (r) => r.url().endsWith("/v1/visitors") && visitorBodies.push(r.postData()));
    page.on("websocket", (ws) => ws.on("framesent", (f) => framesSent.push(String(f.payload))));
    await page.goto(server.pageOrigin + "/?queue=1");
    // The queued Baton("open") opened the panel.
    await messageBox(page).waitFor();
    await until(() => page.evaluate(() => window.events.join(",") === "ready,opened"), "ready then opened");
    await until(() => visitorBodies.some((b) => JSON.parse(b).identity_token === "id-token-from-the-site"), "identify() to send identity_token");
    await until(() => framesSent.some((f) => f.includes('"set_attributes"') && f.includes('"plan":"pro"')), "set_attributes with the queued attributes");

    await page.evaluate(() => Baton.close());
    await launcher(page).waitFor();
    await page.evaluate(() => Baton("toggle"));
    await launcher(page, "Close chat").waitFor();
    await send(page, "via the API test");
    await waitRow(page, "via the API test");
    await server.reply(await conversationId(page), "hello API");
    await until(
      () => page.evaluate(() => events.join(",") === "ready,opened,closed,opened,message_sent:via the API test,message_received:hello API"),
      "the events in order",
    ).catch(async (e) => {
      throw new Error(e.message + ": got " + (await page.evaluate(() => events.join(","))));
    });
    // A late "ready" listener still runs; a removed listener does not.
    const late = await page.evaluate(() => new Promise((r) => Baton.on("ready", () => r("ran"))));
    assert.equal(late, "ran");
    await page.evaluate(() => {
      window.removed = 0;
      const f = () => window.removed++;
      Baton.on("closed", f);
      Baton.off("closed", f);
      Baton.close();
    });
    await launcher(page).waitFor();
    assert.equal(await page.evaluate(() => window.removed), 0);
    assert.equal(await page.evaluate(() => events.at(-1)), "closed");
  });
});

test("picks the locale from data-locale, then the browser, with the site's overrides", async () => {
  await withBrowser({ locale: "fr-FR" }, async (context) => {
    const cases = [
      { query: "", open: "Ouvrir le chat", message: "Message", send: "Envoyer", close: "Fermer le chat" },
      { query: "locale=nl", open: "Chat openen", message: "Bericht", send: "Verstuur", close: "Chat sluiten" },
      { query: "locale=de", open: "Chat öffnen", message: "Nachricht", send: "Senden", close: "Chat schließen" },
      { query: "locale=es-MX", open: "Abrir el chat", message: "Mensaje", send: "Enviar", close: "Cerrar el chat" },
      { query: "locale=en", open: "Open chat", message: "Message", send: "Send", close: "Close chat" },
    ];
    for (const c of cases) {
      const page = await context.newPage();
      await page.goto(server.pageOrigin + "/?" + c.query);
      await launcher(page, c.open).click();
      await messageBox(page, c.message).waitFor();
      await page.getByRole("button", { name: c.send, exact: true }).waitFor();
      await launcher(page, c.close).click();
      await page.close();
    }
  });
});

test("shows HTML and script in messages as text, and links only for http(s) and mailto", async () => {
  await withBrowser({}, async (context) => {
    const page = await visit(context);
    await openChat(page);
    const mine = "<i>not italic</i> <script>window.pwned = 1</script>";
    await send(page, mine);
    await waitRow(page, mine);
    const hostile =
      '<img src=x onerror="window.pwned=2"><b>bold?</b> see https://example.com/a?b=1&c=2, <a href="javascript:alert(1)">javascript:alert(1)</a> or mailto:help@example.com.';
    await server.reply(await conversationId(page), hostile);
    await waitRow(page, hostile);
    const found = await page.evaluate(() => {
      const root = document.querySelector("baton-chat").shadowRoot;
      return {
        pwned: window.pwned,
        elements: root.querySelectorAll(".lg img, .lg script, .lg b, .lg i").length,
        links: [...root.querySelectorAll(".lg a")].map((a) => ({ href: a.getAttribute("href"), text: a.textContent, rel: a.rel, target: a.target })),
      };
    });
    assert.equal(found.pwned, undefined, "no script from a message ran");
    assert.equal(found.elements, 0, "no element from message text");
    assert.deepEqual(found.links, [
      { href: "https://example.com/a?b=1&c=2", text: "https://example.com/a?b=1&c=2", rel: "noopener noreferrer nofollow", target: "_blank" },
      { href: "mailto:help@example.com", text: "mailto:help@example.com", rel: "noopener noreferrer nofollow", target: "_blank" },
    ]);
  });
});

test("is usable from the keyboard", async () => {
  await withBrowser({}, async (context) => {
    const page = await visit(context, "plain=1");
    // Tab through the page's own controls until the launcher has focus.
    const focusedName = () => page.evaluate(() => (document.activeElement?.shadowRoot?.activeElement || document.activeElement)?.getAttribute("aria-label"));
    await until(async () => {
      await page.keyboard.press("Tab");
      return (await focusedName()) === "Open chat";
    }, "Tab to reach the launcher");
    await page.keyboard.press("Enter");
    await until(async () => (await focusedName()) === "Message", "focus in the message box");
    await page.keyboard.type("typed with the keyboard");
    await page.keyboard.press("Enter");
    await waitRow(page, "typed with the keyboard");
    await page.keyboard.press("Shift+Tab");
    await page.keyboard.press("Escape");
    await until(async () => (await focusedName()) === "Open chat", "focus back on the launcher after Escape");
    assert.equal(await launcher(page).getAttribute("aria-expanded"), "false");
  });
});

test("keeps its styles in and the page's styles out", async () => {
  await withBrowser({}, async (context) => {
    const page = await visit(context);
    await openChat(page);
    const style = await page.evaluate(() => {
      const root = document.querySelector("baton-chat").shadowRoot;
      const cs = (el) => getComputedStyle(el);
      const send = root.querySelector(".sd");
      const panel = root.querySelector(".p");
      const box = panel.getBoundingClientRect();
      const pageDiv = cs(document.getElementById("page-p"));
      const pageText = cs(document.getElementById("page-text"));
      return {
        launcherFont: cs(root.querySelector(".l")).fontFamily,
        sendDisplay: cs(send).display,
        sendSize: [send.offsetWidth, send.offsetHeight],
        panelBox: [Math.round(box.width), Math.round(box.height)],
        panelColor: cs(root.querySelector(".hd")).backgroundColor,
        textTransform: cs(root.querySelector(".nm")).textTransform,
        pageDivDisplay: pageDiv.display,
        pageDivShadow: pageDiv.boxShadow,
        pageTextDisplay: pageText.display,
      };
    });
    assert.doesNotMatch(style.launcherFont, /Comic Sans/);
    assert.equal(style.sendDisplay, "flex");
    assert.deepEqual(style.sendSize, [40, 40]);
    assert.deepEqual(style.panelBox, [370, 600]);
    assert.equal(style.panelColor, "rgb(79, 70, 229)", "the site's colour, not the page's --c");
    assert.equal(style.textTransform, "none");
    assert.equal(style.pageDivDisplay, "block", "the widget's .p rule leaked onto the page");
    assert.equal(style.pageDivShadow, "none");
    assert.equal(style.pageTextDisplay, "block", "the widget's .m rule leaked onto the page");
  });
});

test("has no axe-core violations when open", async () => {
  await withBrowser({}, async (context) => {
    const page = await visit(context);
    await openChat(page);
    await send(page, "Where is my order #1042?");
    await waitRow(page, "Where is my order #1042?");
    await server.reply(await conversationId(page), "It left our warehouse this morning. Track it at https://example.com/track/1042", {
      quick_replies: [{ label: "Thanks!", value: "Thanks!" }, { label: "Talk to a human", value: "human" }],
    });
    await waitRow(page, "It left our warehouse this morning. Track it at https://example.com/track/1042");
    await page.getByRole("button", { name: "Talk to a human" }).waitFor();
    await page.addScriptTag({ content: await axe() });
    const result = await page.evaluate(() => window.axe.run({ include: [["baton-chat"]] }, { resultTypes: ["violations"] }));
    assert.deepEqual(
      result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join("; ")})`),
      [],
    );
  });
});

test("fills a small screen, follows the visual viewport, and saves the mobile screenshot", async () => {
  await withBrowser({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 }, async (context) => {
    const page = await visit(context, "plain=1");
    await launcher(page).tap();
    await messageBox(page).waitFor();
    await send(page, "Hi from my phone");
    await waitRow(page, "Hi from my phone");
    await server.reply(await conversationId(page), "Hello! How can we help?");
    await waitRow(page, "Hello! How can we help?");
    const box = () => page.evaluate(() => {
      const r = document.querySelector("baton-chat").shadowRoot.querySelector(".p").getBoundingClientRect();
      return [r.x, r.y, r.width, r.height].map(Math.round);
    });
    assert.deepEqual(await box(), [0, 0, 390, 844], "full-screen panel");
    assert.equal(await launcher(page, "Close chat").isVisible(), true, "the panel's own close button");
    await page.screenshot({ path: path.join(ROOT, "docs/widget-mobile.png") });

    // A shorter visual viewport (the on-screen keyboard) shrinks the panel with it.
    await page.setViewportSize({ width: 390, height: 500 });
    await until(async () => (await box())[3] === 500, "the panel to fit the visual viewport");
    await messageBox(page).isVisible();

    await launcher(page, "Close chat").tap();
    await launcher(page).waitFor();
  });
});

test("serves the demo page with a working widget at /, and saves the desktop screenshot", async () => {
  // 720 px high keeps the page's footer, which shows the test server's port, out of the picture:
  // the screenshot then only changes when the widget does.
  await withBrowser({ viewport: { width: 1280, height: 720 } }, async (context) => {
    const page = await context.newPage();
    await page.goto(server.url + "/");
    await page.getByRole("button", { name: "Ask us anything" }).click();
    await messageBox(page).waitFor();
    await send(page, "Hi! Is the Sencha in stock?");
    await waitRow(page, "Hi! Is the Sencha in stock?");
    await server.reply(await conversationId(page), "It is! Orders placed before 14:00 ship today. Anything else?", {
      quick_replies: [{ label: "That's all, thanks", value: "That's all, thanks" }, { label: "Shipping costs?", value: "Shipping costs?" }],
    });
    await page.getByRole("button", { name: "Shipping costs?" }).waitFor();
    await mkdir(path.join(ROOT, "docs"), { recursive: true });
    await page.screenshot({ path: path.join(ROOT, "docs/widget-desktop.png") });
  });
});
