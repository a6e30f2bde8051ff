/** The sidebar's unread counters come from the server (`GET /api/v1/conversations/counts`),
 * which counts every conversation, not only the loaded pages. This module turns its answer
 * into counters per folder, and paces the refreshes: frames and the operator's own actions ask
 * for one, and the refresher fetches at most once a second however many ask. */

import { folderKey } from "./lists";
import type { ConversationCounts } from "./types";

/** The shortest time between the starts of two refreshes. */
export const COUNTS_MIN_INTERVAL_MS = 1000;
/** How long a refresh waits after a frame asks for it, so a burst of frames makes one. */
export const COUNTS_SETTLE_MS = 250;
/** How long after the operator's own read mark (sent over the socket, not acknowledged) the
 * refresh that confirms it starts: the server has stored the mark by then. */
export const COUNTS_READ_SETTLE_MS = 1000;
/** A refresh at least this often, for what no frame announces (a colleague's read mark). */
export const COUNTS_IDLE_REFRESH_MS = 60_000;

/** Unread conversations per folder key (`mine`, `unassigned`, `all`, `resolved`, `team:<id>`,
 * `label:<name>`); a team or label the server does not list has none. */
export function unreadByFolder(counts: ConversationCounts): Map<string, number> {
  const unread = new Map<string, number>([
    ["mine", counts.mine.unread],
    ["unassigned", counts.unassigned.unread],
    ["all", counts.all.unread],
    ["resolved", counts.resolved.unread],
  ]);
  for (const team of counts.teams) unread.set(folderKey({ kind: "team", id: team.id }), team.unread);
  for (const label of counts.labels) unread.set(folderKey({ kind: "label", name: label.name }), label.unread);
  return unread;
}

export interface Timers {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Runs `load` when asked, at most once per `minInterval`, one at a time. `request(delay)` asks
 * for a load that starts at least `delay` ms from now; one load answers every request due by
 * its start, and a request due later (the confirmation of a read mark) gets a load of its own.
 * A request never pushes an earlier one back, so a steady stream of frames cannot starve it.
 */
export class CountsRefresher {
  private earliest: number | null = null;
  private latest: number | null = null;
  private lastStart = Number.NEGATIVE_INFINITY;
  private running = false;
  private timer: unknown = null;
  private stopped = false;

  constructor(
    private readonly load: () => Promise<void>,
    private readonly timers: Timers = realTimers,
    private readonly minInterval = COUNTS_MIN_INTERVAL_MS,
  ) {}

  request(delay = COUNTS_SETTLE_MS): void {
    if (this.stopped) return;
    const at = this.timers.now() + Math.max(0, delay);
    this.earliest = this.earliest === null ? at : Math.min(this.earliest, at);
    this.latest = this.latest === null ? at : Math.max(this.latest, at);
    this.schedule();
  }

  /** No more loads (the server has no counts endpoint). */
  stop(): void {
    this.stopped = true;
    this.earliest = this.latest = null;
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
  }

  get pending(): boolean {
    return this.earliest !== null || this.running;
  }

  private schedule(): void {
    if (this.running || this.earliest === null || this.stopped) return;
    const at = Math.max(this.earliest, this.lastStart + this.minInterval);
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = this.timers.setTimeout(() => this.fire(), Math.max(0, at - this.timers.now()));
  }

  private fire(): void {
    this.timer = null;
    if (this.running || this.earliest === null || this.stopped) return;
    const now = this.timers.now();
    if (now < Math.max(this.earliest, this.lastStart + this.minInterval)) {
      this.schedule();
      return;
    }
    // This load answers every request due by now; one due later waits for the next.
    if (this.latest !== null && this.latest > now) this.earliest = this.latest;
    else this.earliest = this.latest = null;
    this.lastStart = now;
    this.running = true;
    this.load()
      .catch(() => undefined)
      .finally(() => {
        this.running = false;
        this.schedule();
      });
  }
}
