// Real-browser test of the console's dashboard (#<site>/dashboard) against a real Baton server:
// visitors talk to a site's bot through the realtime API with different outcomes (the bot
// answers; the visitor declines a person; leaves at the offer; hands over to the team, one of
// them answered by an agent), then an admin opens the dashboard and reads the numbers, the
// chart's bars (by their data and titles) and its table, changes the range, and axe-core
// checks the page. See harness.mjs and docs/dashboard.md.
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, test } from "node:test";
import { axe, browser, ROOT, startBaton } from "./harness.mjs";

const AGENT = { email: "a@example.com", name: "Alice", password: "correct horse battery staple" };

let server;
before(async () => {
  server = await startBaton();
  // The harness's hiddenshop becomes a shop whose bot knows one answer (days in UTC).
  await server.api("PUT", "/v1/sites/hiddenshop/settings", {
    key: "hiddenshop",
    name: "Seaside Shop",
    allowed_origins: [server.url],
    bot: { name: "Shopbot", knowledge: { entries: [{ id: "hours", questions: ["When are you open?"], answer: "We are open 9 to 5." }] } },
  });
}, { timeout: 240000 });
after(async () => {
  await server?.stop();
});

/**
 * Plays one visitor of site in the page (a WebSocket to Baton's own origin, as the widget would
 * open it): each step sends a message and waits for the bot's answer, the consent question or
 * the email form (answered with step.email). Resolves with the conversation's id.
 */
function visitor(page, site, steps) {
  return page.evaluate(
    async ({ site, steps }) => {
      const v = await fetch("/v1/visitors", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ site }) }).then((r) => r.json());
      const ws = new WebSocket(location.origin.replace(/^http/, "ws") + "/v1/ws?token=" + encodeURIComponent(v.visitor_token));
      const frames = [];
      let check = () => {};
      ws.onmessage = (e) => {
        frames.push(JSON.parse(e.data));
        check();
      };
      const next = (pred, what) =>
        new Promise((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error("timed out waiting for " + what)), 10000);
          check = () => {
            const i = frames.findIndex(pred);
            if (i < 0) return;
            clearTimeout(timer);
            check = () => {};
            resolve(frames.splice(i, 1)[0]);
          };
          check();
        });
      let n = 0;
      const call = async (cmd) => {
        const id = "c" + ++n;
        ws.send(JSON.stringify({ id, ...cmd }));
        const r = await next((f) => f.id === id, "the reply to " + cmd.type);
        if (r.type === "error") throw new Error(cmd.type + ": " + r.message);
        return r.data;
      };
      const bot = async (pred, what) => (await next((f) => f.type === "message" && f.message.author.type === "bot" && pred(f.message), what)).message;
      await next((f) => f.type === "hello", "hello");
      let conversation = "";
      for (const s of steps) {
        const d = await call({ type: "send", client_id: "v" + n, text: s.say });
        conversation = d.message.conversation_id;
        if (s.expect === "answer") await bot((m) => m.text === "We are open 9 to 5.", "the bot's answer");
        if (s.expect === "offer") await bot((m) => (m.quick_replies || []).length === 2, "the consent question");
        if (s.expect === "declined") await bot((m) => m.text.startsWith("No problem"), "the bot staying");
        if (s.expect === "form") {
          const m = await bot((m) => !!m.form, "the email form");
          await call({ type: "submit_form", message_id: m.id, form_id: m.form.id, values: { email: s.email } });
          await bot((m) => m.text.startsWith("Thanks!"), "the handoff's answer");
        }
      }
      ws.close();
      return conversation;
    },
    { site, steps },
  );
}

/** The numbers on the cards, by their data-stat. */
const cards = (page) =>
  page.evaluate(() => Object.fromEntries([...document.querySelectorAll(".cards li")].map((li) => [li.dataset.stat, li.querySelector(".v").textContent])));

