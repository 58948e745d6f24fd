// Real-browser test of the console's account features against a real Baton server: an admin
// invites an agent, who sets a password through the one-time link and signs in; the admin sees
// their presence live (online, away, offline); a mention in a note notifies the agent; signing
// out ends the session on the server. Three browsers with separate profiles. See harness.mjs.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { axe, browser, startBaton, until } from "./harness.mjs";

// The admin harness.mjs creates.
const ADMIN = { email: "a@example.com", password: "correct horse battery staple" };

let server;
before(async () => {
  server = await startBaton();
}, { timeout: 240000 });
after(async () => {
  await server?.stop();
});

async function signIn(page, email, password) {
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("tab", { name: /Unassigned/ }).waitFor();
}

async function noAxeViolations(page) {
  await page.evaluate(await axe());
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  assert.deepEqual(
    result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join("; ")})`),
    [],
  );
}

/** A GET /v1/me with a raw cookie, as a stolen copy of it would be sent. */
async function meWith(cookie) {
  const r = await fetch(server.url + "/v1/me", { headers: { Cookie: `${cookie.name}=${cookie.value}` } });
  return r.status;
}

test("an admin invites an agent, sees their presence, mentions them in a note, and sign-out ends the session", async () => {
  const admin = await browser();
  const agent = await browser();
  const visitor = await browser();
  try {
    // The admin opens the Agents page (admins only) and invites Bob to the demo shop.
    const con = await admin.context.newPage();
    await con.goto(server.url + "/console");
    await signIn(con, ADMIN.email, ADMIN.password);
    await con.getByRole("link", { name: "Agents" }).click();
    await con.getByRole("heading", { name: "Agents" }).waitFor();
    assert.equal(await con.getByRole("link", { name: "Agents" }).getAttribute("aria-current"), "page");
    await con.getByLabel("Email").fill("bob@example.com");
    await con.getByLabel("Name").fill("Bob");
    await con.getByLabel("Demo Shop").check();
    await con.getByRole("button", { name: "Send invitation" }).click();
    const linkBox = con.getByLabel("Invitation link for Bob");
    await linkBox.waitFor();
    const link = await linkBox.inputValue();
    assert.match(link, new RegExp("^" + server.url + "/console#invite/[A-Za-z0-9_-]{43}$"));
    await con.getByText("Baton has no mail server").waitFor();
    const bobRow = con.locator("tr", { has: con.getByRole("rowheader", { name: "Bob" }) });
    await until(async () => (await bobRow.locator(".presence").textContent()) === "Invited", "Bob listed as invited");
    await noAxeViolations(con);

    // Bob opens the link, sets a password, and signs in with it.
    const bob = await agent.context.newPage();
    await bob.goto(link);
    await bob.getByRole("heading", { name: "Welcome to Baton" }).waitFor();
    assert.equal(await bob.evaluate(() => location.hash), "", "the token leaves the address bar at once");
    await bob.getByLabel("New password").fill("bobs secret password");
    await bob.getByLabel("Repeat the password").fill("bobs secret password");
    await noAxeViolations(bob);
    await bob.getByRole("button", { name: "Set password" }).click();
    await bob.getByText("Your password is set: sign in with it.").waitFor();
    assert.equal(await bob.getByLabel("Email").inputValue(), "bob@example.com");
    await bob.getByLabel("Password", { exact: true }).fill("bobs secret password");
    await bob.getByRole("button", { name: "Sign in" }).click();
    await bob.getByRole("tab", { name: /Unassigned/ }).waitFor();
    assert.equal(await bob.getByRole("link", { name: "Agents" }).count(), 0, "agents see no admin page");

    // The link works once.
    const again = await agent.context.newPage();
    await again.goto(link);
    await again.getByLabel("New password").fill("another password!");
    await again.getByLabel("Repeat the password").fill("another password!");
    await again.getByRole("button", { name: "Set password" }).click();
    await again.getByRole("alert").filter({ hasText: "This link was used, replaced or has expired" }).waitFor();
    await again.close();

    // Bob allows browser notifications with a click (never asked on load); then his page goes
    // to the background: what notifies him there shows as a browser notification and in the title.
    await agent.context.grantPermissions(["notifications"], { origin: server.url });
    await bob.getByRole("button", { name: "Enable notifications" }).click();
    await bob.getByRole("button", { name: "Enable notifications" }).waitFor({ state: "detached" });
    await bob.evaluate(() => {
      Object.defineProperty(document, "hidden", { configurable: true, get: () => true });
      window.shown = [];
      const Native = window.Notification;
      window.Notification = class extends Native {
        constructor(title, options) {
          super(title, options);
          window.shown.push({ title, body: options.body });
        }
      };
    });

    // The admin sees Bob online, then away when he says so, live.
    await until(async () => (await bobRow.locator(".presence").textContent()) === "Online", "Bob online on the admin's page");
    await bob.getByLabel("Your status").selectOption("away");
    await until(async () => (await bobRow.locator(".presence").textContent()) === "Away", "Bob away on the admin's page");
    await bob.getByLabel("Your status").selectOption("online");
    await until(async () => (await bobRow.locator(".presence").textContent()) === "Online", "Bob online again");

    // A visitor writes on the shop; the admin mentions Bob in a note on that conversation.
    await con.getByRole("link", { name: "Inbox" }).click();
    await con.getByLabel("Site").selectOption({ label: "Demo Shop" });
    await con.waitForURL(/#demo$/);
    await con.getByRole("tab", { name: /^Open/ }).click();
    const shop = await visitor.context.newPage();
    await shop.goto(server.pageOrigin + "/");
    await shop.getByRole("button", { name: "Open chat", exact: true }).click();
    const box = shop.getByRole("textbox", { name: "Message", exact: true });
    await box.fill("Where is my parcel?");
    await box.press("Enter");
    await con.locator(".list .row").filter({ hasText: "Where is my parcel?" }).first().click();
    await con.locator(".log .m.visitor").filter({ hasText: "Where is my parcel?" }).waitFor();
    // The demo site has no bot: the admin puts the conversation in the Unassigned queue, which
    // notifies Bob (a visitor is waiting).
    const convId = await con.locator(".list .row[aria-current=true]").getAttribute("data-id");
    const put = await fetch(`${server.url}/v1/conversations/${convId}/assign`, {
      method: "POST",
      headers: { Authorization: "Bearer " + server.agentToken, "Content-Type": "application/json" },
      body: JSON.stringify({ agent_id: "" }),
    });
    assert.equal(put.status, 200);
    await until(async () => (await bob.evaluate(() => window.shown.length)) === 1, "Bob told a visitor is waiting");
    await con.getByRole("radio", { name: "Internal note" }).click();
    await con.getByLabel("Internal note (the visitor never sees it)").fill("@Bob can you check the carrier?");
    await con.getByRole("button", { name: "Add note" }).click();
    const toast = bob.locator(".toast[data-kind=mention]");
    await toast.waitFor();
    assert.match(await toast.textContent(), /You were mentioned.*Alice mentioned you in a note.*@Bob can you check the carrier\?/);
    const shown = await bob.evaluate(() => window.shown);
    assert.deepEqual(shown.map((n) => n.title), ["A visitor is waiting", "You were mentioned"], "browser notifications while hidden");
    assert.match(shown[1].body, /^Alice mentioned you in a note on the conversation with a visitor: @Bob can you check the carrier\?$/);
    assert.match(await bob.title(), /^\(2\) /, "the title counts what came while hidden");
    await bob.evaluate(() => {
      Object.defineProperty(document, "hidden", { configurable: true, get: () => false });
      document.dispatchEvent(new Event("visibilitychange"));
    });
    assert.doesNotMatch(await bob.title(), /^\(/, "the count goes once the page is seen");
    // The toast opens the conversation.
    await toast.click();
    await bob.locator(".log .m.note").filter({ hasText: "@Bob can you check the carrier?" }).waitFor();
    // Another agent edits the visitor's name: Bob's open conversation follows live (visitor event).
    const auth = { Authorization: "Bearer " + server.agentToken, "Content-Type": "application/json" };
    const { conversation } = await (await fetch(`${server.url}/v1/conversations/${convId}`, { headers: auth })).json();
    const edit = await fetch(`${server.url}/v1/visitors/${conversation.visitor_id}`, { method: "PATCH", headers: auth, body: JSON.stringify({ name: "Jane Roe" }) });
    assert.equal(edit.status, 200);
    await until(async () => (await bob.locator("#vf-name").inputValue()) === "Jane Roe", "Bob's visitor panel follows the edit");
    await bob.locator(".view .head h2").filter({ hasText: "Jane Roe" }).waitFor();
    await noAxeViolations(bob);

    // Bob's sessions page shows this browser; signing out ends the session on the server: a
    // copy of the cookie is refused afterwards, and the admin sees him go offline.
    await bob.getByRole("link", { name: "Sessions" }).click();
    await bob.getByText("This browser").waitFor();
    await noAxeViolations(bob);
    const [cookie] = (await agent.context.cookies(server.url)).filter((c) => c.name === "baton_session");
    assert.ok(cookie && cookie.httpOnly && cookie.sameSite === "Strict", "an HttpOnly, SameSite=Strict session cookie");
    assert.equal(await meWith(cookie), 200);
    await con.getByRole("link", { name: "Agents" }).click();
    await until(async () => (await bobRow.locator(".presence").textContent()) === "Online", "Bob online on the admin's page");
    await bob.getByRole("button", { name: "Sign out" }).first().click();
    await bob.getByRole("button", { name: "Sign in" }).waitFor();
    assert.equal(await meWith(cookie), 401, "the signed-out session still works with a copy of its cookie");
    await until(async () => (await bobRow.locator(".presence").textContent()) === "Offline", "Bob offline on the admin's page");

    // The admin resets Bob's password (a second click confirms): a new one-time link, Bob is
    // invited again and his old password no longer signs in; then removes him.
    const reset = con.getByRole("button", { name: "Reset password: Bob" });
    await reset.click();
    await con.getByRole("button", { name: "Confirm reset: Bob" }).click();
    const resetLink = await con.getByLabel("Password reset link for Bob").inputValue();
    assert.match(resetLink, new RegExp("^" + server.url + "/console#reset/[A-Za-z0-9_-]{43}$"));
    await until(async () => (await bobRow.locator(".presence").textContent()) === "Invited", "Bob invited again after the reset");
    const old = await fetch(server.url + "/v1/auth/login", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ email: "bob@example.com", password: "bobs secret password" }),
    });
    assert.equal(old.status, 401, "the old password after the reset");
    await con.getByRole("button", { name: "Remove: Bob" }).click();
    await con.getByRole("button", { name: "Confirm remove: Bob" }).click();
    await bobRow.waitFor({ state: "detached" });
    await noAxeViolations(con);

    assert.deepEqual(admin.errors, [], "uncaught errors in the admin's console");
    assert.deepEqual(agent.errors, [], "uncaught errors in Bob's console");
  } finally {
    await admin.close();
    await agent.close();
    await visitor.close();
  }
});
