/** Which of the widget's languages to speak: `data-locale` first, then the browser's list. */

export type Locale = "ru" | "en";

export const LOCALES: readonly Locale[] = ["ru", "en"];

/** The first of `wanted` (tags such as `ru-RU`, `en`) the widget speaks; English otherwise. */
export function pickLocale(wanted: readonly (string | null | undefined)[]): Locale {
  for (const tag of wanted) {
    if (!tag) continue;
    const base = tag.trim().toLowerCase().split(/[-_]/)[0];
    if ((LOCALES as readonly string[]).includes(base)) return base as Locale;
  }
  return "en";
}

/** The locale for an embed: its `data-locale`, else `navigator.languages`. */
export function embedLocale(attribute: string | null | undefined, nav?: { languages?: readonly string[]; language?: string }): Locale {
  const browser = nav ? [...(nav.languages ?? []), nav.language] : [];
  return pickLocale(attribute ? [attribute, ...browser] : browser);
}
