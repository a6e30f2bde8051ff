/**
 * What the operator is looking at, and how they move: the folder and status filter, the open
 * conversation (loaded with its contact and messages, and read), next and previous, the Posts
 * and (for admins) the Webhooks views, the address bar that keeps all that, the search box's
 * focus, the shortcuts help, toasts, the tab's title, and the console's language.
 */

import { titleWithCount } from "./alerts";
import { type Folder, folderKey, listKey, parseFolderKey, type StatusFilter, STATUS_FILTERS } from "./lists";
import { type Locale, setLocale, t } from "./i18n";
import type { Effect } from "./frames";
import type { ConsoleStore } from "./store";
import { LOCALE_KEY, storedLocale } from "../shared/locale";

export { storedLocale };

/** How long a toast stays. */
const TOAST_MS = { error: 7000, info: 3500 };
/** How many toasts show at once. */
const TOASTS_SHOWN = 4;

/** The address bar's hash (tests pass a fake). */
export interface AddressBar {
  readonly hash: string;
  replace(hash: string): void;
}

const browserAddressBar: AddressBar = {
  get hash() {
    return location.hash;
  },
  replace: (hash) => history.replaceState(null, "", hash),
};

export interface NavigationDeps {
  store: ConsoleStore;
  storage: Storage | null;
  address?: AddressBar;
  /** Whether the operator is typing in a composer (the focus is in one). */
  typingInComposer(): boolean;
  run(effects: Effect[]): void;
  /** sync.ts */
  loadList(folder: Folder, status: StatusFilter): Promise<void>;
  fetchConversation(id: number): Promise<void>;
  loadContact(id: number): Promise<void>;
  loadMessages(id: number): Promise<void>;
  /** composer.ts */
  stopTyping(): void;
  focusComposer(conversation: number): void;
  /** search.ts */
  clearSearch(): void;
  /** Marks a notification read on the server. */
  notificationRead(id: number): Promise<unknown>;
}

export class Navigation {
  searchFocusAt = 0;
  helpOpen = false;
  private toastSeq = 0;
  private readonly address: AddressBar;

  constructor(private readonly deps: NavigationDeps) {
    this.address = deps.address ?? browserAddressBar;
  }

  showFolder(folder: Folder, status?: StatusFilter): void {
    const nextStatus = status ?? this.deps.store.status;
    this.deps.store.view = "conversations";
    this.deps.store.setFolder(folder, nextStatus);
    this.deps.clearSearch();
    this.writeLocation();
    void this.deps.loadList(folder, nextStatus);
  }

  /** The Posts view: the channel posts of `inbox` (by default the one shown last, else the
   * first with a channel). No conversation stays open behind it (none is read unseen). */
  showPosts(inbox: number | null = this.deps.store.postsInbox): void {
    const { store } = this.deps;
    if (store.selected !== null) this.deps.stopTyping();
    store.view = "posts";
    store.postsInbox = inbox;
    this.deps.clearSearch();
    this.deps.run(store.select(null));
    this.writeLocation();
  }

  /** The Webhooks view, for admins: `webhook`'s secret and delivery log (by default the one
   * shown last, else the first). No conversation stays open behind it. */
  showWebhooks(webhook: number | null = this.deps.store.webhookId): void {
    const { store } = this.deps;
    if (store.me.role !== "admin") return;
    if (store.selected !== null) this.deps.stopTyping();
    store.view = "webhooks";
    store.webhookId = webhook;
    this.deps.clearSearch();
    this.deps.run(store.select(null));
    this.writeLocation();
  }

  async openConversation(id: number | null): Promise<void> {
    const { store } = this.deps;
    const previous = store.selected;
    if (previous !== null && previous !== id) this.deps.stopTyping();
    if (id !== null) store.view = "conversations";
    this.deps.run(store.select(id));
    this.writeLocation();
    if (id === null) return;
    if (!store.conversations.has(id)) await this.deps.fetchConversation(id);
    const conversation = store.conversations.get(id);
    if (conversation) void this.deps.loadContact(conversation.contact.id);
    await this.deps.loadMessages(id);
    if (store.selected === id && store.pageVisible) this.deps.run(store.readEffects(id));
  }

