// widget.js: the loader every page of a site includes. It must stay tiny (≤ 3 KB gzipped) and
// never block the host page: it creates the launcher, fetches the site's public config, and
// loads the chat UI (chat.<hash>.js/.css) only when the visitor opens the chat or a
// conversation is already in progress.
import type { Core, SiteConfig, UI, Saved } from "./types";
import { h, icon, ICON_CHAT, ICON_CLOSE } from "./dom";

// Content-hashed file names of the chat UI, filled in by widget/scripts/build.mjs.
declare const __CHAT_JS__: string;
declare const __CHAT_CSS__: string;

type Fn = (...args: any[]) => unknown;

/** The launcher's own texts; the chat UI brings the rest (texts.ts). */
const TEXTS: Record<string, Record<string, string>> = {
  en: { open: "Open chat", close: "Close chat" },
  nl: { open: "Chat openen", close: "Chat sluiten" },
  fr: { open: "Ouvrir le chat", close: "Fermer le chat" },
  de: { open: "Chat öffnen", close: "Chat schließen" },
  es: { open: "Abrir el chat", close: "Cerrar el chat" },
};

// Styles for the host element and the launcher. ":host { all: initial !important }" cuts every
// inherited property and every page rule that targets the host (important declarations of the
// shadow tree beat the page's); nothing inside the shadow root is reachable by page selectors.
const CSS =
  ":host{all:initial!important;position:fixed!important;top:0!important;left:0!important;z-index:2147483000!important;display:block!important}" +
  "[hidden]{display:none!important}" +
  ".f{font:14px/1.4 system-ui,sans-serif;color:#1f2328}" +
  ".l{position:fixed;bottom:20px;right:20px;display:flex;align-items:center;gap:8px;height:56px;min-width:56px;margin:0;padding:0 16px;border:0;border-radius:28px;background:var(--c);color:var(--ct);font:inherit;font-weight:600;font-size:15px;line-height:1;cursor:pointer;box-shadow:0 4px 16px rgba(0,0,0,.25)}" +
  ".left .l{right:auto;left:20px}" +
  ".l svg{width:24px;height:24px;fill:currentColor}" +
  ".l:focus-visible{outline:3px solid #1f2328;outline-offset:3px}" +
  ".open .l span{display:none}" +
  "@media (max-width:480px){.open .l{display:none}}";

