import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { COUNTS_READ_SETTLE_MS, COUNTS_SETTLE_MS, CountsRefresher, unreadByFolder } from "../src/console/counts";
import type { Effect } from "../src/console/frames";
import type { ConversationCounts, ListCount } from "../src/console/types";
import { conversation, fromMe, ME, msg, newStore } from "./console-fixtures";

function list(unread: number, open = unread, pending = 0): ListCount {
  return { unread, open, pending };
}

function counts(fields: Partial<ConversationCounts> = {}): ConversationCounts {
  return {
    mine: list(0),
    unassigned: list(0),
    all: list(0),
    resolved: { unread: 0 },
    teams: [],
    labels: [],
    ...fields,
  };
}

function refreshes(effects: Effect[]): Effect[] {
  return effects.filter((effect) => effect.type === "refreshCounts");
}

describe("console counters: the server's answer", () => {
  it("maps every list of the answer to its folder key", () => {
    const byFolder = unreadByFolder(
      counts({
        mine: list(1),
        unassigned: list(2),
        all: list(5),
        resolved: { unread: 7 },
        teams: [{ id: 3, ...list(4) }],
        labels: [{ name: "доставка", ...list(6) }],
      }),
    );
    expect(Object.fromEntries(byFolder)).toEqual({ mine: 1, unassigned: 2, all: 5, resolved: 7, "team:3": 4, "label:доставка": 6 });
  });

  it("shows the server's count beyond the loaded page, and 0 for a team or label it does not list", () => {
    const store = newStore();
    store.mergeConversations(Array.from({ length: 50 }, (_, index) => conversation({ id: index + 1, last_seq: 1 })));
    expect(store.unreadInFolder({ kind: "unassigned" })).toBe(50); // counted here until the server answers
    store.setCounts(counts({ unassigned: list(60), all: list(60), teams: [{ id: 1, ...list(60) }] }), store.countsRequested());
    expect(store.unreadInFolder({ kind: "unassigned" })).toBe(60);
    expect(store.unreadInFolder({ kind: "all" })).toBe(60);
    expect(store.unreadInFolder({ kind: "team", id: 1 })).toBe(60);
    expect(store.unreadInFolder({ kind: "team", id: 2 })).toBe(0);
    expect(store.unreadInFolder({ kind: "label", name: "vip" })).toBe(0);
    expect(store.unreadInFolder({ kind: "mine" })).toBe(0);
    expect(store.totalUnread()).toBe(60);
  });

  it("shows no counter on Resolved", () => {
    const store = newStore();
    store.setCounts(counts({ resolved: { unread: 3 } }), store.countsRequested());
    expect(store.unreadInFolder({ kind: "resolved" })).toBe(0);
  });

  it("drops an answer older than the one shown", () => {
    const store = newStore();
    const first = store.countsRequested();
    const second = store.countsRequested();
    store.setCounts(counts({ all: list(9) }), second);
    store.setCounts(counts({ all: list(4) }), first);
    expect(store.unreadInFolder({ kind: "all" })).toBe(9);
  });
});

describe("console counters: the operator's own reads", () => {
  it("takes a conversation off its folders' counters when it is opened, and confirms it later", () => {
    const store = newStore();
    store.mergeConversations([conversation({ id: 30, last_seq: 2, agent_read_seq: 0, labels: ["vip"] })]);
    store.setCounts(
      counts({ unassigned: list(60), all: list(61), teams: [{ id: 1, ...list(61) }], labels: [{ name: "vip", ...list(2) }] }),
      store.countsRequested(),
    );

    const effects = store.select(30);

    expect(effects).toContainEqual({ type: "markRead", id: 30, seq: 2 });
    expect(effects).toContainEqual({ type: "refreshCounts", delay: COUNTS_READ_SETTLE_MS });
    expect(store.unreadInFolder({ kind: "unassigned" })).toBe(59);
    expect(store.unreadInFolder({ kind: "all" })).toBe(60);
    expect(store.unreadInFolder({ kind: "team", id: 1 })).toBe(60);
    expect(store.unreadInFolder({ kind: "label", name: "vip" })).toBe(1);
    expect(store.unreadInFolder({ kind: "mine" })).toBe(0);
  });

  it("keeps the read off the counters until a refresh started after it answers", () => {
    const store = newStore();
    store.mergeConversations([conversation({ id: 31, last_seq: 1 })]);
    const before = store.countsRequested(); // started before the read: may not include it
    store.select(31);
    store.setCounts(counts({ unassigned: list(5) }), before);
    expect(store.unreadInFolder({ kind: "unassigned" })).toBe(4);

    store.setCounts(counts({ unassigned: list(4) }), store.countsRequested());

    expect(store.unreadInFolder({ kind: "unassigned" })).toBe(4);
    expect(store.optimisticReads.size).toBe(0);
  });

  it("changes nothing when an already read conversation is opened", () => {
    const store = newStore();
    store.mergeConversations([conversation({ id: 32, last_seq: 3, agent_read_seq: 3 })]);
    store.setCounts(counts({ unassigned: list(2) }), store.countsRequested());
    expect(refreshes(store.select(32))).toEqual([]);
    expect(store.unreadInFolder({ kind: "unassigned" })).toBe(2);
  });

  it("takes a conversation off the counters when the operator replies in it", () => {
    const store = newStore();
    store.mergeConversations([conversation({ id: 33, last_seq: 1, assignee: { id: ME.id, name: ME.name } })]);
    store.setCounts(counts({ mine: list(1), all: list(1) }), store.countsRequested());
    const effects = store.applyFrame({ type: "message", message: fromMe(33, 2) });
    expect(refreshes(effects)).toEqual([{ type: "refreshCounts", delay: COUNTS_SETTLE_MS }]);
    expect(store.unreadInFolder({ kind: "mine" })).toBe(0);
  });
});

