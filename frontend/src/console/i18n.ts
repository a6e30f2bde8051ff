/** The console's strings and Intl formatting. Every string the console shows comes from here,
 * from the catalogues in strings-en.ts and strings-ru.ts (the Russian one is typed against the
 * English one, so a missing key does not compile). The language is the operator's choice (kept
 * in this browser), else the browser's. */

import { en, enPlurals, type Key, type PluralKey } from "./strings-en";
import { ru, ruPlurals } from "./strings-ru";
import { Strings } from "../shared/catalogue";
import { detectLocale, isLocale, LOCALES, type Locale } from "../shared/locale";

export type { Key, PluralKey };

export { detectLocale, isLocale, LOCALES, type Locale };

const strings = new Strings<Key, PluralKey>({ en, ru }, { en: enPlurals, ru: ruPlurals });

export const { setLocale, getLocale, t, tn, catalogue, formatNumber } = strings;

/** Every key of the English catalogue (for tests). */
export function keys(): Key[] {
  return Object.keys(en) as Key[];
}

// --- Intl -------------------------------------------------------------------------------------

const formatters = new Map<string, Intl.DateTimeFormat>();

function dateFormat(options: Intl.DateTimeFormatOptions, timeZone?: string): Intl.DateTimeFormat {
  const id = `${getLocale()}|${timeZone ?? ""}|${JSON.stringify(options)}`;
  let format = formatters.get(id);
  if (!format) {
    format = new Intl.DateTimeFormat(getLocale(), { ...options, ...(timeZone ? { timeZone } : {}) });
    formatters.set(id, format);
  }
  return format;
}

/** An amount (a decimal string) in `currency`; the bare number where Intl does not know it. */
export function formatMoney(amount: string, currency: string): string {
  const value = Number(amount);
  try {
    return new Intl.NumberFormat(getLocale(), { style: "currency", currency }).format(value);
  } catch {
    return `${new Intl.NumberFormat(getLocale(), { minimumFractionDigits: 2 }).format(value)} ${currency}`;
  }
}

export function formatTime(iso: string, timeZone?: string): string {
  return dateFormat({ hour: "2-digit", minute: "2-digit" }, timeZone).format(new Date(iso));
}

export function formatDateTime(iso: string, timeZone?: string): string {
  return dateFormat({ dateStyle: "medium", timeStyle: "short" }, timeZone).format(new Date(iso));
}

function dayStart(date: Date, timeZone?: string): string {
  return dateFormat({ year: "numeric", month: "2-digit", day: "2-digit" }, timeZone).format(date);
}

/** "Today", "Yesterday" or the date, for the separators between days of messages. */
export function formatDay(iso: string, now: number, timeZone?: string): string {
  const date = new Date(iso);
  const today = new Date(now);
  if (dayStart(date, timeZone) === dayStart(today, timeZone)) return t("time.today");
  if (dayStart(date, timeZone) === dayStart(new Date(now - 86_400_000), timeZone)) return t("time.yesterday");
  const sameYear = date.getUTCFullYear() === today.getUTCFullYear();
  return dateFormat(sameYear ? { day: "numeric", month: "long" } : { day: "numeric", month: "long", year: "numeric" }, timeZone).format(date);
}

/** A short age for list rows: "now", "5 min ago"-style, then the date. */
export function formatRelative(iso: string, now: number, timeZone?: string): string {
  const seconds = Math.round((now - Date.parse(iso)) / 1000);
  if (seconds < 45) return t("time.now");
  const relative = new Intl.RelativeTimeFormat(getLocale(), { numeric: "auto", style: "short" });
  if (seconds < 3600) return relative.format(-Math.max(1, Math.round(seconds / 60)), "minute");
  if (seconds < 86_400) return relative.format(-Math.round(seconds / 3600), "hour");
  if (seconds < 7 * 86_400) return relative.format(-Math.round(seconds / 86_400), "day");
  return dateFormat({ day: "numeric", month: "short" }, timeZone).format(new Date(iso));
}
