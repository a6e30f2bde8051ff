/**
 * What the console reads over REST into the store: the reference data (inboxes, teams, labels,
 * colleagues, canned responses, notifications), the lists a page at a time, a conversation the
 * store does not know, a conversation's messages after its last seq, a contact, the sidebar's
 * counters (paced by counts.ts), and everything again after a reconnect. One request at a time
 * per conversation, contact or list; an optional endpoint a server lacks (404) is switched off.
 */

import { type Api, ApiError, errorText } from "./api";
import { COUNTS_IDLE_REFRESH_MS, CountsRefresher } from "./counts";
import type { Effect } from "./frames";
import { type Folder, listQuery, type StatusFilter } from "./lists";
import type { ConsoleStore } from "./store";
import type { Conversation } from "./types";

/** At most this many pages of messages per load, and of canned responses. */
const MESSAGE_PAGES = 50;
const CANNED_PAGES = 10;

export interface SyncDeps {
  store: ConsoleStore;
  api: Api;
  run(effects: Effect[]): void;
  toast(text: string, kind: "error" | "info"): void;
}

const isMissing = (error: unknown) => error instanceof ApiError && error.status === 404;

export class ConsoleSync {
  /** Paces the refreshes of the sidebar's counters (at most one a second). */
  readonly counts: CountsRefresher;
  private fetchingConversations = new Set<number>();
  private fetchingMessages = new Map<number, Promise<void>>();
  private contactRequests = new Map<number, Promise<void>>();

  constructor(private readonly deps: SyncDeps) {
    this.counts = new CountsRefresher(() => this.loadCounts());
  }

  /** The reference data, the open list and the counters (then every minute). */
  start(): void {
    const { store } = this.deps;
    void this.loadReferenceData();
    void this.loadList(store.folder, store.status);
    this.counts.request(0);
    setInterval(() => this.counts.request(0), COUNTS_IDLE_REFRESH_MS);
  }

  async loadList(folder: Folder, status: StatusFilter, more = false): Promise<void> {
    const { store, api } = this.deps;
    const state = store.listState(folder, status);
    if (state.loading || (more && !state.next) || (!more && state.loaded)) return;
    state.loading = true;
    state.error = null;
    store.changed();
    try {
      const page = more && state.next ? await api.page<Conversation>(state.next) : await api.conversations(listQuery(folder, status));
      for (const conversation of page.results) store.upsert(conversation);
      state.next = page.next;
      state.loaded = true;
    } catch (error) {
      state.error = error instanceof Error ? error.message : String(error);
    } finally {
      state.loading = false;
      store.changed();
    }
  }

  async fetchConversation(id: number): Promise<void> {
    if (this.fetchingConversations.has(id)) return;
    this.fetchingConversations.add(id);
    try {
      const conversation = await this.deps.api.conversation(id);
      this.deps.run(this.deps.store.applyConversation(conversation));
      this.deps.store.changed();
    } catch (error) {
      if (!isMissing(error)) console.warn("console: fetch failed", error);
    } finally {
      this.fetchingConversations.delete(id);
    }
  }

  /** What a conversation got after the last seq its log has (a 404: it is out of sight). */
  loadMessages(id: number): Promise<void> {
    const running = this.fetchingMessages.get(id);
    if (running) return running;
    const { store, api } = this.deps;
    const task = (async () => {
      try {
        for (let pages = 0; pages < MESSAGE_PAGES; pages += 1) {
          const log = store.log(id);
          const page = await api.messages(id, log.lastSeq);
          store.addHistory(id, page.results);
          if (!page.next || page.results.length === 0) break;
        }
      } catch (error) {
        if (isMissing(error)) {
          store.gone.add(id);
          store.changed();
        } else this.deps.toast(errorText(error), "error");
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
    const { store } = this.deps;
    if (!force && store.contacts.has(id)) return Promise.resolve();
    const task = this.deps.api
      .contact(id)
      .then((contact) => {
        store.contacts.set(id, contact);
        store.changed();
      })
      .catch((error) => {
        if (!isMissing(error)) console.warn("console: contact failed", error);
      })
      .finally(() => this.contactRequests.delete(id));
    this.contactRequests.set(id, task);
    return task;
  }

  /** After a reconnect: what may have been missed is read again over REST. */
  async resync(): Promise<void> {
    const { store } = this.deps;
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

  /** The sidebar's counters, from the server. A server without them (404): the counters are
   * counted from the loaded conversations, so the main folders' open ones are loaded. */
  private async loadCounts(): Promise<void> {
    const { store } = this.deps;
    const epoch = store.countsRequested();
    try {
      store.setCounts(await this.deps.api.counts(), epoch);
    } catch (error) {
      if (!isMissing(error)) throw error;
      this.counts.stop();
      for (const kind of ["mine", "unassigned", "all"] as const) void this.loadList({ kind }, "open");
    }
  }

  private async loadReferenceData(): Promise<void> {
    const { store, api } = this.deps;
    const tasks: Array<Promise<unknown>> = [
      api.inboxes().then((page) => store.setInboxes(page.results)),
      api.teams().then((page) => {
        store.teams = page.results;
        store.changed();
      }),
      api.labels().then(
        (page) => {
          store.labels = page.results.map((label) => label.name);
          store.changed();
        },
        () => undefined,
      ),
      this.loadCanned(),
      this.loadNotifications(),
    ];
    if (store.me.role !== "agent") {
      tasks.push(
        api.operators().then((page) => {
          for (const operator of page.results) store.applyOperator(operator);
          store.features.operatorsList = true;
          store.changed();
        }),
      );
    }
    const results = await Promise.allSettled(tasks);
    for (const result of results) {
      if (result.status === "rejected" && !isMissing(result.reason)) {
        console.warn("console: loading reference data failed", result.reason);
      }
    }
  }

  private async loadCanned(): Promise<void> {
    const { store, api } = this.deps;
    try {
      let page = await api.cannedResponses();
      const all = [...page.results];
      for (let pages = 0; page.next && pages < CANNED_PAGES; pages += 1) {
        page = await api.page(page.next);
        all.push(...(page.results as typeof all));
      }
      store.canned = all;
    } catch (error) {
      if (isMissing(error)) store.features.canned = false;
      else throw error;
    }
    store.changed();
  }

  private async loadNotifications(): Promise<void> {
    try {
      const page = await this.deps.api.notifications();
      this.deps.store.setNotifications(page.results);
    } catch (error) {
      if (isMissing(error)) this.deps.store.features.notifications = false;
      else throw error;
    }
  }
}
