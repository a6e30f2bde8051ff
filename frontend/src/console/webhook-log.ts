/**
 * A webhook's delivery log, as the Webhooks view shows it: the loaded deliveries newest first (a
 * page at a time, the first page read again while the log is open), when to read it again, and
 * what a row says (its status, the last answer or error, the moments of the last attempt and
 * the next try in the operator's own time, whether it may be sent again). Pure: no requests.
 */

import { getLocale, type Key, t } from "./i18n";
import type { Page, WebhookDelivery, WebhookDeliveryStatus, WebhookTry } from "./types";
import { WEBHOOK_EVENTS } from "./types";

/** The log is read again this often while it is open. */
export const LOG_POLL_MS = 10_000;
/** Never sooner than this. */
const POLL_MIN_MS = 2000;
/** After a pending delivery's next try, the log is read again this much later. */
const DUE_GRACE_MS = 1500;
/** A try due longer ago than this (its endpoint paused) waits for the ordinary poll. */
const DUE_WATCH_MS = 60_000;

/** The loaded deliveries of one webhook under one status filter, newest first. */
export class DeliveryFeed {
  items: WebhookDelivery[] = [];
  next: string | null = null;
  loaded = false;
  loading = false;
  error: string | null = null;
  /** More than the first page is loaded. */
  private extended = false;

  /** The first page read again: it replaces what it covers (a delivery gone from it left the
   * filter); the older pages loaded after it stay. */
  setFirstPage(page: Page<WebhookDelivery>): void {
    if (!this.extended || page.next === null || page.results.length === 0) {
      this.items = page.results;
      this.next = page.next;
      this.extended = false;
    } else {
      const read = new Set(page.results.map((delivery) => delivery.id));
      const end = Date.parse(page.results[page.results.length - 1].created_at);
      const older = this.items.filter((delivery) => !read.has(delivery.id) && Date.parse(delivery.created_at) <= end);
      this.items = [...page.results, ...older];
    }
    this.loaded = true;
    this.error = null;
  }

  addPage(page: Page<WebhookDelivery>): void {
    const known = new Set(this.items.map((delivery) => delivery.id));
    this.items = [...this.items, ...page.results.filter((delivery) => !known.has(delivery.id))];
    this.next = page.next;
    this.extended = true;
  }

  /** A delivery as the server answered it now (sent again): in its place. */
  replace(delivery: WebhookDelivery): void {
    this.items = this.items.map((item) => (item.id === delivery.id ? delivery : item));
  }
}

/** When to read the log again: the poll, or soon after a pending delivery's next try. */
export function logRefreshDelay(deliveries: WebhookDelivery[], now: number, poll = LOG_POLL_MS): number {
  let delay = poll;
  for (const delivery of deliveries) {
    if (delivery.status !== "pending") continue;
    if (!delivery.next_attempt_at) {
      delay = Math.min(delay, POLL_MIN_MS); // being sent
      continue;
    }
    const due = Date.parse(delivery.next_attempt_at) - now;
    if (due > -DUE_WATCH_MS) delay = Math.min(delay, Math.max(POLL_MIN_MS, due + DUE_GRACE_MS));
  }
  return delay;
}

// --- what a row says --------------------------------------------------------------------------

const momentFormats = new Map<string, Intl.DateTimeFormat>();

/** A moment to the second, in the browser's time zone and the console's language. */
export function formatMoment(iso: string, timeZone?: string): string {
  const id = `${getLocale()}|${timeZone ?? ""}`;
  let format = momentFormats.get(id);
  if (!format) {
    format = new Intl.DateTimeFormat(getLocale(), { dateStyle: "medium", timeStyle: "medium", ...(timeZone ? { timeZone } : {}) });
    momentFormats.set(id, format);
  }
  return format.format(new Date(iso));
}

/** How long an attempt took: "120 ms", "1.5 s". */
export function formatDuration(ms: number): string {
  const locale = getLocale();
  if (ms < 1000) return new Intl.NumberFormat(locale, { style: "unit", unit: "millisecond", unitDisplay: "short" }).format(Math.round(ms));
  return new Intl.NumberFormat(locale, { style: "unit", unit: "second", unitDisplay: "short", maximumFractionDigits: 1 }).format(ms / 1000);
}

/** An event's name in words (the name itself for one this console does not know). */
export function eventLabel(event: string): string {
  return (WEBHOOK_EVENTS as readonly string[]).includes(event) ? t(`webhooks.event.${event}` as Key) : event;
}

export function statusLabel(status: WebhookDeliveryStatus | string): string {
  return status === "pending" || status === "delivered" || status === "failed" ? t(`webhooks.status.${status}` as Key) : status;
}

/** An attempt's answer: the receiver's words when it failed ("answered 500", "no answer
 * within 10 s"), else its HTTP status; null before any attempt. */
export function answerText(attempt: Pick<WebhookTry, "response_code" | "error">): string | null {
  if (attempt.error) return attempt.error;
  if (attempt.response_code !== null) return String(attempt.response_code);
  return null;
}

export interface DeliveryRow {
  status: WebhookDelivery["status"];
  statusLabel: string;
  eventLabel: string;
  /** The last answer or error; null before the first attempt. */
  answer: string | null;
  /** The last answer failed (shown in the danger colour). */
  answerFailed: boolean;
  /** The last attempt's moment, shown and as `dateTime`. */
  lastAttempt: { iso: string; text: string } | null;
  /** A pending delivery's next try. */
  nextTry: { iso: string; text: string } | null;
  /** "Send again" is offered: for a failed or delivered one, and for a pending one waiting for
   * its next try (it is tried now); not before a first attempt (it is on its way). */
  canResend: boolean;
}

export function deliveryRow(delivery: WebhookDelivery, timeZone?: string): DeliveryRow {
  const answer = delivery.attempts > 0 || delivery.last_attempt_at ? answerText(delivery) : null;
  const moment = (iso: string | null) => (iso ? { iso, text: formatMoment(iso, timeZone) } : null);
  return {
    status: delivery.status,
    statusLabel: statusLabel(delivery.status),
    eventLabel: eventLabel(delivery.event),
    answer,
    answerFailed: answer !== null && Boolean(delivery.error),
    lastAttempt: moment(delivery.last_attempt_at),
    nextTry: delivery.status === "pending" ? moment(delivery.next_attempt_at) : null,
    canResend: delivery.status === "failed" || delivery.status === "delivered" || (delivery.status === "pending" && delivery.attempts > 0),
  };
}
