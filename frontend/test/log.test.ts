import { describe, expect, it } from "vitest";
import { ConversationLog, type Message } from "../src/protocol/log";
import { message } from "./fakes";

const m = (id: number, seq: number, conversation = 1) => message(id, seq, conversation) as Message;

describe("ConversationLog", () => {
  it("keeps messages in seq order whatever order they arrive in", () => {
    const log = new ConversationLog(1);
    log.add(m(12, 2));
    log.add(m(11, 1));
    log.add(m(13, 3));
    expect(log.messages().map((x) => x.seq)).toEqual([1, 2, 3]);
    expect(log.lastSeq).toBe(3);
  });

  it("drops a message it already has, by id", () => {
    const log = new ConversationLog(1);
    expect(log.add(m(11, 1))).toBe(true);
    expect(log.add(m(11, 1))).toBe(false);
    expect(log.messages()).toHaveLength(1);
  });

  it("ignores messages of another conversation", () => {
    const log = new ConversationLog(1);
    expect(log.add(m(11, 1, 2))).toBe(false);
  });

  it("holds its watermark below a gap until the gap is settled", () => {
    const log = new ConversationLog(1);
    log.add(m(11, 1));
    log.add(m(13, 3)); // seq 2 missing: a dropped frame or a private note
    expect(log.lastSeq).toBe(1);
    expect(log.hasGap).toBe(true);
    log.settleThrough(3); // the server was asked: seq 2 was a note
    expect(log.lastSeq).toBe(3);
    expect(log.hasGap).toBe(false);
  });

  it("resumes from a known last seq", () => {
    const log = new ConversationLog(1, 40);
    log.add(m(99, 41));
    expect(log.lastSeq).toBe(41);
  });
});
