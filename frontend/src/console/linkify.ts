/** Splits a message body into text, links and mentions, for views that build elements from
 * the pieces (a link is an <a> made by code, never markup from a string). */

export type Segment =
  | { kind: "text"; text: string }
  | { kind: "link"; text: string; href: string }
  | { kind: "mention"; text: string; username: string };

const URL_PATTERN = /\b(?:https?:\/\/|www\.)[^\s<>"'`]+/giu;
const TRAILING = /[.,;:!?)\]}'"»…]+$/u;

/** The address a link may point at: http(s) only; anything else stays text. */
export function safeHref(raw: string): string | null {
  const candidate = raw.toLowerCase().startsWith("www.") ? `https://${raw}` : raw;
  try {
    const url = new URL(candidate);
    if (url.protocol !== "http:" && url.protocol !== "https:") return null;
    return url.href;
  } catch {
    return null;
  }
}

function pushText(out: Segment[], text: string): void {
  if (!text) return;
  const last = out[out.length - 1];
  if (last && last.kind === "text") last.text += text;
  else out.push({ kind: "text", text });
}

function splitMentions(text: string, usernames: Set<string>, out: Segment[]): void {
  if (usernames.size === 0) {
    pushText(out, text);
    return;
  }
  const pattern = /(^|[^\p{L}\p{N}_.+@-])@([\p{L}\p{N}_.@+-]*[\p{L}\p{N}_+-])/gu;
  let position = 0;
  for (const match of text.matchAll(pattern)) {
    const name = match[2];
    if (!usernames.has(name.toLowerCase())) continue;
    const at = (match.index ?? 0) + match[1].length;
    pushText(out, text.slice(position, at));
    out.push({ kind: "mention", text: `@${name}`, username: name });
    position = at + 1 + name.length;
  }
  pushText(out, text.slice(position));
}

/** `mentions`: lower-cased usernames to mark (only in private notes). */
export function segments(body: string, mentions: Set<string> = new Set()): Segment[] {
  const out: Segment[] = [];
  let position = 0;
  for (const match of body.matchAll(URL_PATTERN)) {
    let raw = match[0];
    const trailing = raw.match(TRAILING);
    if (trailing) raw = raw.slice(0, raw.length - trailing[0].length);
    const start = match.index ?? 0;
    const href = raw.length > 4 ? safeHref(raw) : null;
    if (!href) continue;
    splitMentions(body.slice(position, start), mentions, out);
    out.push({ kind: "link", text: raw, href });
    position = start + raw.length;
  }
  splitMentions(body.slice(position), mentions, out);
  return out;
}
