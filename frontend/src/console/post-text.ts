/**
 * A channel post's text as the operator writes it: Telegram's HTML (docs/telegram.md, "Channel
 * posts"). How many characters it shows, counted as the server counts them against 4,096 (1,024
 * under a photo); its plain text, for the list; what the formatting buttons do to the selection;
 * which links Telegram takes. Pure string work, no DOM: the preview's parse is post-html.ts.
 */

/** The most characters a post shows, text only and under a photo (chats/connectors/telegram/posts.py). */
export const TEXT_LIMIT = 4096;
export const CAPTION_LIMIT = 1024;
/** URL buttons under a post, and the length of a button's text. */
export const BUTTONS_MAX = 10;
export const BUTTON_TEXT_MAX = 64;

const NAMED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" };
const ENTITY = /^&(#\d{1,7}|#[xX][\da-fA-F]{1,6}|[a-zA-Z][a-zA-Z\d]{1,31});/;
const LETTER = /[a-zA-Z]/;

/** The character an entity stands for, or null for one Telegram does not know (kept as typed). */
function entityValue(body: string): string | null {
  if (body.startsWith("#")) {
    const code = body[1] === "x" || body[1] === "X" ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
    return code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff) ? String.fromCodePoint(code) : null;
  }
  return NAMED[body.toLowerCase()] ?? null;
}

/** Where the tag that starts at `at` (a "<") ends, after its ">"; quoted attribute values may
 * hold a ">". -1 when it never closes. */
function tagEnd(html: string, at: number): number {
  let quote: string | null = null;
  for (let index = at + 1; index < html.length; index += 1) {
    const char = html[index];
    if (quote) {
      if (char === quote) quote = null;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === ">") return index + 1;
  }
  return -1;
}

/** How far markup that starts at `at` (a "<") reaches: a tag, an end tag, a comment or a
 * declaration; `at` itself when the "<" is only a character. */
function markupEnd(html: string, at: number): number {
  const next = html[at + 1] ?? "";
  if (html.startsWith("<!--", at)) {
    const close = html.indexOf("-->", at + 4);
    return close === -1 ? html.length : close + 3;
  }
  const isTag = LETTER.test(next) || (next === "/" && LETTER.test(html[at + 2] ?? "")) || next === "!" || next === "?";
  if (!isTag) return at;
  const end = tagEnd(html, at);
  return end === -1 ? at : end;
}

/** The text a post shows: its markup left out, its entities decoded. */
export function visibleText(html: string): string {
  let text = "";
  let index = 0;
  while (index < html.length) {
    const char = html[index];
    if (char === "<") {
      const end = markupEnd(html, index);
      if (end > index) {
        index = end;
        continue;
      }
    } else if (char === "&") {
      const match = ENTITY.exec(html.slice(index, index + 40));
      const value = match ? entityValue(match[1]) : null;
      if (match && value !== null) {
        text += value;
        index += match[0].length;
        continue;
      }
    }
    text += char;
    index += 1;
  }
  return text;
}

/** The characters a post shows (code points, as the server counts them). */
export function visibleLength(html: string): number {
  return Array.from(visibleText(html)).length;
}

/** The post's words on one line, for the list. */
export function plainText(html: string): string {
  return visibleText(html).replace(/\s+/g, " ").trim();
}

/** A text and its selection after an edit. */
export interface Edit {
  text: string;
  start: number;
  end: number;
}

/** Wraps the selection in `open` and `close` (the tags of a format), the selection kept on the
 * words; a selection already wrapped in exactly those tags (just outside it, or selected with
 * it) is unwrapped. With nothing selected the tags go in at the caret, which lands between them. */
export function wrapSelection(text: string, start: number, end: number, open: string, close: string): Edit {
  const from = Math.max(0, Math.min(start, end, text.length));
  const to = Math.min(text.length, Math.max(start, end));
  const inner = text.slice(from, to);
  if (from >= open.length && text.slice(from - open.length, from) === open && text.slice(to, to + close.length) === close) {
    return {
      text: text.slice(0, from - open.length) + inner + text.slice(to + close.length),
      start: from - open.length,
      end: to - open.length,
    };
  }
  if (inner.length >= open.length + close.length && inner.startsWith(open) && inner.endsWith(close)) {
    const unwrapped = inner.slice(open.length, inner.length - close.length);
    return { text: text.slice(0, from) + unwrapped + text.slice(to), start: from, end: from + unwrapped.length };
  }
  return {
    text: text.slice(0, from) + open + inner + close + text.slice(to),
    start: from + open.length,
    end: to + open.length,
  };
}

export type Format = "bold" | "italic" | "underline" | "strike" | "spoiler" | "code";

/** The Telegram tags of each formatting button. */
export const FORMAT_TAGS: Record<Format, readonly [string, string]> = {
  bold: ["<b>", "</b>"],
  italic: ["<i>", "</i>"],
  underline: ["<u>", "</u>"],
  strike: ["<s>", "</s>"],
  spoiler: ["<tg-spoiler>", "</tg-spoiler>"],
  code: ["<code>", "</code>"],
};

/** An attribute's value as HTML (the address of a link). */
export function escapeAttribute(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** The tags of a link to `url`. */
export function linkTags(url: string): readonly [string, string] {
  return [`<a href="${escapeAttribute(url.trim())}">`, "</a>"];
}

/** Whether Telegram takes `url` for a link or a button: http(s) with a host, or tg://. */
export function isPostLink(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return false;
  }
  if (parsed.protocol === "http:" || parsed.protocol === "https:") return parsed.host !== "";
  return parsed.protocol === "tg:";
}
