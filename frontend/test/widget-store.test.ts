import { describe, expect, it } from "vitest";
import type { Message } from "../src/protocol/log";
import { ChatState, type MessageRow, STALE_MS } from "../src/widget/store";
import { message } from "./fakes";

const T0 = Date.parse("2026-11-25T10:00:00Z");

function msg(id: number, seq: number, extra: Record<string, unknown> = {}, conversation = 1): Message {
  return message(id, seq, conversation, extra) as Message;
}

function visitor(id: number, seq: number, clientId: string | null = null, at = "2026-11-25T10:00:00Z"): Message {
  return msg(id, seq, { author: { kind: "visitor", id: 9, name: "" }, client_id: clientId, created_at: at, body: `v${id}` });
}

const conversation = (id = 1, status = "open") => ({ id, status, assignee: null, queue_position: null });
const messageRows = (state: ChatState, now = T0, connected = true) =>
  state.rows(now, connected).filter((row): row is MessageRow => row.kind !== "day");

describe("ChatState", () => {
  it("shows a send as sending, then as the stored message under the same key", () => {
    const state = new ChatState();
    state.queue("c1", "hello", T0);
    let [row] = messageRows(state);
    expect([row.key, row.state, row.body, row.showState]).toEqual(["cc1", "sending", "hello", true]);

    state.ack("c1", visitor(10, 1, "c1"));
    [row] = messageRows(state);
    expect([row.key, row.state, row.body]).toEqual(["cc1", "sent", "v10"]);
    expect(state.pending).toEqual([]);
  });

  it("marks the visitor's messages read once an operator has read up to them", () => {
    const state = new ChatState();
    state.add(visitor(10, 1, "a"));
    state.add(visitor(11, 2, "b"));
    expect(state.operatorRead(1)).toBe(true);
    expect(messageRows(state).map((r) => r.state)).toEqual(["read", "sent"]);
    expect(state.operatorRead(1)).toBe(false);
    // the state line shows under the last of the visitor's messages only
    expect(messageRows(state).map((r) => r.showState)).toEqual([false, true]);
  });

  it("takes an operator's reply, or a read frame, as read up to there; a conversation object moves no mark", () => {
    const state = new ChatState();
    state.add(visitor(10, 1, "a"));
    state.add(msg(11, 2));
    state.add(visitor(12, 3, "b"));
    expect(messageRows(state).filter((r) => r.mine).map((r) => r.state)).toEqual(["read", "sent"]);
    state.setConversation(conversation(1));
    expect(messageRows(state).filter((r) => r.mine).map((r) => r.state)).toEqual(["read", "sent"]);
    state.operatorRead(3);
    expect(messageRows(state).filter((r) => r.mine).map((r) => r.state)).toEqual(["read", "read"]);
  });

  it("shows an unacked send as failed once it has waited while disconnected", () => {
    const state = new ChatState();
    state.queue("c1", "hi", T0);
    expect(messageRows(state, T0 + STALE_MS + 1, true)[0].state).toBe("sending");
    expect(messageRows(state, T0 + 1000, false)[0].state).toBe("sending");
    expect(messageRows(state, T0 + STALE_MS + 1, false)[0].state).toBe("failed");
    state.queue("c2", "refused", T0);
    state.fail("c2", "body_too_long");
    expect(messageRows(state)[1].state).toBe("failed");
  });

  it("drops a duplicate delivery and a message that also arrived from another tab", () => {
    const state = new ChatState();
    state.queue("c1", "hi", T0);
    expect(state.add(visitor(10, 1, "c1"))).toBe(true); // the replay had it before the ack
    expect(state.pending).toEqual([]);
    expect(state.ack("c1", visitor(10, 1, "c1"))).toBe(false);
    expect(messageRows(state)).toHaveLength(1);
  });

  it("never shows a private message", () => {
    const state = new ChatState();
    expect(state.add(msg(5, 1, { private: true, body: "note" }))).toBe(false);
    expect(messageRows(state)).toEqual([]);
  });

  it("counts the team's messages the visitor has not seen", () => {
    const state = new ChatState();
    state.add(visitor(10, 1));
    state.add(msg(11, 2));
    state.add(msg(12, 3));
    expect(state.unread()).toBe(2);
    expect(state.markRead()).toBe(3);
    expect(state.unread()).toBe(0);
    expect(state.markRead()).toBeNull();
  });

  it("resumes its marks from storage for the same conversation", () => {
    const state = new ChatState({ conversation: 7, readSeq: 2, operatorReadSeq: 1 });
    expect(state.conversationId).toBe(7);
    expect(state.setConversation(conversation(7))).toBe(false);
    state.add(msg(1, 1, {}, 7));
    state.add(msg(2, 2, {}, 7));
    state.add(msg(3, 3, {}, 7));
    expect(state.unread()).toBe(1);
  });

  it("starts afresh for a newer conversation and ignores older ones", () => {
    const state = new ChatState({ conversation: 7, readSeq: 5 });
    state.add(msg(1, 1, {}, 7));
    expect(state.setConversation(conversation(8))).toBe(true);
    expect(state.readSeq).toBe(0);
    expect(messageRows(state)).toEqual([]);
    expect(state.add(msg(2, 2, {}, 7))).toBe(false);
    expect(state.add(msg(3, 1, {}, 9))).toBe(true);
    expect(state.conversationId).toBe(9);
  });

  it("resumes from the last seq with nothing missing below it", () => {
    const state = new ChatState();
    state.add(msg(1, 1));
    state.add(msg(3, 3)); // seq 2 was a private note, or a dropped frame
    expect(state.lastSeq).toBe(1);
    expect(state.highestSeq).toBe(3);
    expect(state.log?.hasGap).toBe(true);
    state.log?.settleThrough(3);
    expect(state.lastSeq).toBe(3);
  });

  it("groups runs of one author and separates days", () => {
    const state = new ChatState();
    state.add(msg(1, 1, { created_at: "2026-11-24T10:00:00Z" }));
    state.add(msg(2, 2, { created_at: "2026-11-25T10:00:00Z" }));
    state.add(msg(3, 3, { created_at: "2026-11-25T10:01:00Z" }));
    state.add(msg(4, 4, { created_at: "2026-11-25T10:30:00Z" }));
    state.add(visitor(5, 5, null, "2026-11-25T10:31:00Z"));
    state.add(msg(6, 6, { author: { kind: "system", id: null, name: "" }, created_at: "2026-11-25T10:32:00Z" }));
    const rows = state.rows(T0, true);
    expect(rows.map((r) => (r.kind === "day" ? "day" : `${r.key}:${r.first ? "F" : ""}${r.last ? "L" : ""}`))).toEqual([
      "day",
      "m1:FL",
      "day",
      "m2:F",
      "m3:L",
      "m4:FL",
      "m5:FL",
      "m6:FL",
    ]);
    expect(rows.filter((r) => r.kind === "system")).toHaveLength(1);
  });

  it("stops showing the operator typing when their message arrives", () => {
    const state = new ChatState();
    state.add(visitor(1, 1));
    state.typing = "Olga";
    state.add(visitor(3, 3));
    expect(state.typing).toBe("Olga");
    state.add(msg(2, 2));
    expect(state.typing).toBeNull();
  });

  it("knows whether the conversation is open", () => {
    const state = new ChatState();
    expect(state.isOpen).toBe(false);
    state.setConversation(conversation(1));
    expect(state.isOpen).toBe(true);
    state.setConversation(conversation(1, "resolved"));
    expect(state.isOpen).toBe(false);
  });
});
