import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { ContactForms, type EmailCard, type FieldProblems, identityOf } from "../src/widget/forms";
import type { Saved } from "../src/widget/storage";
import { WidgetServer, memoryStore, settle } from "./widget-fixtures";

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

function setup(options: { token?: string | null; saved?: Saved; required?: string[]; conversation?: number | null } = {}) {
  const server = new WidgetServer().reply("PATCH contact", { body: {} }).reply("GET contact", { body: {} }).reply("POST csat", { body: {} });
  const store = memoryStore(options.saved ?? {});
  let token = options.token === undefined ? "tok-1" : options.token;
  const view = {
    prechat: [] as [FieldProblems, boolean][],
    hidden: 0,
    focused: 0,
    cards: [] as EmailCard[],
    prechatState(problems: FieldProblems, busy = false) {
      this.prechat.push([problems, busy]);
    },
    hidePrechat() {
      this.hidden += 1;
    },
    focusInput() {
      this.focused += 1;
    },
    setEmailCard(card: EmailCard) {
      this.cards.push(card);
    },
  };
  const log = { rated: 0, commented: 0, changes: 0 };
  const forms = new ContactForms(store.load(), {
    api: server.api(),
    store,
    cards: view,
    focusInput: () => view.focusInput(),
    token: () => token,
    required: () => options.required ?? [],
    conversationId: () => (options.conversation === undefined ? 1 : options.conversation),
    rated: () => (log.rated += 1),
    commented: () => (log.commented += 1),
    changed: () => (log.changes += 1),
  });
  return { server, store, view, log, forms, setToken: (value: string | null) => (token = value) };
}

describe("widget forms: the pre-chat form", () => {
  it("asks for the required fields and checks the formats before sending anything", async () => {
    const t = setup({ required: ["name", "email"] });
    await t.forms.submitPrechat({ email: "nope" });
    expect(t.view.prechat).toEqual([[{ name: "required", email: "badEmail" }, false]]);
    expect(t.server.calls).toEqual([]);
  });

  it("saves the details, remembers the email and gives the composer the focus", async () => {
    const t = setup();
    await t.forms.submitPrechat({ name: "Ann", email: "ann@example.com", phone: "" });
    expect(t.server.callsTo("PATCH contact").map((call) => [call.body, call.token])).toEqual([[{ name: "Ann", email: "ann@example.com" }, "tok-1"]]);
    expect(t.view.prechat).toEqual([[{}, true]]);
    expect([t.view.hidden, t.view.focused]).toEqual([1, 1]);
    expect(t.store.load()).toMatchObject({ prechatDone: true, email: "ann@example.com" });
    expect(t.forms.knownEmail).toBe("ann@example.com");
  });

  it("points at the field the server refuses, or says the form failed", async () => {
    const t = setup();
    t.server.reply("PATCH contact", { status: 400, body: { error: { code: "invalid", fields: { phone: ["bad"] } } } }, { status: 500 });
    await t.forms.submitPrechat({ phone: "+1 555 0100" });
    await t.forms.submitPrechat({ phone: "+1 555 0100" });
    expect(t.view.prechat.filter(([, busy]) => !busy).map(([problems]) => problems)).toEqual([{ phone: "badPhone" }, { form: "saveFailed" }]);
    expect(t.store.load().prechatDone).toBeUndefined();
  });
});

describe("widget forms: the email card and identify()", () => {
  it("checks the email, says a refused one is wrong, and keeps a saved one", async () => {
    const t = setup();
    await t.forms.submitEmail("nope");
    t.server.reply("PATCH contact", { status: 400 }, { body: {} });
    await t.forms.submitEmail("ann@example.com");
    await t.forms.submitEmail("ann@example.com");
    expect(t.view.cards).toEqual([
      { ask: true, problem: "badEmail" },
      { ask: true, busy: true },
      { ask: true, problem: "badEmail" },
      { ask: true, busy: true },
    ]);
    expect(t.forms.knownEmail).toBe("ann@example.com");
    expect(t.log.changes).toBe(1);
  });

  it("keeps details given before the session and sends them when it starts", async () => {
    const t = setup({ token: null });
    t.forms.identify({ name: " Ann ", phone: "12345" });
    t.forms.identify({ email: "ann@example.com" });
    expect(t.server.calls).toEqual([]);
    t.setToken("tok-1");
    t.forms.sessionStarted();
    await settle();
    expect(t.server.callsTo("PATCH contact").map((call) => call.body)).toEqual([{ name: "Ann", phone: "12345", email: "ann@example.com" }]);
    expect(t.server.callsTo("GET contact")).toEqual([]); // the email is known here
  });

  it("ignores details that are malformed or empty", () => {
    const t = setup();
    t.forms.identify({ email: "not-an-email" });
    t.forms.identify({ name: "  " });
    expect(t.server.calls).toEqual([]);
  });

  it("asks the helpdesk once per session for an email given elsewhere", async () => {
    const t = setup();
    t.server.reply("GET contact", { body: { email: "ann@example.com" } });
    t.forms.sessionStarted();
    t.forms.sessionStarted();
    await settle();
    expect(t.server.callsTo("GET contact")).toHaveLength(1);
    expect(t.forms.knownEmail).toBe("ann@example.com");
    expect(t.log.changes).toBe(1);
  });

  it("takes the email another tab was given", () => {
    const t = setup();
    t.forms.adopt({ email: "ann@example.com" });
    expect(t.forms.knownEmail).toBe("ann@example.com");
  });

  it("reads a signed identity, trimmed, only with both its id and its hash", () => {
    expect(identityOf({ external_id: " u1 ", hash: "h", name: "Ann" })).toEqual({ external_id: "u1", hash: "h", name: "Ann", email: "" });
    expect(identityOf({ external_id: "u1" })).toBeNull();
    expect(identityOf({ hash: "h", email: "a@b.co" })).toBeNull();
  });
});

describe("widget forms: the rating", () => {
  it("sends the stars once there is a conversation, and thanks at once", async () => {
    const t = setup();
    await t.forms.rate(5);
    expect(t.server.callsTo("POST csat").map((call) => call.body)).toEqual([{ rating: 5, comment: "" }]);
    expect(t.log.rated).toBe(1);
    expect(t.store.load().rated).toBe(1);
  });

  it("does nothing without a session or a conversation, and shrugs off a lost rating", async () => {
    await setup({ conversation: null }).forms.rate(4);
    const t = setup({ token: null });
    await t.forms.rate(4);
    expect(t.log.rated).toBe(0);
    const failing = setup();
    failing.server.reply("POST csat", "network");
    await expect(failing.forms.rate(3)).resolves.toBeUndefined();
    expect(failing.log.rated).toBe(1);
  });

  it("sends a comment with the stars given, which replaces the rating", async () => {
    const t = setup();
    await t.forms.comment("too early");
    expect(t.server.callsTo("POST csat")).toEqual([]);
    await t.forms.rate(2);
    await t.forms.comment("Slow, but it worked out");
    expect(t.server.callsTo("POST csat").map((call) => call.body)).toEqual([
      { rating: 2, comment: "" },
      { rating: 2, comment: "Slow, but it worked out" },
    ]);
    expect(t.log.commented).toBe(1);
  });
});
