/** The preview of a channel post (src/console/post-html.ts): Telegram's tags are kept, without
 * their attributes; links keep only an http(s) or tg:// address; anything else is shown as the
 * words it was typed as, and nothing is left to run. The parse here is test/fake-html.ts (the
 * tests run without a browser); the browser test drives the real DOMParser. */
import { describe, expect, it } from "vitest";

import { defuse, type PostNode, type PostTag, postTree, renderPostHtml } from "../src/console/post-html";
import { isPostLink } from "../src/console/post-text";
import { parseFakeHtml } from "./fake-html";

const render = (html: string) => renderPostHtml(html, parseFakeHtml);
const text = (value: string): PostNode => ({ kind: "text", text: value });
const el = (tag: PostTag, children: PostNode[], href?: string): PostNode => (href === undefined ? { kind: "element", tag, children } : { kind: "element", tag, href, children });

const ALLOWED: PostTag[] = ["b", "i", "u", "s", "spoiler", "code", "pre", "blockquote", "a"];

/** Every element of a tree, depth first. */
function elements(nodes: PostNode[]): Array<Extract<PostNode, { kind: "element" }>> {
  return nodes.flatMap((node) => (node.kind === "element" ? [node, ...elements(node.children)] : []));
}

describe("the preview of a post keeps Telegram's formatting", () => {
  it("keeps each tag Telegram knows, under the one name the preview draws", () => {
    expect(render("<b>b</b><strong>st</strong><i>i</i><em>em</em><u>u</u><ins>ins</ins><s>s</s><strike>k</strike><del>d</del>")).toEqual([
      el("b", [text("b")]),
      el("b", [text("st")]),
      el("i", [text("i")]),
      el("i", [text("em")]),
      el("u", [text("u")]),
      el("u", [text("ins")]),
      el("s", [text("s")]),
      el("s", [text("k")]),
      el("s", [text("d")]),
    ]);
    expect(render('<tg-spoiler>a</tg-spoiler> <span class="tg-spoiler">b</span> <code>c</code><pre>p</pre><blockquote>q</blockquote>')).toEqual([
      el("spoiler", [text("a")]),
      text(" "),
      el("spoiler", [text("b")]),
      text(" "),
      el("code", [text("c")]),
      el("pre", [text("p")]),
      el("blockquote", [text("q")]),
    ]);
  });

  it("nests, and keeps the words and line breaks between the tags as they are", () => {
    expect(render("Sale!\n<b>Up to <i>50%</i></b> off &lt;today&gt; &amp; tomorrow")).toEqual([
      text("Sale!\n"),
      el("b", [text("Up to "), el("i", [text("50%")])]),
      text(" off <today> & tomorrow"),
    ]);
  });

  it("keeps links to http(s) and tg:// addresses, and only their address", () => {
    expect(render('<a href="https://shop.example.com/sale?a=1&amp;b=2" target="_top" onclick="steal()">Shop</a> <a href="tg://resolve?domain=shop">bot</a>')).toEqual([
      el("a", [text("Shop")], "https://shop.example.com/sale?a=1&b=2"),
      text(" "),
      el("a", [text("bot")], "tg://resolve?domain=shop"),
    ]);
  });

  it("drops the attributes of the tags it keeps", () => {
    expect(render('<b onclick="steal()" style="color:red" class="x">hi</b>')).toEqual([el("b", [text("hi")])]);
  });

  it("shows a link to any other address as its words, without the link", () => {
    for (const href of ["javascript:alert(1)", " JaVaScRiPt:alert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:x", "/relative", "https://", ""]) {
      expect(render(`<a href="${href.replace(/"/g, "&quot;")}"><b>click</b> me</a>`), href).toEqual([el("b", [text("click")]), text(" me")]);
    }
    expect(render("<a>bare</a>")).toEqual([text("bare")]);
  });

  it("shows a script as the words it was typed as: nothing to run", () => {
    expect(render("<script>alert(1)</script>after")).toEqual([text("<script>alert(1)</script>after")]);
    expect(render("<style>body{display:none}</style>")).toEqual([text("<style>body{display:none}</style>")]);
  });

  it("shows an image, an iframe or a form as text, with their attributes as words", () => {
    expect(render('<img src="x" onerror="alert(1)">hi')).toEqual([text('<img src="x" onerror="alert(1)">hi')]);
    expect(render('<iframe src="https://evil.example"></iframe><p onclick="x()">para</p>')).toEqual([
      text('<iframe src="https://evil.example"></iframe><p onclick="x()">para</p>'),
    ]);
    expect(render('<svg onload="alert(1)"><b>in</b></svg>')).toEqual([text('<svg onload="alert(1)">'), el("b", [text("in")]), text("</svg>")]);
  });

  it("keeps what is inside a span that is no spoiler and a custom emoji, without them", () => {
    expect(render('<span>plain</span> <span class="red">red</span> <tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>')).toEqual([text("plain red 👍")]);
  });

  it("leaves comments out", () => {
    expect(render("a<!-- note -->b")).toEqual([text("ab")]);
  });

  it("never builds an element Telegram does not draw, nor a link it would not take", () => {
    const nasty = [
      '<a href="javascript:alert(1)"><img src=x onerror=alert(1)></a>',
      '<b><a href="https://ok.example" onmouseover="x()">ok</a><script>x()</script></b>',
      '<object data="x"></object><embed src="x"><link rel="import" href="x"><meta http-equiv="refresh" content="0;url=javascript:x">',
      "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math><base href=\"https://evil.example/\">",
      '<blockquote expandable><pre><code class="language-js">1 &lt; 2</code></pre></blockquote>',
    ];
    for (const html of nasty) {
      for (const node of elements(render(html))) {
        expect(ALLOWED, html).toContain(node.tag);
        if (node.tag === "a") expect(isPostLink(node.href ?? ""), html).toBe(true);
        else expect(node.href, html).toBeUndefined();
      }
    }
  });
});

