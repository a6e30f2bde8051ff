/** The Webhooks view's work (src/console/webhooks.ts, webhook-form.ts, webhook-log.ts): what a
 * delivery's row says, the log read again and polled, what the form sends and where a refusal
 * shows, the secret, sending again, and how an admin (only) gets there. */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import type { Api } from "../src/console/api";
import { ApiError } from "../src/console/api";
import { setLocale } from "../src/console/i18n";
import { type AddressBar, Navigation } from "../src/console/navigation";
import type { Page, Webhook, WebhookDelivery, WebhookDeliveryDetail, WebhookDeliveryStatus, WebhookInput } from "../src/console/types";
import { isHttpUrl, WebhookForm } from "../src/console/webhook-form";
import { answerText, DeliveryFeed, deliveryRow, eventLabel, formatDuration, formatMoment, LOG_POLL_MS, logRefreshDelay } from "../src/console/webhook-log";
import { ConsoleWebhooks } from "../src/console/webhooks";
import { ME, newStore } from "./console-fixtures";

const NOW = Date.parse("2026-03-01T12:00:00Z");
const ADMIN = { ...ME, role: "admin" };

function page<T>(results: T[], next: string | null = null): Page<T> {
  return { results, next };
}

function webhook(id: number, fields: Partial<Webhook> = {}): Webhook {
  return {
    id,
    url: `https://crm.example.com/hook/${id}`,
    events: ["message.created"],
    secret: `secret-${id}`,
    include_private: false,
    inbox: null,
    failing: false,
    created_at: "2026-03-01T09:00:00Z",
    ...fields,
  };
}

/** Deliveries made a minute apart: `minute` 0 is 11:00 UTC. */
function delivery(id: string, minute: number, fields: Partial<WebhookDelivery> = {}): WebhookDelivery {
  const at = new Date(Date.parse("2026-03-01T11:00:00Z") + minute * 60_000).toISOString();
  return {
    id,
    event: "message.created",
    conversation: 42,
    status: "delivered",
    attempts: 1,
    response_code: 200,
    error: "",
    created_at: at,
    last_attempt_at: at,
    next_attempt_at: null,
    delivered_at: at,
    tries: [{ at, response_code: 200, error: "", duration_ms: 35 }],
    ...fields,
  };
}

const answered500 = (id: string, minute: number): WebhookDelivery =>
  delivery(id, minute, {
    status: "pending",
    response_code: 500,
    error: "answered 500",
    delivered_at: null,
    next_attempt_at: "2026-03-01T12:00:10Z",
    tries: [{ at: "2026-03-01T11:59:59Z", response_code: 500, error: "answered 500", duration_ms: 1500 }],
  });

afterEach(() => setLocale("en"));

