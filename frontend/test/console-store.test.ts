import { describe, expect, it } from "vitest";

import { TYPING_TTL_MS } from "../src/console/typing";
import { conversation, fromMe, ME, msg, newStore } from "./console-fixtures";

describe("console store: lists follow the frames", () => {
  it("puts a new conversation into Unassigned and All, and alerts about it", () => {
    const store = newStore();
    const fresh = conversation({ id: 1, created_at: "2026-11-25T09:29:30Z" });
    const effects = store.applyFrame({ type: "conversation", conversation: fresh });
    expect(store.listItems({ kind: "unassigned" }, "open").map((c) => c.id)).toEqual([1]);
    expect(store.listItems({ kind: "all" }, "open").map((c) => c.id)).toEqual([1]);
    expect(store.listItems({ kind: "mine" }, "open")).toEqual([]);
    expect(effects).toContainEqual(expect.objectContaining({ type: "alert", kind: "conversation", conversation: 1 }));
  });

  it("does not alert about an old conversation that merely changed", () => {
    const store = newStore();
    const effects = store.applyFrame({ type: "conversation", conversation: conversation({ id: 2, created_at: "2026-11-01T09:00:00Z" }) });
    expect(effects.filter((effect) => effect.type === "alert")).toEqual([]);
  });

  it("moves a conversation to Mine when it is assigned to me, and to Resolved when resolved", () => {
    const store = newStore();
    store.mergeConversations([conversation({ id: 3 })]);
    store.applyFrame({ type: "conversation", conversation: conversation({ id: 3, assignee: { id: ME.id, name: ME.name } }) });
    expect(store.listItems({ kind: "mine" }, "open").map((c) => c.id)).toEqual([3]);
    expect(store.listItems({ kind: "unassigned" }, "open")).toEqual([]);
    store.applyFrame({ type: "conversation", conversation: conversation({ id: 3, assignee: { id: ME.id, name: ME.name }, status: "resolved" }) });
    expect(store.listItems({ kind: "mine" }, "open")).toEqual([]);
    expect(store.listItems({ kind: "resolved" }, "open").map((c) => c.id)).toEqual([3]);
  });

  it("orders by newest activity, a new message bringing a conversation to the top", () => {
    const store = newStore();
    store.mergeConversations([
      conversation({ id: 10, last_activity_at: "2026-11-25T09:10:00Z" }),
      conversation({ id: 11, last_activity_at: "2026-11-25T09:20:00Z" }),
    ]);
    expect(store.listItems({ kind: "all" }, "open").map((c) => c.id)).toEqual([11, 10]);
    store.applyFrame({ type: "message", message: msg(10, 1, { created_at: "2026-11-25T09:25:00Z" }) });
    expect(store.listItems({ kind: "all" }, "open").map((c) => c.id)).toEqual([10, 11]);
    expect(store.conversations.get(10)?.last_message?.body).toBe("message 1");
  });

  it("forgets a conversation transferred out of the agent's sight", () => {
    const store = newStore();
    store.mergeConversations([conversation({ id: 12, inbox: 1, team: 1 })]);
    store.applyFrame({ type: "conversation", conversation: conversation({ id: 12, inbox: 99, team: 3 }) });
    expect(store.gone.has(12)).toBe(true);
    expect(store.listItems({ kind: "all" }, "open")).toEqual([]);
  });

  it("keeps what a conversation frame lacks (the preview) and never moves last_seq back", () => {
    const store = newStore();
    store.mergeConversations([conversation({ id: 13 })]);
    store.applyFrame({ type: "message", message: msg(13, 4) });
    const { last_message: _dropped, ...withoutPreview } = conversation({ id: 13, last_seq: 2, status: "pending" });
    store.applyFrame({ type: "conversation", conversation: withoutPreview });
    const merged = store.conversations.get(13);
    expect(merged?.status).toBe("pending");
    expect(merged?.last_message?.body).toBe("message 4");
    expect(merged?.last_seq).toBe(4);
  });
});

