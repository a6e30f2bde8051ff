import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import type { Identity } from "../src/widget/api";
import { Connection, FALLBACK_AFTER, INBOX_REFRESH_MS } from "../src/widget/connection";
import { FakeSocket } from "./fakes";
import { conversationOf, conversationSync, WidgetServer, inbox, operatorMessage, ORIGIN, session, settle } from "./widget-fixtures";

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

function setup(options: { token?: string | null; identity?: Identity | null; wanted?: boolean } = {}) {
  const server = new WidgetServer().reply("POST sessions", { body: session() });
  const sockets: FakeSocket[] = [];
  const { sync, store } = conversationSync(options.token ? { token: options.token } : {});
  const sessions: boolean[] = [];
  let resends = 0;
  const connection = new Connection({
    api: server.api(),
    store,
    inboxKey: "inbox-key",
    origin: ORIGIN,
    locale: "en",
    token: options.token ?? null,
    identity: options.identity ?? null,
    page: () => ({ url: `https://shop.example/${"p".repeat(3000)}`, title: "Shop" }),
    conversation: sync,
    session: (answer, sameVisitor) => {
      sessions.push(sameVisitor);
      sync.applySession(answer, sameVisitor);
    },
    resend: () => (resends += 1),
    wanted: () => options.wanted ?? false,
    changed: () => undefined,
    socketFactory: (url) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket;
    },
  });
  const socket = () => sockets[sockets.length - 1];
  return { server, connection, sockets, socket, sync, store, sessions, resends: () => resends };
}

describe("widget connection: the session", () => {
  it("asks for a session with the saved token and the page, then opens the socket and says hello", async () => {
    const t = setup({ token: "tok-1" });
    await t.connection.start();
    const [call] = t.server.callsTo("POST sessions");
    expect(call.body).toMatchObject({ inbox_key: "inbox-key", visitor_token: "tok-1", locale: "en", identity: null });
    expect((call.body as { page: { url: string; title: string } }).page.url).toHaveLength(2000);
    expect(t.sessions).toEqual([true]);
    expect(t.store.load().token).toBe("tok-1");
    expect(t.connection.inbox?.name).toBe("Acme");
    expect(t.socket().url).toBe("wss://help.example/ws/widget/v1/?inbox_key=inbox-key");
    expect(t.resends()).toBe(1);
    t.socket().accept();
    expect(t.socket().sent[0]).toEqual({ type: "hello", visitor_token: "tok-1", last_seq: 0 });
  });

  it("resumes the conversation it shows: hello carries it and its last seq", async () => {
    const t = setup({ token: "tok-1" });
    t.server.reply("POST sessions", { body: session({ conversation: conversationOf(5) }) });
    t.sync.received(operatorMessage(1, 1, 5));
    await t.connection.start();
    t.socket().accept();
    expect(t.socket().sent[0]).toEqual({ type: "hello", visitor_token: "tok-1", last_seq: 1, conversation: 5 });
  });

  it("goes on anonymously after a wrong identity, and afresh after an unknown token", async () => {
    const identity = { external_id: "u1", hash: "bad" };
    const t = setup({ token: "old", identity });
    t.server.reply("POST sessions", { status: 401 }, { status: 400 }, { body: session() });
    await t.connection.start();
    expect(t.server.callsTo("POST sessions").map((call) => [(call.body as { identity: unknown }).identity, (call.body as { visitor_token: unknown }).visitor_token])).toEqual([
      [identity, "old"],
      [null, "old"],
      [null, null],
    ]);
    expect(t.sessions).toEqual([false]);
  });

  it("says the widget is unavailable when the origin or the inbox is refused, and stops", async () => {
    const t = setup();
    t.server.reply("POST sessions", { status: 403 });
    await t.connection.start();
    expect(t.connection.unavailable).toBe(true);
    expect(t.sockets).toEqual([]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.server.callsTo("POST sessions")).toHaveLength(1);
  });

  it("retries a failed session with back-off, one session at a time", async () => {
    const t = setup();
    t.server.reply("POST sessions", "network", { body: session() });
    const first = t.connection.start();
    expect(t.connection.start()).toBe(first);
    await settle();
    expect(t.sockets).toEqual([]);
    await vi.advanceTimersByTimeAsync(30_000);
    await first;
    expect(t.server.callsTo("POST sessions")).toHaveLength(2);
    expect(t.sockets).toHaveLength(1);
  });

  it("reads the inbox again when the panel opens, at most once a minute", async () => {
    const t = setup({ token: "tok-1" });
    await t.connection.start();
    t.server.reply("POST sessions", { body: session({ inbox: inbox({ online: false }) }) });
    t.connection.opened();
    await settle();
    expect(t.server.callsTo("POST sessions")).toHaveLength(1);
    vi.advanceTimersByTime(INBOX_REFRESH_MS);
    t.connection.opened();
    await settle();
    expect(t.server.callsTo("POST sessions")).toHaveLength(2);
    expect(t.server.callsTo("POST sessions")[1].body).toMatchObject({ visitor_token: "tok-1", identity: null });
    expect(t.connection.inbox?.online).toBe(false);
    expect(t.sockets).toHaveLength(1); // a look at the inbox, not a new session
  });

  it("reads a closed inbox again a little after it reopens", async () => {
    const t = setup({ token: "tok-1" });
    const reopens = new Date(Date.now() + 3_600_000).toISOString();
    t.server.reply("POST sessions", { body: session({ inbox: inbox({ online: false, open: false, next_open_at: reopens }) }) }, { body: session() });
    await t.connection.start();
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(t.server.callsTo("POST sessions")).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(22_000);
    expect(t.server.callsTo("POST sessions")).toHaveLength(2);
    expect(t.connection.inbox?.online).toBe(true);
  });
});

