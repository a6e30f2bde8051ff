/**
 * The Webhooks view's work, for admins (api-v1.md section 4, "Outbound webhooks"): the webhooks,
 * adding, changing and deleting one (webhook-form.ts keeps the form), its signing secret shown
 * and made anew, and the open webhook's delivery log (webhook-log.ts): filtered by status, a
 * page at a time, a delivery's posted body on demand, a delivery sent again. Webhooks have no
 * socket frames: the list and the log are read again after each action, and polled while the
 * view is open and the tab visible, sooner when a pending delivery's next try comes.
 */

import { type Api, errorText } from "./api";
import { t } from "./i18n";
import type { ConsoleStore } from "./store";
import type { Webhook, WebhookDelivery, WebhookDeliveryDetail, WebhookDeliveryStatus } from "./types";
import { WebhookForm } from "./webhook-form";
import { DeliveryFeed, LOG_POLL_MS, logRefreshDelay } from "./webhook-log";

const LOG_PAGE_SIZE = 25;

/** A delivery's posted body, once asked for. */
export interface DeliveryBody {
  loading: boolean;
  detail: WebhookDeliveryDetail | null;
  error: string | null;
}

export interface WebhooksDeps {
  store: ConsoleStore;
  api: Api;
  toast(text: string, kind: "error" | "info"): void;
  /** Shows a webhook (the address bar keeps it): navigation.showWebhooks. */
  select(id: number | null): void;
  now?: () => number;
}

export class ConsoleWebhooks {
  /** The view is open (the list and the log are polled). */
  opened = false;
  items: Webhook[] = [];
  loaded = false;
  loading = false;
  error: string | null = null;
  /** The webhook whose secret and log are shown. */
  shown: number | null = null;
  /** The form adding (editing null) or changing a webhook, when open. */
  form: WebhookForm | null = null;
  /** Webhooks whose secret the admin revealed (a new secret is revealed at once). */
  revealed = new Set<number>();
  /** The webhook whose secret was just made (created or rotated). */
  fresh: number | null = null;
  /** The shown webhook's log, under `filter` (null: every status). */
  log = new DeliveryFeed();
  filter: WebhookDeliveryStatus | null = null;
  /** Deliveries whose tries and body are shown. */
  expanded = new Set<string>();
  bodies = new Map<string, DeliveryBody>();
  /** Deliveries being sent again (their button waits). */
  resending = new Set<string>();
  /** A rotation is under way. */
  rotating = false;
  /** Where the focus goes after the next render (a `data-focus` of the view), when an action
   * took away the control that had it. */
  focus: string | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** Count the writes: a read that started before one is stale. */
  private listWrites = 0;
  private logWrites = 0;
  private readonly now: () => number;

  constructor(private readonly deps: WebhooksDeps) {
    this.now = deps.now ?? Date.now;
  }

  private changed(): void {
    this.deps.store.changed();
  }

  /** The view is shown: the list is read, then polled. */
  open(): void {
    if (this.opened) return;
    this.opened = true;
    void this.refresh();
  }

  /** The view is gone: no more polling (the form and the log stay as they were). */
  close(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.opened = false;
  }

  /** The tab is visible again: read now. */
  resume(): void {
    if (this.opened) void this.refresh();
  }

  /** Shows `id`'s secret and log (null: none). Another webhook starts a log of its own. */
  show(id: number | null): void {
    if (this.shown === id) return;
    this.shown = id;
    this.log = new DeliveryFeed();
    this.expanded = new Set();
    this.bodies = new Map();
    this.resending = new Set();
    this.changed();
    if (id !== null && this.opened) void this.refreshLog();
  }

  /** The focus asked for, once. */
  takeFocus(): string | null {
    const focus = this.focus;
    this.focus = null;
    return focus;
  }

  webhook(id: number | null): Webhook | null {
    return this.items.find((item) => item.id === id) ?? null;
  }

  /** The list and the shown log read again; the next read scheduled. */
  async refresh(): Promise<void> {
    if (!this.opened) return;
    await Promise.all([this.refreshList(), this.refreshLog()]);
    if (this.opened) this.schedule();
  }

