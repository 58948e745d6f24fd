// Shapes of the realtime and REST API as the console uses them (docs/api.md).
// Only types live here, so importing this file adds no bytes to the bundle.

import type { Author, FileRef } from "../src/types";

// The same shapes the widget reads.
export type { Author, FileRef };

/** A message as an agent sees it: notes and agent-only events included. */
export interface Message {
  id: string;
  conversation_id: string;
  seq: number;
  client_id?: string;
  author: Author;
  kind: "text" | "note" | "event";
  text: string;
  created_at: number;
  event?: { action: string; [k: string]: unknown };
  /** Files sent with the message (docs/api.md, "Files"). */
  attachments?: FileRef[];
}


/** A conversation as an agent sees it. */
export interface Conversation {
  id: string;
  site_id: string;
  visitor_id: string;
  status: "bot" | "unassigned" | "assigned" | "resolved";
  assignee: { id: string; name: string } | null;
  tags: string[];
  last_seq: number;
  read_seq: number;
  created_at: number;
  updated_at: number;
  bot_paused?: boolean;
}

/** The signed-in agent (POST /v1/auth/session, GET /v1/me). */
export interface Agent {
  id: string;
  email: string;
  name: string;
  role: string;
}

/** A site the agent may see (GET /v1/sites). */
export interface Site {
  id: string;
  key: string;
  name: string;
}

/** A visitor's profile (GET /v1/visitors/{id}). */
export interface Visitor {
  id: string;
  name?: string;
  email?: string;
  email_verified?: boolean;
  phone?: string;
  address?: string;
  external_id?: string;
  locale?: string;
  page_url?: string;
  page_title?: string;
}

/** A server frame: a command's reply or error, or an event. */
export interface Frame {
  type: string;
  id?: string;
  data?: any;
  code?: string;
  message?: any;
  conversation?: Conversation;
  conversation_id?: string;
  author?: Author;
  typing?: boolean;
  temporary?: boolean;
  retry_after_ms?: number;
}
