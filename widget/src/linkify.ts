import { h } from "./dom";

// Candidate links: only explicit http(s) and mailto schemes are ever made clickable.
const LINK = /\b(?:https?:\/\/|mailto:)[^\s<>"']+/gi;
const TRAILING = /[.,;:!?)\]}]+$/;

/**
 * Splits message text into text nodes and links. Nothing is parsed as HTML: the caller appends
 * the returned nodes, so "<b>" stays the four characters it is.
 */
export function linkify(text: string): (Node | string)[] {
  const out: (Node | string)[] = [];
  let last = 0;
  for (const match of text.matchAll(LINK)) {
    let raw = match[0];
    const trail = raw.match(TRAILING);
    if (trail) raw = raw.slice(0, -trail[0].length);
    const href = safeHref(raw);
    if (!href) continue;
    const at = match.index!;
    if (at > last) out.push(text.slice(last, at));
    out.push(h("a", { href, target: "_blank", rel: "noopener noreferrer nofollow" }, raw));
    last = at + raw.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/** Returns the normalised URL when it parses and its scheme is http, https or mailto. */
export function safeHref(raw: string): string | null {
  try {
    const u = new URL(raw);
    return /^(https?|mailto):$/.test(u.protocol) ? u.href : null;
  } catch {
    return null;
  }
}