describe("console store: unread counts", () => {
  it("counts last_seq minus the read mark, per list", () => {
    const store = newStore();
    store.mergeConversations([
      conversation({ id: 20, last_seq: 5, agent_read_seq: 2 }),
      conversation({ id: 21, last_seq: 3, agent_read_seq: 3, assignee: { id: ME.id, name: ME.name } }),
    ]);
    expect(store.unread(store.conversations.get(20)!)).toBe(3);
    expect(store.unreadInFolder({ kind: "unassigned" })).toBe(1);
    expect(store.unreadInFolder({ kind: "mine" })).toBe(0);
    store.applyFrame({ type: "message", message: msg(21, 4) });
    expect(store.unreadInFolder({ kind: "mine" })).toBe(1);
    expect(store.totalUnread()).toBe(2);
  });

  it("marks the selected conversation read when a message arrives while the page is visible", () => {
    const store = newStore();
    store.mergeConversations([conversation({ id: 22, last_seq: 1, agent_read_seq: 1 })]);
    store.select(22);
    const effects = store.applyFrame({ type: "message", message: msg(22, 2) });
    expect(effects).toContainEqual({ type: "markRead", id: 22, seq: 2 });
    expect(store.unread(store.conversations.get(22)!)).toBe(0);
  });

  it("alerts instead when the page is hidden, and leaves it unread", () => {
    const store = newStore();
    store.mergeConversations([conversation({ id: 23, last_seq: 1, agent_read_seq: 1 })]);
    store.select(23);
    store.pageVisible = false;
    const effects = store.applyFrame({ type: "message", message: msg(23, 2, { body: "<b>hi</b>" }) });
    expect(effects).toContainEqual(expect.objectContaining({ type: "alert", kind: "message", conversation: 23, body: "<b>hi</b>" }));
    expect(effects.some((effect) => effect.type === "markRead")).toBe(false);
    expect(store.unread(store.conversations.get(23)!)).toBe(1);
  });

  it("never counts the operator's own messages as unread", () => {
    const store = newStore();
    store.mergeConversations([conversation({ id: 24, last_seq: 1, agent_read_seq: 1 })]);
    const effects = store.applyFrame({ type: "message", message: fromMe(24, 2) });
    expect(store.unread(store.conversations.get(24)!)).toBe(0);
    expect(effects.filter((effect) => effect.type === "alert")).toEqual([]);
  });

  it("counts from live frames for a server without last_seq", () => {
    const store = newStore();
    const legacy = conversation({ id: 25 });
    delete legacy.last_seq;
    delete legacy.agent_read_seq;
    store.mergeConversations([legacy]);
    store.applyFrame({ type: "message", message: msg(25, 1) });
    store.applyFrame({ type: "message", message: msg(25, 2) });
    expect(store.unread(store.conversations.get(25)!)).toBe(2);
    store.select(25);
    expect(store.unread(store.conversations.get(25)!)).toBe(0);
  });
});

describe("console store: messages", () => {
  it("deduplicates the ack and the message frame of one send and settles the pending entry", () => {
    const store = newStore();
    store.mergeConversations([conversation({ id: 30 })]);
    store.addHistory(30, [msg(30, 1)]);
    store.addPending({ clientId: "c-1", conversation: 30, body: "hello", private: false, failed: null });
    const sent = fromMe(30, 2, { client_id: "c-1", body: "hello" });
    store.applyFrame({ type: "ack", client_id: "c-1", message: sent });
    store.applyFrame({ type: "message", message: sent });
    expect(store.messages(30).map((m) => m.seq)).toEqual([1, 2]);
    expect(store.pendingFor(30)).toEqual([]);
  });

  it("asks for the missing messages when a frame reveals a gap", () => {
    const store = newStore();
    store.mergeConversations([conversation({ id: 31 })]);
    store.addHistory(31, [msg(31, 1)]);
    const effects = store.applyFrame({ type: "message", message: msg(31, 3) });
    expect(effects).toContainEqual({ type: "fetchMessages", id: 31 });
  });

  it("fetches a conversation it does not know when one of its messages arrives", () => {
    const store = newStore();
    const effects = store.applyFrame({ type: "message", message: msg(32, 1) });
    expect(effects).toContainEqual({ type: "fetchConversation", id: 32 });
  });

  it("keeps private notes in the console's log, marked private", () => {
    const store = newStore();
    store.mergeConversations([conversation({ id: 33 })]);
    store.addHistory(33, [msg(33, 1), fromMe(33, 2, { private: true, body: "VIP, hurry" })]);
    expect(store.messages(33)[1].private).toBe(true);
    expect(store.conversations.get(33)?.last_message?.private).toBe(true);
  });

  it("evicts the least recently opened logs beyond its cache", () => {
    const store = newStore();
    for (let id = 1; id <= 40; id += 1) store.addHistory(id, [msg(id, 1)]);
    expect(store.logs.size).toBeLessThanOrEqual(30);
    expect(store.logs.has(40)).toBe(true);
  });
});

