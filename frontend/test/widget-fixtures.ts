/** Builders for the widget's tests: a scripted REST server, storage in memory, messages. */
import { vi } from "vitest";

import type { Message } from "../src/protocol/log";
import { WidgetApi } from "../src/widget/api";
import { ConversationSync, type ConversationDeps } from "../src/widget/conversation";
import { MemoryStorage } from "../src/shared/memory-storage";
import { type Saved, VisitorStore } from "../src/widget/storage";
import type { InboxInfo } from "../src/widget/store";
import { FakeServer, message } from "./fakes";

export const ORIGIN = "https://help.example";

/** The widget's REST API as a script (see FakeServer). */
export class WidgetServer extends FakeServer {
  constructor() {
    super(`${ORIGIN}/api/widget/v1/`);
  }

  api(): WidgetApi {
    return new WidgetApi(ORIGIN, "en", this.fetch);
  }
}

/** Lets the fake server's answers and the code awaiting them run. */
export async function settle(): Promise<void> {
  await vi.advanceTimersByTimeAsync(0);
}

export function memoryStore(saved: Saved = {}): VisitorStore {
  const store = new VisitorStore("inbox-key", new MemoryStorage(), new MemoryStorage());
  if (Object.keys(saved).length) store.update(saved);
  return store;
}

export function inbox(fields: Partial<InboxInfo> = {}): InboxInfo {
  return { name: "Acme", greeting: "Hi!", online: true, locale: "en", ...fields };
}

export function session(fields: Record<string, unknown> = {}) {
  return { visitor_token: "tok-1", inbox: inbox(), conversation: null, ...fields };
}

export function conversationOf(id = 1, status = "open") {
  return { id, status, assignee: null, queue_position: null };
}

export function operatorMessage(id: number, seq: number, conversation = 1, extra: Record<string, unknown> = {}): Message {
  return message(id, seq, conversation, extra) as Message;
}

export function visitorMessage(id: number, seq: number, clientId: string | null = null, conversation = 1): Message {
  return operatorMessage(id, seq, conversation, { author: { kind: "visitor", id: 9, name: "" }, client_id: clientId, body: `v${id}` });
}

/** A ConversationSync over storage in memory, recording what it sends, emits and changes. */
export function conversationSync(saved: Saved = {}, overrides: Partial<ConversationDeps> = {}) {
  const store = memoryStore(saved);
  const sent: Record<string, unknown>[] = [];
  const emitted: [string, unknown][] = [];
  const log = { changed: 0, switched: 0 };
  const sync = new ConversationSync(store.load(), {
    store,
    emit: (event, payload) => emitted.push([event, payload]),
    send: (frame) => sent.push(frame),
    messagesAfter: () => null,
    seeing: () => true,
    operatorName: () => "Operator",
    switched: () => (log.switched += 1),
    changed: () => (log.changed += 1),
    ...overrides,
  });
  return { sync, store, sent, emitted, log };
}
