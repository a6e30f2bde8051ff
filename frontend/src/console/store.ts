/**
 * The console's state and the one place that changes it. Pure with respect to the outside
 * world: frames and REST answers go in, and what the caller should do about them (fetch a
 * conversation it does not know, raise an alert, ask for messages after a gap, send a read
 * mark) comes out as effects. The controller (controller.ts) performs those; the views only read.
 */

import { ConversationLog } from "../protocol/log";
import type { ClientStatus, Frame } from "../protocol/client";
import { COUNTS_READ_SETTLE_MS, COUNTS_SETTLE_MS, unreadByFolder } from "./counts";
import {
  countedIn,
  type Folder,
  folderKey,
  listKey,
  matchesList,
  maySee,
  type StatusFilter,
} from "./lists";
import type {
  CannedResponse,
  ContactDetail,
  Conversation,
  ConversationCounts,
  Inbox,
  LastMessage,
  Me,
  MentionNotification,
  Message,
  OperatorInfo,
  Team,
} from "./types";

export type Effect =
  | { type: "fetchConversation"; id: number }
  | { type: "fetchMessages"; id: number }
  | { type: "markRead"; id: number; seq: number }
  /** The sidebar's counters may have changed: refresh them from the server, `delay` ms on. */
  | { type: "refreshCounts"; delay: number }
  | { type: "alert"; kind: "conversation" | "message" | "notification"; conversation: number; title: string; body: string; notification?: MentionNotification }
  | { type: "resync" };

export interface ListState {
  next: string | null;
  loading: boolean;
  loaded: boolean;
  error: string | null;
}

export interface PendingMessage {
  clientId: string;
  conversation: number;
  body: string;
  private: boolean;
  failed: string | null;
}

export interface TypingEntry {
  key: string;
  name: string;
  kind: string;
  private: boolean;
  until: number;
}

/** How long a typing indicator lasts without being renewed. */
export const TYPING_TTL_MS = 8000;
/** How many conversations keep their messages in memory. */
export const LOG_CACHE_SIZE = 30;
/** A conversation frame for a conversation this recent counts as a new one (an alert). */
const NEW_CONVERSATION_MS = 120_000;

function later(a: string, b: string): string {
  return Date.parse(a) >= Date.parse(b) ? a : b;
}

function maxDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.max(a, b);
}

export function preview(message: Message): LastMessage {
  return {
    body: message.body.slice(0, 140),
    author_kind: message.author.kind,
    private: message.private,
    created_at: message.created_at,
  };
}

/** Whether a change of a known conversation may move the sidebar's counters: its lists
 * (status, assignee, team, labels) or how far the operators have read. */
function movesCounters(before: Conversation, after: Conversation): boolean {
  return (
    before.status !== after.status ||
    (before.assignee?.id ?? null) !== (after.assignee?.id ?? null) ||
    before.team !== after.team ||
    after.agent_read_seq !== before.agent_read_seq ||
    before.labels.length !== after.labels.length ||
    before.labels.some((label, index) => after.labels[index] !== label)
  );
}

export interface SearchState {
  query: string;
  loading: boolean;
  conversations: Conversation[];
  contacts: ContactDetail[];
  error: string | null;
}

export interface Toast {
  id: number;
  text: string;
  kind: "error" | "info";
}

