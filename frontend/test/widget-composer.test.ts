import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { type Frame, SendError } from "../src/protocol/client";
import type { Message } from "../src/protocol/log";
import { Composer, type ComposerLine, TYPING_IDLE_MS } from "../src/widget/composer";
import { ChatState } from "../src/widget/store";
import type { Key } from "../src/widget/strings";
import { attachment } from "./fakes";
import { conversationOf, settle } from "./widget-fixtures";

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

/** The connection as the composer sees it, recording what goes out. */
class FakeLine implements ComposerLine {
  hasSocket = true;
  frames: Frame[] = [];
  messages: [string, string][] = [];
  /** The files' ids of each message sent, in order. */
  files: number[][] = [];
  discarded: string[] = [];
  starts = 0;
  wakes = 0;
  restarts = 0;
  answer: Promise<Message> = new Promise(() => undefined);
  readonly fallback = { restart: () => (this.restarts += 1) };

  send(frame: Frame): void {
    this.frames.push(frame);
  }
  sendMessage(clientId: string, body: string, attachments: number[] = []): Promise<Message> | null {
    if (!this.hasSocket) return null;
    this.messages.push([clientId, body]);
    this.files.push(attachments);
    return this.answer;
  }
  discard(clientId: string): void {
    this.discarded.push(clientId);
  }
  start(): Promise<void> {
    this.starts += 1;
    return Promise.resolve();
  }
  wake(): void {
    this.wakes += 1;
  }
}

function setup() {
  const state = new ChatState();
  const line = new FakeLine();
  const errors: (Key | null)[] = [];
  const log = { saves: 0, changes: [] as boolean[] };
  const composer = new Composer({
    state,
    line,
    savePending: () => (log.saves += 1),
    setError: (problem) => errors.push(problem),
    changed: (scroll) => log.changes.push(Boolean(scroll)),
  });
  return { state, line, errors, log, composer };
}

describe("widget composer: sending", () => {
  it("refuses an empty or too long message, saying why, and queues nothing", () => {
    const t = setup();
    expect(t.composer.send("  \n")).toBe(false);
    expect(t.composer.send("x".repeat(10_001))).toBe(false);
    expect(t.errors).toEqual(["required", "tooLong"]);
    expect(t.state.pending).toEqual([]);
    expect(t.line.messages).toEqual([]);
  });

  it("queues a message, saves it, sends it with its client_id and scrolls to it", () => {
    const t = setup();
    expect(t.composer.send("hello")).toBe(true);
    expect(t.errors).toEqual([null]);
    const [item] = t.state.pending;
    expect([item.body, item.error]).toEqual(["hello", null]);
    expect(t.line.messages).toEqual([[item.clientId, "hello"]]);
    expect(t.log.saves).toBe(1);
    expect(t.log.changes).toEqual([true]);
    expect(t.line.restarts).toBe(1); // a poll at once, if the REST fallback is on
  });

  it("starts a session to send through when there is no socket yet", () => {
    const t = setup();
    t.line.hasSocket = false;
    t.composer.send("hello");
    expect(t.line.starts).toBe(1);
    expect(t.state.pending).toHaveLength(1);
  });

  it("marks a send the server refuses as failed, and a retry sends the text anew", async () => {
    const t = setup();
    t.line.answer = Promise.reject(new SendError("body_too_long", "too long"));
    t.composer.send("hello");
    await settle();
    const [refused] = t.state.pending;
    expect(refused.error).toBe("body_too_long");
    expect(t.log.saves).toBe(2);
    t.line.answer = new Promise(() => undefined);
    t.composer.retry(refused.clientId);
    expect(t.line.discarded).toEqual([refused.clientId]);
    expect(t.state.pending.map((item) => item.body)).toEqual(["hello"]);
    expect(t.state.pending[0].clientId).not.toBe(refused.clientId);
  });

  it("retries a send that is only waiting by reconnecting at once, with the same client_id", () => {
    const t = setup();
    t.composer.send("hello");
    const [waiting] = t.state.pending;
    vi.advanceTimersByTime(20_000);
    t.composer.retry(waiting.clientId);
    expect(t.line.wakes).toBe(1);
    expect(waiting.at).toBe(Date.now());
    expect(t.state.pending).toEqual([waiting]);
    t.composer.retry("unknown");
    expect(t.line.wakes).toBe(1);
  });

  it("sends the queue again through a new socket, all but the refused", () => {
    const t = setup();
    t.state.queue("a", "one", 1);
    t.state.queue("b", "two", 2);
    t.state.fail("b", "body_too_long");
    t.composer.resend();
    expect(t.line.messages).toEqual([["a", "one"]]);
  });
});

describe("widget composer: files", () => {
  it("sends a message of files alone, their ids with it, and keeps them on the queued item", () => {
    const t = setup();
    const files = [attachment({ id: 4 }), attachment({ id: 5, name: "b.pdf" })];
    expect(t.composer.send("", files)).toBe(true);
    expect(t.errors).toEqual([null]);
    const [item] = t.state.pending;
    expect(item.attachments).toEqual(files);
    expect(t.line.messages).toEqual([[item.clientId, ""]]);
    expect(t.line.files).toEqual([[4, 5]]);
  });

  it("sends text and files together, and text alone with no ids", () => {
    const t = setup();
    t.composer.send("see attached", [attachment({ id: 9 })]);
    t.composer.send("just text");
    expect(t.line.files).toEqual([[9], []]);
  });

  it("still needs text when there is no file", () => {
    const t = setup();
    expect(t.composer.send("", [])).toBe(false);
    expect(t.errors).toEqual(["required"]);
  });

  it("sends the files again with the queue through a new socket, and with a retry of a refused send", async () => {
    const t = setup();
    t.line.answer = Promise.reject(new SendError("attachment_not_found", "Attachment not found."));
    t.composer.send("", [attachment({ id: 6 })]);
    await settle();
    const [refused] = t.state.pending;
    expect(refused.error).toBe("attachment_not_found");
    t.line.answer = new Promise(() => undefined);
    t.composer.retry(refused.clientId);
    expect(t.state.pending[0].attachments.map((file) => file.id)).toEqual([6]);
    t.composer.resend();
    expect(t.line.files).toEqual([[6], [6], [6]]);
  });
});

describe("widget composer: typing", () => {
  it("says typing once while the visitor writes, and stops after a pause, on an empty box or on send", () => {
    const t = setup();
    t.state.setConversation(conversationOf(1));
    t.composer.typing("h");
    t.composer.typing("he");
    expect(t.line.frames).toEqual([{ type: "typing", active: true }]);
    vi.advanceTimersByTime(TYPING_IDLE_MS);
    expect(t.line.frames).toEqual([
      { type: "typing", active: true },
      { type: "typing", active: false },
    ]);
    t.composer.typing("hey");
    t.composer.typing("  ");
    t.composer.typing("hey");
    t.composer.send("hey");
    expect(t.line.frames.map((frame) => frame.active)).toEqual([true, false, true, false, true, false]);
  });

  it("says nothing before there is a conversation", () => {
    const t = setup();
    t.composer.typing("hello");
    t.composer.setTypingOut(false);
    expect(t.line.frames).toEqual([]);
  });
});
