/** The dashboard's strings: every string it shows comes from strings-en.ts and strings-ru.ts.
 * The language is the one chosen in the console (the same key in this browser's storage),
 * else the browser's (src/shared/locale.ts). */

import { Strings } from "../shared/catalogue";
import type { Locale } from "../shared/locale";
import { en, enPlurals, type Key, type PluralKey } from "./strings-en";
import { ru, ruPlurals } from "./strings-ru";

export type { Key, Locale, PluralKey };

const strings = new Strings<Key, PluralKey>({ en, ru }, { en: enPlurals, ru: ruPlurals });

export const { setLocale, getLocale, t, tn, catalogue } = strings;

/** A string of `locale`'s catalogue, whatever the current language (for pure formatters). */
export function tIn(locale: Locale, key: Key): string {
  return catalogue(locale)[key];
}

/** A channel's name ("web" is the web widget); `fallback` for one this catalogue lacks. */
export function channelLabel(value: string, fallback = value): string {
  const key = `channel.${value}`;
  return key in en ? t(key as Key) : fallback;
}