describe("what a delivery's row says", () => {
  it("shows a pending delivery's failed answer, its last attempt and its next try in the operator's time", () => {
    const row = deliveryRow(answered500("a", 0), "Europe/Moscow");
    expect(row.status).toBe("pending");
    expect(row.statusLabel).toBe("Pending");
    expect(row.eventLabel).toBe("A message or a note is written");
    expect([row.answer, row.answerFailed]).toEqual(["answered 500", true]);
    expect(row.lastAttempt?.iso).toBe("2026-03-01T11:00:00.000Z");
    expect(row.lastAttempt?.text).toMatch(/2:00:00\sPM/); // 11:00 UTC is 14:00 in Moscow
    expect(row.nextTry).toEqual({ iso: "2026-03-01T12:00:10Z", text: expect.stringMatching(/3:00:10\sPM/) });
    expect(row.canResend).toBe(true); // tried now rather than at its next try
  });

  it("offers to send again a delivered or failed one, which has no next try", () => {
    const delivered = deliveryRow(delivery("b", 1));
    expect([delivered.statusLabel, delivered.answer, delivered.answerFailed, delivered.nextTry, delivered.canResend]).toEqual(["Delivered", "200", false, null, true]);
    const failed = deliveryRow(delivery("c", 2, { status: "failed", response_code: null, error: "no answer within 10 s", next_attempt_at: "2026-03-01T12:00:00Z" }));
    expect([failed.statusLabel, failed.answer, failed.answerFailed, failed.nextTry, failed.canResend]).toEqual(["Failed", "no answer within 10 s", true, null, true]);
  });

  it("says nothing of an answer before the first attempt, and offers no second one yet", () => {
    const waiting = deliveryRow(delivery("d", 3, { status: "pending", attempts: 0, response_code: null, last_attempt_at: null, delivered_at: null, next_attempt_at: "2026-03-01T11:03:00Z", tries: [] }));
    expect([waiting.answer, waiting.lastAttempt, waiting.answerFailed, waiting.canResend]).toEqual([null, null, false, false]);
    expect(answerText({ response_code: null, error: "" })).toBeNull();
  });

  it("speaks Russian, with Russian dates and durations", () => {
    setLocale("ru");
    const row = deliveryRow(answered500("a", 0), "UTC");
    expect(row.statusLabel).toBe("Ожидает");
    expect(row.eventLabel).toBe("Написано сообщение или заметка");
    expect(formatMoment("2026-03-01T11:00:05Z", "UTC")).toBe("1 мар. 2026 г., 11:00:05");
    expect(formatDuration(1500)).toBe("1,5 с");
    expect(formatDuration(35)).toBe("35 мс");
    setLocale("en");
    expect(formatDuration(35)).toBe("35 ms");
    expect(eventLabel("order.paid")).toBe("order.paid"); // an event this console does not know
  });
});

describe("the delivery log", () => {
  it("takes the first page read again in place of what it covers, and keeps older pages", () => {
    const feed = new DeliveryFeed();
    feed.setFirstPage(page([delivery("e", 5), delivery("d", 4)], "/next-1"));
    feed.addPage(page([delivery("c", 3), delivery("b", 2)], "/next-2"));
    // A new one came; "d" left the filter; "e" changed.
    feed.setFirstPage(page([delivery("f", 6), delivery("e", 5, { status: "failed" }), delivery("c", 3)], "/next-3"));
    expect(feed.items.map((item) => [item.id, item.status])).toEqual([
      ["f", "delivered"],
      ["e", "failed"],
      ["c", "delivered"],
      ["b", "delivered"],
    ]);
    expect(feed.next).toBe("/next-2");
  });

  it("is the first page alone when that is all there is, and puts a resent delivery in its place", () => {
    const feed = new DeliveryFeed();
    feed.setFirstPage(page([delivery("b", 2)], "/next"));
    feed.addPage(page([delivery("a", 1)], null));
    feed.setFirstPage(page([delivery("c", 3), delivery("b", 2)], null));
    expect(feed.items.map((item) => item.id)).toEqual(["c", "b"]);
    feed.replace(delivery("b", 2, { status: "pending" }));
    expect(feed.items.map((item) => [item.id, item.status])).toEqual([
      ["c", "delivered"],
      ["b", "pending"],
    ]);
  });

  it("is read again every ten seconds, soon after a pending delivery's next try, often while one is being sent", () => {
    expect(logRefreshDelay([delivery("a", 0)], NOW)).toBe(LOG_POLL_MS);
    expect(logRefreshDelay([answered500("a", 0)], NOW)).toBe(LOG_POLL_MS); // due in 10 s: 11.5 s is later than the poll
    const soon = delivery("b", 0, { status: "pending", next_attempt_at: new Date(NOW + 3000).toISOString() });
    expect(logRefreshDelay([soon], NOW)).toBe(4500);
    const resent = delivery("c", 0, { status: "pending", next_attempt_at: new Date(NOW).toISOString() });
    expect(logRefreshDelay([resent], NOW)).toBe(2000);
    const sending = delivery("d", 0, { status: "pending", next_attempt_at: null });
    expect(logRefreshDelay([sending], NOW)).toBe(2000);
    const stuck = delivery("e", 0, { status: "pending", next_attempt_at: new Date(NOW - 3_600_000).toISOString() });
    expect(logRefreshDelay([stuck], NOW)).toBe(LOG_POLL_MS);
  });
});

