/**
 * The widget's line to the helpdesk: the session (`POST /sessions`, retried with back-off; a
 * wrong identity goes on anonymously, an unknown token starts afresh, a refused origin or inbox
 * stops and says so), the socket over the shared protocol client (hello with the conversation
 * and the last seq, resume, acks, resend), its 4401 refusals, and the REST fallback
 * (fallback.ts) after a few failed socket attempts in a row.
 */
import { backoffDelay } from "../protocol/backoff";
import { type ClientStatus, type Frame, ProtocolClient, type SocketLike } from "../protocol/client";
import type { Message } from "../protocol/log";
import { ApiError, type Identity, messagePayload, type Session, type WidgetApi } from "./api";
import { type FallbackConversation, RestFallback } from "./fallback";
import type { VisitorStore } from "./storage";
import type { InboxInfo } from "./store";

/** Failed socket attempts in a row (never welcomed) before falling back to REST polling. */
export const FALLBACK_AFTER = 3;
/** Sockets closed with 4401 in a row before the visitor token is dropped. */
export const REFUSALS_BEFORE_NEW_VISITOR = 3;
/** The inbox (online or away) is read again at most this often when the panel opens. */
export const INBOX_REFRESH_MS = 60_000;
/** setTimeout holds at most 2^31-1 ms (about 24 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface ConnectionDeps {
  api: WidgetApi;
  store: VisitorStore;
  inboxKey: string;
  /** The helpdesk's origin: the socket goes there. */
  origin: string;
  locale: string;
  /** The visitor token saved by an earlier page, if any. */
  token: string | null;
  identity: Identity | null;
  /** The host page the visitor is on. */
  page(): { url: string; title: string };
  conversation: FallbackConversation;
  /** A session answered (`sameVisitor`: it carries the token that was sent). */
  session(session: Session, sameVisitor: boolean): void;
  /** A new socket client: the sends not yet acked go out through it. */
  resend(): void;
  /** Whether a session is wanted without a token: something to send, or the panel open. */
  wanted(): boolean;
  /** Something shown has changed. */
  changed(): void;
  /** Tests pass a fake socket. */
  socketFactory?: (url: string) => SocketLike;
}

