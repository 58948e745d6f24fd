// chat.<hash>.js: the chat panel and the realtime connection, loaded by widget.js on first open
// or when a conversation is in progress. It speaks the visitor side of docs/api.md:
// POST /v1/visitors for a token, then one WebSocket with sync/send/read/typing commands.
//
// Delivery guarantees: every message the visitor types goes to the shared outbox in
// localStorage first and leaves it only when the server has stored it (the send reply or the
// message event with the same client_id). Sends are idempotent on client_id, so resending after
// a drop, or two tabs flushing the same outbox, stores each message once. Messages are keyed by
// seq, so a message that arrives twice (event + reply + sync) is shown once, and a gap in seq
// triggers a sync.
import type { Author, Conversation, Core, Message, Outgoing, SiteConfig, UI } from "./types";
import { h, icon, ICON_CLOSE, ICON_SEND } from "./dom";
import { linkify } from "./linkify";
import { fileLink, fileSize, ICON_CLIP, upload, type UploadError } from "./files";
import { TEXTS } from "./texts";

/** How long a command may wait for its reply before the connection is considered dead. */
const COMMAND_TIMEOUT_MS = 15000;
/** Longest pause between reconnection attempts. */
const MAX_BACKOFF_MS = 30000;
/** Typing indicators expire on their own if the "stopped" event is lost. */
const TYPING_TTL_MS = 8000;
/** A visitor token this close to expiry is refreshed before connecting. */
const REFRESH_BEFORE_MS = 864e5;

type Pending = { res: (d: any) => void; rej: (e: any) => void; timer: number };
type Row = HTMLElement & { _s?: number; _a?: string; _tail?: boolean };

(window as any).Baton._ui((core: Core): UI => start(core));

