/**
 * The conversation the visitor sees, kept in step with the server. Frames and REST pages go into
 * the state (store.ts: messages deduplicated by id and ordered by seq, the sends not yet acked,
 * read marks both ways, the operator's typing); what follows from them goes out: the marks and
 * the unacked sends saved in the site's storage (so a reload resumes them), the host page's
 * `message` events (each seq once, across reloads), a `read` frame once the visitor has seen
 * something new, and a REST read of what a seq gap left out.
 */
import type { Frame } from "../protocol/client";
import type { Message } from "../protocol/log";
import type { Session } from "./api";
import type { Saved, SavedSend, VisitorStore } from "./storage";
import { ChatState, type Conversation } from "./store";

/** An operator's typing indicator that no frame ends goes away after this long. */
export const OPERATOR_TYPING_MAX_MS = 8000;
/** How long a seq gap may wait for the missing frame before the server is asked. */
export const GAP_FILL_DELAY_MS = 400;

export type MessagesPage = { results: Message[]; next: string | null };

export interface ConversationDeps {
  store: VisitorStore;
  /** Calls the host page's `on(event, fn)` handlers. */
  emit(event: string, payload?: unknown): void;
  /** Sends a frame over the socket if there is one (read marks). */
  send(frame: Frame): void;
  /** The visitor's messages of `conversation` after `afterSeq` over REST; null without a session. */
  messagesAfter(conversation: number | null, afterSeq: number): Promise<MessagesPage> | null;
  /** Whether the visitor can see the messages now (the panel open, the page visible). */
  seeing(): boolean;
  /** The name shown for an operator who types without one. */
  operatorName(): string;
  /** The conversation is another one than before. */
  switched(): void;
  /** Something shown has changed. */
  changed(): void;
}

export class ConversationSync {
  readonly state: ChatState;
  /** The highest seq reported to the host page's `message` handlers. */
  private emitFloor: number;
  private typingTimer: ReturnType<typeof setTimeout> | null = null;
  private gapTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    saved: Saved,
    private readonly deps: ConversationDeps,
  ) {
    this.state = new ChatState(saved);
    this.emitFloor = saved.seenSeq ?? 0;
    for (const send of saved.pending ?? []) this.state.queue(send.clientId, String(send.frame.body ?? ""), send.at, send.files ?? []);
  }

  /** A session answered: another visitor, or another conversation than the one shown, starts
   * afresh (the unacked sends stay); then the session's conversation is the one shown. */
  applySession(session: Session, sameVisitor: boolean): void {
    const conversation = session.conversation;
    if (!sameVisitor || (this.state.conversationId !== null && conversation?.id !== this.state.conversationId)) {
      this.state.restart();
      this.emitFloor = 0;
      this.deps.store.update({ conversation: undefined, readSeq: undefined, operatorReadSeq: undefined, seenSeq: undefined });
    }
    if (conversation) this.state.setConversation(conversation);
  }

  onFrame(frame: Frame): void {
    switch (frame.type) {
      case "welcome": {
        const switched = this.state.setConversation(frame.conversation as Conversation | null);
        if (switched) this.onSwitched();
        if (this.state.readSeq > 0) this.deps.send({ type: "read", seq: this.state.readSeq });
        break;
      }
      case "message":
        this.received(frame.message as Message);
        break;
      case "ack":
        if (typeof frame.client_id === "string") this.state.dropPending(frame.client_id);
        this.received(frame.message as Message);
        this.savePending();
        break;
      case "typing":
        this.operatorTyping(frame);
        break;
      case "read":
        if (typeof frame.seq === "number" && this.state.operatorRead(frame.seq)) {
          this.deps.store.update({ operatorReadSeq: this.state.operatorReadSeq });
        }
        break;
      case "conversation": {
        const conversation = frame.conversation as Conversation;
        if (this.state.setConversation(conversation)) this.onSwitched();
        break;
      }
      default:
        return; // error frames of no send, unknown frames: nothing to show
    }
    this.deps.changed();
  }

  /** A message from a frame or a REST page (anything else is ignored). */
  received(message: Message | undefined): void {
    if (!message || typeof message !== "object" || typeof message.conversation !== "number") return;
    const before = this.state.conversationId;
    if (!this.state.add(message)) return;
    if (this.state.conversationId !== before) this.onSwitched();
    if (message.seq > this.emitFloor) {
      this.emitFloor = message.seq;
      this.deps.store.update({ seenSeq: this.emitFloor });
      this.deps.emit("message", message);
    }
    if (this.state.log?.hasGap) this.scheduleGapFill();
    this.markRead();
  }

  /** The visitor has seen what is shown: the mark is saved and sent. */
  markRead(): void {
    if (!this.deps.seeing()) return;
    const seq = this.state.markRead();
    if (seq === null) return;
    this.deps.store.update({ readSeq: seq });
    this.deps.send({ type: "read", seq });
    this.deps.changed();
  }

  /** Another tab of the site has read further in the same conversation. */
  adoptReadMark(saved: Saved): void {
    if (saved.conversation === this.state.conversationId && (saved.readSeq ?? 0) > this.state.readSeq) {
      this.state.readSeq = saved.readSeq ?? 0;
    }
  }

  /** Keeps the sends not yet acked (and not refused) in the site's storage, with their files. */
  savePending(): void {
    const pending = this.state.pending
      .filter((item) => !item.error)
      .map((item): SavedSend => {
        if (item.attachments.length === 0) return { clientId: item.clientId, frame: { type: "message", body: item.body }, at: item.at };
        const ids = item.attachments.map((attachment) => attachment.id);
        return { clientId: item.clientId, frame: { type: "message", body: item.body, attachments: ids }, at: item.at, files: item.attachments };
      });
    this.deps.store.update({ pending: pending.length ? pending : undefined });
  }

  private operatorTyping(frame: Frame): void {
    const author = frame.author as { kind?: string; name?: string } | undefined;
    if (author?.kind === "visitor") return;
    this.state.typing = frame.active ? author?.name || this.deps.operatorName() : null;
    if (this.typingTimer) clearTimeout(this.typingTimer);
    if (this.state.typing) {
      this.typingTimer = setTimeout(() => {
        this.state.typing = null;
        this.deps.changed();
      }, OPERATOR_TYPING_MAX_MS);
    }
  }

  private onSwitched(): void {
    this.emitFloor = 0;
    this.deps.switched();
    this.deps.store.update({
      conversation: this.state.conversationId ?? undefined,
      readSeq: undefined,
      operatorReadSeq: undefined,
      seenSeq: undefined,
    });
  }

  /** A seq is missing (a dropped frame, or a private note): ask the server what follows. */
  private scheduleGapFill(): void {
    if (this.gapTimer) return;
    this.gapTimer = setTimeout(() => void this.fillGap(), GAP_FILL_DELAY_MS);
  }

  private async fillGap(): Promise<void> {
    this.gapTimer = null;
    const log = this.state.log;
    if (!log || !log.hasGap) return;
    const through = log.highestSeq;
    const request = this.deps.messagesAfter(log.conversation, log.lastSeq);
    if (!request) return;
    try {
      const page = await request;
      for (const message of page.results) this.received(message);
      if (!page.next) log.settleThrough(through); // what is still missing was a note
    } catch {
      return; // the next reconnect's replay fills it
    }
    this.deps.changed();
  }
}
