import { describe, expect, it, vi } from "vitest";

import { type AlertOptions, Alerts, alertText } from "../src/console/alerts";
import { Controller } from "../src/console/controller";
import { Drafts } from "../src/console/drafts";
import { MemoryStorage } from "../src/shared/memory-storage";
import { CONFIG, ConsoleServer, conversation, fakeTimersWithoutWarnings, ME, msg, newStore, page } from "./console-fixtures";
import { FakeSocket } from "./fakes";

fakeTimersWithoutWarnings();

class RecordingAlerts extends Alerts {
  chimes = 0;
  shown: AlertOptions[] = [];
  override chime(): void {
    this.chimes += 1;
  }
  override notify(options: AlertOptions): void {
    this.shown.push(options);
  }
}

function setup(hash = "") {
  const server = new ConsoleServer();
  server
    .reply("GET inboxes", page([{ id: 1, name: "Site", channel: "web", team: 1 }]))
    .reply("GET teams", page([]))
    .reply("GET labels", page([]))
    .reply("GET canned-responses", page([]))
    .reply("GET notifications", page([]))
    .reply("GET conversations", page([]))
    .reply("GET conversations/counts", { status: 404 });
  const store = newStore();
  const sockets: FakeSocket[] = [];
  const alerts = new RecordingAlerts();
  const draftStorage = new MemoryStorage();
  draftStorage.setItem(`helpdesk.console.draft.${ME.id}.1`, JSON.stringify({ body: "old", mode: "reply", at: 0 }));
  const address = { hash, replace: (next: string) => (address.hash = next) };
  const controller = new Controller({
    config: CONFIG,
    store,
    api: server.api(),
    drafts: new Drafts(ME.id, draftStorage),
    alerts,
    socketUrl: "ws://test/ws/console/v1/",
    storage: null,
    address,
    socketFactory: (url) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket;
    },
  });
  return { server, store, controller, sockets, alerts, address, draftStorage };
}

describe("console controller: the start", () => {
  it("opens where the address bar says, connects, loads, and prunes old drafts", async () => {
    const t = setup("#folder=all&status=open&conversation=4");
    t.server.reply("GET conversations/4", { body: conversation({ id: 4 }) }).reply("GET conversations/4/messages", page([msg(4, 1)]));
    t.controller.start();
    await vi.advanceTimersByTimeAsync(0);
    expect([t.store.folder, t.store.selected]).toEqual([{ kind: "all" }, 4]);
    expect(t.sockets).toHaveLength(1);
    expect(t.server.callsTo("GET conversations")[0].path).toBe("conversations?status=open&limit=50");
    expect(t.store.messages(4).map((m) => m.seq)).toEqual([1]);
    expect(t.draftStorage.length).toBe(0);
    t.controller.client.stop();
  });
});

describe("console controller: effects", () => {
  it("performs what the store asks for: fetches, read marks, a resync", async () => {
    const t = setup();
    t.controller.client.start();
    t.sockets[0].accept();
    t.sockets[0].deliver({ type: "welcome", operator: ME });
    t.server.reply("GET conversations/8", { body: conversation({ id: 8 }) }).reply("GET conversations/8/messages", page([msg(8, 1)]));
    t.controller.run([
      { type: "fetchConversation", id: 8 },
      { type: "fetchMessages", id: 8 },
      { type: "markRead", id: 8, seq: 1 },
    ]);
    await vi.advanceTimersByTimeAsync(0);
    expect(t.store.conversations.has(8)).toBe(true);
    expect(t.server.callsTo("GET conversations/8/messages")).toHaveLength(1);
    expect(t.sockets[0].sentOfType("read")).toEqual([{ type: "read", conversation: 8, seq: 1 }]);
    t.controller.run([{ type: "resync" }]);
    await vi.advanceTimersByTimeAsync(0);
    expect(t.server.callsTo("GET conversations/counts")).toHaveLength(1);
    expect(t.server.callsTo("GET conversations").map((call) => call.path)).toContain("conversations?status=open&assignee=me&limit=50");
    t.controller.client.stop();
  });

  it("alerts only while the page is hidden; the alert opens its conversation", async () => {
    const t = setup();
    const effect = { type: "alert", kind: "message", conversation: 9, title: "Maria", body: "hello" } as const;
    t.controller.run([effect]);
    expect(t.alerts.chimes).toBe(0);
    t.controller.setPageVisible(false);
    t.controller.run([effect]);
    expect(t.alerts.chimes).toBe(1);
    expect(t.alerts.shown.map((alert) => [alert.title, alert.body, alert.tag])).toEqual([["New message from Maria", "hello", "conversation-9"]]);
    t.server.reply("GET conversations/9", { status: 404 }).reply("GET conversations/9/messages", page([]));
    t.alerts.shown[0].onClick();
    expect(t.store.selected).toBe(9);
  });

  it("sends the read mark of the open conversation when the page is shown again", () => {
    const t = setup();
    t.store.mergeConversations([conversation({ id: 3, last_seq: 1 })]);
    t.store.select(3);
    t.controller.setPageVisible(false);
    t.store.applyFrame({ type: "message", message: msg(3, 2) });
    t.controller.client.start();
    t.sockets[0].accept();
    t.sockets[0].deliver({ type: "welcome", operator: ME });
    t.controller.setPageVisible(true);
    expect(t.sockets[0].sentOfType("read")).toEqual([{ type: "read", conversation: 3, seq: 2 }]);
    t.controller.client.stop();
  });
});

describe("console alerts: what they say", () => {
  it("names the contact of a new conversation or message, and says a notification's words", () => {
    expect(alertText({ type: "alert", kind: "conversation", conversation: 1, title: "", body: "hi" })).toEqual({ title: "New conversation", body: "Unnamed visitor" });
    expect(alertText({ type: "alert", kind: "message", conversation: 1, title: "", body: "hi" })).toEqual({ title: "New message from Visitor", body: "hi" });
    expect(alertText({ type: "alert", kind: "message", conversation: 1, title: "Maria", body: "" })).toEqual({ title: "New message from Maria", body: "Attachment" });
    const notification = { id: 1, kind: "mention", conversation: 42, message: null, by: { id: 8, name: "Olga" }, created_at: "2026-12-03T08:00:00Z", read: false };
    expect(alertText({ type: "alert", kind: "notification", conversation: 42, title: "Olga", body: "", notification })).toEqual({
      title: "Olga mentioned you",
      body: "Olga mentioned you in conversation #42",
    });
  });
});
