import type { SocketLike, Timers } from "../src/protocol/client";
import type { Attachment } from "../src/shared/attachments";

export class FakeSocket implements SocketLike {
  readyState = 0;
  sent: Record<string, unknown>[] = [];
  closedWith: number | null = null;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;

  constructor(readonly url: string) {}

  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }

  close(code = 1000): void {
    this.closedWith = code;
    this.serverClose(code);
  }

  // --- the server's side ---
  accept(): void {
    this.readyState = 1;
    this.onopen?.({});
  }

  deliver(frame: Record<string, unknown> | string): void {
    this.onmessage?.({ data: typeof frame === "string" ? frame : JSON.stringify(frame) });
  }

  serverClose(code: number): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.({ code });
  }

  sentOfType(type: string): Record<string, unknown>[] {
    return this.sent.filter((frame) => frame.type === type);
  }
}

/** A server that answers every ping, so the line stays up through the fake minutes. */
export class AnsweringSocket extends FakeSocket {
  override send(data: string): void {
    super.send(data);
    if (JSON.parse(data).type === "ping") queueMicrotask(() => this.deliver({ type: "pong" }));
  }
}

export class FakeTimers implements Timers {
  private clock = 0;
  private queue: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 1;

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.queue.push({ at: this.clock + ms, fn, id });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.queue = this.queue.filter((entry) => entry.id !== handle);
  }

  now(): number {
    return this.clock;
  }

  advance(ms: number): void {
    const until = this.clock + ms;
    for (;;) {
      this.queue.sort((a, b) => a.at - b.at);
      const next = this.queue[0];
      if (!next || next.at > until) break;
      this.queue.shift();
      this.clock = next.at;
      next.fn();
    }
    this.clock = until;
  }
}

export function message(id: number, seq: number, conversation = 1, extra: Record<string, unknown> = {}) {
  return {
    id,
    conversation,
    seq,
    author: { kind: "operator", id: 1, name: "Olga" },
    body: `message ${id}`,
    private: false,
    attachments: [],
    client_id: null,
    created_at: "2026-11-25T10:00:00Z",
    ...extra,
  };
}

/** A stand-in for the few DOM calls that build message bodies (the tests run without a DOM):
 * text nodes and elements with properties; setting `innerHTML` throws. */
export class FakeNode {
  readonly children: FakeNode[] = [];
  readonly props: Record<string, string> = {};
  textContent = "";

  constructor(
    readonly tag: string,
    readonly ownerDocument: FakeDocument,
  ) {}

  appendChild(node: FakeNode): FakeNode {
    this.children.push(node);
    return node;
  }

  set href(value: string) {
    this.props.href = value;
  }
  set target(value: string) {
    this.props.target = value;
  }
  set rel(value: string) {
    this.props.rel = value;
  }
  set innerHTML(_value: string) {
    throw new Error("innerHTML is never used for message text");
  }
}

export class FakeDocument {
  createTextNode(text: string): FakeNode {
    const node = new FakeNode("#text", this);
    node.textContent = text;
    return node;
  }

  createElement(tag: string): FakeNode {
    return new FakeNode(tag, this);
  }
}

type Reply = { status?: number; body?: unknown } | "network";

export interface Call {
  method: string;
  /** The path below the API's base, with the query. */
  path: string;
  body: unknown;
  /** The bearer token sent, if any. */
  token: string | null;
}

/** A REST API as a script: `reply("POST sessions", ...)` queues the answers of a route (the last
 * one repeats; "network" fails as fetch does offline); every request is recorded. */
export class FakeServer {
  readonly calls: Call[] = [];
  private readonly replies = new Map<string, Reply[]>();

  constructor(private readonly base: string) {}

  reply(route: string, ...replies: Reply[]): this {
    this.replies.set(route, replies);
    return this;
  }

  callsTo(route: string): Call[] {
    return this.calls.filter((call) => `${call.method} ${call.path.split("?")[0]}` === route);
  }

  readonly fetch = async (url: string, init: RequestInit = {}): Promise<Response> => {
    const method = init.method ?? "GET";
    const path = url.startsWith(this.base) ? url.slice(this.base.length) : url;
    const auth = (init.headers as Record<string, string> | undefined)?.Authorization ?? null;
    const body = typeof init.body === "string" ? JSON.parse(init.body) : null;
    this.calls.push({ method, path, body, token: auth ? auth.replace("Bearer ", "") : null });
    const queue = this.replies.get(`${method} ${path.split("?")[0]}`) ?? [];
    const reply = queue.length > 1 ? queue.shift() : queue[0];
    if (!reply || reply === "network") throw new TypeError("Failed to fetch");
    const status = reply.status ?? 200;
    return { ok: status < 400, status, statusText: "", json: async () => reply.body ?? null } as Response;
  };
}

/** An uploaded file as the server answers it. */
export function attachment(fields: Partial<Attachment> = {}): Attachment {
  return {
    id: 1,
    name: "photo.png",
    content_type: "image/png",
    kind: "image",
    size: 2048,
    width: 800,
    height: 600,
    url: "/files/abc.def/photo.png",
    ...fields,
  };
}
