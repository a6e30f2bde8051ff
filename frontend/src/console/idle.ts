/** Whether the console is idle: 15 minutes without input while its tab is hidden. The server
 * makes an operator whose consoles are all idle `away`, and `online` again once one is used
 * (docs/protocol.md, the `idle` frame); their own choice in the status switch stays theirs. */

export const IDLE_AFTER_MS = 15 * 60 * 1000;

export interface IdleTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const browserTimers: IdleTimers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export class IdleWatch {
  idle = false;
  private timer: unknown = null;

  constructor(
    private readonly onChange: (idle: boolean) => void,
    private hidden: boolean,
    private readonly timers: IdleTimers = browserTimers,
    private readonly afterMs: number = IDLE_AFTER_MS,
  ) {
    this.arm();
  }

  /** The operator used the page: a key, a click, the pointer or the wheel. */
  activity(): void {
    this.set(false);
    this.arm();
  }

  /** The tab was hidden or shown again; showing it counts as activity. */
  setHidden(hidden: boolean): void {
    if (hidden === this.hidden) return;
    this.hidden = hidden;
    this.activity();
  }

  stop(): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
  }

  /** The countdown runs only while the tab is hidden, from its hiding or the last input. */
  private arm(): void {
    this.stop();
    if (this.hidden) this.timer = this.timers.setTimeout(() => this.set(true), this.afterMs);
  }

  private set(idle: boolean): void {
    if (idle === this.idle) return;
    this.idle = idle;
    this.onChange(idle);
  }
}
