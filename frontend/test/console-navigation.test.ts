import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import type { Effect } from "../src/console/frames";
import { type AddressBar, Navigation, storedLocale } from "../src/console/navigation";
import { allInOrder, conversation, msg, newStore } from "./console-fixtures";

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

class FakeAddressBar implements AddressBar {
  writes: string[] = [];
  constructor(public hash = "") {}
  replace(hash: string): void {
    this.hash = hash;
    this.writes.push(hash);
  }
}

function setup(hash = "") {
  const store = newStore();
  const address = new FakeAddressBar(hash);
  const calls: string[] = [];
  const effects: Effect[] = [];
  let typingInComposer = false;
  const navigation = new Navigation({
    store,
    storage: null,
    address,
    typingInComposer: () => typingInComposer,
    run: (list) => effects.push(...list),
    loadList: async (folder, status) => void calls.push(`list ${JSON.stringify(folder)} ${status}`),
    fetchConversation: async (id) => {
      calls.push(`fetch ${id}`);
      store.mergeConversations([conversation({ id, last_seq: 3 })]);
    },
    loadContact: async (id) => void calls.push(`contact ${id}`),
    loadMessages: async (id) => {
      calls.push(`messages ${id}`);
      store.addHistory(id, [msg(id, 5)]);
    },
    stopTyping: () => void calls.push("stop typing"),
    focusComposer: (id) => void calls.push(`focus ${id}`),
    clearSearch: () => void calls.push("clear search"),
    notificationRead: async (id) => void calls.push(`notification ${id}`),
  });
  return { store, address, calls, effects, navigation, setTyping: (value: boolean) => (typingInComposer = value) };
}

describe("console navigation: folders and the address bar", () => {
  it("shows a folder: the list loaded, the search cleared, the address bar written", () => {
    const t = setup();
    t.navigation.showFolder({ kind: "team", id: 3 }, "pending");
    expect([t.store.folder, t.store.status]).toEqual([{ kind: "team", id: 3 }, "pending"]);
    expect(t.calls).toEqual(["clear search", 'list {"kind":"team","id":3} pending']);
    expect(t.address.hash).toBe("#folder=team%3A3&status=pending");
    expect(t.navigation.currentListKey()).toBe(`${"team:3"}|pending`);
    t.navigation.showFolder({ kind: "resolved" });
    expect(t.address.hash).toBe("#folder=resolved");
  });

  it("reads the folder, status and open conversation back from the address bar, ignoring nonsense", () => {
    const t = setup("#folder=unassigned&status=pending&conversation=12");
    t.navigation.readLocation();
    expect([t.store.folder, t.store.status, t.store.selected]).toEqual([{ kind: "unassigned" }, "pending", 12]);
    const odd = setup("#folder=nowhere&status=sideways&conversation=-1");
    odd.navigation.readLocation();
    expect([odd.store.folder, odd.store.status, odd.store.selected]).toEqual([{ kind: "mine" }, "open", null]);
  });

  it("writes the address bar only when it changes", () => {
    const t = setup();
    t.navigation.showFolder({ kind: "all" }, "open");
    t.navigation.showFolder({ kind: "all" }, "open");
    expect(t.address.writes).toHaveLength(1);
  });
});

describe("console navigation: opening conversations", () => {
  it("opens a conversation it does not know: fetched, its contact and messages loaded, then read", async () => {
    const t = setup();
    await t.navigation.openConversation(7);
    expect(t.store.selected).toBe(7);
    expect(t.address.hash).toContain("conversation=7");
    expect(t.calls).toEqual(["fetch 7", "contact 5007", "messages 7"]);
    // unknown when selected: read up to what its messages brought once they are in
    expect(t.effects.filter((effect) => effect.type === "markRead")).toEqual([{ type: "markRead", id: 7, seq: 5 }]);
  });

  it("stops typing in the conversation it leaves, and reads no more than the selection while the page is hidden", async () => {
    const t = setup();
    t.store.mergeConversations([conversation({ id: 1, last_seq: 2 }), conversation({ id: 2, last_seq: 2 })]);
    await t.navigation.openConversation(1);
    t.calls.length = 0;
    t.effects.length = 0;
    t.store.pageVisible = false;
    await t.navigation.openConversation(2);
    expect(t.calls).toEqual(["stop typing", "contact 5002", "messages 2"]);
    expect(t.effects.filter((effect) => effect.type === "markRead")).toEqual([{ type: "markRead", id: 2, seq: 2 }]);
    await t.navigation.openConversation(null);
    expect(t.store.selected).toBeNull();
  });

  it("moves to the next or previous conversation, the composer keeping the focus if it had it", async () => {
    const t = setup();
    allInOrder(t.store, [1, 2]);
    t.navigation.move(1);
    expect(t.store.selected).toBe(1);
    t.setTyping(true);
    t.navigation.move(1);
    expect(t.store.selected).toBe(2);
    expect(t.calls).toContain("focus 2");
    t.navigation.move(1);
    expect(t.store.selected).toBe(2); // the end of the list
  });

  it("opens a notification's conversation, marking it read here and on the server", async () => {
    const t = setup();
    t.store.setNotifications([{ id: 5, kind: "mention", conversation: 9, message: null, by: null, created_at: "2026-11-25T09:00:00Z", read: false }]);
    await t.navigation.openNotification(5);
    expect(t.store.unreadNotifications()).toBe(0);
    expect(t.calls).toContain("notification 5");
    expect(t.store.selected).toBe(9);
    await t.navigation.openNotification(404);
    expect(t.store.selected).toBe(9);
  });
});

describe("console navigation: toasts, help, search focus", () => {
  it("shows at most four toasts, each for a while (errors longer)", () => {
    const t = setup();
    for (const text of ["a", "b", "c", "d", "e"]) t.navigation.toast(text);
    expect(t.store.toasts.map((toast) => toast.text)).toEqual(["b", "c", "d", "e"]);
    t.navigation.toast("bad", "error");
    vi.advanceTimersByTime(3500);
    expect(t.store.toasts.map((toast) => toast.text)).toEqual(["bad"]);
    vi.advanceTimersByTime(3500);
    expect(t.store.toasts).toEqual([]);
  });

  it("toggles the shortcuts help and asks for the search box's focus", () => {
    const t = setup();
    t.navigation.toggleHelp();
    expect(t.navigation.helpOpen).toBe(true);
    t.navigation.toggleHelp(true);
    expect(t.navigation.helpOpen).toBe(true);
    t.navigation.toggleHelp();
    expect(t.navigation.helpOpen).toBe(false);
    t.navigation.focusSearch();
    expect(t.navigation.searchFocusAt).toBe(Date.now());
  });

  it("reads the chosen language from storage, if the browser allows it", () => {
    const storage = { getItem: (key: string) => (key === "helpdesk.console.locale" ? "ru" : null) } as Storage;
    expect(storedLocale(storage)).toBe("ru");
    expect(storedLocale(null)).toBeNull();
    const refusing = {
      getItem: () => {
        throw new Error("denied");
      },
    } as unknown as Storage;
    expect(storedLocale(refusing)).toBeNull();
  });
});