(() => {
  const w = window as any;
  const queued: IArguments[] = (w.Baton && w.Baton.q) || [];
  if (w.Baton && w.Baton._v) return; // included twice: the first copy owns the page
  const script = (document.currentScript ||
    document.querySelector('script[data-site][src*="widget.js"]')) as HTMLScriptElement | null;
  const site = script && script.dataset.site;
  if (!script || !site) return console.warn("Baton: the script tag needs data-site");

  const base = new URL(".", script.src).href.replace(/\/$/, "");
  const KEY = "baton:" + site;
  const OPEN_KEY = KEY + ":open";
  const listeners: Record<string, Fn[]> = {};
  let config: SiteConfig | undefined;
  let texts: Record<string, string> = {};
  let open = false;
  let uiP: Promise<UI> | undefined;
  let ui: UI | undefined;
  let mem: Saved = {};
  let readyResolve: () => void;
  const ready = new Promise<void>((r) => (readyResolve = r));

  // The host element, its shadow root and the launcher: the only synchronous work.
  const host = document.createElement("baton-chat");
  const root = host.attachShadow({ mode: "open" });
  const style = h("style", null, CSS);
  if (script.nonce) style.nonce = script.nonce;
  const label = h("span");
  const svg = icon(ICON_CHAT);
  const launcher = h("button", { type: "button", class: "l", "aria-expanded": "false" }, svg, label);
  const frame = h("div", { class: "f", hidden: "" }, launcher);
  root.append(style, frame);

  const emit = (event: string, data?: unknown) => {
    for (const fn of listeners[event] || []) {
      try {
        fn(data);
      } catch (e) {
        console.error(e); // a site owner's listener must not break the widget
      }
    }
  };

  const load = (): Saved => {
    try {
      const v = localStorage.getItem(KEY);
      if (v) return JSON.parse(v);
    } catch {
      // storage blocked: keep the state in memory for this page
    }
    return mem;
  };
  const save = (patch: Partial<Saved>): Saved => {
    const s = (mem = { ...load(), ...patch });
    try {
      localStorage.setItem(KEY, JSON.stringify(s));
    } catch {
      // storage blocked or full
    }
    return s;
  };

  const t = (key: string, vars?: Record<string, string | number>) =>
    (texts[key] ?? key).replace(/\{(\w+)\}/g, (m, k) => (vars && k in vars ? String(vars[k]) : m));

  // pickLocale prefers data-locale, then the browser's languages, then the site's default: the
  // first one that is built in or that the site added texts for.
  const pickLocale = (cfg: SiteConfig): string => {
    const have: Record<string, string> = {};
    for (const k of Object.keys(TEXTS).concat(Object.keys(cfg.texts || {}))) have[k.toLowerCase()] = k;
    for (const c of [script.dataset.locale, ...(navigator.languages || [navigator.language]), cfg.default_locale]) {
      const l = (c || "").toLowerCase();
      const hit = have[l] || have[l.split("-")[0]];
      if (hit) return hit;
    }
    return "en";
  };

  const setTexts = (builtin: Record<string, Record<string, string>>) => {
    const cfg = config!;
    const loc = core.locale;
    const a = cfg.appearance || {};
    texts = {
      ...texts,
      ...builtin.en,
      ...builtin[loc],
      launcher_label: a.launcher_label || "",
      greeting: a.greeting || "",
      ...(cfg.texts || {})[loc],
    };
  };

  const paint = () => {
    launcher.setAttribute("aria-label", t(open ? "close" : "open"));
    launcher.setAttribute("aria-expanded", String(open));
    svg.firstElementChild!.setAttribute("d", open ? ICON_CLOSE : ICON_CHAT);
    label.textContent = t("launcher_label");
    label.hidden = !label.textContent;
    frame.classList.toggle("open", open);
  };

  const loadUI = (): Promise<UI> =>
    (uiP ||= new Promise<UI>((resolve, reject) => {
      const link = h("link", { rel: "stylesheet", href: base + "/widget/" + __CHAT_CSS__ });
      core.css = new Promise<void>((r) => (link.onload = link.onerror = () => r()));
      root.append(link);
      // chat.js calls Baton._ui(start) when it has run; start builds the UI on this core.
      w.Baton._ui = (start: (c: Core) => UI) => resolve((ui = start(core)));
      const s = h("script", { src: base + "/widget/" + __CHAT_JS__, async: "" });
      if (script.nonce) s.nonce = script.nonce;
      s.onerror = () => {
        uiP = undefined;
        link.remove();
        reject(new Error("Baton: could not load the chat"));
      };
      document.head.append(s);
    }));

  const setOpen = (o: boolean, focus = true) => {
    if (o === open || !config) return;
    open = o;
    frame.hidden = false; // Baton("open") shows a hidden launcher's chat all the same
    try {
      if (o) sessionStorage.setItem(OPEN_KEY, "1");
      else sessionStorage.removeItem(OPEN_KEY);
    } catch {
      // storage blocked: the panel just won't reopen on the next page
    }
    paint();
    if (o) {
      loadUI().then(
        (u) => u.show(open, focus && open),
        (e) => {
          console.warn(e.message);
          setOpen(false, false);
        },
      );
    } else {
      ui?.show(false, false);
      // Focus goes back to the launcher when it was inside the widget (Escape, close button).
      if (focus || root.activeElement) launcher.focus();
    }
    emit(o ? "opened" : "closed");
  };

  const core: Core = {
    site,
    base,
    locale: "en",
    config: undefined as unknown as SiteConfig,
    root,
    frame,
    launcher,
    css: Promise.resolve(),
    identity: script.dataset.identityToken,
    t,
    addTexts: setTexts,
    emit,
    load,
    save,
    setOpen: (o) => setOpen(o, true),
    isOpen: () => open,
  };

  launcher.addEventListener("click", () => setOpen(!open, true));

  const api: Record<string, Fn> = {
    open: () => ready.then(() => setOpen(true)),
    close: () => ready.then(() => setOpen(false, false)),
    toggle: () => ready.then(() => setOpen(!open)),
    identify: (token: string) => {
      core.identity = token;
      ui?.identify(token);
    },
    setAttributes: (attrs: Record<string, unknown>) => {
      const pending = { ...load().attrs };
      for (const k in attrs) pending[k] = String(attrs[k] ?? "");
      save({ attrs: pending });
      ui?.attributes();
    },
    on: (event: string, fn: Fn) => {
      (listeners[event] ||= []).push(fn);
      if (event === "ready" && config) ready.then(() => fn());
    },
    off: (event: string, fn: Fn) => {
      listeners[event] = (listeners[event] || []).filter((f) => f !== fn);
    },
    // reset forgets the visitor (e.g. when the site's user logs out).
    reset: () => {
      mem = {};
      try {
        localStorage.removeItem(KEY);
      } catch {
        // nothing stored
      }
      ui?.reset();
    },
  };
  const Baton = function (method: string, ...args: unknown[]) {
    const fn = api[method];
    if (!fn) return console.warn("Baton: unknown method " + method);
    return fn(...args);
  } as any;
  Object.assign(Baton, api, { _v: 1 });
  w.Baton = Baton;
  for (const args of queued) Baton(...Array.from(args));

  const start = () => {
    document.body.append(host);
    fetch(base + "/v1/sites/" + encodeURIComponent(site) + "/config")
      .then((r) => {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.json();
      })
      .then((cfg: SiteConfig) => {
        config = core.config = cfg;
        core.locale = pickLocale(cfg);
        setTexts(TEXTS);
        const a = cfg.appearance || {};
        const c = /^#[0-9a-f]{6}$/i.test(a.color || "") ? a.color! : "#4f46e5";
        frame.style.setProperty("--c", c);
        frame.style.setProperty("--ct", contrastText(c));
        if (a.position === "left") frame.classList.add("left");
        paint();
        // A site may hide the launcher while nobody can answer (not from a visitor mid-conversation).
        const av = cfg.availability;
        frame.hidden = !!(cfg.hide_when_unavailable && av && !av.available && !load().conv);
        readyResolve();
        emit("ready");
        let reopen = false;
        try {
          reopen = !!sessionStorage.getItem(OPEN_KEY);
        } catch {
          // storage blocked
        }
        const resume = () => {
          const s = load();
          if (s.conv || (s.out && s.out.length)) loadUI().catch((e) => console.warn(e.message));
        };
        if (reopen) setOpen(true, false);
        else resume();
        // Another tab started a conversation: follow it here too (unread badge, live updates).
        addEventListener("storage", (e) => e.key === KEY && resume());
      })
      .catch((e) => console.warn("Baton: no chat for this site here (" + e.message + ")"));
  };
  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start);
})();

/** Picks dark or white text for the theme colour, whichever has the higher WCAG contrast. */
function contrastText(hex: string): string {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const v = parseInt(hex.slice(i, i + 2), 16) / 255;
    return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  // Contrast with white is 1.05/(L+.05), with #1f2328 (L≈.016) it is (L+.05)/.066: equal at L≈.21.
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.21 ? "#1f2328" : "#fff";
}
