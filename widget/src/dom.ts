// Tiny DOM helpers shared by both bundles. Nothing here ever parses HTML: elements are created
// one by one and text always goes in as text nodes, so message text cannot become markup.

/** Creates an element with attributes (set with setAttribute) and children (strings become text nodes). */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Record<string, string> | null,
  ...children: (Node | string | null | undefined | false)[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const k in attrs) el.setAttribute(k, attrs[k]);
  for (const c of children) if (c) el.append(c);
  return el;
}

/** Icon paths (24×24, Material Design): chat bubble, close and send. */
export const ICON_CHAT = "M20 2H4a2 2 0 0 0-2 2v18l4-4h14a2 2 0 0 0 2-2V4a2 2 0 0 0-2-2z";
export const ICON_CLOSE = "M19 6.4 17.6 5 12 10.6 6.4 5 5 6.4l5.6 5.6L5 17.6 6.4 19l5.6-5.6 5.6 5.6 1.4-1.4-5.6-5.6z";
export const ICON_SEND = "M2 21l21-9L2 3v7l15 2-15 2z";

/** Creates a decorative 24×24 icon; the button around it carries the accessible name. */
export function icon(d: string): SVGSVGElement {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  const p = document.createElementNS(ns, "path");
  p.setAttribute("d", d);
  svg.append(p);
  return svg;
}
