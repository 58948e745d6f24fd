// The admins' page of agents (#agents): who they are, their sites and whether they are online
// (live, from presence events); invite an agent (a one-time link to set a password, emailed
// when Baton has a mail server and always shown here to copy), reset a password (the old one
// and every session end; a new link), remove an agent. REST: /v1/agents (docs/api.md).
import { h } from "../src/dom";
import { rest } from "./rest";
import type { Agent, Frame, Site } from "./types";

interface AdminAgent extends Agent {
  sites: string[];
  presence: "online" | "away" | "offline";
  invited: boolean;
}

interface Link {
  url: string;
  expires_at: number;
  email: "sent" | "failed" | "not_configured";
  email_error?: string;
}

const PRESENCE: Record<string, string> = { online: "Online", away: "Away", offline: "Offline" };

/** The agents page. */
export class AgentsPage {
  readonly el = h("section", { class: "page", "aria-labelledby": "agents-title" });
  private rows = h("tbody");
  private alert = h("p", { class: "err", role: "alert" });
  private linkBox = h("div", { class: "linkbox", role: "status" });
  private sites: Site[] = [];

  constructor(private me: Agent) {
    document.title = "Agents · Baton";
    this.el.append(
      h("h2", { id: "agents-title" }, "Agents"),
      this.alert,
      this.linkBox,
      h(
        "table",
        { class: "agents", "aria-labelledby": "agents-title" },
        h("thead", null, h("tr", null, ...["Name", "Email", "Role", "Sites", "Status", "Actions"].map((t) => h("th", { scope: "col" }, t)))),
        this.rows,
      ),
    );
    void this.load();
  }

  /** Presence events keep the Status column live. */
  frame(f: Frame): void {
    if (f.type !== "presence") return;
    const p = f as unknown as { agent: { id: string }; status: string };
    const cell = this.rows.querySelector<HTMLElement>(`tr[data-agent="${CSS.escape(p.agent.id)}"] .presence`);
    if (!cell) return;
    // An invited agent who connects has set a password since the list was loaded: reload it.
    if (cell.dataset.invited === "true") return void this.load();
    cell.dataset.status = p.status;
    cell.textContent = PRESENCE[p.status] || p.status;
  }

  private async load(): Promise<void> {
    try {
      const [{ agents }, { sites }] = await Promise.all([
        rest<{ agents: AdminAgent[] }>("GET", "/v1/agents"),
        this.sites.length ? Promise.resolve({ sites: this.sites }) : rest<{ sites: Site[] }>("GET", "/v1/sites"),
      ]);
      if (!this.sites.length) {
        this.sites = sites;
        this.el.append(this.inviteForm());
      }
      this.rows.replaceChildren(...agents.map((a) => this.row(a)));
    } catch (err) {
      this.alert.textContent = (err as Error).message;
    }
  }

  private row(a: AdminAgent): HTMLElement {
    const status = a.invited ? "Invited" : PRESENCE[a.presence] || a.presence;
    const cell = h("td", { class: "presence", "data-status": a.invited ? "invited" : a.presence, "data-invited": String(a.invited) }, status);
    const actions = h("td", { class: "acts" });
    if (a.id !== this.me.id) {
      actions.append(
        confirmButton("Reset password", "Confirm reset", a.name, async () => {
          const { link } = await rest<{ link: Link }>("POST", `/v1/agents/${encodeURIComponent(a.id)}/reset`);
          this.showLink("Password reset link for " + a.name, a.email, link);
          await this.load();
        }, this.alert),
        confirmButton("Remove", "Confirm remove", a.name, async () => {
          await rest("DELETE", `/v1/agents/${encodeURIComponent(a.id)}`);
          await this.load();
        }, this.alert),
      );
    } else {
      actions.append(h("span", { class: "sub" }, "You"));
    }
    return h(
      "tr",
      { "data-agent": a.id },
      h("th", { scope: "row" }, a.name),
      h("td", null, a.email),
      h("td", null, a.role === "admin" ? "Admin" : "Agent"),
      h("td", null, a.role === "admin" ? "All sites" : a.sites.map((k) => this.sites.find((s) => s.key === k)?.name || k).join(", ")),
      cell,
      actions,
    );
  }

