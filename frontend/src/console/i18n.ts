/** The console's strings and Intl formatting. Every string the console shows comes from here,
 * from the catalogues in strings-en.ts and strings-ru.ts (the Russian one is typed against the
 * English one, so a missing key does not compile). The language is the operator's choice (kept
 * in this browser), else the browser's. */

import { en, enPlurals, type Key, type PluralForms, type PluralKey } from "./strings-en";
import { ru, ruPlurals } from "./strings-ru";

export type { Key, PluralKey };

export type Locale = "en" | "ru";
export const LOCALES: Locale[] = ["en", "ru"];

const catalogues: Record<Locale, Record<Key, string>> = { en, ru };
const plurals: Record<Locale, Record<PluralKey, PluralForms>> = { en: enPlurals, ru: ruPlurals };

let current: Locale = "en";

export function setLocale(locale: Locale): void {
  current = locale;
}

export function getLocale(): Locale {
  return current;
}

export function isLocale(value: unknown): value is Locale {
  return value === "en" || value === "ru";
}

/** The stored choice if any, else the first of the browser's languages we have, else English. */
export function detectLocale(languages: readonly string[], stored: string | null): Locale {
  if (isLocale(stored)) return stored;
  for (const language of languages) {
    const base = language.toLowerCase().split("-")[0];
    if (isLocale(base)) return base;
  }
  return "en";
}

function fill(template: string, params?: Record<string, string | number>): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? formatParam(params[name]) : whole,
  );
}

function formatParam(value: string | number): string {
  return typeof value === "number" ? formatNumber(value) : value;
}

export function t(key: Key, params?: Record<string, string | number>): string {
  return fill(catalogues[current][key] ?? en[key], params);
}

export function tn(key: PluralKey, count: number, params?: Record<string, string | number>): string {
  const forms = plurals[current][key];
  const rule = new Intl.PluralRules(current).select(count);
  return fill(forms[rule] ?? forms.other, { count, ...params });
}

/** Every key of the English catalogue (for tests). */
export function keys(): Key[] {
  return Object.keys(en) as Key[];
}

export function catalogue(locale: Locale): Record<Key, string> {
  return catalogues[locale];
}

// --- Intl -------------------------------------------------------------------------------------

const formatters = new Map<string, Intl.DateTimeFormat>();

function dateFormat(options: Intl.DateTimeFormatOptions, timeZone?: string): Intl.DateTimeFormat {
  const id = `${current}|${timeZone ?? ""}|${JSON.stringify(options)}`;
  let format = formatters.get(id);
  if (!format) {
    format = new Intl.DateTimeFormat(current, { ...options, ...(timeZone ? { timeZone } : {}) });
    formatters.set(id, format);
  }
  return format;
}

export function formatNumber(value: number): string {
  return new Intl.NumberFormat(current).format(value);
}

/** An amount (a decimal string) in `currency`; the bare number where Intl does not know it. */
export function formatMoney(amount: string, currency: string): string {
  const value = Number(amount);
  try {
    return new Intl.NumberFormat(current, { style: "currency", currency }).format(value);
  } catch {
    return `${new Intl.NumberFormat(current, { minimumFractionDigits: 2 }).format(value)} ${currency}`;
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
  const relative = new Intl.RelativeTimeFormat(current, { numeric: "auto", style: "short" });
  if (seconds < 3600) return relative.format(-Math.max(1, Math.round(seconds / 60)), "minute");
  if (seconds < 86_400) return relative.format(-Math.round(seconds / 3600), "hour");
  if (seconds < 7 * 86_400) return relative.format(-Math.round(seconds / 86_400), "day");
  return dateFormat({ day: "numeric", month: "short" }, timeZone).format(new Date(iso));
}
