import { describe, expect, it } from "vitest";

import { LOG_CACHE_SIZE, MessageLogs } from "../src/console/message-logs";
import { fromMe, ME, msg } from "./console-fixtures";

function setup(selected: number | null = null) {
  const state = { selected };
  return { logs: new MessageLogs(() => state.selected), state };
}

describe("console message logs", () => {
  it("keeps the logs of the most recently used conversations, never the open one's out", () => {
    const { logs, state } = setup(1);
    for (let id = 1; id <= LOG_CACHE_SIZE + 5; id += 1) logs.log(id);
    expect(logs.logs.size).toBe(LOG_CACHE_SIZE);
    expect(logs.logs.has(1)).toBe(true); // open: kept though the oldest
    expect(logs.logs.has(2)).toBe(false);
    state.selected = null;
    logs.touch(10);
    logs.log(100);
    expect(logs.logs.has(10)).toBe(true);
    expect(logs.logs.has(1)).toBe(false);
  });

  it("answers the same array until a message is added", () => {
    const { logs } = setup();
    logs.addHistory(1, [msg(1, 1)], ME.id);
    const first = logs.messages(1);
    expect(logs.messages(1)).toBe(first);
    logs.addLive(msg(1, 2), ME.id);
    expect(logs.messages(1).map((m) => m.seq)).toEqual([1, 2]);
    expect(logs.messages(99)).toEqual([]);
  });

  it("says whether a live message is new and whether it reveals a gap", () => {
    const { logs } = setup();
    expect(logs.addLive(msg(1, 1), ME.id)).toEqual({ fresh: true, gap: false }); // no log: nothing held
    expect(logs.logs.has(1)).toBe(false);
    logs.addHistory(1, [msg(1, 1)], ME.id);
    expect(logs.addLive(msg(1, 1), ME.id)).toEqual({ fresh: false, gap: false });
    expect(logs.addLive(msg(1, 3), ME.id)).toEqual({ fresh: true, gap: true });
  });

  it("takes a page of history as everything up to its last seq, and answers that seq", () => {
    const { logs } = setup();
    expect(logs.addHistory(1, [msg(1, 2), msg(1, 5)], ME.id)).toBe(5);
    expect(logs.log(1).lastSeq).toBe(5);
    expect(logs.addHistory(2, [], ME.id)).toBe(0);
  });

  it("settles the operator's own send when its message arrives, and no one else's", () => {
    const { logs } = setup();
    logs.addPending({ clientId: "c1", conversation: 1, body: "hi", private: false, failed: null });
    logs.addPending({ clientId: "c2", conversation: 2, body: "note", private: true, failed: null });
    logs.addLive(msg(1, 1, { client_id: "c1" }), ME.id); // a visitor's message with that client_id
    expect(logs.pendingFor(1)).toHaveLength(1);
    logs.addLive(fromMe(1, 2, { client_id: "c1" }), ME.id);
    expect(logs.pendingFor(1)).toEqual([]);
    logs.addHistory(2, [fromMe(2, 1, { client_id: "c2" })], ME.id);
    expect(logs.pending.size).toBe(0);
  });

  it("marks a send failed with its reason, and forgets a discarded one", () => {
    const { logs } = setup();
    logs.addPending({ clientId: "c1", conversation: 1, body: "hi", private: false, failed: null });
    logs.failPending("c1", "too long");
    logs.failPending("unknown", "x");
    expect(logs.pendingFor(1).map((item) => item.failed)).toEqual(["too long"]);
    logs.dropPending("c1");
    expect(logs.pendingFor(1)).toEqual([]);
  });
});