describe("console counters: which frames refresh them", () => {
  it("refreshes on a message from the contact or an operator, once per message", () => {
    const store = newStore();
    store.mergeConversations([conversation({ id: 40 })]);
    expect(refreshes(store.applyFrame({ type: "message", message: msg(40, 1) }))).toHaveLength(1);
    expect(refreshes(store.applyFrame({ type: "message", message: msg(40, 1) }))).toEqual([]);
    const colleague = msg(40, 2, { author: { kind: "operator", id: 8, name: "Alex Agent" } });
    expect(refreshes(store.applyFrame({ type: "message", message: colleague }))).toHaveLength(1);
  });

  it("does not refresh on a system message, a typing or a read frame", () => {
    const store = newStore();
    store.mergeConversations([conversation({ id: 41 })]);
    const system = msg(41, 1, { author: { kind: "system", id: null, name: "" } });
    expect(refreshes(store.applyFrame({ type: "message", message: system }))).toEqual([]);
    expect(refreshes(store.applyFrame({ type: "typing", conversation: 41, author: { kind: "visitor", name: "M" }, active: true }))).toEqual([]);
    expect(refreshes(store.applyFrame({ type: "read", conversation: 41, seq: 1, author: { kind: "visitor" } }))).toEqual([]);
  });

  it("refreshes on a new conversation and on a change of its lists or read mark, not of its priority", () => {
    const store = newStore();
    expect(refreshes(store.applyFrame({ type: "conversation", conversation: conversation({ id: 42 }) }))).toHaveLength(1);
    expect(refreshes(store.applyFrame({ type: "conversation", conversation: conversation({ id: 42, priority: "high" }) }))).toEqual([]);
    for (const change of [
      { status: "pending" as const },
      { assignee: { id: ME.id, name: ME.name } },
      { team: 2 },
      { labels: ["vip"] },
      { agent_read_seq: 4, last_seq: 4 },
    ]) {
      const effects = store.applyFrame({ type: "conversation", conversation: { ...store.conversations.get(42)!, ...change } });
      expect(refreshes(effects), JSON.stringify(change)).toHaveLength(1);
    }
  });
});

describe("console counters: the refresher", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function refresher(): { refresher: CountsRefresher; loads: number[]; finish: () => void } {
    const loads: number[] = [];
    let release: (() => void) | null = null;
    const instance = new CountsRefresher(
      () =>
        new Promise<void>((resolve) => {
          loads.push(Date.now());
          release = resolve;
        }),
    );
    return {
      refresher: instance,
      loads,
      finish: () => {
        release?.();
        release = null;
      },
    };
  }

  it("makes one load of a burst of requests, after the settle delay", async () => {
    const { refresher: counts, loads, finish } = refresher();
    const start = Date.now();
    for (let index = 0; index < 20; index += 1) counts.request(250);
    await vi.advanceTimersByTimeAsync(249);
    expect(loads).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(loads).toEqual([start + 250]);
    finish();
    await vi.advanceTimersByTimeAsync(5000);
    expect(loads).toHaveLength(1);
  });

  it("loads at most once a second under a steady stream of requests, and is never starved", async () => {
    const { refresher: counts, loads, finish } = refresher();
    for (let elapsed = 0; elapsed < 5000; elapsed += 100) {
      counts.request(250);
      await vi.advanceTimersByTimeAsync(100);
      finish();
    }
    expect(loads.length).toBeGreaterThanOrEqual(4);
    expect(loads.length).toBeLessThanOrEqual(5);
    for (let index = 1; index < loads.length; index += 1) expect(loads[index] - loads[index - 1]).toBeGreaterThanOrEqual(1000);
  });

  it("runs one load at a time, and one more for what was asked meanwhile", async () => {
    const { refresher: counts, loads, finish } = refresher();
    counts.request(0);
    await vi.advanceTimersByTimeAsync(0);
    expect(loads).toHaveLength(1);
    counts.request(0);
    await vi.advanceTimersByTimeAsync(3000);
    expect(loads).toHaveLength(1); // the first has not answered
    finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(loads).toHaveLength(2);
  });

  it("gives a request due later (a read mark's confirmation) a load of its own", async () => {
    const { refresher: counts, loads, finish } = refresher();
    const start = Date.now();
    counts.request(1000);
    counts.request(250);
    await vi.advanceTimersByTimeAsync(250);
    expect(loads).toEqual([start + 250]);
    finish();
    await vi.advanceTimersByTimeAsync(2000);
    expect(loads).toEqual([start + 250, start + 1250]);
    expect(loads[1] - start).toBeGreaterThanOrEqual(1000);
  });

  it("keeps going after a failed load, and stops for good when told", async () => {
    let calls = 0;
    const counts = new CountsRefresher(() => {
      calls += 1;
      return Promise.reject(new Error("offline"));
    });
    counts.request(0);
    await vi.advanceTimersByTimeAsync(0);
    counts.request(0);
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).toBe(2);
    counts.stop();
    counts.request(0);
    await vi.advanceTimersByTimeAsync(5000);
    expect(calls).toBe(2);
    expect(counts.pending).toBe(false);
  });
});
