/** Drafts kept per conversation (per operator, in this browser), so switching conversations or
 * reloading the page never loses a half-written reply or note. */

import { MemoryStorage } from "../shared/memory-storage";

export type ComposerMode = "reply" | "note";

export interface Draft {
  body: string;
  mode: ComposerMode;
  /** When it was last written (ms since the epoch): old drafts are dropped. */
  at: number;
}

/** The part of `localStorage` the drafts use (tests pass a map). */
export interface StorageLike {
  readonly length: number;
  key(index: number): string | null;
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export const DRAFT_MAX_AGE_MS = 30 * 24 * 3600 * 1000;
const MAX_BODY = 20_000;

export class Drafts {
  private readonly prefix: string;
  private readonly storage: StorageLike;

  constructor(operatorId: number, storage: StorageLike | null, private readonly now: () => number = Date.now) {
    this.prefix = `helpdesk.console.draft.${operatorId}.`;
    this.storage = storage ?? new MemoryStorage();
  }

  get(conversation: number): Draft | null {
    let raw: string | null = null;
    try {
      raw = this.storage.getItem(this.prefix + conversation);
    } catch {
      return null;
    }
    if (!raw) return null;
    try {
      const draft = JSON.parse(raw) as Partial<Draft>;
      if (typeof draft.body !== "string") return null;
      const mode: ComposerMode = draft.mode === "note" ? "note" : "reply";
      const at = typeof draft.at === "number" ? draft.at : 0;
      if (this.now() - at > DRAFT_MAX_AGE_MS) {
        this.clear(conversation);
        return null;
      }
      return { body: draft.body, mode, at };
    } catch {
      return null;
    }
  }

  /** Saves a draft; an empty body in reply mode removes it. */
  set(conversation: number, body: string, mode: ComposerMode): void {
    if (body === "" && mode === "reply") {
      this.clear(conversation);
      return;
    }
    const draft: Draft = { body: body.slice(0, MAX_BODY), mode, at: this.now() };
    try {
      this.storage.setItem(this.prefix + conversation, JSON.stringify(draft));
    } catch {
      /* storage full or disabled: the draft lives as long as the page */
    }
  }

  clear(conversation: number): void {
    try {
      this.storage.removeItem(this.prefix + conversation);
    } catch {
      /* nothing to do */
    }
  }

  /** Drops this operator's drafts older than the maximum age. */
  prune(): number {
    const stale: string[] = [];
    try {
      for (let index = 0; index < this.storage.length; index += 1) {
        const key = this.storage.key(index);
        if (!key || !key.startsWith(this.prefix)) continue;
        const raw = this.storage.getItem(key);
        let at = 0;
        try {
          at = (JSON.parse(raw ?? "{}") as Partial<Draft>).at ?? 0;
        } catch {
          /* unreadable: stale */
        }
        if (this.now() - at > DRAFT_MAX_AGE_MS) stale.push(key);
      }
      for (const key of stale) this.storage.removeItem(key);
    } catch {
      return 0;
    }
    return stale.length;
  }
}