function start(core: Core): UI {
  const { t } = core;
  core.addTexts(TEXTS);
  const KEY = "baton:" + core.site;
  const cfg = core.config;

  const msgs = new Map<number, Message>();
  const stored = new Set<string>(); // client_ids the server has stored
  const rows = new Map<string, Row>();
  let seq = 0; // highest seq up to which we hold every message
  let conv: Conversation | null = null;
  let ws: WebSocket | null = null;
  let connecting = false;
  let connected = false;
  let failures = 0;
  let retryTimer = 0;
  let retryAfter = 0;
  let beatTimer = 0;
  let heartbeat = 25000;
  let nextId = 0;
  const inflight = new Map<string, Pending>();
  let flushing = false;
  let syncing: Promise<void> | null = null;
  let resync = false;
  let initial = true; // the first sync of this page loads history: nothing in it is "new"
  let shown = false;
  let offline = false;
  let typingSent = 0;
  let typingStop = 0;
  let typingHide = 0;
  let noticeTimer = 0;

  // ---- DOM ----------------------------------------------------------------------------------
  const name = h("div", { class: "nm" }, cfg.name || "");
  const avail = h("div", { class: "av", hidden: "" });
  const closeBtn = h("button", { type: "button", class: "x", "aria-label": t("close") }, icon(ICON_CLOSE));
  const notice = h("div", { class: "nt", hidden: "", "aria-hidden": "true" });
  const log = h("div", { class: "lg", role: "log", "aria-live": "off", "aria-label": t("conversation"), tabindex: "0" });
  const typing = h("div", { class: "ty", hidden: "" });
  const input = h("textarea", {
    "aria-label": t("message"),
    placeholder: t("placeholder"),
    rows: "1",
    maxlength: "4000",
  });
  const send = h("button", { type: "submit", class: "sd", "aria-label": t("send") }, icon(ICON_SEND));
  // Files: the paperclip opens the picker; each file is uploaded, then sent as its own message.
  const picker = h("input", { type: "file", hidden: "", tabindex: "-1", "aria-hidden": "true" });
  const attach = h("button", { type: "button", class: "at", "aria-label": t("attach") }, icon(ICON_CLIP));
  const composer = h("form", { class: "cp" }, attach, picker, input, send);
  const live = h("div", { class: "sr", "aria-live": "polite" });
  const panel = h(
    "div",
    { class: "p", id: "bp", role: "dialog", "aria-label": t("title", { name: cfg.name || "" }), hidden: "" },
    h("div", { class: "hd" }, h("div", { class: "ti" }, name, avail), closeBtn),
    notice,
    log,
    typing,
    composer,
    live,
  );
  core.frame.prepend(panel);
  core.launcher.setAttribute("aria-controls", "bp");
  // The unread badge: a count on the launcher, and the same as words for screen readers.
  const badge = h("span", { class: "b", "aria-hidden": "true", hidden: "" });
  const unreadText = h("span", { class: "sr", id: "bu" });
  core.launcher.append(badge);
  core.frame.append(unreadText);
  const setUnread = (n: number) => {
    badge.textContent = n > 9 ? "9+" : String(n);
    badge.hidden = !n;
    unreadText.textContent = n ? t("unread", { n }) : "";
    if (n) core.launcher.setAttribute("aria-describedby", "bu");
    else core.launcher.removeAttribute("aria-describedby");
  };

  const greeting = t("greeting");
  if (greeting) log.append(h("div", { class: "m th" }, h("div", { class: "tx" }, ...linkify(greeting))));

  const paintAvailability = (av: SiteConfig["availability"]) => {
    if (!av) return;
    let text = t(av.available ? "online" : "away");
    if (!av.available && av.next_change_at) text += " · " + t("back", { time: when(av.next_change_at, core.locale) });
    avail.textContent = text;
    avail.className = "av " + (av.available ? "on" : "off");
    avail.hidden = false;
  };
  paintAvailability(cfg.availability);
  // Whether someone is there changes while the page stays open: asked again when the visitor
  // opens the chat, at most every 30 s, past the browser's cache.
  let availabilityAt = Date.now();
  const refreshAvailability = () => {
    if (!cfg.availability || Date.now() - availabilityAt < 30e3) return;
    availabilityAt = Date.now();
    fetch(core.base + "/v1/sites/" + encodeURIComponent(core.site) + "/config", { cache: "no-cache" })
      .then((r) => (r.ok ? r.json() : null))
      .then((c: SiteConfig | null) => c && paintAvailability(c.availability))
      .catch(() => {});
  };

  const say = (text: string) => {
    // Re-setting the same text would not be announced again; clearing first makes it so.
    live.textContent = "";
    setTimeout(() => (live.textContent = text), 50);
  };

  const showNotice = (text: string, ok: boolean) => {
    clearTimeout(noticeTimer);
    notice.textContent = text;
    notice.className = ok ? "nt ok" : "nt";
    notice.hidden = !text;
    if (text) say(text);
    if (ok) noticeTimer = setTimeout(() => (notice.hidden = true), 4000) as unknown as number;
  };

  const nearBottom = () => log.scrollHeight - log.scrollTop - log.clientHeight < 80;
  const scrollDown = () => (log.scrollTop = log.scrollHeight);

  const authorName = (a: Author) => a.name || t(a.type === "bot" ? "bot" : "agent");

  // insert puts a row in seq order, before the tail (pending messages and the reply buttons).
  const insert = (row: Row) => {
    let before: Element | null = null;
    for (const c of Array.from(log.children) as Row[]) {
      if (c._tail || (row._s !== undefined && c._s !== undefined && c._s > row._s)) {
        before = c;
        break;
      }
    }
    const stick = nearBottom();
    const prev = (before ? before.previousElementSibling : log.lastElementChild) as Row | null;
    if (prev && prev._a && prev._a === row._a) row.classList.add("same");
    log.insertBefore(row, before);
    if (stick) scrollDown();
  };

  const render = (m: Message) => {
    if (m.kind === "note" || rows.has("s" + m.seq)) return;
    const mine = m.author.type === "visitor";
    const event = m.kind === "event" || m.author.type === "system";
    const row: Row = h(
      "div",
      { class: "m " + (event ? "e" : mine ? "me" : "th"), title: when(m.created_at, core.locale) },
      // A bot's replies carry its name and say they are automated.
      !event && !mine && h("div", { class: "a" }, authorName(m.author), m.author.type === "bot" && m.author.name && h("span", { class: "au" }, t("automated"))),
      h("div", { class: "tx" }, ...linkify(m.text || ""), ...(m.attachments || []).map((f) => fileLink(core.base, f))),
    );
    row._s = m.seq;
    row.dataset.seq = String(m.seq);
    if (!event) row._a = m.author.type + ":" + (m.author.id || "");
    rows.set("s" + m.seq, row);
    insert(row);
  };

  const renderPending = (o: Outgoing) => {
    if (rows.has("c" + o.c) || stored.has(o.c)) return;
    const status = h("div", { class: "st" }, t("sending"));
    const files = (o.f || []).map((f) => h("span", { class: "fi" }, icon(ICON_CLIP), h("span", null, f.name), h("span", { class: "fz" }, fileSize(f.size))));
    const row: Row = h("div", { class: "m me pd" }, h("div", { class: "tx" }, ...linkify(o.t), ...files), status);
    row._tail = true;
    rows.set("c" + o.c, row);
    log.insertBefore(row, extras.parentNode ? extras : null);
    scrollDown();
  };

  const failPending = (c: string) => {
    const row = rows.get("c" + c);
    if (!row) return;
    row.classList.add("fl");
    row.lastElementChild!.textContent = t("failed");
  };

  // Quick replies and forms belong to the latest message only.
  const extras: Row = h("div", { class: "ex" });
  extras._tail = true;
  const updateExtras = () => {
    extras.replaceChildren();
    extras.remove();
    const s = core.load();
    let latest: Message | undefined;
    for (const m of msgs.values()) if (m.kind !== "note" && (!latest || m.seq > latest.seq)) latest = m;
    if (!latest || latest.author.type === "visitor" || (s.out && s.out.length)) return;
    const m = latest;
    if (m.quick_replies && m.quick_replies.length) {
      const group = h("div", { class: "qr", role: "group", "aria-label": t("replies") });
      for (const q of m.quick_replies) {
        const b = h("button", { type: "button" }, q.label);
        b.onclick = () => {
          extras.remove();
          sendText(q.value || q.label);
          input.focus();
        };
        group.append(b);
      }
      extras.append(group);
    }
    if (m.form && !(s.forms || []).includes(m.id)) extras.append(renderForm(m));
    if (extras.firstChild) {
      const stick = nearBottom();
      log.append(extras);
      if (stick) scrollDown();
    }
  };

  const renderForm = (m: Message) => {
    const form = h("form", { class: "fm" });
    const error = h("div", { class: "er", role: "alert" });
    m.form!.fields.forEach((f, i) => {
      const id = "f" + m.seq + "-" + i;
      const type = /^(email|tel|text|url|number)$/.test(f.type || "") ? f.type! : "text";
      const field = h("input", { id, name: f.name, type });
      if (type === "email") field.setAttribute("autocomplete", "email");
      if (f.required !== false) field.required = true;
      form.append(h("label", { for: id }, f.label || f.name), field);
    });
    form.append(error, h("button", { type: "submit" }, t("submit")));
    form.onsubmit = (e) => {
      e.preventDefault();
      const values: Record<string, string> = {};
      for (const f of m.form!.fields) values[f.name] = (form.elements.namedItem(f.name) as HTMLInputElement).value;
      error.textContent = "";
      command("submit_form", { message_id: m.id, form_id: m.form!.id, values }).then(
        (d: any) => {
          core.save({ forms: [...(core.load().forms || []), m.id].slice(-20) });
          add(d.message, true); // this tab learns of its answer from the reply, not an event
          updateExtras();
          input.focus();
        },
        (err) => (error.textContent = err && err.message && err.code ? err.message : t("offline")),
      );
    };
    return form;
  };

  const updateUnread = () => {
    const read = core.load().read || 0;
    let n = 0;
    for (const m of msgs.values()) if (m.seq > read && incoming(m)) n++;
    setUnread(n);
  };

  const markRead = () => {
    if (!shown || document.visibilityState === "hidden") return;
    let top = 0;
    for (const k of msgs.keys()) top = Math.max(top, k);
    if (top > (core.load().read || 0)) {
      core.save({ read: top });
      if (connected) command("read", { seq: top }).catch(() => {});
    }
    setUnread(0);
  };

  const hideTyping = () => {
    clearTimeout(typingHide);
    typing.hidden = true;
  };

  // ---- messages -----------------------------------------------------------------------------
  const add = (m: Message, live: boolean) => {
    if (!m || typeof m.seq !== "number" || msgs.has(m.seq)) return;
    msgs.set(m.seq, m);
    if (m.client_id) {
      stored.add(m.client_id);
      const row = rows.get("c" + m.client_id);
      if (row) {
        row.remove();
        rows.delete("c" + m.client_id);
      }
      dropOutgoing(m.client_id);
    }
    render(m);
    if (m.seq > seq + 1 && !initial) {
      resync = true; // a gap: something was missed, fetch it
      sync().catch(() => {});
    }
    while (msgs.has(seq + 1)) seq++;
    if (m.conversation_id && core.load().conv !== m.conversation_id) core.save({ conv: m.conversation_id });
    // Chat messages from the other side count as unread and reach the site's listeners; events
    // ("Alice joined the conversation") are only announced.
    if (incoming(m)) hideTyping();
    if (live && m.author.type !== "visitor" && m.kind !== "note") {
      const text = [m.text, ...(m.attachments || []).map((f) => f.name)].filter(Boolean).join(" · ");
      say(incoming(m) ? t("new_message", { name: authorName(m.author), text }) : text);
      if (incoming(m)) core.emit("message_received", publicMessage(m));
    }
    updateExtras();
    updateUnread();
    markRead();
  };

  const dropOutgoing = (c: string) => {
    const out = core.load().out || [];
    if (out.some((o) => o.c === c)) core.save({ out: out.filter((o) => o.c !== c) });
  };

  const clear = () => {
    msgs.clear();
    for (const [k, row] of rows) if (k[0] === "s") (row.remove(), rows.delete(k));
    seq = 0;
    conv = null;
    updateExtras();
    updateUnread();
  };

  const sendText = (text: string, f?: Outgoing["f"]) => {
    text = text.trim();
    if (!text && !f) return;
    const o: Outgoing = { c: clientId(), t: text.slice(0, 4000), at: Date.now(), f };
    core.save({ out: [...(core.load().out || []), o] });
    renderPending(o);
    updateExtras();
    stopTyping();
    if (connected) flush();
    else connect();
  };

  // uploadFile shows a file's progress in the conversation, then sends it; a failure says why and
  // offers to try again when trying again can help (not for a refused kind or size).
  const uploadFile = (file: File) => {
    const status = h("div", { class: "st", role: "status" });
    const row: Row = h("div", { class: "m me pd" }, h("div", { class: "tx" }, h("span", { class: "fi" }, icon(ICON_CLIP), h("span", null, file.name), h("span", { class: "fz" }, fileSize(file.size)))), status);
    row._tail = true;
    log.insertBefore(row, extras.parentNode ? extras : null);
    scrollDown();
    const go = async () => {
      row.classList.remove("fl");
      status.textContent = t("uploading", { n: 0 });
      try {
        const f = await upload(core.base, await token(), file, (n) => (status.textContent = t("uploading", { n })));
        row.remove();
        sendText("", [{ id: f.id, name: f.name, size: f.size, url: f.url }]);
      } catch (e: any) {
        const st = (e as UploadError).status;
        if (st === 401) core.save({ exp: 0 }); // a stale token: the retry fetches a fresh one
        const final = st === 400 || st === 413;
        row.classList.add("fl");
        const retry = h("button", { type: "button", class: "rb" }, t("retry"));
        const x = h("button", { type: "button", class: "rb" }, t("remove"));
        retry.onclick = go;
        x.onclick = () => (row.remove(), input.focus());
        status.replaceChildren(t(st === 413 ? "file_too_large" : final ? "file_refused" : "upload_failed") + " ", final ? "" : retry, x);
        say(t(st === 413 ? "file_too_large" : final ? "file_refused" : "upload_failed"));
      }
    };
    go();
  };

  // ---- connection ---------------------------------------------------------------------------
  const command = (type: string, fields?: object): Promise<any> =>
    new Promise((res, rej) => {
      const sock = ws;
      if (!sock || !connected) return rej(new Error("offline"));
      const id = String(++nextId);
      const timer = setTimeout(() => {
        inflight.delete(id);
        rej(new Error("timeout"));
        if (ws === sock) drop(); // no reply in time: the connection is dead even if the socket is not closed yet
      }, COMMAND_TIMEOUT_MS) as unknown as number;
      inflight.set(id, { res, rej, timer });
      sock.send(JSON.stringify({ id, type, ...fields }));
    });

  const token = (): Promise<string> => {
    const run = async (): Promise<string> => {
      const s = core.load();
      const idt = core.identity || undefined;
      if (s.tok && (s.exp || 0) - Date.now() > REFRESH_BEFORE_MS && (!idt || idt === s.idt)) return s.tok;
      const body: Record<string, string> = { site: core.site };
      if (s.tok) body.visitor_token = s.tok;
      if (idt) body.identity_token = idt;
      for (;;) {
        const r = await fetch(core.base + "/v1/visitors", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify(body),
        });
        if (r.ok) {
          const v = await r.json();
          if (s.vid && v.visitor_id !== s.vid) {
            // Another visitor now (a different identity): the old conversation is not theirs.
            core.save({ conv: undefined, read: 0, out: [], forms: [] });
            for (const [k, row] of rows) if (k[0] === "c") (row.remove(), rows.delete(k));
            clear();
          }
          core.save({ tok: v.visitor_token, exp: v.expires_at, vid: v.visitor_id, idt });
          return v.visitor_token;
        }
        // A refused identity token or old visitor token: go on without it rather than not at all.
        if (r.status >= 400 && r.status < 500 && r.status !== 429 && body.identity_token) {
          console.warn("Baton: identity token refused (HTTP " + r.status + ")");
          delete body.identity_token;
        } else if (r.status >= 400 && r.status < 500 && r.status !== 429 && body.visitor_token) {
          delete body.visitor_token;
        } else {
          throw new Error("HTTP " + r.status);
        }
      }
    };
    const locks = (navigator as any).locks;
    // One tab at a time asks for a token, so two tabs opened together share one visitor.
    return locks ? locks.request(KEY, run) : run();
  };

  const connect = async () => {
    if (ws || connecting || offline) return;
    clearTimeout(retryTimer);
    retryTimer = 0;
    connecting = true;
    let tok: string;
    try {
      tok = await token();
    } catch {
      connecting = false;
      return lost();
    }
    connecting = false;
    if (ws || offline) return;
    const sock = new WebSocket(core.base.replace(/^http/, "ws") + "/v1/ws?token=" + encodeURIComponent(tok));
    ws = sock;
    sock.onmessage = (e) => {
      if (ws !== sock) return;
      let f: any;
      try {
        f = JSON.parse(e.data);
      } catch {
        return;
      }
      onFrame(f);
    };
    sock.onclose = (e) => {
      if (ws !== sock) return;
      // 4001: token expired or revoked; a refresh (or a new visitor) is needed.
      if (e.code === 4001) core.save({ exp: 0 });
      lost();
    };
  };

  // detach closes the socket at once, without waiting for its close event, and fails the
  // commands still waiting for a reply (they are resent or resynced after the next hello).
  const detach = (): boolean => {
    const sock = ws;
    const was = connected;
    if (sock) {
      sock.onclose = sock.onmessage = null;
      try {
        sock.close();
      } catch {
        // already closing
      }
    }
    ws = null;
    connected = false;
    clearTimeout(beatTimer);
    for (const p of inflight.values()) (clearTimeout(p.timer), p.rej(new Error("offline")));
    inflight.clear();
    return was;
  };

  // lost handles a connection that failed or dropped: tell the visitor, retry with backoff.
  const lost = () => {
    const was = detach();
    if (was || failures > 0 || offline) showNotice(t("offline"), false);
    failures++;
    // After repeated failures before any hello, the token may be stale (revoked, reset server).
    if (failures % 4 === 3) core.save({ exp: 0 });
    if (offline) return; // the "online" event reconnects
    const delay = retryAfter || Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(failures, 6)) * (0.5 + Math.random() / 2);
    retryAfter = 0;
    clearTimeout(retryTimer);
    retryTimer = setTimeout(connect, delay) as unknown as number;
  };

  const drop = () => {
    if (ws) lost();
  };

  // restart reconnects at once, e.g. with a token for a new identity.
  const restart = () => {
    detach();
    clearTimeout(retryTimer);
    failures = 0;
    connect();
  };

  const beat = () => {
    clearTimeout(beatTimer);
    beatTimer = setTimeout(() => command("ping").then(beat, () => {}), heartbeat) as unknown as number;
  };

  const onFrame = (f: any) => {
    if ((f.type === "reply" || f.type === "error") && f.id != null) {
      const p = inflight.get(String(f.id));
      if (p) {
        inflight.delete(String(f.id));
        clearTimeout(p.timer);
        if (f.type === "reply") p.res(f.data || {});
        else p.rej(f);
      }
      return;
    }
    switch (f.type) {
      case "hello":
        connected = true;
        if (notice.textContent === t("offline") && !notice.hidden) showNotice(t("reconnected"), true);
        failures = 0;
        heartbeat = f.heartbeat_ms || heartbeat;
        beat();
        resume();
        break;
      case "message":
        add(f.message, !initial);
        break;
      case "conversation":
        setConversation(f.conversation);
        break;
      case "typing":
        if (f.author && f.author.type !== "visitor") {
          clearTimeout(typingHide);
          typing.textContent = t("typing", { name: authorName(f.author) });
          typing.hidden = !f.typing;
          if (f.typing) typingHide = setTimeout(hideTyping, TYPING_TTL_MS) as unknown as number;
        }
        break;
      case "read":
        if (f.author && f.author.type === "visitor" && f.seq > (core.load().read || 0)) {
          core.save({ read: f.seq });
          updateUnread();
        }
        break;
      case "reconnect":
        retryAfter = f.retry_after_ms || 1000;
        break;
    }
  };

  // The page the visitor is on, told once per connection and conversation (agents see it).
  let toldPage = "";
  const tellPage = () => {
    if (!conv || toldPage === conv.id) return;
    toldPage = conv.id;
    command("page", { url: location.href, title: document.title }).catch(() => (toldPage = ""));
  };

  const setConversation = (c: Conversation | null) => {
    if (!c) return;
    conv = c;
    if (core.load().conv !== c.id) core.save({ conv: c.id });
    tellPage();
  };

  const sync = (): Promise<void> =>
    (syncing ||= (async () => {
      try {
        do {
          resync = false;
          let gone = false;
          for (;;) {
            let d: any;
            try {
              d = await command("sync", { since: seq });
            } catch (e: any) {
              if (e && e.code === "history_gone" && !gone) {
                gone = true; // the server cannot resume from here: start over from nothing
                clear();
                continue;
              }
              throw e;
            }
            setConversation(d.conversation);
            const got: Message[] = d.messages || [];
            for (const m of got) add(m, !initial);
            if (!d.more || !got.length) break;
          }
        } while (resync);
        initial = false;
      } finally {
        syncing = null;
      }
    })());

  const resume = async () => {
    toldPage = "";
    try {
      await sync();
      flush();
      attributes();
      tellZone();
      tellPage();
      markRead();
    } catch {
      // the connection dropped mid-way: the next hello resumes again
    }
  };

  const flush = async () => {
    if (flushing) return;
    flushing = true;
    try {
      for (;;) {
        const o = (core.load().out || [])[0];
        if (!o || !connected) break;
        try {
          const d = await command("send", o.f ? { client_id: o.c, text: o.t, attachments: o.f.map((f) => f.id) } : { client_id: o.c, text: o.t });
          setConversation(d.conversation);
          tellZone();
          dropOutgoing(o.c);
          add(d.message, false);
          core.emit("message_sent", publicMessage(d.message));
        } catch (e: any) {
          if (e && e.code && !e.temporary) {
            // The server will never take this one (too long, forbidden…): say so, keep the rest going.
            dropOutgoing(o.c);
            failPending(o.c);
            continue;
          }
          if (e && e.code && connected) setTimeout(flush, e.retry_after_ms || 2000);
          break;
        }
      }
    } finally {
      flushing = false;
      updateExtras();
    }
  };

  // The handoff writes opening times in the visitor's own time zone and language: tell the
  // server once per page, as soon as there is a conversation (a visitor is stored with it).
  let told = false;
  const tellZone = () => {
    if (told || !connected || !conv) return;
    told = true;
    const tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
    command("set_attributes", { attributes: tz ? { locale: core.locale, tz } : { locale: core.locale } }).catch(() => (told = false));
  };

  const attributes = () => {
    const attrs = core.load().attrs;
    if (!connected || !attrs || !Object.keys(attrs).length) return;
    const sent = JSON.stringify(attrs);
    command("set_attributes", { attributes: attrs }).then(
      () => JSON.stringify(core.load().attrs) === sent && core.save({ attrs: undefined }),
      (e) => {
        if (e && e.code && !e.temporary) {
          console.warn("Baton: attributes refused: " + e.message);
          core.save({ attrs: undefined });
        }
      },
    );
  };

  // ---- typing -------------------------------------------------------------------------------
  const stopTyping = () => {
    clearTimeout(typingStop);
    if (typingSent && connected && conv) command("typing", { typing: false }).catch(() => {});
    typingSent = 0;
  };
  input.addEventListener("input", () => {
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight + 2, 120) + "px";
    if (!connected || !conv || !input.value) return;
    if (Date.now() - typingSent > 3000) {
      typingSent = Date.now();
      command("typing", { typing: true }).catch(() => {});
    }
    clearTimeout(typingStop);
    typingStop = setTimeout(stopTyping, 4000) as unknown as number;
  });

  // ---- events -------------------------------------------------------------------------------
  composer.addEventListener("submit", (e) => {
    e.preventDefault();
    sendText(input.value);
    input.value = "";
    input.style.height = "";
    input.focus();
  });
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      composer.requestSubmit();
    }
  });
  panel.addEventListener("keydown", (e) => {
    if (e.key === "Escape") {
      e.stopPropagation();
      core.setOpen(false);
    }
  });
  closeBtn.onclick = () => core.setOpen(false);
  attach.onclick = () => picker.click();
  picker.onchange = () => {
    for (const f of Array.from(picker.files || [])) uploadFile(f);
    picker.value = "";
  };

  addEventListener("offline", () => {
    offline = true;
    drop();
    showNotice(t("offline"), false);
  });
  addEventListener("online", () => {
    offline = false;
    failures = 0;
    connect();
  });
  // A page kept in the back/forward cache must not hold a socket; it reconnects when shown.
  addEventListener("pagehide", (e) => e.persisted && drop());
  addEventListener("pageshow", (e) => e.persisted && connect());
  document.addEventListener("visibilitychange", () => {
    markRead();
    if (document.visibilityState === "visible" && !ws) connect();
  });
  // Other tabs share the outbox and the read position through localStorage.
  addEventListener("storage", (e) => {
    if (e.key !== KEY) return;
    for (const o of core.load().out || []) renderPending(o);
    updateUnread();
  });

  // The panel follows the visual viewport so the on-screen keyboard never hides the message box.
  const vv = window.visualViewport;
  const fit = () => {
    if (!vv) return;
    panel.style.setProperty("--vh", vv.height + "px");
    panel.style.setProperty("--vt", vv.offsetTop + "px");
  };
  vv?.addEventListener("resize", fit);
  vv?.addEventListener("scroll", fit);
  fit();

  offline = navigator.onLine === false;
  for (const o of core.load().out || []) renderPending(o);
  connect();

  return {
    show(open, focus) {
      shown = open;
      if (!open) {
        panel.hidden = true;
        stopTyping();
        return;
      }
      refreshAvailability();
      core.css.then(() => {
        if (!shown) return;
        panel.hidden = false;
        fit();
        scrollDown();
        markRead();
        if (focus) input.focus();
      });
      connect();
    },
    identify(tokenValue) {
      // Reconnect with a token obtained for this identity.
      if (tokenValue !== core.load().idt && (ws || connecting)) restart();
    },
    attributes,
    reset() {
      detach();
      clearTimeout(retryTimer);
      for (const [k, row] of rows) if (k[0] === "c") (row.remove(), rows.delete(k));
      clear();
      initial = true;
      failures = 0;
      notice.hidden = true;
      if (shown) connect();
    },
  };
}

/** Whether a message is a chat message from the other side (an agent or the bot). */
function incoming(m: Message): boolean {
  return m.kind === "text" && m.author.type !== "visitor" && m.author.type !== "system";
}

/** The part of a message handed to the site owner's event listeners. */
function publicMessage(m: Message) {
  return { id: m.id, seq: m.seq, text: m.text, author: { type: m.author.type, name: m.author.name || "" }, created_at: m.created_at };
}

/** A random client_id; getRandomValues works on plain-http pages too, unlike randomUUID. */
function clientId(): string {
  return "c_" + Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Formats a time for the visitor's locale: the time today, the weekday and time otherwise. */
function when(ms: number, locale: string): string {
  const d = new Date(ms);
  const today = d.toDateString() === new Date().toDateString();
  try {
    return d.toLocaleString(locale, today ? { hour: "numeric", minute: "2-digit" } : { weekday: "short", hour: "numeric", minute: "2-digit" });
  } catch {
    return d.toLocaleString();
  }
}
