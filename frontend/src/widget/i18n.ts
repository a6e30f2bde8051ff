/** Strings from the catalogues, numbers and dates through `Intl`. */
import type { Locale } from "./locale";
import { CATALOGUES, type Key, type Plural, type PluralKey } from "./strings";

export type Params = Record<string, string | number>;

export class I18n {
  readonly locale: Locale;
  private readonly plural: Intl.PluralRules;
  private readonly number: Intl.NumberFormat;
  private readonly time: Intl.DateTimeFormat;
  private readonly day: Intl.DateTimeFormat;
  private readonly dayWithYear: Intl.DateTimeFormat;
  private readonly relative: Intl.RelativeTimeFormat;

  private readonly calendar: Intl.DateTimeFormat;

  /** `timeZone`: the visitor's (the browser's when left out; tests pin one). */
  constructor(locale: Locale, timeZone?: string) {
    this.locale = locale;
    this.plural = new Intl.PluralRules(locale);
    this.number = new Intl.NumberFormat(locale);
    this.time = new Intl.DateTimeFormat(locale, { hour: "numeric", minute: "2-digit", timeZone });
    this.day = new Intl.DateTimeFormat(locale, { day: "numeric", month: "long", timeZone });
    this.dayWithYear = new Intl.DateTimeFormat(locale, { day: "numeric", month: "long", year: "numeric", timeZone });
    this.relative = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
    this.calendar = new Intl.DateTimeFormat("en-US", { year: "numeric", month: "numeric", day: "numeric", timeZone });
  }

  t(key: Key, params: Params = {}): string {
    return fill(CATALOGUES[this.locale][key], params, this.number);
  }

  /** A plural entry for `n` (also available to the template as `{n}`). */
  tn(key: PluralKey, n: number, params: Params = {}): string {
    const forms: Plural = CATALOGUES[this.locale][key];
    const form = forms[this.plural.select(n)] ?? forms.other;
    return fill(form, { n, ...params }, this.number);
  }

  formatTime(date: Date): string {
    return this.time.format(date);
  }

  /** "Today", "Yesterday", "25 November" or "25 November 2025" (relative to `now`). */
  formatDay(date: Date, now: Date = new Date()): string {
    const days = Math.round((startOfDay(now) - startOfDay(date)) / 86_400_000);
    if (days === 0 || days === 1) return capitalise(this.relative.format(-days, "day"));
    return (date.getFullYear() === now.getFullYear() ? this.day : this.dayWithYear).format(date);
  }

  /** When a closed inbox reopens, in the visitor's zone: "We're back today at 9:00 AM",
   * "… tomorrow …", "… on Monday …" within the week, "… on 12 January …" after that. */
  formatReopening(at: Date, now: Date = new Date()): string {
    const time = this.time.format(at);
    const day = this.calendarDay(at);
    const days = Math.round((day - this.calendarDay(now)) / 86_400_000);
    if (days <= 0) return this.t("backToday", { time });
    if (days === 1) return this.t("backTomorrow", { time });
    if (days < 7) {
      const weekday = CATALOGUES[this.locale].onWeekday[new Date(day).getUTCDay()];
      return this.t("backWeekday", { day: weekday, time });
    }
    const sameYear = new Date(day).getUTCFullYear() === new Date(this.calendarDay(now)).getUTCFullYear();
    return this.t("backDate", { date: (sameYear ? this.day : this.dayWithYear).format(at), time });
  }

  /** Midnight UTC of the date `date` has in the visitor's zone (to count whole days). */
  private calendarDay(date: Date): number {
    const parts: Record<string, number> = {};
    for (const part of this.calendar.formatToParts(date)) parts[part.type] = Number(part.value);
    return Date.UTC(parts.year, parts.month - 1, parts.day);
  }

  /** The badge's text: the count, or "99+" past 99. */
  formatBadge(n: number): string {
    return n > 99 ? `${this.number.format(99)}+` : this.number.format(n);
  }
}

function fill(template: string, params: Params, number: Intl.NumberFormat): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    if (value === undefined) return whole;
    return typeof value === "number" ? number.format(value) : value;
  });
}

export function startOfDay(date: Date): number {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate()).getTime();
}

function capitalise(text: string): string {
  return text.charAt(0).toLocaleUpperCase() + text.slice(1);
}
