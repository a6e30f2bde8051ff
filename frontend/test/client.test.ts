import { describe, expect, it } from "vitest";
import { type Frame, ProtocolClient, SendError } from "../src/protocol/client";
import { FakeSocket, FakeTimers, message } from "./fakes";

function setup(lastSeq = () => 0) {
  const sockets: FakeSocket[] = [];
  const timers = new FakeTimers();
  const frames: Frame[] = [];
  const statuses: string[] = [];
  const client = new ProtocolClient({
    url: "ws://test/ws/widget/v1/?inbox_key=k",
    hello: () => ({ type: "hello", visitor_token: "t", last_seq: lastSeq() }),
    onFrame: (frame) => frames.push(frame),
    onStatus: (status) => statuses.push(status),
    socketFactory: (url) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket;
    },
    timers,
    random: () => 0,
  });
  const current = () => sockets[sockets.length - 1];
  const welcome = () => {
    current().accept();
    current().deliver({ type: "welcome", conversation: null });
  };
  return { client, sockets, timers, frames, statuses, current, welcome };
}

describe("ProtocolClient", () => {
  it("says hello first, with the last seq it knows", () => {
    const t = setup(() => 7);
    t.client.start();
    t.current().accept();
    expect(t.current().sent[0]).toEqual({ type: "hello", visitor_token: "t", last_seq: 7 });
  });

  it("is online only after welcome", () => {
    const t = setup();
    t.client.start();
    t.current().accept();
    expect(t.client.isOnline).toBe(false);
    t.current().deliver({ type: "welcome", conversation: null });
    expect(t.client.isOnline).toBe(true);
  });

  it("resolves a send with the acked message", async () => {
    const t = setup();
    t.client.start();
    t.welcome();
    const sent = t.client.sendAcked({ type: "message", body: "hi" }, "c1");
    expect(t.current().sentOfType("message")).toEqual([{ type: "message", body: "hi", client_id: "c1" }]);
    t.current().deliver({ type: "ack", client_id: "c1", message: message(5, 1) });
    await expect(sent).resolves.toMatchObject({ id: 5 });
    expect(t.client.pendingSends()).toEqual([]);
  });

  it("queues sends made offline and sends them once when welcomed", () => {
    const t = setup();
    t.client.sendAcked({ type: "message", body: "typed offline" }, "c1");
    t.client.start();
    t.current().accept();
    expect(t.current().sentOfType("message")).toEqual([]);
    t.current().deliver({ type: "welcome", conversation: null });
    expect(t.current().sentOfType("message")).toHaveLength(1);
  });

  it("resends an unacked send with the same client_id after a reconnect", () => {
    const t = setup();
    t.client.start();
    t.welcome();
    t.client.sendAcked({ type: "message", body: "hi" }, "c1");
    t.current().serverClose(1006);
    expect(t.client.currentStatus).toBe("offline");
    t.timers.advance(500);
    expect(t.sockets).toHaveLength(2);
    t.welcome();
    expect(t.current().sentOfType("message")).toEqual([{ type: "message", body: "hi", client_id: "c1" }]);
  });

  it("backs off longer after each failed attempt and resets after a welcome", () => {
    const t = setup();
    t.client.start();
    t.current().serverClose(1006); // attempt 0: 500 ms
    t.timers.advance(499);
    expect(t.sockets).toHaveLength(1);
    t.timers.advance(1);
    expect(t.sockets).toHaveLength(2);
    t.current().serverClose(1006); // attempt 1: 1000 ms
    t.timers.advance(999);
    expect(t.sockets).toHaveLength(2);
    t.timers.advance(1);
    expect(t.sockets).toHaveLength(3);
    t.welcome();
    t.current().serverClose(1006); // back to 500 ms
    t.timers.advance(500);
    expect(t.sockets).toHaveLength(4);
  });

  it("stops for good when the server refuses the credentials (4401)", () => {
    const t = setup();
    t.client.start();
    t.current().accept();
    t.current().serverClose(4401);
    t.timers.advance(60_000);
    expect(t.sockets).toHaveLength(1);
    expect(t.client.currentStatus).toBe("unauthorized");
  });

  it("rejects a send the server refuses for good, and forgets it", async () => {
    const t = setup();
    t.client.start();
    t.welcome();
    const sent = t.client.sendAcked({ type: "message", body: "" }, "c1");
    t.current().deliver({ type: "error", client_id: "c1", code: "empty_body", message: "empty" });
    await expect(sent).rejects.toBeInstanceOf(SendError);
    expect(t.client.pendingSends()).toEqual([]);
  });

  it("retries a rate-limited send later with the same client_id", () => {
    const t = setup();
    t.client.start();
    t.welcome();
    t.client.sendAcked({ type: "message", body: "hi" }, "c1");
    t.current().deliver({ type: "error", client_id: "c1", code: "rate_limited", message: "slow" });
    t.timers.advance(1500);
    expect(t.current().sentOfType("message")).toHaveLength(2);
    expect(t.client.pendingSends()).toHaveLength(1);
  });

  it("passes other frames through and ignores garbage", () => {
    const t = setup();
    t.client.start();
    t.welcome();
    t.current().deliver("not json");
    t.current().deliver({ type: "message", message: message(1, 1) });
    expect(t.frames.map((f) => f.type)).toEqual(["welcome", "message"]);
  });

  it("pings a quiet line and reconnects a dead one", () => {
    const t = setup();
    t.client.start();
    t.welcome();
    t.timers.advance(25_000);
    expect(t.current().sentOfType("ping")).toHaveLength(1);
    t.timers.advance(25_000); // no pong for 50 s: the line is dead
    expect(t.sockets[0].closedWith).toBe(4000);
    t.timers.advance(500);
    expect(t.sockets).toHaveLength(2);
  });

  it("keeps unacked sends across a page reload", () => {
    const t = setup();
    t.client.restorePending([{ clientId: "c9", frame: { type: "message", body: "from last visit" } }]);
    t.client.start();
    t.welcome();
    expect(t.current().sentOfType("message")).toEqual([{ type: "message", body: "from last visit", client_id: "c9" }]);
  });
});