describe("widget connection: the socket", () => {
  it("starts a new session when the socket refuses the token, and drops the token after three", async () => {
    const t = setup({ token: "tok-1" });
    t.server.reply("POST sessions", { body: session({ visitor_token: "tok-1" }) });
    await t.connection.start();
    for (let refusal = 1; refusal <= 3; refusal += 1) {
      t.socket().accept();
      t.socket().serverClose(4401);
      await settle();
    }
    const tokens = t.server.callsTo("POST sessions").map((call) => (call.body as { visitor_token: unknown }).visitor_token);
    expect(tokens).toEqual(["tok-1", "tok-1", "tok-1", null]);
  });

  it("falls back to REST polling after failed socket attempts, and stops it at the welcome", async () => {
    const t = setup({ token: "tok-1" });
    t.server.reply("GET messages", { body: { results: [], next: null } });
    await t.connection.start();
    for (let attempt = 0; attempt < FALLBACK_AFTER; attempt += 1) {
      t.socket().serverClose(1006);
      await vi.advanceTimersByTimeAsync(0);
      if (attempt < FALLBACK_AFTER - 1) await vi.advanceTimersByTimeAsync(60_000);
    }
    expect(t.connection.fallback.polling).toBe(true);
    await settle();
    expect(t.connection.connected).toBe(true); // the poll got through
    expect(t.connection.status).toBe("offline");
    await vi.advanceTimersByTimeAsync(60_000);
    t.socket().accept();
    t.socket().deliver({ type: "welcome", conversation: null });
    expect(t.connection.fallback.polling).toBe(false);
    expect(t.connection.status).toBe("online");
  });

  it("wakes: reconnects at once when there is a socket, starts a session when one is wanted", async () => {
    const idle = setup({ wanted: false });
    idle.connection.wake();
    expect(idle.server.calls).toEqual([]);

    const waiting = setup({ wanted: true });
    waiting.connection.wake();
    await waiting.connection.start();
    expect(waiting.sockets).toHaveLength(1);
    waiting.socket().serverClose(1006);
    waiting.connection.wake();
    expect(waiting.sockets).toHaveLength(2); // no back-off wait
  });

  it("sends frames and messages only through a socket; a signed identity restarts the session", async () => {
    const t = setup({ token: "tok-1" });
    expect(t.connection.sendMessage("c1", "hi")).toBeNull();
    await t.connection.start();
    t.socket().accept();
    t.socket().deliver({ type: "welcome", conversation: null });
    const acked = t.connection.sendMessage("c1", "hi");
    t.connection.send({ type: "read", seq: 1 });
    expect(t.socket().sent.slice(1)).toEqual([
      { type: "message", body: "hi", client_id: "c1" },
      { type: "read", seq: 1 },
    ]);
    expect(acked).not.toBeNull();
    t.connection.identify({ external_id: "u1", hash: "h" });
    expect(t.sockets[0].closedWith).toBe(1000);
    await settle();
    expect(t.server.callsTo("POST sessions")[1].body).toMatchObject({ identity: { external_id: "u1", hash: "h" } });
  });
});
