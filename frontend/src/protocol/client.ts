/**
 * The websocket protocol client shared by the widget and the console (docs/protocol.md):
 * hello first, resume from `last_seq`, acks matched by `client_id`, every unacked send
 * retried with the same `client_id` after a reconnect (the server stores it once), reconnects
 * with capped exponential back-off and jitter, a ping when the line is quiet.
 */

import { backoffDelay, BackoffOptions, DEFAULT_BACKOFF } from "./backoff";
import type { Message } from "./log";

export type Frame = { type: string; [key: string]: unknown };

export type ClientStatus = "connecting" | "online" | "offline" | "unauthorized" | "closed";

/** The part of the browser's WebSocket the client uses (tests pass a fake). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

export interface PendingSend {
  clientId: string;
  frame: Frame;
}

export interface ClientOptions {
  url: string;
  /** Builds the hello frame at each (re)connect, so it carries the current `last_seq`. */
  hello: () => Frame;
  /** Every frame from the server but acks of this client's sends and pongs. */
  onFrame: (frame: Frame) => void;
  onStatus?: (status: ClientStatus) => void;
  /** Called when the set of unacked sends changes (the widget keeps it across reloads). */
  onPendingChange?: (pending: PendingSend[]) => void;
  socketFactory?: (url: string) => SocketLike;
  backoff?: BackoffOptions;
  random?: () => number;
  timers?: Timers;
  pingIntervalMs?: number;
  pongTimeoutMs?: number;
}

/** Errors after which resending the same frame can never succeed. */
const FINAL_ERRORS = new Set([
  "invalid_frame",
  "empty_body",
  "body_too_long",
  "invalid_body",
  "invalid_client_id",
  "invalid_private",
  "not_found",
  "forbidden",
  // the files a message carries: not the sender's uploads, sent already, or too many
  "attachment_not_found",
  "attachment_in_use",
  "invalid_attachments",
  "too_many_attachments",
]);

const OPEN = 1;
const CLOSE_UNAUTHORIZED = 4401;
const RATE_LIMIT_RETRY_MS = 1500;

interface Waiter {
  resolve: (message: Message) => void;
  reject: (error: SendError) => void;
}

export class SendError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const browserTimers: Timers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as number),
  now: () => Date.now(),
};

export function newClientId(): string {
  const cryptoApi = globalThis.crypto;
  if (cryptoApi && typeof cryptoApi.randomUUID === "function") return cryptoApi.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}

export class ProtocolClient {
  private socket: SocketLike | null = null;
  private status: ClientStatus = "closed";
  private attempt = 0;
  private stopped = true;
  private reconnectTimer: unknown = null;
  private pingTimer: unknown = null;
  private lastHeard = 0;
  private readonly pending = new Map<string, Frame>();
  private readonly waiters = new Map<string, Waiter>();
  private readonly timers: Timers;
  private readonly options: ClientOptions;

  constructor(options: ClientOptions) {
    this.options = options;
    this.timers = options.timers ?? browserTimers;
  }

  get currentStatus(): ClientStatus {
    return this.status;
  }

  get isOnline(): boolean {
    return this.status === "online";
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    this.clearTimers();
    const socket = this.socket;
    this.socket = null;
    if (socket) socket.close(1000);
    this.setStatus("closed");
  }

  /** Reconnect now (for example when the browser says it is back online). */
  reconnectNow(): void {
    if (this.stopped || this.status === "online" || this.status === "connecting") return;
    this.clearTimers();
    this.open();
  }

