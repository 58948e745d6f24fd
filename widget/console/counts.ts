// The inbox tabs' exact counts: the realtime counts command (docs/api.md) answers every tab of
// a site, views included, in one round trip. The console asks after the inbox loads, on every
// reconnect, and after conversation events, at most once a second (trailing): a burst of events
// costs one request, and the numbers stay live without a request per event.

/** The counts command's reply. */
export interface TabCounts {
  me: number;
  unassigned: number;
  open: number;
  bot: number;
  closed: number;
  views: { name: string; count: number }[];
}

/** How long a burst of events is gathered before asking again, and the least time between asks. */
const QUIET_MS = 150;
const GAP_MS = 1000;

/** The last counts of a site, and the refreshes that keep them live. */
export class Counts {
  private site = "";
  private values = new Map<string, number>();
  private gen = 0; // bumped by a switch of site: an older answer is dropped
  private timer = 0;
  private busy = false;
  private again = false;
  private last = 0;

  constructor(
    /** Asks the server for a site's counts. */
    private ask: (site: string) => Promise<TabCounts>,
    /** Told when new numbers arrived. */
    private changed: () => void,
  ) {}

  /** The count of a tab ("me", …, "view:<name>") of a site, if known. */
  get(key: string, site: string): number | undefined {
    return site === this.site ? this.values.get(key) : undefined;
  }

  /** What a tab shows: the exact count when known, else what is loaded ("100+" with more). */
  label(key: string, site: string, loaded: number, more: boolean): string {
    const n = this.get(key, site);
    return n === undefined ? String(loaded) + (more ? "+" : "") : String(n);
  }

  /** Asks at once (the inbox loaded, or the socket reconnected). */
  now(site: string): Promise<void> {
    if (site !== this.site) {
      this.site = site;
      this.values.clear();
      this.gen++;
    }
    clearTimeout(this.timer);
    this.timer = 0;
    return this.run();
  }

  /** Asks again soon: after a quiet moment, and never sooner than a second after the last ask. */
  soon(): void {
    if (this.timer || !this.site) return;
    const wait = Math.max(QUIET_MS, this.last + GAP_MS - Date.now());
    this.timer = window.setTimeout(() => {
      this.timer = 0;
      void this.run();
    }, wait);
  }

  private async run(): Promise<void> {
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    this.last = Date.now();
    const gen = this.gen;
    const site = this.site;
    try {
      const c = await this.ask(site);
      if (gen !== this.gen) return;
      this.values = new Map<string, number>([
        ["me", c.me],
        ["unassigned", c.unassigned],
        ["open", c.open],
        ["bot", c.bot],
        ["closed", c.closed],
        ...c.views.map((v): [string, number] => ["view:" + v.name, v.count]),
      ]);
      this.changed();
    } catch {
      // The tabs keep showing what is loaded; the next event or reconnect asks again.
    } finally {
      this.busy = false;
      if (this.again) {
        this.again = false;
        this.soon();
      }
    }
  }

  /** Writes the known counts into the tab buttons (data-tab, a .count span) of a tab list. */
  paint(tabs: HTMLElement, site: string): void {
    for (const b of tabs.querySelectorAll<HTMLElement>("[data-tab]")) {
      const n = this.get(b.dataset.tab || "", site);
      const span = b.querySelector(".count");
      if (n === undefined || !span) continue;
      span.textContent = String(n);
      span.setAttribute("aria-label", n + " conversations");
    }
  }
}
