import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { ConsoleConnection } from "../src/console/connection";
import type { Effect } from "../src/console/frames";
import { IDLE_AFTER_MS } from "../src/console/idle";
import { conversation, ME, msg, newStore } from "./console-fixtures";
import { AnsweringSocket } from "./fakes";

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

function setup(me: () => Promise<unknown> = () => Promise.resolve(ME)) {
  const store = newStore();
  const sockets: AnsweringSocket[] = [];
  const effects: Effect[] = [];
  const toasts: [string, string][] = [];
  const connection = new ConsoleConnection({
    socketUrl: "ws://test/ws/console/v1/",
    store,
    me,
    toast: (text, kind) => toasts.push([text, kind]),
    run: (list) => effects.push(...list),
    socketFactory: (url) => {
      const socket = new AnsweringSocket(url);
      sockets.push(socket);
      return socket;
    },
  });
  connection.client.start();
  const socket = () => sockets[sockets.length - 1];
  socket().accept();
  return { store, connection, socket, effects, toasts };
}

describe("console connection", () => {
  it("says hello, shows its status in the store, and is online at the welcome", () => {
    const t = setup();
    expect(t.socket().sent).toEqual([{ type: "hello" }]);
    expect(t.store.connection).toBe("connecting");
    t.socket().deliver({ type: "welcome", operator: ME });
    expect(t.store.connection).toBe("online");
    expect(t.store.welcomed).toBe(true);
    t.connection.client.stop();
  });

  it("puts frames into the store and hands their effects on", () => {
    const t = setup();
    t.socket().deliver({ type: "welcome", operator: ME });
    t.socket().deliver({ type: "message", message: msg(70, 1) });
    expect(t.effects).toContainEqual({ type: "fetchConversation", id: 70 });
    t.store.mergeConversations([conversation({ id: 71 })]);
    t.socket().deliver({ type: "welcome" });
    expect(t.effects).toContainEqual({ type: "resync" });
    t.connection.client.stop();
  });

  it("shows the server's error frames as toasts, but not rate limiting", () => {
    const t = setup();
    t.socket().deliver({ type: "welcome" });
    t.socket().deliver({ type: "error", code: "forbidden", message: "Not your conversation" });
    t.socket().deliver({ type: "error", code: "rate_limited", message: "Slow down" });
    expect(t.toasts).toEqual([["Not your conversation", "error"]]);
    t.connection.client.stop();
  });

  it("sends read marks and idle frames over the socket", async () => {
    const t = setup();
    t.socket().deliver({ type: "welcome" });
    t.connection.markRead(5, 9);
    t.connection.idle.setHidden(true);
    await vi.advanceTimersByTimeAsync(IDLE_AFTER_MS);
    expect(t.socket().sent.slice(1).filter((frame) => frame.type !== "ping")).toEqual([
      { type: "read", conversation: 5, seq: 9 },
      { type: "idle", idle: true },
    ]);
    t.connection.client.stop();
  });

  it("after a 4401 with a valid session, says there is no inbox to work in", async () => {
    const t = setup();
    t.socket().serverClose(4401);
    expect(t.store.connection).toBe("unauthorized");
    await vi.advanceTimersByTimeAsync(0);
    expect(t.store.noAccess).toBe(true);
  });

  it("after a 4401 with an ended session, leaves it to the login page", async () => {
    const t = setup(() => Promise.reject(new Error("401")));
    t.socket().serverClose(4401);
    await vi.advanceTimersByTimeAsync(0);
    expect(t.store.noAccess).toBe(false);
  });
});
