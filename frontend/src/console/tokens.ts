/** The word being typed before the caret, for the composer's "/" (canned responses) and "@"
 * (mentions) pop-ups, and the edit that replaces it with a completion. */

export interface TokenAt {
  /** Index of the trigger character. */
  start: number;
  /** What follows the trigger up to the caret. */
  query: string;
}

/** The `trigger`-word that ends at `caret`, when it starts the text or follows whitespace. */
export function tokenBefore(text: string, caret: number, trigger: string, allowed: RegExp): TokenAt | null {
  let index = caret - 1;
  while (index >= 0 && allowed.test(text[index]) && text[index] !== trigger) index -= 1;
  if (index < 0 || text[index] !== trigger) return null;
  if (index > 0 && !/\s/.test(text[index - 1])) return null;
  return { start: index, query: text.slice(index + 1, caret) };
}

export interface Edit {
  text: string;
  caret: number;
}

/** Replaces text[start, caret) with `insert`. */
export function replaceToken(text: string, start: number, caret: number, insert: string): Edit {
  const before = text.slice(0, start);
  const after = text.slice(caret);
  return { text: before + insert + after, caret: before.length + insert.length };
}
