/** The operator's language, shared by the console and the reports dashboard: the choice made
 * in the console (kept in this browser under one key), else the browser's, else English. */

export type Locale = "en" | "ru";
export const LOCALES: Locale[] = ["en", "ru"];

/** Where the console keeps the operator's choice; the dashboard reads the same. */
export const LOCALE_KEY = "helpdesk.console.locale";

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

/** The language the operator chose in this browser, if any. */
export function storedLocale(storage: Storage | null): string | null {
  try {
    return storage?.getItem(LOCALE_KEY) ?? null;
  } catch {
    return null;
  }
}
