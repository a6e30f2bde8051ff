/**
 * widget.js: the panel and its live connection, loaded by loader.js on first open or when the
 * page is idle. The controller here ties together the REST API (sessions, contact), the shared
 * protocol client (hello / resume by last_seq / acks / resend / back-off), the state (store.ts),
 * the site's storage and the view.
 */
import { backoffDelay } from "../protocol/backoff";
import { type ClientStatus, type Frame, newClientId, ProtocolClient, SendError } from "../protocol/client";
import type { Message } from "../protocol/log";
import { ApiError, type ContactFields, type Identity, type Session, WidgetApi } from "./api";
import type { Boot, IdentifyData, PublicApi, WidgetHandle } from "./boot";
import { adoptCss } from "./css";
import { I18n } from "./i18n";
import { type Conversation, ChatState, type InboxInfo, STALE_MS } from "./store";
import { VisitorStore, type Saved } from "./storage";
import { PANEL_CSS } from "./styles";
import {
  bodyProblem,
  CONTACT_FIELDS,
  type ContactField,
  contactProblems,
  initials,
  onColor,
  safeColor,
  shade,
} from "./validate";
import { View } from "./view";

const TYPING_IDLE_MS = 3000;
/** Failed socket attempts in a row (never welcomed) before falling back to REST polling. */
const FALLBACK_AFTER = 3;
const POLL_MS = 4000;
/** Errors of a REST send that no retry can fix. */
const FINAL_REST_ERRORS = new Set(["invalid", "empty_body", "body_too_long", "invalid_body", "invalid_client_id"]);
const OPERATOR_TYPING_MAX_MS = 8000;
/** setTimeout holds at most 2^31-1 ms (about 24 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class WidgetController implements WidgetHandle {
  private readonly boot: Boot;
  private readonly i18n: I18n;
  private readonly store: VisitorStore;
  private readonly api: WidgetApi;
  private readonly view: View;
  private state: ChatState;
  private client: ProtocolClient | null = null;
  private status: ClientStatus = "closed";
  private token: string | null;
  private inbox: InboxInfo | null = null;
  private identity: Identity | null;
  private session: Promise<void> | null = null;
  private unavailable = false;
  private opened = false;
  private emitFloor: number;
  private typingOut = false;
  private typingTimer: ReturnType<typeof setTimeout> | null = null;
  private operatorTypingTimer: ReturnType<typeof setTimeout> | null = null;
  private staleTimer: ReturnType<typeof setTimeout> | null = null;
  private gapTimer: ReturnType<typeof setTimeout> | null = null;
  private contactLater: ContactFields | null = null;
  private email: string | null;
  private emailAsked = false;
  /** The contact's email on the server: null until asked (`loadKnownEmail`). */
  private knownEmail: string | null = null;
  private csat: "ask" | "thanks" | null = null;
  private unreadShown = -1;
  /** Socket attempts that failed since the last welcome; past FALLBACK_AFTER, REST polling. */
  private socketFailures = 0;
  private pollTimer: ReturnType<typeof setTimeout> | null = null;
  private restSending = new Set<string>();
  /** The last REST poll got through (then the chat works, socket or not). */
  private pollOk = false;
  /** Sockets closed with 4401 in a row. */
  private refusals = 0;
  private refreshedAt = 0;
  /** Re-reads the inbox when a closed one reopens. */
  private reopenTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(boot: Boot) {
    this.boot = boot;
    const config = boot.config;
    this.i18n = new I18n(config.locale);
    this.store = new VisitorStore(config.inboxKey);
    this.api = new WidgetApi(config.origin, config.locale);
    this.identity = config.identity;
    adoptCss(boot.root, PANEL_CSS);
    this.view = new View(boot, this.i18n, {
      send: (body) => this.send(body),
      retry: (clientId) => this.retry(clientId),
      close: () => this.close(),
      input: (text) => this.typing(text),
      prechat: (values) => void this.submitPrechat(values),
      email: (value) => void this.submitEmail(value),
      rate: (stars) => void this.rate(stars),
    });
    const saved = this.store.load();
    this.token = saved.token ?? null;
    this.email = saved.email ?? null;
    this.emitFloor = saved.seenSeq ?? 0;
    this.state = new ChatState(saved);
    for (const send of saved.pending ?? []) this.state.queue(send.clientId, String(send.frame.body), send.at);
    if (saved.color) this.applyColor(saved.color);

    window.addEventListener("online", () => this.wake());
    window.addEventListener("offline", () => this.render());
    document.addEventListener("visibilitychange", () => this.markRead());
    window.addEventListener("storage", (event) => {
      if (this.store.isOwnEvent(event)) this.syncFromOtherTab(this.store.load());
    });

    if (this.token || this.state.pending.length) void this.startSession();
    this.render();
    if (this.store.panelOpen) this.open();
  }

  // --- the host page's API (window.HelpdeskWidget) --------------------------------------------

  open(): void {
    if (!this.opened) {
      this.opened = true;
      this.view.setOpen(true);
      this.store.panelOpen = true;
      this.boot.emit("open");
    }
    if (!this.token) void this.startSession();
    else if (!this.session) void this.refreshInbox();
    this.render();
    this.markRead();
    this.view.focusInput();
  }

  close(): void {
    if (!this.opened) return;
    this.opened = false;
    this.setTypingOut(false);
    this.view.setOpen(false);
    this.store.panelOpen = false;
    this.boot.emit("close");
    this.render();
  }

  toggle(): void {
    if (this.opened) this.close();
    else this.open();
  }

  identify(data: IdentifyData): void {
    if (!data || typeof data !== "object") return;
    const text = (value: unknown) => (typeof value === "string" ? value.trim() : "");
    if (text(data.external_id) && text(data.hash)) {
      this.identity = {
        external_id: text(data.external_id),
        hash: text(data.hash),
        name: text(data.name),
        email: text(data.email),
      };
      this.restartSession();
      return;
    }
    const fields: ContactFields = {};
    for (const field of CONTACT_FIELDS) if (text(data[field])) fields[field] = text(data[field]);
    if (!Object.keys(fields).length || Object.keys(contactProblems(fields, [])).length) return;
    if (fields.email) this.rememberEmail(fields.email);
    void this.updateContact(fields).catch(() => undefined);
  }

  // --- session and connection -----------------------------------------------------------------

  private startSession(): Promise<void> {
    if (this.session) return this.session;
    this.session = this.runSession().finally(() => {
      this.session = null;
    });
    return this.session;
  }

  private async runSession(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        const session = await this.api.session({
          inbox_key: this.boot.config.inboxKey,
          visitor_token: this.token,
          locale: this.i18n.locale,
          page: { url: location.href.slice(0, 2000), title: document.title.slice(0, 500) },
          identity: this.identity,
        });
        this.applySession(session);
        return;
      } catch (error) {
        if (error instanceof ApiError) {
          if (error.status === 401 && this.identity) {
            this.identity = null; // a wrong identity hash: go on as an anonymous visitor
            continue;
          }
          if (error.status === 403 || error.status === 404) {
            this.unavailable = true; // origin not allowed, or no such inbox: say so, stop
            this.render();
            return;
          }
          if (error.status === 400 && this.token) {
            this.token = null;
            continue;
          }
        }
        this.render();
        await new Promise((resolve) => setTimeout(resolve, backoffDelay(Math.min(attempt, 6))));
      }
    }
  }

  /** Re-reads the inbox (online or away) when the panel opens; the session call is cheap. */
  private async refreshInbox(): Promise<void> {
    if (!this.token || this.unavailable || Date.now() - this.refreshedAt < 60_000) return;
    this.refreshedAt = Date.now();
    try {
      const session = await this.api.session({
        inbox_key: this.boot.config.inboxKey,
        visitor_token: this.token,
        locale: this.i18n.locale,
        page: { url: location.href.slice(0, 2000), title: document.title.slice(0, 500) },
        identity: null,
      });
      if (session.visitor_token === this.token) {
        this.inbox = session.inbox;
        this.scheduleReopen();
        this.render();
      }
    } catch {
      /* the socket's own reconnects cover a network problem */
    }
  }

  /** A closed inbox says when it reopens: read it again then (a few seconds after, spread so
   * that every open widget does not ask at the same instant), to say the team is back. */
  private scheduleReopen(): void {
    if (this.reopenTimer) clearTimeout(this.reopenTimer);
    this.reopenTimer = null;
    const at = this.inbox?.open === false && this.inbox.next_open_at ? Date.parse(this.inbox.next_open_at) : NaN;
    if (Number.isNaN(at)) return;
    const wait = Math.max(0, at - Date.now()) + 2_000 + Math.random() * 20_000;
    if (wait > MAX_TIMER_MS) return; // weeks away: the next panel opening reads it anyway
    this.reopenTimer = setTimeout(() => {
      this.reopenTimer = null;
      this.refreshedAt = 0;
      void this.refreshInbox();
    }, wait);
  }

  private applySession(session: Session): void {
    const sameVisitor = session.visitor_token === this.token;
    const conversation = session.conversation;
    if (!sameVisitor || (this.state.conversationId !== null && conversation?.id !== this.state.conversationId)) {
      const pending = this.state.pending;
      this.state = new ChatState();
      this.state.pending = pending;
      this.emitFloor = 0;
      this.store.update({ conversation: undefined, readSeq: undefined, operatorReadSeq: undefined, seenSeq: undefined });
    }
    this.token = session.visitor_token;
    this.inbox = session.inbox;
    this.scheduleReopen();
    this.unavailable = false;
    this.refreshedAt = Date.now();
    if (conversation) this.state.setConversation(conversation);
    const color = safeColor(session.inbox.color);
    this.store.update({ token: this.token, color: color ?? undefined });
    this.applyColor(color);
    if (this.contactLater) {
      const fields = this.contactLater;
      this.contactLater = null;
      void this.updateContact(fields).catch(() => undefined);
    }
    if (!this.email && this.knownEmail === null) void this.loadKnownEmail();
    this.connect();
    this.render();
  }

  /** The email the helpdesk already has for this visitor (given on another device, say), so
   * the widget does not ask for it again while nobody is online. */
  private async loadKnownEmail(): Promise<void> {
    const token = this.token;
    if (!token) return;
    this.knownEmail = "";
    try {
      const contact = await this.api.contactGet(token);
      if (token !== this.token) return;
      this.knownEmail = contact.email ?? "";
      if (this.knownEmail) this.render();
    } catch {
      this.knownEmail = null; // asked again with the next session
    }
  }

  private restartSession(): void {
    this.client?.stop();
    this.client = null;
    void this.startSession();
  }

  private connect(): void {
    this.client?.stop();
    const token = this.token as string;
    const origin = new URL(this.boot.config.origin);
    const scheme = origin.protocol === "https:" ? "wss:" : "ws:";
    const url = `${scheme}//${origin.host}/ws/widget/v1/?inbox_key=${encodeURIComponent(this.boot.config.inboxKey)}`;
    const client = new ProtocolClient({
      url,
      hello: () => {
        const hello: Frame = { type: "hello", visitor_token: token, last_seq: this.state.lastSeq };
        if (this.state.conversationId !== null) hello.conversation = this.state.conversationId;
        return hello;
      },
      onFrame: (frame) => this.onFrame(frame),
      onStatus: (status) => this.onStatus(client, status),
      onPendingChange: () => this.savePending(),
    });
    this.client = client;
    for (const item of this.state.pending) if (!item.error) this.dispatch(item.clientId, item.body);
    client.start();
  }

  private onStatus(client: ProtocolClient, status: ClientStatus): void {
    if (client !== this.client) return;
    if (status === "online") {
      this.socketFailures = 0;
      this.stopPolling();
    } else if (status === "offline") {
      this.socketFailures += 1;
      if (this.socketFailures >= FALLBACK_AFTER) this.startPolling();
    }
    this.status = status;
    if (status === "unauthorized") {
      // the socket refused the token: a new session, which resumes the token if it is still
      // good (a late hello) or makes a new visitor; after a few refusals in a row, start afresh
      this.client = null;
      this.refusals += 1;
      if (this.refusals >= 3) {
        this.token = null;
        this.store.update({ token: undefined });
      }
      void this.startSession();
    } else if (status === "online") {
      this.refusals = 0;
    }
    this.render();
  }

  /** The browser is back online, or the visitor asked to retry: do not wait for the back-off. */
  private wake(): void {
    if (this.client) this.client.reconnectNow();
    else if (this.token || this.state.pending.length || this.opened) void this.startSession();
    this.render();
  }

  // --- the REST fallback (websockets blocked by a proxy or a firewall) -------------------------

  private get polling(): boolean {
    return this.pollTimer !== null;
  }

  private startPolling(): void {
    if (this.polling || !this.token) return;
    this.pollTimer = setTimeout(() => void this.poll(), 0);
  }

  private stopPolling(): void {
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = null;
    this.pollOk = false;
  }

  /** Sends what is pending and reads what is new, over REST; again every few seconds until the
   * socket is back (the socket keeps trying with its back-off meanwhile). */
  private async poll(): Promise<void> {
    const token = this.token;
    if (!token) return;
    for (const item of [...this.state.pending]) {
      if (item.error || this.restSending.has(item.clientId)) continue;
      this.restSending.add(item.clientId);
      try {
        const message = await this.api.send(token, item.clientId, item.body);
        this.client?.discard(item.clientId);
        this.onFrame({ type: "ack", client_id: item.clientId, message });
      } catch (error) {
        if (error instanceof ApiError && FINAL_REST_ERRORS.has(error.code)) {
          this.client?.discard(item.clientId);
          this.state.fail(item.clientId, error.code);
          this.savePending();
        }
      } finally {
        this.restSending.delete(item.clientId);
      }
    }
    try {
      const page = await this.api.messagesAfter(token, this.state.conversationId, this.state.lastSeq);
      for (const message of page.results) this.received(message);
      if (!page.next && this.state.log?.hasGap) this.state.log.settleThrough(this.state.highestSeq);
      this.pollOk = true;
    } catch {
      this.pollOk = false; // offline: the next round tries again
    }
    this.render();
    if (this.pollTimer !== null) this.pollTimer = setTimeout(() => void this.poll(), POLL_MS);
  }

  // --- frames ---------------------------------------------------------------------------------

  private onFrame(frame: Frame): void {
    switch (frame.type) {
      case "welcome": {
        const switched = this.state.setConversation(frame.conversation as Conversation | null);
        if (switched) this.onSwitched();
        if (this.state.readSeq > 0) this.client?.send({ type: "read", seq: this.state.readSeq });
        break;
      }
      case "message":
        this.received(frame.message as Message);
        break;
      case "ack":
        if (typeof frame.client_id === "string") this.state.dropPending(frame.client_id);
        this.received(frame.message as Message);
        this.savePending();
        break;
      case "typing": {
        const author = frame.author as { kind?: string; name?: string } | undefined;
        if (author?.kind === "visitor") break;
        this.state.typing = frame.active ? author?.name || this.i18n.t("operator") : null;
        if (this.operatorTypingTimer) clearTimeout(this.operatorTypingTimer);
        if (this.state.typing) {
          this.operatorTypingTimer = setTimeout(() => {
            this.state.typing = null;
            this.render();
          }, OPERATOR_TYPING_MAX_MS);
        }
        break;
      }
      case "read":
        if (typeof frame.seq === "number" && this.state.operatorRead(frame.seq)) {
          this.store.update({ operatorReadSeq: this.state.operatorReadSeq });
        }
        break;
      case "conversation": {
        const conversation = frame.conversation as Conversation;
        if (this.state.setConversation(conversation)) this.onSwitched();
        break;
      }
      default:
        return; // error frames of no send, unknown frames: nothing to show
    }
    this.render();
  }

  private received(message: Message | undefined): void {
    if (!message || typeof message !== "object" || typeof message.conversation !== "number") return;
    const before = this.state.conversationId;
    if (!this.state.add(message)) return;
    if (this.state.conversationId !== before) this.onSwitched();
    if (message.seq > this.emitFloor) {
      this.emitFloor = message.seq;
      this.store.update({ seenSeq: this.emitFloor });
      this.boot.emit("message", message);
    }
    if (this.state.log?.hasGap) this.scheduleGapFill();
    this.markRead();
  }

  private onSwitched(): void {
    this.emitFloor = 0;
    this.csat = null;
    this.store.update({
      conversation: this.state.conversationId ?? undefined,
      readSeq: undefined,
      operatorReadSeq: undefined,
      seenSeq: undefined,
    });
  }

  /** A seq is missing (a dropped frame, or a private note): ask the server what follows. */
  private scheduleGapFill(): void {
    if (this.gapTimer) return;
    this.gapTimer = setTimeout(() => void this.fillGap(), 400);
  }

  private async fillGap(): Promise<void> {
    this.gapTimer = null;
    const log = this.state.log;
    if (!log || !log.hasGap || !this.token) return;
    const through = log.highestSeq;
    try {
      const page = await this.api.messagesAfter(this.token, log.conversation, log.lastSeq);
      for (const message of page.results) this.received(message);
      if (!page.next) log.settleThrough(through); // what is still missing was a note
    } catch {
      return; // the next reconnect's replay fills it
    }
    this.render();
  }

  // --- sending --------------------------------------------------------------------------------

  private send(body: string): boolean {
    const problem = bodyProblem(body);
    if (problem) {
      this.view.setComposerError(problem);
      return false;
    }
    this.view.setComposerError(null);
    const clientId = newClientId();
    this.state.queue(clientId, body, Date.now());
    this.setTypingOut(false);
    this.savePending();
    if (this.client) this.dispatch(clientId, body);
    else void this.startSession();
    if (this.polling) {
      this.stopPolling();
      this.startPolling();
    }
    this.render(true);
    return true;
  }

  private dispatch(clientId: string, body: string): void {
    this.client?.sendAcked({ type: "message", body }, clientId).catch((error: unknown) => {
      if (error instanceof SendError) {
        this.state.fail(clientId, error.code);
        this.savePending();
        this.render();
      }
    });
  }

  private retry(clientId: string): void {
    const item = this.state.pending.find((entry) => entry.clientId === clientId);
    if (!item) return;
    if (item.error) {
      // refused for good: this is a new attempt at the text, with a new client_id
      this.state.dropPending(clientId);
      this.client?.discard(clientId);
      this.send(item.body);
      return;
    }
    item.at = Date.now();
    this.wake();
  }

  private savePending(): void {
    const pending = this.state.pending
      .filter((item) => !item.error)
      .map((item) => ({ clientId: item.clientId, frame: { type: "message", body: item.body }, at: item.at }));
    this.store.update({ pending: pending.length ? pending : undefined });
  }

  private typing(text: string): void {
    if (!text.trim()) {
      this.setTypingOut(false);
      return;
    }
    this.setTypingOut(true);
    if (this.typingTimer) clearTimeout(this.typingTimer);
    this.typingTimer = setTimeout(() => this.setTypingOut(false), TYPING_IDLE_MS);
  }

  private setTypingOut(active: boolean): void {
    if (!active && this.typingTimer) {
      clearTimeout(this.typingTimer);
      this.typingTimer = null;
    }
    if (this.typingOut === active) return;
    this.typingOut = active;
    if (this.state.conversationId !== null) this.client?.send({ type: "typing", active });
  }

  private markRead(): void {
    if (!this.opened || document.visibilityState === "hidden") return;
    const seq = this.state.markRead();
    if (seq === null) return;
    this.store.update({ readSeq: seq });
    this.client?.send({ type: "read", seq });
    this.render();
  }

  private syncFromOtherTab(saved: Saved): void {
    if (saved.conversation === this.state.conversationId && (saved.readSeq ?? 0) > this.state.readSeq) {
      this.state.readSeq = saved.readSeq ?? 0;
    }
    if (saved.email) this.email = saved.email;
    this.render();
  }

  // --- contact: pre-chat form, offline email, identify() -------------------------------------

  private async updateContact(fields: ContactFields): Promise<ContactFields> {
    if (!this.token) {
      this.contactLater = { ...this.contactLater, ...fields };
      return fields;
    }
    return this.api.contact(this.token, fields);
  }

  private async submitPrechat(values: Partial<Record<ContactField, string>>): Promise<void> {
    const problems = contactProblems(values, this.inbox?.prechat_required ?? []);
    if (Object.keys(problems).length) {
      this.view.prechatState(problems);
      return;
    }
    const fields: ContactFields = {};
    for (const field of CONTACT_FIELDS) if (values[field]) fields[field] = values[field];
    this.view.prechatState({}, true);
    try {
      if (Object.keys(fields).length) await this.updateContact(fields);
    } catch (error) {
      const known = error instanceof ApiError ? Object.keys(error.fields) : [];
      const field = CONTACT_FIELDS.find((name) => known.includes(name));
      const problem = field === "email" ? "badEmail" : field === "phone" ? "badPhone" : null;
      this.view.prechatState(field && problem ? { [field]: problem } : { form: "saveFailed" });
      return;
    }
    if (fields.email) this.rememberEmail(fields.email);
    this.store.update({ prechatDone: true });
    this.view.hidePrechat();
    this.render();
    this.view.focusInput();
  }

  private async submitEmail(value: string): Promise<void> {
    const problems = contactProblems({ email: value }, ["email"]);
    if (problems.email) {
      this.view.setEmailCard({ ask: true, problem: problems.email });
      return;
    }
    this.view.setEmailCard({ ask: true, busy: true });
    try {
      await this.updateContact({ email: value });
    } catch (error) {
      this.view.setEmailCard({ ask: true, problem: error instanceof ApiError && error.status === 400 ? "badEmail" : "saveFailed" });
      return;
    }
    this.rememberEmail(value);
    this.render();
  }

  private rememberEmail(email: string): void {
    this.email = email;
    this.store.update({ email, prechatDone: true });
  }

  private async rate(stars: number): Promise<void> {
    const conversation = this.state.conversationId;
    if (!this.token || conversation === null) return;
    this.csat = "thanks";
    this.store.update({ rated: conversation });
    this.render();
    try {
      await this.api.csat(this.token, stars);
    } catch {
      /* a lost rating is not worth an error */
    }
  }

  // --- drawing --------------------------------------------------------------------------------

  private applyColor(color: string | null): void {
    const style = this.boot.frame.style;
    if (!color) {
      for (const name of ["--hd-accent", "--hd-accent-2", "--hd-on-accent"]) style.removeProperty(name);
      return;
    }
    style.setProperty("--hd-accent", color);
    style.setProperty("--hd-accent-2", shade(color, 0.18));
    style.setProperty("--hd-on-accent", onColor(color));
  }

  private render(scroll = false): void {
    const t = this.i18n;
    const inbox = this.inbox;
    const conversation = this.state.conversation;
    const open = this.state.isOpen ? conversation : null;
    const online = Boolean(inbox?.online || open?.assignee);
    // Outside business hours: when the team is back, in the visitor's language and zone.
    const reopening = inbox?.open === false && inbox.next_open_at ? t.formatReopening(new Date(inbox.next_open_at)) : null;
    const title = inbox?.name || t.t("title");
    let subtitle: string;
    if (this.unavailable) subtitle = t.t("unavailable");
    else if (!inbox) subtitle = t.t("connecting");
    else if (open?.assignee) subtitle = t.t("assigned", { name: open.assignee.name });
    else if (reopening) subtitle = reopening;
    else if (open?.queue_position) subtitle = t.t("queue", { n: open.queue_position });
    else subtitle = inbox.online ? t.t("onlineHint") : t.t("away");
    this.view.setHeader({
      title,
      subtitle,
      online: online && !this.unavailable,
      avatar: initials(open?.assignee?.name || title) || "?",
    });

    const connected = this.status === "online" || (this.polling && this.pollOk);
    let banner: string | null = null;
    if (this.unavailable) banner = t.t("unavailable");
    else if (typeof navigator !== "undefined" && navigator.onLine === false) banner = t.t("offline");
    else if (this.status === "offline" && !connected) banner = t.t("reconnecting");
    this.view.setBanner(banner);

    this.view.setIntro(title, inbox?.greeting || null);
    let notice: string | null = null;
    if (inbox && !inbox.online && !open?.assignee) notice = reopening ? t.t("closedNotice", { back: reopening }) : t.t("awayNotice");
    this.view.setNotice(notice);
    this.view.renderRows(this.state.rows(Date.now(), connected), scroll);
    this.view.setTyping(this.state.typing);

    const saved = this.store.load();
    const fields = (inbox?.prechat_fields ?? []).filter((f): f is ContactField => (CONTACT_FIELDS as readonly string[]).includes(f));
    const needPrechat =
      fields.length > 0 && !saved.prechatDone && this.state.conversationId === null && this.state.pending.length === 0;
    if (needPrechat) this.view.showPrechat(fields, inbox?.prechat_required ?? [], {});
    else this.view.hidePrechat();
    this.view.setComposer(!needPrechat && !this.unavailable);

    const resolved = conversation !== null && conversation.status === "resolved";
    this.view.setResolved(resolved && this.state.pending.length === 0);
    if (resolved && saved.rated !== conversation.id && this.csat === null) this.csat = "ask";
    this.view.setCsat(resolved || this.csat === "thanks" ? this.csat : null);

    const knownEmail = this.email || this.knownEmail || "";
    const wrote = this.state.pending.length > 0 || (this.state.log?.messages().some((m) => m.author.kind === "visitor") ?? false);
    if (inbox && !inbox.online && wrote) this.emailAsked = true;
    if (knownEmail && this.emailAsked) this.view.setEmailCard({ saved: knownEmail });
    else if (this.emailAsked && !knownEmail) this.view.setEmailCard({ ask: true });
    else this.view.setEmailCard(null);

    const unread = this.opened ? 0 : this.state.unread();
    this.view.setBadge(unread);
    if (unread !== this.unreadShown) {
      this.unreadShown = unread;
      this.boot.emit("unread", unread);
    }
    if (!connected && this.state.pending.some((item) => !item.error)) this.scheduleStaleCheck();
  }

  /** Unacked sends turn "failed" (with Retry) once they have waited long while disconnected. */
  private scheduleStaleCheck(): void {
    if (this.staleTimer) return;
    this.staleTimer = setTimeout(() => {
      this.staleTimer = null;
      this.render();
    }, STALE_MS / 3);
  }
}

export function mountWidget(boot: Boot): WidgetHandle {
  return new WidgetController(boot);
}

const api = (window as unknown as { HelpdeskWidget?: PublicApi }).HelpdeskWidget;
if (api && typeof api._attach === "function") api._attach(mountWidget);
