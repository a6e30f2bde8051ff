import { describe, expect, it } from "vitest";

import { applyConversation, applyFrame, preview, withLatest } from "../src/console/frames";
import { conversation, msg, newStore } from "./console-fixtures";

describe("console frames: what a message does to its conversation", () => {
  it("makes a short preview of a message, private notes marked", () => {
    expect(preview(msg(1, 1, { body: "x".repeat(300), private: true }))).toEqual({
      body: "x".repeat(140),
      author_kind: "visitor",
      private: true,
      created_at: "2026-11-25T09:01:00Z",
    });
  });

  it("takes a message as the preview only if it is the latest, and never moves the last seq back", () => {
    const item = conversation({ id: 1, last_seq: 5, last_message: preview(msg(1, 5)) });
    expect(withLatest(item, msg(1, 7), 7)).toMatchObject({ last_seq: 7, last_message: { body: "message 7" } });
    expect(withLatest(item, msg(1, 3), 3)).toMatchObject({ last_seq: 5, last_message: { body: "message 5" } });
    expect(withLatest(conversation({ id: 2, last_seq: undefined }), msg(2, 1), 1).last_seq).toBeUndefined();
  });

  it("moves a conversation's activity on with a live message, and history does not", () => {
    const store = newStore();
    store.mergeConversations([conversation({ id: 3, last_activity_at: "2026-11-25T08:00:00Z" })]);
    store.addHistory(3, [msg(3, 1)]);
    expect(store.conversations.get(3)?.last_activity_at).toBe("2026-11-25T08:00:00Z");
    applyFrame(store, { type: "message", message: msg(3, 2) });
    expect(store.conversations.get(3)?.last_activity_at).toBe("2026-11-25T09:02:00Z");
  });
});

describe("console frames: other frames", () => {
  it("keeps the contact's detail in step with a conversation frame", () => {
    const store = newStore();
    const item = conversation({ id: 4, status: "open" });
    store.contacts.set(item.contact.id, { ...item.contact, phone: "", notes: "", conversations: [item] } as never);
    applyConversation(store, { ...item, status: "resolved", contact: { ...item.contact, name: "Maria S." } });
    const contact = store.contacts.get(item.contact.id);
    expect(contact?.name).toBe("Maria S.");
    expect(contact?.conversations[0].status).toBe("resolved");
  });

  it("records how far the contact has read, never backwards", () => {
    const store = newStore();
    applyFrame(store, { type: "read", conversation: 5, seq: 4 });
    applyFrame(store, { type: "read", conversation: 5, seq: 2 });
    expect(store.visitorRead.get(5)).toBe(4);
  });

  it("changes nothing, and tells no one, for a pong or a frame it does not know", () => {
    const store = newStore();
    const version = store.version;
    expect(applyFrame(store, { type: "pong" })).toEqual([]);
    expect(applyFrame(store, { type: "something_new", conversation: 1 })).toEqual([]);
    expect(store.version).toBe(version);
  });
});