  private inviteForm(): HTMLElement {
    const field = (id: string, label: string, input: HTMLElement) => h("div", { class: "field" }, h("label", { for: id }, label), input);
    const email = h("input", { id: "invite-email", type: "email", required: "", autocomplete: "off" });
    const name = h("input", { id: "invite-name", type: "text", required: "", maxlength: "100", autocomplete: "off" });
    const role = h("select", { id: "invite-role" }, h("option", { value: "agent" }, "Agent"), h("option", { value: "admin" }, "Admin (every site)"));
    const boxes = this.sites.map((s, i) => {
      const box = h("input", { type: "checkbox", id: "invite-site-" + i, value: s.key });
      if (this.sites.length === 1) box.checked = true;
      return h("label", { for: "invite-site-" + i, class: "check" }, box, s.name);
    });
    const sites = h("fieldset", { class: "sites" }, h("legend", null, "Sites"), ...boxes);
    role.addEventListener("change", () => (sites.hidden = role.value === "admin"));
    const alert = h("p", { class: "err", role: "alert" });
    const submit = h("button", { type: "submit", class: "primary" }, "Send invitation");
    const form = h(
      "form",
      { class: "invite", "aria-labelledby": "invite-title" },
      h("h3", { id: "invite-title" }, "Invite an agent"),
      field("invite-email", "Email", email),
      field("invite-name", "Name", name),
      field("invite-role", "Role", role),
      sites,
      alert,
      submit,
    );
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      alert.textContent = "";
      submit.disabled = true;
      try {
        const keys = role.value === "admin" ? [] : [...sites.querySelectorAll<HTMLInputElement>("input:checked")].map((b) => b.value);
        const r = await rest<{ agent: AdminAgent; link: Link }>("POST", "/v1/agents", { email: email.value, name: name.value, role: role.value, sites: keys });
        this.showLink("Invitation link for " + r.agent.name, r.agent.email, r.link);
        form.reset();
        await this.load();
      } catch (err) {
        alert.textContent = (err as Error).message;
      } finally {
        submit.disabled = false;
      }
    });
    return form;
  }

  /** Shows a one-time link to copy, and what became of its email. */
  private showLink(title: string, email: string, link: Link): void {
    const input = h("input", { type: "text", readonly: "", "aria-label": title, class: "link", value: link.url });
    const copy = h("button", { type: "button" }, "Copy");
    copy.addEventListener("click", () => {
      input.select();
      void navigator.clipboard?.writeText(link.url).then(() => (copy.textContent = "Copied"), () => {});
    });
    const mail =
      link.email === "sent"
        ? "Emailed to " + email + "."
        : link.email === "failed"
          ? "The email to " + email + " failed (" + (link.email_error || "unknown error") + "): pass the link on yourself."
          : "Baton has no mail server (BATON_SMTP_URL): pass the link on yourself.";
    const until = new Date(link.expires_at).toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
    this.linkBox.replaceChildren(h("p", null, h("strong", null, title), " — works once, until " + until + ". " + mail), h("div", { class: "linkrow" }, input, copy));
  }
}

/** A button that asks for a second click before it acts; its name says whom it is for. */
function confirmButton(label: string, confirm: string, who: string, act: () => Promise<void>, alert: HTMLElement): HTMLButtonElement {
  const b = h("button", { type: "button", "aria-label": label + ": " + who }, label);
  let armed = false;
  b.addEventListener("click", async () => {
    if (!armed) {
      armed = true;
      b.textContent = confirm;
      b.setAttribute("aria-label", confirm + ": " + who);
      b.classList.add("danger");
      return;
    }
    b.disabled = true;
    alert.textContent = "";
    try {
      await act();
    } catch (err) {
      alert.textContent = (err as Error).message;
      b.disabled = false;
    }
  });
  b.addEventListener("blur", () => {
    armed = false;
    b.textContent = label;
    b.setAttribute("aria-label", label + ": " + who);
    b.classList.remove("danger");
  });
  return b;
}
