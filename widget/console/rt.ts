// The console's realtime connection: one WebSocket to Baton's own origin, authenticated by the
// HttpOnly session cookie (the page never holds the token). Commands get promises that settle
// with their one reply; events go to the listener. The socket reconnects with backoff until
// closed, and says so, so the app can resubscribe and catch up.
import type { Frame } from "./types";

/** A command refused by the server: code and message as in docs/api.md. */
export class CommandError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

type Pending = { resolve: (d: any) => void; reject: (e: Error) => void };

/** The realtime client; open() connects, close() stops reconnecting. */
export class Realtime {
  private ws: WebSocket | null = null;
  private pending = new Map<string, Pending>();
  private ids = 0;
  private retry = 0;
  private closed = false;

  constructor(
    private onEvent: (f: Frame) => void,
    /** Called on every hello: the app (re)subscribes and catches up. */
    private onOpen: () => void,
    /** Called when the connection drops; give up (return false) when the session is gone. */
    private onDown: () => Promise<boolean>,
  ) {}

  open(): void {
    const ws = new WebSocket(location.origin.replace(/^http/, "ws") + "/v1/ws");
    this.ws = ws;
    ws.onmessage = (e) => {
      let f: Frame;
      try {
        f = JSON.parse(e.data);
      } catch {
        return;
      }
      if (f.type === "hello") {
        this.retry = 0;
        this.onOpen();
        return;
      }
      if ((f.type === "reply" || f.type === "error") && f.id && this.pending.has(f.id)) {
        const p = this.pending.get(f.id)!;
        this.pending.delete(f.id);
        if (f.type === "reply") p.resolve(f.data);
        else p.reject(new CommandError(f.code || "internal", String(f.message || "error")));
        return;
      }
      this.onEvent(f);
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      for (const p of this.pending.values()) p.reject(new CommandError("unavailable", "connection lost"));
      this.pending.clear();
      if (this.closed) return;
      const wait = Math.min(15000, 500 * 2 ** this.retry++);
      void this.onDown().then((again) => {
        if (again && !this.closed) setTimeout(() => !this.closed && this.open(), wait);
      });
    };
  }

  /** Sends a command and resolves with its reply's data. */
  call<T = any>(type: string, fields: Record<string, unknown> = {}): Promise<T> {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return Promise.reject(new CommandError("unavailable", "not connected"));
    const id = "k" + ++this.ids;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ ...fields, id, type }));
    });
  }

  close(): void {
    this.closed = true;
    this.ws?.close();
    this.ws = null;
  }
}
