/**
 * What the operator writes: replies and private notes go out over the socket with a client_id
 * (shown as pending until the server stores them, failed with Retry or Discard if refused),
 * typing is announced while they write (renewed, and ended when idle, on send or when they
 * move to another conversation), and the views' requests for the composer's focus. The drafts
 * (drafts.ts), canned responses (canned.ts) and @mentions (mentions.ts) are the composer view's.
 */

import { type Frame, newClientId, SendError } from "../protocol/client";
import type { Message } from "../protocol/log";
import { errorText } from "./api";
import type { Drafts } from "./drafts";
import type { Effect } from "./frames";
import type { ConsoleStore } from "./store";

/** A typing indicator is renewed this often while the operator writes. */
export const TYPING_RENEW_MS = 3000;
/** Typing ends this long after the last keystroke. */
export const TYPING_IDLE_MS = 4000;

/** The socket, as the composer uses it (the shared protocol client). */
export interface Outbox {
  send(frame: Frame): boolean;
  sendAcked(frame: Frame, clientId: string): Promise<Message>;
  discard(clientId: string): void;
}

export interface ComposerDeps {
  store: ConsoleStore;
  drafts: Drafts;
  outbox: Outbox;
  run(effects: Effect[]): void;
}

export class ConsoleComposer {
  readonly drafts: Drafts;
  /** Focus requests for the composer of one conversation, observed by the view; `mode` null
   * keeps the composer's mode. */
  focus: { conversation: number; mode: "reply" | "note" | null; at: number } | null = null;
  private typingState: { conversation: number; private: boolean; sentAt: number } | null = null;
  private typingIdle: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly deps: ComposerDeps) {
    this.drafts = deps.drafts;
  }

  send(conversation: number, body: string, isPrivate: boolean): void {
    const clientId = newClientId();
    this.stopTyping();
    this.deps.store.addPending({ clientId, conversation, body, private: isPrivate, failed: null });
    this.deliver(conversation, body, isPrivate, clientId);
  }

  retry(clientId: string): void {
    const pending = this.deps.store.pending.get(clientId);
    if (!pending) return;
    this.deps.store.addPending({ ...pending, failed: null });
    this.deliver(pending.conversation, pending.body, pending.private, clientId);
  }

  discard(clientId: string): void {
    this.deps.outbox.discard(clientId);
    this.deps.store.dropPending(clientId);
  }

  /** Called on every keystroke of the composer: typing on, renewed, then off when idle. */
  typing(conversation: number, isPrivate: boolean): void {
    const now = Date.now();
    const state = this.typingState;
    if (!state || state.conversation !== conversation || state.private !== isPrivate || now - state.sentAt > TYPING_RENEW_MS) {
      if (state && (state.conversation !== conversation || state.private !== isPrivate)) this.stopTyping();
      this.deps.outbox.send({ type: "typing", conversation, active: true, private: isPrivate });
      this.typingState = { conversation, private: isPrivate, sentAt: now };
    }
    if (this.typingIdle !== null) clearTimeout(this.typingIdle);
    this.typingIdle = setTimeout(() => this.stopTyping(), TYPING_IDLE_MS);
  }

  stopTyping(): void {
    if (this.typingIdle !== null) clearTimeout(this.typingIdle);
    this.typingIdle = null;
    const state = this.typingState;
    this.typingState = null;
    if (state) this.deps.outbox.send({ type: "typing", conversation: state.conversation, active: false, private: state.private });
  }

  /** Asks the view to focus the composer of a conversation (the open one by default). */
  requestFocus(mode: "reply" | "note" | null, conversation: number | null = this.deps.store.selected): void {
    if (conversation === null) return;
    this.focus = { conversation, mode, at: Date.now() };
    this.deps.store.changed();
  }

  private deliver(conversation: number, body: string, isPrivate: boolean, clientId: string): void {
    const { store } = this.deps;
    this.deps.outbox
      .sendAcked({ type: "message", conversation, body, private: isPrivate }, clientId)
      .then((message) => this.deps.run(store.applyMessage(message, true)))
      .catch((error) => {
        const reason = error instanceof SendError ? error.message : errorText(error);
        store.failPending(clientId, reason);
      });
    store.changed();
  }
}
