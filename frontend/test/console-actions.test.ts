import { describe, expect, it } from "vitest";

import { ConversationActions } from "../src/console/actions";
import type { Effect } from "../src/console/frames";
import { allInOrder, ConsoleServer, conversation, ME, newStore } from "./console-fixtures";

function setup() {
  const server = new ConsoleServer();
  const store = newStore();
  const effects: Effect[] = [];
  const toasts: string[] = [];
  const opened: number[] = [];
  const actions = new ConversationActions({
    store,
    api: server.api(),
    run: (list) => effects.push(...list),
    toast: (text) => toasts.push(text),
    open: (id) => opened.push(id),
  });
  return { server, store, actions, effects, toasts, opened };
}

describe("console actions", () => {
  it("takes the answer of a change into the store and hands on its effects", async () => {
    const t = setup();
    t.store.mergeConversations([conversation({ id: 1 })]);
    t.server.reply("POST conversations/1/assign", { body: conversation({ id: 1, assignee: { id: ME.id, name: ME.name } }) });
    expect(await t.actions.assign(1, { operator: ME.id }, "  ")).toBe(true);
    expect(t.server.calls[0].body).toEqual({ operator: ME.id }); // a blank note is no note
    expect(t.store.conversations.get(1)?.assignee?.id).toBe(ME.id);
    expect(t.effects).toContainEqual(expect.objectContaining({ type: "refreshCounts" }));
  });

  it("sends a note with a transfer, and labels and priority as they are", async () => {
    const t = setup();
    t.server
      .reply("POST conversations/2/assign", { body: conversation({ id: 2, team: 2 }) })
      .reply("POST conversations/2/labels", { body: conversation({ id: 2, labels: ["vip"] }) })
      .reply("POST conversations/2/priority", { body: conversation({ id: 2, priority: "high" }) });
    await t.actions.assign(2, { team: 2 }, "VIP, hurry");
    await t.actions.setLabels(2, ["vip"]);
    await t.actions.setPriority(2, "high");
    expect(t.server.calls.map((call) => call.body)).toEqual([{ team: 2, note: "VIP, hurry" }, { labels: ["vip"] }, { priority: "high" }]);
  });

  it("says why a change was refused, and answers false", async () => {
    const t = setup();
    t.server.reply("POST conversations/3/status", { status: 409, body: { error: { code: "over_capacity", message: "Over capacity" } } });
    expect(await t.actions.setStatus(3, "open")).toBe(false);
    expect(t.toasts).toEqual(["Over capacity"]);
  });

  it("resolves the open conversation and moves on to the next of the list; reopening stays", async () => {
    const t = setup();
    allInOrder(t.store, [4, 5]);
    t.store.select(4);
    t.server.reply("POST conversations/4/status", { body: conversation({ id: 4, status: "resolved" }) }, { body: conversation({ id: 4, status: "open" }) });
    await t.actions.toggleResolved();
    expect(t.server.calls[0].body).toEqual({ status: "resolved" });
    expect(t.opened).toEqual([5]);
    await t.actions.toggleResolved();
    expect(t.server.calls[1].body).toEqual({ status: "open" });
    expect(t.opened).toEqual([5]);
  });

  it("saves a contact's details and the operator's own status", async () => {
    const t = setup();
    t.server
      .reply("PATCH contacts/9", { body: { id: 9, name: "Maria", vip: true, conversations: [] } }, { status: 400, body: { error: { code: "invalid", message: "Bad email" } } })
      .reply("PATCH me", { body: { ...ME, status: "away" } });
    expect(await t.actions.updateContact(9, { vip: true })).toBe(true);
    expect(t.store.contacts.get(9)?.vip).toBe(true);
    expect(await t.actions.updateContact(9, { email: "x" })).toBe(false);
    await t.actions.setMyStatus("away");
    expect(t.store.me.status).toBe("away");
    expect(t.toasts).toEqual(["Bad email"]);
  });

  it("merges a contact into another: the answer replaces it, the conversations shown take their new contact", async () => {
    const t = setup();
    const maria = { id: 9, name: "Maria", email: "maria@example.com", vip: false };
    const mine = conversation({ id: 31, contact: maria });
    const theirs = conversation({ id: 32, inbox: 2, contact: { id: 10, name: "M. Ivanova", email: "", vip: false } });
    t.store.mergeConversations([mine, theirs]);
    t.store.contacts.set(9, { ...maria, phone: "+7 900 123-45-67", account_manager: null, notes: "", conversations: [mine], merge_suggestions: [{ id: 10, name: "M. Ivanova", email: "", phone: "8 (900) 123-45-67" }] });
    t.store.contacts.set(10, { ...theirs.contact, phone: "8 (900) 123-45-67", account_manager: null, notes: "", conversations: [theirs], merge_suggestions: [] });
    const merged = { ...maria, phone: "+7 900 123-45-67", account_manager: null, notes: "", conversations: [{ ...theirs, contact: maria }, mine], merge_suggestions: [] };
    t.server.reply("POST contacts/9/merge", { body: merged }, { status: 403, body: { error: { code: "permission_denied", message: "Supervisors only." } } });
    expect(await t.actions.mergeContact(9, 10)).toBe(true);
    expect(t.server.calls[0].body).toEqual({ other: 10 });
    expect(t.store.contacts.get(9)?.conversations.map((item) => item.id)).toEqual([32, 31]);
    expect(t.store.contacts.get(9)?.merge_suggestions).toEqual([]);
    expect(t.store.contacts.has(10)).toBe(false);
    expect(t.store.conversations.get(32)?.contact.id).toBe(9);
    expect(await t.actions.mergeContact(9, 10)).toBe(false);
    expect(t.toasts).toEqual(["Supervisors only."]);
    expect(t.store.contacts.get(9)?.conversations).toHaveLength(2);
  });

  it("toasts a status the server refuses", async () => {
    const t = setup();
    t.server.reply("PATCH me", "network");
    await t.actions.setMyStatus("online");
    expect(t.toasts).toEqual(["Failed to fetch"]);
  });
});
