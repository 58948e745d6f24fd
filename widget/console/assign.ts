// Assigning from the console: to an agent of the site (with their presence), to a team of the
// site's routing settings, back to the bot, or to the Unassigned queue. The people come from
// GET /v1/sites/{key}/directory; presence events keep their status current.
import { h } from "../src/dom";
import type { Conversation } from "./types";

/** An agent of the site as the directory lists them. */
export interface DirectoryAgent {
  id: string;
  name: string;
  email: string;
  presence: "online" | "away" | "offline";
}

/** The site's people and teams. */
export interface Directory {
  agents: DirectoryAgent[];
  teams: { name: string; agent_ids: string[] }[];
}

/** The realtime assign command's fields for a choice of the menu. */
export function assignFields(value: string): Record<string, unknown> {
  if (value === "bot") return { to_bot: true };
  if (value === "queue") return { agent_id: "" };
  if (value.startsWith("team:")) return { team: value.slice(5) };
  return { agent_id: value.slice(6) }; // "agent:ag_…"
}

/** Builds the "Assign to" control for a conversation; act sends the assign command. */
export function assignControl(dir: Directory | null, c: Conversation, me: string, act: (fields: Record<string, unknown>) => void): HTMLElement {
  const sel = h("select", { "aria-label": "Assign to", id: "assign-to" });
  const people = h("optgroup", { label: "Agents" });
  for (const a of dir?.agents || []) {
    if (c.status === "assigned" && c.assignee?.id === a.id) continue;
    people.append(h("option", { value: "agent:" + a.id }, a.name + (a.id === me ? " (me)" : "") + " · " + a.presence));
  }
  const teams = h("optgroup", { label: "Teams" });
  for (const t of dir?.teams || []) teams.append(h("option", { value: "team:" + t.name }, t.name + " (" + t.agent_ids.length + ")"));
  const other = h("optgroup", { label: "Other" });
  if (c.status !== "bot") other.append(h("option", { value: "bot" }, "The bot"));
  if (c.status !== "unassigned") other.append(h("option", { value: "queue" }, "Unassigned"));
  sel.append(h("option", { value: "" }, "Assign to…"));
  for (const g of [people, teams, other]) if (g.children.length) sel.append(g);
  const go = h("button", { type: "submit" }, "Assign");
  const form = h("form", { class: "assign" }, sel, go);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    if (sel.value) act(assignFields(sel.value));
  });
  return form;
}

/** Applies a presence event to the directory; reports whether anything changed. */
export function presenceChanged(dir: Directory | null, agentId: string, status: string): boolean {
  const a = dir?.agents.find((x) => x.id === agentId);
  if (!a || a.presence === status) return false;
  a.presence = status as DirectoryAgent["presence"];
  return true;
}
