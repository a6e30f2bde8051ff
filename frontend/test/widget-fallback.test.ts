import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { POLL_MS, RestFallback } from "../src/widget/fallback";
import { conversationSync, WidgetServer, operatorMessage, settle, visitorMessage } from "./widget-fixtures";

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

function setup(token: string | null = "tok-1") {
  const server = new WidgetServer().reply("GET messages", { body: { results: [], next: null } });
  const { sync, store } = conversationSync();
  const discarded: string[] = [];
  let changes = 0;
  const fallback = new RestFallback({
    api: server.api(),
    token: () => token,
    discard: (clientId) => discarded.push(clientId),
    conversation: sync,
    changed: () => (changes += 1),
  });
  return { server, sync, store, fallback, discarded, changes: () => changes };
}

describe("widget REST fallback", () => {
  it("sends each waiting message once, by REST with its client_id, and takes the answer as its ack", async () => {
    const t = setup();
    t.sync.state.queue("c1", "hello", 1);
    t.server.reply("POST messages", { body: visitorMessage(10, 1, "c1") });
    t.fallback.start();
    await settle();
    expect(t.server.callsTo("POST messages").map((call) => call.body)).toEqual([{ client_id: "c1", body: "hello" }]);
    expect(t.discarded).toEqual(["c1"]);
    expect(t.sync.state.pending).toEqual([]);
    expect(t.sync.state.log?.messages().map((m) => m.id)).toEqual([10]);
  });

  it("marks a send the server refuses for good as failed, and keeps one that met a passing error", async () => {
    const t = setup();
    t.sync.state.queue("bad", "x".repeat(10), 1);
    t.sync.state.queue("later", "hi", 2);
    t.server.reply("POST messages", { status: 400, body: { error: { code: "body_too_long" } } }, { status: 503, body: { error: { code: "unavailable" } } });
    t.fallback.start();
    await settle();
    expect(t.sync.state.pending.map((item) => [item.clientId, item.error])).toEqual([
      ["bad", "body_too_long"],
      ["later", null],
    ]);
    expect(t.discarded).toEqual(["bad"]);
    expect(t.store.load().pending?.map((item) => item.clientId)).toEqual(["later"]);
  });

  it("reads what is new after the last seq, settles a gap the server does not fill, and works while that succeeds", async () => {
    const t = setup();
    t.sync.received(operatorMessage(1, 1));
    t.sync.received(operatorMessage(3, 3));
    t.server.reply("GET messages", { body: { results: [operatorMessage(4, 4)], next: null } }, "network");
    expect(t.fallback.working).toBe(false);
    t.fallback.start();
    await settle();
    expect(t.server.callsTo("GET messages")[0].path).toBe("messages?conversation=1&after_seq=1&limit=500");
    expect(t.sync.state.lastSeq).toBe(4);
    expect(t.fallback.working).toBe(true);
    await vi.advanceTimersByTimeAsync(POLL_MS);
    expect(t.fallback.working).toBe(false); // offline: the next round tries again
    expect(t.server.callsTo("GET messages")).toHaveLength(2);
  });

  it("polls every few seconds until stopped; a new send polls at once; nothing without a token", async () => {
    const t = setup();
    t.fallback.start();
    await settle();
    await vi.advanceTimersByTimeAsync(POLL_MS * 2);
    expect(t.server.callsTo("GET messages")).toHaveLength(3);
    t.fallback.restart();
    await settle();
    expect(t.server.callsTo("GET messages")).toHaveLength(4);
    t.fallback.stop();
    await vi.advanceTimersByTimeAsync(POLL_MS * 3);
    expect(t.server.callsTo("GET messages")).toHaveLength(4);
    t.fallback.restart(); // not polling: stays stopped
    expect(t.fallback.polling).toBe(false);

    const anonymous = setup(null);
    anonymous.fallback.start();
    expect(anonymous.fallback.polling).toBe(false);
  });
});
