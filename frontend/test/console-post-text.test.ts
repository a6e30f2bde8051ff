/** A post's text as the operator writes it (src/console/post-text.ts): the characters it shows,
 * counted as the server counts them; the formatting buttons' wrap of the selection; links. */
import { describe, expect, it } from "vitest";

import { FORMAT_TAGS, isPostLink, linkTags, plainText, visibleLength, visibleText, wrapSelection } from "../src/console/post-text";

describe("the counter counts the characters a post shows", () => {
  it("leaves the tags out and counts an entity as the one character it stands for", () => {
    expect(visibleLength("<b>Sale</b> today")).toBe(10);
    expect(visibleLength('<a href="https://shop.example.com/very/long/address">Shop</a>')).toBe(4);
    expect(visibleLength("1 &lt; 2 &amp;&amp; 3 &gt; 2 &quot;ok&quot; &#169; &#x1F600;")).toBe(23);
    expect(visibleText("&#x1F600;")).toBe("😀");
  });

  it("counts letters outside the basic plane once, as the server does (code points)", () => {
    expect(visibleLength("<i>привет</i> 👋🏽")).toBe(9);
  });

  it("counts what only looks like markup as characters", () => {
    expect(visibleLength("a < b, 5 <3, & so on &unknown;")).toBe(30);
    expect(visibleLength("<b")).toBe(2);
    expect(visibleLength('<a href="x>y">z</a>')).toBe(1);
  });

  it("leaves comments out, and counts line breaks", () => {
    expect(visibleLength("a<!-- hidden -->b\nc")).toBe(4);
  });

  it("counts a post at the limit exactly", () => {
    expect(visibleLength(`<b>${"x".repeat(4096)}</b>`)).toBe(4096);
  });

  it("gives the list the words on one line", () => {
    expect(plainText("<b>Big</b>\n\n<i>sale</i>   &amp; more ")).toBe("Big sale & more");
  });
});

describe("the formatting buttons wrap the selection in Telegram's tags", () => {
  const [open, close] = FORMAT_TAGS.bold;

  it("wraps the selected words and keeps them selected", () => {
    expect(wrapSelection("Big sale today", 4, 8, open, close)).toEqual({ text: "Big <b>sale</b> today", start: 7, end: 11 });
  });

  it("takes a selection made backwards", () => {
    expect(wrapSelection("Big sale today", 8, 4, open, close)).toEqual({ text: "Big <b>sale</b> today", start: 7, end: 11 });
  });

  it("puts the tags at the caret when nothing is selected, the caret between them", () => {
    expect(wrapSelection("Big ", 4, 4, "<i>", "</i>")).toEqual({ text: "Big <i></i>", start: 7, end: 7 });
  });

  it("unwraps words already wrapped in those tags, whether the tags are selected or not", () => {
    expect(wrapSelection("Big <b>sale</b> today", 7, 11, open, close)).toEqual({ text: "Big sale today", start: 4, end: 8 });
    expect(wrapSelection("Big <b>sale</b> today", 4, 15, open, close)).toEqual({ text: "Big sale today", start: 4, end: 8 });
  });

  it("wraps, rather than unwraps, in another format", () => {
    expect(wrapSelection("Big <b>sale</b> today", 7, 11, "<i>", "</i>")).toEqual({ text: "Big <b><i>sale</i></b> today", start: 10, end: 14 });
  });

  it("keeps a selection past the end within the text", () => {
    expect(wrapSelection("abc", 1, 99, "<s>", "</s>")).toEqual({ text: "a<s>bc</s>", start: 4, end: 6 });
  });

  it("has Telegram's tag for each button", () => {
    expect(FORMAT_TAGS).toEqual({
      bold: ["<b>", "</b>"],
      italic: ["<i>", "</i>"],
      underline: ["<u>", "</u>"],
      strike: ["<s>", "</s>"],
      spoiler: ["<tg-spoiler>", "</tg-spoiler>"],
      code: ["<code>", "</code>"],
    });
  });
});

describe("links", () => {
  it("takes http(s) addresses with a host and tg:// ones, as the server does", () => {
    for (const url of ["https://shop.example.com/sale", "http://shop.example.com", "tg://resolve?domain=shop", " https://a.example "]) expect(isPostLink(url), url).toBe(true);
    for (const url of ["javascript:alert(1)", "data:text/html,x", "ftp://x.example", "shop.example.com", "https://", "/sale", "mailto:a@b.c", ""]) {
      expect(isPostLink(url), url).toBe(false);
    }
  });

  it("writes a link's address as an attribute that cannot break out", () => {
    expect(linkTags(' https://a.example/?q="x"&y=<1> ')).toEqual(['<a href="https://a.example/?q=&quot;x&quot;&amp;y=&lt;1&gt;">', "</a>"]);
  });
});