describe("the webhook form", () => {
  it("sends a new webhook's address, events in the listed order and the private notes choice", () => {
    const form = new WebhookForm();
    form.setUrl(" https://crm.example.com/hook ");
    form.toggleEvent("message.created", true);
    form.toggleEvent("conversation.created", true);
    form.includePrivate = true;
    expect(form.validate()).toBe(true);
    expect(form.payload()).toEqual({ url: "https://crm.example.com/hook", events: ["conversation.created", "message.created"], include_private: true });
  });

  it("refuses before asking: no address, not http(s), no event", () => {
    const form = new WebhookForm();
    expect(form.validate()).toBe(false);
    expect(form.errors).toEqual({ url: "Enter the address to post to.", events: "Choose at least one event.", form: null });
    form.setUrl("ftp://crm.example.com");
    form.toggleEvent("csat.created", true);
    expect(form.validate()).toBe(false);
    expect(form.errors.url).toBe("An address starts with http:// or https://.");
    expect(form.errors.events).toBeNull();
    expect([isHttpUrl("https://a.example/x"), isHttpUrl("javascript:alert(1)"), isHttpUrl("crm.example.com")]).toEqual([true, false, false]);
  });

  it("sends a changed webhook's changes only", () => {
    const form = new WebhookForm(webhook(3, { events: ["message.created", "csat.created"] }));
    expect(form.payload()).toEqual({});
    form.toggleEvent("csat.created", false);
    form.toggleEvent("csat.created", true);
    expect(form.payload()).toEqual({});
    form.setUrl("https://crm.example.com/v2");
    form.includePrivate = true;
    form.toggleEvent("contact.updated", true);
    expect(form.payload()).toEqual({ url: "https://crm.example.com/v2", events: ["message.created", "csat.created", "contact.updated"], include_private: true });
  });

  it("shows the server's words next to the field they are about", () => {
    const form = new WebhookForm();
    form.refused(new ApiError(400, "webhook_url_not_allowed", "10.0.0.5 is a private, loopback, link-local or multicast address (10.0.0.5)"));
    expect(form.errors).toEqual({ url: "10.0.0.5 is a private, loopback, link-local or multicast address (10.0.0.5)", events: null, form: null });
    form.refused(new ApiError(400, "invalid", "url: Enter a valid URL.", { url: ["Enter a valid URL."] }));
    expect(form.errors).toEqual({ url: "Enter a valid URL.", events: null, form: null });
    form.refused(new ApiError(400, "invalid", "events.0: bad", { events: { 0: ["“x” is not a valid choice."] } }));
    expect(form.errors.events).toBe("“x” is not a valid choice.");
    form.refused(new ApiError(403, "forbidden", "You are not allowed to do this."));
    expect(form.errors).toEqual({ url: null, events: null, form: "You are not allowed to do this." });
  });
});

class FakeWebhooksApi {
  calls: string[] = [];
  bodies: WebhookInput[] = [];
  lists: Array<Page<Webhook>> = [];
  logs: Array<Page<WebhookDelivery>> = [];
  failWith: ApiError | null = null;
  private nextId = 10;

