// The dashboard (#<site>/dashboard, admins): the handoff's numbers for a date range as cards,
// and the conversations of each day by outcome as a stacked bar chart drawn in SVG with DOM
// calls, with a legend and the same numbers as a table (docs/dashboard.md). Text always goes in
// as text nodes; nothing is parsed as HTML.
import { h } from "../src/dom";
import { CommandError } from "./rt";
import type { Agent, Site } from "./types";

/** The counts of one day (or of the whole range) by outcome, as GET /v1/sites/{key}/stats answers. */
export interface Outcomes {
  bot_resolved: number;
  human: number;
  ticket: number;
  abandoned: number;
}

/** The answer of GET /v1/sites/{key}/stats (docs/handoff.md, docs/dashboard.md). */
export interface Stats {
  from: string;
  to: string;
  time_zone: string;
  conversations: number;
  contained_rate: number | null;
  resolution_rate: number | null;
  handoffs_offered: number;
  handoffs_accepted: number;
  handoffs_declined: number;
  routed_to_team: number;
  auto_responses: number;
  tickets_created: number;
  tickets_failed: number;
  messages_shown: number;
  median_consent_to_first_reply_ms: number | null;
  p90_consent_to_first_reply_ms: number | null;
  first_replies: number;
  outcomes: Outcomes;
  days: (Outcomes & { date: string })[];
}

type Key = keyof Outcomes;

/**
 * The outcomes in stacking order (bottom up), with the Okabe–Ito colours: told apart with any
 * colour vision, each at least 3:1 against the white background.
 */
export const OUTCOMES: { key: Key; label: string; color: string }[] = [
  { key: "bot_resolved", label: "Bot-resolved", color: "#009E73" },
  { key: "human", label: "Handed to a human", color: "#0072B2" },
  { key: "ticket", label: "Ticket", color: "#CC79A7" },
  { key: "abandoned", label: "Abandoned", color: "#D55E00" },
];

type Preset = "7" | "30" | "month" | "custom";

/** The dashboard of site for an admin, or null when hash is not a dashboard's. */
export function dashboardFor(hash: string, me: Agent, sites: Site[]): { el: HTMLElement } | null {
  const m = /^#([^/]+)\/dashboard$/.exec(hash);
  if (!m) return null;
  const site = sites.find((s) => s.key === decodeURIComponent(m[1]));
  if (!site) return null;
  if (me.role !== "admin") {
    document.title = "Dashboard · Baton";
    return { el: h("section", { class: "page" }, h("h2", null, "Dashboard"), h("p", { class: "sub" }, "Only admins see the numbers.")) };
  }
  return new Dashboard(site);
}

/**
 * Adds the Dashboard link (admins) after the first link of the header's page links, and keeps
 * aria-current on it (not on Inbox) while the dashboard is shown. Returns nav.
 */
export function addDashboardLink(nav: HTMLElement, me: Agent, siteKey: () => string): HTMLElement {
  if (me.role !== "admin") return nav;
  const a = h("a", { href: "#" + siteKey() + "/dashboard", "data-page": "dashboard" }, "Dashboard");
  const first = nav.querySelector("a");
  if (first) first.after(a);
  else nav.append(a);
  const mark = () => {
    follow();
    if (!/\/dashboard$/.test(location.hash)) return a.removeAttribute("aria-current");
    for (const other of nav.querySelectorAll("a")) other.removeAttribute("aria-current");
    a.setAttribute("aria-current", "page");
  };
  // The site may have changed since (the site picker): the link follows it.
  const follow = () => a.setAttribute("href", "#" + siteKey() + "/dashboard");
  a.addEventListener("click", follow);
  a.addEventListener("focus", follow);
  a.addEventListener("pointerenter", follow);
  // After the nav's own listener (registered when it was built), so ours has the last word.
  window.addEventListener("hashchange", mark);
  mark();
  return nav;
}

