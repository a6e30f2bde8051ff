/**
 * Who is typing where: the contact and colleagues (in a reply or in a private note), from the
 * `typing` frames. An indicator lasts until a frame ends it, the author's message arrives, or
 * TYPING_TTL_MS pass without a renewal. The operator's own typing, echoed back, is not shown.
 */

import type { Frame } from "../protocol/client";

export interface TypingEntry {
  key: string;
  name: string;
  kind: string;
  private: boolean;
  until: number;
}

/** How long a typing indicator lasts without being renewed. */
export const TYPING_TTL_MS = 8000;

export class TypingIndicators {
  /** Per conversation; entries may have expired until the next `tick`. */
  readonly byConversation = new Map<number, TypingEntry[]>();

  /** A `typing` frame, at `now`; `meId`'s own is ignored. */
  apply(frame: Frame, meId: number, now: number): void {
    const id = frame.conversation;
    const author = frame.author as { kind?: string; id?: number; name?: string } | undefined;
    if (typeof id !== "number" || !author || typeof author.kind !== "string") return;
    if (author.kind === "operator" && author.id === meId) return; // our own echo
    const key = author.kind === "operator" ? `operator:${author.id}` : author.kind;
    if (frame.active !== true) {
      this.clear(id, key);
      return;
    }
    const entries = (this.byConversation.get(id) ?? []).filter((entry) => entry.key !== key);
    entries.push({
      key,
      kind: author.kind,
      name: author.name ?? "",
      private: frame.private === true,
      until: now + TYPING_TTL_MS,
    });
    this.byConversation.set(id, entries);
  }

  /** Ends the indicator of `key` ("visitor", "operator:<id>") in a conversation. */
  clear(id: number, key: string): void {
    const entries = this.byConversation.get(id);
    if (!entries) return;
    const rest = entries.filter((entry) => entry.key !== key);
    if (rest.length) this.byConversation.set(id, rest);
    else this.byConversation.delete(id);
  }

  /** Who is typing in a conversation at `now`. */
  in(id: number, now: number): TypingEntry[] {
    return (this.byConversation.get(id) ?? []).filter((entry) => entry.until > now);
  }

  /** Drops what has expired by `now`; answers whether anything did. */
  expire(now: number): boolean {
    let expired = false;
    for (const [id, entries] of this.byConversation) {
      const live = entries.filter((entry) => entry.until > now);
      if (live.length !== entries.length) {
        expired = true;
        if (live.length) this.byConversation.set(id, live);
        else this.byConversation.delete(id);
      }
    }
    return expired;
  }
}