describe("console store: typing, operators, notifications, navigation", () => {
  it("shows the visitor typing until it stops, expires or a message arrives", () => {
    const store = newStore();
    store.mergeConversations([conversation({ id: 40 })]);
    store.applyFrame({ type: "typing", conversation: 40, author: { kind: "visitor", name: "Maria" }, active: true });
    expect(store.typingIn(40).map((entry) => entry.name)).toEqual(["Maria"]);
    store.applyFrame({ type: "message", message: msg(40, 1) });
    expect(store.typingIn(40)).toEqual([]);
    store.applyFrame({ type: "typing", conversation: 40, author: { kind: "visitor", name: "Maria" }, active: true });
    expect(store.tick(store.now + TYPING_TTL_MS + 1)).toBe(true);
    expect(store.typingIn(40)).toEqual([]);
  });

  it("ignores the echo of the operator's own typing", () => {
    const store = newStore();
    store.applyFrame({ type: "typing", conversation: 41, author: { kind: "operator", id: ME.id, name: ME.name }, active: true });
    expect(store.typingIn(41)).toEqual([]);
  });

  it("updates colleagues' and its own status from operator frames", () => {
    const store = newStore();
    store.applyFrame({ type: "operator", operator: { id: 8, name: "Alex Agent", status: "away", role: "agent" } });
    store.applyFrame({ type: "operator", operator: { id: ME.id, name: ME.name, status: "offline", role: "agent" } });
    expect(store.operators.get(8)?.status).toBe("away");
    expect(store.operators.get(8)?.username).toBe("alex");
    expect(store.me.status).toBe("offline");
  });

  it("records a mention once and alerts about it", () => {
    const store = newStore();
    const notification = { id: 5, kind: "mention", conversation: 42, message: 9, by: { id: 8, name: "Alex" }, created_at: "2026-11-25T09:29:00Z", read: false };
    const first = store.applyFrame({ type: "notification", notification });
    const again = store.applyFrame({ type: "notification", notification });
    expect(first).toContainEqual(expect.objectContaining({ type: "alert", kind: "notification", conversation: 42, notification }));
    expect(again).toEqual([]);
    expect(store.unreadNotifications()).toBe(1);
    store.notificationRead(5);
    expect(store.unreadNotifications()).toBe(0);
  });

  it("walks the current list with next and previous", () => {
    const store = newStore();
    store.setFolder({ kind: "all" }, "open");
    store.mergeConversations([
      conversation({ id: 50, last_activity_at: "2026-11-25T09:03:00Z" }),
      conversation({ id: 51, last_activity_at: "2026-11-25T09:02:00Z" }),
      conversation({ id: 52, last_activity_at: "2026-11-25T09:01:00Z" }),
    ]);
    expect(store.neighbour(1)).toBe(50);
    store.select(50);
    expect(store.neighbour(1)).toBe(51);
    expect(store.neighbour(-1)).toBeNull();
    store.select(52);
    expect(store.neighbour(1)).toBeNull();
    expect(store.neighbour(-1)).toBe(51);
  });

  it("asks for a resync on a second welcome (a reconnect)", () => {
    const store = newStore();
    expect(store.applyFrame({ type: "welcome", operator: { id: ME.id, name: ME.name, status: "online", role: "agent" } })).toEqual([]);
    expect(store.applyFrame({ type: "welcome" })).toEqual([{ type: "resync" }]);
  });
});

describe("console store: real volume", () => {
  it("keeps up with thousands of conversations and a stream of frames", () => {
    const store = newStore({ ...ME, role: "supervisor" });
    const many = Array.from({ length: 5000 }, (_, index) =>
      conversation({ id: index + 1, last_activity_at: new Date(Date.UTC(2026, 10, 25, 8, 0, index % 3600)).toISOString() }),
    );
    const started = performance.now();
    store.mergeConversations(many);
    let rendered = 0;
    for (let index = 0; index < 20_000; index += 1) {
      const id = (index * 7919) % 5000 + 1;
      store.applyFrame({ type: "message", message: msg(id, Math.floor(index / 5000) + 1, { id: index + 1 }) });
      if (index % 100 === 0) {
        // what one animation frame of the console computes
        rendered += store.listItems({ kind: "all" }, "open").length;
        store.unreadInFolder({ kind: "unassigned" });
        store.unreadInFolder({ kind: "mine" });
      }
    }
    const elapsed = performance.now() - started;
    expect(rendered).toBe(200 * 5000);
    expect(store.listItems({ kind: "all" }, "open")[0].last_message).not.toBeNull();
    expect(elapsed).toBeLessThan(8000); // about a second on a laptop; generous for busy CI
  });
});
