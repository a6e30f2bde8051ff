/**
 * Wires the store to the world and gives the views their actions, by concern:
 * connection.ts (the socket, idle, frames in), sync.ts (REST reads into the store),
 * composer.ts (sending, typing, the composer's focus and drafts), actions.ts (changes to a
 * conversation, a contact, the operator's status), search.ts, navigation.ts (what the operator
 * looks at: folder, selection, address bar, toasts, title, language), posts.ts (a Telegram
 * channel's posts, for the Posts view), webhooks.ts (the admins' outbound webhooks and their
 * delivery log, for the Webhooks view). Here: the effects the store asks for (frames.ts),
 * alerts, the page's visibility, and the start.
 */

import type { SocketLike } from "../protocol/client";
import { type AlertEffect, Alerts, alertText } from "./alerts";
import type { Api } from "./api";
import { ConversationActions } from "./actions";
import { ConsoleComposer } from "./composer";
import { ConsoleConnection } from "./connection";
import type { Drafts } from "./drafts";
import type { Effect } from "./frames";
import { type AddressBar, Navigation } from "./navigation";
import { ConsolePosts } from "./posts";
import { ConsoleSearch } from "./search";
import type { ConsoleStore } from "./store";
import { ConsoleSync } from "./sync";
import type { ConsoleConfig } from "./types";
import { ConsoleWebhooks } from "./webhooks";

export interface ControllerDeps {
  config: ConsoleConfig;
  store: ConsoleStore;
  api: Api;
  drafts: Drafts;
  alerts: Alerts;
  socketUrl: string;
  storage: Storage | null;
  /** Tests pass a fake socket and address bar. */
  socketFactory?: (url: string) => SocketLike;
  address?: AddressBar;
}

export class Controller {
  readonly store: ConsoleStore;
  readonly api: Api;
  readonly alerts: Alerts;
  readonly config: ConsoleConfig;
  readonly connection: ConsoleConnection;
  readonly client: ConsoleConnection["client"];
  readonly idle: ConsoleConnection["idle"];
  readonly sync: ConsoleSync;
  readonly composer: ConsoleComposer;
  readonly actions: ConversationActions;
  readonly search: ConsoleSearch;
  readonly navigation: Navigation;
  readonly posts: ConsolePosts;
  readonly webhooks: ConsoleWebhooks;

  constructor(deps: ControllerDeps) {
    const { store, api } = deps;
    this.store = store;
    this.api = api;
    this.alerts = deps.alerts;
    this.config = deps.config;
    const run = (effects: Effect[]) => this.run(effects);
    const toast = (text: string, kind: "error" | "info") => this.navigation.toast(text, kind);
    const open = (id: number) => this.navigation.openConversation(id);
    this.connection = new ConsoleConnection({ socketUrl: deps.socketUrl, socketFactory: deps.socketFactory, store, me: () => api.me(), toast, run });
    this.client = this.connection.client;
    this.idle = this.connection.idle;
    this.sync = new ConsoleSync({ store, api, run, toast });
    this.composer = new ConsoleComposer({
      store,
      drafts: deps.drafts,
      outbox: this.client,
      run,
      upload: (file, progress, signal) => api.upload(file, progress, signal),
    });
    this.actions = new ConversationActions({ store, api, run, toast, open: (id) => void open(id) });
    this.posts = new ConsolePosts({ store, api, toast });
    this.webhooks = new ConsoleWebhooks({ store, api, toast, select: (id) => this.navigation.showWebhooks(id) });
    this.search = new ConsoleSearch({ store, api, loadContact: (id, force) => this.sync.loadContact(id, force), open });
    const { sync, composer, search } = this;
    this.navigation = new Navigation({
      store,
      storage: deps.storage,
      address: deps.address,
      typingInComposer: () => document.activeElement instanceof HTMLElement && document.activeElement.classList.contains("composer-input"),
      run,
      loadList: (folder, status) => sync.loadList(folder, status),
      fetchConversation: (id) => sync.fetchConversation(id),
      loadContact: (id) => sync.loadContact(id),
      loadMessages: (id) => sync.loadMessages(id),
      stopTyping: () => composer.stopTyping(),
      focusComposer: (id) => composer.requestFocus(null, id),
      clearSearch: () => search.clear(),
      notificationRead: (id) => api.notificationRead(id),
    });
  }

  start(): void {
    this.navigation.readLocation();
    this.client.start();
    this.sync.start();
    if (this.store.selected !== null) void this.navigation.openConversation(this.store.selected);
    this.composer.drafts.prune();
  }

  /** Performs what the store asked for. */
  run(effects: Effect[]): void {
    for (const effect of effects) {
      switch (effect.type) {
        case "fetchConversation":
          void this.sync.fetchConversation(effect.id);
          break;
        case "fetchMessages":
          void this.sync.loadMessages(effect.id);
          break;
        case "markRead":
          this.connection.markRead(effect.id, effect.seq);
          break;
        case "refreshCounts":
          this.sync.counts.request(effect.delay);
          break;
        case "alert":
          this.alert(effect);
          break;
        case "resync":
          void this.sync.resync();
          break;
      }
    }
  }

  /** The tab was hidden or shown: read marks wait for it, and the idle watch counts from it. */
  setPageVisible(visible: boolean): void {
    const { store } = this;
    store.pageVisible = visible;
    this.idle.setHidden(!visible);
    if (visible && store.selected !== null) this.run(store.readEffects(store.selected));
    if (visible) this.posts.resume();
    if (visible) this.webhooks.resume();
    store.changed();
  }

  /** A chime and a browser notification, while the tab is hidden; a click opens the conversation. */
  private alert(effect: AlertEffect): void {
    if (this.store.pageVisible) return;
    this.alerts.chime();
    const { title, body } = alertText(effect);
    this.alerts.notify({
      title,
      body,
      tag: `conversation-${effect.conversation}`,
      onClick: () => void this.navigation.openConversation(effect.conversation),
    });
  }
}