/** The chart's days: date, total, each bar's outcome and count, and the titles (tooltips). */
const bars = (page) =>
  page.evaluate(() =>
    [...document.querySelectorAll("svg.bars g.day")].map((g) => ({
      date: g.dataset.date,
      total: Number(g.dataset.total),
      title: g.querySelector(":scope > title").textContent,
      bars: Object.fromEntries([...g.querySelectorAll("rect")].map((r) => [r.dataset.outcome, Number(r.dataset.count)])),
      titles: [...g.querySelectorAll("rect > title")].map((t) => t.textContent),
    })),
  );

/** Waits until the status line names the range from–to (the answer for it is shown). */
async function shown(page, from, to) {
  const fmt = (d) => new Date(d + "T00:00:00Z").toLocaleDateString("en-US", { timeZone: "UTC", weekday: "short", day: "numeric", month: "short", year: "numeric" });
  await page.locator(".dash-status").filter({ hasText: `${fmt(from)} to ${fmt(to)}, days in UTC` }).waitFor();
}

const day = (n) => new Date(Date.now() + n * 86400000).toISOString().slice(0, 10);

test("an admin reads the day's conversations by outcome on the dashboard, as numbers, bars and a table", async () => {
  const b = await browser();
  try {
    const con = await b.context.newPage();
    const csp = [];
    con.on("console", (m) => /Content Security Policy/i.test(m.text()) && csp.push(m.text()));
    await con.goto(server.url + "/console");
    await con.getByLabel("Email").fill(AGENT.email);
    await con.getByLabel("Password").fill(AGENT.password);
    await con.getByRole("button", { name: "Sign in" }).click();
    await con.getByRole("tab", { name: /Unassigned/ }).waitFor();

    // Eight visitors today: three the bot answers, two decline a person, one leaves at the
    // offer, two hand over to the team (one of whom Alice answers).
    const hours = [{ say: "When are you open?", expect: "answer" }];
    const declines = [{ say: "Can I pay with seashells?", expect: "offer" }, { say: "No, thanks", expect: "declined" }];
    for (let i = 0; i < 3; i++) await visitor(con, "hiddenshop", hours);
    for (let i = 0; i < 2; i++) await visitor(con, "hiddenshop", declines);
    await visitor(con, "hiddenshop", [{ say: "Do you sell submarines?", expect: "offer" }]);
    const handover = (email) => [{ say: "My parcel never came", expect: "offer" }, { say: "Yes, connect me with an agent", expect: "form", email }];
    const answered = await visitor(con, "hiddenshop", handover("jane@example.com"));
    await visitor(con, "hiddenshop", handover("joe@example.com"));
    await server.reply(answered, "Sorry about that, I'm looking into it.");

    // The Dashboard link (admins) opens the chosen site's dashboard at #<site>/dashboard.
    await con.getByLabel("Site").selectOption({ label: "Seaside Shop" });
    await con.getByRole("link", { name: "Dashboard" }).click();
    await con.waitForURL(/#hiddenshop\/dashboard$/);
    await con.getByRole("heading", { name: "Dashboard · Seaside Shop" }).waitFor();
    assert.equal(await con.getByRole("link", { name: "Dashboard" }).getAttribute("aria-current"), "page");
    assert.equal(await con.getByLabel("Range", { exact: true }).inputValue(), "7", "the last 7 days at first");
    await shown(con, day(-6), day(0));

    const c = await cards(con);
    assert.deepEqual(
      { conversations: c.conversations, bot: c.bot_resolved, human: c.human, ticket: c.ticket, abandoned: c.abandoned },
      { conversations: "8", bot: "3", human: "2", ticket: "0", abandoned: "3" },
    );
    assert.equal(c.handoffs_offered, "5");
    assert.equal(c.handoffs_declined, "2");
    assert.equal(c.routed_to_team, "2");
    assert.equal(c.contained_rate, "38%", "3 of 8 without sys_human_help");
    assert.notEqual(c.median_wait, "–", "one reply after a consent: a median wait");

    // The chart: seven days, today's bar stacked 3 + 2 + 3, each part titled.
    let days = await bars(con);
    assert.deepEqual(days.map((d) => d.date), [-6, -5, -4, -3, -2, -1, 0].map(day));
    const today = days[6];
    assert.equal(today.total, 8);
    assert.deepEqual(today.bars, { bot_resolved: 3, human: 2, abandoned: 3 });
    assert.match(today.title, /: 8 conversations$/);
    assert.equal(today.titles.length, 3);
    assert.ok(today.titles.some((t) => t.endsWith(": 2 handed to a human")), today.titles.join(" | "));
    assert.ok(days.slice(0, 6).every((d) => d.total === 0 && Object.keys(d.bars).length === 0), "no bars on the other days");
    const legend = await con.locator(".legend li").allTextContents();
    assert.deepEqual(legend, ["Bot-resolved", "Handed to a human", "Ticket", "Abandoned"]);
    assert.match(await con.locator("svg.bars").getAttribute("aria-label"), /^Conversations per day by outcome, .* The table below the chart has the same numbers\.$/);

    // The same numbers as a table (a disclosure below the chart).
    await con.getByText("The chart as a table").click();
    const row = await con.locator(".dash-table tbody tr").last().locator("td").allTextContents();
    assert.deepEqual(row, ["3", "2", "0", "3", "8"]);
    assert.deepEqual(await con.locator(".dash-table tfoot td").allTextContents(), ["3", "2", "0", "3", "8"]);

    // axe-core finds nothing on the page, the table open.
    await con.evaluate(await axe());
    const result = await con.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
    assert.deepEqual(
      result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join("; ")})`),
      [],
    );
    await con.getByText("The chart as a table").click();
    await con.evaluate(() => document.querySelector(".dash").scrollTo(0, 0));
    await con.screenshot({ path: path.join(ROOT, "docs/console-dashboard.png") });

    // A custom range in the past: nothing, every day listed.
    await con.getByLabel("From", { exact: true }).fill("2020-01-01");
    await con.getByLabel("To", { exact: true }).fill("2020-01-07");
    assert.equal(await con.getByLabel("Range", { exact: true }).inputValue(), "custom", "typing a day makes the range custom");
    await con.getByRole("button", { name: "Show" }).click();
    await shown(con, "2020-01-01", "2020-01-07");
    assert.equal((await cards(con)).conversations, "0");
    days = await bars(con);
    assert.equal(days.length, 7);
    assert.ok(days.every((d) => d.total === 0));

    // A mistake is the server's, naming the parameter; the last numbers stay.
    await con.getByLabel("From", { exact: true }).fill("2020-01-08");
    await con.getByRole("button", { name: "Show" }).click();
    await con.getByRole("alert").filter({ hasText: "to: 2020-01-07 is before from 2020-01-08" }).waitFor();

    // Last 30 days: today's bar again, at the end.
    await con.getByLabel("Range", { exact: true }).selectOption("30");
    await shown(con, day(-29), day(0));
    days = await bars(con);
    assert.equal(days.length, 30);
    assert.deepEqual(days[29].bars, { bot_resolved: 3, human: 2, abandoned: 3 });

    // Another site in the picker: its dashboard (nobody wrote there).
    await con.getByLabel("Site").selectOption({ label: "Bot Shop" });
    await con.waitForURL(/#botshop\/dashboard$/);
    await con.getByRole("heading", { name: "Dashboard · Bot Shop" }).waitFor();
    await shown(con, day(-6), day(0));
    assert.equal((await cards(con)).conversations, "0");

    // Back to the inbox with the Inbox link.
    await con.getByRole("link", { name: "Inbox" }).click();
    await con.getByRole("tab", { name: /Unassigned/ }).waitFor();
    assert.deepEqual(b.errors, [], "uncaught errors in the console");
    assert.deepEqual(csp, [], "the page's CSP refused nothing (the chart sets no style attribute)");
  } finally {
    await b.close();
  }
});
