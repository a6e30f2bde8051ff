import { describe, expect, it } from "vitest";

import { safeHref, segments } from "../src/console/linkify";

describe("message bodies as text, links and mentions", () => {
  it("keeps markup as plain text", () => {
    expect(segments('<img src=x onerror="alert(1)"><script>alert(2)</script>')).toEqual([
      { kind: "text", text: '<img src=x onerror="alert(1)"><script>alert(2)</script>' },
    ]);
  });

  it("makes http(s) and www links, without trailing punctuation", () => {
    expect(segments("See https://shop.example.com/orders?id=1. Or www.example.ru!")).toEqual([
      { kind: "text", text: "See " },
      { kind: "link", text: "https://shop.example.com/orders?id=1", href: "https://shop.example.com/orders?id=1" },
      { kind: "text", text: ". Or " },
      { kind: "link", text: "www.example.ru", href: "https://www.example.ru/" },
      { kind: "text", text: "!" },
    ]);
  });

  it("never links another scheme", () => {
    expect(segments("javascript:alert(1) data:text/html,x").every((part) => part.kind === "text")).toBe(true);
    expect(safeHref("javascript:alert(1)")).toBeNull();
    expect(safeHref("https://ok.example/")).toBe("https://ok.example/");
  });

  it("does not let a link swallow quotes or angle brackets", () => {
    const parts = segments('"https://a.example/x"><b>');
    expect(parts).toContainEqual({ kind: "link", text: "https://a.example/x", href: "https://a.example/x" });
  });

  it("marks known mentions only", () => {
    expect(segments("@sam look, @ghost too", new Set(["sam"]))).toEqual([
      { kind: "mention", text: "@sam", username: "sam" },
      { kind: "text", text: " look, @ghost too" },
    ]);
  });
});
