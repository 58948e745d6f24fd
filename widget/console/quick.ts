// Quick responses in the reply box: "/" at the start of a word opens a menu of the site's
// canned replies, filtered by what follows it; ↑/↓ move, Enter or Tab inserts, Esc closes.
// The menu is an ARIA listbox the textarea controls (aria-autocomplete, aria-activedescendant).
import { h } from "../src/dom";

/** A quick response of the site's settings (GET /v1/sites/{key}/inbox). */
export interface QuickResponse {
  shortcut: string;
  title: string;
  text: string;
}

/** Fills {visitor_name}-style placeholders; an unknown value leaves a sensible default. */
export function fill(text: string, values: Record<string, string>): string {
  return text.replace(/\{([a-z_]+)\}/g, (all, k: string) => (k in values ? values[k] : all));
}

/** The menu of one textarea; set list and values as they change. */
export class QuickMenu {
  list: QuickResponse[] = [];
  /** Placeholder values for the open conversation (visitor_name, agent_name, …). */
  values: () => Record<string, string> = () => ({});
  readonly el = h("ul", { class: "quick", role: "listbox", id: "quick-menu", "aria-label": "Quick responses" });
  private items: QuickResponse[] = [];
  private active = 0;
  private start = -1; // where the "/" is in the textarea

  constructor(private box: HTMLTextAreaElement) {
    this.el.hidden = true;
    box.setAttribute("aria-autocomplete", "list");
    box.setAttribute("aria-controls", "quick-menu");
    // Registered before any other key handler of the box, so Enter picks instead of sending.
    box.addEventListener("keydown", (e) => this.key(e));
    box.addEventListener("input", () => this.update());
    box.addEventListener("blur", () => setTimeout(() => this.close(), 150));
  }

  get open(): boolean {
    return !this.el.hidden;
  }

  /** Looks at the word before the caret: "/abc" opens (or filters) the menu. */
  private update(): void {
    const pos = this.box.selectionStart ?? this.box.value.length;
    const before = this.box.value.slice(0, pos);
    const m = /(^|\s)\/([a-z0-9_-]*)$/i.exec(before);
    if (!m || !this.list.length) return this.close();
    this.start = pos - m[2].length - 1;
    const q = m[2].toLowerCase();
    this.items = this.list.filter((r) => r.shortcut.startsWith(q) || r.title.toLowerCase().includes(q)).slice(0, 8);
    if (!this.items.length) return this.close();
    this.active = Math.min(this.active, this.items.length - 1);
    this.render();
  }

  private render(): void {
    this.el.replaceChildren(
      ...this.items.map((r, i) => {
        const li = h(
          "li",
          { role: "option", id: "quick-" + i, "aria-selected": String(i === this.active), "data-shortcut": r.shortcut },
          h("b", null, "/" + r.shortcut),
          " ",
          h("span", null, r.title),
        );
        li.addEventListener("mousedown", (e) => {
          e.preventDefault(); // keep the focus in the box
          this.pick(i);
        });
        return li;
      }),
    );
    this.el.hidden = false;
    this.box.setAttribute("aria-activedescendant", "quick-" + this.active);
  }

  close(): void {
    this.el.hidden = true;
    this.active = 0;
    this.box.removeAttribute("aria-activedescendant");
  }

  private key(e: KeyboardEvent): void {
    if (!this.open) return;
    const n = this.items.length;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      this.active = (this.active + (e.key === "ArrowDown" ? 1 : n - 1)) % n;
      this.render();
    } else if (e.key === "Enter" || e.key === "Tab") {
      this.pick(this.active);
    } else if (e.key === "Escape") {
      this.close();
    } else {
      return;
    }
    e.preventDefault();
    e.stopImmediatePropagation();
  }

  /** Replaces "/shortcut" with the response's text, placeholders filled. */
  private pick(i: number): void {
    const r = this.items[i];
    if (!r) return;
    const pos = this.box.selectionStart ?? this.box.value.length;
    const text = fill(r.text, this.values());
    this.box.value = this.box.value.slice(0, this.start) + text + this.box.value.slice(pos);
    const caret = this.start + text.length;
    this.box.setSelectionRange(caret, caret);
    this.close();
    this.box.dispatchEvent(new Event("input"));
  }
}
