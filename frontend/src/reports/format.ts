/** Numbers, durations, money, shares, dates and changes, through Intl, for a given language
 * (pure: the language and the time zone are arguments). */

import type { Better, Kind } from "./figures";
import { type Locale, tIn } from "./i18n";

const formats = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();

/** One formatter for each language and options, made once. */
function cached<T extends Intl.NumberFormat | Intl.DateTimeFormat>(kind: string, locale: Locale, options: object, make: () => T): T {
  const id = `${kind}|${locale}|${JSON.stringify(options)}`;
  let format = formats.get(id);
  if (!format) {
    format = make();
    formats.set(id, format);
  }
  return format as T;
}

function numberFormat(locale: Locale, options: Intl.NumberFormatOptions = {}): Intl.NumberFormat {
  return cached("number", locale, options, () => new Intl.NumberFormat(locale, options));
}

export function formatCount(value: number, locale: Locale): string {
  return numberFormat(locale).format(value);
}

const UNITS = [
  { key: "unit.d", seconds: 86_400 },
  { key: "unit.h", seconds: 3600 },
  { key: "unit.min", seconds: 60 },
  { key: "unit.s", seconds: 1 },
] as const;

/** "2 min 5 s", "1 h 10 min", "3 d 4 h" ("2 мин 5 с" in Russian): the two largest units,
 * rounded to the second. */
export function formatDuration(seconds: number, locale: Locale): string {
  const unit = (amount: number, key: (typeof UNITS)[number]["key"]) => `${formatCount(amount, locale)}\u00a0${tIn(locale, key)}`;
  let rest = Math.max(0, Math.round(seconds));
  const first = UNITS.findIndex((candidate) => rest >= candidate.seconds);
  if (first < 0) return unit(0, "unit.s");
  const parts: string[] = [];
  for (const { key, seconds: size } of UNITS.slice(first, first + 2)) {
    const amount = Math.floor(rest / size);
    rest -= amount * size;
    if (amount > 0) parts.push(unit(amount, key));
  }
  return parts.join(" ");
}

export function formatMoney(amount: number, currency: string, locale: Locale): string {
  return numberFormat(locale, { style: "currency", currency }).format(amount);
}

export function formatShare(share: number, locale: Locale): string {
  return numberFormat(locale, { style: "percent", maximumFractionDigits: 0 }).format(share);
}

export function formatRating(value: number, locale: Locale): string {
  return numberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(value);
}

/** A figure's value as the dashboard shows it; "—" for none. */
export function formatValue(kind: Kind, value: number | null, locale: Locale, currency: string): string {
  if (value === null || Number.isNaN(value)) return tIn(locale, "value.none");
  switch (kind) {
    case "duration":
      return formatDuration(value, locale);
    case "money":
      return formatMoney(value, currency, locale);
    case "share":
      return formatShare(value, locale);
    case "rating":
      return formatRating(value, locale);
    default:
      return formatCount(value, locale);
  }
}

export interface Change {
  /** new: something where there was nothing (or zero); none: nothing now nor before. */
  direction: "up" | "down" | "flat" | "new" | "none";
  /** The relative change (0.12 for +12 %), when there is one. */
  ratio: number | null;
  /** Whether the change is for the better; null when it is neither. */
  good: boolean | null;
}

/** The change of a figure against the period before, and whether it is for the better. */
export function change(current: number | null, previous: number | null, better: Better): Change {
  if (current === null) return { direction: "none", ratio: null, good: null };
  if (previous === null || previous === 0) return { direction: current === 0 ? "flat" : "new", ratio: null, good: null };
  const ratio = (current - previous) / Math.abs(previous);
  if (Math.abs(ratio) < 0.005) return { direction: "flat", ratio: 0, good: null };
  const direction = ratio > 0 ? "up" : "down";
  return { direction, ratio, good: direction === better };
}

/** "+12 %", "−5 %" (the sign always shown; Intl's own spacing and minus sign). */
export function formatRatio(ratio: number, locale: Locale): string {
  return numberFormat(locale, { style: "percent", maximumFractionDigits: 0, signDisplay: "exceptZero" }).format(ratio);
}

export function dateFormat(locale: Locale, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  return cached("date", locale, options, () => new Intl.DateTimeFormat(locale, options));
}

/** A calendar day (`YYYY-MM-DD`): "2 Nov 2026". */
export function formatDay(day: string, locale: Locale): string {
  return dateFormat(locale, { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" }).format(new Date(`${day}T00:00:00Z`));
}

/** A period of days: "2 – 8 Nov 2026". */
export function formatDays(from: string, to: string, locale: Locale): string {
  const format = dateFormat(locale, { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
  return format.formatRange(new Date(`${from}T00:00:00Z`), new Date(`${to}T00:00:00Z`));
}

/** A chart point's start in the report's zone: the day ("2 Nov"), or with hours its time. */
export function formatPointStart(iso: string, interval: "day" | "week" | "hour", timeZone: string, locale: Locale, withDay = true): string {
  const options: Intl.DateTimeFormatOptions =
    interval === "hour"
      ? withDay
        ? { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZone }
        : { hour: "2-digit", minute: "2-digit", timeZone }
      : { day: "numeric", month: "short", timeZone };
  return dateFormat(locale, options).format(new Date(iso));
}

/** A time of day of this browser's clock (the live view's "updated at"). */
export function formatClock(at: number, locale: Locale): string {
  return dateFormat(locale, { hour: "2-digit", minute: "2-digit", second: "2-digit" }).format(new Date(at));
}

/** The weekdays' short names, Monday first. */
export function weekdayNames(locale: Locale, style: "short" | "long" = "short"): string[] {
  const format = dateFormat(locale, { weekday: style, timeZone: "UTC" });
  // 1 January 2024 was a Monday.
  return Array.from({ length: 7 }, (_, index) => format.format(new Date(Date.UTC(2024, 0, 1 + index))));
}

/** An hour of the day as "09:00". */
export function formatHour(hour: number): string {
  return `${String(hour % 24).padStart(2, "0")}:00`;
}
