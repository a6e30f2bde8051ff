import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { GAP_FILL_DELAY_MS, OPERATOR_TYPING_MAX_MS } from "../src/widget/conversation";
import { attachment } from "./fakes";
import { conversationOf, conversationSync, operatorMessage, session, settle, visitorMessage } from "./widget-fixtures";

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe("widget conversation: messages in", () => {
  it("tells the host page about each new message once, across a reload", () => {
    const first = conversationSync();
    first.sync.onFrame({ type: "message", message: operatorMessage(1, 1) });
    first.sync.onFrame({ type: "message", message: operatorMessage(1, 1) });
    expect(first.emitted.map(([event]) => event)).toEqual(["message"]);
    expect(first.store.load().seenSeq).toBe(1);

    const reloaded = conversationSync(first.store.load());
    reloaded.sync.onFrame({ type: "message", message: operatorMessage(1, 1) }); // the replay
    reloaded.sync.onFrame({ type: "message", message: operatorMessage(2, 2) });
    expect(reloaded.emitted.map(([, payload]) => (payload as { seq: number }).seq)).toEqual([2]);
  });

  it("marks what the visitor sees as read, saved and sent; nothing while the panel is not seen", () => {
    let seeing = false;
    const { sync, store, sent } = conversationSync({}, { seeing: () => seeing });
    sync.onFrame({ type: "message", message: operatorMessage(1, 1) });
    expect(sent).toEqual([]);
    expect(sync.state.unread()).toBe(1);
    seeing = true;
    sync.markRead();
    expect(sent).toEqual([{ type: "read", seq: 1 }]);
    expect(store.load().readSeq).toBe(1);
    sync.markRead();
    expect(sent).toHaveLength(1);
  });

  it("ignores what is not a message, and never shows a private one", () => {
    const { sync, emitted, log } = conversationSync();
    sync.onFrame({ type: "message", message: "nonsense" });
    sync.onFrame({ type: "message", message: operatorMessage(1, 1, 1, { private: true }) });
    expect(sync.state.rows(Date.now(), true)).toEqual([]);
    expect(emitted).toEqual([]);
    sync.onFrame({ type: "pong" });
    expect(log.changed).toBe(2); // the two message frames; an unknown frame changes nothing
  });

  it("turns an ack into the stored message and forgets the saved send", () => {
    const { sync, store } = conversationSync({ pending: [{ clientId: "c1", frame: { type: "message", body: "hi" }, at: 5 }] });
    expect(sync.state.pending.map((item) => [item.clientId, item.body, item.at])).toEqual([["c1", "hi", 5]]);
    sync.onFrame({ type: "ack", client_id: "c1", message: visitorMessage(10, 1, "c1") });
    expect(sync.state.pending).toEqual([]);
    expect(store.load().pending).toBeUndefined();
  });

  it("keeps only the sends not refused in storage", () => {
    const { sync, store } = conversationSync();
    sync.state.queue("a", "one", 1);
    sync.state.queue("b", "two", 2);
    sync.state.fail("b", "body_too_long");
    sync.savePending();
    expect(store.load().pending).toEqual([{ clientId: "a", frame: { type: "message", body: "one" }, at: 1 }]);
  });

  it("keeps a message queued offline with its files' ids across a reload, and shows the files", () => {
    const photo = attachment({ id: 21 });
    const first = conversationSync();
    const at = Date.now();
    first.sync.state.queue("offline-1", "", at, [photo]);
    first.sync.savePending();
    expect(first.store.load().pending).toEqual([{ clientId: "offline-1", frame: { type: "message", body: "", attachments: [21] }, at, files: [photo] }]);

    const reloaded = conversationSync(first.store.load());
    const [item] = reloaded.sync.state.pending;
    expect([item.clientId, item.body, item.attachments.map((file) => file.id)]).toEqual(["offline-1", "", [21]]);
    const [day, row] = reloaded.sync.state.rows(Date.now(), false);
    expect(day.kind).toBe("day");
    expect(row).toMatchObject({ kind: "message", mine: true, body: "", state: "sending" });
    expect(row.kind === "message" && row.attachments.map((file) => file.id)).toEqual([21]);
  });
});

