/** Builders for the console's tests: conversations, messages and a store. */

import { afterEach, beforeEach, vi } from "vitest";

import { Api } from "../src/console/api";
import { ConsoleStore } from "../src/console/store";
import type { ConsoleConfig, Conversation, Me, Message } from "../src/console/types";
import { FakeServer, message } from "./fakes";

export const ME: Me = { id: 7, username: "olga", name: "Olga", role: "agent", status: "online", teams: [1] };

export const CONFIG: ConsoleConfig = {
  me: ME,
  operators: [],
  teams: [],
  priorities: ["none"],
  csrf_token: "csrf",
  urls: { api: "/api/v1/", socket: "/ws/console/v1/", logout: "/logout/", admin: null, reports: null },
};

let nextId = 1000;

export function conversation(fields: Partial<Conversation> = {}): Conversation {
  const id = fields.id ?? nextId++;
  return {
    id,
    inbox: 1,
    status: "open",
    priority: "none",
    assignee: null,
    team: 1,
    labels: [],
    contact: { id: id + 5000, name: "Maria", email: "maria@example.com", vip: false },
    created_at: "2026-11-25T09:00:00Z",
    last_activity_at: "2026-11-25T09:00:00Z",
    queue_position: null,
    last_message: null,
    last_seq: 0,
    agent_read_seq: 0,
    ...fields,
  };
}

export function msg(conversationId: number, seq: number, fields: Partial<Message> = {}): Message {
  return message(conversationId * 1000 + seq, seq, conversationId, {
    author: { kind: "visitor", id: 90, name: "Maria" },
    body: `message ${seq}`,
    created_at: `2026-11-25T09:${String(seq).padStart(2, "0")}:00Z`,
    ...fields,
  }) as Message;
}

export function fromMe(conversationId: number, seq: number, fields: Partial<Message> = {}): Message {
  return msg(conversationId, seq, { author: { kind: "operator", id: ME.id, name: ME.name }, ...fields });
}

export function newStore(me: Me = ME): ConsoleStore {
  const store = new ConsoleStore(me, [
    { id: 8, username: "alex", name: "Alex Agent", role: "agent", status: "online", teams: [1] },
    { id: 9, username: "sam", name: "Sam Supervisor", role: "supervisor", status: "away", teams: [] },
  ]);
  store.now = Date.parse("2026-11-25T09:30:00Z");
  store.setInboxes([{ id: 1, name: "Site", channel: "web", team: 1 }]);
  return store;
}

/** The console's REST API as a script (see FakeServer). */
export class ConsoleServer extends FakeServer {
  constructor() {
    super("/api/v1/");
  }

  api(): Api {
    return new Api({ base: "/api/v1/", csrfToken: () => "csrf", language: () => "en", fetch: this.fetch });
  }
}

/** A page of a list answer. */
export function page<T>(results: T[], next: string | null = null) {
  return { body: { results, next } };
}

/** Fake timers for every test of the file, and the console's warnings about failed loads
 * kept out of the output. */
export function fakeTimersWithoutWarnings(): void {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.spyOn(console, "warn").mockImplementation(() => undefined);
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });
}

/** Shows the All folder with the given conversations in this order (newest activity first). */
export function allInOrder(store: ConsoleStore, ids: number[]): void {
  store.setFolder({ kind: "all" }, "open");
  store.mergeConversations(ids.map((id, index) => conversation({ id, last_activity_at: new Date(Date.UTC(2026, 10, 25, 9, 30 - index)).toISOString() })));
}
