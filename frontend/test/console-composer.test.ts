import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { ConsoleComposer, type Outbox, TYPING_IDLE_MS, TYPING_RENEW_MS, uploadErrorText } from "../src/console/composer";
import { Drafts } from "../src/console/drafts";
import type { Effect } from "../src/console/frames";
import { type Frame, SendError } from "../src/protocol/client";
import type { Message } from "../src/protocol/log";
import type { Attachment } from "../src/shared/attachments";
import { UploadError } from "../src/shared/upload";
import { conversation, fromMe, ME, newStore } from "./console-fixtures";
import { attachment } from "./fakes";

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

/** The socket as the composer sees it; each acked send waits for the test to answer it. */
class FakeOutbox implements Outbox {
  frames: Frame[] = [];
  discarded: string[] = [];
  answers = new Map<string, { resolve: (message: Message) => void; reject: (error: unknown) => void }>();

  send(frame: Frame): boolean {
    this.frames.push(frame);
    return true;
  }
  sendAcked(frame: Frame, clientId: string): Promise<Message> {
    this.frames.push({ ...frame, client_id: clientId });
    return new Promise((resolve, reject) => this.answers.set(clientId, { resolve, reject }));
  }
  discard(clientId: string): void {
    this.discarded.push(clientId);
  }
}

function setup() {
  const store = newStore();
  store.mergeConversations([conversation({ id: 1 }), conversation({ id: 2 })]);
  const outbox = new FakeOutbox();
  const effects: Effect[] = [];
  const composer = new ConsoleComposer({ store, drafts: new Drafts(ME.id, null), outbox, run: (list) => effects.push(...list) });
  return { store, outbox, effects, composer };
}

describe("console composer: sending", () => {
  it("shows a reply as pending, sends it with its client_id, and takes the ack as the message", async () => {
    const t = setup();
    t.composer.send(1, "hello", false);
    const [pending] = t.store.pendingFor(1);
    expect(pending).toMatchObject({ body: "hello", private: false, failed: null });
    expect(t.outbox.frames).toEqual([{ type: "message", conversation: 1, body: "hello", private: false, client_id: pending.clientId }]);
    t.outbox.answers.get(pending.clientId)?.resolve(fromMe(1, 1, { client_id: pending.clientId, body: "hello" }));
    await vi.advanceTimersByTimeAsync(0);
    expect(t.store.pendingFor(1)).toEqual([]);
    expect(t.store.conversations.get(1)?.last_message?.body).toBe("hello");
  });

  it("marks a refused send failed with the server's reason; Retry sends it again under the same client_id", async () => {
    const t = setup();
    t.composer.send(2, "note", true);
    const [pending] = t.store.pendingFor(2);
    t.outbox.answers.get(pending.clientId)?.reject(new SendError("forbidden", "Not allowed"));
    await vi.advanceTimersByTimeAsync(0);
    expect(t.store.pendingFor(2)[0].failed).toBe("Not allowed");
    t.composer.retry(pending.clientId);
    expect(t.store.pendingFor(2)[0].failed).toBeNull();
    expect(t.outbox.frames.map((frame) => frame.client_id)).toEqual([pending.clientId, pending.clientId]);
    t.composer.retry("unknown");
    expect(t.outbox.frames).toHaveLength(2);
  });

  it("discards a failed send on both sides", () => {
    const t = setup();
    t.composer.send(1, "hello", false);
    const [pending] = t.store.pendingFor(1);
    t.composer.discard(pending.clientId);
    expect(t.outbox.discarded).toEqual([pending.clientId]);
    expect(t.store.pendingFor(1)).toEqual([]);
  });
});

