/**
 * The widget's state, without the DOM: the current conversation and its messages (the shared
 * `ConversationLog`: deduplicated by id, ordered by seq), the visitor's sends not yet acked,
 * read marks both ways, the operator's typing, and the rows the view draws from all that.
 */
import { ConversationLog, type Author, type Message } from "../protocol/log";
import { type Attachment, attachmentsOf } from "../shared/attachments";
import { startOfDay } from "./i18n";

/** A visitor's view of a conversation (protocol.md): what the widget shows, nothing more. */
export interface Conversation {
  id: number;
  status: string;
  assignee: { name: string } | null;
  queue_position: number | null;
}

export interface InboxInfo {
  name: string;
  greeting: string;
  online: boolean;
  locale: string;
  /** Extensions (optional): the inbox's widget settings. */
  color?: string;
  prechat_fields?: string[];
  prechat_required?: string[];
  /** Extensions (optional): within business hours now; when the team is back (ISO UTC). */
  open?: boolean;
  next_open_at?: string | null;
}

export interface PendingItem {
  clientId: string;
  body: string;
  /** The uploaded files it carries. */
  attachments: Attachment[];
  at: number;
  /** The server refused it for good (a SendError code), or null. */
  error: string | null;
}

export type SendState = "sending" | "sent" | "read" | "failed";

export interface DayRow {
  kind: "day";
  key: string;
  date: Date;
}

export interface MessageRow {
  kind: "message" | "system";
  key: string;
  body: string;
  attachments: Attachment[];
  at: Date;
  mine: boolean;
  author: Author | null;
  /** The visitor's own messages: where the send is. */
  state: SendState | null;
  /** First and last of a run of messages by one author within a few minutes. */
  first: boolean;
  last: boolean;
  /** Show the state line (always for sending/failed, else under the last own message). */
  showState: boolean;
  clientId: string | null;
}

export type Row = DayRow | MessageRow;

/** How long an unacked send may wait while the connection is down before it shows as failed. */
export const STALE_MS = 15_000;
const GROUP_MS = 5 * 60_000;

export class ChatState {
  conversation: Conversation | null = null;
  log: ConversationLog | null = null;
  pending: PendingItem[] = [];
  readSeq = 0;
  operatorReadSeq = 0;
  /** Who is typing (an operator's name), or null. */
  typing: string | null = null;

  constructor(saved: { conversation?: number; readSeq?: number; operatorReadSeq?: number } = {}) {
    if (saved.conversation) {
      this.log = new ConversationLog(saved.conversation);
      this.readSeq = saved.readSeq ?? 0;
      this.operatorReadSeq = saved.operatorReadSeq ?? 0;
    }
  }

  /** Another visitor or another conversation: everything starts afresh but the sends not yet
   * acked (they still go out, into whatever conversation the server has now). */
  restart(): void {
    this.conversation = null;
    this.log = null;
    this.readSeq = 0;
    this.operatorReadSeq = 0;
    this.typing = null;
  }

  get conversationId(): number | null {
    return this.log?.conversation ?? null;
  }

  /** The highest seq known with nothing missing below it (for `hello`). */
  get lastSeq(): number {
    return this.log?.lastSeq ?? 0;
  }

  get highestSeq(): number {
    return this.log?.highestSeq ?? 0;
  }

  /** Takes the server's view of the current conversation; answers true when it is another one
   * than before (the messages and marks start afresh). */
  setConversation(conversation: Conversation | null): boolean {
    if (conversation === null) return false;
    const switched = this.switchTo(conversation.id);
    if (switched === null) return false; // an older conversation: not shown
    this.conversation = conversation;
    return switched;
  }

  /** Adds a message; answers whether it is new to the log. */
  add(message: Message): boolean {
    if (message.private) return false; // never sent to a widget; never shown if it were
    if (this.switchTo(message.conversation) === null || !this.log) return false;
    const added = this.log.add(message);
    if (message.client_id) this.dropPending(message.client_id);
    if (added && message.author.kind !== "visitor") this.typing = null;
    // an operator who writes has read what came before (the server records it so too)
    if (added && message.author.kind === "operator") this.operatorRead(message.seq);
    return added;
  }

  /** The server stored our send: the pending item becomes the message. */
  ack(clientId: string, message: Message): boolean {
    this.dropPending(clientId);
    return this.add(message);
  }

