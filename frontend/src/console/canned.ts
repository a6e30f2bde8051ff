/** Canned responses: found by typing "/" and a shortcut in the composer, inserted with the
 * contact's and the operator's names filled in. */

import { type Edit, replaceToken, tokenBefore, type TokenAt } from "./tokens";
import type { CannedResponse } from "./types";

export interface CannedContext {
  contact: { name: string; email: string };
  operator: { name: string };
}

const PLACEHOLDER = /\{\{\s*([a-z_]+)\.([a-z_]+)\s*\}\}/gi;

/** Fills `{{contact.name}}`, `{{contact.email}}` and `{{operator.name}}` (spaces inside the
 * braces allowed); an unknown placeholder is left as written, an empty value leaves nothing. */
export function expandCanned(body: string, context: CannedContext): string {
  return body.replace(PLACEHOLDER, (whole, object: string, field: string) => {
    const key = `${object.toLowerCase()}.${field.toLowerCase()}`;
    switch (key) {
      case "contact.name":
        return context.contact.name.trim();
      case "contact.email":
        return context.contact.email.trim();
      case "operator.name":
        return context.operator.name.trim();
      default:
        return whole;
    }
  });
}

/** The "/shortcut" being typed before the caret, if any. */
export function cannedTrigger(text: string, caret: number): TokenAt | null {
  return tokenBefore(text, caret, "/", /[\p{L}\p{N}_-]/u);
}

/** Responses matching what follows "/": shortcut prefix first, then shortcut or title
 * containing it, then body containing it; personal before team ones within a rank. */
export function filterCanned(responses: CannedResponse[], query: string, limit = 8): CannedResponse[] {
  const q = query.trim().toLowerCase();
  const ranked: Array<{ response: CannedResponse; rank: number }> = [];
  for (const response of responses) {
    const shortcut = response.shortcut.toLowerCase();
    let rank: number;
    if (!q || shortcut.startsWith(q)) rank = 0;
    else if (shortcut.includes(q) || response.title.toLowerCase().includes(q)) rank = 1;
    else if (response.body.toLowerCase().includes(q)) rank = 2;
    else continue;
    ranked.push({ response, rank: rank * 2 + (response.scope === "personal" ? 0 : 1) });
  }
  ranked.sort((a, b) => a.rank - b.rank || a.response.shortcut.localeCompare(b.response.shortcut));
  return ranked.slice(0, limit).map((item) => item.response);
}

/** Replaces the "/shortcut" before the caret with the expanded response. */
export function insertCanned(text: string, caret: number, response: CannedResponse, context: CannedContext): Edit {
  const token = cannedTrigger(text, caret);
  const body = expandCanned(response.body, context);
  if (!token) return replaceToken(text, caret, caret, body);
  return replaceToken(text, token.start, caret, body);
}
