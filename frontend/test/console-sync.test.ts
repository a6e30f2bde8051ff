import { describe, expect, it, vi } from "vitest";

import type { Effect } from "../src/console/frames";
import { ConsoleSync } from "../src/console/sync";
import type { Me } from "../src/console/types";
import { ConsoleServer, conversation, fakeTimersWithoutWarnings, ME, msg, newStore, page } from "./console-fixtures";

fakeTimersWithoutWarnings();

function setup(me: Me = ME) {
  const server = new ConsoleServer();
  const store = newStore(me);
  const effects: Effect[] = [];
  const toasts: string[] = [];
  const sync = new ConsoleSync({ store, api: server.api(), run: (list) => effects.push(...list), toast: (text) => toasts.push(text) });
  return { server, store, sync, effects, toasts };
}

const settle = () => vi.advanceTimersByTimeAsync(0);

describe("console sync: lists and conversations", () => {
  it("loads a list once, then its next page on demand, and says why it failed", async () => {
    const t = setup();
    t.server.reply("GET conversations", page([conversation({ id: 1 })], "https://example.com/api/v1/conversations?cursor=2"), page([conversation({ id: 2 })]));
    await Promise.all([t.sync.loadList({ kind: "all" }, "open"), t.sync.loadList({ kind: "all" }, "open")]);
    await t.sync.loadList({ kind: "all" }, "open");
    expect(t.server.calls.map((call) => call.path)).toEqual(["conversations?status=open&limit=50"]);
    await t.sync.loadList({ kind: "all" }, "open", true);
    expect(t.server.calls[1].path).toBe("conversations?cursor=2");
    expect(t.store.listItems({ kind: "all" }, "open").map((c) => c.id).sort()).toEqual([1, 2]);
    expect(t.store.listState({ kind: "all" }, "open")).toMatchObject({ next: null, loaded: true, loading: false });

    t.server.reply("GET conversations", { status: 500, body: { error: { code: "boom", message: "Server error" } } });
    await t.sync.loadList({ kind: "mine" }, "open");
    expect(t.store.listState({ kind: "mine" }, "open").error).toBe("Server error");
  });

  it("fetches a conversation it does not know, one request at a time, and hands on its effects", async () => {
    const t = setup();
    t.server.reply("GET conversations/5", { body: conversation({ id: 5, created_at: "2026-11-25T09:29:00Z" }) });
    await Promise.all([t.sync.fetchConversation(5), t.sync.fetchConversation(5)]);
    expect(t.server.calls).toHaveLength(1);
    expect(t.store.conversations.has(5)).toBe(true);
    expect(t.effects).toContainEqual(expect.objectContaining({ type: "alert", kind: "conversation", conversation: 5 }));
  });

  it("loads a conversation's messages after its last seq, page by page", async () => {
    const t = setup();
    t.store.mergeConversations([conversation({ id: 6 })]);
    t.server.reply("GET conversations/6/messages", page([msg(6, 1), msg(6, 2)], "next"), page([msg(6, 3)]));
    const first = t.sync.loadMessages(6);
    expect(t.sync.loadMessages(6)).toBe(first);
    expect(t.sync.isLoadingMessages(6)).toBe(true);
    await first;
    expect(t.server.calls.map((call) => call.path)).toEqual(["conversations/6/messages?after_seq=0&limit=500", "conversations/6/messages?after_seq=2&limit=500"]);
    expect(t.store.messages(6).map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(t.sync.isLoadingMessages(6)).toBe(false);
  });

  it("sets aside a conversation whose messages are out of sight (404), and toasts another failure", async () => {
    const t = setup();
    t.server.reply("GET conversations/7/messages", { status: 404 });
    t.server.reply("GET conversations/8/messages", { status: 500, body: { error: { code: "x", message: "Try later" } } });
    await t.sync.loadMessages(7);
    await t.sync.loadMessages(8);
    expect(t.store.gone.has(7)).toBe(true);
    expect(t.toasts).toEqual(["Try later"]);
  });

  it("loads a contact once unless asked again", async () => {
    const t = setup();
    t.server.reply("GET contacts/9", { body: { id: 9, name: "Maria", conversations: [] } });
    await t.sync.loadContact(9);
    await t.sync.loadContact(9);
    await t.sync.loadContact(9, true);
    expect(t.server.callsTo("GET contacts/9")).toHaveLength(2);
    expect(t.store.contacts.get(9)?.name).toBe("Maria");
  });
});

describe("console sync: reference data, counters, resync", () => {
  it("loads the reference data, switching off what the server lacks", async () => {
    const t = setup({ ...ME, role: "supervisor" });
    t.server
      .reply("GET inboxes", page([{ id: 1, name: "Site", channel: "web", team: 1 }]))
      .reply("GET teams", page([{ id: 1, name: "Support" }]))
      .reply("GET labels", page([{ id: 1, name: "vip" }]))
      .reply("GET canned-responses", { status: 404 })
      .reply("GET notifications", { status: 404 })
      .reply("GET operators", page([{ id: 20, name: "Zoe", username: "zoe", role: "agent", status: "online" }]))
      .reply("GET conversations", page([]))
      .reply("GET conversations/counts", { status: 404 });
    t.sync.start();
    await settle();
    expect(t.store.labels).toEqual(["vip"]);
    expect(t.store.teams.map((team) => team.name)).toEqual(["Support"]);
    expect(t.store.features).toMatchObject({ canned: false, notifications: false, operatorsList: true });
    expect(t.store.operators.get(20)?.name).toBe("Zoe");
  });

  it("counts from the loaded conversations on a server without counters, loading the main folders", async () => {
    const t = setup();
    t.server.reply("GET conversations/counts", { status: 404 }).reply("GET conversations", page([]));
    t.sync.counts.request(0);
    await settle();
    expect(t.server.callsTo("GET conversations").map((call) => call.path)).toEqual([
      "conversations?status=open&assignee=me&limit=50",
      "conversations?status=open&assignee=none&limit=50",
      "conversations?status=open&limit=50",
    ]);
    t.sync.counts.request(0);
    await vi.advanceTimersByTimeAsync(5000);
    expect(t.server.callsTo("GET conversations/counts")).toHaveLength(1);
  });

  it("after a reconnect reads the open list, the open conversation and its new messages again", async () => {
    const t = setup();
    t.store.mergeConversations([conversation({ id: 10 }), conversation({ id: 11 })]);
    t.store.addHistory(10, [msg(10, 1)]);
    t.store.addHistory(11, [msg(11, 1)]);
    t.store.select(10);
    t.store.listState(t.store.folder, t.store.status).loaded = true;
    t.server
      .reply("GET conversations", page([]))
      .reply("GET conversations/10", { body: conversation({ id: 10 }) })
      .reply("GET conversations/10/messages", page([msg(10, 2)]))
      .reply("GET notifications", page([]))
      .reply("GET conversations/counts", { status: 404 });
    await t.sync.resync();
    expect(t.store.logs.has(11)).toBe(false);
    expect(t.server.calls.map((call) => call.path.split("?")[0])).toEqual(
      expect.arrayContaining(["conversations", "conversations/10", "conversations/10/messages"]),
    );
    expect(t.server.callsTo("GET conversations/10/messages")[0].path).toContain("after_seq=1");
    expect(t.store.messages(10).map((m) => m.seq)).toEqual([1, 2]);
  });
});
