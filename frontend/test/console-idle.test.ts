import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { Alerts } from "../src/console/alerts";
import { Api } from "../src/console/api";
import { Controller } from "../src/console/controller";
import { Drafts } from "../src/console/drafts";
import { IDLE_AFTER_MS, IdleWatch } from "../src/console/idle";
import { CONFIG, ME, newStore } from "./console-fixtures";
import { AnsweringSocket } from "./fakes";

const MINUTE = 60 * 1000;

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

function watch(hidden: boolean): { idle: IdleWatch; changes: boolean[] } {
  const changes: boolean[] = [];
  return { idle: new IdleWatch((idle) => changes.push(idle), hidden), changes };
}

describe("idle watch: 15 minutes without input while the tab is hidden", () => {
  it("goes idle 15 minutes after the tab was hidden, and back on activity", () => {
    const { idle, changes } = watch(false);
    idle.setHidden(true);
    vi.advanceTimersByTime(IDLE_AFTER_MS - 1);
    expect(changes).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(changes).toEqual([true]);
    idle.activity();
    expect(changes).toEqual([true, false]);
    expect(idle.idle).toBe(false);
  });

  it("never goes idle while the tab is visible, however long without input", () => {
    const { changes } = watch(false);
    vi.advanceTimersByTime(2 * 60 * MINUTE);
    expect(changes).toEqual([]);
  });

  it("counts the 15 minutes from the last input in a hidden tab", () => {
    const { idle, changes } = watch(true);
    vi.advanceTimersByTime(10 * MINUTE);
    idle.activity();
    vi.advanceTimersByTime(10 * MINUTE);
    expect(changes).toEqual([]);
    vi.advanceTimersByTime(5 * MINUTE);
    expect(changes).toEqual([true]);
  });

  it("is in use again as soon as the tab is shown", () => {
    const { idle, changes } = watch(true);
    vi.advanceTimersByTime(IDLE_AFTER_MS);
    idle.setHidden(false);
    expect(changes).toEqual([true, false]);
    vi.advanceTimersByTime(60 * MINUTE);
    expect(changes).toEqual([true, false]);
  });
});

function consoleWithSocket(): { controller: Controller; sockets: AnsweringSocket[] } {
  const sockets: AnsweringSocket[] = [];
  const store = newStore();
  const controller = new Controller({
    config: CONFIG,
    store,
    api: new Api({ base: "/api/v1/", csrfToken: () => "csrf", language: () => "en", onUnauthenticated: () => undefined }),
    drafts: new Drafts(ME.id, null),
    alerts: new Alerts(),
    socketUrl: "ws://test/ws/console/v1/",
    storage: null,
    socketFactory: (url) => {
      const socket = new AnsweringSocket(url);
      sockets.push(socket);
      return socket;
    },
  });
  controller.client.start();
  sockets[0].accept();
  sockets[0].deliver({ type: "welcome", operator: { ...ME } });
  return { controller, sockets };
}

describe("console: tells the server when it idles", () => {
  it("sends idle after 15 minutes hidden without input, and not idle on the next input", async () => {
    const { controller, sockets } = consoleWithSocket();
    controller.setPageVisible(false);
    await vi.advanceTimersByTimeAsync(IDLE_AFTER_MS);
    expect(sockets[0].sentOfType("idle")).toEqual([{ type: "idle", idle: true }]);
    controller.idle.activity();
    expect(sockets[0].sentOfType("idle")).toEqual([
      { type: "idle", idle: true },
      { type: "idle", idle: false },
    ]);
    controller.client.stop();
  });

  it("says it is idle in the hello of a reconnect, so the operator stays away", () => {
    const { controller, sockets } = consoleWithSocket();
    expect(sockets[0].sentOfType("hello")).toEqual([{ type: "hello" }]);
    controller.setPageVisible(false);
    vi.advanceTimersByTime(IDLE_AFTER_MS);
    sockets[0].serverClose(1006);
    vi.advanceTimersByTime(60 * 1000);
    sockets[1].accept();
    expect(sockets[1].sentOfType("hello")).toEqual([{ type: "hello", idle: true }]);
    controller.client.stop();
  });
});
