import { describe, expect, it } from "vitest";

import type { Attachment } from "../src/shared/attachments";
import { UploadError } from "../src/shared/upload";
import { type FileLike, UploadQueue } from "../src/shared/uploads";
import { attachment } from "./fakes";

interface Call {
  file: FileLike;
  progress: (fraction: number) => void;
  signal: AbortSignal;
  resolve: (value: Attachment) => void;
  reject: (error: unknown) => void;
}

/** A queue over an uploader the test answers by hand, counting the changes it announces. */
function setup() {
  const calls: Call[] = [];
  let changes = 0;
  const queue = new UploadQueue<FileLike>({
    upload: (file, progress, signal) =>
      new Promise<Attachment>((resolve, reject) => {
        calls.push({ file, progress, signal, resolve, reject });
      }),
    describe: (error) => (error instanceof UploadError && error.message ? error.message : "The file could not be uploaded."),
    changed: () => (changes += 1),
  });
  return { queue, calls, changes: () => changes };
}

const file = (name: string, size = 1000): FileLike => ({ name, size });
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("upload queue: the composer's chips", () => {
  it("starts each file at once as an uploading chip with its name and size", () => {
    const t = setup();
    expect(t.queue.add([file("a.png", 10), file("b.pdf", 20)])).toBe(0);
    expect(t.calls.map((call) => call.file.name)).toEqual(["a.png", "b.pdf"]);
    expect(t.queue.items.map((item) => [item.name, item.size, item.state, item.progress])).toEqual([
      ["a.png", 10, "uploading", null],
      ["b.pdf", 20, "uploading", null],
    ]);
    expect(new Set(t.queue.items.map((item) => item.key)).size).toBe(2);
    expect(t.queue.busy).toBe(true);
    expect(t.changes()).toBeGreaterThan(0);
  });

  it("follows the progress, then keeps the server's attachment once uploaded", async () => {
    const t = setup();
    t.queue.add([file("a.png")]);
    t.calls[0].progress(0.4);
    expect(t.queue.items[0].progress).toBe(0.4);
    t.calls[0].progress(7);
    expect(t.queue.items[0].progress).toBe(1);
    t.calls[0].resolve(attachment({ id: 31, name: "a.png" }));
    await tick();
    expect(t.queue.items[0]).toMatchObject({ state: "done", progress: 1, error: null });
    expect(t.queue.ids).toEqual([31]);
    expect(t.queue.busy).toBe(false);
  });

  it("shows the server's message on a failed chip, and that file is not sent", async () => {
    const t = setup();
    t.queue.add([file("big.zip"), file("ok.png")]);
    t.calls[0].reject(new UploadError(413, "attachment_too_large", "The file is larger than 10 MiB."));
    t.calls[1].resolve(attachment({ id: 5 }));
    await tick();
    expect(t.queue.items.map((item) => [item.state, item.error])).toEqual([
      ["failed", "The file is larger than 10 MiB."],
      ["done", null],
    ]);
    expect(t.queue.ids).toEqual([5]);
  });

  it("says it in its own words when the server's answer could not be read", async () => {
    const t = setup();
    t.queue.add([file("a.png")]);
    t.calls[0].reject(new UploadError(0, "network", ""));
    await tick();
    expect(t.queue.items[0].error).toBe("The file could not be uploaded.");
  });

  it("keeps the ids in the order the files were added, whatever order they finish in", async () => {
    const t = setup();
    t.queue.add([file("1"), file("2"), file("3")]);
    t.calls[2].resolve(attachment({ id: 3 }));
    t.calls[0].resolve(attachment({ id: 1 }));
    t.calls[1].resolve(attachment({ id: 2 }));
    await tick();
    expect(t.queue.ids).toEqual([1, 2, 3]);
    expect(t.queue.attachments.map((item) => item.id)).toEqual([1, 2, 3]);
  });

  it("stops a running upload when its chip is removed, and ignores its late answer", async () => {
    const t = setup();
    t.queue.add([file("a.png")]);
    const [call] = t.calls;
    t.queue.remove(t.queue.items[0].key);
    expect(call.signal.aborted).toBe(true);
    expect(t.queue.items).toEqual([]);
    call.resolve(attachment({ id: 9 }));
    await tick();
    expect(t.queue.items).toEqual([]);
    expect(t.queue.ids).toEqual([]);
  });

  it("takes at most ten files and says how many it left out", () => {
    const t = setup();
    expect(t.queue.add(Array.from({ length: 8 }, (_, index) => file(`f${index}`)))).toBe(0);
    expect(t.queue.add([file("x"), file("y"), file("z"), file("w")])).toBe(2);
    expect(t.queue.items).toHaveLength(10);
    expect(t.calls).toHaveLength(10);
  });

  it("empties on clear, stopping what still runs", async () => {
    const t = setup();
    t.queue.add([file("a"), file("b")]);
    t.calls[0].resolve(attachment({ id: 1 }));
    await tick();
    t.queue.clear();
    expect(t.calls[1].signal.aborted).toBe(true);
    expect(t.queue.items).toEqual([]);
  });

  it("turns an uploader that throws into a failed chip", async () => {
    const queue = new UploadQueue<FileLike>({
      upload: () => {
        throw new UploadError(0, "no_session", "");
      },
      describe: () => "no session",
      changed: () => undefined,
    });
    queue.add([file("a")]);
    await tick();
    expect(queue.items[0]).toMatchObject({ state: "failed", error: "no session" });
  });
});

describe("upload queue: when the message may go", () => {
  it("goes with text, or with an uploaded file; never while an upload runs", async () => {
    const t = setup();
    expect(t.queue.canSend("")).toBe(false);
    expect(t.queue.canSend("  \n")).toBe(false);
    expect(t.queue.canSend("hi")).toBe(true);
    t.queue.add([file("a.png")]);
    expect(t.queue.canSend("hi")).toBe(false); // still uploading
    t.calls[0].resolve(attachment({ id: 1 }));
    await tick();
    expect(t.queue.canSend("")).toBe(true); // a file alone
    t.queue.add([file("b.png")]);
    expect(t.queue.canSend("")).toBe(false);
    t.calls[1].reject(new UploadError(415, "attachment_type_not_allowed", "Not allowed."));
    await tick();
    expect(t.queue.canSend("")).toBe(true); // the failed one is left out, the uploaded one goes
  });

  it("does not go with a failed file alone", async () => {
    const t = setup();
    t.queue.add([file("a.png")]);
    t.calls[0].reject(new UploadError(413, "too_large", "Too large."));
    await tick();
    expect(t.queue.canSend("")).toBe(false);
    expect(t.queue.canSend("but some text")).toBe(true);
  });
});
