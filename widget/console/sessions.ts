// My sessions (#sessions): every browser signed in as me, with where and when; any of them can
// be signed out from here, which closes its live connection at once (DELETE /v1/auth/sessions/{id}).
import { h } from "../src/dom";
import { rest } from "./rest";

interface Session {
  id: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  user_agent: string;
  ip: string;
  current: boolean;
}

/** The sessions page. */
export class SessionsPage {
  readonly el = h("section", { class: "page", "aria-labelledby": "sessions-title" });
  private list = h("ul", { class: "sessions" });
  private alert = h("p", { class: "err", role: "alert" });

  constructor() {
    document.title = "Sessions · Baton";
    this.el.append(
      h("h2", { id: "sessions-title" }, "Your sessions"),
      h("p", { class: "sub" }, "Browsers signed in to Baton as you. Sign out any you do not recognise."),
      this.alert,
      this.list,
    );
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      const { sessions } = await rest<{ sessions: Session[] }>("GET", "/v1/auth/sessions");
      this.list.replaceChildren(...sessions.map((s) => this.row(s)));
      if (!sessions.length) this.list.replaceChildren(h("li", { class: "empty" }, "No console sessions (you signed in with a token)."));
    } catch (err) {
      this.alert.textContent = (err as Error).message;
    }
  }

  private row(s: Session): HTMLElement {
    const end = h("button", { type: "button", "aria-label": "Sign out " + (s.current ? "this browser" : "the session from " + browserOf(s.user_agent)) }, "Sign out");
    end.addEventListener("click", async () => {
      end.disabled = true;
      try {
        await rest("DELETE", "/v1/auth/sessions/" + encodeURIComponent(s.id));
        if (s.current) location.reload();
        else await this.load();
      } catch (err) {
        this.alert.textContent = (err as Error).message;
        end.disabled = false;
      }
    });
    return h(
      "li",
      { "data-session": s.id },
      h("span", { class: "what" }, browserOf(s.user_agent), s.current ? h("span", { class: "badge" }, "This browser") : null),
      h("span", { class: "where" }, s.ip),
      h("span", { class: "when" }, "Signed in " + when(s.created_at) + " · last active " + when(s.last_seen_at)),
      end,
    );
  }
}

/** A short name for a browser from its user agent. */
function browserOf(ua: string): string {
  const b = /Edg\//.test(ua) ? "Edge" : /Firefox\//.test(ua) ? "Firefox" : /Chrom(e|ium)\//.test(ua) ? "Chrome" : /Safari\//.test(ua) ? "Safari" : "A browser";
  const os = /Windows/.test(ua) ? "Windows" : /Mac OS X/.test(ua) ? "macOS" : /Android/.test(ua) ? "Android" : /iPhone|iPad/.test(ua) ? "iOS" : /Linux/.test(ua) ? "Linux" : "";
  return os ? `${b} on ${os}` : b;
}

function when(ms: number): string {
  return new Date(ms).toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
}
