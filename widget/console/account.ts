// The console's header pieces for the agent's account and the pages beside the inbox: the page
// links (Inbox, Agents for admins, Sessions), the online/away toggle, and the router that shows
// #agents (admins' page of agents) or #sessions (my sessions) instead of the inbox.
import { h } from "../src/dom";
import { AgentsPage } from "./admin";
import type { Realtime } from "./rt";
import { SessionsPage } from "./sessions";
import type { Agent, Frame } from "./types";

/** A page shown instead of the inbox; frame() hears realtime events while it is shown. */
export interface Page {
  el: HTMLElement;
  frame?(f: Frame): void;
}

/** The pages of the account area, by their fragment. */
export function pageFor(hash: string, me: Agent): Page | null {
  if (hash === "#agents" && me.role === "admin") return new AgentsPage(me);
  if (hash === "#sessions") return new SessionsPage();
  return null;
}

/** Links to the inbox (of siteKey) and the account pages; aria-current marks where we are. */
export function pageLinks(me: Agent, siteKey: () => string): HTMLElement {
  const link = (label: string, hash: () => string, id: string) => h("a", { href: hash(), "data-page": id }, label);
  const inbox = link("Inbox", () => "#" + siteKey(), "inbox");
  const links = [inbox, me.role === "admin" ? link("Agents", () => "#agents", "agents") : null, link("Sessions", () => "#sessions", "sessions")];
  const nav = h("nav", { class: "pages", "aria-label": "Pages" }, ...links);
  const mark = () => {
    inbox.setAttribute("href", "#" + siteKey());
    const here = location.hash === "#agents" ? "agents" : location.hash === "#sessions" ? "sessions" : "inbox";
    for (const a of nav.querySelectorAll("a")) {
      if (a.dataset.page === here) a.setAttribute("aria-current", "page");
      else a.removeAttribute("aria-current");
    }
  };
  window.addEventListener("hashchange", mark);
  mark();
  return nav;
}

/** The agent's own status: online or away (offline is automatic when every tab is closed). */
export class PresenceToggle {
  private status: "online" | "away" = "online";
  readonly el = h(
    "select",
    { "aria-label": "Your status", class: "presence" },
    h("option", { value: "online" }, "Online"),
    h("option", { value: "away" }, "Away"),
  );

  constructor(private rt: Realtime) {
    this.el.addEventListener("change", () => {
      this.status = this.el.value === "away" ? "away" : "online";
      void this.apply();
    });
  }

  /** Sends the chosen status; called again on every reconnect (a new connection starts online). */
  async apply(): Promise<void> {
    this.el.dataset.status = this.status;
    await this.rt.call("presence", { status: this.status }).catch(() => {});
  }

  /** After a reconnect: the server has us online again until we say otherwise. */
  async reconnected(): Promise<void> {
    if (this.status === "away") await this.apply();
  }
}
