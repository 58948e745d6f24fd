// The visitor's details beside a conversation: name, email, phone and address (editable,
// PATCH /v1/visitors/{id}; a verified email is shown as verified and cannot be edited), locale
// and current page, and the visitor's other conversations, each opened read-only in place.
import { h } from "../src/dom";
import type { Conversation, Message, Visitor } from "./types";

/** What the panel needs from the app. */
export interface VisitorPanelDeps {
  rest: <T>(method: string, path: string, body?: unknown) => Promise<T>;
  call: <T>(type: string, fields: Record<string, unknown>) => Promise<T>;
  messageEl: (m: Message) => HTMLElement;
  siteKey: () => string;
  /** Called after a save, so lists and headers show the new name. */
  saved: (v: Visitor) => void;
}

/** The panel; render() shows a conversation's visitor. */
export class VisitorPanel {
  readonly el = h("aside", { class: "visitor", "aria-labelledby": "visitor-title" });
  private shown = "";
  private lastKey = ""; // what is shown: re-rendering the same would wipe what the agent types
  // While the agent edits (dirty), a change from elsewhere (a visitor event) keeps their input.
  private dirty = false;
  private inputs: [keyof Visitor, HTMLInputElement | HTMLTextAreaElement][] = [];
  private status: HTMLElement | null = null;

  constructor(private d: VisitorPanelDeps) {}

  async render(c: Conversation, v: Visitor | null): Promise<void> {
    const key = c.id + JSON.stringify(v);
    if (key === this.lastKey) return;
    this.lastKey = key;
    if (v && this.dirty && c.id === this.shown) {
      // Another agent saved (or this one, before the save's reply): never wipe what is typed.
      if (this.inputs.some(([k, el]) => ((v[k] as string) || "") !== el.value.trim()) && this.status) {
        this.status.textContent = "Someone else changed these details meanwhile: saving replaces their change.";
      }
      return;
    }
    this.dirty = false;
    this.shown = c.id;
    if (!v) {
      this.el.replaceChildren(h("h2", { id: "visitor-title" }, "Visitor"), h("p", { class: "muted" }, "No details yet."));
      return;
    }
    const field = (name: keyof Visitor, label: string, type = "text", multi = false) => {
      const id = "vf-" + name;
      const input = multi ? h("textarea", { id, name, rows: "2" }) : h("input", { id, name, type, autocomplete: "off" });
      input.value = (v[name] as string) || "";
      return { input, el: h("div", { class: "vfield" }, h("label", { for: id }, label), input) };
    };
    const name = field("name", "Name");
    const phone = field("phone", "Phone", "tel");
    const address = field("address", "Address", "text", true);
    const email = v.email_verified ? null : field("email", "Email", "email");
    const status = h("p", { class: "vstatus", "aria-live": "polite" });
    this.status = status;
    this.inputs = [["name", name.input], ["phone", phone.input], ["address", address.input]];
    if (email) this.inputs.push(["email", email.input]);
    const save = h("button", { type: "submit" }, "Save details");
    const form = h(
      "form",
      { class: "vform", "aria-label": "Visitor details", novalidate: "" },
      name.el,
      email
        ? email.el
        : h("div", { class: "vfield" }, h("span", { class: "vlabel" }, "Email"), h("span", { class: "verified" }, v.email || ""), h("span", { class: "badge ok" }, "Verified")),
      phone.el,
      address.el,
      save,
      status,
    );
    form.addEventListener("input", () => (this.dirty = true));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      status.textContent = "";
      const body: Record<string, string> = { name: name.input.value, phone: phone.input.value, address: address.input.value };
      if (email) body.email = email.input.value;
      try {
        const r = await this.d.rest<{ visitor: Visitor }>("PATCH", "/v1/visitors/" + encodeURIComponent(v.id), body);
        status.textContent = "Saved.";
        this.dirty = false;
        this.lastKey = c.id + JSON.stringify(r.visitor);
        this.d.saved(r.visitor);
      } catch (err) {
        status.textContent = (err as Error).message;
      }
    });
    const facts = h(
      "dl",
      { class: "vfacts" },
      h("dt", null, "Status"),
      h("dd", null, v.external_id ? "Signed in on the site (" + v.external_id + ")" : "Anonymous"),
      h("dt", null, "Locale"),
      h("dd", null, v.locale || "unknown"),
      h("dt", null, "Current page"),
      h("dd", { class: "vpage" }, pageLink(v)),
    );
    const past = h("ul", { class: "past", "aria-label": "Past conversations" });
    const reader = h("section", { class: "reader", "aria-label": "Past conversation" });
    this.el.replaceChildren(h("h2", { id: "visitor-title" }, "Visitor"), form, facts, h("h3", null, "Past conversations"), past, reader);
    try {
      const r = await this.d.call<{ conversations: Conversation[] }>("list", { site: this.d.siteKey(), visitor_id: v.id, limit: 20 });
      if (this.shown !== c.id) return;
      const others = r.conversations.filter((x) => x.id !== c.id);
      if (!others.length) past.append(h("li", { class: "muted" }, "None."));
      for (const x of others) {
        const b = h("button", { type: "button", class: "pastrow", "data-id": x.id }, new Date(x.created_at).toLocaleDateString() + " · " + (x.status === "resolved" ? "resolved" : "open"));
        b.addEventListener("click", () => void this.read(x, reader));
        past.append(h("li", null, b));
      }
    } catch (err) {
      past.append(h("li", { class: "muted" }, (err as Error).message));
    }
  }

  /** Shows another conversation's transcript, read-only, in the panel. */
  private async read(x: Conversation, reader: HTMLElement): Promise<void> {
    const log = h("ol", { class: "log ro" });
    const close = h("button", { type: "button" }, "Close");
    close.addEventListener("click", () => reader.replaceChildren());
    reader.replaceChildren(h("h3", null, "Conversation of " + new Date(x.created_at).toLocaleString() + " (read-only)"), close, log);
    let since = 0;
    for (let i = 0; i < 20; i++) {
      const d = await this.d.call<{ messages: Message[]; more: boolean }>("sync", { conversation_id: x.id, since });
      for (const m of d.messages) log.append(this.d.messageEl(m));
      if (!d.more || !d.messages.length) break;
      since = d.messages[d.messages.length - 1].seq;
    }
    close.focus();
  }
}

/** The visitor's current page: a link only for http(s) URLs (the URL comes from the visitor's
 * browser, so a javascript: or data: URL must never become clickable), else plain text. */
function pageLink(v: Visitor): HTMLElement | string {
  const label = v.page_title || v.page_url || "unknown";
  let u: URL | null = null;
  try {
    u = v.page_url ? new URL(v.page_url) : null;
  } catch {
    u = null;
  }
  if (!u || (u.protocol !== "https:" && u.protocol !== "http:")) return label;
  return h("a", { href: u.href, target: "_blank", rel: "noopener noreferrer", title: u.href }, label);
}
