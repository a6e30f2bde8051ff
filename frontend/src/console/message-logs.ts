/**
 * The messages the console holds: one log per conversation (the shared `ConversationLog`:
 * deduplicated by id, ordered by seq; a message that comes again with a known id is an update
 * and replaces the one held, in place), only for the most recently opened conversations, and the
 * operator's own sends until the server has stored them (a send is settled by its ack or by the
 * message itself, whichever comes first).
 */

import { ConversationLog } from "../protocol/log";
import type { Attachment, Message } from "./types";

/** How many conversations keep their messages in memory. */
export const LOG_CACHE_SIZE = 30;

export interface PendingMessage {
  clientId: string;
  conversation: number;
  body: string;
  private: boolean;
  failed: string | null;
  /** The uploaded files it carries (none when left out). */
  attachments?: Attachment[];
}

export class MessageLogs {
  /** Most recently used last. */
  readonly logs = new Map<number, ConversationLog>();
  readonly pending = new Map<string, PendingMessage>();
  private messageCache = new Map<number, { log: ConversationLog; count: number; items: Message[] }>();
  private logCounts = new Map<number, number>();

  /** `selected()`: the open conversation, whose log is never evicted. */
  constructor(private readonly selected: () => number | null) {}

  /** A conversation's log, made (and the oldest others evicted) if there is none. */
  log(id: number): ConversationLog {
    let log = this.logs.get(id);
    if (!log) {
      log = new ConversationLog(id);
      this.logs.set(id, log);
      this.evict();
    }
    return log;
  }

  /** The conversation is opened: its log becomes the most recently used. */
  touch(id: number): void {
    const log = this.logs.get(id);
    if (!log) return;
    this.logs.delete(id);
    this.logs.set(id, log);
  }

  /** A conversation's known messages in seq order (cached until one is added or changed). */
  messages(id: number): Message[] {
    const log = this.logs.get(id);
    if (!log) return [];
    const count = this.logCounts.get(id) ?? 0;
    const cached = this.messageCache.get(id);
    if (cached && cached.log === log && cached.count === count) return cached.items;
    const items = log.messages();
    this.messageCache.set(id, { log, count, items });
    return items;
  }

  /** A live message, into its conversation's log if there is one: answers whether it is new
   * there (true without a log) and whether the log now lacks a seq below it. One the log has
   * (by id) is an update: it replaces the one held, and is not fresh. */
  addLive(message: Message, meId: number): { fresh: boolean; gap: boolean } {
    this.settle(message, meId);
    const log = this.logs.get(message.conversation);
    if (!log) return { fresh: true, gap: false };
    const fresh = this.upsert(log, message);
    return { fresh, gap: log.hasGap };
  }

  /** A page of history from REST: everything up to its last seq is now known. Answers that seq
   * (0 for an empty page). */
  addHistory(id: number, messages: Message[], meId: number): number {
    const log = this.log(id);
    let highest = 0;
    for (const message of messages) {
      this.upsert(log, message);
      highest = Math.max(highest, message.seq);
      this.settle(message, meId);
    }
    if (highest > 0) log.settleThrough(highest);
    return highest;
  }

  addPending(pending: PendingMessage): void {
    this.pending.set(pending.clientId, pending);
  }

  failPending(clientId: string, reason: string): void {
    const pending = this.pending.get(clientId);
    if (pending) this.pending.set(clientId, { ...pending, failed: reason });
  }

  dropPending(clientId: string): void {
    this.pending.delete(clientId);
  }

  pendingFor(id: number): PendingMessage[] {
    return [...this.pending.values()].filter((pending) => pending.conversation === id);
  }

  /** Adds a message, or replaces the one with its id; answers whether it was new. */
  private upsert(log: ConversationLog, message: Message): boolean {
    const fresh = log.add(message);
    if (fresh || log.replace(message)) this.added(log.conversation);
    return fresh;
  }

  /** The operator's own message, stored: its send is no longer pending. */
  private settle(message: Message, meId: number): void {
    if (message.client_id && message.author.kind === "operator" && message.author.id === meId) {
      this.pending.delete(message.client_id);
    }
  }

  /** The log of `id` changed: its cached list is stale. */
  private added(id: number): void {
    this.logCounts.set(id, (this.logCounts.get(id) ?? 0) + 1);
  }

  private evict(): void {
    const selected = this.selected();
    while (this.logs.size > LOG_CACHE_SIZE) {
      const oldest = [...this.logs.keys()].find((id) => id !== selected);
      if (oldest === undefined) return;
      this.logs.delete(oldest);
      this.messageCache.delete(oldest);
    }
  }
}