  async refreshList(): Promise<void> {
    const writes = this.listWrites;
    if (!this.loaded) this.loading = true;
    this.changed();
    try {
      const page = await this.deps.api.webhooks();
      if (writes !== this.listWrites) {
        void this.refreshList(); // a write came between: what was read may be older than it
        return;
      }
      let items = page.results;
      let next = page.next;
      while (next) {
        const more = await this.deps.api.page<Webhook>(next);
        items = [...items, ...more.results];
        next = more.next;
      }
      this.items = items;
      this.loaded = true;
      this.error = null;
    } catch (error) {
      this.error = errorText(error);
    } finally {
      this.loading = false;
      this.changed();
    }
  }

  async refreshLog(): Promise<void> {
    const id = this.shown;
    if (id === null) return;
    const feed = this.log;
    const filter = this.filter;
    const writes = this.logWrites;
    if (!feed.loaded) feed.loading = true;
    this.changed();
    try {
      const page = await this.deps.api.webhookDeliveries(id, filter, LOG_PAGE_SIZE);
      if (this.log !== feed || this.filter !== filter) return;
      if (writes !== this.logWrites) {
        void this.refreshLog();
        return;
      }
      feed.setFirstPage(page);
    } catch (error) {
      if (this.log === feed) feed.error = errorText(error);
    } finally {
      feed.loading = false;
      this.changed();
    }
  }

  /** The log under another status (null: all). */
  setFilter(filter: WebhookDeliveryStatus | null): void {
    if (this.filter === filter) return;
    this.filter = filter;
    this.log = new DeliveryFeed();
    this.changed();
    void this.refreshLog();
  }

  /** The next page of older deliveries. */
  async more(): Promise<void> {
    const feed = this.log;
    if (!feed.next || feed.loading) return;
    feed.loading = true;
    this.changed();
    try {
      const page = await this.deps.api.page<WebhookDelivery>(feed.next);
      if (this.log === feed) feed.addPage(page);
    } catch (error) {
      this.deps.toast(errorText(error), "error");
    } finally {
      feed.loading = false;
      this.changed();
    }
  }

  // --- the form -------------------------------------------------------------------------------

  startNew(): void {
    this.form = new WebhookForm();
    this.focus = "url";
    this.changed();
  }

  startEdit(webhook: Webhook): void {
    if (webhook.inbox !== null) return; // an API inbox's changes with its inbox
    this.form = new WebhookForm(webhook);
    this.focus = "url";
    this.changed();
  }

  /** Closes the form; the focus goes back to what opened it, unless the admin moved on. */
  cancelForm(refocus = true): void {
    if (refocus) this.focus = this.form?.editing ? "edit" : "add";
    this.form = null;
    this.changed();
  }

  /** Sends the form: a new webhook (shown, its secret revealed), or the changes to one.
   * Answers the webhook, or null when refused (the form keeps the reasons). */
  async save(): Promise<Webhook | null> {
    const form = this.form;
    if (!form || form.busy) return null;
    if (!form.validate()) {
      this.changed();
      return null;
    }
    const editing = form.editing;
    const input = form.payload();
    if (editing && Object.keys(input).length === 0) {
      this.form = null;
      this.focus = "edit";
      this.changed();
      return editing;
    }
    form.busy = true;
    this.listWrites += 1;
    this.changed();
    try {
      const saved = editing ? await this.deps.api.updateWebhook(editing.id, input) : await this.deps.api.createWebhook(input);
      this.upsert(saved);
      if (this.form === form) this.form = null;
      if (!editing) {
        this.fresh = saved.id;
        this.revealed.add(saved.id);
      }
      this.focus = editing ? "edit" : "copy";
      this.deps.toast(t(editing ? "webhooks.saved" : "webhooks.created"), "info");
      this.deps.select(saved.id);
      void this.refreshList();
      return saved;
    } catch (error) {
      form.refused(error);
      return null;
    } finally {
      form.busy = false;
      this.changed();
    }
  }

