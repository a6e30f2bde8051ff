import { describe, expect, it } from "vitest";

import { ConversationList } from "../src/console/conversation-list";
import type { Inbox, LastMessage } from "../src/console/types";
import { conversation, ME } from "./console-fixtures";

function setup(inboxes: Inbox[] | null = [{ id: 1, name: "Site", channel: "web", team: 1 }]) {
  const context = { version: 1, inboxes: inboxes && new Map(inboxes.map((inbox) => [inbox.id, inbox])) };
  const list = new ConversationList({ me: () => ME, inboxes: () => context.inboxes, version: () => context.version });
  return { list, context };
}

const preview = (body: string, created_at: string): LastMessage => ({ body, author_kind: "visitor", private: false, created_at });

describe("console conversation list: merging", () => {
  it("answers whether a conversation was unknown, and copies its labels", () => {
    const { list } = setup();
    const labels = ["vip"];
    expect(list.upsert(conversation({ id: 1, labels }))).toBe(true);
    expect(list.upsert(conversation({ id: 1 }))).toBe(false);
    labels.push("changed outside");
    expect(list.byId.get(1)?.labels).toEqual([]);
  });

  it("never moves the activity, the seqs or the preview back", () => {
    const { list } = setup();
    list.upsert(
      conversation({
        id: 2,
        last_activity_at: "2026-11-25T09:30:00Z",
        last_seq: 9,
        agent_read_seq: 4,
        last_message: preview("newer", "2026-11-25T09:30:00Z"),
      }),
    );
    list.upsert(
      conversation({
        id: 2,
        status: "pending",
        last_activity_at: "2026-11-25T09:00:00Z",
        last_seq: 7,
        agent_read_seq: 2,
        last_message: preview("older", "2026-11-25T09:00:00Z"),
      }),
    );
    expect(list.byId.get(2)).toMatchObject({
      status: "pending",
      last_activity_at: "2026-11-25T09:30:00Z",
      last_seq: 9,
      agent_read_seq: 4,
      last_message: { body: "newer" },
    });
  });

  it("keeps the preview a conversation frame leaves out, and takes a seq a legacy answer lacks", () => {
    const { list } = setup();
    list.upsert(conversation({ id: 3, last_message: preview("hi", "2026-11-25T09:00:00Z"), last_seq: undefined }));
    const { last_message: _left, ...frame } = conversation({ id: 3, last_seq: 5 });
    list.upsert(frame as never);
    expect(list.byId.get(3)).toMatchObject({ last_message: { body: "hi" }, last_seq: 5 });
  });
});

describe("console conversation list: sight and lists", () => {
  it("sets aside a conversation out of the operator's sight, and takes it back when the inboxes change", () => {
    const { list, context } = setup();
    list.upsert(conversation({ id: 4, inbox: 2, team: 2 }));
    expect(list.gone.has(4)).toBe(true);
    expect(list.listItems({ kind: "all" }, "open")).toEqual([]);
    context.inboxes = new Map([[2, { id: 2, name: "Shop", channel: "web", team: 1 }]]);
    list.refreshSight();
    context.version += 1;
    expect(list.gone.has(4)).toBe(false);
    expect(list.listItems({ kind: "all" }, "open").map((c) => c.id)).toEqual([4]);
  });

  it("lists newest activity first (by id on a tie), sorted again only in a new version", () => {
    const { list, context } = setup();
    list.upsert(conversation({ id: 5, last_activity_at: "2026-11-25T09:00:00Z" }));
    list.upsert(conversation({ id: 6, last_activity_at: "2026-11-25T09:10:00Z" }));
    list.upsert(conversation({ id: 7, last_activity_at: "2026-11-25T09:10:00Z" }));
    const first = list.listItems({ kind: "unassigned" }, "open");
    expect(first.map((c) => c.id)).toEqual([7, 6, 5]);
    list.upsert(conversation({ id: 8, last_activity_at: "2026-11-25T10:00:00Z" }));
    expect(list.listItems({ kind: "unassigned" }, "open")).toBe(first);
    context.version += 1;
    expect(list.listItems({ kind: "unassigned" }, "open").map((c) => c.id)).toEqual([8, 7, 6, 5]);
    expect(list.listItems({ kind: "mine" }, "open")).toEqual([]);
  });

  it("keeps one paging state per list", () => {
    const { list } = setup();
    const state = list.listState({ kind: "team", id: 1 }, "open");
    expect(state).toEqual({ next: null, loading: false, loaded: false, error: null });
    state.loaded = true;
    expect(list.listState({ kind: "team", id: 1 }, "open").loaded).toBe(true);
    expect(list.listState({ kind: "team", id: 1 }, "pending").loaded).toBe(false);
  });
});