export class ConsoleStore {
  me: Me;
  operators = new Map<number, OperatorInfo>();
  teams: Team[] = [];
  inboxes: Map<number, Inbox> | null = null;
  labels: string[] = [];
  conversations = new Map<number, Conversation>();
  /** Conversations that moved out of the operator's sight; kept only to explain where they went. */
  gone = new Set<number>();
  lists = new Map<string, ListState>();
  logs = new Map<number, ConversationLog>();
  pending = new Map<string, PendingMessage>();
  typing = new Map<number, TypingEntry[]>();
  visitorRead = new Map<number, number>();
  /** The highest seq this console has read, per conversation (the server's mark may lag). */
  readMarks = new Map<number, number>();
  /** Unread counts for a server that sends no `last_seq`: counted from live frames. */
  localUnread = new Map<number, number>();
  /** The server's unread counters per folder key (`GET /api/v1/conversations/counts`); null
   * until they arrive, and on a server without them (the counters are then counted here). */
  serverUnread: Map<string, number> | null = null;
  /** How many counter refreshes have started; a read mark remembers the number at its time. */
  countsEpoch = 0;
  /** The operator's own read marks that the server's counters may not include yet: each takes
   * one off the counters of its folders until a refresh started after it has answered. */
  optimisticReads = new Map<number, { epoch: number; folders: string[] }>();
  notifications: MentionNotification[] = [];
  connection: ClientStatus = "connecting";
  welcomed = false;
  /** The socket was refused although the session is valid: no inbox to work in. */
  noAccess = false;
  contacts = new Map<number, ContactDetail>();
  canned: CannedResponse[] = [];
  search: SearchState | null = null;
  toasts: Toast[] = [];
  /** Whether the optional endpoints exist on this server (labels, canned, contacts search). */
  features = { canned: true, contactSearch: true, notifications: true, operatorsList: false };

  folder: Folder = { kind: "mine" };
  status: StatusFilter = "open";
  selected: number | null = null;
  /** Whether the page is visible (the tab is in front): read marks and alerts depend on it. */
  pageVisible = true;
  now = Date.now();

  version = 0;
  private listeners = new Set<() => void>();
  private listCache = new Map<string, { version: number; items: Conversation[] }>();
  private messageCache = new Map<number, { log: ConversationLog; count: number; items: Message[] }>();
  private logCounts = new Map<number, number>();
  private counts = new Map<string, number>();
  private activity = new WeakMap<Conversation, number>();
  private countsVersion = -1;
  private countsApplied = 0;

  constructor(me: Me, operators: OperatorInfo[] = [], teams: Team[] = []) {
    this.me = { ...me };
    for (const operator of operators) this.operators.set(operator.id, operator);
    this.operators.set(me.id, { ...this.operators.get(me.id), ...me });
    this.teams = teams;
  }

  // --- subscription ---------------------------------------------------------------------------

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  changed(): void {
    this.version += 1;
    for (const listener of this.listeners) listener();
  }

  // --- conversations --------------------------------------------------------------------------

  /** Merges a conversation from REST or a frame; answers whether it was unknown before. */
  upsert(incoming: Conversation): boolean {
    const known = this.conversations.get(incoming.id);
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
    this.conversations.set(merged.id, merged);
    if (maySee(merged, this.me, this.inboxes)) this.gone.delete(merged.id);
    else this.gone.add(merged.id);
    return known === undefined;
  }

  mergeConversations(list: Conversation[]): void {
    for (const conversation of list) this.upsert(conversation);
    this.changed();
  }