  /** Deletes a webhook (its deliveries go with it); answers whether it is gone. */
  async remove(webhook: Webhook): Promise<boolean> {
    this.listWrites += 1;
    try {
      await this.deps.api.deleteWebhook(webhook.id);
    } catch (error) {
      this.deps.toast(errorText(error), "error");
      return false;
    }
    this.items = this.items.filter((item) => item.id !== webhook.id);
    this.revealed.delete(webhook.id);
    if (this.fresh === webhook.id) this.fresh = null;
    if (this.form?.editing?.id === webhook.id) this.form = null;
    this.deps.toast(t("webhooks.deleted"), "info");
    this.focus = "add";
    if (this.shown === webhook.id) this.deps.select(null);
    this.changed();
    void this.refreshList();
    return true;
  }

  // --- the secret -----------------------------------------------------------------------------

  toggleSecret(id: number): void {
    if (this.revealed.has(id)) this.revealed.delete(id);
    else this.revealed.add(id);
    this.changed();
  }

  /** A new signing secret, revealed; the old one signs nothing from now on. */
  async rotate(webhook: Webhook): Promise<Webhook | null> {
    if (this.rotating) return null;
    this.rotating = true;
    this.listWrites += 1;
    this.changed();
    try {
      const rotated = await this.deps.api.rotateWebhookSecret(webhook.id);
      this.upsert(rotated);
      this.fresh = rotated.id;
      this.revealed.add(rotated.id);
      this.focus = "copy";
      this.deps.toast(t("webhooks.secret.rotated"), "info");
      return rotated;
    } catch (error) {
      this.deps.toast(errorText(error), "error");
      return null;
    } finally {
      this.rotating = false;
      this.changed();
    }
  }

  // --- the log's rows -------------------------------------------------------------------------

  /** Shows or hides a delivery's tries and posted body (the body is read the first time). */
  toggleDelivery(delivery: WebhookDelivery): void {
    const id = delivery.id;
    if (this.expanded.has(id)) {
      this.expanded.delete(id);
      this.changed();
      return;
    }
    this.expanded.add(id);
    this.changed();
    const known = this.bodies.get(id);
    if (!known || (known.error && !known.loading)) void this.loadBody(delivery);
  }

  async loadBody(delivery: WebhookDelivery): Promise<void> {
    const webhook = this.shown;
    if (webhook === null) return;
    const bodies = this.bodies;
    const entry: DeliveryBody = { loading: true, detail: null, error: null };
    bodies.set(delivery.id, entry);
    this.changed();
    try {
      entry.detail = await this.deps.api.webhookDelivery(webhook, delivery.id);
    } catch (error) {
      entry.error = errorText(error);
    } finally {
      entry.loading = false;
      this.changed();
    }
  }

  /** Sends a delivery again, with the same id; the row shows it pending. Answers the delivery
   * as the server has it now, or null when refused. */
  async resend(delivery: WebhookDelivery): Promise<WebhookDelivery | null> {
    const webhook = this.shown;
    if (webhook === null || this.resending.has(delivery.id)) return null;
    const feed = this.log;
    this.resending.add(delivery.id);
    this.logWrites += 1;
    this.changed();
    try {
      const resent = await this.deps.api.resendDelivery(webhook, delivery.id);
      if (this.log === feed) feed.replace(resent);
      this.deps.toast(t("webhooks.log.resent"), "info");
      if (this.opened) this.schedule(); // sooner: it is due now
      return resent;
    } catch (error) {
      this.deps.toast(errorText(error), "error");
      return null;
    } finally {
      this.resending.delete(delivery.id);
      this.changed();
    }
  }

  private upsert(webhook: Webhook): void {
    const known = this.items.some((item) => item.id === webhook.id);
    this.items = known ? this.items.map((item) => (item.id === webhook.id ? webhook : item)) : [...this.items, webhook].sort((a, b) => a.id - b.id);
  }

  private schedule(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.deps.store.pageVisible) void this.refresh();
      else this.schedule();
    }, logRefreshDelay(this.log.items, this.now(), LOG_POLL_MS));
  }
}
