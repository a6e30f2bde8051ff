/**
 * The Posts view's work: posts for the channel of a Telegram inbox (docs/telegram.md, "Channel
 * posts"). Which inboxes have a channel; the list, newest first, a page at a time; writing,
 * scheduling, publishing, changing and deleting a post (post-editor.ts keeps the form). Posts
 * have no socket frames: the list is read again after each action, and polled while the view
 * is open and the tab visible, sooner when a scheduled post is due, so that the operator sees it
 * turn published.
 */

import { type Api, errorText } from "./api";
import { uploadErrorText } from "./composer";
import { formatDateTime, t } from "./i18n";
import { PostEditor } from "./post-editor";
import type { ConsoleStore } from "./store";
import type { Inbox, Page, Post } from "./types";

/** The list is read again this often while the view is open. */
export const POLL_MS = 10_000;
/** Never sooner than this. */
const POLL_MIN_MS = 2000;
/** After a scheduled post's moment, the list is read again this much later. */
const DUE_GRACE_MS = 1500;
/** A post due longer ago than this waits for the ordinary poll. */
const DUE_WATCH_MS = 60_000;
const PAGE_SIZE = 20;

/** The Telegram inboxes with a channel, by name. */
export function channelInboxes(inboxes: Map<number, Inbox> | null): Inbox[] {
  if (!inboxes) return [];
  return [...inboxes.values()].filter((inbox) => inbox.channel === "telegram" && Boolean(inbox.telegram?.channel)).sort((a, b) => a.name.localeCompare(b.name));
}

/** When to read the list again: the poll, or soon after the first scheduled post falls due,
 * or soon while one is being published. */
export function refreshDelay(posts: Post[], now: number, poll = POLL_MS): number {
  let delay = poll;
  for (const post of posts) {
    if (post.state === "publishing") delay = Math.min(delay, POLL_MIN_MS);
    if (post.state !== "scheduled" || !post.publish_at) continue;
    const due = Date.parse(post.publish_at) - now;
    if (due > -DUE_WATCH_MS) delay = Math.min(delay, Math.max(POLL_MIN_MS, due + DUE_GRACE_MS));
  }
  return delay;
}

/** The loaded posts of one inbox, newest first. */
export class PostFeed {
  items: Post[] = [];
  next: string | null = null;
  loaded = false;
  loading = false;
  error: string | null = null;
  /** More than the first page is loaded. */
  private extended = false;

  /** The first page read again: it replaces what it covers; pages loaded after it stay. */
  setFirstPage(page: Page<Post>): void {
    if (!this.extended || page.next === null || page.results.length === 0) {
      this.items = page.results;
      this.next = page.next;
      this.extended = false;
    } else {
      const lowest = Math.min(...page.results.map((post) => post.id));
      this.items = [...page.results, ...this.items.filter((post) => post.id < lowest)];
    }
    this.loaded = true;
    this.error = null;
  }

  addPage(page: Page<Post>): void {
    const known = new Set(this.items.map((post) => post.id));
    this.items = [...this.items, ...page.results.filter((post) => !known.has(post.id))];
    this.next = page.next;
    this.extended = true;
  }

  upsert(post: Post): void {
    const others = this.items.filter((item) => item.id !== post.id);
    this.items = [...others, post].sort((a, b) => b.id - a.id);
  }

  remove(id: number): void {
    this.items = this.items.filter((post) => post.id !== id);
  }
}

/** What the operator does with the form. */
export type PostAction = { kind: "draft" } | { kind: "now" } | { kind: "schedule"; at: string } | { kind: "channel" };

export interface PostsDeps {
  store: ConsoleStore;
  api: Api;
  toast(text: string, kind: "error" | "info"): void;
  now?: () => number;
}

export class ConsolePosts {
  /** The inbox whose posts are shown (null: the view is closed). */
  inbox: number | null = null;
  feed = new PostFeed();
  readonly editor: PostEditor;
  /** The inbox shown last (its form is kept while the operator looks elsewhere). */
  private shown: number | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** Counts the writes: a read that started before one is stale. */
  private writes = 0;
  private readonly now: () => number;

  constructor(private readonly deps: PostsDeps) {
    this.now = deps.now ?? Date.now;
    const changed = () => deps.store.changed();
    this.editor = new PostEditor({
      upload: (file, progress, signal) => deps.api.upload(file, progress, signal),
      describe: uploadErrorText,
      changed,
    });
  }