describe("before the parse, what the Content Security Policy would refuse is renamed", () => {
  it("renames event-handler and style attributes wherever the tokenizer would see them", () => {
    expect(defuse('<img src="x"onerror=alert(1)>')).toBe('<img src="x"x-tg-inert-onerror=alert(1)>');
    expect(defuse("<img/onerror=alert(1)>")).toBe("<img/x-tg-inert-onerror=alert(1)>");
    expect(defuse("<b a=x onclick=y\nOnMouseOver='z' Style=\"color:red\">t</b>")).toBe(
      "<b a=x x-tg-inert-onclick=y\nx-tg-inert-OnMouseOver='z' x-tg-inert-Style=\"color:red\">t</b>",
    );
    expect(defuse("<style>b{}</style>")).toBe("<x-tg-inert-style>b{}</x-tg-inert-style>");
  });

  it("leaves text, attribute values, comments and raw text alone", () => {
    for (const html of [
      "on=1 style=2 onclick",
      '<b title="x onclick=y style=z">t</b>',
      "<!-- <b onclick=x> -->",
      '<script>"<b onclick=x>"</script>',
      "a < b onclick=1",
      "<textarea><i style=x></textarea>",
    ]) {
      expect(defuse(html), html).toBe(html);
    }
  });

  it("changes nothing the preview shows", () => {
    for (const html of [
      '<img src=x onerror="alert(1)">hi',
      '<b onclick="x()" style="color:red">bold</b>',
      "<style>body{display:none}</style>",
      '<svg onload="alert(1)"><b>in</b></svg>',
      '<a href="https://ok.example" onclick=x>ok</a>',
      "<p style='x'>p</p>",
    ]) {
      expect(render(html), html).toEqual(postTree(parseFakeHtml(html)));
    }
  });
});