  /** Sends a frame that needs no ack (typing, read); dropped while offline. */
  send(frame: Frame): boolean {
    if (this.status !== "online" || !this.socket || this.socket.readyState !== OPEN) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  /**
   * Sends a frame that the server acks (a message); it is kept until acked and sent again with
   * the same client_id after every reconnect. Resolves with the stored message.
   */
  sendAcked(frame: Frame, clientId: string = newClientId()): Promise<Message> {
    const full: Frame = { ...frame, client_id: clientId };
    this.pending.set(clientId, full);
    this.notifyPending();
    const result = new Promise<Message>((resolve, reject) => {
      this.waiters.set(clientId, { resolve, reject });
    });
    this.send(full);
    return result;
  }

  /** Puts back sends that were unacked when the page was closed; they go out once online. */
  restorePending(sends: PendingSend[]): void {
    for (const { clientId, frame } of sends) {
      if (!this.pending.has(clientId)) this.pending.set(clientId, { ...frame, client_id: clientId });
    }
    this.notifyPending();
    if (this.status === "online") this.flushPending();
  }

  pendingSends(): PendingSend[] {
    return [...this.pending.entries()].map(([clientId, frame]) => ({ clientId, frame }));
  }

  /** Forgets an unacked send (the user discarded a failed message). */
  discard(clientId: string): void {
    this.pending.delete(clientId);
    this.waiters.delete(clientId);
    this.notifyPending();
  }

  // --- connection -----------------------------------------------------------------------------

  private open(): void {
    this.setStatus("connecting");
    const factory = this.options.socketFactory ?? ((url: string) => new WebSocket(url) as unknown as SocketLike);
    let socket: SocketLike;
    try {
      socket = factory(this.options.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      if (socket !== this.socket) return;
      this.lastHeard = this.timers.now();
      socket.send(JSON.stringify(this.options.hello()));
    };
    socket.onmessage = (event) => {
      if (socket !== this.socket) return;
      this.lastHeard = this.timers.now();
      if (typeof event.data !== "string") return;
      let frame: unknown;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      if (frame && typeof frame === "object" && typeof (frame as Frame).type === "string") {
        this.handle(frame as Frame);
      }
    };
    socket.onclose = (event) => {
      if (socket !== this.socket) return;
      this.socket = null;
      this.clearTimers();
      if (this.stopped) return;
      if (event.code === CLOSE_UNAUTHORIZED) {
        this.stopped = true;
        this.setStatus("unauthorized");
        return;
      }
      this.scheduleReconnect();
    };
    socket.onerror = () => {
      /* a close event follows */
    };
  }

  private scheduleReconnect(): void {
    this.setStatus("offline");
    const delay = backoffDelay(this.attempt, this.options.backoff ?? DEFAULT_BACKOFF, this.options.random);
    this.attempt += 1;
    this.reconnectTimer = this.timers.setTimeout(() => {
      this.reconnectTimer = null;
      if (!this.stopped) this.open();
    }, delay);
  }

  private handle(frame: Frame): void {
    switch (frame.type) {
      case "welcome":
        this.attempt = 0;
        this.setStatus("online");
        this.options.onFrame(frame);
        this.flushPending();
        this.schedulePing();
        return;
      case "pong":
        return;
      case "ack":
        this.acked(frame);
        this.options.onFrame(frame);
        return;
      case "error":
        if (this.failed(frame)) return;
        this.options.onFrame(frame);
        return;
      default:
        this.options.onFrame(frame);
    }
  }

  private acked(frame: Frame): void {
    const clientId = frame.client_id;
    if (typeof clientId !== "string") return;
    this.pending.delete(clientId);
    this.notifyPending();
    const waiter = this.waiters.get(clientId);
    this.waiters.delete(clientId);
    if (waiter) waiter.resolve(frame.message as Message);
  }

  /** Handles an error about one of our sends; answers true when it was one. */
  private failed(frame: Frame): boolean {
    const clientId = frame.client_id;
    if (typeof clientId !== "string" || !this.pending.has(clientId)) return false;
    const code = String(frame.code ?? "error");
    if (code === "rate_limited") {
      this.timers.setTimeout(() => {
        const again = this.pending.get(clientId);
        if (again) this.send(again);
      }, RATE_LIMIT_RETRY_MS);
      return true;
    }
    if (!FINAL_ERRORS.has(code)) return false;
    this.pending.delete(clientId);
    this.notifyPending();
    const waiter = this.waiters.get(clientId);
    this.waiters.delete(clientId);
    if (waiter) waiter.reject(new SendError(code, String(frame.message ?? code)));
    return true;
  }

  private flushPending(): void {
    for (const frame of this.pending.values()) this.send(frame);
  }

  private schedulePing(): void {
    const interval = this.options.pingIntervalMs ?? 25_000;
    const timeout = this.options.pongTimeoutMs ?? 10_000;
    this.pingTimer = this.timers.setTimeout(() => {
      this.pingTimer = null;
      if (this.status !== "online" || !this.socket) return;
      if (this.timers.now() - this.lastHeard > interval + timeout) {
        this.socket.close(4000, "no answer"); // a dead line: the close handler reconnects
        return;
      }
      this.send({ type: "ping" });
      this.schedulePing();
    }, interval);
  }

  private clearTimers(): void {
    if (this.reconnectTimer !== null) this.timers.clearTimeout(this.reconnectTimer);
    if (this.pingTimer !== null) this.timers.clearTimeout(this.pingTimer);
    this.reconnectTimer = null;
    this.pingTimer = null;
  }

  private setStatus(status: ClientStatus): void {
    if (this.status === status) return;
    this.status = status;
    this.options.onStatus?.(status);
  }

  private notifyPending(): void {
    this.options.onPendingChange?.(this.pendingSends());
  }
}
