/** Filling a catalogue's strings: `{name}` placeholders, and plural forms chosen by
 * Intl.PluralRules (Russian has one, few, many and other). */

import type { Locale } from "./locale";

export type PluralForms = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };

type Params = Record<string, string | number>;

/** `template` with each `{name}` of `params` put in; numbers through `formatNumber`. */
export function fillTemplate(template: string, params: Params | undefined, formatNumber: (value: number) => string): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    if (!(name in params)) return whole;
    const value = params[name];
    return typeof value === "number" ? formatNumber(value) : value;
  });
}

/** The form of `forms` for `count` in `locale`. */
export function pluralForm(forms: PluralForms, locale: string, count: number): string {
  return forms[new Intl.PluralRules(locale).select(count)] ?? forms.other;
}

/** A language's strings: the current language, and its catalogues of strings and plurals
 * (English the fallback). Its methods are bound, to be exported as they are. */
export class Strings<K extends string, P extends string> {
  private current: Locale = "en";

  constructor(
    private readonly catalogues: Record<Locale, Record<K, string>>,
    private readonly plurals: Record<Locale, Record<P, PluralForms>>,
  ) {}

  readonly setLocale = (locale: Locale): void => {
    this.current = locale;
  };

  readonly getLocale = (): Locale => this.current;

  readonly formatNumber = (value: number): string => new Intl.NumberFormat(this.current).format(value);

  readonly t = (key: K, params?: Params): string =>
    fillTemplate(this.catalogues[this.current][key] ?? this.catalogues.en[key], params, this.formatNumber);

  readonly tn = (key: P, count: number, params?: Params): string =>
    fillTemplate(pluralForm(this.plurals[this.current][key], this.current, count), { count, ...params }, this.formatNumber);

  readonly catalogue = (locale: Locale): Record<K, string> => this.catalogues[locale];
}
