import { describe, expect, it } from "vitest";
import { I18n } from "../src/widget/i18n";
import { embedLocale, pickLocale } from "../src/widget/locale";
import { CATALOGUES } from "../src/widget/strings";

describe("pickLocale", () => {
  it("takes the first language the widget speaks, regional variants included", () => {
    expect(pickLocale(["ru-RU", "en"])).toBe("ru");
    expect(pickLocale(["de-DE", "en-GB", "ru"])).toBe("en");
    expect(pickLocale(["fr", "RU_ru"])).toBe("ru");
  });

  it("falls back to English", () => {
    expect(pickLocale([])).toBe("en");
    expect(pickLocale(["de", null, undefined, ""])).toBe("en");
  });
});

describe("embedLocale", () => {
  it("prefers data-locale over the browser's languages", () => {
    expect(embedLocale("ru", { languages: ["en-US"], language: "en-US" })).toBe("ru");
    expect(embedLocale("en", { languages: ["ru-RU"] })).toBe("en");
  });

  it("uses the browser's languages without data-locale, or with one it does not speak", () => {
    expect(embedLocale(null, { languages: ["ru-RU", "en"] })).toBe("ru");
    expect(embedLocale("de", { languages: ["de-DE", "ru"] })).toBe("ru");
    expect(embedLocale(undefined, { language: "en-US" })).toBe("en");
  });
});

describe("the catalogues", () => {
  it("have the same keys in Russian and English, none empty", () => {
    const en = CATALOGUES.en as Record<string, unknown>;
    const ru = CATALOGUES.ru as Record<string, unknown>;
    expect(Object.keys(ru).sort()).toEqual(Object.keys(en).sort());
    for (const [key, value] of Object.entries(ru)) {
      const forms = typeof value === "string" ? [value] : Object.values(value as object);
      for (const form of forms) expect(form, key).toMatch(/\S/);
    }
  });

  it("differ between the languages (nothing left untranslated)", () => {
    const en = CATALOGUES.en as Record<string, unknown>;
    const ru = CATALOGUES.ru as Record<string, unknown>;
    const same = Object.keys(en).filter((key) => JSON.stringify(en[key]) === JSON.stringify(ru[key]));
    expect(same).toEqual([]);
  });
});

describe("I18n", () => {
  it("fills placeholders", () => {
    expect(new I18n("en").t("typing", { name: "Olga" })).toBe("Olga is typing…");
    expect(new I18n("ru").t("typing", { name: "Ольга" })).toBe("Ольга печатает…");
  });

  it("chooses Russian plural forms by Intl.PluralRules", () => {
    const ru = new I18n("ru");
    expect(ru.tn("unread", 1)).toBe("1 непрочитанное сообщение");
    expect(ru.tn("unread", 3)).toBe("3 непрочитанных сообщения");
    expect(ru.tn("unread", 5)).toBe("5 непрочитанных сообщений");
    expect(ru.tn("unread", 21)).toBe("21 непрочитанное сообщение");
    const en = new I18n("en");
    expect(en.tn("unread", 1)).toBe("1 unread message");
    expect(en.tn("unread", 2)).toBe("2 unread messages");
  });

  it("formats numbers in placeholders through Intl", () => {
    expect(new I18n("en").t("queue", { n: 1234 })).toBe("Your place in the queue: 1,234");
    expect(new I18n("ru").t("queue", { n: 1234 })).toMatch(/^Ваше место в очереди: 1\s234$/);
  });

  it("names today and yesterday, and other days by date", () => {
    const now = new Date(2026, 10, 25, 15, 0);
    const en = new I18n("en");
    expect(en.formatDay(new Date(2026, 10, 25, 9, 0), now)).toBe("Today");
    expect(en.formatDay(new Date(2026, 10, 24, 23, 59), now)).toBe("Yesterday");
    expect(en.formatDay(new Date(2026, 10, 20), now)).toBe("November 20");
    expect(en.formatDay(new Date(2025, 0, 2), now)).toBe("January 2, 2025");
    const ru = new I18n("ru");
    expect(ru.formatDay(new Date(2026, 10, 25, 1, 0), now)).toBe("Сегодня");
    expect(ru.formatDay(new Date(2026, 10, 24), now)).toBe("Вчера");
    expect(ru.formatDay(new Date(2026, 10, 20), now)).toBe("20 ноября");
  });

  it("formats times by the locale", () => {
    const at = new Date(2026, 10, 25, 16, 5);
    expect(new I18n("ru").formatTime(at)).toBe("16:05");
    expect(new I18n("en").formatTime(at)).toMatch(/^4:05\sPM$/);
  });

  it("caps the badge at 99+", () => {
    const en = new I18n("en");
    expect(en.formatBadge(7)).toBe("7");
    expect(en.formatBadge(100)).toBe("99+");
  });
});

