/**
 * Links in message bodies, made by code that builds elements: the body is split into text and
 * link segments, and each becomes a text node or an <a> whose text is set with `textContent`.
 * Only http(s) links become anchors (`www.` ones get `https://`); nothing is ever parsed as HTML.
 */

export type Segment = { text: string; href?: string };

const URL_PATTERN = /\b(?:https?:\/\/|www\.)[^\s<>"'`]+/gi;
const TRAILING = ".,;:!?)]}»”’'\"";

export function linkSegments(body: string): Segment[] {
  const segments: Segment[] = [];
  let last = 0;
  for (const match of body.matchAll(URL_PATTERN)) {
    const start = match.index ?? 0;
    const url = trimTrailing(match[0]);
    const href = safeHref(url);
    if (!href) continue;
    if (start > last) segments.push({ text: body.slice(last, start) });
    segments.push({ text: url, href });
    last = start + url.length;
  }
  if (last < body.length) segments.push({ text: body.slice(last) });
  return segments;
}

/** Drops punctuation that ends the sentence rather than the link; keeps a closing bracket that
 * closes one opened inside the link (Wikipedia-style URLs). */
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

/** An absolute http(s) URL for `text`, or null. */
export function safeHref(text: string): string | null {
  const candidate = /^www\./i.test(text) ? `https://${text}` : text;
  try {
    const url = new URL(candidate);
    if (url.protocol !== "http:" && url.protocol !== "https:") return null;
    if (!url.hostname.includes(".") && url.hostname !== "localhost") return null;
    return url.href;
  } catch {
    return null;
  }
}

/** Appends `body` to `parent` as text nodes and anchors. */
export function appendBody(parent: HTMLElement, body: string): void {
  const doc = parent.ownerDocument;
  for (const segment of linkSegments(body)) {
    if (!segment.href) {
      parent.appendChild(doc.createTextNode(segment.text));
      continue;
    }
    const link = doc.createElement("a");
    link.href = segment.href;
    link.target = "_blank";
    link.rel = "noopener noreferrer nofollow ugc";
    link.textContent = segment.text;
    parent.appendChild(link);
  }
}
