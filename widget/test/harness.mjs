// The browser-test harness: a real Baton binary with a temporary SQLite data dir, a hostile
// third-party shop page on another origin (127.0.0.2) that includes the widget exactly as a site
// owner would, and headless Debian Chromium driven by playwright-core with a fresh profile per
// test. Every wait is bounded.
import { spawn, execFile } from "node:child_process";
import { mkdtemp, rm, writeFile, readFile } from "node:fs/promises";
import http from "node:http";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { chromium } from "playwright-core";

const run = promisify(execFile);
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const WAIT_MS = 10000;
const CHROMIUM = process.env.BATON_CHROMIUM || "/usr/bin/chromium";
const AGENT = { email: "a@example.com", name: "Alice", password: "correct horse battery staple" };

/** Returns a port that was free on host a moment ago. */
export function freePort(host) {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on("error", reject);
    srv.listen(0, host, () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Polls fn until it returns a truthy value; fails with what after ms. */
export async function until(fn, what, ms = WAIT_MS) {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? ": " + last.message : ""}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function baton(bin, args, input) {
  const child = spawn(bin, args, { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (err += d));
  child.stdin.end(input || "");
  const timer = setTimeout(() => child.kill("SIGKILL"), 60000);
  const code = await new Promise((r) => child.on("close", r));
  clearTimeout(timer);
  if (code !== 0) throw new Error(`baton ${args.join(" ")} exited ${code}: ${err || out}`);
  return out.trim();
}

/**
 * Builds and starts Baton with the "demo" site allowing the third-party page's origin, and an
 * agent for replies. BATON_BIN reuses an existing binary.
 */
export async function startBaton() {
  const tmp = await mkdtemp(path.join(tmpdir(), "baton-widget-test-"));
  let bin = process.env.BATON_BIN;
  if (!bin) {
    bin = path.join(tmp, "baton");
    await run("go", ["build", "-o", bin, "./cmd/baton"], {
      cwd: ROOT,
      env: { ...process.env, CGO_ENABLED: "0" },
      maxBuffer: 1 << 24,
    });
  }
  const port = await freePort("127.0.0.1");
  const pagePort = await freePort("127.0.0.2");
  const url = `http://127.0.0.1:${port}`;
  const pageOrigin = `http://127.0.0.2:${pagePort}`;
  const data = path.join(tmp, "data");
  const site = path.join(tmp, "site.yaml");
  await writeFile(
    site,
    [
      "key: demo",
      "name: Demo Shop",
      `allowed_origins: ["${pageOrigin}", "${url}"]`,
      "default_locale: en",
      'appearance: {color: "#4f46e5", position: right, launcher_label: "Chat with us", greeting: "Hi! How can we help?"}',
      'texts: {nl: {send: "Verstuur"}}',
      "",
    ].join("\n"),
  );
  await baton(bin, ["site", "apply", "--data", data, "-f", site]);
  // A second shop whose bot answers (pages take ?site=botshop); the demo site has no bot, so
  // the other tests talk to people only.
  await writeFile(
    site,
    [
      "key: botshop",
      "name: Bot Shop",
      `allowed_origins: ["${pageOrigin}", "${url}"]`,
      'bot: {name: "Shop bot"}',
      'tags: [{tag: bot_check, keywords: [robotcheck], instruction: "I am the shop\'s assistant.", post_action: no_reply}]',
      "",
    ].join("\n"),
  );
  await baton(bin, ["site", "apply", "--data", data, "-f", site]);
  // Two shops closed now by their business hours (a holiday from yesterday to tomorrow, UTC):
  // one whose bot hands over to the auto-response, one that hides its launcher meanwhile.
  const day = (n) => new Date(Date.now() + n * 86400000).toISOString().slice(0, 10);
  const closedUntil = new Date(day(2) + "T09:00:00Z");
  const closed = [
    "business_hours:",
    "  timezone: UTC",
    "  weekly: {" + ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"].map((d) => `${d}: ["09:00-17:00"]`).join(", ") + "}",
    `  holidays: [{from: "${day(-1)}", to: "${day(1)}"}]`,
  ];
  for (const [key, extra] of [
    ["closedshop", ['bot: {name: "Shop bot"}']],
    ["hiddenshop", ["handoff: {hide_when_unavailable: true}"]],
  ]) {
    await writeFile(site, [`key: ${key}`, `name: ${key}`, `allowed_origins: ["${pageOrigin}", "${url}"]`, ...closed, ...extra, ""].join("\n"));
    await baton(bin, ["site", "apply", "--data", data, "-f", site]);
  }
  await baton(bin, ["agent", "add", "--data", data, "--email", AGENT.email, "--name", AGENT.name, "--role", "admin"], AGENT.password + "\n");
  const agentToken = await baton(bin, ["agent", "token", "--data", data, "--email", AGENT.email]);

  let log = "";
  let server;
  let exited = false;
  // serve starts `baton serve` and waits until it answers.
  const serve = async () => {
    exited = false;
    server = spawn(bin, ["serve", "--addr", `127.0.0.1:${port}`, "--data", data, "--public-url", url], {
      cwd: ROOT,
      // Every test here comes from 127.0.0.1: the per-IP limits (tested in Go) would only add noise.
      env: {
        ...process.env,
        BATON_ADMIN_EMAIL: "admin@example.com",
        BATON_ADMIN_PASSWORD: "admin password for tests",
        BATON_RATE_NEW_VISITORS: "0",
        BATON_RATE_IP_MESSAGES: "0",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    server.stdout.on("data", (d) => (log += d));
    server.stderr.on("data", (d) => (log += d));
    server.on("exit", () => (exited = true));
    try {
      await until(async () => {
        if (exited) throw new Error("baton serve exited:\n" + log);
        const r = await fetch(`${url}/v1/sites/demo/config`);
        return r.ok;
      }, "baton serve to answer", 30000);
    } catch (e) {
      server.kill("SIGKILL");
      throw e;
    }
  };
  // halt stops the server gracefully and waits for it to exit.
  const halt = async () => {
    if (exited) return;
    const gone = new Promise((r) => server.on("exit", r));
    server.kill("SIGTERM");
    await gone;
  };
  await serve();

  const pages = await startPages(pagePort, url);

  const api = async (method, p, body) => {
    const r = await fetch(url + p, {
      method,
      headers: { Authorization: "Bearer " + agentToken, "Content-Type": "application/json" },
      body: body && JSON.stringify(body),
    });
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${p}: HTTP ${r.status}: ${text}`);
    return text ? JSON.parse(text) : {};
  };

  return {
    url,
    pageOrigin,
    /** When closedshop and hiddenshop open again. */
    closedUntil,
    /** An origin the demo site does not allow, serving the same pages. */
    foreignOrigin: pages.foreignOrigin,
    agentToken,
    log: () => log,
    api,
    /** The conversation of a visitor, found through the agent REST API. */
    async conversationOf(visitorId) {
      return until(async () => {
        const d = await api("GET", "/v1/conversations?site=demo");
        return (d.conversations || []).find((c) => c.visitor_id === visitorId);
      }, `a conversation for visitor ${visitorId}`);
    },
    /** Runs a baton CLI command (like ["agent", "add", …]) on the server's data directory. */
    cli: (args, input) => baton(bin, [...args.slice(0, 2), "--data", data, ...args.slice(2)], input),
    /** Posts an agent reply. */
    async reply(conversationId, text, extra = {}) {
      return api("POST", `/v1/conversations/${conversationId}/messages`, {
        client_id: "t_" + Math.random().toString(36).slice(2),
        text,
        ...extra,
      });
    },
    /** Stops the server (as a deploy or crash would); start() brings it back on the same port and data. */
    halt,
    start: serve,
    async stop() {
      await pages.close();
      await halt();
      await rm(tmp, { recursive: true, force: true });
    },
  };
}

/**
 * Page-style hostility: rules that would wreck a widget living in the page's own DOM. Some
 * target the widget's own class names and element names.
 */
export const HOSTILE_CSS = `
  html { font-size: 5px; }
  * { font-family: "Comic Sans MS", cursive !important; color: #f0f !important; letter-spacing: 3px !important;
      text-transform: uppercase !important; line-height: 4 !important; box-sizing: content-box !important; }
  div, span, button, textarea, input, form, svg, a { background: lime !important; border: 9px dashed red !important;
      padding: 40px !important; margin: 30px !important; border-radius: 0 !important; }
  baton-chat, baton-chat *, [class*="chat"] { display: none !important; opacity: 0 !important; transform: scale(0) !important;
      position: static !important; z-index: -1 !important; }
  button, textarea { display: none !important; visibility: hidden !important; }
  :root { --c: red; --ct: red; --vh: 10px; --vt: 500px; }
  .p, .l, .f, .m, .tx, .b, .sr, .hd, .cp, .lg, .me, .th { position: static !important; width: 10px !important; }
`;

function pageHTML(baseURL, q, title) {
  const attrs = [`src="${baseURL}/widget.js"`, `data-site="${escapeAttr(q.get("site") || "demo")}"`];
  if (q.get("locale")) attrs.push(`data-locale="${escapeAttr(q.get("locale"))}"`);
  if (q.get("identity")) attrs.push(`data-identity-token="${escapeAttr(q.get("identity"))}"`);
  const queue = q.get("queue")
    ? `<script>
window.Baton=window.Baton||function(){(Baton.q=Baton.q||[]).push(arguments)};
window.events=[];
for (const e of ["ready","opened","closed","message_received","message_sent"]) Baton("on", e, (d) => events.push(d ? e + ":" + d.text : e));
Baton("setAttributes", {plan: "pro", name: "Quinn"});
Baton("identify", "id-token-from-the-site");
Baton("open");
</script>`
    : "";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${q.get("plain") ? "" : HOSTILE_CSS}</style>
${queue}
</head><body>
<h1>${title}</h1>
<p id="page-text" class="m">A third-party shop page. <a href="/other">Other page</a></p>
<div class="p" id="page-p">page div with the widget's panel class</div>
<button id="page-button" class="l" type="button">page button</button>
<script ${attrs.join(" ")} async></script>
</body></html>`;
}

function escapeAttr(s) {
  return s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Serves the third-party shop ("/" and "/other", options in the query string) on 127.0.0.2,
 * whose origin the demo site allows, and the same pages on 127.0.0.3, whose origin it does not.
 */
async function startPages(port, baseURL) {
  const handler = (req, res) => {
    const u = new URL(req.url, "http://x");
    if (u.pathname !== "/" && u.pathname !== "/other") {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
    res.end(pageHTML(baseURL, u.searchParams, u.pathname === "/" ? "Hostile Shop" : "Hostile Shop: other page"));
  };
  const allowed = http.createServer(handler);
  const foreign = http.createServer(handler);
  const foreignPort = await freePort("127.0.0.3");
  await new Promise((r) => allowed.listen(port, "127.0.0.2", r));
  await new Promise((r) => foreign.listen(foreignPort, "127.0.0.3", r));
  return {
    foreignOrigin: `http://127.0.0.3:${foreignPort}`,
    close: () => Promise.all([allowed, foreign].map((srv) => new Promise((r) => srv.close(r)))),
  };
}

/** Launches Chromium with a fresh profile; close() removes the profile. */
export async function browser(options = {}) {
  const profile = await mkdtemp(path.join(tmpdir(), "baton-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    viewport: { width: 1280, height: 800 },
    locale: "en-US",
    reducedMotion: "reduce",
    timeout: 30000,
    ...options,
  });
  context.setDefaultTimeout(WAIT_MS);
  const errors = [];
  context.on("weberror", (e) => errors.push(String(e.error())));
  return {
    context,
    errors,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Loads the axe-core source once, to inject into pages. */
let axeSource;
export async function axe() {
  axeSource ||= await readFile(path.join(ROOT, "node_modules/axe-core/axe.min.js"), "utf8");
  return axeSource;
}
