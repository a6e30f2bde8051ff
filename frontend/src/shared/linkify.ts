/**
 * Links in message bodies, for the widget and the console alike. A body is split into text and
 * link segments; a view turns each into a text node or an <a> made by code (the widget with
 * `appendBody` below, the console with JSX), so nothing from a message is ever parsed as HTML.
 * Only http(s) addresses become links (`www.` ones get `https://`); emails stay text.
 */

export type TextSegment = { kind: "text"; text: string };
export type LinkSegment = { kind: "link"; text: string; href: string };
export type Segment = TextSegment | LinkSegment;

/** Every link out of a message opens apart from the page, tells it nothing, and is marked as
 * user content (search engines give it no weight). */
export const LINK_TARGET = "_blank";
export const LINK_REL = "noopener noreferrer nofollow ugc";

const URL_PATTERN = /\b(?:https?:\/\/|www\.)[^\s<>"'`]+/giu;
/** Punctuation that ends a sentence rather than a link (straight and typographic quotes). */
const TRAILING = ".,;:!?)]}'\"»”’…";

/** An absolute http(s) URL for `raw` (`www.` gets `https://`), or null: another scheme, or a
 * host that is neither a domain with a dot nor localhost. */
export function safeHref(raw: string): string | null {
  const candidate = /^www\./i.test(raw) ? `https://${raw}` : raw;
  try {
    const url = new URL(candidate);
    if (url.protocol !== "http:" && url.protocol !== "https:") return null;
    if (!url.hostname.includes(".") && url.hostname !== "localhost") return null;
    return url.href;
  } catch {
    return null;
  }
}

/** Drops the punctuation that ends the sentence rather than the link; keeps a closing bracket
 * that closes one opened inside the link (Wikipedia-style URLs). */
function trimTrailing(url: string): string {
  while (url.length && TRAILING.includes(url[url.length - 1])) {
    if (url.endsWith(")") && count(url, "(") >= count(url, ")")) break;
    url = url.slice(0, -1);
  }
  return url;
}

function count(text: string, char: string): number {
  return text.split(char).length - 1;
}

/** The body as text and link segments, in order; no segment is empty. */
export function linkSegments(body: string): Segment[] {
  const segments: Segment[] = [];
  let last = 0;
  for (const match of body.matchAll(URL_PATTERN)) {
    const start = match.index ?? 0;
    const url = trimTrailing(match[0]);
    const href = safeHref(url);
    if (!href) continue;
    if (start > last) segments.push({ kind: "text", text: body.slice(last, start) });
    segments.push({ kind: "link", text: url, href });
    last = start + url.length;
  }
  if (last < body.length) segments.push({ kind: "text", text: body.slice(last) });
  return segments;
}

/** Appends `body` to `parent` as text nodes and anchors (the widget's DOM code). */
export function appendBody(parent: HTMLElement, body: string): void {
  const doc = parent.ownerDocument;
  for (const segment of linkSegments(body)) {
    if (segment.kind === "text") {
      parent.appendChild(doc.createTextNode(segment.text));
      continue;
    }
    const link = doc.createElement("a");
    link.href = segment.href;
    link.target = LINK_TARGET;
    link.rel = LINK_REL;
    link.textContent = segment.text;
    parent.appendChild(link);
  }
}
