import type { SocketLike, Timers } from "../src/protocol/client";

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