/** The dashboard page of one site. */
class Dashboard {
  readonly el: HTMLElement;
  private preset = h(
    "select",
    { id: "dash-preset" },
    h("option", { value: "7" }, "Last 7 days"),
    h("option", { value: "30" }, "Last 30 days"),
    h("option", { value: "month" }, "This month"),
    h("option", { value: "custom" }, "Custom"),
  );
  private from = h("input", { id: "dash-from", type: "date", required: "" });
  private to = h("input", { id: "dash-to", type: "date", required: "" });
  private status = h("p", { class: "dash-status", role: "status" });
  private alert = h("p", { class: "err", role: "alert" });
  private outcomes = h("ul", { class: "cards", "aria-label": "Conversations by outcome" });
  private cards = h("ul", { class: "cards", "aria-label": "Handoffs" });
  private chart = h("figure", { class: "chart" });
  private table = h("details", { class: "dash-table" });
  /** The site's time zone once the server has named it (presets count its days). */
  private zone = "";
  /** Counts requests, so that only the latest one's answer is shown. */
  private seq = 0;

  constructor(private site: Site) {
    document.title = "Dashboard · Baton";
    const form = h(
      "form",
      { class: "range", "aria-label": "Days to show" },
      h("label", { for: "dash-preset" }, "Range"),
      this.preset,
      h("label", { for: "dash-from" }, "From"),
      this.from,
      h("label", { for: "dash-to" }, "To"),
      this.to,
      h("button", { type: "submit", class: "primary" }, "Show"),
    );
    this.preset.addEventListener("change", () => {
      if (this.preset.value !== "custom") {
        this.fill();
        void this.load();
      }
    });
    for (const input of [this.from, this.to]) input.addEventListener("input", () => (this.preset.value = "custom"));
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      void this.load();
    });
    this.el = h(
      "section",
      { class: "page dash", "aria-labelledby": "dash-title" },
      h("h2", { id: "dash-title" }, "Dashboard · " + site.name),
      form,
      this.status,
      this.alert,
      this.outcomes,
      this.chart,
      this.table,
      h("h3", null, "Handoffs"),
      this.cards,
    );
    this.fill();
    void this.load();
  }

  /** Sets from and to for the chosen preset, ending today in the site's zone (or ours, at first). */
  private fill(): void {
    const today = dateIn(new Date(), this.zone);
    const p = this.preset.value as Preset;
    if (p === "custom") return;
    this.to.value = today;
    this.from.value = p === "month" ? today.slice(0, 8) + "01" : addDays(today, 1 - Number(p));
  }

  private async load(): Promise<void> {
    const n = ++this.seq;
    const from = this.from.value;
    const to = this.to.value;
    this.alert.textContent = "";
    if (!from || !to) {
      this.alert.textContent = "Choose both days of the range.";
      return;
    }
    this.status.textContent = "Loading…";
    try {
      const q = "?from=" + encodeURIComponent(from) + "&to=" + encodeURIComponent(to);
      const s = await getJSON<Stats>("/v1/sites/" + encodeURIComponent(this.site.key) + "/stats" + q);
      if (n !== this.seq) return;
      // The first answer names the site's zone: if its today is not ours, count the preset again.
      if (!this.zone && s.time_zone) {
        this.zone = s.time_zone;
        const p = this.preset.value;
        if (p !== "custom" && dateIn(new Date(), this.zone) !== to) {
          this.fill();
          return this.load();
        }
      }
      this.status.textContent = `${longDate(s.from)} to ${longDate(s.to)}, days in ${s.time_zone}`;
      this.render(s);
    } catch (err) {
      if (n !== this.seq) return;
      this.status.textContent = "";
      this.alert.textContent = (err as Error).message;
    }
  }

  private render(s: Stats): void {
    const pct = (r: number | null) => (r === null ? "–" : Math.round(r * 100) + "%");
    const card = (id: string, value: string, label: string, note = "", color = "") => {
      const sw = color ? h("span", { class: "sw", "aria-hidden": "true" }) : null;
      if (sw) sw.style.background = color;
      return h("li", { "data-stat": id }, h("span", { class: "v" }, value), h("span", { class: "k" }, sw, label), note ? h("span", { class: "n" }, note) : null);
    };
    this.outcomes.replaceChildren(
      card("conversations", String(s.conversations), "Conversations"),
      ...OUTCOMES.map((o) => card(o.key, String(s.outcomes[o.key]), o.label, share(s.outcomes[o.key], s.conversations), o.color)),
    );
    this.cards.replaceChildren(
      card("contained_rate", pct(s.contained_rate), "Contained", "without sys_human_help"),
      card("resolution_rate", pct(s.resolution_rate), "Resolution rate", "without either human tag"),
      card("handoffs_offered", String(s.handoffs_offered), "Handoffs offered", `${s.handoffs_accepted} accepted`),
      card("handoffs_declined", String(s.handoffs_declined), "Consent declined"),
      card("routed_to_team", String(s.routed_to_team), "To the team", `${s.auto_responses} got the auto-response`),
      card("tickets_created", String(s.tickets_created), "Tickets delivered", `${s.tickets_failed} failed`),
      card("median_wait", duration(s.median_consent_to_first_reply_ms), "Median wait", `from a yes to a person's reply (${s.first_replies})`),
      card("p90_wait", duration(s.p90_consent_to_first_reply_ms), "90% waited at most"),
    );
    this.chart.replaceChildren(...chartOf(s));
    this.table.replaceChildren(h("summary", null, "The chart as a table"), tableOf(s));
  }
}