  /** The view shows `inbox`'s posts: the list is read, then polled. Back to the inbox shown
   * last, the form and the list are as the operator left them (the list is read again). */
  open(inbox: number): void {
    if (this.inbox === inbox) return;
    this.close();
    if (inbox !== this.shown) {
      this.feed = new PostFeed();
      this.editor.reset();
    }
    this.inbox = inbox;
    this.shown = inbox;
    void this.refresh();
  }

  /** The view is gone: no more polling. */
  close(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.inbox = null;
  }

  /** The tab is visible again: read the list now. */
  resume(): void {
    if (this.inbox !== null) void this.refresh();
  }

  /** Reads the first page again (the pages after it stay). */
  async refresh(): Promise<void> {
    const inbox = this.inbox;
    if (inbox === null) return;
    const feed = this.feed;
    const writes = this.writes;
    if (!feed.loaded) feed.loading = true;
    this.deps.store.changed();
    try {
      const page = await this.deps.api.posts(inbox, undefined, PAGE_SIZE);
      if (this.inbox !== inbox || this.feed !== feed) return;
      if (writes !== this.writes) {
        void this.refresh(); // a write came between: what was read may be older than it
        return;
      }
      feed.setFirstPage(page);
      for (const post of page.results) this.editor.refreshEditing(post);
    } catch (error) {
      if (this.feed === feed) feed.error = errorText(error);
    } finally {
      feed.loading = false;
      this.deps.store.changed();
      if (this.inbox === inbox) this.schedule();
    }
  }

  /** The next page of older posts. */
  async more(): Promise<void> {
    const feed = this.feed;
    if (!feed.next || feed.loading) return;
    feed.loading = true;
    this.deps.store.changed();
    try {
      feed.addPage(await this.deps.api.page<Post>(feed.next));
    } catch (error) {
      this.deps.toast(errorText(error), "error");
    } finally {
      feed.loading = false;
      this.deps.store.changed();
    }
  }

  /** Sends the form: a new post, or the changes to the edited one. Answers whether it went. */
  async submit(action: PostAction): Promise<boolean> {
    const { editor } = this;
    const inbox = this.inbox;
    if (inbox === null || !editor.ready) return false;
    const publishAt = action.kind === "draft" ? null : action.kind === "now" ? new Date(this.now()).toISOString() : action.kind === "schedule" ? action.at : undefined;
    const editing = editor.editing;
    editor.busy = true;
    editor.error = null;
    this.writes += 1;
    this.deps.store.changed();
    try {
      const input = editor.payload(publishAt);
      const post = editing ? await this.deps.api.updatePost(inbox, editing.id, input) : await this.deps.api.createPost(inbox, input);
      if (this.inbox !== inbox) return true;
      this.feed.upsert(post);
      editor.reset();
      this.deps.toast(doneText(action, post), "info");
      void this.refresh();
      return true;
    } catch (error) {
      editor.error = errorText(error);
      return false;
    } finally {
      editor.busy = false;
      this.deps.store.changed();
    }
  }

  /** Deletes a post (and its message in the channel); answers whether it is gone. */
  async remove(post: Post): Promise<boolean> {
    const inbox = this.inbox;
    if (inbox === null) return false;
    this.writes += 1;
    try {
      await this.deps.api.deletePost(inbox, post.id);
    } catch (error) {
      this.deps.toast(errorText(error), "error");
      return false;
    }
    this.feed.remove(post.id);
    if (this.editor.editing?.id === post.id) this.editor.reset();
    this.deps.toast(t("posts.deleted"), "info");
    this.deps.store.changed();
    void this.refresh();
    return true;
  }

  edit(post: Post): void {
    this.editor.load(post);
  }

  private schedule(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.deps.store.pageVisible) void this.refresh();
      else this.schedule();
    }, refreshDelay(this.feed.items, this.now()));
  }
}

function doneText(action: PostAction, post: Post): string {
  switch (action.kind) {
    case "draft":
      return t("posts.draftSaved");
    case "now":
      return t("posts.publishing");
    case "schedule":
      return t("posts.scheduledFor", { time: formatDateTime(post.publish_at ?? action.at) });
    case "channel":
      return t("posts.changedInChannel");
  }
}
