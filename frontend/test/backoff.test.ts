import { describe, expect, it } from "vitest";
import { backoffDelay } from "../src/protocol/backoff";

describe("backoffDelay", () => {
  const options = { initialMs: 500, maxMs: 30_000, factor: 2, jitter: 0.5 };

  it("grows exponentially without jitter", () => {
    const none = () => 0;
    expect([0, 1, 2, 3].map((a) => backoffDelay(a, options, none))).toEqual([500, 1000, 2000, 4000]);
  });

  it("is capped", () => {
    expect(backoffDelay(30, options, () => 0)).toBe(30_000);
  });

  it("takes away up to the jitter share at random", () => {
    expect(backoffDelay(1, options, () => 1)).toBe(500);
    expect(backoffDelay(1, options, () => 0.5)).toBe(750);
  });
});