// ---- the chart ------------------------------------------------------------------------------------

const SVG = "http://www.w3.org/2000/svg";

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, ...children: (Node | string)[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const k in attrs) el.setAttribute(k, String(attrs[k]));
  for (const c of children) el.append(c);
  return el;
}

/** The figure's parts: a legend, the SVG with axes and one stack of bars per day, a caption. */
function chartOf(s: Stats): Node[] {
  const W = 760, H = 240, left = 44, right = 8, top = 10, bottom = 46;
  const plotW = W - left - right, plotH = H - top - bottom;
  const totals = s.days.map((d) => OUTCOMES.reduce((n, o) => n + d[o.key], 0));
  const max = niceMax(Math.max(0, ...totals));
  const y = (v: number) => top + plotH - (v / max) * plotH;
  const band = plotW / Math.max(1, s.days.length);
  const barW = Math.max(1, Math.min(40, band * 0.7));
  const title = `Conversations per day by outcome, ${longDate(s.from)} to ${longDate(s.to)}`;
  const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": title + ". The table below the chart has the same numbers.", class: "bars" });

  // The y axis: gridlines and labels at 0, half and the top; its title.
  for (const v of [0, max / 2, max]) {
    root.append(
      svg("line", { x1: left, x2: W - right, y1: y(v), y2: y(v), class: "grid" }),
      svg("text", { x: left - 6, y: y(v) + 4, "text-anchor": "end", class: "tick" }, String(v)),
    );
  }
  root.append(svg("text", { x: 12, y: top + plotH / 2, transform: `rotate(-90 12 ${top + plotH / 2})`, "text-anchor": "middle", class: "axis" }, "Conversations"));

  // One group per day: its segments bottom up, each with a title (the tooltip) and data for tests.
  const every = Math.ceil(s.days.length / 10); // at most about ten day labels
  s.days.forEach((d, i) => {
    const x = left + i * band + (band - barW) / 2;
    const total = totals[i];
    const g = svg("g", { class: "day", "data-date": d.date, "data-total": total });
    g.append(svg("title", {}, `${longDate(d.date)}: ${total} conversation${total === 1 ? "" : "s"}`));
    let base = 0;
    for (const o of OUTCOMES) {
      const n = d[o.key];
      if (!n) continue;
      g.append(
        svg(
          "rect",
          { x, y: y(base + n), width: barW, height: y(base) - y(base + n), fill: o.color, "data-outcome": o.key, "data-count": n },
          svg("title", {}, `${longDate(d.date)}: ${n} ${o.label.toLowerCase()}`),
        ),
      );
      base += n;
    }
    root.append(g);
    if (i % every === 0) {
      root.append(svg("text", { x: left + i * band + band / 2, y: top + plotH + 16, "text-anchor": "middle", class: "tick" }, shortDate(d.date)));
    }
  });
  root.append(
    svg("line", { x1: left, x2: W - right, y1: y(0), y2: y(0), class: "base" }),
    svg("text", { x: left + plotW / 2, y: H - 6, "text-anchor": "middle", class: "axis" }, `Day the conversation started (${s.time_zone})`),
  );

  const legend = h(
    "ul",
    { class: "legend", "aria-label": "Legend" },
    ...OUTCOMES.map((o) => {
      const sw = h("span", { class: "sw", "aria-hidden": "true" });
      sw.style.background = o.color;
      return h("li", null, sw, o.label);
    }),
  );
  return [h("figcaption", null, title), legend, root];
}

