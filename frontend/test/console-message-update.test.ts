import { describe, expect, it } from "vitest";

import { ConversationLog, type Message } from "../src/protocol/log";
import { conversation, fromMe, msg, newStore } from "./console-fixtures";
import { message } from "./fakes";

describe("a message that comes again is an update", () => {
  it("replaces a reply in place when its delivery moves on: same seq, no second copy", () => {
    const store = newStore();
    store.mergeConversations([conversation({ id: 40 })]);
    store.addHistory(40, [msg(40, 1), fromMe(40, 2, { body: "It left today.", delivery: "pending" }), msg(40, 3)]);
    const before = store.messages(40);
    const failed = fromMe(40, 2, { body: "It left today.", delivery: "failed", delivery_error: "Forbidden: bot was blocked by the user" });
    const effects = store.applyFrame({ type: "message", message: failed });
    const after = store.messages(40);
    expect(after).not.toBe(before); // the views see a new list, and the changed row redraws
    expect(after.map((m) => [m.seq, m.id])).toEqual([
      [1, 40001],
      [2, 40002],
      [3, 40003],
    ]);
    expect(after[1]).toBe(failed);
    expect(after[1].delivery_error).toBe("Forbidden: bot was blocked by the user");
    expect(effects.filter((effect) => effect.type === "refreshCounts" || effect.type === "alert")).toEqual([]);
  });

  it("takes an edit and a hide of a contact's message without an alert or an unread count", () => {
    const store = newStore();
    store.mergeConversations([conversation({ id: 41, last_seq: 2 })]);
    store.addHistory(41, [msg(41, 1), msg(41, 2, { body: "Hello" })]);
    store.typingIndicators.apply({ type: "typing", conversation: 41, author: { kind: "visitor", id: 90, name: "Maria" }, active: true }, store.me.id, store.now);
    const unread = store.unread(store.conversations.get(41)!);
    const edited = msg(41, 2, { body: "Hello there", edited_at: "2026-11-25T09:05:00Z" });
    const effects = store.applyFrame({ type: "message", message: edited });
    expect(effects.some((effect) => effect.type === "alert" || effect.type === "markRead")).toBe(false);
    expect(store.messages(41).map((m) => m.body)).toEqual(["message 1", "Hello there"]);
    expect(store.typingIn(41)).toHaveLength(1); // an edit is not the contact writing anew
    store.applyFrame({ type: "message", message: { ...edited, hidden: true } });
    expect(store.messages(41)).toHaveLength(2);
    expect(store.messages(41)[1].hidden).toBe(true);
    expect(store.unread(store.conversations.get(41)!)).toBe(unread);
  });

  it("updates the list's preview when the latest message is the one edited", () => {
    const store = newStore();
    store.mergeConversations([conversation({ id: 42 })]);
    store.addHistory(42, [msg(42, 1, { body: "Helo" })]);
    store.applyFrame({ type: "message", message: msg(42, 1, { body: "Hello", edited_at: "2026-11-25T09:02:00Z" }) });
    expect(store.conversations.get(42)?.last_message?.body).toBe("Hello");
  });

  it("takes the newer state from a page of history too", () => {
    const store = newStore();
    store.mergeConversations([conversation({ id: 43 })]);
    store.addHistory(43, [fromMe(43, 1, { delivery: "pending" })]);
    store.addHistory(43, [fromMe(43, 1, { delivery: "sent" })]);
    expect(store.messages(43).map((m) => m.delivery)).toEqual(["sent"]);
  });

  it("adds a message whose id is new as before", () => {
    const store = newStore();
    store.mergeConversations([conversation({ id: 44 })]);
    store.addHistory(44, [msg(44, 1)]);
    store.applyFrame({ type: "message", message: msg(44, 2) });
    expect(store.messages(44).map((m) => m.seq)).toEqual([1, 2]);
  });
});

describe("ConversationLog.replace", () => {
  const m = (id: number, seq: number, extra: Record<string, unknown> = {}) => message(id, seq, 1, extra) as Message;

  it("replaces a known message at its own seq, and refuses one it does not know", () => {
    const log = new ConversationLog(1);
    log.add(m(11, 1));
    log.add(m(12, 2));
    expect(log.replace(m(12, 2, { body: "changed" }))).toBe(true);
    expect(log.messages().map((x) => x.body)).toEqual(["message 11", "changed"]);
    expect(log.replace(m(13, 3))).toBe(false);
    expect(log.replace({ ...m(12, 2), conversation: 2 })).toBe(false);
    expect(log.messages()).toHaveLength(2);
  });

  it("keeps the seq it had even if the update says another", () => {
    const log = new ConversationLog(1);
    log.add(m(11, 1));
    log.add(m(12, 2));
    log.replace(m(11, 5, { body: "moved?" }));
    expect(log.messages().map((x) => [x.seq, x.id, x.body])).toEqual([
      [1, 11, "moved?"],
      [2, 12, "message 12"],
    ]);
    expect(log.lastSeq).toBe(2);
  });
});