describe("console composer: files", () => {
  it("sends a reply of files alone with their ids and no body, shown pending with its files", () => {
    const t = setup();
    const files = [attachment({ id: 11 }), attachment({ id: 12, name: "b.pdf" })];
    t.composer.send(1, "", false, files);
    const [pending] = t.store.pendingFor(1);
    expect(pending.attachments).toEqual(files);
    expect(t.outbox.frames).toEqual([{ type: "message", conversation: 1, private: false, attachments: [11, 12], client_id: pending.clientId }]);
  });

  it("sends a note with text and a file, and the same ids again on Retry", async () => {
    const t = setup();
    t.composer.send(2, "see the scan", true, [attachment({ id: 13 })]);
    const [pending] = t.store.pendingFor(2);
    t.outbox.answers.get(pending.clientId)?.reject(new SendError("attachment_in_use", "A file was already sent with another message."));
    await vi.advanceTimersByTimeAsync(0);
    expect(t.store.pendingFor(2)[0].failed).toBe("A file was already sent with another message.");
    t.composer.retry(pending.clientId);
    expect(t.outbox.frames.map((frame) => [frame.body, frame.private, frame.attachments])).toEqual([
      ["see the scan", true, [13]],
      ["see the scan", true, [13]],
    ]);
  });

  it("keeps each conversation's files apart and uploads them through the API", async () => {
    const store = newStore();
    const uploaded: string[] = [];
    const composer = new ConsoleComposer({
      store,
      drafts: new Drafts(ME.id, null),
      outbox: new FakeOutbox(),
      run: () => undefined,
      upload: (file) => {
        uploaded.push(file.name);
        return Promise.resolve(attachment({ id: uploaded.length, name: file.name }));
      },
    });
    const version = store.version;
    composer.files(1).add([new File(["x"], "a.txt")]);
    expect(composer.files(1)).toBe(composer.files(1));
    expect(composer.files(2).items).toEqual([]);
    await vi.advanceTimersByTimeAsync(0);
    expect(uploaded).toEqual(["a.txt"]);
    expect(composer.files(1).attachments.map((file: Attachment) => file.name)).toEqual(["a.txt"]);
    expect(store.version).toBeGreaterThan(version); // the chips redraw
  });

  it("says why an upload failed: the server's words, else the catalogue's", () => {
    expect(uploadErrorText(new UploadError(415, "attachment_type_not_allowed", "This type of file is not allowed."))).toBe("This type of file is not allowed.");
    expect(uploadErrorText(new UploadError(413, "too_large", ""))).toBe("The file is too large.");
    expect(uploadErrorText(new UploadError(0, "network", ""))).toBe("The file could not be uploaded.");
  });
});

describe("console composer: typing and focus", () => {
  const typingFrames = (outbox: FakeOutbox) => outbox.frames.filter((frame) => frame.type === "typing").map((frame) => [frame.conversation, frame.active, frame.private]);

  it("says typing, renews it every few seconds, and ends it after a pause", () => {
    const t = setup();
    t.composer.typing(1, false);
    vi.advanceTimersByTime(TYPING_RENEW_MS);
    t.composer.typing(1, false);
    vi.advanceTimersByTime(1);
    t.composer.typing(1, false);
    expect(typingFrames(t.outbox)).toEqual([
      [1, true, false],
      [1, true, false],
    ]);
    vi.advanceTimersByTime(TYPING_IDLE_MS);
    expect(typingFrames(t.outbox).at(-1)).toEqual([1, false, false]);
  });

  it("ends typing in one place before starting in another, and when the message is sent", () => {
    const t = setup();
    t.composer.typing(1, false);
    t.composer.typing(1, true);
    t.composer.typing(2, true);
    t.composer.send(2, "done", true);
    expect(typingFrames(t.outbox)).toEqual([
      [1, true, false],
      [1, false, false],
      [1, true, true],
      [1, false, true],
      [2, true, true],
      [2, false, true],
    ]);
    t.composer.stopTyping();
    expect(typingFrames(t.outbox)).toHaveLength(6);
  });

  it("asks the view to focus the open conversation's composer, keeping or setting its mode", () => {
    const t = setup();
    const version = t.store.version;
    t.composer.requestFocus("note");
    expect(t.composer.focus).toBeNull(); // nothing open
    t.store.select(1);
    t.composer.requestFocus("note");
    expect(t.composer.focus).toMatchObject({ conversation: 1, mode: "note" });
    t.composer.requestFocus(null, 2);
    expect(t.composer.focus).toMatchObject({ conversation: 2, mode: null });
    expect(t.store.version).toBeGreaterThan(version);
  });
});