/** The smallest of 1, 2, 5 × 10ⁿ (even, so that half of it is whole) at or above n; 2 for nothing. */
function niceMax(n: number): number {
  if (n <= 2) return 2;
  for (let p = 1; ; p *= 10) {
    for (const m of [2, 4, 6, 10]) if (m * p >= n) return m * p;
  }
}

/** The chart's numbers as a table: a row per day, a column per outcome, and the totals. */
function tableOf(s: Stats): HTMLElement {
  const row = (head: string, o: Outcomes) => {
    const total = OUTCOMES.reduce((n, x) => n + o[x.key], 0);
    return h("tr", null, h("th", { scope: "row" }, head), ...OUTCOMES.map((x) => h("td", null, String(o[x.key]))), h("td", null, String(total)));
  };
  return h(
    "table",
    null,
    h("caption", null, `Conversations per day by outcome (${s.time_zone})`),
    h("thead", null, h("tr", null, h("th", { scope: "col" }, "Day"), ...OUTCOMES.map((o) => h("th", { scope: "col" }, o.label)), h("th", { scope: "col" }, "Total"))),
    h("tbody", null, ...s.days.map((d) => row(longDate(d.date), d))),
    h("tfoot", null, row("All days", s.outcomes)),
  );
}

// ---- small helpers --------------------------------------------------------------------------------

async function getJSON<T>(path: string): Promise<T> {
  const r = await fetch(path, { credentials: "same-origin" });
  const text = await r.text();
  const data = text ? JSON.parse(text) : {};
  if (!r.ok) throw new CommandError(data.error?.code || "internal", data.error?.message || r.statusText);
  return data as T;
}

/** Today (or any instant) as YYYY-MM-DD in zone ("": the browser's). */
function dateIn(d: Date, zone: string): string {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone: zone || undefined, year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(d);
  const get = (t: string) => parts.find((p) => p.type === t)?.value || "";
  return `${get("year")}-${get("month")}-${get("day")}`;
}

function addDays(date: string, n: number): string {
  const d = new Date(date + "T00:00:00Z");
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

const utc = (date: string) => new Date(date + "T00:00:00Z");
const longDate = (date: string) => utc(date).toLocaleDateString(undefined, { timeZone: "UTC", weekday: "short", day: "numeric", month: "short", year: "numeric" });
const shortDate = (date: string) => utc(date).toLocaleDateString(undefined, { timeZone: "UTC", day: "numeric", month: "short" });

function share(n: number, of: number): string {
  return of ? Math.round((n / of) * 100) + "% of all" : "";
}

/** A wait written for people: "45 s", "3 min 20 s", "2 h 5 min"; "–" without one. */
export function duration(ms: number | null): string {
  if (ms === null) return "–";
  const s = Math.round(ms / 1000);
  if (s < 60) return s + " s";
  if (s < 3600) return Math.floor(s / 60) + " min" + (s % 60 ? " " + (s % 60) + " s" : "");
  const m = Math.round(s / 60);
  return Math.floor(m / 60) + " h" + (m % 60 ? " " + (m % 60) + " min" : "");
}
