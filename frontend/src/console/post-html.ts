/**
 * The preview of a channel post: its Telegram HTML parsed by the browser (DOMParser, an inert
 * document: nothing in it runs or loads) and rebuilt as a tree of the tags Telegram shows, and
 * nothing else. Bold, italic, underline, strikethrough, spoilers, code, pre and quotes are kept,
 * without their attributes; a link keeps only an http(s) or tg:// address (any other link is
 * left as its words); any other tag is shown as the text it was typed as ("<script>" stays
 * words on the screen). The view (views/PostPreview.tsx) builds elements from the tree; nothing
 * here or there gives the operator's HTML to innerHTML.
 *
 * The parsed document runs nothing, but the browser still checks its event-handler and style
 * attributes and <style> elements against the page's Content Security Policy, and says in the
 * console that it refused them. So before the parse those are renamed (`defuse`), and the
 * preview shows them under their own names again.
 */

import { isPostLink } from "./post-text";

export type PostTag = "b" | "i" | "u" | "s" | "spoiler" | "code" | "pre" | "blockquote" | "a";

export type PostNode = { kind: "text"; text: string } | { kind: "element"; tag: PostTag; href?: string; children: PostNode[] };

/** What the walk reads of a parsed node (a browser's Node; tests pass their own). */
export interface DomNode {
  readonly nodeType: number;
  readonly nodeName: string;
  readonly nodeValue: string | null;
  readonly childNodes: ArrayLike<DomNode>;
  getAttribute?(name: string): string | null;
  readonly attributes?: ArrayLike<{ readonly name: string; readonly value: string }>;
}

const ELEMENT = 1;
const TEXT = 3;
const CDATA = 4;

/** Telegram's tags, by the tag the element takes in the preview. */
const TAGS: Record<string, PostTag> = {
  b: "b",
  strong: "b",
  i: "i",
  em: "i",
  u: "u",
  ins: "u",
  s: "s",
  strike: "s",
  del: "s",
  "tg-spoiler": "spoiler",
  code: "code",
  pre: "pre",
  blockquote: "blockquote",
};

/** Tags Telegram knows whose element the preview leaves out, keeping what is inside: a span
 * that is no spoiler, and a custom emoji (its fallback emoji is its text). */
const TRANSPARENT = new Set(["span", "tg-emoji"]);

/** HTML's elements without an end tag (no "</img>" is shown for them). */
const VOID = new Set(["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"]);

