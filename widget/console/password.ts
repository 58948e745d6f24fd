// The page an invitation or reset link opens (/console#invite/TOKEN, /console#reset/TOKEN): the
// agent chooses a password (POST /v1/auth/password) and then signs in. The token lives in the
// URL's fragment, which browsers never send to a server; it is dropped from the address bar at
// once so it does not stay in the history.
import { h } from "../src/dom";
import { rest } from "./rest";
import { CommandError } from "./rt";
import type { Agent } from "./types";

/** The link in the current URL, if any: its kind and token. */
export function passwordLink(): { kind: "invite" | "reset"; token: string } | null {
  const m = /^#(invite|reset)\/([A-Za-z0-9_-]{20,128})$/.exec(location.hash);
  return m ? { kind: m[1] as "invite" | "reset", token: m[2] } : null;
}

/** Shows the set-password form in root; done(email) runs once the password is set. */
export function passwordScreen(root: HTMLElement, link: { kind: "invite" | "reset"; token: string }, done: (email: string) => void): void {
  history.replaceState(null, "", location.pathname);
  document.title = "Set your password · Baton";
  const pw = h("input", { id: "new-password", type: "password", autocomplete: "new-password", required: "", minlength: "8", maxlength: "72" });
  const again = h("input", { id: "new-password-again", type: "password", autocomplete: "new-password", required: "" });
  const alert = h("p", { class: "err", role: "alert" });
  const button = h("button", { type: "submit" }, "Set password");
  const form = h(
    "form",
    { class: "signin", "aria-labelledby": "pw-title" },
    h("h1", { id: "pw-title" }, link.kind === "invite" ? "Welcome to Baton" : "Set a new password"),
    h("p", { class: "sub" }, "Choose a password of at least 8 characters."),
    h("label", { for: "new-password" }, "New password"),
    pw,
    h("label", { for: "new-password-again" }, "Repeat the password"),
    again,
    alert,
    button,
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    alert.textContent = "";
    if (pw.value !== again.value) {
      alert.textContent = "The two passwords differ.";
      again.focus();
      return;
    }
    button.disabled = true;
    try {
      const r = await rest<{ agent: Agent }>("POST", "/v1/auth/password", { token: link.token, password: pw.value });
      done(r.agent.email);
    } catch (err) {
      const msg = (err as Error).message.replace(/^(token|password): /, "");
      alert.textContent = err instanceof CommandError ? msg.charAt(0).toUpperCase() + msg.slice(1) : msg;
      button.disabled = false;
    }
  });
  root.replaceChildren(h("main", { class: "center" }, form));
  pw.focus();
}
