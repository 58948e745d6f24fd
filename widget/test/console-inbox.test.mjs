// Real-browser test of the console's inbox work (issue 6): views by tags filling and emptying
// live, quick responses inserted with "/" and the keyboard, assigning to another agent and back
// to the bot or a team, editing a visitor's details beside their past conversations, paging beyond the
// first 100, unread markers, and deep links. Visitors write through real WebSockets opened from
// the console's page (Baton's own origin is an allowed origin of the demo site). See harness.mjs.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { axe, browser, startBaton, until } from "./harness.mjs";

const AGENT = { email: "a@example.com", name: "Alice", password: "correct horse battery staple" };

let server;
before(async () => {
  server = await startBaton();
  // The demo site gets two views and quick responses; Bob is another agent of the site.
  const settings = await server.api("GET", "/v1/sites/demo/settings");
  settings.views = [
    { name: "Needs a human", tags: ["sys_human_help", "sys_human_follow_up"] },
    { name: "Returns", tags: ["return_or_refund"] },
  ];
  settings.quick_responses = [
    { shortcut: "hello", title: "Greeting", text: "Hi {visitor_name}, this is {agent_name} from {site_name}." },
    { shortcut: "help", title: "Anything else", text: "Is there anything else I can help with?" },
    { shortcut: "bye", title: "Closing", text: "Thanks for chatting, {visitor_name}!" },
  ];
  settings.routing = { teams: [{ name: "billing", agents: ["bob@example.com"] }] };
  await server.api("PUT", "/v1/sites/demo/settings", settings);
  await server.cli(["agent", "add", "--email", "bob@example.com", "--name", "Bob", "--role", "agent", "--site", "demo"], "bob password 123\n");
}, { timeout: 240000 });
after(async () => {
  await server?.stop();
});

/** A tab's live count as shown. */
const count = (page, tab) => page.locator(`[data-tab="${tab}"] .count`).textContent();

/**
 * Starts visitors from the console's page (real WebSockets): each one sends its texts in order
 * and optionally sets attributes first (spec.token: an earlier visitor again); returns their ids and tokens.
 */
async function visitors(page, specs) {
  return page.evaluate(async (specs) => {
    const one = async (spec) => {
      const v = await fetch("/v1/visitors", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ site: "demo", ...(spec.token ? { visitor_token: spec.token } : {}) }),
      }).then((r) => r.json());
      await new Promise((resolve, reject) => {
        const ws = new WebSocket(location.origin.replace(/^http/, "ws") + "/v1/ws?token=" + encodeURIComponent(v.visitor_token));
        const cmds = [];
        if (spec.attributes) cmds.push({ type: "set_attributes", attributes: spec.attributes });
        spec.texts.forEach((text, i) => cmds.push({ type: "send", client_id: "c" + i + "-" + Math.random(), text }));
        let n = 0;
        const next = () => (n < cmds.length ? ws.send(JSON.stringify({ id: String(n), ...cmds[n] })) : (ws.close(), resolve()));
        ws.onmessage = (e) => {
          const f = JSON.parse(e.data);
          if (f.type === "hello") next();
          else if (f.id === String(n)) {
            if (f.type !== "reply") return reject(new Error(f.message));
            n++;
            next();
          }
        };
        ws.onerror = () => reject(new Error("visitor socket failed"));
      });
      return { id: v.visitor_id, token: v.visitor_token };
    };
    const ids = [];
    for (let i = 0; i < specs.length; i += 10) ids.push(...(await Promise.all(specs.slice(i, i + 10).map(one))));
    return ids;
  }, specs);
}

