/**
 * The console's state, the one object the views read, and the one place that changes it. Pure
 * with respect to the outside world: frames and REST answers go in (frames.ts says what each
 * does), and what the caller should do about them comes out as effects, which the controller
 * performs. The state is kept by concern:
 *
 * - conversation-list.ts: the known conversations and the lists they show in;
 * - message-logs.ts: the messages of the recently opened conversations, the operator's sends;
 * - unread.ts: read marks and the unread counters;
 * - typing.ts: who is typing where; notifications.ts: the operator's notifications;
 * - here: the operator, colleagues, teams and inboxes (the reference data), the connection,
 *   and what the operator is looking at (folder, status filter, selection, search, toasts).
 */

import type { ClientStatus, Frame } from "../protocol/client";
import type { ConversationLog } from "../protocol/log";
import { ConversationList, type ListState } from "./conversation-list";
import { applyConversation, applyFrame, applyMessage, applyNotification, type Effect, withLatest } from "./frames";
import type { Folder, StatusFilter } from "./lists";
import { MessageLogs, type PendingMessage } from "./message-logs";
import { NotificationList } from "./notifications";
import { type TypingEntry, TypingIndicators } from "./typing";
import { UnreadCounts } from "./unread";
import type { CannedResponse, ContactDetail, Conversation, ConversationCounts, Inbox, Me, MentionNotification, Message, OperatorInfo, Team } from "./types";

export interface SearchState {
  query: string;
  loading: boolean;
  conversations: Conversation[];
  contacts: ContactDetail[];
  error: string | null;
}

export type ConsoleView = "conversations" | "posts" | "webhooks";

export interface Toast {
  id: number;
  text: string;
  kind: "error" | "info";
}

export class ConsoleStore {
  // --- reference data -------------------------------------------------------------------------
  me: Me;
  operators = new Map<number, OperatorInfo>();
  teams: Team[] = [];
  inboxes: Map<number, Inbox> | null = null;
  labels: string[] = [];
  contacts = new Map<number, ContactDetail>();
  canned: CannedResponse[] = [];
  /** Whether the optional endpoints exist on this server (labels, canned, contacts search). */
  features = { canned: true, contactSearch: true, notifications: true, operatorsList: false };

  // --- the parts, by concern ------------------------------------------------------------------
  readonly conversationList = new ConversationList({ me: () => this.me, inboxes: () => this.inboxes, version: () => this.version });
  readonly messageLogs = new MessageLogs(() => this.selected);
  readonly typingIndicators = new TypingIndicators();
  readonly notificationList = new NotificationList();
  readonly unreadCounts: UnreadCounts;
  /** How far the contact has read, per conversation. */
  readonly visitorRead = new Map<number, number>();
  // The parts' collections, under the names the views read.
  readonly conversations = this.conversationList.byId;
  readonly gone = this.conversationList.gone;
  readonly lists = this.conversationList.lists;
  readonly logs = this.messageLogs.logs;
  readonly pending = this.messageLogs.pending;
  readonly typing = this.typingIndicators.byConversation;

  // --- the connection -------------------------------------------------------------------------
  connection: ClientStatus = "connecting";
  welcomed = false;
  /** The socket was refused although the session is valid: no inbox to work in. */
  noAccess = false;

  // --- what the operator is looking at --------------------------------------------------------
  /** The conversations (folders, list, conversation, contact), a channel's posts, or (for
   * admins) the outbound webhooks. */
  view: ConsoleView = "conversations";
  /** The inbox whose channel posts the Posts view shows (null: the first with a channel). */
  postsInbox: number | null = null;
  /** The webhook the Webhooks view shows (null: the first). */
  webhookId: number | null = null;
  folder: Folder = { kind: "mine" };
  status: StatusFilter = "open";
  selected: number | null = null;
  search: SearchState | null = null;
  toasts: Toast[] = [];
  /** Whether the page is visible (the tab is in front): read marks and alerts depend on it. */
  pageVisible = true;
  now = Date.now();

  version = 0;
  private listeners = new Set<() => void>();