describe("formatReopening (when a closed inbox is back)", () => {
  // Monday 7 December 2026, 08:00 in Moscow
  const now = new Date("2026-12-07T05:00:00Z");
  const plain = (text: string) => text.replace(/\s/g, " ");

  it("says today, tomorrow, the weekday within a week, else the date, in English", () => {
    const en = new I18n("en", "Europe/Moscow");
    expect(plain(en.formatReopening(new Date("2026-12-07T06:00:00Z"), now))).toBe("We're back today at 9:00 AM");
    expect(plain(en.formatReopening(new Date("2026-12-08T06:00:00Z"), now))).toBe("We're back tomorrow at 9:00 AM");
    expect(plain(en.formatReopening(new Date("2026-12-11T06:00:00Z"), now))).toBe("We're back on Friday at 9:00 AM");
    expect(plain(en.formatReopening(new Date("2026-12-21T06:00:00Z"), now))).toBe("We're back on December 21 at 9:00 AM");
    expect(plain(en.formatReopening(new Date("2027-01-11T06:00:00Z"), now))).toBe("We're back on January 11, 2027 at 9:00 AM");
  });

  it("puts the weekday in the right case in Russian", () => {
    const ru = new I18n("ru", "Europe/Moscow");
    expect(ru.formatReopening(new Date("2026-12-07T06:00:00Z"), now)).toBe("Вернёмся сегодня в 9:00");
    expect(ru.formatReopening(new Date("2026-12-08T06:00:00Z"), now)).toBe("Вернёмся завтра в 9:00");
    expect(ru.formatReopening(new Date("2026-12-09T06:00:00Z"), now)).toBe("Вернёмся в среду в 9:00");
    expect(ru.formatReopening(new Date("2026-12-11T06:00:00Z"), now)).toBe("Вернёмся в пятницу в 9:00");
    expect(ru.formatReopening(new Date("2026-12-12T06:00:00Z"), now)).toBe("Вернёмся в субботу в 9:00");
    expect(ru.formatReopening(new Date("2026-12-21T06:00:00Z"), now)).toBe("Вернёмся 21 декабря в 9:00");
  });

  it("counts days and shows the time in the visitor's zone, not the inbox's", () => {
    const sundayEveningInNewYork = new Date("2026-12-07T03:00:00Z"); // Sunday 22:00 there
    const opening = new Date("2026-12-07T06:00:00Z"); // 09:00 in Moscow, 01:00 in New York
    const newYork = new I18n("en", "America/New_York");
    const moscow = new I18n("en", "Europe/Moscow");
    expect(plain(newYork.formatReopening(opening, sundayEveningInNewYork))).toBe("We're back tomorrow at 1:00 AM");
    expect(plain(moscow.formatReopening(opening, sundayEveningInNewYork))).toBe("We're back today at 9:00 AM");
  });

  it("has a weekday phrase for every day in both languages", () => {
    expect(CATALOGUES.en.onWeekday).toHaveLength(7);
    expect(CATALOGUES.ru.onWeekday).toHaveLength(7);
    expect(CATALOGUES.ru.onWeekday[2]).toBe("во вторник");
  });
});
