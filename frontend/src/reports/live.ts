/** The live view's polling: every few seconds while the tab is visible (the Page Visibility
 * API), at once when it becomes visible again, and on demand (the refresh button). One load
 * at a time. */

export const LIVE_INTERVAL_MS = 5000;

export interface VisibilitySource {
  readonly hidden: boolean;
  addEventListener(type: "visibilitychange", listener: () => void): void;
  removeEventListener(type: "visibilitychange", listener: () => void): void;
}

export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const browserTimers: Timers = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export class LivePoller {
  private timer: unknown = null;
  private running = false;
  private loading: Promise<void> | null = null;
  private readonly onVisibility = () => this.visibilityChanged();

  constructor(
    private readonly load: () => Promise<void>,
    private readonly page: VisibilitySource,
    private readonly timers: Timers = browserTimers,
    private readonly intervalMs = LIVE_INTERVAL_MS,
  ) {}

  get paused(): boolean {
    return this.page.hidden;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.page.addEventListener("visibilitychange", this.onVisibility);
    if (!this.page.hidden) void this.refresh();
  }

  stop(): void {
    this.running = false;
    this.page.removeEventListener("visibilitychange", this.onVisibility);
    this.cancel();
  }

  /** Loads now (or joins the load under way), then waits the interval for the next. */
  refresh(): Promise<void> {
    this.cancel();
    if (!this.loading) {
      this.loading = this.load()
        .catch(() => undefined)
        .finally(() => {
          this.loading = null;
          this.schedule();
        });
    }
    return this.loading;
  }

  private schedule(): void {
    this.cancel();
    if (this.running && !this.page.hidden) this.timer = this.timers.setTimeout(() => void this.refresh(), this.intervalMs);
  }

  private cancel(): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
  }

  private visibilityChanged(): void {
    if (this.page.hidden) this.cancel();
    else void this.refresh();
  }
}