  async webhooks(): Promise<Page<Webhook>> {
    this.calls.push("list");
    return this.lists.shift() ?? page<Webhook>([]);
  }
  async createWebhook(input: WebhookInput): Promise<Webhook> {
    this.calls.push("create");
    this.bodies.push(input);
    if (this.failWith) throw this.failWith;
    return webhook(this.nextId++, { url: input.url, events: input.events, include_private: input.include_private });
  }
  async updateWebhook(id: number, input: WebhookInput): Promise<Webhook> {
    this.calls.push(`update ${id}`);
    this.bodies.push(input);
    return webhook(id, input);
  }
  async deleteWebhook(id: number): Promise<void> {
    this.calls.push(`delete ${id}`);
    if (this.failWith) throw this.failWith;
  }
  async rotateWebhookSecret(id: number): Promise<Webhook> {
    this.calls.push(`rotate ${id}`);
    return webhook(id, { secret: "rotated" });
  }
  async webhookDeliveries(id: number, status: WebhookDeliveryStatus | null): Promise<Page<WebhookDelivery>> {
    this.calls.push(`log ${id} ${status ?? "all"}`);
    return this.logs.shift() ?? page<WebhookDelivery>([]);
  }
  async webhookDelivery(id: number, uid: string): Promise<WebhookDeliveryDetail> {
    this.calls.push(`body ${id} ${uid}`);
    return { ...delivery(uid, 0), body: '{"event":"message.created"}' };
  }
  async resendDelivery(id: number, uid: string): Promise<WebhookDelivery> {
    this.calls.push(`resend ${id} ${uid}`);
    if (this.failWith) throw this.failWith;
    return delivery(uid, 0, { status: "pending", next_attempt_at: new Date(NOW).toISOString() });
  }
  async page<T>(next: string): Promise<Page<T>> {
    this.calls.push(`page ${next}`);
    return (this.logs.shift() ?? page([])) as unknown as Page<T>;
  }
}

function controller() {
  const api = new FakeWebhooksApi();
  const store = newStore(ADMIN);
  const toasts: string[] = [];
  const selected: Array<number | null> = [];
  const webhooks = new ConsoleWebhooks({
    store,
    api: api as unknown as Api,
    toast: (text) => toasts.push(text),
    select: (id) => {
      selected.push(id);
      webhooks.show(id);
    },
    now: () => NOW,
  });
  return { api, store, toasts, selected, webhooks };
}

const settle = async () => {
  for (let index = 0; index < 10; index += 1) await Promise.resolve();
};