/** Put before the names the browser would check against the Content Security Policy. */
const MARK = "x-tg-inert-";
/** Attributes the Content Security Policy governs: event handlers and inline styles. */
const CHECKED_ATTRIBUTE = /^(?:on[^\s/>="'<]*|style)(?=[\s/>=]|$)/i;
/** Elements whose text the HTML parser does not parse as markup (kept as they are). */
const RAW_TEXT = new Set(["script", "textarea", "title", "xmp", "iframe", "noembed", "noframes"]);
const WHITESPACE = /[\t\n\f\r ]/;

/** A name or text as the operator typed it (the mark taken off). */
const unmark = (value: string) => value.split(MARK).join("");

/** Where the start tag whose attributes begin at `from` ends (after its ">"), and `out` with
 * the tag's text, its checked attributes marked; the HTML tokenizer's states, in short. */
function defuseAttributes(html: string, from: number, out: string[]): number {
  // Set in startName too, so not narrowed by the assignments here.
  let state = "before" as "before" | "name" | "afterName" | "beforeValue" | "quoted" | "unquoted";
  let quote = "";
  let index = from;
  const startName = () => {
    if (CHECKED_ATTRIBUTE.test(html.slice(index, index + 64))) out.push(MARK);
    state = "name";
  };
  for (; index < html.length; index += 1) {
    const char = html[index];
    if (char === ">" && state !== "quoted") {
      out.push(char);
      return index + 1;
    }
    switch (state) {
      case "before":
        if (!WHITESPACE.test(char) && char !== "/") startName();
        break;
      case "name":
      case "afterName":
        if (char === "=") state = "beforeValue";
        else if (char === "/") state = "before";
        else if (WHITESPACE.test(char)) state = "afterName";
        else if (state === "afterName") startName();
        break;
      case "beforeValue":
        if (char === '"' || char === "'") {
          quote = char;
          state = "quoted";
        } else if (!WHITESPACE.test(char)) state = "unquoted";
        break;
      case "quoted":
        if (char === quote) state = "before";
        break;
      case "unquoted":
        if (WHITESPACE.test(char)) state = "before";
        break;
    }
    out.push(char);
  }
  return index;
}

/** Where the comment that starts at `at` ends, as the HTML parser ends it. */
function commentEnd(html: string, at: number): number {
  if (html.startsWith("<!-->", at)) return at + 5;
  if (html.startsWith("<!--->", at)) return at + 6;
  const ends = [html.indexOf("-->", at + 4), html.indexOf("--!>", at + 4)].filter((end) => end !== -1);
  if (ends.length === 0) return html.length;
  const end = Math.min(...ends);
  return end + (html.startsWith("-->", end) ? 3 : 4);
}

/** `html` with its event-handler and style attributes and its <style> elements renamed, so
 * that parsing it asks nothing of the Content Security Policy. Text is left as it is. */
export function defuse(html: string): string {
  const out: string[] = [];
  let index = 0;
  while (index < html.length) {
    const lt = html.indexOf("<", index);
    if (lt === -1) {
      out.push(html.slice(index));
      break;
    }
    out.push(html.slice(index, lt));
    index = lt;
    if (html.startsWith("<!--", lt)) {
      const stop = commentEnd(html, lt);
      out.push(html.slice(lt, stop));
      index = stop;
      continue;
    }
    const tag = /^<(\/?)([a-zA-Z][^\t\n\f\r />]*)/.exec(html.slice(lt, lt + 80));
    if (!tag) {
      out.push("<");
      index = lt + 1;
      continue;
    }
    const [whole, slash, name] = tag;
    const lower = name.toLowerCase();
    out.push(`<${slash}${lower === "style" ? MARK : ""}${name}`);
    index = defuseAttributes(html, lt + whole.length, out);
    if (!slash && RAW_TEXT.has(lower)) {
      const end = html.toLowerCase().indexOf(`</${lower}`, index);
      const stop = end === -1 ? html.length : end;
      out.push(html.slice(index, stop));
      index = stop;
    }
  }
  return out.join("");
}

function startTag(name: string, node: DomNode): string {
  const attributes = Array.from(node.attributes ?? [], (attribute) => ` ${unmark(attribute.name)}="${attribute.value}"`);
  return `<${name}${attributes.join("")}>`;
}

function push(into: PostNode[], node: PostNode): void {
  const last = into[into.length - 1];
  if (node.kind === "text") {
    if (!node.text) return;
    if (last?.kind === "text") {
      into[into.length - 1] = { kind: "text", text: last.text + node.text };
      return;
    }
  }
  into.push(node);
}

function walk(nodes: ArrayLike<DomNode>, into: PostNode[]): PostNode[] {
  for (const node of Array.from(nodes)) {
    if (node.nodeType === TEXT || node.nodeType === CDATA) {
      push(into, { kind: "text", text: node.nodeValue ?? "" });
      continue;
    }
    if (node.nodeType !== ELEMENT) continue; // comments, processing instructions
    const name = unmark(node.nodeName.toLowerCase());
    const attribute = (key: string) => node.getAttribute?.(key) ?? null;
    const tag = TAGS[name];
    if (tag) {
      push(into, { kind: "element", tag, children: walk(node.childNodes, []) });
    } else if (name === "span" && (attribute("class") ?? "").split(/\s+/).includes("tg-spoiler")) {
      push(into, { kind: "element", tag: "spoiler", children: walk(node.childNodes, []) });
    } else if (name === "a") {
      const href = (attribute("href") ?? "").trim();
      if (isPostLink(href)) push(into, { kind: "element", tag: "a", href, children: walk(node.childNodes, []) });
      else walk(node.childNodes, into);
    } else if (TRANSPARENT.has(name)) {
      walk(node.childNodes, into);
    } else {
      push(into, { kind: "text", text: startTag(name, node) });
      walk(node.childNodes, into);
      if (!VOID.has(name)) push(into, { kind: "text", text: `</${name}>` });
    }
  }
  return into;
}

/** The preview's tree of a parsed body. */
export function postTree(body: DomNode): PostNode[] {
  return walk(body.childNodes, []);
}

/** Parses with the browser: the text goes into a body of its own, so that no tag of it lands
 * in a head (a leading <style> or <script> would), and the preview keeps its order. */
export function parseInBrowser(html: string): DomNode {
  return new DOMParser().parseFromString(`<!doctype html><body>${html}`, "text/html").body;
}

/** The preview of a post's Telegram HTML. */
export function renderPostHtml(html: string, parse: (html: string) => DomNode = parseInBrowser): PostNode[] {
  return postTree(parse(defuse(html)));
}
