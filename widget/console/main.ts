// The agent console (/console): sign-in, the inbox tabs with live counts, a conversation with
// its transcript, and the agent's actions, all on the realtime API (docs/api.md) over one
// WebSocket authenticated by the HttpOnly session cookie. Nothing here parses HTML: every
// element is built with h() and text goes in as text nodes.
import { h } from "../src/dom";
import { pageFor, pageLinks, PresenceToggle, type Page } from "./account";
import { addDashboardLink, dashboardFor } from "./dashboard";
import { Notifier } from "./notify";
import { passwordLink, passwordScreen } from "./password";
import { rest } from "./rest";
import { CommandError, Realtime } from "./rt";
import { Attacher, filesEl } from "./attach";
import { assignControl, presenceChanged, type Directory } from "./assign";
import { QuickMenu, type QuickResponse } from "./quick";
import { VisitorPanel } from "./visitor";
import { Counts, type TabCounts } from "./counts";
import type { Agent, Conversation, Frame, Message, Site, Visitor } from "./types";

/** A built-in tab below, or "view:<name>" for a view of the site's settings. */
type TabKey = string;
type Tab = { key: TabKey; label: string; filter: Record<string, unknown>; has: (c: Conversation, me: string) => boolean };

/** The inbox tabs: what each lists (the realtime list command's filters) and who belongs. */
const TABS: Tab[] = [
  { key: "me", label: "Me", filter: { status: "open", assignee: "me" }, has: (c, me) => c.status === "assigned" && c.assignee?.id === me },
  { key: "unassigned", label: "Unassigned", filter: { status: "unassigned" }, has: (c) => c.status === "unassigned" },
  { key: "open", label: "Open", filter: { status: "open" }, has: (c) => c.status !== "resolved" },
  { key: "bot", label: "Bot", filter: { status: "bot" }, has: (c) => c.status === "bot" },
  { key: "closed", label: "Closed", filter: { status: "resolved" }, has: (c) => c.status === "resolved" },
];

/** How many conversations each tab loads at first; a tab with more shows "N+". */
const PAGE = 100;

