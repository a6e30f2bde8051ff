/**
 * The form that adds a webhook or changes one: its address, the events it takes and whether
 * private notes go too. What it sends (a new webhook's every field; a changed one's changes
 * only), what it refuses before asking (no address, not http(s), no event), and where the
 * server's refusal shows (a refused address next to the address field, in the server's words).
 */

import { ApiError, errorText } from "./api";
import { t } from "./i18n";
import type { Webhook, WebhookInput } from "./types";
import { WEBHOOK_EVENTS } from "./types";

export interface FormErrors {
  url: string | null;
  events: string | null;
  /** Anything else the server said. */
  form: string | null;
}

const NO_ERRORS: FormErrors = { url: null, events: null, form: null };

/** The first reason of a refused field in DRF's detail (a list of sentences, or nested). */
function firstReason(detail: unknown): string | null {
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) {
    for (const item of detail) {
      const found = firstReason(item);
      if (found) return found;
    }
    return null;
  }
  if (detail && typeof detail === "object") return firstReason(Object.values(detail));
  return null;
}

export class WebhookForm {
  url = "";
  events = new Set<string>();
  includePrivate = false;
  busy = false;
  errors: FormErrors = { ...NO_ERRORS };

  /** `editing`: the webhook changed (null: a new one). */
  constructor(readonly editing: Webhook | null = null) {
    if (editing) {
      this.url = editing.url;
      this.events = new Set(editing.events);
      this.includePrivate = editing.include_private;
    }
  }

  setUrl(url: string): void {
    this.url = url;
    this.errors = { ...this.errors, url: null, form: null };
  }

  toggleEvent(event: string, on: boolean): void {
    const events = new Set(this.events);
    if (on) events.add(event);
    else events.delete(event);
    this.events = events;
    this.errors = { ...this.errors, events: null, form: null };
  }

  /** The chosen events in the order the form lists them (unknown ones last, as they were). */
  chosenEvents(): string[] {
    const known = WEBHOOK_EVENTS.filter((event) => this.events.has(event));
    const other = [...this.events].filter((event) => !(WEBHOOK_EVENTS as readonly string[]).includes(event));
    return [...known, ...other];
  }

  /** Checks what the form can check itself; answers whether it may be sent. */
  validate(): boolean {
    const errors: FormErrors = { ...NO_ERRORS };
    const url = this.url.trim();
    if (!url) errors.url = t("webhooks.form.urlRequired");
    else if (!isHttpUrl(url)) errors.url = t("webhooks.form.urlInvalid");
    if (this.events.size === 0) errors.events = t("webhooks.form.eventsRequired");
    this.errors = errors;
    return !errors.url && !errors.events;
  }

  /** What is sent: everything for a new webhook; for a changed one, what changed. */
  payload(): WebhookInput {
    const url = this.url.trim();
    const events = this.chosenEvents();
    const editing = this.editing;
    if (!editing) return { url, events, include_private: this.includePrivate };
    const changes: WebhookInput = {};
    if (url !== editing.url) changes.url = url;
    if ([...editing.events].sort().join() !== [...events].sort().join()) changes.events = events;
    if (this.includePrivate !== editing.include_private) changes.include_private = this.includePrivate;
    return changes;
  }

  /** The server refused: its words go next to the field they are about. */
  refused(error: unknown): void {
    const errors: FormErrors = { ...NO_ERRORS };
    if (error instanceof ApiError && error.code === "webhook_url_not_allowed") errors.url = error.message;
    else if (error instanceof ApiError && error.code === "invalid_events") errors.events = error.message;
    else if (error instanceof ApiError && error.fields && (error.fields.url || error.fields.events)) {
      errors.url = firstReason(error.fields.url);
      errors.events = firstReason(error.fields.events);
    } else errors.form = errorText(error);
    this.errors = errors;
  }
}

export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === "http:" || url.protocol === "https:") && Boolean(url.hostname);
  } catch {
    return false;
  }
}