export class Connection {
  token: string | null;
  inbox: InboxInfo | null = null;
  /** The origin is not allowed, or there is no such inbox. */
  unavailable = false;
  status: ClientStatus = "closed";
  readonly fallback: RestFallback;
  private identity: Identity | null;
  private client: ProtocolClient | null = null;
  private session: Promise<void> | null = null;
  /** Socket attempts that failed since the last welcome; past FALLBACK_AFTER, REST polling. */
  private socketFailures = 0;
  /** Sockets closed with 4401 in a row. */
  private refusals = 0;
  private refreshedAt = 0;
  /** Re-reads the inbox when a closed one reopens. */
  private reopenTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly deps: ConnectionDeps) {
    this.token = deps.token;
    this.identity = deps.identity;
    this.fallback = new RestFallback({
      api: deps.api,
      token: () => this.token,
      discard: (clientId) => this.discard(clientId),
      conversation: deps.conversation,
      changed: () => deps.changed(),
    });
  }

  /** The chat works: the socket is up, or the REST fallback gets through. */
  get connected(): boolean {
    return this.status === "online" || this.fallback.working;
  }

  get hasSocket(): boolean {
    return this.client !== null;
  }

  /** Sends a frame that needs no ack (typing, read); nothing without a socket. */
  send(frame: Frame): void {
    this.client?.send(frame);
  }

  /** Sends a message the server acks (its text, the ids of its files); null without a socket
   * (a session is then started). */
  sendMessage(clientId: string, body: string, attachments: number[] = []): Promise<Message> | null {
    return this.client ? this.client.sendAcked(messagePayload({ type: "message" }, body, attachments), clientId) : null;
  }

  /** Forgets a send not yet acked (refused for good, or stored over REST). */
  discard(clientId: string): void {
    this.client?.discard(clientId);
  }

  start(): Promise<void> {
    if (this.session) return this.session;
    this.session = this.runSession().finally(() => {
      this.session = null;
    });
    return this.session;
  }

  /** The panel opens: a session if there is none yet, else a fresh look at the inbox. */
  opened(): void {
    if (!this.token) void this.start();
    else if (!this.session) void this.refreshInbox();
  }

  /** `identify()` with a signed identity: a new session, as that contact. */
  identify(identity: Identity): void {
    this.identity = identity;
    this.client?.stop();
    this.client = null;
    void this.start();
  }

  /** The browser is back online, or the visitor asked to retry: do not wait for the back-off. */
  wake(): void {
    if (this.client) this.client.reconnectNow();
    else if (this.token || this.deps.wanted()) void this.start();
    this.deps.changed();
  }

  private async runSession(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        const session = await this.deps.api.session(this.sessionRequest(this.identity));
        this.applySession(session);
        return;
      } catch (error) {
        if (error instanceof ApiError) {
          if (error.status === 401 && this.identity) {
            this.identity = null; // a wrong identity hash: go on as an anonymous visitor
            continue;
          }
          if (error.status === 403 || error.status === 404) {
            this.unavailable = true; // origin not allowed, or no such inbox: say so, stop
            this.deps.changed();
            return;
          }
          if (error.status === 400 && this.token) {
            this.token = null;
            continue;
          }
        }
        this.deps.changed();
        await new Promise((resolve) => setTimeout(resolve, backoffDelay(Math.min(attempt, 6))));
      }
    }
  }

  private sessionRequest(identity: Identity | null) {
    const page = this.deps.page();
    return {
      inbox_key: this.deps.inboxKey,
      visitor_token: this.token,
      locale: this.deps.locale,
      page: { url: page.url.slice(0, 2000), title: page.title.slice(0, 500) },
      identity,
    };
  }

  /** Re-reads the inbox (online or away) when the panel opens; the session call is cheap. */
  private async refreshInbox(): Promise<void> {
    if (!this.token || this.unavailable || Date.now() - this.refreshedAt < INBOX_REFRESH_MS) return;
    this.refreshedAt = Date.now();
    try {
      const session = await this.deps.api.session(this.sessionRequest(null));
      if (session.visitor_token === this.token) {
        this.inbox = session.inbox;
        this.scheduleReopen();
        this.deps.changed();
      }
    } catch {
      /* the socket's own reconnects cover a network problem */
    }
  }

  /** A closed inbox says when it reopens: read it again then (a few seconds after, spread so
   * that every open widget does not ask at the same instant), to say the team is back. */
  private scheduleReopen(): void {
    if (this.reopenTimer) clearTimeout(this.reopenTimer);
    this.reopenTimer = null;
    const at = this.inbox?.open === false && this.inbox.next_open_at ? Date.parse(this.inbox.next_open_at) : NaN;
    if (Number.isNaN(at)) return;
    const wait = Math.max(0, at - Date.now()) + 2_000 + Math.random() * 20_000;
    if (wait > MAX_TIMER_MS) return; // weeks away: the next panel opening reads it anyway
    this.reopenTimer = setTimeout(() => {
      this.reopenTimer = null;
      this.refreshedAt = 0;
      void this.refreshInbox();
    }, wait);
  }

  private applySession(session: Session): void {
    const sameVisitor = session.visitor_token === this.token;
    this.token = session.visitor_token;
    this.inbox = session.inbox;
    this.scheduleReopen();
    this.unavailable = false;
    this.refreshedAt = Date.now();
    this.deps.store.update({ token: this.token });
    this.deps.session(session, sameVisitor);
    this.connect();
    this.deps.changed();
  }

  private connect(): void {
    this.client?.stop();
    const token = this.token as string;
    const origin = new URL(this.deps.origin);
    const scheme = origin.protocol === "https:" ? "wss:" : "ws:";
    const url = `${scheme}//${origin.host}/ws/widget/v1/?inbox_key=${encodeURIComponent(this.deps.inboxKey)}`;
    const state = this.deps.conversation.state;
    const client = new ProtocolClient({
      url,
      hello: () => {
        const hello: Frame = { type: "hello", visitor_token: token, last_seq: state.lastSeq };
        if (state.conversationId !== null) hello.conversation = state.conversationId;
        return hello;
      },
      onFrame: (frame) => this.deps.conversation.onFrame(frame),
      onStatus: (status) => this.onStatus(client, status),
      onPendingChange: () => this.deps.conversation.savePending(),
      socketFactory: this.deps.socketFactory,
    });
    this.client = client;
    this.deps.resend();
    client.start();
  }

  private onStatus(client: ProtocolClient, status: ClientStatus): void {
    if (client !== this.client) return;
    if (status === "online") {
      this.socketFailures = 0;
      this.fallback.stop();
    } else if (status === "offline") {
      this.socketFailures += 1;
      if (this.socketFailures >= FALLBACK_AFTER) this.fallback.start();
    }
    this.status = status;
    if (status === "unauthorized") {
      // the socket refused the token: a new session, which resumes the token if it is still
      // good (a late hello) or makes a new visitor; after a few refusals in a row, start afresh
      this.client = null;
      this.refusals += 1;
      if (this.refusals >= REFUSALS_BEFORE_NEW_VISITOR) {
        this.token = null;
        this.deps.store.update({ token: undefined });
      }
      void this.start();
    } else if (status === "online") {
      this.refusals = 0;
    }
    this.deps.changed();
  }
}
