import { describe, expect, it } from "vitest";

import { change, formatDays, formatDuration, formatMoney, formatPointStart, formatRatio, formatValue, weekdayNames } from "../src/reports/format";
import { catalogue, setLocale, tn } from "../src/reports/i18n";

const plain = (text: string) => text.replace(/[\u00a0\u2009\u202f]/g, " ");

describe("durations", () => {
  it("shows the two largest units, in English and Russian", () => {
    expect(plain(formatDuration(125, "en"))).toBe("2 min 5 s");
    expect(plain(formatDuration(125, "ru"))).toBe("2 мин 5 с");
    expect(plain(formatDuration(660, "en"))).toBe("11 min");
    expect(plain(formatDuration(3660, "en"))).toBe("1 h 1 min");
    expect(plain(formatDuration(3600 * 26 + 59, "ru"))).toBe("1 д 2 ч");
    expect(plain(formatDuration(0.4, "en"))).toBe("0 s");
    expect(plain(formatDuration(44.6, "en"))).toBe("45 s");
  });
});

describe("changes against the previous period", () => {
  it("says the direction and whether it is for the better", () => {
    expect(change(12, 10, "up")).toEqual({ direction: "up", ratio: 0.2, good: true });
    expect(change(8, 10, "up")).toEqual({ direction: "down", ratio: -0.2, good: false });
    // A faster first response is good.
    expect(change(90, 120, "down")).toEqual({ direction: "down", ratio: -0.25, good: true });
    expect(change(150, 120, "down")).toEqual({ direction: "up", ratio: 0.25, good: false });
  });

  it("has no percent where there was nothing before", () => {
    expect(change(5, 0, "up")).toEqual({ direction: "new", ratio: null, good: null });
    expect(change(60, null, "down")).toEqual({ direction: "new", ratio: null, good: null });
    expect(change(0, 0, "up")).toEqual({ direction: "flat", ratio: null, good: null });
    expect(change(null, 30, "down")).toEqual({ direction: "none", ratio: null, good: null });
    expect(change(1000, 1001, "up").direction).toBe("flat");
  });

  it("writes the percent with its sign, the language's way", () => {
    expect(formatRatio(0.123, "en")).toBe("+12%");
    expect(plain(formatRatio(-0.05, "ru"))).toBe("-5 %");
  });
});

describe("values", () => {
  it("formats money in the account's currency", () => {
    expect(plain(formatMoney(1500.5, "RUB", "ru"))).toBe("1 500,50 ₽");
    expect(plain(formatMoney(1500.5, "EUR", "en"))).toBe("€1,500.50");
  });

  it("formats each kind of figure, and a dash for none", () => {
    expect(formatValue("rating", 3.5, "en", "RUB")).toBe("3.50");
    expect(formatValue("rating", 3.5, "ru", "RUB")).toBe("3,50");
    expect(formatValue("share", 0.5, "en", "RUB")).toBe("50%");
    expect(formatValue("count", 12345, "en", "RUB")).toBe("12,345");
    expect(formatValue("duration", null, "en", "RUB")).toBe("—");
  });

  it("names days in the report's time zone", () => {
    expect(formatPointStart("2026-11-01T21:00:00Z", "day", "Europe/Moscow", "en")).toBe("Nov 2");
    expect(formatPointStart("2026-11-01T21:00:00Z", "hour", "Europe/Moscow", "ru", false)).toBe("00:00");
    expect(plain(formatDays("2026-11-02", "2026-11-08", "en"))).toBe("Nov 2 – 8, 2026");
    expect(weekdayNames("en")[0]).toBe("Mon");
    expect(weekdayNames("ru", "long")[6]).toBe("воскресенье");
  });
});

describe("the catalogues", () => {
  it("have every key in Russian with the same placeholders", () => {
    const en = catalogue("en");
    const ru = catalogue("ru");
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(ru[key], key).toBeTruthy();
      expect(placeholders(ru[key]), key).toEqual(placeholders(en[key]));
    }
  });

  it("use Russian plurals", () => {
    setLocale("ru");
    expect([1, 3, 5, 21].map((count) => tn("plural.conversations", count))).toEqual(["1 диалог", "3 диалога", "5 диалогов", "21 диалог"]);
    setLocale("en");
    expect(tn("plural.conversations", 1)).toBe("1 conversation");
  });
});