  setInboxes(inboxes: Inbox[]): void {
    this.inboxes = new Map(inboxes.map((inbox) => [inbox.id, inbox]));
    for (const conversation of this.conversations.values()) {
      if (maySee(conversation, this.me, this.inboxes)) this.gone.delete(conversation.id);
      else this.gone.add(conversation.id);
    }
    this.changed();
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
    const cached = this.listCache.get(key);
    if (cached && cached.version === this.version) return cached.items;
    // Sort on numbers parsed once per conversation, not on dates parsed per comparison.
    const keyed: Array<{ at: number; conversation: Conversation }> = [];
    for (const conversation of this.conversations.values()) {
      if (this.gone.has(conversation.id)) continue;
      if (matchesList(conversation, folder, status, this.me.id)) {
        keyed.push({ at: this.activityOf(conversation), conversation });
      }
    }
    keyed.sort((a, b) => b.at - a.at || b.conversation.id - a.conversation.id);
    const items = keyed.map((item) => item.conversation);
    this.listCache.set(key, { version: this.version, items });
    return items;
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

  currentItems(): Conversation[] {
    return this.listItems(this.folder, this.status);
  }

  // --- the sidebar's counters -----------------------------------------------------------------

  /** A counter refresh starts: answers its epoch, for `setCounts`. */
  countsRequested(): number {
    this.countsEpoch += 1;
    return this.countsEpoch;
  }

  /** The server's counters, from the refresh that started as `epoch`. An answer older than the
   * one shown is dropped; the read marks made before its refresh started are in it. */
  setCounts(counts: ConversationCounts, epoch: number): void {
    if (epoch < this.countsApplied) return;
    this.countsApplied = epoch;
    this.serverUnread = unreadByFolder(counts);
    for (const [id, read] of this.optimisticReads) if (read.epoch < epoch) this.optimisticReads.delete(id);
    this.changed();
  }

  /** How many conversations of a folder (not resolved) have an unread message from the contact:
   * the server's count, less the conversations read here since; counted from the loaded
   * conversations until the server's count arrives (or on a server without it). Resolved
   * conversations wait for no one: that folder shows no counter. */
  unreadInFolder(folder: Folder): number {
    if (folder.kind === "resolved") return 0;
    if (this.serverUnread !== null) {
      const key = folderKey(folder);
      let count = this.serverUnread.get(key) ?? 0;
      for (const read of this.optimisticReads.values()) if (read.folders.includes(key)) count -= 1;
      return Math.max(0, count);
    }
    return this.localUnreadInFolder(folder);
  }

  /** The counters of the loaded conversations (cached per store version: the sidebar asks for
   * every folder on every render). */
  private localUnreadInFolder(folder: Folder): number {
    const key = listKey(folder, "all");
    if (this.countsVersion !== this.version) {
      this.counts.clear();
      this.countsVersion = this.version;
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
    for (const conversation of this.conversations.values()) {
      if (this.gone.has(conversation.id) || conversation.status === "resolved") continue;
      if (!matchesList(conversation, folder, status, this.me.id)) continue;
      if (this.unread(conversation) > 0) count += 1;
    }
    return count;
  }

  unread(conversation: Conversation): number {
    if (conversation.last_seq === undefined) return this.localUnread.get(conversation.id) ?? 0;
    const read = Math.max(conversation.agent_read_seq ?? 0, this.readMarks.get(conversation.id) ?? 0);
    return Math.max(0, conversation.last_seq - read);
  }

  /** Conversations with unread messages the operator would care about (the tab title): their
   * own and those waiting for someone. */
  totalUnread(): number {
    if (this.serverUnread !== null) return this.unreadInFolder({ kind: "mine" }) + this.unreadInFolder({ kind: "unassigned" });
    let count = 0;
    for (const conversation of this.conversations.values()) {
      if (this.gone.has(conversation.id) || conversation.status === "resolved") continue;
      const mine = conversation.assignee?.id === this.me.id;
      const waiting = conversation.assignee === null;
      if ((mine || waiting) && this.unread(conversation) > 0) count += 1;
    }
    return count;
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
  private readCounting(id: number, seq: number): boolean {
    const conversation = this.conversations.get(id);
    const wasUnread = conversation !== undefined && this.unread(conversation) > 0;
    const moved = this.markRead(id, seq);
    if (!moved || !wasUnread || this.unread(conversation) > 0) return false;
    this.optimisticReads.set(id, { epoch: this.countsEpoch, folders: countedIn(conversation, this.me.id) });
    return true;
  }

  // --- selection and navigation ---------------------------------------------------------------

  setFolder(folder: Folder, status?: StatusFilter): void {
    this.folder = folder;
    if (status) this.status = status;
    this.changed();
  }

  select(id: number | null): Effect[] {
    this.selected = id;
    const effects: Effect[] = [];
    if (id !== null) {
      const log = this.logs.get(id);
      if (log) {
        // Most recently used last, so the eviction below drops the oldest.
        this.logs.delete(id);
        this.logs.set(id, log);
      }
      effects.push(...this.readEffects(id));
    }
    this.changed();
    return effects;
  }

  /** The conversation after (1) or before (-1) the selected one in the current list. */
  neighbour(direction: 1 | -1): number | null {
    const items = this.currentItems();
    if (items.length === 0) return null;
    const index = items.findIndex((conversation) => conversation.id === this.selected);
    if (index === -1) return items[direction === 1 ? 0 : items.length - 1].id;
    const next = index + direction;
    if (next < 0 || next >= items.length) return null;
    return items[next].id;
  }

  // --- messages -------------------------------------------------------------------------------

  log(id: number): ConversationLog {
    let log = this.logs.get(id);
    if (!log) {
      log = new ConversationLog(id);
      this.logs.set(id, log);
      this.evictLogs();
    }
    return log;
  }

  private evictLogs(): void {
    while (this.logs.size > LOG_CACHE_SIZE) {
      const oldest = [...this.logs.keys()].find((id) => id !== this.selected);
      if (oldest === undefined) return;
      this.logs.delete(oldest);
      this.messageCache.delete(oldest);
    }
  }

  /** A conversation's known messages in seq order (cached until one is added). */
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

  private added(id: number): void {
    this.logCounts.set(id, (this.logCounts.get(id) ?? 0) + 1);
  }

  /** A page of history from REST: everything up to its last seq is now known. */
  addHistory(id: number, messages: Message[]): void {
    const log = this.log(id);
    let highest = 0;
    for (const message of messages) {
      if (log.add(message)) this.added(id);
      highest = Math.max(highest, message.seq);
      this.settlePending(message);
    }
    if (highest > 0) log.settleThrough(highest);
    const last = messages[messages.length - 1];
    const conversation = this.conversations.get(id);
    if (conversation && last) {
      const newer = !conversation.last_message || Date.parse(last.created_at) >= Date.parse(conversation.last_message.created_at);
      this.conversations.set(id, {
        ...conversation,
        last_message: newer ? preview(last) : conversation.last_message,
        last_seq: conversation.last_seq === undefined ? undefined : Math.max(conversation.last_seq, highest),
      });
    }
    this.changed();
  }

  addPending(pending: PendingMessage): void {
    this.pending.set(pending.clientId, pending);
    this.changed();
  }

  failPending(clientId: string, reason: string): void {
    const pending = this.pending.get(clientId);
    if (pending) this.pending.set(clientId, { ...pending, failed: reason });
    this.changed();
  }

  dropPending(clientId: string): void {
    this.pending.delete(clientId);
    this.changed();
  }

  pendingFor(id: number): PendingMessage[] {
    return [...this.pending.values()].filter((pending) => pending.conversation === id);
  }

  private settlePending(message: Message): void {
    if (message.client_id && message.author.kind === "operator" && message.author.id === this.me.id) {
      this.pending.delete(message.client_id);
    }
  }

  // --- frames ---------------------------------------------------------------------------------

  applyFrame(frame: Frame): Effect[] {
    const effects: Effect[] = [];
    switch (frame.type) {
      case "welcome": {
        const operator = frame.operator as OperatorInfo | undefined;
        if (operator) this.applyOperator(operator);
        if (this.welcomed) effects.push({ type: "resync" });
        this.welcomed = true;
        break;
      }
      case "message":
      case "ack":
        if (frame.message && typeof frame.message === "object") {
          effects.push(...this.applyMessage(frame.message as Message, frame.type === "ack"));
        }
        break;
      case "conversation":
        if (frame.conversation && typeof frame.conversation === "object") {
          effects.push(...this.applyConversation(frame.conversation as Conversation));
        }
        break;
      case "typing":
        this.applyTyping(frame);
        break;
      case "read":
        if (typeof frame.conversation === "number" && typeof frame.seq === "number") {
          const before = this.visitorRead.get(frame.conversation) ?? 0;
          this.visitorRead.set(frame.conversation, Math.max(before, frame.seq));
        }
        break;
      case "operator":
        if (frame.operator && typeof frame.operator === "object") this.applyOperator(frame.operator as OperatorInfo);
        break;
      case "notification":
        if (frame.notification && typeof frame.notification === "object") {
          effects.push(...this.applyNotification(frame.notification as MentionNotification));
        }
        break;
      default:
        return effects; // pong, error and frames this console does not know: nothing changed
    }
    this.changed();
    return effects;
  }

  applyMessage(message: Message, ownAck = false): Effect[] {
    const effects: Effect[] = [];
    const id = message.conversation;
    const fromMe = message.author.kind === "operator" && message.author.id === this.me.id;
    this.settlePending(message);
    const log = this.logs.get(id);
    const fresh = log ? log.add(message) : true;
    if (log && fresh) this.added(id);
    if (log && log.hasGap) effects.push({ type: "fetchMessages", id });
    const conversation = this.conversations.get(id);
    // New to this console: not in its log, nor at or below the seq its conversation is at.
    const isNew = fresh && (conversation?.last_seq === undefined || message.seq > conversation.last_seq);
    if (!conversation) {
      effects.push({ type: "fetchConversation", id });
    } else {
      const newer = !conversation.last_message || Date.parse(message.created_at) >= Date.parse(conversation.last_message.created_at);
      this.conversations.set(id, {
        ...conversation,
        last_message: newer ? preview(message) : conversation.last_message,
        last_activity_at: later(message.created_at, conversation.last_activity_at),
        last_seq: conversation.last_seq === undefined ? undefined : Math.max(conversation.last_seq, message.seq),
      });
    }
    if (message.author.kind === "visitor") this.clearTyping(id, "visitor");
    if (message.author.kind === "operator" && message.author.id !== null) this.clearTyping(id, `operator:${message.author.id}`);
    // The contact's message makes its conversation unread, an operator's reads it (system and
    // bot messages do neither): the counters may change.
    if (isNew && (message.author.kind === "visitor" || message.author.kind === "operator")) {
      effects.push({ type: "refreshCounts", delay: COUNTS_SETTLE_MS });
    }
    if (fromMe) {
      this.readCounting(id, message.seq);
      return effects;
    }
    if (ownAck || !fresh) return effects;
    if (this.selected === id && this.pageVisible) {
      effects.push(...this.readEffects(id, message.seq));
    } else if (conversation === undefined || conversation.last_seq === undefined) {
      this.localUnread.set(id, (this.localUnread.get(id) ?? 0) + 1);
    }
    if (message.author.kind === "visitor" && !this.gone.has(id)) {
      const name = conversation?.contact.name || message.author.name;
      effects.push({ type: "alert", kind: "message", conversation: id, title: name, body: message.body.slice(0, 200) });
    }
    return effects;
  }

  applyConversation(conversation: Conversation): Effect[] {
    const known = this.conversations.get(conversation.id);
    const unknown = this.upsert(conversation);
    const contact = this.contacts.get(conversation.contact.id);
    if (contact) {
      this.contacts.set(contact.id, {
        ...contact,
        ...conversation.contact,
        conversations: contact.conversations.map((past) => (past.id === conversation.id ? { ...past, ...conversation } : past)),
      });
    }
    const effects: Effect[] = [];
    const merged = this.conversations.get(conversation.id);
    if (known === undefined || merged === undefined || movesCounters(known, merged)) {
      effects.push({ type: "refreshCounts", delay: COUNTS_SETTLE_MS });
    }
    const recent = this.now - Date.parse(conversation.created_at) < NEW_CONVERSATION_MS;
    if (unknown && recent && conversation.status === "open" && !this.gone.has(conversation.id)) {
      effects.push({
        type: "alert",
        kind: "conversation",
        conversation: conversation.id,
        title: conversation.contact.name,
        body: conversation.last_message?.body ?? "",
      });
    }
    return effects;
  }

  applyOperator(operator: OperatorInfo): void {
    const known = this.operators.get(operator.id);
    this.operators.set(operator.id, { ...known, ...operator });
    if (operator.id === this.me.id) this.me = { ...this.me, status: operator.status, name: operator.name || this.me.name };
  }

  applyNotification(notification: MentionNotification): Effect[] {
    if (this.notifications.some((known) => known.id === notification.id)) return [];
    this.notifications = [notification, ...this.notifications].slice(0, 100);
    if (notification.read) return [];
    const by = notification.by?.name ?? "";
    return [{ type: "alert", kind: "notification", conversation: notification.conversation, title: by, body: "", notification }];
  }

  setNotifications(list: MentionNotification[]): void {
    const byId = new Map(list.map((item) => [item.id, item]));
    for (const known of this.notifications) if (!byId.has(known.id)) byId.set(known.id, known);
    this.notifications = [...byId.values()].sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at)).slice(0, 100);
    this.changed();
  }

  notificationRead(id: number): void {
    this.notifications = this.notifications.map((item) => (item.id === id ? { ...item, read: true } : item));
    this.changed();
  }

  unreadNotifications(): number {
    return this.notifications.filter((item) => !item.read).length;
  }

  // --- typing ---------------------------------------------------------------------------------

  private applyTyping(frame: Frame): void {
    const id = frame.conversation;
    const author = frame.author as { kind?: string; id?: number; name?: string } | undefined;
    if (typeof id !== "number" || !author || typeof author.kind !== "string") return;
    if (author.kind === "operator" && author.id === this.me.id) return; // our own echo
    const key = author.kind === "operator" ? `operator:${author.id}` : author.kind;
    if (frame.active !== true) {
      this.clearTyping(id, key);
      return;
    }
    const entries = (this.typing.get(id) ?? []).filter((entry) => entry.key !== key);
    entries.push({
      key,
      kind: author.kind,
      name: author.name ?? "",
      private: frame.private === true,
      until: this.now + TYPING_TTL_MS,
    });
    this.typing.set(id, entries);
  }

  private clearTyping(id: number, key: string): void {
    const entries = this.typing.get(id);
    if (!entries) return;
    const rest = entries.filter((entry) => entry.key !== key);
    if (rest.length) this.typing.set(id, rest);
    else this.typing.delete(id);
  }

  typingIn(id: number): TypingEntry[] {
    return (this.typing.get(id) ?? []).filter((entry) => entry.until > this.now);
  }

  /** Advances the clock (relative times, typing expiry); answers whether anything expired. */
  tick(now: number): boolean {
    this.now = now;
    let expired = false;
    for (const [id, entries] of this.typing) {
      const live = entries.filter((entry) => entry.until > now);
      if (live.length !== entries.length) {
        expired = true;
        if (live.length) this.typing.set(id, live);
        else this.typing.delete(id);
      }
    }
    return expired;
  }

  // --- read marks -----------------------------------------------------------------------------

  /** What to send when the operator looks at a conversation: a read mark up to what is known. */
  readEffects(id: number, seq?: number): Effect[] {
    const log = this.logs.get(id);
    const conversation = this.conversations.get(id);
    const highest = Math.max(seq ?? 0, log ? log.highestSeq : 0, conversation?.last_seq ?? 0);
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

  setConnection(status: ClientStatus): void {
    this.connection = status;
    this.changed();
  }

  // --- helpers for views ----------------------------------------------------------------------

  operatorName(id: number): string {
    return this.operators.get(id)?.name ?? `#${id}`;
  }

  teamName(id: number | null): string {
    if (id === null) return "";
    return this.teams.find((team) => team.id === id)?.name ?? `#${id}`;
  }
}
