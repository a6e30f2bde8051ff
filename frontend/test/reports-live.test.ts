import { describe, expect, it } from "vitest";

import { LivePoller, type Timers, type VisibilitySource } from "../src/reports/live";

class FakePage implements VisibilitySource {
  hidden = false;
  private listener: (() => void) | null = null;
  addEventListener(_type: "visibilitychange", listener: () => void): void {
    this.listener = listener;
  }
  removeEventListener(): void {
    this.listener = null;
  }
  show(hidden: boolean): void {
    this.hidden = hidden;
    this.listener?.();
  }
}

class FakeTimers implements Timers {
  pending = new Map<number, () => void>();
  private next = 1;
  setTimeout(callback: () => void): unknown {
    const id = this.next++;
    this.pending.set(id, callback);
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  async fire(): Promise<void> {
    const callbacks = [...this.pending.values()];
    this.pending.clear();
    for (const callback of callbacks) callback();
    await flush();
  }
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

function setup(hidden = false) {
  const page = new FakePage();
  page.hidden = hidden;
  const timers = new FakeTimers();
  let loads = 0;
  const poller = new LivePoller(async () => void (loads += 1), page, timers, 5000);
  return { page, timers, poller, loads: () => loads };
}

describe("the live view's polling", () => {
  it("loads at once, then every interval while the tab is visible", async () => {
    const { timers, poller, loads } = setup();
    poller.start();
    await flush();
    expect(loads()).toBe(1);
    expect(timers.pending.size).toBe(1);
    await timers.fire();
    await timers.fire();
    expect(loads()).toBe(3);
  });

  it("stops while the tab is hidden and loads as soon as it shows again", async () => {
    const { page, timers, poller, loads } = setup();
    poller.start();
    await flush();
    page.show(true);
    expect(timers.pending.size).toBe(0);
    expect(poller.paused).toBe(true);
    page.show(false);
    await flush();
    expect(loads()).toBe(2);
    expect(timers.pending.size).toBe(1);
  });

  it("waits for a hidden tab before its first load", async () => {
    const { page, poller, loads } = setup(true);
    poller.start();
    await flush();
    expect(loads()).toBe(0);
    page.show(false);
    await flush();
    expect(loads()).toBe(1);
  });

  it("refreshes on demand, one load at a time, and keeps going after a failure", async () => {
    const page = new FakePage();
    const timers = new FakeTimers();
    let loads = 0;
    const poller = new LivePoller(
      async () => {
        loads += 1;
        throw new Error("offline");
      },
      page,
      timers,
    );
    poller.start();
    await Promise.all([poller.refresh(), poller.refresh()]);
    expect(loads).toBe(1);
    expect(timers.pending.size).toBe(1);
    poller.stop();
    expect(timers.pending.size).toBe(0);
  });
});
