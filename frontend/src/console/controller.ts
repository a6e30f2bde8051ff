/** Wires the store to the world: the console socket (the shared protocol client), the REST
 * API, drafts, alerts, the address bar and the page's visibility. Views call its actions. */

import { newClientId, ProtocolClient, SendError, type Frame, type SocketLike } from "../protocol/client";
import { Alerts, titleWithCount } from "./alerts";
import { Api, ApiError } from "./api";
import { COUNTS_IDLE_REFRESH_MS, CountsRefresher } from "./counts";
import { Drafts } from "./drafts";
import { type Folder, folderKey, listKey, listQuery, parseFolderKey, type StatusFilter, STATUS_FILTERS } from "./lists";
import { type Locale, setLocale, t } from "./i18n";
import { IdleWatch } from "./idle";
import { notificationAlertTitle, notificationText } from "./notifications";
import type { Effect } from "./store";
import { ConsoleStore } from "./store";
import type { ConsoleConfig, ContactDetail, Conversation, OperatorStatus, Priority } from "./types";

const TYPING_RENEW_MS = 3000;
const TYPING_IDLE_MS = 4000;
const LOCALE_KEY = "helpdesk.console.locale";

export interface ControllerDeps {
  config: ConsoleConfig;
  store: ConsoleStore;
  api: Api;
  drafts: Drafts;
  alerts: Alerts;
  socketUrl: string;
  storage: Storage | null;
  /** Tests pass a fake socket. */
  socketFactory?: (url: string) => SocketLike;
}

export class Controller {
  readonly store: ConsoleStore;
  readonly api: Api;
  readonly drafts: Drafts;
  readonly alerts: Alerts;
  readonly config: ConsoleConfig;
  readonly client: ProtocolClient;
  /** Paces the refreshes of the sidebar's counters (at most one a second). */
  readonly counts: CountsRefresher;
  /** Tells the server when this console goes idle and when it is used again. */
  readonly idle: IdleWatch;
  private readonly storage: Storage | null;
  private fetchingConversations = new Set<number>();
  private fetchingMessages = new Map<number, Promise<void>>();
  private contactRequests = new Map<number, Promise<void>>();
  private typingState: { conversation: number; private: boolean; sentAt: number } | null = null;
  private typingIdle: ReturnType<typeof setTimeout> | null = null;
  private searchSeq = 0;
  private toastSeq = 0;
  /** Focus requests for the composer of one conversation, observed by the view; `mode` null
   * keeps the composer's mode. */
  composerFocus: { conversation: number; mode: "reply" | "note" | null; at: number } | null = null;
  searchFocusAt = 0;
  helpOpen = false;

  constructor(deps: ControllerDeps) {
    this.store = deps.store;
    this.api = deps.api;
    this.drafts = deps.drafts;
    this.alerts = deps.alerts;
    this.config = deps.config;
    this.storage = deps.storage;
    this.idle = new IdleWatch((idle) => this.client.send({ type: "idle", idle }), !deps.store.pageVisible);
    this.client = new ProtocolClient({
      url: deps.socketUrl,
      socketFactory: deps.socketFactory,
      // a console reconnecting while idle must not make its operator online
      hello: () => (this.idle.idle ? { type: "hello", idle: true } : { type: "hello" }),
      onFrame: (frame) => this.onFrame(frame),
      onStatus: (status) => {
        this.store.setConnection(status);
        if (status === "unauthorized") this.signInAgain();
      },
    });
    this.counts = new CountsRefresher(() => this.loadCounts());
  }

  // --- start ----------------------------------------------------------------------------------

  start(): void {
    this.readLocation();
    this.client.start();
    void this.loadReferenceData();
    void this.loadList(this.store.folder, this.store.status);
    this.counts.request(0);
    setInterval(() => this.counts.request(0), COUNTS_IDLE_REFRESH_MS);
    if (this.store.selected !== null) void this.openConversation(this.store.selected);
    this.drafts.prune();
  }

