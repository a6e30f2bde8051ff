/** The one linkify of the widget and the console (src/shared/linkify.ts): which addresses
 * become links, and how each surface builds them. */
import { describe, expect, it } from "vitest";

import { bodySegments } from "../src/console/mentions";
import { appendBody, LINK_REL, linkSegments, safeHref } from "../src/shared/linkify";
import { FakeDocument, type FakeNode } from "./fakes";

const text = (value: string) => ({ kind: "text" as const, text: value });
const link = (value: string, href = value) => ({ kind: "link" as const, text: value, href });

describe("linkSegments: which addresses become links", () => {
  it("splits text and links, www ones made https, without the punctuation that ends the sentence", () => {
    const cases: [string, ReturnType<typeof linkSegments>][] = [
      [
        "see https://example.com/a?b=1, then www.shop.ru.",
        [text("see "), link("https://example.com/a?b=1"), text(", then "), link("www.shop.ru", "https://www.shop.ru/"), text(".")],
      ],
      [
        "See https://shop.example.com/orders?id=1. Or www.example.ru!",
        [text("See "), link("https://shop.example.com/orders?id=1"), text(". Or "), link("www.example.ru", "https://www.example.ru/"), text("!")],
      ],
    ];
    for (const [body, expected] of cases) expect(linkSegments(body), body).toEqual(expected);
  });

  it("leaves typographic quotes and an ellipsis after a link out of it", () => {
    expect(linkSegments("«https://a.example/x» “https://b.example/y” ‘https://c.example/z’ https://d.example/w…")).toEqual([
      text("«"),
      link("https://a.example/x"),
      text("» “"),
      link("https://b.example/y"),
      text("” ‘"),
      link("https://c.example/z"),
      text("’ "),
      link("https://d.example/w"),
      text("…"),
    ]);
  });

  it("keeps a bracket that belongs to the link", () => {
    expect(linkSegments("(https://en.wikipedia.org/wiki/Foo_(bar))")).toEqual([
      text("("),
      link("https://en.wikipedia.org/wiki/Foo_(bar)"),
      text(")"),
    ]);
  });

  it("never links another scheme, and leaves HTML as it is", () => {
    expect(linkSegments("javascript:alert(1)")).toEqual([text("javascript:alert(1)")]);
    expect(linkSegments("data:text/html,<script>")).toEqual([text("data:text/html,<script>")]);
    expect(bodySegments("javascript:alert(1) data:text/html,x").every((part) => part.kind === "text")).toBe(true);
    expect(linkSegments('<a href="https://x.y">x</a>')).toEqual([text('<a href="'), link("https://x.y", "https://x.y/"), text('">x</a>')]);
    expect(linkSegments('<img src=x onerror="alert(1)"><script>alert(2)</script>')).toEqual([
      text('<img src=x onerror="alert(1)"><script>alert(2)</script>'),
    ]);
  });

  it("does not let a link swallow quotes or angle brackets", () => {
    expect(linkSegments('"https://a.example/x"><b>')).toContainEqual(link("https://a.example/x"));
  });

  it("leaves emails, a bare www and a host without a dot as text", () => {
    expect(linkSegments("mail ann@example.com")).toEqual([text("mail ann@example.com")]);
    expect(linkSegments("www. and https://nodot/x")).toEqual([text("www. and https://nodot/x")]);
    expect(linkSegments("")).toEqual([]);
  });
});

describe("safeHref: what a link may point at", () => {
  it("takes http(s) on a domain or localhost, and gives www https", () => {
    expect(safeHref("https://ok.example/")).toBe("https://ok.example/");
    expect(safeHref("http://localhost:8000/x")).toBe("http://localhost:8000/x");
    expect(safeHref("WWW.example.com/a")).toBe("https://www.example.com/a");
  });

  it("refuses other schemes, hosts without a dot and what is not a URL", () => {
    expect(safeHref("javascript:alert(1)")).toBeNull();
    expect(safeHref("JavaScript:alert(1)")).toBeNull();
    expect(safeHref("data:text/html,x")).toBeNull();
    expect(safeHref("ftp://x.y")).toBeNull();
    expect(safeHref("https://nodot")).toBeNull();
    expect(safeHref("not a url")).toBeNull();
  });
});

describe("the widget: a body built as text nodes and anchors", () => {
  function built(body: string): FakeNode {
    const parent = new FakeDocument().createElement("div");
    appendBody(parent as unknown as HTMLElement, body);
    return parent;
  }

  it("makes a text node of the text and an anchor, opening apart, of the link", () => {
    const parent = built("see https://example.com/a?b=1.");
    expect(parent.children.map((node) => [node.tag, node.textContent])).toEqual([
      ["#text", "see "],
      ["a", "https://example.com/a?b=1"],
      ["#text", "."],
    ]);
    expect(parent.children[1].props).toEqual({ href: "https://example.com/a?b=1", target: "_blank", rel: "noopener noreferrer nofollow ugc" });
  });

  it("puts markup into a text node, never into innerHTML (the fake throws on it)", () => {
    const parent = built("<img src=x onerror=alert(1)> javascript:alert(2)");
    expect(parent.children.map((node) => node.tag)).toEqual(["#text"]);
    expect(parent.children[0].textContent).toBe("<img src=x onerror=alert(1)> javascript:alert(2)");
  });
});

describe("the console: a body as text, links and mentions", () => {
  it("gives the same links as the widget, marked with the same rel", () => {
    const body = "(https://en.wikipedia.org/wiki/Foo_(bar)) and https://nodot/ and “www.example.ru”";
    expect(bodySegments(body)).toEqual(linkSegments(body));
    expect(LINK_REL).toBe("noopener noreferrer nofollow ugc");
  });

  it("marks known mentions only", () => {
    expect(bodySegments("@sam look, @ghost too", new Set(["sam"]))).toEqual([
      { kind: "mention", text: "@sam", username: "sam" },
      text(" look, @ghost too"),
    ]);
  });

  it("finds mentions around links, never inside one, and keeps the text between them", () => {
    expect(bodySegments("cc @Sam: https://a.example/@sam then @sam.", new Set(["sam"]))).toEqual([
      text("cc "),
      { kind: "mention", text: "@Sam", username: "Sam" },
      text(": "),
      link("https://a.example/@sam"),
      text(" then "),
      { kind: "mention", text: "@sam", username: "sam" },
      text("."),
    ]);
  });
});
