/** When a post is published (src/console/post-time.ts): the moment picked in the operator's own
 * time goes to the server as ISO 8601 with that moment's offset. */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { formatOffset, isFuture, isoToLocalInput, isoWithOffset, localInputToIso, suggestedTime } from "../src/console/post-time";

/** The browser's time zone, as Node takes it (TZ, read again when it changes). */
function inZone(name: string): void {
  vi.stubEnv("TZ", name);
}

beforeEach(() => inZone("Europe/Moscow"));
afterEach(() => vi.unstubAllEnvs());

describe("the operator's local time as ISO with its offset", () => {
  it("converts a picker's value in Moscow (UTC+3, no daylight saving)", () => {
    expect(localInputToIso("2026-03-01T14:30")).toBe("2026-03-01T14:30:00+03:00");
    expect(localInputToIso("2026-03-01T14:30:05")).toBe("2026-03-01T14:30:05+03:00");
    expect(Date.parse(localInputToIso("2026-03-01T14:30")!)).toBe(Date.parse("2026-03-01T11:30:00Z"));
  });

  it("uses the offset of the moment itself, across a daylight-saving change", () => {
    inZone("America/New_York");
    expect(localInputToIso("2026-01-15T09:00")).toBe("2026-01-15T09:00:00-05:00");
    expect(localInputToIso("2026-07-15T09:00")).toBe("2026-07-15T09:00:00-04:00");
    // 02:30 does not exist on 8 March 2026 there: the clocks jump from 02:00 to 03:00.
    expect(localInputToIso("2026-03-08T02:30")).toBe("2026-03-08T03:30:00-04:00");
  });

  it("writes offsets west, east and by half hours", () => {
    expect(formatOffset(-300)).toBe("-05:00");
    expect(formatOffset(180)).toBe("+03:00");
    expect(formatOffset(330)).toBe("+05:30");
    expect(formatOffset(0)).toBe("+00:00");
    inZone("Asia/Kolkata");
    expect(localInputToIso("2026-03-01T10:00")).toBe("2026-03-01T10:00:00+05:30");
  });

  it("refuses what is no date-time", () => {
    for (const value of ["", "2026-03-01", "14:30", "2026-02-30T10:00", "2026-13-01T10:00", "2026-03-01T24:00", "soon"]) expect(localInputToIso(value), value).toBeNull();
  });

  it("reads a moment back into the picker in local time", () => {
    expect(isoToLocalInput("2026-03-01T11:30:00Z")).toBe("2026-03-01T14:30:00");
    expect(isoToLocalInput("not a time")).toBe("");
    expect(localInputToIso(isoToLocalInput("2026-06-01T08:00:00+03:00"))).toBe("2026-06-01T08:00:00+03:00");
  });

  it("tells a moment in the future from one past", () => {
    const now = Date.parse("2026-03-01T11:30:00Z");
    expect(isFuture("2026-03-01T14:30:01+03:00", now)).toBe(true);
    expect(isFuture("2026-03-01T14:30:00+03:00", now)).toBe(false);
    expect(isFuture("2026-03-01T14:29:00+03:00", now)).toBe(false);
    expect(isFuture("nonsense", now)).toBe(false);
  });

  it("suggests the first full hour at least an hour away", () => {
    expect(suggestedTime(Date.parse("2026-03-01T11:10:00Z"))).toBe("2026-03-01T16:00:00");
    expect(suggestedTime(Date.parse("2026-03-01T11:00:00Z"))).toBe("2026-03-01T15:00:00");
    expect(isoWithOffset(new Date(Date.parse("2026-03-01T21:30:00Z")))).toBe("2026-03-02T00:30:00+03:00");
  });
});
