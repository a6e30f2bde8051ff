/** @mentions in private notes: `@username` notifies that colleague (the server parses the
 * stored note; the console offers completion and highlights the mentions it knows). */

import { linkSegments, type Segment } from "../shared/linkify";
import { type Edit, replaceToken, tokenBefore, type TokenAt } from "./tokens";
import type { OperatorInfo } from "./types";

const USERNAME_CHAR = /[\p{L}\p{N}_.+-]/u;
const MENTION = /(^|[^\p{L}\p{N}_.+@-])@([\p{L}\p{N}_.@+-]*[\p{L}\p{N}_+-])/gu;

export function mentionTrigger(text: string, caret: number): TokenAt | null {
  return tokenBefore(text, caret, "@", USERNAME_CHAR);
}

/** The usernames written as `@username` in a text, in order, each once (a trailing dot, as at
 * the end of a sentence, is not part of the name). */
export function mentionedUsernames(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(MENTION)) {
    const name = match[2];
    if (!found.some((known) => known.toLowerCase() === name.toLowerCase())) found.push(name);
  }
  return found;
}

/** The known operators a text mentions. */
export function parseMentions(text: string, operators: Iterable<OperatorInfo>): OperatorInfo[] {
  const byName = new Map<string, OperatorInfo>();
  for (const operator of operators) {
    if (operator.username) byName.set(operator.username.toLowerCase(), operator);
  }
  const result: OperatorInfo[] = [];
  for (const name of mentionedUsernames(text)) {
    const operator = byName.get(name.toLowerCase());
    if (operator && !result.includes(operator)) result.push(operator);
  }
  return result;
}

/** Colleagues whose username or name starts (or a word of the name starts) with the query;
 * online first. The operator themself is left out. */
export function mentionCandidates(operators: Iterable<OperatorInfo>, query: string, meId: number, limit = 6): OperatorInfo[] {
  const q = query.toLowerCase();
  const result: Array<{ operator: OperatorInfo; rank: number }> = [];
  for (const operator of operators) {
    if (operator.id === meId || !operator.username) continue;
    const username = operator.username.toLowerCase();
    const words = operator.name.toLowerCase().split(/\s+/);
    let rank: number;
    if (username.startsWith(q)) rank = 0;
    else if (words.some((word) => word.startsWith(q))) rank = 1;
    else continue;
    const presence = operator.status === "online" ? 0 : operator.status === "away" ? 1 : 2;
    result.push({ operator, rank: rank * 3 + presence });
  }
  result.sort((a, b) => a.rank - b.rank || a.operator.name.localeCompare(b.operator.name));
  return result.slice(0, limit).map((item) => item.operator);
}

/** Replaces the "@query" before the caret with "@username ". */
export function insertMention(text: string, caret: number, operator: OperatorInfo): Edit {
  const token = mentionTrigger(text, caret);
  const insert = `@${operator.username ?? ""} `;
  if (!token) return replaceToken(text, caret, caret, insert);
  return replaceToken(text, token.start, caret, insert);
}

export type MentionSegment = { kind: "mention"; text: string; username: string };
export type BodySegment = Segment | MentionSegment;

/** A message body as text, links (the shared linkify) and, outside the links, the mentions of
 * `usernames` (lower-cased; the console marks them in private notes only). */
export function bodySegments(body: string, usernames: Set<string> = new Set()): BodySegment[] {
  const out: BodySegment[] = [];
  for (const segment of linkSegments(body)) {
    if (segment.kind === "link" || usernames.size === 0) out.push(segment);
    else splitMentions(segment.text, usernames, out);
  }
  return out;
}

function splitMentions(text: string, usernames: Set<string>, out: BodySegment[]): void {
  let position = 0;
  for (const match of text.matchAll(MENTION)) {
    const name = match[2];
    if (!usernames.has(name.toLowerCase())) continue;
    const at = (match.index ?? 0) + match[1].length;
    if (at > position) out.push({ kind: "text", text: text.slice(position, at) });
    out.push({ kind: "mention", text: `@${name}`, username: name });
    position = at + 1 + name.length;
  }
  if (position < text.length) out.push({ kind: "text", text: text.slice(position) });
}