async function signIn(page, hash = "#demo") {
  await page.goto(server.url + "/console" + hash);
  await page.getByLabel("Email").fill(AGENT.email);
  await page.getByLabel("Password").fill(AGENT.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("tab", { name: /Unassigned/ }).waitFor();
}

test("views, quick responses, assign, visitor details, paging, unread and deep links", { timeout: 240000 }, async () => {
  const agent = await browser();
  try {
    const con = await agent.context.newPage();
    await signIn(con);

    // The site's views are tabs beside the built-in ones, empty for now.
    await con.getByRole("tab", { name: /Needs a human/ }).waitFor();
    assert.equal(await count(con, "view:Needs a human"), "0");
    assert.equal(await count(con, "view:Returns"), "0");

    // Jane has a resolved conversation and a new one; 104 other visitors write once each.
    const [{ id: jane, token }] = await visitors(con, [{ attributes: { name: "Jane" }, texts: ["My first question, long ago"] }]);
    const first = await server.conversationOf(jane);
    await server.api("POST", `/v1/conversations/${first.id}/resolve`);
    await visitors(con, [{ token, texts: ["Back with another question"] }]);
    await visitors(con, Array.from({ length: 104 }, (_, i) => ({ texts: ["Question number " + i] })));
    // Conversations started while the console is open arrive live, all of them.
    await until(async () => (await count(con, "open")) === "105", "the 105 new conversations counted live");
    await until(async () => (await count(con, "closed")) === "1", "Jane's old conversation in Closed");

    // Paging: after a reload the Open tab loads 100 and the rest on demand.
    await con.reload();
    await con.getByRole("tab", { name: /^Open/ }).click();
    await until(async () => (await con.locator(".list .row").count()) === 100, "100 rows in Open");
    // The tab shows the exact count (the counts command), not "100+".
    await until(async () => (await count(con, "open")) === "105", "the exact count of Open, not 100+");
    assert.equal(await count(con, "closed"), "1");
    // Counts follow a conversation that moves, though the tab has not loaded all of its rows.
    const moved = (await server.api("GET", "/v1/conversations?site=demo&status=open&limit=1")).conversations[0];
    await server.api("POST", `/v1/conversations/${moved.id}/resolve`);
    await until(async () => (await count(con, "open")) === "104" && (await count(con, "closed")) === "2", "the counts to follow a resolve");
    await server.api("POST", `/v1/conversations/${moved.id}/reopen`);
    await until(async () => (await count(con, "open")) === "105" && (await count(con, "closed")) === "1", "the counts to follow a reopen");
    await con.getByRole("button", { name: "Load more" }).click();
    await until(async () => (await con.locator(".list .row").count()) === 105, "105 rows after Load more");
    assert.equal(await count(con, "open"), "105");
    assert.equal(await con.getByRole("button", { name: "Load more" }).count(), 0, "no more pages");
    // Nobody has read them: every row is marked unread.
    assert.equal(await con.locator(".list .row.unread").count(), 105);

    // A view fills live when a tag is applied (by anyone: here the REST API) and empties when removed.
    const any = (await server.api("GET", "/v1/conversations?site=demo&status=bot&limit=1")).conversations[0];
    await server.api("POST", `/v1/conversations/${any.id}/tags`, { tag: "sys_human_follow_up" });
    await until(async () => (await count(con, "view:Needs a human")) === "1", "the view to fill");
    await con.getByRole("tab", { name: /Needs a human/ }).click();
    await con.locator(`.list .row[data-id="${any.id}"]`).waitFor();
    await server.api("DELETE", `/v1/conversations/${any.id}/tags/sys_human_follow_up`);
    await until(async () => (await count(con, "view:Needs a human")) === "0", "the view to empty");
    await con.locator(".list .empty").waitFor();

    // A deep link opens Jane's open conversation; the URL follows what is open.
    const janeOpen = (await server.api("GET", `/v1/conversations?site=demo&visitor_id=${jane}&status=open`)).conversations[0];
    assert.ok(janeOpen && janeOpen.id !== first.id);
    // In a fresh page (a link in a ticket email)…
    const linked = await agent.context.newPage();
    await linked.goto(server.url + `/console#demo/c/${janeOpen.id}`);
    await linked.getByRole("heading", { name: "Jane", level: 2 }).waitFor();
    await linked.close();
    // …and in the open console (the fragment changes).
    await con.evaluate((id) => (location.hash = "#demo/c/" + id), janeOpen.id);
    await con.getByRole("heading", { name: "Jane", level: 2 }).waitFor();
    await con.locator(".log .m.visitor").filter({ hasText: "My first question, long ago" }).waitFor({ state: "detached" });
    await con.getByRole("tab", { name: /^Open/ }).click();
    const other = await con.locator(".list .row").nth(3).getAttribute("data-id");
    await con.locator(".list .row").nth(3).click();
    await until(async () => con.url().endsWith(`#demo/c/${other}`), "the URL to name the open conversation");
    await con.evaluate((id) => (location.hash = "#demo/c/" + id), janeOpen.id);
    await con.getByRole("heading", { name: "Jane", level: 2 }).waitFor();
    // Opening it read it: no longer marked unread.
    await con.getByRole("tab", { name: /^Bot/ }).click();
    await until(async () => !(await con.locator(`.list .row[data-id="${janeOpen.id}"]`).getAttribute("class")).includes("unread"), "Jane's row read");

    // Quick responses: "/" opens the menu, typing filters, arrows move, Enter inserts (placeholders filled).
    const box = con.locator("#composer");
    await box.click();
    await con.keyboard.type("/h");
    const menu = con.getByRole("listbox", { name: "Quick responses" });
    await menu.waitFor();
    assert.equal(await menu.getByRole("option").count(), 2, "/h matches hello and help");
    await con.keyboard.press("ArrowDown");
    assert.equal(await menu.getByRole("option", { selected: true }).getAttribute("data-shortcut"), "help");
    await con.keyboard.press("ArrowUp");
    await con.keyboard.press("Enter");
    assert.equal(await box.inputValue(), "Hi Jane, this is Alice from Demo Shop.");
    assert.ok(await menu.isHidden(), "the menu closes after inserting");
    await con.keyboard.type(" /by");
    await menu.waitFor();
    await con.keyboard.press("Escape");
    assert.ok(await menu.isHidden(), "Esc closes the menu");
    assert.equal(await box.inputValue(), "Hi Jane, this is Alice from Demo Shop. /by", "Esc leaves the text as typed");
    await box.fill("Hi Jane, this is Alice from Demo Shop.");
    await box.press("Enter");
    await con.locator(".log .m.agent").filter({ hasText: "Hi Jane, this is Alice from Demo Shop." }).waitFor();
    await con.getByText("Assigned to Alice").first().waitFor();

    // Assign to another agent (listed with presence), then back to the bot.
    const assign = con.getByLabel("Assign to");
    const options = await assign.locator("option").allTextContents();
    assert.ok(options.includes("Bob · offline"), `Bob listed with presence: ${options}`);
    await assign.selectOption({ label: "Bob · offline" });
    await con.getByRole("button", { name: "Assign", exact: true }).click();
    await con.locator(".head .st").filter({ hasText: "Assigned to Bob" }).waitFor();
    // A team (Bob is its only member, offline: nobody eligible, so it waits in Unassigned, tagged).
    await con.getByLabel("Assign to").selectOption({ label: "billing (1)" });
    await con.getByRole("button", { name: "Assign", exact: true }).click();
    await con.getByRole("button", { name: "Remove tag team:billing" }).waitFor();
    await con.locator(".head .st").filter({ hasText: "Waiting for a human" }).waitFor();
    await con.getByLabel("Assign to").selectOption({ label: "The bot" });
    await con.getByRole("button", { name: "Assign", exact: true }).click();
    await con.locator(".head .st").filter({ hasText: /^Bot$/ }).waitFor();
    const back = await server.api("GET", `/v1/conversations/${janeOpen.id}`);
    assert.equal(back.conversation.status, "bot");

    // The visitor's details: edit them; a bad email is refused, naming the field.
    const panel = con.getByRole("complementary", { name: "Visitor" });
    await panel.getByLabel("Name").fill("Jane Roe");
    await panel.getByLabel("Email").fill("not an email");
    await panel.getByRole("button", { name: "Save details" }).click();
    await panel.getByText(/^email: /).waitFor();
    await panel.getByLabel("Email").fill("jane@example.com");
    await panel.getByLabel("Phone").fill("+31 6 1234 5678");
    await panel.getByLabel("Address").fill("Main Street 1, Utrecht");
    await panel.getByRole("button", { name: "Save details" }).click();
    await panel.getByText("Saved.").waitFor();
    const v = await server.api("GET", `/v1/visitors/${jane}`);
    assert.deepEqual([v.visitor.name, v.visitor.email, v.visitor.phone, v.visitor.address], ["Jane Roe", "jane@example.com", "+31 6 1234 5678", "Main Street 1, Utrecht"]);
    await con.getByRole("heading", { name: "Jane Roe", level: 2 }).waitFor();

    // Her past conversation is listed beside, and opens read-only in place.
    await panel.getByRole("list", { name: "Past conversations" }).getByRole("button").click();
    const reader = panel.getByRole("region", { name: "Past conversation" });
    await reader.locator(".m.visitor").filter({ hasText: "My first question, long ago" }).waitFor();
    assert.equal(await reader.locator("textarea, input").count(), 0, "read-only");

    // Accessible with the panel, the assign control and the quick menu in place.
    await con.evaluate(await axe());
    const result = await con.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
    assert.deepEqual(
      result.violations.map((x) => `${x.id}: ${x.help} (${x.nodes.map((n) => n.target.join(" ")).join("; ")})`),
      [],
    );
    assert.deepEqual(agent.errors, [], "uncaught errors in the console");
  } finally {
    await agent.close();
  }
});
