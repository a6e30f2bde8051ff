import { describe, expect, it, vi } from "vitest";

import { ConsoleSearch } from "../src/console/search";
import type { ContactDetail } from "../src/console/types";
import { ConsoleServer, conversation, newStore, page } from "./console-fixtures";

function setup() {
  const server = new ConsoleServer();
  const store = newStore();
  const opened: number[] = [];
  const loaded: [number, boolean][] = [];
  const search = new ConsoleSearch({
    store,
    api: server.api(),
    loadContact: async (id, force) => {
      loaded.push([id, force]);
    },
    open: async (id) => {
      opened.push(id);
    },
  });
  return { server, store, search, opened, loaded };
}

const contact = (id: number, conversations = [conversation({ id: 100 + id })]) => ({ id, name: "Maria", conversations }) as unknown as ContactDetail;

describe("console search", () => {
  it("asks for conversations and contacts together, and keeps the conversations found", async () => {
    const t = setup();
    t.server.reply("GET conversations", page([conversation({ id: 1 })])).reply("GET contacts", page([contact(9)]));
    await t.search.search("  maria  ");
    expect(t.server.calls.map((call) => call.path)).toEqual(["conversations?q=maria&limit=50", "contacts?q=maria"]);
    expect(t.store.search).toMatchObject({ query: "maria", loading: false, error: null });
    expect(t.store.search?.conversations.map((c) => c.id)).toEqual([1]);
    expect(t.store.search?.contacts.map((c) => c.id)).toEqual([9]);
    expect(t.store.conversations.has(1)).toBe(true);
  });

  it("lets a newer query win over an older answer, and an empty one clear the search", async () => {
    const t = setup();
    t.server.reply("GET conversations", page([conversation({ id: 1 })]), page([conversation({ id: 2 })])).reply("GET contacts", page([]));
    const older = t.search.search("ma");
    const newer = t.search.search("mar");
    await Promise.all([older, newer]);
    expect(t.store.search?.query).toBe("mar");
    await t.search.search(" ");
    expect(t.store.search).toBeNull();
  });

  it("stops asking for contacts on a server without their search, and says when conversations failed", async () => {
    const t = setup();
    t.server.reply("GET conversations", { status: 500, body: { error: { code: "x", message: "Search is down" } } }).reply("GET contacts", { status: 404 });
    await t.search.search("maria");
    expect(t.store.features.contactSearch).toBe(false);
    expect(t.store.search?.error).toBe("Search is down");
    await t.search.search("olga");
    expect(t.server.callsTo("GET contacts")).toHaveLength(1);
  });

  it("opens a contact's latest conversation, from their detail", async () => {
    const t = setup();
    t.store.contacts.set(9, contact(9, [conversation({ id: 50 })]));
    await t.search.openContact(contact(9));
    expect(t.loaded).toEqual([[9, true]]);
    expect(t.opened).toEqual([50]);
    expect(t.store.conversations.has(50)).toBe(true);
    const none = setup();
    await none.search.openContact(contact(8, []));
    expect(none.opened).toEqual([]);
  });

  it("clears only what is there", () => {
    const t = setup();
    const changed = vi.fn();
    t.store.subscribe(changed);
    t.search.clear();
    expect(changed).not.toHaveBeenCalled();
  });
});
