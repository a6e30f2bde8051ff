import { describe, expect, it } from "vitest";

import { DRAFT_MAX_AGE_MS, Drafts } from "../src/console/drafts";
import { MemoryStorage } from "../src/shared/memory-storage";

describe("drafts", () => {
  it("keeps a draft per conversation and per operator, with its mode", () => {
    const storage = new MemoryStorage();
    const mine = new Drafts(7, storage);
    const colleague = new Drafts(8, storage);
    mine.set(1, "half a reply", "reply");
    mine.set(2, "a note", "note");
    expect(mine.get(1)).toMatchObject({ body: "half a reply", mode: "reply" });
    expect(mine.get(2)).toMatchObject({ body: "a note", mode: "note" });
    expect(colleague.get(1)).toBeNull();
  });

  it("survives a new page (a new Drafts on the same storage)", () => {
    const storage = new MemoryStorage();
    new Drafts(7, storage).set(3, "text", "reply");
    expect(new Drafts(7, storage).get(3)?.body).toBe("text");
  });

  it("drops an empty reply draft, and clears on send", () => {
    const drafts = new Drafts(7, new MemoryStorage());
    drafts.set(4, "x", "reply");
    drafts.set(4, "", "reply");
    expect(drafts.get(4)).toBeNull();
    drafts.set(5, "y", "reply");
    drafts.clear(5);
    expect(drafts.get(5)).toBeNull();
  });

  it("forgets drafts older than a month, and prunes them", () => {
    let now = 1_000_000;
    const storage = new MemoryStorage();
    const drafts = new Drafts(7, storage, () => now);
    drafts.set(6, "old", "reply");
    drafts.set(7, "old too", "reply");
    now += DRAFT_MAX_AGE_MS + 1;
    expect(drafts.get(6)).toBeNull();
    expect(drafts.prune()).toBe(1);
    expect(storage.length).toBe(0);
  });

  it("ignores unreadable entries and failing storage", () => {
    const storage = new MemoryStorage();
    storage.setItem("helpdesk.console.draft.7.9", "{not json");
    const drafts = new Drafts(7, storage);
    expect(drafts.get(9)).toBeNull();
    const broken = new Drafts(7, {
      length: 0,
      key: () => null,
      getItem: () => {
        throw new Error("denied");
      },
      setItem: () => {
        throw new Error("full");
      },
      removeItem: () => undefined,
    });
    expect(() => broken.set(1, "x", "reply")).not.toThrow();
    expect(broken.get(1)).toBeNull();
  });
});
