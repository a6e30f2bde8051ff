/**
 * The REST fallback, for when websockets are blocked (a proxy, a firewall): the sends not yet
 * acked go by `POST /messages` (the same client_id, so never stored twice) and what is new is
 * read by `GET /messages?after_seq=`, again every few seconds until the socket is back (the
 * socket keeps trying with its back-off meanwhile; connection.ts starts and stops this).
 */
import type { Frame } from "../protocol/client";
import type { Message } from "../protocol/log";
import { ApiError, type WidgetApi } from "./api";
import type { ChatState } from "./store";

export const POLL_MS = 4000;
/** Errors of a REST send that no retry can fix. */
const FINAL_REST_ERRORS = new Set([
  "invalid",
  "empty_body",
  "body_too_long",
  "invalid_body",
  "invalid_client_id",
  "attachment_not_found",
  "attachment_in_use",
  "invalid_attachments",
  "too_many_attachments",
]);

/** What the fallback feeds (conversation.ts). */
export interface FallbackConversation {
  readonly state: ChatState;
  onFrame(frame: Frame): void;
  received(message: Message | undefined): void;
  savePending(): void;
}

export interface FallbackDeps {
  api: WidgetApi;
  token(): string | null;
  /** Forgets a send on the socket's side (it was stored, or refused, over REST). */
  discard(clientId: string): void;
  conversation: FallbackConversation;
  changed(): void;
}

export class RestFallback {
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** The last poll got through (then the chat works, socket or not). */
  private ok = false;
  private sending = new Set<string>();

  constructor(private readonly deps: FallbackDeps) {}

  get polling(): boolean {
    return this.timer !== null;
  }

  /** Polling, and the last poll got through. */
  get working(): boolean {
    return this.polling && this.ok;
  }

  start(): void {
    if (this.polling || !this.deps.token()) return;
    this.timer = setTimeout(() => void this.poll(), 0);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.ok = false;
  }

  /** A new send while polling: a poll now rather than at the next round. */
  restart(): void {
    if (!this.polling) return;
    this.stop();
    this.start();
  }

  /** Sends what is pending and reads what is new, over REST. */
  private async poll(): Promise<void> {
    const token = this.deps.token();
    if (!token) return;
    const { conversation } = this.deps;
    for (const item of [...conversation.state.pending]) {
      if (item.error || this.sending.has(item.clientId)) continue;
      this.sending.add(item.clientId);
      try {
        const ids = item.attachments.map((attachment) => attachment.id);
        const message = await this.deps.api.send(token, item.clientId, item.body, ids);
        this.deps.discard(item.clientId);
        conversation.onFrame({ type: "ack", client_id: item.clientId, message });
      } catch (error) {
        if (error instanceof ApiError && FINAL_REST_ERRORS.has(error.code)) {
          this.deps.discard(item.clientId);
          conversation.state.fail(item.clientId, error.code);
          conversation.savePending();
        }
      } finally {
        this.sending.delete(item.clientId);
      }
    }
    const state = conversation.state;
    try {
      const page = await this.deps.api.messagesAfter(token, state.conversationId, state.lastSeq);
      for (const message of page.results) conversation.received(message);
      if (!page.next && state.log?.hasGap) state.log.settleThrough(state.highestSeq);
      this.ok = true;
    } catch {
      this.ok = false; // offline: the next round tries again
    }
    this.deps.changed();
    if (this.timer !== null) this.timer = setTimeout(() => void this.poll(), POLL_MS);
  }
}
