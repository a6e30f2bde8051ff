/** A small HTML parser for tests that run without a browser: it builds the nodes a browser's
 * DOMParser builds for the simple markup the tests use (elements with attributes, void
 * elements, raw text in <script> and <style>, comments, the common entities), as the DomNode
 * the preview's walk reads (src/console/post-html.ts). */

import type { DomNode } from "../src/console/post-html";

export class FakeNode implements DomNode {
  readonly childNodes: FakeNode[] = [];
  readonly attributes: Array<{ name: string; value: string }> = [];

  constructor(
    readonly nodeType: number,
    readonly nodeName: string,
    readonly nodeValue: string | null = null,
  ) {}

  getAttribute(name: string): string | null {
    return this.attributes.find((attribute) => attribute.name === name)?.value ?? null;
  }
}

const VOID = new Set(["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"]);
const RAW = new Set(["script", "style", "textarea", "title"]);
const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" };
const ATTRIBUTE = /([^\s"'=<>/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;

function decode(text: string): string {
  return text.replace(/&(#\d+|#x[\da-f]+|[a-z]+);/gi, (whole, body: string) => {
    if (body[0] === "#") return String.fromCodePoint(body[1] === "x" || body[1] === "X" ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10));
    return ENTITIES[body.toLowerCase()] ?? whole;
  });
}

/** The body that `html` parses into. */
export function parseFakeHtml(html: string): FakeNode {
  const body = new FakeNode(1, "BODY");
  const stack: FakeNode[] = [body];
  const top = () => stack[stack.length - 1];
  const text = (value: string) => {
    if (value) top().childNodes.push(new FakeNode(3, "#text", decode(value)));
  };
  let index = 0;
  while (index < html.length) {
    const lt = html.indexOf("<", index);
    if (lt === -1) {
      text(html.slice(index));
      break;
    }
    text(html.slice(index, lt));
    if (html.startsWith("<!--", lt)) {
      const end = html.indexOf("-->", lt + 4);
      const stop = end === -1 ? html.length : end;
      top().childNodes.push(new FakeNode(8, "#comment", html.slice(lt + 4, stop)));
      index = end === -1 ? html.length : end + 3;
      continue;
    }
    const close = /^<\/([a-zA-Z][\w-]*)\s*>/.exec(html.slice(lt));
    if (close) {
      const name = close[1].toUpperCase();
      const at = stack.map((node) => node.nodeName).lastIndexOf(name);
      if (at > 0) stack.length = at;
      index = lt + close[0].length;
      continue;
    }
    const open = /^<([a-zA-Z][\w-]*)((?:\s+[^\s"'=<>/]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*(\/?)>/.exec(html.slice(lt));
    if (!open) {
      text("<");
      index = lt + 1;
      continue;
    }
    const name = open[1].toLowerCase();
    const element = new FakeNode(1, name.toUpperCase());
    for (const match of open[2].matchAll(ATTRIBUTE)) {
      element.attributes.push({ name: match[1].toLowerCase(), value: decode(match[2] ?? match[3] ?? match[4] ?? "") });
    }
    top().childNodes.push(element);
    index = lt + open[0].length;
    if (RAW.has(name)) {
      const end = html.toLowerCase().indexOf(`</${name}`, index);
      const stop = end === -1 ? html.length : end;
      if (stop > index) element.childNodes.push(new FakeNode(3, "#text", html.slice(index, stop)));
      const after = end === -1 ? -1 : html.indexOf(">", end);
      index = after === -1 ? html.length : after + 1;
    } else if (!VOID.has(name) && !open[3]) {
      stack.push(element);
    }
  }
  return body;
}
