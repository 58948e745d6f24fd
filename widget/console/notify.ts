// Notifications for the agent: a short beep (WebAudio, no asset), a toast in the page, a count
// in the tab's title, and a browser notification while the page is hidden (permission is asked
// only when the agent clicks "Enable notifications"). What notifies: the server's notification
// frames (a conversation of any of my sites that starts waiting for a human, a mention in a note,
// a takeover of my conversation, an assignment to me by someone else; docs/api.md).
import { h } from "../src/dom";
import type { Frame } from "./types";

/** A notification frame from the server. */
export interface NotificationFrame {
  type: "notification";
  kind: "unassigned" | "mention" | "takeover" | "assigned" | string;
  conversation_id: string;
  site_id: string;
  message_id?: string;
  by: { type: string; id: string; name: string };
  text: string;
  created_at: number;
}

const TITLES: Record<string, string> = {
  mention: "You were mentioned",
  takeover: "Conversation taken over",
  assigned: "Assigned to you",
  unassigned: "A visitor is waiting",
};

/** Notifies the agent; open(siteId, conversationId) shows a conversation when a notice is clicked. */
export class Notifier {
  /** Toasts, announced politely to screen readers. */
  readonly toasts = h("div", { class: "toasts", "aria-live": "polite" });
  private audio: AudioContext | null = null;
  private unseen = 0;
  private title = document.title;

  constructor(private open: (siteId: string, conversationId: string) => void) {
    document.addEventListener("visibilitychange", () => {
      if (!document.hidden) this.seen();
    });
  }

  /** The "Enable notifications" button; absent when the browser has no notifications or the agent decided. */
  button(): HTMLElement | null {
    if (typeof Notification === "undefined" || Notification.permission !== "default") return null;
    const b = h("button", { type: "button", class: "ghost", "data-notify": "" }, "Enable notifications");
    b.addEventListener("click", () => {
      this.unlockAudio();
      void Notification.requestPermission().then(() => b.remove());
    });
    return b;
  }

  /** Called with every frame; reacts to notification frames. */
  frame(f: Frame): void {
    if (f.type !== "notification") return;
    const n = f as unknown as NotificationFrame;
    this.notify(n.kind, n.text, n.site_id, n.conversation_id);
  }

  private notify(kind: string, text: string, siteId: string, conversationId: string): void {
    this.beep();
    const title = TITLES[kind] || "Baton";
    // A waiting visitor is in the Unassigned tab's live count already: no toast over the page
    // for it (the sound, and while hidden the browser notification, are enough).
    if (kind !== "unassigned") this.toast(kind, title, text, siteId, conversationId);
    if (!document.hidden) return;
    if (this.unseen++ === 0) this.title = document.title;
    document.title = `(${this.unseen}) ${this.title}`;
    if (typeof Notification !== "undefined" && Notification.permission === "granted") {
      const n = new Notification(title, { body: text, tag: kind + ":" + conversationId });
      n.onclick = () => {
        window.focus();
        this.open(siteId, conversationId);
        n.close();
      };
    }
  }

  /** Shows a toast that opens the conversation when clicked; it goes by itself after 12 s. */
  private toast(kind: string, title: string, text: string, siteId: string, conversationId: string): void {
    const go = h("button", { type: "button", class: "toast", "data-kind": kind }, h("strong", null, title), h("span", null, text));
    go.addEventListener("click", () => {
      go.remove();
      this.open(siteId, conversationId);
    });
    this.toasts.append(go);
    while (this.toasts.children.length > 4) this.toasts.firstElementChild?.remove();
    setTimeout(() => go.remove(), 12000);
  }

  private seen(): void {
    if (!this.unseen) return;
    this.unseen = 0;
    document.title = this.title;
  }

  /** Browsers start audio only after a user gesture: the first click or key unlocks it. */
  unlockAudio(): void {
    if (this.audio || typeof AudioContext === "undefined") return;
    try {
      this.audio = new AudioContext();
    } catch {
      this.audio = null;
    }
  }

  /** Two short soft tones. */
  private beep(): void {
    const ctx = this.audio;
    if (!ctx) return;
    void ctx.resume().catch(() => {});
    const t = ctx.currentTime;
    for (const [i, freq] of [660, 880].entries()) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, t + i * 0.15);
      gain.gain.exponentialRampToValueAtTime(0.15, t + i * 0.15 + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + i * 0.15 + 0.13);
      osc.connect(gain).connect(ctx.destination);
      osc.start(t + i * 0.15);
      osc.stop(t + i * 0.15 + 0.14);
    }
  }
}