  constructor(me: Me, operators: OperatorInfo[] = [], teams: Team[] = []) {
    this.me = { ...me };
    for (const operator of operators) this.operators.set(operator.id, operator);
    this.operators.set(me.id, { ...this.operators.get(me.id), ...me });
    this.teams = teams;
    this.unreadCounts = new UnreadCounts({
      conversations: this.conversations,
      gone: this.gone,
      meId: () => this.me.id,
      highestSeq: (id) => this.logs.get(id)?.highestSeq ?? 0,
      version: () => this.version,
    });
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

  // --- frames (frames.ts) ---------------------------------------------------------------------

  applyFrame(frame: Frame): Effect[] {
    return applyFrame(this, frame);
  }

  applyMessage(message: Message, ownAck = false): Effect[] {
    return applyMessage(this, message, ownAck);
  }

  applyConversation(conversation: Conversation): Effect[] {
    return applyConversation(this, conversation);
  }

  applyNotification(notification: MentionNotification): Effect[] {
    return applyNotification(this, notification);
  }

  // --- reference data -------------------------------------------------------------------------

  applyOperator(operator: OperatorInfo): void {
    const known = this.operators.get(operator.id);
    this.operators.set(operator.id, { ...known, ...operator });
    if (operator.id === this.me.id) this.me = { ...this.me, status: operator.status, name: operator.name || this.me.name };
  }

  setInboxes(inboxes: Inbox[]): void {
    this.inboxes = new Map(inboxes.map((inbox) => [inbox.id, inbox]));
    this.conversationList.refreshSight();
    this.changed();
  }

  operatorName(id: number): string {
    return this.operators.get(id)?.name ?? `#${id}`;
  }

  teamName(id: number | null): string {
    if (id === null) return "";
    return this.teams.find((team) => team.id === id)?.name ?? `#${id}`;
  }

  setConnection(status: ClientStatus): void {
    this.connection = status;
    this.changed();
  }

  // --- conversations and lists (conversation-list.ts) -----------------------------------------

  /** Merges a conversation from REST or a frame; answers whether it was unknown before. */
  upsert(incoming: Conversation): boolean {
    return this.conversationList.upsert(incoming);
  }

  mergeConversations(list: Conversation[]): void {
    for (const conversation of list) this.upsert(conversation);
    this.changed();
  }

  listState(folder: Folder, status: StatusFilter): ListState {
    return this.conversationList.listState(folder, status);
  }

  listItems(folder: Folder, status: StatusFilter): Conversation[] {
    return this.conversationList.listItems(folder, status);
  }

  currentItems(): Conversation[] {
    return this.listItems(this.folder, this.status);
  }

  // --- unread (unread.ts) ---------------------------------------------------------------------

  get optimisticReads(): UnreadCounts["optimisticReads"] {
    return this.unreadCounts.optimisticReads;
  }

  countsRequested(): number {
    return this.unreadCounts.countsRequested();
  }

  setCounts(counts: ConversationCounts, epoch: number): void {
    if (this.unreadCounts.setCounts(counts, epoch)) this.changed();
  }

  unreadInFolder(folder: Folder): number {
    return this.unreadCounts.inFolder(folder);
  }

  unread(conversation: Conversation): number {
    return this.unreadCounts.of(conversation);
  }

  totalUnread(): number {
    return this.unreadCounts.total();
  }

  readEffects(id: number, seq?: number): Effect[] {
    return this.unreadCounts.readEffects(id, seq);
  }

  // --- messages (message-logs.ts) -------------------------------------------------------------

  log(id: number): ConversationLog {
    return this.messageLogs.log(id);
  }

  messages(id: number): Message[] {
    return this.messageLogs.messages(id);
  }

  /** A page of history from REST: everything up to its last seq is now known. */
  addHistory(id: number, messages: Message[]): void {
    const highest = this.messageLogs.addHistory(id, messages, this.me.id);
    const last = messages[messages.length - 1];
    const conversation = this.conversations.get(id);
    if (conversation && last) this.conversations.set(id, withLatest(conversation, last, highest));
    this.changed();
  }

  addPending(pending: PendingMessage): void {
    this.messageLogs.addPending(pending);
    this.changed();
  }

  failPending(clientId: string, reason: string): void {
    this.messageLogs.failPending(clientId, reason);
    this.changed();
  }

  dropPending(clientId: string): void {
    this.messageLogs.dropPending(clientId);
    this.changed();
  }

  pendingFor(id: number): PendingMessage[] {
    return this.messageLogs.pendingFor(id);
  }

  // --- typing (typing.ts) and notifications (notifications.ts) --------------------------------

  typingIn(id: number): TypingEntry[] {
    return this.typingIndicators.in(id, this.now);
  }

  /** Advances the clock (relative times, typing expiry); answers whether anything expired. */
  tick(now: number): boolean {
    this.now = now;
    return this.typingIndicators.expire(now);
  }

  get notifications(): MentionNotification[] {
    return this.notificationList.items;
  }

  setNotifications(list: MentionNotification[]): void {
    this.notificationList.merge(list);
    this.changed();
  }

  notificationRead(id: number): void {
    this.notificationList.markRead(id);
    this.changed();
  }

  unreadNotifications(): number {
    return this.notificationList.unread;
  }

  // --- what the operator is looking at --------------------------------------------------------

  setFolder(folder: Folder, status?: StatusFilter): void {
    this.folder = folder;
    if (status) this.status = status;
    this.changed();
  }

  select(id: number | null): Effect[] {
    this.selected = id;
    const effects: Effect[] = [];
    if (id !== null) {
      // Most recently used last, so the eviction drops the oldest.
      this.messageLogs.touch(id);
      effects.push(...this.readEffects(id));
    }
    this.changed();
    return effects;
  }

  /** The open conversation, if the store knows it. */
  selectedConversation(): Conversation | undefined {
    return this.selected === null ? undefined : this.conversations.get(this.selected);
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
}