  /** The sidebar's counters, from the server. A server without them (404): the counters are
   * counted from the loaded conversations, so the main folders' open ones are loaded. */
  private async loadCounts(): Promise<void> {
    const epoch = this.store.countsRequested();
    try {
      this.store.setCounts(await this.api.counts(), epoch);
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) throw error;
      this.counts.stop();
      for (const kind of ["mine", "unassigned", "all"] as const) void this.loadList({ kind }, "open");
    }
  }

  private async loadReferenceData(): Promise<void> {
    const tasks: Array<Promise<unknown>> = [
      this.api.inboxes().then((page) => this.store.setInboxes(page.results)),
      this.api.teams().then((page) => {
        this.store.teams = page.results;
        this.store.changed();
      }),
      this.api.labels().then(
        (page) => {
          this.store.labels = page.results.map((label) => label.name);
          this.store.changed();
        },
        () => undefined,
      ),
      this.loadCanned(),
      this.loadNotifications(),
    ];
    if (this.store.me.role !== "agent") {
      tasks.push(
        this.api.operators().then((page) => {
          for (const operator of page.results) this.store.applyOperator(operator);
          this.store.features.operatorsList = true;
          this.store.changed();
        }),
      );
    }
    const results = await Promise.allSettled(tasks);
    for (const result of results) {
      if (result.status === "rejected" && !(result.reason instanceof ApiError && result.reason.status === 404)) {
        console.warn("console: loading reference data failed", result.reason);
      }
    }
  }

  private async loadCanned(): Promise<void> {
    try {
      let page = await this.api.cannedResponses();
      const all = [...page.results];
      for (let pages = 0; page.next && pages < 10; pages += 1) {
        page = await this.api.page(page.next);
        all.push(...(page.results as typeof all));
      }
      this.store.canned = all;
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) this.store.features.canned = false;
      else throw error;
    }
    this.store.changed();
  }

  private async loadNotifications(): Promise<void> {
    try {
      const page = await this.api.notifications();
      this.store.setNotifications(page.results);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) this.store.features.notifications = false;
      else throw error;
    }
  }

  // --- frames and effects ---------------------------------------------------------------------

  onFrame(frame: Frame): void {
    if (frame.type === "error") {
      if (typeof frame.message === "string" && frame.code !== "rate_limited") this.toast(frame.message, "error");
      return;
    }
    this.run(this.store.applyFrame(frame));
  }

  run(effects: Effect[]): void {
    for (const effect of effects) {
      switch (effect.type) {
        case "fetchConversation":
          void this.fetchConversation(effect.id);
          break;
        case "fetchMessages":
          void this.loadMessages(effect.id);
          break;
        case "markRead":
          this.client.send({ type: "read", conversation: effect.id, seq: effect.seq });
          break;
        case "refreshCounts":
          this.counts.request(effect.delay);
          break;
        case "alert":
          this.alert(effect);
          break;
        case "resync":
          void this.resync();
          break;
      }
    }
  }

  private alert(effect: Extract<Effect, { type: "alert" }>): void {
    if (this.store.pageVisible) return;
    this.alerts.chime();
    const notification = effect.notification;
    const title = notification
      ? notificationAlertTitle(notification)
      : effect.kind === "conversation"
        ? t("alert.newConversation")
        : t("alert.newMessage", { name: effect.title || t("message.visitor") });
    const body = notification ? notificationText(notification) : effect.kind === "conversation" ? effect.title || t("contact.unnamed") : effect.body;
    this.alerts.notify({
      title,
      body,
      tag: `conversation-${effect.conversation}`,
      onClick: () => void this.openConversation(effect.conversation),
    });
  }

  /** After a reconnect: what may have been missed is read again over REST. */
  private async resync(): Promise<void> {
    const { store } = this;
    for (const key of [...store.lists.keys()]) {
      const state = store.lists.get(key);
      if (state) state.loaded = false;
    }
    for (const id of [...store.logs.keys()]) if (id !== store.selected) store.logs.delete(id);
    this.counts.request(0);
    await this.loadList(store.folder, store.status);
    if (store.selected !== null) {
      await this.fetchConversation(store.selected);
      await this.loadMessages(store.selected);
    }
    void this.loadNotifications().catch(() => undefined);
  }

  private async fetchConversation(id: number): Promise<void> {
    if (this.fetchingConversations.has(id)) return;
    this.fetchingConversations.add(id);
    try {
      const conversation = await this.api.conversation(id);
      this.run(this.store.applyConversation(conversation));
      this.store.changed();
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) console.warn("console: fetch failed", error);
    } finally {
      this.fetchingConversations.delete(id);
    }
  }

  // --- lists ----------------------------------------------------------------------------------

  async loadList(folder: Folder, status: StatusFilter, more = false): Promise<void> {
    const state = this.store.listState(folder, status);
    if (state.loading || (more && !state.next) || (!more && state.loaded)) return;
    state.loading = true;
    state.error = null;
    this.store.changed();
    try {
      const page = more && state.next ? await this.api.page<Conversation>(state.next) : await this.api.conversations(listQuery(folder, status));
      for (const conversation of page.results) this.store.upsert(conversation);
      state.next = page.next;
      state.loaded = true;
    } catch (error) {
      state.error = error instanceof Error ? error.message : String(error);
    } finally {
      state.loading = false;
      this.store.changed();
    }
  }

  showFolder(folder: Folder, status?: StatusFilter): void {
    const nextStatus = status ?? this.store.status;
    this.store.setFolder(folder, nextStatus);
    this.clearSearch();
    this.writeLocation();
    void this.loadList(folder, nextStatus);
  }

  // --- one conversation -----------------------------------------------------------------------

  async openConversation(id: number | null): Promise<void> {
    const previous = this.store.selected;
    if (previous !== null && previous !== id) this.stopTyping();
    this.run(this.store.select(id));
    this.writeLocation();
    if (id === null) return;
    if (!this.store.conversations.has(id)) await this.fetchConversation(id);
    const conversation = this.store.conversations.get(id);
    if (conversation) void this.loadContact(conversation.contact.id);
    await this.loadMessages(id);
    if (this.store.selected === id && this.store.pageVisible) this.run(this.store.readEffects(id));
  }

  loadMessages(id: number): Promise<void> {
    const running = this.fetchingMessages.get(id);
    if (running) return running;
    const task = (async () => {
      try {
        for (let pages = 0; pages < 50; pages += 1) {
          const log = this.store.log(id);
          const page = await this.api.messages(id, log.lastSeq);
          this.store.addHistory(id, page.results);
          if (!page.next || page.results.length === 0) break;
        }
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) {
          this.store.gone.add(id);
          this.store.changed();
        } else this.toast(errorText(error), "error");
      } finally {
        this.fetchingMessages.delete(id);
      }
    })();
    this.fetchingMessages.set(id, task);
    return task;
  }

  isLoadingMessages(id: number): boolean {
    return this.fetchingMessages.has(id);
  }

  loadContact(id: number, force = false): Promise<void> {
    const running = this.contactRequests.get(id);
    if (running) return running;
    if (!force && this.store.contacts.has(id)) return Promise.resolve();
    const task = this.api
      .contact(id)
      .then((contact) => {
        this.store.contacts.set(id, contact);
        this.store.changed();
      })
      .catch((error) => {
        if (!(error instanceof ApiError && error.status === 404)) console.warn("console: contact failed", error);
      })
      .finally(() => this.contactRequests.delete(id));
    this.contactRequests.set(id, task);
    return task;
  }

  async updateContact(id: number, changes: Partial<Pick<ContactDetail, "name" | "email" | "phone" | "vip" | "notes">>): Promise<boolean> {
    try {
      const contact = await this.api.updateContact(id, changes);
      this.store.contacts.set(id, contact);
      this.store.changed();
      return true;
    } catch (error) {
      this.toast(errorText(error), "error");
      return false;
    }
  }

  // --- sending --------------------------------------------------------------------------------

  send(conversation: number, body: string, isPrivate: boolean): void {
    const clientId = newClientId();
    this.stopTyping();
    this.store.addPending({ clientId, conversation, body, private: isPrivate, failed: null });
    this.deliver(conversation, body, isPrivate, clientId);
  }

  private deliver(conversation: number, body: string, isPrivate: boolean, clientId: string): void {
    this.client
      .sendAcked({ type: "message", conversation, body, private: isPrivate }, clientId)
      .then((message) => this.run(this.store.applyMessage(message, true)))
      .catch((error) => {
        const reason = error instanceof SendError ? error.message : errorText(error);
        this.store.failPending(clientId, reason);
      });
    this.store.changed();
  }

  retry(clientId: string): void {
    const pending = this.store.pending.get(clientId);
    if (!pending) return;
    this.store.addPending({ ...pending, failed: null });
    this.deliver(pending.conversation, pending.body, pending.private, clientId);
  }

  discard(clientId: string): void {
    this.client.discard(clientId);
    this.store.dropPending(clientId);
  }

  /** Called on every keystroke of the composer: typing on, renewed, then off when idle. */
  typing(conversation: number, isPrivate: boolean): void {
    const now = Date.now();
    const state = this.typingState;
    if (!state || state.conversation !== conversation || state.private !== isPrivate || now - state.sentAt > TYPING_RENEW_MS) {
      if (state && (state.conversation !== conversation || state.private !== isPrivate)) this.stopTyping();
      this.client.send({ type: "typing", conversation, active: true, private: isPrivate });
      this.typingState = { conversation, private: isPrivate, sentAt: now };
    }
    if (this.typingIdle !== null) clearTimeout(this.typingIdle);
    this.typingIdle = setTimeout(() => this.stopTyping(), TYPING_IDLE_MS);
  }

  stopTyping(): void {
    if (this.typingIdle !== null) clearTimeout(this.typingIdle);
    this.typingIdle = null;
    const state = this.typingState;
    this.typingState = null;
    if (state) this.client.send({ type: "typing", conversation: state.conversation, active: false, private: state.private });
  }

  // --- actions on a conversation --------------------------------------------------------------

  private async act(action: () => Promise<Conversation>): Promise<boolean> {
    try {
      const conversation = await action();
      this.run(this.store.applyConversation(conversation));
      this.store.changed();
      return true;
    } catch (error) {
      this.toast(errorText(error), "error");
      return false;
    }
  }

  assign(id: number, target: { operator: number } | { team: number }, note?: string): Promise<boolean> {
    return this.act(() => this.api.assign(id, target, note?.trim() ? note : undefined));
  }

  setStatus(id: number, status: "open" | "pending" | "resolved"): Promise<boolean> {
    return this.act(() => this.api.setStatus(id, status));
  }

  setLabels(id: number, labels: string[]): Promise<boolean> {
    return this.act(() => this.api.setLabels(id, labels));
  }

  setPriority(id: number, priority: Priority): Promise<boolean> {
    return this.act(() => this.api.setPriority(id, priority));
  }

  /** Resolve, or reopen a resolved conversation (the keyboard shortcut). */
  async toggleResolved(): Promise<void> {
    const id = this.store.selected;
    const conversation = id === null ? undefined : this.store.conversations.get(id);
    if (!conversation) return;
    const resolving = conversation.status !== "resolved";
    const next = resolving ? this.store.neighbour(1) : null;
    const done = await this.setStatus(conversation.id, resolving ? "resolved" : "open");
    if (done && resolving && next !== null && this.store.folder.kind !== "resolved" && this.store.selected === conversation.id) {
      void this.openConversation(next);
    }
  }

  /** Next or previous conversation; an operator typing in the composer keeps typing there. */
  move(direction: 1 | -1): void {
    const next = this.store.neighbour(direction);
    if (next === null) return;
    const typing = document.activeElement instanceof HTMLElement && document.activeElement.classList.contains("composer-input");
    void this.openConversation(next);
    if (typing) this.focusComposer(null, next);
  }

  // --- me, locale, notifications --------------------------------------------------------------

  async setMyStatus(status: OperatorStatus): Promise<void> {
    try {
      const me = await this.api.setMyStatus(status);
      this.store.applyOperator(me);
      this.store.changed();
    } catch (error) {
      this.toast(errorText(error), "error");
    }
  }

  setLocale(locale: Locale): void {
    setLocale(locale);
    try {
      this.storage?.setItem(LOCALE_KEY, locale);
    } catch {
      /* private mode */
    }
    document.documentElement.lang = locale;
    this.store.changed();
  }

  static storedLocale(storage: Storage | null): string | null {
    try {
      return storage?.getItem(LOCALE_KEY) ?? null;
    } catch {
      return null;
    }
  }

  async openNotification(id: number): Promise<void> {
    const notification = this.store.notifications.find((item) => item.id === id);
    if (!notification) return;
    if (!notification.read) {
      this.store.notificationRead(id);
      this.api.notificationRead(id).catch(() => undefined);
    }
    await this.openConversation(notification.conversation);
  }

  // --- search ---------------------------------------------------------------------------------

  async search(query: string): Promise<void> {
    const q = query.trim();
    const seq = ++this.searchSeq;
    if (!q) {
      this.clearSearch();
      return;
    }
    this.store.search = { query: q, loading: true, conversations: [], contacts: [], error: null };
    this.store.changed();
    const [conversations, contacts] = await Promise.allSettled([
      this.api.conversations(new URLSearchParams({ q: q.slice(0, 200), limit: "50" })),
      this.store.features.contactSearch ? this.api.contacts(q.slice(0, 200)) : Promise.resolve({ results: [], next: null }),
    ]);
    if (seq !== this.searchSeq) return;
    const state = { query: q, loading: false, conversations: [] as Conversation[], contacts: [] as ContactDetail[], error: null as string | null };
    if (conversations.status === "fulfilled") {
      state.conversations = conversations.value.results;
      for (const conversation of state.conversations) this.store.upsert(conversation);
    } else state.error = errorText(conversations.reason);
    if (contacts.status === "fulfilled") state.contacts = contacts.value.results as ContactDetail[];
    else if (contacts.reason instanceof ApiError && contacts.reason.status === 404) this.store.features.contactSearch = false;
    this.store.search = state;
    this.store.changed();
  }

  clearSearch(): void {
    this.searchSeq += 1;
    if (this.store.search !== null) {
      this.store.search = null;
      this.store.changed();
    }
  }

  async openContact(contact: ContactDetail): Promise<void> {
    // A search result may come without its conversations: the detail has them.
    await this.loadContact(contact.id, true);
    const latest: Conversation | undefined = this.store.contacts.get(contact.id)?.conversations?.[0] ?? contact.conversations?.[0];
    if (latest) {
      this.store.upsert(latest);
      await this.openConversation(latest.id);
    }
  }

  // --- focus requests (keyboard shortcuts) ----------------------------------------------------

  focusComposer(mode: "reply" | "note" | null, conversation: number | null = this.store.selected): void {
    if (conversation === null) return;
    this.composerFocus = { conversation, mode, at: Date.now() };
    this.store.changed();
  }

  focusSearch(): void {
    this.searchFocusAt = Date.now();
    this.store.changed();
  }

  toggleHelp(open?: boolean): void {
    this.helpOpen = open ?? !this.helpOpen;
    this.store.changed();
  }

  // --- toasts ---------------------------------------------------------------------------------

  toast(text: string, kind: "error" | "info" = "info"): void {
    const id = ++this.toastSeq;
    this.store.toasts = [...this.store.toasts, { id, text, kind }].slice(-4);
    this.store.changed();
    setTimeout(() => this.dismissToast(id), kind === "error" ? 7000 : 3500);
  }

  dismissToast(id: number): void {
    this.store.toasts = this.store.toasts.filter((toast) => toast.id !== id);
    this.store.changed();
  }

  // --- page -----------------------------------------------------------------------------------

  setPageVisible(visible: boolean): void {
    this.store.pageVisible = visible;
    this.idle.setHidden(!visible);
    if (visible && this.store.selected !== null) this.run(this.store.readEffects(this.store.selected));
    this.store.changed();
  }

  updateTitle(): void {
    document.title = titleWithCount(`${t("app.title")} · ${t("app.brand")}`, this.store.totalUnread());
  }

  /** The socket was closed for good (4401): an ended session goes back to the login page
   * (the API client does that on its 401); a valid one has no inbox to work in. */
  private signInAgain(): void {
    this.api.me().then(
      () => {
        this.store.noAccess = true;
        this.store.changed();
      },
      () => undefined,
    );
  }

  /** The address bar keeps the folder, the status filter and the open conversation. */
  private writeLocation(): void {
    const params = new URLSearchParams();
    params.set("folder", folderKey(this.store.folder));
    if (this.store.folder.kind !== "resolved") params.set("status", this.store.status);
    if (this.store.selected !== null) params.set("conversation", String(this.store.selected));
    const hash = `#${params.toString()}`;
    if (location.hash !== hash) history.replaceState(null, "", hash);
  }

  private readLocation(): void {
    const params = new URLSearchParams(location.hash.slice(1));
    const folder = parseFolderKey(params.get("folder") ?? "");
    const status = params.get("status") as StatusFilter | null;
    if (folder) this.store.folder = folder;
    if (status && STATUS_FILTERS.includes(status)) this.store.status = status;
    const id = Number(params.get("conversation"));
    if (Number.isInteger(id) && id > 0) this.store.selected = id;
  }

  currentListKey(): string {
    return listKey(this.store.folder, this.store.status);
  }
}

export function errorText(error: unknown): string {
  if (error instanceof ApiError) return error.message || error.code;
  if (error instanceof Error) return error.message;
  return String(error);
}