  queue(clientId: string, body: string, at: number, attachments: Attachment[] = []): PendingItem {
    const item: PendingItem = { clientId, body, attachments, at, error: null };
    this.pending.push(item);
    return item;
  }

  fail(clientId: string, code: string): void {
    const item = this.pending.find((entry) => entry.clientId === clientId);
    if (item) item.error = code;
  }

  dropPending(clientId: string): PendingItem | null {
    const index = this.pending.findIndex((entry) => entry.clientId === clientId);
    if (index < 0) return null;
    return this.pending.splice(index, 1)[0];
  }

  /** An operator has read up to `seq`. */
  operatorRead(seq: number): boolean {
    if (seq <= this.operatorReadSeq) return false;
    this.operatorReadSeq = seq;
    return true;
  }

  /** The visitor has seen everything shown; answers the seq to report, or null if nothing new. */
  markRead(): number | null {
    const highest = this.highestSeq;
    if (!this.log || highest <= this.readSeq) return null;
    this.readSeq = highest;
    return highest;
  }

  /** Messages from the team the visitor has not seen yet. */
  unread(): number {
    if (!this.log) return 0;
    return this.log.messages().filter((m) => m.seq > this.readSeq && m.author.kind !== "visitor").length;
  }

  /** The visitor has a conversation that is not resolved. */
  get isOpen(): boolean {
    return this.conversation !== null && this.conversation.status !== "resolved";
  }

  rows(now: number, connected: boolean): Row[] {
    const rows: Row[] = [];
    const messages = this.log?.messages() ?? [];
    const inLog = new Set(messages.map((m) => m.client_id).filter(Boolean));
    const items: MessageRow[] = [];
    for (const m of messages) {
      const mine = m.author.kind === "visitor";
      items.push({
        kind: m.author.kind === "system" ? "system" : "message",
        key: m.client_id && mine ? `c${m.client_id}` : `m${m.id}`,
        body: m.body,
        attachments: attachmentsOf(m),
        at: new Date(m.created_at),
        mine,
        author: m.author,
        state: mine ? (m.seq <= this.operatorReadSeq ? "read" : "sent") : null,
        first: true,
        last: true,
        showState: false,
        clientId: m.client_id,
      });
    }
    for (const p of this.pending) {
      if (inLog.has(p.clientId)) continue;
      const stale = !connected && now - p.at > STALE_MS;
      items.push({
        kind: "message",
        key: `c${p.clientId}`,
        body: p.body,
        attachments: p.attachments,
        at: new Date(p.at),
        mine: true,
        author: null,
        state: p.error || stale ? "failed" : "sending",
        first: true,
        last: true,
        showState: true,
        clientId: p.clientId,
      });
    }
    let lastMine = -1;
    items.forEach((item, index) => {
      if (item.mine && (item.state === "sent" || item.state === "read")) lastMine = index;
    });
    if (lastMine >= 0 && !items.slice(lastMine + 1).some((item) => item.mine)) {
      items[lastMine].showState = true;
    }
    let previous: MessageRow | null = null;
    let day = -1;
    for (const item of items) {
      const itemDay = startOfDay(item.at);
      if (itemDay !== day) {
        day = itemDay;
        rows.push({ kind: "day", key: `d${itemDay}`, date: new Date(itemDay) });
        previous = null;
      }
      if (previous && sameRun(previous, item)) {
        previous.last = false;
        item.first = false;
      }
      rows.push(item);
      previous = item;
    }
    return rows;
  }

  /** Makes `id` the current conversation: true if it is a newer one, false if the same, null
   * if it is older than the current one (then ignored). */
  private switchTo(id: number): boolean | null {
    const current = this.log?.conversation ?? null;
    if (current === id) return false;
    if (current !== null && id < current) return null;
    this.log = new ConversationLog(id);
    this.conversation = this.conversation?.id === id ? this.conversation : null;
    this.readSeq = 0;
    this.operatorReadSeq = 0;
    this.typing = null;
    return true;
  }
}

function sameRun(a: MessageRow, b: MessageRow): boolean {
  if (a.kind === "system" || b.kind === "system" || a.mine !== b.mine) return false;
  if (!a.mine && (a.author?.kind !== b.author?.kind || a.author?.id !== b.author?.id)) return false;
  return b.at.getTime() - a.at.getTime() < GROUP_MS;
}
