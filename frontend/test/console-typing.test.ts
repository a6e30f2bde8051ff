import { describe, expect, it } from "vitest";

import { TYPING_TTL_MS, TypingIndicators } from "../src/console/typing";
import { ME } from "./console-fixtures";

const T0 = 1_000_000;
const typing = (conversation: unknown, author: unknown, active: unknown = true, extra: Record<string, unknown> = {}) => ({
  type: "typing",
  conversation,
  author,
  active,
  ...extra,
});

describe("console typing indicators", () => {
  it("shows the contact and colleagues typing, each once, a note marked private", () => {
    const indicators = new TypingIndicators();
    indicators.apply(typing(1, { kind: "visitor", name: "Maria" }), ME.id, T0);
    indicators.apply(typing(1, { kind: "operator", id: 8, name: "Alex" }, true, { private: true }), ME.id, T0);
    indicators.apply(typing(1, { kind: "visitor", name: "Maria" }), ME.id, T0 + 1000);
    expect(indicators.in(1, T0 + 1000).map((entry) => [entry.key, entry.name, entry.private])).toEqual([
      ["operator:8", "Alex", true],
      ["visitor", "Maria", false],
    ]);
  });

  it("ends an indicator by frame or by key, and forgets the conversation when none is left", () => {
    const indicators = new TypingIndicators();
    indicators.apply(typing(1, { kind: "visitor" }), ME.id, T0);
    indicators.apply(typing(1, { kind: "operator", id: 8 }), ME.id, T0);
    indicators.apply(typing(1, { kind: "visitor" }, false), ME.id, T0);
    expect(indicators.in(1, T0).map((entry) => entry.key)).toEqual(["operator:8"]);
    indicators.clear(1, "operator:8");
    expect(indicators.byConversation.has(1)).toBe(false);
  });

  it("expires an indicator not renewed, saying whether anything expired", () => {
    const indicators = new TypingIndicators();
    indicators.apply(typing(1, { kind: "visitor" }), ME.id, T0);
    expect(indicators.in(1, T0 + TYPING_TTL_MS)).toEqual([]);
    expect(indicators.expire(T0 + TYPING_TTL_MS - 1)).toBe(false);
    expect(indicators.expire(T0 + TYPING_TTL_MS)).toBe(true);
    expect(indicators.byConversation.size).toBe(0);
  });

  it("ignores the operator's own echo and malformed frames", () => {
    const indicators = new TypingIndicators();
    indicators.apply(typing(1, { kind: "operator", id: ME.id }), ME.id, T0);
    indicators.apply(typing("1", { kind: "visitor" }), ME.id, T0);
    indicators.apply(typing(1, null), ME.id, T0);
    indicators.apply(typing(1, { name: "no kind" }), ME.id, T0);
    expect(indicators.byConversation.size).toBe(0);
  });
});