describe("the Webhooks view's actions", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(NOW);
  });
  afterEach(() => vi.useRealTimers());

  it("reads the list and the shown log when opened, polls both while the tab is visible, and stops when closed", async () => {
    const t = controller();
    t.api.lists.push(page([webhook(1), webhook(2)]));
    t.webhooks.open();
    await settle();
    t.webhooks.show(1);
    await settle();
    expect(t.webhooks.items.map((item) => item.id)).toEqual([1, 2]);
    expect(t.api.calls).toEqual(["list", "log 1 all"]);
    t.store.pageVisible = false;
    await vi.advanceTimersByTimeAsync(LOG_POLL_MS * 3);
    expect(t.api.calls).toHaveLength(2);
    t.store.pageVisible = true;
    await vi.advanceTimersByTimeAsync(LOG_POLL_MS);
    expect(t.api.calls.slice(2).sort()).toEqual(["list", "log 1 all"]);
    t.webhooks.close();
    await vi.advanceTimersByTimeAsync(LOG_POLL_MS * 3);
    expect(t.api.calls).toHaveLength(4);
  });

  it("adds a webhook: shown at once with its secret revealed and the focus on Copy", async () => {
    const t = controller();
    t.webhooks.open();
    await settle();
    t.webhooks.startNew();
    expect(t.webhooks.takeFocus()).toBe("url");
    const form = t.webhooks.form!;
    form.setUrl("http://127.0.0.1:9000/hook");
    form.toggleEvent("message.created", true);
    const saved = await t.webhooks.save();
    expect(saved?.id).toBe(10);
    expect(t.api.bodies).toEqual([{ url: "http://127.0.0.1:9000/hook", events: ["message.created"], include_private: false }]);
    expect([t.webhooks.form, t.webhooks.fresh, t.webhooks.revealed.has(10), t.webhooks.shown]).toEqual([null, 10, true, 10]);
    expect(t.selected).toEqual([10]);
    expect(t.webhooks.takeFocus()).toBe("copy");
    expect(t.toasts).toEqual(["Webhook added"]);
  });

  it("keeps the form with the server's words beside the address when it refuses", async () => {
    const t = controller();
    t.webhooks.open();
    await settle();
    t.webhooks.startNew();
    const form = t.webhooks.form!;
    form.setUrl("http://10.0.0.5/hook");
    form.toggleEvent("message.created", true);
    t.api.failWith = new ApiError(400, "webhook_url_not_allowed", "10.0.0.5 is a private address");
    expect(await t.webhooks.save()).toBeNull();
    expect(t.webhooks.form).toBe(form);
    expect(form.errors.url).toBe("10.0.0.5 is a private address");
    expect(form.busy).toBe(false);
    // Nothing is asked while the form itself knows it is incomplete.
    form.toggleEvent("message.created", false);
    expect(await t.webhooks.save()).toBeNull();
    expect(t.api.calls.filter((call) => call === "create")).toHaveLength(1);
  });

  it("changes a webhook with its changes only, and leaves an API inbox's alone", async () => {
    const t = controller();
    t.api.lists.push(page([webhook(1), webhook(2, { inbox: 5, secret: null })]));
    t.webhooks.open();
    await settle();
    t.webhooks.startEdit(t.webhooks.items[1]);
    expect(t.webhooks.form).toBeNull();
    t.webhooks.startEdit(t.webhooks.items[0]);
    t.webhooks.form!.includePrivate = true;
    await t.webhooks.save();
    expect(t.api.calls).toContain("update 1");
    expect(t.api.bodies).toEqual([{ include_private: true }]);
    expect(t.webhooks.takeFocus()).toBe("edit");
  });

  it("deletes a webhook, shows none in its place and puts the focus on Add", async () => {
    const t = controller();
    t.api.lists.push(page([webhook(1)]));
    t.webhooks.open();
    await settle();
    t.webhooks.show(1);
    expect(await t.webhooks.remove(t.webhooks.items[0])).toBe(true);
    expect(t.api.calls).toContain("delete 1");
    expect(t.webhooks.items).toEqual([]);
    expect(t.selected).toEqual([null]);
    expect(t.webhooks.takeFocus()).toBe("add");
    t.api.failWith = new ApiError(409, "api_inbox_webhook", "An API inbox's webhook goes with its inbox.");
    expect(await t.webhooks.remove(webhook(2, { inbox: 5 }))).toBe(false);
    expect(t.toasts.at(-1)).toBe("An API inbox's webhook goes with its inbox.");
  });

  it("makes a new secret and reveals it", async () => {
    const t = controller();
    t.api.lists.push(page([webhook(1)]));
    t.webhooks.open();
    await settle();
    expect(t.webhooks.revealed.has(1)).toBe(false);
    await t.webhooks.rotate(t.webhooks.items[0]);
    expect(t.webhooks.items[0].secret).toBe("rotated");
    expect([t.webhooks.fresh, t.webhooks.revealed.has(1)]).toEqual([1, true]);
    t.webhooks.toggleSecret(1);
    expect(t.webhooks.revealed.has(1)).toBe(false);
  });

  it("reads a delivery's body the first time its row opens, and not again", async () => {
    const t = controller();
    t.api.lists.push(page([webhook(1)]));
    t.webhooks.open();
    await settle();
    t.api.logs.push(page([delivery("a", 0)]));
    t.webhooks.show(1);
    await settle();
    const row = t.webhooks.log.items[0];
    t.webhooks.toggleDelivery(row);
    await settle();
    expect(t.webhooks.bodies.get("a")?.detail?.body).toBe('{"event":"message.created"}');
    t.webhooks.toggleDelivery(row);
    t.webhooks.toggleDelivery(row);
    expect(t.api.calls.filter((call) => call.startsWith("body"))).toEqual(["body 1 a"]);
    expect(t.webhooks.expanded.has("a")).toBe(true);
  });

  it("sends a delivery again: the row turns pending and the log is read again soon", async () => {
    const t = controller();
    t.api.lists.push(page([webhook(1)]));
    t.webhooks.open();
    await settle();
    t.api.logs.push(page([delivery("a", 0, { status: "failed" })]));
    t.webhooks.show(1);
    await settle();
    const resent = await t.webhooks.resend(t.webhooks.log.items[0]);
    expect(resent?.status).toBe("pending");
    expect(t.webhooks.log.items[0].status).toBe("pending");
    expect(t.toasts).toEqual(["Queued to be sent again, with the same delivery id."]);
    t.api.logs.push(page([delivery("a", 0)]));
    await vi.advanceTimersByTimeAsync(2000);
    expect(t.webhooks.log.items[0].status).toBe("delivered");
  });

  it("reads the log again under another status, and follows next for more", async () => {
    const t = controller();
    t.api.lists.push(page([webhook(1)]));
    t.webhooks.open();
    await settle();
    t.webhooks.show(1);
    await settle();
    t.api.logs.push(page([delivery("b", 2, { status: "failed" })], "/api/v1/webhooks/1/deliveries?status=failed&cursor=x"), page([delivery("a", 1, { status: "failed" })]));
    t.webhooks.setFilter("failed");
    await settle();
    await t.webhooks.more();
    expect(t.api.calls.slice(-2)).toEqual(["log 1 failed", "page /api/v1/webhooks/1/deliveries?status=failed&cursor=x"]);
    expect(t.webhooks.log.items.map((item) => item.id)).toEqual(["b", "a"]);
    expect(t.webhooks.log.next).toBeNull();
  });
});