  /** Next or previous conversation; an operator typing in the composer keeps typing there. */
  move(direction: 1 | -1): void {
    const next = this.deps.store.neighbour(direction);
    if (next === null) return;
    const typing = this.deps.typingInComposer();
    void this.openConversation(next);
    if (typing) this.deps.focusComposer(next);
  }

  async openNotification(id: number): Promise<void> {
    const { store } = this.deps;
    const notification = store.notifications.find((item) => item.id === id);
    if (!notification) return;
    if (!notification.read) {
      store.notificationRead(id);
      this.deps.notificationRead(id).catch(() => undefined);
    }
    await this.openConversation(notification.conversation);
  }

  currentListKey(): string {
    return listKey(this.deps.store.folder, this.deps.store.status);
  }

  focusSearch(): void {
    this.searchFocusAt = Date.now();
    this.deps.store.changed();
  }

  toggleHelp(open?: boolean): void {
    this.helpOpen = open ?? !this.helpOpen;
    this.deps.store.changed();
  }

  toast(text: string, kind: "error" | "info" = "info"): void {
    const { store } = this.deps;
    const id = ++this.toastSeq;
    store.toasts = [...store.toasts, { id, text, kind }].slice(-TOASTS_SHOWN);
    store.changed();
    setTimeout(() => this.dismissToast(id), TOAST_MS[kind]);
  }

  dismissToast(id: number): void {
    this.deps.store.toasts = this.deps.store.toasts.filter((toast) => toast.id !== id);
    this.deps.store.changed();
  }

  updateTitle(): void {
    document.title = titleWithCount(`${t("app.title")} · ${t("app.brand")}`, this.deps.store.totalUnread());
  }

  setLocale(locale: Locale): void {
    setLocale(locale);
    try {
      this.deps.storage?.setItem(LOCALE_KEY, locale);
    } catch {
      /* private mode */
    }
    document.documentElement.lang = locale;
    this.deps.store.changed();
  }

  /** The address bar keeps the folder, the status filter and the open conversation (or the
   * Posts view and its inbox, or the Webhooks view and its webhook). */
  writeLocation(): void {
    const { store } = this.deps;
    const params = new URLSearchParams();
    if (store.view === "posts" || store.view === "webhooks") {
      params.set("view", store.view);
      const id = store.view === "posts" ? store.postsInbox : store.webhookId;
      if (id !== null) params.set(store.view === "posts" ? "inbox" : "webhook", String(id));
      const hash = `#${params.toString()}`;
      if (this.address.hash !== hash) this.address.replace(hash);
      return;
    }
    params.set("folder", folderKey(store.folder));
    if (store.folder.kind !== "resolved") params.set("status", store.status);
    if (store.selected !== null) params.set("conversation", String(store.selected));
    const hash = `#${params.toString()}`;
    if (this.address.hash !== hash) this.address.replace(hash);
  }

  /** Where the address bar says the operator was (a reload, a shared link). */
  readLocation(): void {
    const { store } = this.deps;
    const params = new URLSearchParams(this.address.hash.slice(1));
    if (params.get("view") === "posts") {
      const inbox = Number(params.get("inbox"));
      store.view = "posts";
      store.postsInbox = Number.isInteger(inbox) && inbox > 0 ? inbox : null;
      return;
    }
    // Only admins have the Webhooks view; anyone else lands in the conversations.
    if (params.get("view") === "webhooks" && store.me.role === "admin") {
      const webhook = Number(params.get("webhook"));
      store.view = "webhooks";
      store.webhookId = Number.isInteger(webhook) && webhook > 0 ? webhook : null;
      return;
    }
    const folder = parseFolderKey(params.get("folder") ?? "");
    const status = params.get("status") as StatusFilter | null;
    if (folder) store.folder = folder;
    if (status && STATUS_FILTERS.includes(status)) store.status = status;
    const id = Number(params.get("conversation"));
    if (Number.isInteger(id) && id > 0) store.selected = id;
  }
}