describe("widget conversation: marks, typing, another conversation", () => {
  it("records an operator's read mark", () => {
    const { sync, store } = conversationSync();
    sync.onFrame({ type: "message", message: visitorMessage(1, 1, "a") });
    sync.onFrame({ type: "read", seq: 1 });
    expect(store.load().operatorReadSeq).toBe(1);
    expect(sync.state.rows(Date.now(), true).map((row) => (row.kind === "day" ? "day" : row.state))).toEqual(["day", "read"]);
  });

  it("shows the operator typing until the frame ends it or it times out; ignores the visitor's own", () => {
    const { sync } = conversationSync();
    sync.onFrame({ type: "typing", active: true, author: { kind: "visitor" } });
    expect(sync.state.typing).toBeNull();
    sync.onFrame({ type: "typing", active: true, author: { kind: "operator", name: "Olga" } });
    expect(sync.state.typing).toBe("Olga");
    sync.onFrame({ type: "typing", active: false, author: { kind: "operator", name: "Olga" } });
    expect(sync.state.typing).toBeNull();
    sync.onFrame({ type: "typing", active: true, author: { kind: "operator", name: "" } });
    expect(sync.state.typing).toBe("Operator");
    vi.advanceTimersByTime(OPERATOR_TYPING_MAX_MS);
    expect(sync.state.typing).toBeNull();
  });

  it("starts afresh on a newer conversation: marks cleared in storage, the read mark resent on welcome", () => {
    const { sync, store, sent, log } = conversationSync({ conversation: 1, readSeq: 3, seenSeq: 3 });
    sync.onFrame({ type: "welcome", conversation: conversationOf(1) });
    expect(sent).toEqual([{ type: "read", seq: 3 }]);
    expect(log.switched).toBe(0);
    sync.onFrame({ type: "conversation", conversation: conversationOf(2) });
    expect(log.switched).toBe(1);
    expect(store.load()).toEqual({ conversation: 2 });
    expect(sync.state.readSeq).toBe(0);
  });

  it("starts afresh for another visitor or conversation in a session, keeping the unsent messages", () => {
    const { sync, store } = conversationSync({ conversation: 1, readSeq: 2, pending: [{ clientId: "c", frame: { type: "message", body: "x" }, at: 1 }] });
    sync.applySession(session({ conversation: conversationOf(1) }) as never, true);
    expect([sync.state.conversationId, sync.state.readSeq]).toEqual([1, 2]);
    sync.applySession(session({ conversation: conversationOf(4) }) as never, true);
    expect([sync.state.conversationId, sync.state.readSeq, sync.state.pending.length]).toEqual([4, 0, 1]);
    expect(store.load().readSeq).toBeUndefined();
    sync.applySession(session({ conversation: null }) as never, false);
    expect(sync.state.conversationId).toBeNull();
  });

  it("takes a further read mark from another tab for the same conversation only", () => {
    const { sync } = conversationSync({ conversation: 1, readSeq: 1 });
    sync.adoptReadMark({ conversation: 2, readSeq: 9 });
    expect(sync.state.readSeq).toBe(1);
    sync.adoptReadMark({ conversation: 1, readSeq: 5 });
    expect(sync.state.readSeq).toBe(5);
    sync.adoptReadMark({ conversation: 1, readSeq: 4 });
    expect(sync.state.readSeq).toBe(5);
  });
});

describe("widget conversation: a seq gap", () => {
  it("asks the server what follows the last seq, and settles what is still missing as notes", async () => {
    const asked: [number | null, number][] = [];
    const { sync } = conversationSync(
      {},
      {
        messagesAfter: (conversation, afterSeq) => {
          asked.push([conversation, afterSeq]);
          return Promise.resolve({ results: [operatorMessage(4, 4)], next: null });
        },
      },
    );
    sync.onFrame({ type: "message", message: operatorMessage(1, 1) });
    sync.onFrame({ type: "message", message: operatorMessage(3, 3) }); // seq 2: a note, or lost
    expect(sync.state.lastSeq).toBe(1);
    await vi.advanceTimersByTimeAsync(GAP_FILL_DELAY_MS - 1);
    expect(asked).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    await settle();
    expect(asked).toEqual([[1, 1]]);
    expect(sync.state.log?.messages().map((m) => m.seq)).toEqual([1, 3, 4]);
    expect(sync.state.lastSeq).toBe(4); // 2 settled as a note: nothing is missing now
    expect(sync.state.log?.hasGap).toBe(false);
  });

  it("leaves the gap for the next replay when there is no session or the request fails", async () => {
    const { sync } = conversationSync({}, { messagesAfter: () => Promise.reject(new Error("offline")) });
    sync.onFrame({ type: "message", message: operatorMessage(1, 1) });
    sync.onFrame({ type: "message", message: operatorMessage(3, 3) });
    await vi.advanceTimersByTimeAsync(GAP_FILL_DELAY_MS);
    expect(sync.state.log?.hasGap).toBe(true);
  });
});
