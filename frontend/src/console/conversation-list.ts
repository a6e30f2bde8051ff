/**
 * The conversations the console knows and the lists it shows them in. A conversation from REST
 * or a frame is merged into what is known (never moving its activity, preview or seqs back);
 * one that moved out of the operator's sight is kept aside (`gone`) only to explain where it
 * went. Each list (a folder and a status filter, lists.ts) is the known conversations that
 * match it, newest activity first, sorted once per store version; its paging state is kept here
 * too.
 */

import { type Folder, listKey, matchesList, maySee, type StatusFilter } from "./lists";
import type { Conversation, Inbox, Me } from "./types";

export interface ListState {
  next: string | null;
  loading: boolean;
  loaded: boolean;
  error: string | null;
}

/** What the lists depend on in the rest of the store. */
export interface ListContext {
  me(): Me;
  inboxes(): Map<number, Inbox> | null;
  /** The store's version: the sorted lists are cached per version. */
  version(): number;
}

/** The later of two ISO times. */
export function later(a: string, b: string): string {
  return Date.parse(a) >= Date.parse(b) ? a : b;
}

function maxDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.max(a, b);
}

export class ConversationList {
  readonly byId = new Map<number, Conversation>();
  /** Conversations that moved out of the operator's sight; kept only to explain where they went. */
  readonly gone = new Set<number>();
  readonly lists = new Map<string, ListState>();
  private listCache = new Map<string, { version: number; items: Conversation[] }>();
  private activity = new WeakMap<Conversation, number>();

  constructor(private readonly context: ListContext) {}

  /** Merges a conversation from REST or a frame; answers whether it was unknown before. */
  upsert(incoming: Conversation): boolean {
    const known = this.byId.get(incoming.id);
    let merged: Conversation = { ...incoming, labels: [...(incoming.labels ?? [])] };
    if (known) {
      merged = {
        ...known,
        ...incoming,
        last_activity_at: later(incoming.last_activity_at, known.last_activity_at),
        last_message: incoming.last_message === undefined ? known.last_message : incoming.last_message,
        last_seq: maxDefined(incoming.last_seq, known.last_seq),
        agent_read_seq: maxDefined(incoming.agent_read_seq, known.agent_read_seq),
      };
      if (known.last_message && merged.last_message && Date.parse(known.last_message.created_at) > Date.parse(merged.last_message.created_at)) {
        merged.last_message = known.last_message;
      }
    }
    this.byId.set(merged.id, merged);
    this.placeInSight(merged);
    return known === undefined;
  }

  /** The operator's inboxes changed: which conversations they may see is worked out again. */
  refreshSight(): void {
    for (const conversation of this.byId.values()) this.placeInSight(conversation);
  }

  listState(folder: Folder, status: StatusFilter): ListState {
    const key = listKey(folder, status);
    let state = this.lists.get(key);
    if (!state) {
      state = { next: null, loading: false, loaded: false, error: null };
      this.lists.set(key, state);
    }
    return state;
  }

  /** The conversations of a list, newest activity first (cached per store version). */
  listItems(folder: Folder, status: StatusFilter): Conversation[] {
    const key = listKey(folder, status);
    const version = this.context.version();
    const cached = this.listCache.get(key);
    if (cached && cached.version === version) return cached.items;
    // Sort on numbers parsed once per conversation, not on dates parsed per comparison.
    const keyed: Array<{ at: number; conversation: Conversation }> = [];
    const meId = this.context.me().id;
    for (const conversation of this.byId.values()) {
      if (this.gone.has(conversation.id)) continue;
      if (matchesList(conversation, folder, status, meId)) {
        keyed.push({ at: this.activityOf(conversation), conversation });
      }
    }
    keyed.sort((a, b) => b.at - a.at || b.conversation.id - a.conversation.id);
    const items = keyed.map((item) => item.conversation);
    this.listCache.set(key, { version, items });
    return items;
  }

  private placeInSight(conversation: Conversation): void {
    if (maySee(conversation, this.context.me(), this.context.inboxes())) this.gone.delete(conversation.id);
    else this.gone.add(conversation.id);
  }

  /** A conversation's last activity as a number, parsed once per conversation object. */
  private activityOf(conversation: Conversation): number {
    let at = this.activity.get(conversation);
    if (at === undefined) {
      at = Date.parse(conversation.last_activity_at);
      this.activity.set(conversation, at);
    }
    return at;
  }
}
