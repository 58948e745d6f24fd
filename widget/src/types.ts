// Shapes shared by the loader (widget.js) and the chat UI (chat.*.js).
// Only types live here, so importing this file adds no bytes to either bundle.

/** What GET /v1/sites/{key}/config returns (docs/api.md). */
export interface SiteConfig {
  key: string;
  name: string;
  default_locale?: string;
  appearance?: {
    color?: string;
    position?: string;
    launcher_label?: string;
    greeting?: string;
  };
  texts?: Record<string, Record<string, string>>;
  availability?: { available: boolean; next_change_at: number | null } | null;
  /** Hide the launcher while nobody is available. */
  hide_when_unavailable?: boolean;
}

/** An author of a message or a typing event. */
export interface Author {
  type: "visitor" | "bot" | "agent" | "system";
  id?: string;
  name?: string;
}

/** A field of an inline form a message asks the visitor to fill in. */
export interface FormField {
  name: string;
  type?: string;
  label?: string;
  required?: boolean;
}

/** A message as the server sends it. */
export interface Message {
  id: string;
  conversation_id: string;
  seq: number;
  client_id?: string;
  author: Author;
  kind: "text" | "note" | "event";
  text: string;
  created_at: number;
  quick_replies?: { label: string; value: string }[];
  form?: { id: string; fields: FormField[] };
  /** Files sent with the message (docs/api.md, "Files"). */
  attachments?: FileRef[];
}

/** A file as messages carry it (docs/api.md, "Files"); the widget and the console share it. */
export interface FileRef {
  id: string;
  name: string;
  size: number;
  content_type: string;
  /** Relative to Baton's base URL; it carries the file's capability. */
  url: string;
}

/** A visitor's conversation as the server sends it. */
export interface Conversation {
  id: string;
  status: string;
  last_seq: number;
  assignee?: { id: string; name: string } | null;
}

/** A message typed while the server could not take it yet. */
export interface Outgoing {
  /** client_id: the idempotency key the server dedupes on. */
  c: string;
  /** text */
  t: string;
  /** created at (ms), for ordering and display. */
  at: number;
  /** files uploaded for this message (sent by id), shown while it waits. */
  f?: { id: string; name: string; size: number; url: string }[];
}

/**
 * The visitor's state kept in localStorage under "baton:<site>", shared by every tab of the
 * host site. Short keys keep the loader small; each is documented here instead.
 */
export interface Saved {
  /** visitor token and its expiry (ms). */
  tok?: string;
  exp?: number;
  /** visitor id the token belongs to. */
  vid?: string;
  /** identity token the current visitor token was obtained with. */
  idt?: string;
  /** conversation id once there is one: the loader then loads the UI at once. */
  conv?: string;
  /** last seq read by the visitor (for the unread badge). */
  read?: number;
  /** messages waiting to be sent, oldest first. */
  out?: Outgoing[];
  /** visitor attributes waiting to be sent. */
  attrs?: Record<string, string>;
  /** ids of messages whose form was submitted. */
  forms?: string[];
}

/** What the loader hands to the chat UI. */
export interface Core {
  site: string;
  /** Baton's base URL without a trailing slash, e.g. "https://chat.example.com". */
  base: string;
  locale: string;
  config: SiteConfig;
  root: ShadowRoot;
  /** The element inside the shadow root that carries the theme and the open state. */
  frame: HTMLElement;
  launcher: HTMLButtonElement;
  /** Resolves when the chat stylesheet has loaded (or failed), so the panel never shows unstyled. */
  css: Promise<void>;
  /** identity token given by data-identity-token or Baton("identify"). */
  identity?: string;
  /** Texts of the chosen locale: the built-in ones with the site's overrides applied. */
  t(key: string, vars?: Record<string, string | number>): string;
  /** Adds the UI's built-in texts (locale → key → text) under the site's overrides. */
  addTexts(builtin: Record<string, Record<string, string>>): void;
  emit(event: string, data?: unknown): void;
  load(): Saved;
  save(patch: Partial<Saved>): Saved;
  /** Opens or closes the panel as if the visitor did (used by the panel's own close button). */
  setOpen(open: boolean): void;
  isOpen(): boolean;
}

/** What the chat UI gives back to the loader. */
export interface UI {
  show(open: boolean, focus: boolean): void;
  identify(token: string): void;
  attributes(): void;
  reset(): void;
}
