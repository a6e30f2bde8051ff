import { afterEach, describe, expect, it } from "vitest";

import { catalogue, detectLocale, formatDay, formatRelative, formatTime, keys, setLocale, t, tn } from "../src/console/i18n";

afterEach(() => setLocale("en"));

describe("i18n", () => {
  it("has every key in Russian, non-empty, with the same placeholders", () => {
    const en = catalogue("en");
    const ru = catalogue("ru");
    for (const key of keys()) {
      expect(ru[key], key).toBeTruthy();
      const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();
      expect(placeholders(ru[key]), key).toEqual(placeholders(en[key]));
    }
  });

  it("translates the Russian catalogue (not a copy of the English one)", () => {
    const ru = catalogue("ru");
    const en = catalogue("en");
    const same = keys().filter((key) => ru[key] === en[key]);
    expect(same.sort()).toEqual(["channel.api", "channel.telegram", "contact.vip", "locale.en", "locale.ru"]);
  });

  it("picks the stored choice, then the browser's languages, then English", () => {
    expect(detectLocale(["ru-RU", "en"], null)).toBe("ru");
    expect(detectLocale(["de-DE", "en-GB"], null)).toBe("en");
    expect(detectLocale(["de"], null)).toBe("en");
    expect(detectLocale(["ru"], "en")).toBe("en");
    expect(detectLocale(["en"], "xx")).toBe("en");
  });

  it("fills parameters and switches language", () => {
    expect(t("typing.one", { name: "Maria" })).toBe("Maria is typing…");
    setLocale("ru");
    expect(t("typing.one", { name: "Мария" })).toBe("Мария печатает…");
  });

  it("has the one, few and many forms of every Russian plural", () => {
    setLocale("ru");
    for (const key of ["plural.unread", "plural.unreadConversations", "plural.conversations"] as const) {
      expect(tn(key, 1)).toMatch(/^1 /);
      expect(tn(key, 2)).not.toBe(tn(key, 5).replace("5", "2"));
    }
  });

  it("uses Russian plural forms", () => {
    setLocale("ru");
    expect(tn("plural.conversations", 1)).toBe("1 диалог");
    expect(tn("plural.conversations", 3)).toBe("3 диалога");
    expect(tn("plural.conversations", 5)).toBe("5 диалогов");
    expect(tn("plural.conversations", 21)).toBe("21 диалог");
    setLocale("en");
    expect(tn("plural.conversations", 1)).toBe("1 conversation");
    expect(tn("plural.conversations", 2)).toBe("2 conversations");
  });

  it("formats dates and times through Intl in the chosen language", () => {
    const now = Date.parse("2026-11-25T12:00:00Z");
    expect(formatTime("2026-11-25T09:05:00Z", "UTC")).toMatch(/09:05/);
    expect(formatDay("2026-11-25T09:05:00Z", now, "UTC")).toBe("Today");
    expect(formatDay("2026-11-24T09:05:00Z", now, "UTC")).toBe("Yesterday");
    expect(formatRelative("2026-11-25T11:59:50Z", now)).toBe("now");
    setLocale("ru");
    expect(formatDay("2026-11-25T09:05:00Z", now, "UTC")).toBe("Сегодня");
    expect(formatDay("2026-03-08T09:05:00Z", now, "UTC")).toBe("8 марта");
    expect(formatRelative("2026-11-25T11:55:00Z", now)).toBe("5 мин. назад");
    setLocale("en");
    expect(formatRelative("2026-11-25T11:55:00Z", now)).toBe("5 min. ago");
  });
});
