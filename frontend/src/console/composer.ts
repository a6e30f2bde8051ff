/**
 * What the operator writes: replies and private notes go out over the socket with a client_id
 * (shown as pending until the server stores them, failed with Retry or Discard if refused),
 * typing is announced while they write (renewed, and ended when idle, on send or when they
 * move to another conversation), the files each conversation's composer carries (uploaded at
 * once, shared/uploads.ts; kept while the operator looks elsewhere, like a draft), and the
 * views' requests for the composer's focus. The drafts (drafts.ts), canned responses
 * (canned.ts) and @mentions (mentions.ts) are the composer view's.
 */

import { type Frame, newClientId, SendError } from "../protocol/client";
import type { Message } from "../protocol/log";
import type { Uploader } from "../shared/uploads";
import { UploadQueue } from "../shared/uploads";
import { UploadError } from "../shared/upload";
import { errorText } from "./api";
import type { Drafts } from "./drafts";
import type { Effect } from "./frames";
import { t } from "./i18n";
import type { ConsoleStore } from "./store";
import type { Attachment } from "./types";

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
  /** Uploads a file for the next message (the REST API); without it, files are refused. */
  upload?: Uploader<File>;
}

/** The words for a failed upload: the server's message, else the catalogue's. */
export function uploadErrorText(error: unknown): string {
  if (error instanceof UploadError) return error.message || t(error.status === 413 ? "upload.tooLarge" : "upload.failed");
  return errorText(error) || t("upload.failed");
}

export class ConsoleComposer {
  readonly drafts: Drafts;
  /** Focus requests for the composer of one conversation, observed by the view; `mode` null
   * keeps the composer's mode. */
  focus: { conversation: number; mode: "reply" | "note" | null; at: number } | null = null;
  private typingState: { conversation: number; private: boolean; sentAt: number } | null = null;
  private typingIdle: ReturnType<typeof setTimeout> | null = null;
  private readonly queues = new Map<number, UploadQueue<File>>();

  constructor(private readonly deps: ComposerDeps) {
    this.drafts = deps.drafts;
  }

  /** Sends a reply or a note; `attachments`: the uploaded files it carries (then the body may
   * be empty). */
  send(conversation: number, body: string, isPrivate: boolean, attachments: Attachment[] = []): void {
    const clientId = newClientId();
    this.stopTyping();
    this.deps.store.addPending({ clientId, conversation, body, private: isPrivate, failed: null, attachments });
    this.deliver(conversation, body, isPrivate, attachments, clientId);
  }

  retry(clientId: string): void {
    const pending = this.deps.store.pending.get(clientId);
    if (!pending) return;
    this.deps.store.addPending({ ...pending, failed: null });
    this.deliver(pending.conversation, pending.body, pending.private, pending.attachments ?? [], clientId);
  }

  /** The files of a conversation's composer (made on first use). */
  files(conversation: number): UploadQueue<File> {
    let queue = this.queues.get(conversation);
    if (!queue) {
      const upload = this.deps.upload;
      queue = new UploadQueue<File>({
        upload: upload ?? (() => Promise.reject(new UploadError(0, "unavailable", ""))),
        describe: uploadErrorText,
        changed: () => this.deps.store.changed(),
      });
      this.queues.set(conversation, queue);
    }
    return queue;
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

  private deliver(conversation: number, body: string, isPrivate: boolean, attachments: Attachment[], clientId: string): void {
    const { store } = this.deps;
    const frame: Frame = { type: "message", conversation, private: isPrivate };
    // With files the body may be left out; a body of only whitespace is left out then too.
    if (body.trim() || attachments.length === 0) frame.body = body;
    if (attachments.length) frame.attachments = attachments.map((attachment) => attachment.id);
    this.deps.outbox
      .sendAcked(frame, clientId)
      .then((message) => this.deps.run(store.applyMessage(message, true)))
      .catch((error) => {
        const reason = error instanceof SendError ? error.message : errorText(error);
        store.failPending(clientId, reason);
      });
    store.changed();
  }
}
