/**
 * What the operator has not read yet. A conversation's unread count is its last seq less the
 * operators' read mark (the server's `agent_read_seq`, or this console's own when that is
 * further); a server that sends no seqs gets counts from the live frames instead. The sidebar's
 * counters per folder are the server's (counts.ts), less the conversations read here since
 * their refresh started; until they arrive they are counted from the loaded conversations.
 */

import { COUNTS_READ_SETTLE_MS, unreadByFolder } from "./counts";
import type { Effect } from "./frames";
import { countedIn, type Folder, folderKey, listKey, matchesList, type StatusFilter } from "./lists";
import type { Conversation, ConversationCounts } from "./types";

/** What the counts depend on in the rest of the store. */
export interface UnreadContext {
  conversations: Map<number, Conversation>;
  gone: Set<number>;
  meId(): number;
  /** The highest seq this console holds of a conversation (0 without its log). */
  highestSeq(id: number): number;
  /** The store's version: the local counters are cached per version. */
  version(): number;
}

export class UnreadCounts {
  /** The highest seq this console has read, per conversation (the server's mark may lag). */
  readonly readMarks = new Map<number, number>();
  /** Unread counts for a server that sends no `last_seq`: counted from live frames. */
  readonly localUnread = new Map<number, number>();
  /** The server's unread counters per folder key (`GET /api/v1/conversations/counts`); null
   * until they arrive, and on a server without them (the counters are then counted here). */
  serverUnread: Map<string, number> | null = null;
  /** How many counter refreshes have started; a read mark remembers the number at its time. */
  countsEpoch = 0;
  /** The operator's own read marks that the server's counters may not include yet: each takes
   * one off the counters of its folders until a refresh started after it has answered. */
  readonly optimisticReads = new Map<number, { epoch: number; folders: string[] }>();
  private countsApplied = 0;
  private counts = new Map<string, number>();
  private countsVersion = -1;

  constructor(private readonly context: UnreadContext) {}

  /** A counter refresh starts: answers its epoch, for `setCounts`. */
  countsRequested(): number {
    this.countsEpoch += 1;
    return this.countsEpoch;
  }

  /** The server's counters, from the refresh that started as `epoch`. An answer older than the
   * one shown is dropped (answers false); the read marks made before its refresh started are in it. */
  setCounts(counts: ConversationCounts, epoch: number): boolean {
    if (epoch < this.countsApplied) return false;
    this.countsApplied = epoch;
    this.serverUnread = unreadByFolder(counts);
    for (const [id, read] of this.optimisticReads) if (read.epoch < epoch) this.optimisticReads.delete(id);
    return true;
  }

  /** How many conversations of a folder (not resolved) have an unread message from the contact:
   * the server's count, less the conversations read here since; counted from the loaded
   * conversations until the server's count arrives (or on a server without it). Resolved
   * conversations wait for no one: that folder shows no counter. */
  inFolder(folder: Folder): number {
    if (folder.kind === "resolved") return 0;
    if (this.serverUnread !== null) {
      const key = folderKey(folder);
      let count = this.serverUnread.get(key) ?? 0;
      for (const read of this.optimisticReads.values()) if (read.folders.includes(key)) count -= 1;
      return Math.max(0, count);
    }
    return this.localInFolder(folder);
  }

  of(conversation: Conversation): number {
    if (conversation.last_seq === undefined) return this.localUnread.get(conversation.id) ?? 0;
    const read = Math.max(conversation.agent_read_seq ?? 0, this.readMarks.get(conversation.id) ?? 0);
    return Math.max(0, conversation.last_seq - read);
  }

  /** Conversations with unread messages the operator would care about (the tab title): their
   * own and those waiting for someone. */
  total(): number {
    if (this.serverUnread !== null) return this.inFolder({ kind: "mine" }) + this.inFolder({ kind: "unassigned" });
    const meId = this.context.meId();
    let count = 0;
    for (const conversation of this.context.conversations.values()) {
      if (this.context.gone.has(conversation.id) || conversation.status === "resolved") continue;
      const mine = conversation.assignee?.id === meId;
      const waiting = conversation.assignee === null;
      if ((mine || waiting) && this.of(conversation) > 0) count += 1;
    }
    return count;
  }

  /** A live message from someone else in a conversation without seqs: one more unread. */
  countLive(id: number): void {
    this.localUnread.set(id, (this.localUnread.get(id) ?? 0) + 1);
  }

  /** Records that the operator has read a conversation up to `seq`; answers whether it moved. */
  markRead(id: number, seq: number): boolean {
    const before = this.readMarks.get(id) ?? 0;
    this.localUnread.delete(id);
    if (seq <= before) return false;
    this.readMarks.set(id, seq);
    return true;
  }

  /** `markRead`, and when that read the conversation, takes it off the counters of its folders
   * until the server's counters include it; answers whether the counters changed. */
  readCounting(id: number, seq: number): boolean {
    const conversation = this.context.conversations.get(id);
    const wasUnread = conversation !== undefined && this.of(conversation) > 0;
    const moved = this.markRead(id, seq);
    if (!moved || !wasUnread || this.of(conversation) > 0) return false;
    this.optimisticReads.set(id, { epoch: this.countsEpoch, folders: countedIn(conversation, this.context.meId()) });
    return true;
  }

  /** What to send when the operator looks at a conversation: a read mark up to what is known. */
  readEffects(id: number, seq?: number): Effect[] {
    const conversation = this.context.conversations.get(id);
    const highest = Math.max(seq ?? 0, this.context.highestSeq(id), conversation?.last_seq ?? 0);
    const readBefore = this.readMarks.get(id) ?? 0;
    if (highest > readBefore) {
      const counted = this.readCounting(id, highest);
      const effects: Effect[] = [{ type: "markRead", id, seq: highest }];
      // The mark goes over the socket unacknowledged: confirm the counters once it is stored.
      if (counted) effects.push({ type: "refreshCounts", delay: COUNTS_READ_SETTLE_MS });
      return effects;
    }
    this.localUnread.delete(id);
    return [];
  }

  /** The counters of the loaded conversations (cached per store version: the sidebar asks for
   * every folder on every render). */
  private localInFolder(folder: Folder): number {
    const key = listKey(folder, "all");
    const version = this.context.version();
    if (this.countsVersion !== version) {
      this.counts.clear();
      this.countsVersion = version;
    }
    const cached = this.counts.get(key);
    if (cached !== undefined) return cached;
    const count = this.countUnread(folder);
    this.counts.set(key, count);
    return count;
  }

  private countUnread(folder: Folder): number {
    let count = 0;
    const status: StatusFilter = "all";
    const meId = this.context.meId();
    for (const conversation of this.context.conversations.values()) {
      if (this.context.gone.has(conversation.id) || conversation.status === "resolved") continue;
      if (!matchesList(conversation, folder, status, meId)) continue;
      if (this.of(conversation) > 0) count += 1;
    }
    return count;
  }
}
