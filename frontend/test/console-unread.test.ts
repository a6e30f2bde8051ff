import { describe, expect, it } from "vitest";

import { COUNTS_READ_SETTLE_MS } from "../src/console/counts";
import { UnreadCounts } from "../src/console/unread";
import type { Conversation, ConversationCounts } from "../src/console/types";
import { conversation, ME } from "./console-fixtures";

function setup(list: Conversation[] = [], highest: Record<number, number> = {}) {
  const conversations = new Map(list.map((item) => [item.id, item]));
  const context = { version: 1 };
  const gone = new Set<number>();
  const unread = new UnreadCounts({
    conversations,
    gone,
    meId: () => ME.id,
    highestSeq: (id) => highest[id] ?? 0,
    version: () => context.version,
  });
  return { unread, conversations, gone, context };
}

const counts = (unassigned: number, mine = 0): ConversationCounts => ({
  mine: { unread: mine, open: 0, pending: 0 },
  unassigned: { unread: unassigned, open: 0, pending: 0 },
  all: { unread: unassigned + mine, open: 0, pending: 0 },
  resolved: { unread: 0 },
  teams: [],
  labels: [],
});

describe("console unread: one conversation", () => {
  it("counts from the last seq past the further of the server's and this console's read marks", () => {
    const { unread } = setup();
    const item = conversation({ id: 1, last_seq: 10, agent_read_seq: 4 });
    expect(unread.of(item)).toBe(6);
    expect(unread.markRead(1, 7)).toBe(true);
    expect(unread.of(item)).toBe(3);
    expect(unread.markRead(1, 5)).toBe(false);
    expect(unread.of({ ...item, agent_read_seq: 12 })).toBe(0);
  });

  it("counts live messages for a server without seqs, until the conversation is read", () => {
    const { unread } = setup();
    const legacy = conversation({ id: 2, last_seq: undefined });
    unread.countLive(2);
    unread.countLive(2);
    expect(unread.of(legacy)).toBe(2);
    expect(unread.readEffects(2)).toEqual([]);
    expect(unread.of(legacy)).toBe(0);
  });

  it("sends a read mark up to the highest seq it knows, once, and asks to confirm the counters", () => {
    const item = conversation({ id: 3, last_seq: 4 });
    const { unread } = setup([item], { 3: 6 });
    expect(unread.readEffects(3)).toEqual([
      { type: "markRead", id: 3, seq: 6 },
      { type: "refreshCounts", delay: COUNTS_READ_SETTLE_MS },
    ]);
    expect(unread.readEffects(3)).toEqual([]);
    expect(unread.readEffects(3, 7)).toEqual([{ type: "markRead", id: 3, seq: 7 }]); // nothing left to count
  });
});

describe("console unread: the sidebar's counters", () => {
  it("counts the loaded conversations until the server answers, then shows the server's less the reads since", () => {
    const mine = conversation({ id: 4, last_seq: 2, assignee: { id: ME.id, name: ME.name } });
    const waiting = conversation({ id: 5, last_seq: 1 });
    const { unread } = setup([mine, waiting]);
    expect([unread.inFolder({ kind: "mine" }), unread.inFolder({ kind: "unassigned" }), unread.total()]).toEqual([1, 1, 2]);
    const epoch = unread.countsRequested();
    expect(unread.setCounts(counts(40, 3), epoch)).toBe(true);
    expect([unread.inFolder({ kind: "mine" }), unread.inFolder({ kind: "unassigned" }), unread.total()]).toEqual([3, 40, 43]);
    expect(unread.readCounting(5, 1)).toBe(true);
    expect(unread.inFolder({ kind: "unassigned" })).toBe(39);
    expect(unread.setCounts(counts(39, 3), unread.countsRequested())).toBe(true);
    expect(unread.optimisticReads.size).toBe(0);
    expect(unread.inFolder({ kind: "unassigned" })).toBe(39);
  });

  it("drops an answer older than the one shown, and shows no counter on Resolved", () => {
    const { unread } = setup();
    const older = unread.countsRequested();
    expect(unread.setCounts(counts(5), unread.countsRequested())).toBe(true);
    expect(unread.setCounts(counts(9), older)).toBe(false);
    expect(unread.inFolder({ kind: "unassigned" })).toBe(5);
    expect(unread.inFolder({ kind: "resolved" })).toBe(0);
  });

  it("leaves resolved and set-aside conversations out of the local counters, recounted per version", () => {
    const resolved = conversation({ id: 6, last_seq: 3, status: "resolved" });
    const open = conversation({ id: 7, last_seq: 3 });
    const { unread, gone, context } = setup([resolved, open]);
    expect(unread.inFolder({ kind: "all" })).toBe(1);
    gone.add(7);
    expect(unread.inFolder({ kind: "all" })).toBe(1); // cached in this version
    context.version += 1;
    expect(unread.inFolder({ kind: "all" })).toBe(0);
    expect(unread.total()).toBe(0);
  });

  it("takes nothing off the counters for a read that read nothing new", () => {
    const item = conversation({ id: 8, last_seq: 2, agent_read_seq: 2 });
    const { unread } = setup([item]);
    expect(unread.readCounting(8, 2)).toBe(false);
    expect(unread.optimisticReads.size).toBe(0);
  });
});