class FakeAddressBar implements AddressBar {
  constructor(public hash = "") {}
  replace(hash: string): void {
    this.hash = hash;
  }
}

function navigation(role: string, hash = "") {
  const store = newStore({ ...ME, role });
  const address = new FakeAddressBar(hash);
  const nav = new Navigation({
    store,
    storage: null,
    address,
    typingInComposer: () => false,
    run: () => undefined,
    loadList: async () => undefined,
    fetchConversation: async () => undefined,
    loadContact: async () => undefined,
    loadMessages: async () => undefined,
    stopTyping: () => undefined,
    focusComposer: () => undefined,
    clearSearch: () => undefined,
    notificationRead: async () => undefined,
  });
  return { store, address, nav };
}

describe("getting to the Webhooks view", () => {
  it("shows an admin a webhook, with no conversation open behind it, in the address bar", () => {
    const t = navigation("admin");
    t.store.selected = 12;
    t.nav.showWebhooks(3);
    expect([t.store.view, t.store.webhookId, t.store.selected]).toEqual(["webhooks", 3, null]);
    expect(t.address.hash).toBe("#view=webhooks&webhook=3");
    t.nav.showWebhooks(null);
    expect(t.address.hash).toBe("#view=webhooks");
    void t.nav.openConversation(5);
    expect(t.store.view).toBe("conversations");
  });

  it("comes back to the view from the address bar for an admin only", () => {
    const admin = navigation("admin", "#view=webhooks&webhook=3");
    admin.nav.readLocation();
    expect([admin.store.view, admin.store.webhookId]).toEqual(["webhooks", 3]);
    const agent = navigation("agent", "#view=webhooks&webhook=3");
    agent.nav.readLocation();
    expect(agent.store.view).toBe("conversations");
    agent.nav.showWebhooks(3);
    expect(agent.store.view).toBe("conversations");
    expect(agent.address.hash).toBe("#view=webhooks&webhook=3"); // untouched: nothing was shown
  });
});
