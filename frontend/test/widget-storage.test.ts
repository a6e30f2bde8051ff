import { describe, expect, it } from "vitest";
import { MemoryStorage } from "../src/shared/memory-storage";
import { sanitise, storageKey, VisitorStore, type KeyValue } from "../src/widget/storage";
import { attachment } from "./fakes";

describe("VisitorStore", () => {
  it("keeps one record per inbox and merges updates", () => {
    const backend = new MemoryStorage();
    const store = new VisitorStore("key-1", backend);
    store.update({ token: "t1", readSeq: 3 });
    store.update({ readSeq: 5 });
    expect(store.load()).toEqual({ token: "t1", readSeq: 5 });
    expect(new VisitorStore("key-2", backend).load()).toEqual({});
    expect(JSON.parse(backend.getItem(storageKey("key-1")) ?? "")).toEqual({ token: "t1", readSeq: 5 });
  });

  it("sees what another tab wrote (it reads before it writes)", () => {
    const backend = new MemoryStorage();
    const tabA = new VisitorStore("k", backend);
    const tabB = new VisitorStore("k", backend);
    tabA.update({ token: "t" });
    tabB.update({ readSeq: 4 });
    expect(tabA.load()).toEqual({ token: "t", readSeq: 4 });
  });

  it("removes a field set to undefined", () => {
    const store = new VisitorStore("k", new MemoryStorage());
    store.update({ token: "t", email: "a@b.co" });
    store.update({ email: undefined });
    expect(store.load()).toEqual({ token: "t" });
  });

  it("keeps the open panel per tab", () => {
    const shared = new MemoryStorage();
    const tabA = new VisitorStore("k", shared, new MemoryStorage());
    const tabB = new VisitorStore("k", shared, new MemoryStorage());
    tabA.panelOpen = true;
    expect(tabA.panelOpen).toBe(true);
    expect(tabB.panelOpen).toBe(false);
    tabA.panelOpen = false;
    expect(tabA.panelOpen).toBe(false);
  });

  it("works from memory when storage throws", () => {
    const broken: KeyValue = {
      getItem: () => {
        throw new Error("denied");
      },
      setItem: () => {
        throw new Error("denied");
      },
      removeItem: () => {
        throw new Error("denied");
      },
    };
    const store = new VisitorStore("k", broken, broken);
    expect(store.load()).toEqual({});
    expect(() => store.update({ token: "t" })).not.toThrow();
    expect(() => store.clear()).not.toThrow();
    expect(() => (store.panelOpen = true)).not.toThrow();
  });

  it("survives garbage in storage", () => {
    const backend = new MemoryStorage();
    backend.setItem(storageKey("k"), "{not json");
    expect(new VisitorStore("k", backend).load()).toEqual({});
  });
});

describe("sanitise", () => {
  it("keeps well-formed fields only", () => {
    expect(
      sanitise({
        token: "abc",
        conversation: 4,
        readSeq: -1,
        operatorReadSeq: 2.5,
        seenSeq: "3",
        prechatDone: "yes",
        email: 5,
        color: "red",
        rated: 4,
        extra: true,
      }),
    ).toEqual({ token: "abc", conversation: 4, rated: 4 });
    expect(sanitise({ color: "#0F766E", prechatDone: true })).toEqual({ color: "#0F766E", prechatDone: true });
    expect(sanitise(null)).toEqual({});
    expect(sanitise([1, 2])).toEqual({});
  });

  it("keeps unsent messages with their client_id and body only", () => {
    const saved = sanitise({
      pending: [
        { clientId: "c1", frame: { type: "message", body: "hi", private: true }, at: 10 },
        { clientId: "", frame: { body: "no id" } },
        { clientId: "c3", frame: { body: 5 } },
        { clientId: "c4", frame: { body: "no time" } },
        "garbage",
      ],
    });
    expect(saved.pending?.map((p) => [p.clientId, p.frame])).toEqual([
      ["c1", { type: "message", body: "hi" }],
      ["c4", { type: "message", body: "no time" }],
    ]);
    expect(saved.pending?.[0].at).toBe(10);
  });

  it("keeps an unsent message's files (their ids in the frame), and drops a send with a bad one", () => {
    const photo = attachment({ id: 7 });
    const saved = sanitise({
      pending: [
        { clientId: "files", frame: { type: "message", body: "" }, at: 1, files: [photo, attachment({ id: 8, name: "b.pdf", kind: "file", content_type: "application/pdf", width: null, height: null })] },
        { clientId: "bad-url", frame: { body: "" }, at: 2, files: [{ ...photo, url: "javascript:alert(1)" }] },
        { clientId: "bad-kind", frame: { body: "x" }, at: 3, files: [{ ...photo, kind: "sticker" }] },
        { clientId: "empty", frame: { body: " " }, at: 4, files: [] },
      ],
    });
    expect(saved.pending?.map((p) => p.clientId)).toEqual(["files"]);
    const [send] = saved.pending ?? [];
    expect(send.frame).toEqual({ type: "message", body: "", attachments: [7, 8] });
    expect(send.files?.map((file) => [file.id, file.name, file.width])).toEqual([
      [7, "photo.png", 800],
      [8, "b.pdf", null],
    ]);
  });
});