/** The URL's fragment: `#<site>` (the inbox) or `#<site>/c/<conversation id>` (a conversation). */
function parseHash(hash: string): { site: string; conversation: string } {
  const [site, kind, id] = decodeURIComponent(hash.replace(/^#/, "")).split("/");
  return { site: site || "", conversation: kind === "c" && id ? id : "" };
}

const root = document.getElementById("app")!;

// ---- sign-in --------------------------------------------------------------------------------------

function signInScreen(error = "", prefill = "", note = "Sign in to answer your visitors."): void {
  document.title = "Sign in · Baton";
  const email = h("input", { id: "email", type: "email", name: "email", autocomplete: "username", required: "" });
  const password = h("input", { id: "password", type: "password", name: "password", autocomplete: "current-password", required: "" });
  const alert = h("p", { class: "err", role: "alert" }, error);
  const button = h("button", { type: "submit" }, "Sign in");
  const form = h(
    "form",
    { class: "signin", "aria-labelledby": "signin-title" },
    h("h1", { id: "signin-title" }, "Baton"),
    h("p", { class: "sub" }, note),
    h("label", { for: "email" }, "Email"),
    email,
    h("label", { for: "password" }, "Password"),
    password,
    alert,
    button,
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    button.disabled = true;
    alert.textContent = "";
    try {
      const r = await rest<{ agent: Agent }>("POST", "/v1/auth/session", { email: email.value, password: password.value });
      await startInbox(r.agent);
    } catch (err) {
      alert.textContent = err instanceof CommandError && err.code === "unauthorized" ? "Wrong email or password." : (err as Error).message;
      button.disabled = false;
      password.focus();
    }
  });
  root.replaceChildren(h("main", { class: "center" }, form));
  email.value = prefill;
  (prefill ? password : email).focus();
}

// ---- the inbox --------------------------------------------------------------------------------------

async function startInbox(me: Agent): Promise<void> {
  const { sites } = await rest<{ sites: Site[] }>("GET", "/v1/sites");
  if (!sites.length) {
    root.replaceChildren(h("main", { class: "center" }, h("p", null, "You are not an agent of any site yet: ask an admin to add you.")));
    return;
  }
  new Inbox(me, sites).mount();
}

class Inbox {
  private site: Site;
  private rt: Realtime;
  private convs = new Map<string, Conversation>();
  private more = new Map<TabKey, boolean>();
  private tab: TabKey = "unassigned";
  private current: string | null = null;
  private messages: Message[] = [];
  private preview = new Map<string, string>();
  private visitors = new Map<string, Promise<Visitor | null>>();
  private typingTimer = 0;
  private typingSent = false;
  private typingShown = 0;
  private note = false;
  // Views, paging, quick responses, assign and the visitor panel (issue 6).
  private views: Tab[] = [];
  private cursors = new Map<TabKey, string>();
  private quick: QuickMenu;
  private dir: Directory | null = null;
  private visitorPanel: VisitorPanel;
  private visitorNow: Visitor | null = null;
  private pending = ""; // a conversation the URL names, opened once the inbox has loaded

  // Elements that live for the whole session.
  private status = h("p", { class: "conn", role: "status" });
  private tabs = h("div", { class: "tabs", role: "tablist", "aria-label": "Inbox" });
  private list = h("ul", { class: "list", "aria-label": "Conversations" });
  private panel = h("div", { class: "panel", role: "tabpanel", id: "list" }, this.list);
  private view = h("section", { class: "view", "aria-label": "Conversation" });
  // Account pages (#agents, #sessions) take the place of the inbox; see account.ts.
  private side = h("nav", { class: "side", "aria-label": "Inbox" }, this.tabs, this.panel);
  private bodyEl = h("main", { class: "body" }, this.side, this.view);
  private page: Page | null = null;
  private presence: PresenceToggle;
  private notes = new Notifier((siteId, id) => this.show(siteId, id));
  // Exact tab counts (counts.ts), kept live by conversation events at most once a second.
  private counts = new Counts(
    (site) => this.rt.call<TabCounts>("counts", { site }),
    () => this.counts.paint(this.tabs, this.site.key),
  );

  constructor(
    private me: Agent,
    private sites: Site[],
  ) {
    // The site is in the URL's fragment, so a reload or a bookmark keeps it.
    const want = parseHash(location.hash);
    this.site = sites.find((s) => s.key === want.site) || sites[0];
    this.pending = want.site === this.site.key ? want.conversation : "";
    this.quick = new QuickMenu(this.box);
    this.stickToBottom();
    this.quick.values = () => this.placeholders();
    this.visitorPanel = new VisitorPanel({
      rest,
      call: (t, f) => this.rt.call(t, f),
      messageEl,
      siteKey: () => this.site.key,
      saved: (v) => {
        this.visitors.set(v.id, Promise.resolve(v));
        this.renderList();
        this.renderHeader();
      },
    });
    this.rt = new Realtime(
      (f) => this.event(f),
      () => void this.connected(),
      () => this.down(),
    );
    this.presence = new PresenceToggle(this.rt);
  }

  mount(): void {
    document.title = "Inbox · Baton";
    const siteLabel =
      this.sites.length > 1
        ? this.siteSelect()
        : h("span", { class: "site" }, this.site.name);
    const signOut = h("button", { type: "button", class: "ghost" }, "Sign out");
    signOut.addEventListener("click", () => void this.signOut());
    root.replaceChildren(
      h(
        "header",
        { class: "top" },
        h("h1", { class: "brand" }, "Baton"),
        addDashboardLink(pageLinks(this.me, () => this.site.key), this.me, () => this.site.key),
        siteLabel,
        this.status,
        this.notes.button(),
        this.presence.el,
        h("span", { class: "me" }, this.me.name),
        signOut,
      ),
      this.bodyEl,
      this.notes.toasts,
    );
    window.addEventListener("hashchange", () => this.route());
    document.addEventListener("pointerdown", () => this.notes.unlockAudio(), { once: true });
    document.addEventListener("keydown", () => this.notes.unlockAudio(), { once: true });
    this.route();
    this.renderTabs();
    this.renderView();
    document.addEventListener("keydown", (e) => this.key(e));
    window.addEventListener("hashchange", () => this.followHash());
    this.setStatus("Connecting…");
    this.rt.open();
  }

  private siteSelect(): HTMLElement {
    const sel = h("select", { "aria-label": "Site" }, ...this.sites.map((s) => h("option", { value: s.key }, s.name)));
    sel.value = this.site.key;
    sel.addEventListener("change", () => {
      this.site = this.sites.find((s) => s.key === sel.value) || this.sites[0];
      if (/\/dashboard$/.test(location.hash)) location.hash = "#" + this.site.key + "/dashboard";
      else history.replaceState(null, "", "#" + this.site.key);
      this.current = null;
      this.renderView();
      void this.connected();
    });
    return sel;
  }

  private setStatus(text: string): void {
    this.status.textContent = text;
  }

  /** On every (re)connect: subscribe, load every tab's first page, catch up the open conversation. */
  private async connected(): Promise<void> {
    try {
      await this.rt.call("subscribe", { site: this.site.key });
      void this.presence.reconnected();
      await this.loadSiteExtras();
      const tabs = this.allTabs();
      const pages = await Promise.all(
        tabs.map((t) => this.rt.call<{ conversations: Conversation[]; next_cursor: string }>("list", { site: this.site.key, limit: PAGE, ...t.filter })),
      );
      // What changed while disconnected is in these pages: start from them alone.
      this.convs.clear();
      pages.forEach((p, i) => {
        this.more.set(tabs[i].key, !!p.next_cursor);
        this.cursors.set(tabs[i].key, p.next_cursor);
        for (const c of p.conversations) this.convs.set(c.id, c);
      });
      this.setStatus("");
      this.renderTabs();
      void this.counts.now(this.site.key);
      if (this.pending) {
        const id = this.pending;
        this.pending = "";
        await this.open(id);
      } else if (this.current) await this.load(this.current);
    } catch (err) {
      this.setStatus("Could not load the inbox: " + (err as Error).message);
    }
  }

  /** The socket dropped: reconnect while the session is good, otherwise back to sign-in. */
  private async down(): Promise<boolean> {
    this.setStatus("Reconnecting…");
    try {
      await rest("GET", "/v1/me");
      return true;
    } catch (err) {
      if (err instanceof CommandError && (err.code === "unauthorized" || err.code === "forbidden")) {
        this.rt.close();
        signInScreen("Your session ended: sign in again.");
        return false;
      }
      return true;
    }
  }

  private async signOut(): Promise<void> {
    this.rt.close();
    try {
      await rest("DELETE", "/v1/auth/session");
    } finally {
      location.reload();
    }
  }

  /** Shows an account page (#agents, #sessions) or the inbox. */
  private route(): void {
    this.page = dashboardFor(location.hash, this.me, this.sites) || pageFor(location.hash, this.me);
    if (this.page) {
      this.bodyEl.replaceChildren(this.page.el);
      return;
    }
    document.title = "Inbox · Baton";
    if (this.bodyEl.firstChild !== this.side) this.bodyEl.replaceChildren(this.side, this.view);
  }

  /** Opens a conversation a notification is about (switching site, or back from a page). */
  private show(siteId: string, id: string): void {
    const site = this.sites.find((s) => s.id === siteId);
    if (!site) return;
    if (site.id !== this.site.id || this.page) {
      this.site = site;
      location.hash = "#" + site.key;
      void this.connected().then(() => this.open(id));
      return;
    }
    void this.open(id);
  }

  // ---- events -----------------------------------------------------------------------------------

  private event(f: Frame): void {
    this.notes.frame(f);
    this.page?.frame?.(f);
    switch (f.type) {
      case "conversation": {
        const c = f.conversation!;
        if (c.site_id !== this.site.id) return;
        // A handoff may have just given the visitor's email or name: ask again.
        if (this.convs.get(c.id)?.status !== c.status) this.visitors.delete(c.visitor_id);
        this.convs.set(c.id, c);
        this.renderTabs();
        this.counts.soon();
        if (c.id === this.current) this.renderHeader();
        break;
      }
      case "message": {
        const m = f.message as Message;
        if (m.kind !== "event") this.preview.set(m.conversation_id, m.text);
        this.seen(m);
        if (m.conversation_id === this.current) this.add(m);
        this.renderList();
        break;
      }
      case "visitor": {
        // Another agent edited a visitor's details (docs/api.md): rows and the open panel follow.
        const v = (f as Frame & { visitor?: Visitor }).visitor;
        if (!v?.id) break;
        this.visitors.set(v.id, Promise.resolve(v));
        this.renderList();
        const open = this.current ? this.convs.get(this.current) : undefined;
        if (open?.visitor_id === v.id) this.renderHeader();
        break;
      }
      case "presence": {
        const g = f as Frame & { agent?: { id: string }; status?: string };
        if (presenceChanged(this.dir, g.agent?.id || "", g.status || "") && this.current) this.renderHeader();
        break;
      }
      case "read": {
        const g = f as Frame & { seq?: number };
        const c = f.conversation_id ? this.convs.get(f.conversation_id) : undefined;
        if (c && f.author?.type === "agent" && (g.seq || 0) > c.read_seq) {
          c.read_seq = g.seq || 0;
          this.renderList();
        }
        break;
      }
      case "typing": {
        if (!f.conversation_id || (f.author?.type === "agent" && f.author.id === this.me.id)) return;
        if (f.conversation_id === this.current) this.renderTyping(f.typing ? f.author?.name || labelOf(f.author?.type) : "");
        break;
      }
    }
  }

  // ---- tabs and list -----------------------------------------------------------------------------

  private inTab(key: TabKey): Conversation[] {
    const t = this.allTabs().find((x) => x.key === key) || TABS[0];
    return [...this.convs.values()].filter((c) => t.has(c, this.me.id)).sort((a, b) => b.updated_at - a.updated_at);
  }

  private renderTabs(): void {
    this.tabs.replaceChildren(
      ...this.allTabs().map((t) => {
        const count = this.counts.label(t.key, this.site.key, this.inTab(t.key).length, !!this.more.get(t.key));
        const b = h(
          "button",
          { type: "button", role: "tab", id: "tab-" + t.key, "aria-selected": String(t.key === this.tab), "aria-controls": "list", "data-tab": t.key },
          t.label,
          h("span", { class: "count", "aria-label": count + " conversations" }, count),
        );
        b.addEventListener("click", () => {
          this.tab = t.key;
          this.renderTabs();
        });
        return b;
      }),
    );
    this.renderList();
  }

  private renderList(): void {
    const items = this.inTab(this.tab);
    this.panel.setAttribute("aria-labelledby", "tab-" + this.tab);
    if (!items.length) {
      this.list.replaceChildren(h("li", { class: "empty" }, "Nothing here."));
      return;
    }
    this.list.replaceChildren(
      ...items.map((c) => {
        const name = h("span", { class: "who" }, "Visitor " + c.visitor_id.slice(-6));
        const unread = c.id !== this.current && c.last_seq > c.read_seq;
        void this.visitor(c.visitor_id).then((v) => v && (v.name || v.email) && (name.textContent = v.name || v.email || ""));
        const b = h(
          "button",
          { type: "button", class: "row" + (unread ? " unread" : ""), "data-id": c.id, "aria-current": String(c.id === this.current) },
          name,
          unread ? h("span", { class: "sr" }, "unread") : null,
          h("span", { class: "st st-" + c.status }, statusLabel(c)),
          h("span", { class: "pv" }, this.preview.get(c.id) || ""),
          h("time", { datetime: new Date(c.updated_at).toISOString() }, clock(c.updated_at)),
        );
        b.addEventListener("click", () => void this.open(c.id));
        return h("li", null, b);
      }),
    );
    this.moreButton();
  }

  private visitor(id: string): Promise<Visitor | null> {
    let p = this.visitors.get(id);
    if (!p) {
      p = rest<{ visitor: Visitor }>("GET", "/v1/visitors/" + encodeURIComponent(id)).then(
        (r) => r.visitor,
        () => null,
      );
      this.visitors.set(id, p);
    }
    return p;
  }

  // ---- the conversation ----------------------------------------------------------------------------

  private logEl = h("ol", { class: "log" });
  private logWrap = h("div", { class: "logwrap", role: "log", tabindex: "0", "aria-label": "Transcript", "aria-live": "polite" }, this.logEl);
  private headerEl = h("div", { class: "head" });
  // Stick to the newest message: while the agent is at the bottom of the transcript, it stays
  // there when messages arrive or the header above grows (assigned, tagged…).
  private atBottom = true;
  private stickToBottom(): void {
    this.logWrap.addEventListener("scroll", () => {
      const w = this.logWrap;
      this.atBottom = w.scrollHeight - w.scrollTop - w.clientHeight < 24;
    });
    if (typeof ResizeObserver !== "undefined") {
      new ResizeObserver(() => {
        if (this.atBottom) this.logWrap.scrollTop = this.logWrap.scrollHeight;
      }).observe(this.logWrap);
    }
  }
  private typingEl = h("p", { class: "typing", "aria-live": "polite" });
  private box = h("textarea", { id: "composer", rows: "3" });
  private alertEl = h("p", { class: "err", role: "alert" });
  private files: Attacher | null = null;

  private async open(id: string): Promise<void> {
    this.stopTyping();
    // What was open was seen to its end (the agent's own replies and actions included).
    const prev = this.current ? this.convs.get(this.current) : undefined;
    if (prev && prev.id !== id && prev.last_seq > prev.read_seq) this.markRead(prev.id, prev.last_seq);
    this.current = id;
    this.messages = [];
    history.replaceState(null, "", "#" + this.site.key + "/c/" + id);
    this.renderList();
    this.renderView();
    await this.load(id);
  }

  /** Loads (or catches up) the transcript with sync, page by page. */
  private async load(id: string): Promise<void> {
    let since = this.messages.length ? this.messages[this.messages.length - 1].seq : 0;
    try {
      for (;;) {
        const d = await this.rt.call<{ conversation: Conversation; messages: Message[]; more: boolean }>("sync", { conversation_id: id, since });
        if (this.current !== id) return;
        if (d.conversation) this.convs.set(id, d.conversation);
        for (const m of d.messages) this.add(m);
        if (!d.more || !d.messages.length) break;
        since = d.messages[d.messages.length - 1].seq;
      }
      this.renderHeader();
      this.renderTabs();
      const last = this.messages[this.messages.length - 1];
      if (last) this.markRead(id, last.seq);
    } catch (err) {
      if (err instanceof CommandError && err.code === "history_gone") {
        this.messages = [];
        this.logEl.replaceChildren();
        return this.load(id);
      }
      this.alertEl.textContent = (err as Error).message;
    }
  }

  private renderView(): void {
    const c = this.current && this.convs.get(this.current);
    if (!this.current) {
      this.view.replaceChildren(h("p", { class: "none" }, "Pick a conversation (j / k to move, r to reply, e to resolve)."));
      return;
    }
    this.logEl.replaceChildren();
    this.atBottom = true;
    this.typingEl.textContent = "";
    this.alertEl.textContent = "";
    const reply = h("button", { type: "button", role: "radio", "aria-checked": "true" }, "Reply");
    const note = h("button", { type: "button", role: "radio", "aria-checked": "false" }, "Internal note");
    const send = h("button", { type: "submit", class: "primary" }, "Send");
    const mode = (isNote: boolean) => {
      this.note = isNote;
      reply.setAttribute("aria-checked", String(!isNote));
      note.setAttribute("aria-checked", String(isNote));
      this.box.classList.toggle("is-note", isNote);
      this.box.setAttribute("aria-label", isNote ? "Internal note (the visitor never sees it)" : "Reply to the visitor");
      this.box.placeholder = isNote ? "Internal note: only agents see it" : "Reply… (Enter to send, Shift+Enter for a new line)";
      send.textContent = isNote ? "Add note" : "Send";
    };
    reply.addEventListener("click", () => mode(false));
    note.addEventListener("click", () => mode(true));
    mode(false);
    this.box.value = "";
    this.box.oninput = () => this.typing();
    this.box.onblur = () => this.stopTyping();
    this.box.onkeydown = (e) => {
      if (e.key === "Enter" && !e.shiftKey) {
        e.preventDefault();
        form.requestSubmit();
      }
    };
    const form = h(
      "form",
      { class: "composer", "aria-label": "Write" },
      h("div", { class: "mode", role: "radiogroup", "aria-label": "Message type" }, reply, note),
      this.box,
      this.quick.el,
      (this.files = new Attacher(this.current)).el,
      this.alertEl,
      send,
    );
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      void this.send();
    });
    this.view.replaceChildren(h("div", { class: "conv" }, this.headerEl, this.logWrap, this.typingEl, form), this.visitorPanel.el);
    if (c) this.renderHeader();
  }

  private renderHeader(): void {
    const c = this.current ? this.convs.get(this.current) : undefined;
    if (!c) return;
    const act = (label: string, type: string, fields: Record<string, unknown> = {}) => {
      const b = h("button", { type: "button" }, label);
      b.addEventListener("click", () => void this.act(type, fields));
      return b;
    };
    const who = h("h2", null, "Visitor " + c.visitor_id.slice(-6));
    const detail = h("p", { class: "vd" });
    void this.visitor(c.visitor_id).then((v) => {
      if (c.id === this.current) {
        this.visitorNow = v;
        void this.visitorPanel.render(c, v);
      }
      if (!v) return;
      if (v.name || v.email) who.textContent = v.name || v.email || "";
      detail.replaceChildren(
        ...[v.email && v.email + (v.email_verified ? " (verified)" : " (unverified)"), v.locale, v.page_title || v.page_url].filter(Boolean).map((t) => h("span", null, t as string)),
      );
    });
    const tagInput = h("input", { type: "text", "aria-label": "Add a tag", placeholder: "Add tag", size: "10" });
    const tagForm = h("form", { class: "tagform" }, tagInput);
    tagForm.addEventListener("submit", (e) => {
      e.preventDefault();
      const tag = tagInput.value.trim();
      if (tag) void this.act("tag", { tag }).then(() => (tagInput.value = ""));
    });
    const tags = h(
      "ul",
      { class: "tags", "aria-label": "Tags" },
      ...c.tags.map((t) => {
        const x = h("button", { type: "button", "aria-label": "Remove tag " + t }, "×");
        x.addEventListener("click", () => void this.act("untag", { tag: t }));
        return h("li", null, t, x);
      }),
    );
    const mine = c.assignee?.id === this.me.id;
    this.headerEl.replaceChildren(
      h("div", { class: "who" }, who, h("span", { class: "st st-" + c.status }, statusLabel(c)), detail),
      h(
        "div",
        { class: "actions", role: "toolbar", "aria-label": "Actions" },
        c.status === "resolved" ? act("Reopen", "reopen") : act("Resolve", "resolve"),
        mine ? act("Unassign", "assign", { agent_id: "" }) : act("Assign to me", "assign", { agent_id: this.me.id }),
        c.bot_paused ? act("Resume bot", "resume_bot") : act("Pause bot", "pause_bot"),
      ),
      ...(c.status === "resolved" ? [] : [assignControl(this.dir, c, this.me.id, (fields) => void this.act("assign", fields))]),
      h("div", { class: "tagrow" }, tags, tagForm),
    );
  }

  /** Inserts a message in seq order, once. */
  private add(m: Message): void {
    if (this.messages.some((x) => x.seq === m.seq)) return;
    let i = this.messages.length;
    while (i > 0 && this.messages[i - 1].seq > m.seq) i--;
    this.messages.splice(i, 0, m);
    const el = messageEl(m);
    this.logEl.insertBefore(el, this.logEl.children[i] || null);
    // Reading further up: new messages do not pull the agent away.
    if (this.atBottom || m.author.id === this.me.id) this.logWrap.scrollTop = this.logWrap.scrollHeight;
    if (m.author.type === "visitor") this.renderTyping("");
  }

  /** Shows who is typing; a "stopped" that never comes (a closed tab) expires after 8 s. */
  private renderTyping(name: string): void {
    this.typingEl.textContent = name ? name + " is typing…" : "";
    clearTimeout(this.typingShown);
    if (name) this.typingShown = window.setTimeout(() => this.renderTyping(""), 8000);
  }

  private async act(type: string, fields: Record<string, unknown>): Promise<void> {
    if (!this.current) return;
    this.alertEl.textContent = "";
    try {
      const d = await this.rt.call<{ conversation: Conversation }>(type, { conversation_id: this.current, ...fields });
      if (d.conversation) this.convs.set(d.conversation.id, d.conversation);
      this.renderTabs();
      this.renderHeader();
    } catch (err) {
      this.alertEl.textContent = (err as Error).message;
    }
  }

  private async send(): Promise<void> {
    const text = this.box.value.trim();
    const files = this.files?.ids() || [];
    if ((!text && !files.length) || !this.current) return;
    if (this.files?.busy()) return void (this.alertEl.textContent = "Wait for the upload to finish.");
    this.stopTyping();
    this.alertEl.textContent = "";
    try {
      const d = await this.rt.call<{ message: Message; conversation: Conversation }>("send", {
        conversation_id: this.current,
        client_id: "c_" + Date.now().toString(36) + Math.random().toString(36).slice(2, 8),
        text,
        ...(this.note ? { note: true } : {}),
        ...(files.length ? { attachments: files } : {}),
      });
      this.box.value = "";
      this.files?.clear();
      this.add(d.message);
      this.preview.set(d.message.conversation_id, d.message.text);
      this.convs.set(d.conversation.id, d.conversation);
      this.renderTabs();
      this.renderHeader();
    } catch (err) {
      this.alertEl.textContent = (err as Error).message;
    }
  }

  /** Tells the visitor we are typing; stops after 4 s without a key. */
  private typing(): void {
    if (this.note || !this.current) return;
    if (!this.typingSent) {
      this.typingSent = true;
      void this.rt.call("typing", { conversation_id: this.current, typing: true }).catch(() => {});
    }
    clearTimeout(this.typingTimer);
    this.typingTimer = window.setTimeout(() => this.stopTyping(), 4000);
  }

  private stopTyping(): void {
    clearTimeout(this.typingTimer);
    if (!this.typingSent || !this.current) return;
    this.typingSent = false;
    void this.rt.call("typing", { conversation_id: this.current, typing: false }).catch(() => {});
  }

  // ---- views, paging, unread markers, deep links, quick responses (issue 6) ----------------------

  private allTabs(): Tab[] {
    return [...TABS, ...this.views];
  }

  /** The site's views and quick responses, and who conversations can be assigned to; the
   * inbox works without them when they cannot be loaded. */
  private async loadSiteExtras(): Promise<void> {
    const key = encodeURIComponent(this.site.key);
    const none = { views: [], quick_responses: [] };
    const [inbox, dir] = await Promise.all([
      rest<{ views: { name: string; tags: string[] }[]; quick_responses: QuickResponse[] }>("GET", "/v1/sites/" + key + "/inbox").catch(() => none),
      rest<Directory>("GET", "/v1/sites/" + key + "/directory").catch(() => null),
    ]);
    this.views = inbox.views.map((v) => ({
      key: "view:" + v.name,
      label: v.name,
      filter: { tags: v.tags },
      has: (c: Conversation) => c.status !== "resolved" && c.tags.some((t) => v.tags.includes(t)),
    }));
    this.quick.list = inbox.quick_responses;
    this.dir = dir;
  }

  /** "Load more" under a tab that has more than it shows: the next page, by cursor. */
  private moreButton(): void {
    const cursor = this.cursors.get(this.tab);
    if (!cursor) return;
    const b = h("button", { type: "button", class: "more" }, "Load more");
    b.addEventListener("click", async () => {
      b.disabled = true;
      const t = this.allTabs().find((x) => x.key === this.tab);
      if (!t) return;
      try {
        const p = await this.rt.call<{ conversations: Conversation[]; next_cursor: string }>("list", { site: this.site.key, limit: PAGE, cursor, ...t.filter });
        for (const c of p.conversations) if (!this.convs.has(c.id)) this.convs.set(c.id, c);
        this.cursors.set(t.key, p.next_cursor);
        this.more.set(t.key, !!p.next_cursor);
        this.renderTabs();
        (this.list.querySelector(`[data-id="${p.conversations[0]?.id}"]`) as HTMLElement | null)?.focus();
      } catch (err) {
        b.disabled = false;
        this.setStatus((err as Error).message);
      }
    });
    this.list.append(h("li", { class: "morerow" }, b));
  }

  /** A new message moves the conversation's last seq; the open one is read at once. */
  private seen(m: Message): void {
    const c = this.convs.get(m.conversation_id);
    if (!c || m.seq <= c.last_seq) return;
    c.last_seq = m.seq;
    if (m.conversation_id === this.current && document.visibilityState === "visible") this.markRead(c.id, m.seq);
  }

  private markRead(id: string, seq: number): void {
    const c = this.convs.get(id);
    if (c && seq > c.read_seq) c.read_seq = seq;
    void this.rt.call("read", { conversation_id: id, seq }).catch(() => {});
    this.renderList();
  }

  /** Follows a changed fragment: another site, or a conversation (#site/c/id). */
  private followHash(): void {
    const want = parseHash(location.hash);
    const site = this.sites.find((s) => s.key === want.site);
    if (!site) return;
    if (site.id !== this.site.id) {
      this.site = site;
      this.current = null;
      this.pending = want.conversation;
      this.renderView();
      void this.connected();
    } else if (want.conversation && want.conversation !== this.current) {
      void this.open(want.conversation);
    }
  }

  /** Values of the quick responses' placeholders for the open conversation. */
  private placeholders(): Record<string, string> {
    const v = this.visitorNow;
    return { visitor_name: v?.name || "there", visitor_email: v?.email || "", agent_name: this.me.name, site_name: this.site.name };
  }

  // ---- keyboard ----------------------------------------------------------------------------------

  private key(e: KeyboardEvent): void {
    const t = e.target as HTMLElement;
    if (this.page || e.ctrlKey || e.metaKey || e.altKey || t.closest("input, textarea, select")) return;
    if (e.key === "j" || e.key === "k") {
      const items = this.inTab(this.tab);
      if (!items.length) return;
      const i = items.findIndex((c) => c.id === this.current);
      const next = e.key === "j" ? Math.min(items.length - 1, i + 1) : Math.max(0, i < 0 ? 0 : i - 1);
      e.preventDefault();
      void this.open(items[next].id).then(() => (this.list.querySelector(`[data-id="${items[next].id}"]`) as HTMLElement | null)?.focus());
    } else if (e.key === "r" && this.current) {
      e.preventDefault();
      this.box.focus();
    } else if (e.key === "e" && this.current) {
      e.preventDefault();
      void this.act("resolve", {});
    }
  }
}

