/**
 * What the visitor writes: a message (its text, the files uploaded for it, or both) is checked,
 * queued (shown as sending, kept in the site's storage until acked, its files' ids with it) and
 * sent over the socket, or a session is started to send it; a send refused for good can be
 * retried as a new one; typing is announced while the visitor writes and ended when they stop,
 * send or close the panel. The files themselves upload before (shared/uploads.ts).
 */
import { type Frame, newClientId, SendError } from "../protocol/client";
import type { Message } from "../protocol/log";
import type { Attachment } from "../shared/attachments";
import type { ChatState, PendingItem } from "./store";
import type { Key } from "./strings";
import { bodyProblem } from "./validate";

/** Typing ends this long after the last keystroke. */
export const TYPING_IDLE_MS = 3000;

/** The line the composer sends over (connection.ts). */
export interface ComposerLine {
  readonly hasSocket: boolean;
  send(frame: Frame): void;
  sendMessage(clientId: string, body: string, attachments: number[]): Promise<Message> | null;
  discard(clientId: string): void;
  start(): Promise<void>;
  wake(): void;
  readonly fallback: { restart(): void };
}

export interface ComposerDeps {
  state: ChatState;
  line: ComposerLine;
  /** Keeps the unacked sends in the site's storage (conversation.ts). */
  savePending(): void;
  /** Shows (or clears) the problem of the text in the composer. */
  setError(problem: Key | null): void;
  /** Something shown has changed (`scroll`: to the newest message). */
  changed(scroll?: boolean): void;
}

export class Composer {
  private typingOut = false;
  private typingTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly deps: ComposerDeps) {}

  /** Answers true when the message was taken (the composer is then cleared). */
  send(body: string, attachments: Attachment[] = []): boolean {
    const { state, line } = this.deps;
    const problem = bodyProblem(body, attachments.length > 0);
    if (problem) {
      this.deps.setError(problem);
      return false;
    }
    this.deps.setError(null);
    const clientId = newClientId();
    const item = state.queue(clientId, body, Date.now(), attachments);
    this.setTypingOut(false);
    this.deps.savePending();
    if (line.hasSocket) this.dispatch(item);
    else void line.start();
    line.fallback.restart();
    this.deps.changed(true);
    return true;
  }

  /** Sends every queued message not refused (a new socket: they go out through it). */
  resend(): void {
    for (const item of this.deps.state.pending) if (!item.error) this.dispatch(item);
  }

  retry(clientId: string): void {
    const { state, line } = this.deps;
    const item = state.pending.find((entry) => entry.clientId === clientId);
    if (!item) return;
    if (item.error) {
      // refused for good: this is a new attempt at the text, with a new client_id
      state.dropPending(clientId);
      line.discard(clientId);
      this.send(item.body, item.attachments);
      return;
    }
    item.at = Date.now();
    line.wake();
  }

  /** Called on every change of the composer's text. */
  typing(text: string): void {
    if (!text.trim()) {
      this.setTypingOut(false);
      return;
    }
    this.setTypingOut(true);
    if (this.typingTimer) clearTimeout(this.typingTimer);
    this.typingTimer = setTimeout(() => this.setTypingOut(false), TYPING_IDLE_MS);
  }

  setTypingOut(active: boolean): void {
    if (!active && this.typingTimer) {
      clearTimeout(this.typingTimer);
      this.typingTimer = null;
    }
    if (this.typingOut === active) return;
    this.typingOut = active;
    if (this.deps.state.conversationId !== null) this.deps.line.send({ type: "typing", active });
  }

  private dispatch(item: PendingItem): void {
    const { clientId, body } = item;
    const ids = item.attachments.map((attachment) => attachment.id);
    this.deps.line.sendMessage(clientId, body, ids)?.catch((error: unknown) => {
      if (error instanceof SendError) {
        this.deps.state.fail(clientId, error.code);
        this.deps.savePending();
        this.deps.changed();
      }
    });
  }
}