// ---- rendering helpers ----------------------------------------------------------------------------

function labelOf(type?: string): string {
  return type === "visitor" ? "The visitor" : type === "bot" ? "The bot" : "Someone";
}

function statusLabel(c: Conversation): string {
  switch (c.status) {
    case "assigned":
      return "Assigned to " + (c.assignee?.name || "an agent");
    case "unassigned":
      return "Waiting for a human";
    case "bot":
      return c.bot_paused ? "Bot (paused)" : "Bot";
    default:
      return "Resolved";
  }
}

function clock(ms: number): string {
  return new Date(ms).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

function messageEl(m: Message): HTMLElement {
  if (m.kind === "event") {
    return h("li", { class: "m ev", "data-seq": String(m.seq) }, h("span", { class: "tx" }, m.text), h("time", null, clock(m.created_at)));
  }
  const cls = m.kind === "note" ? "note" : m.author.type;
  const who = m.author.name || labelOf(m.author.type);
  const badge = m.kind === "note" ? "Internal note" : m.author.type === "bot" ? "Bot" : "";
  return h(
    "li",
    { class: "m " + cls, "data-seq": String(m.seq) },
    h("span", { class: "a" }, who, badge && h("span", { class: "badge" }, badge), h("time", null, clock(m.created_at))),
    h("span", { class: "tx" }, m.text),
    filesEl(m),
  );
}

// ---- start: signed in already (the cookie) or not -------------------------------------------------

const link = passwordLink();
if (link) passwordScreen(root, link, (email) => signInScreen("", email, "Your password is set: sign in with it."));
else
  rest<Agent>("GET", "/v1/me").then(
    (me) => startInbox(me),
    () => signInScreen(),
  );
