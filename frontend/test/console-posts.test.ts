/** The Posts view's work (src/console/posts.ts, post-editor.ts): which inboxes have a channel,
 * the list read again and polled, what each action sends, and how the console gets there. */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import type { Api } from "../src/console/api";
import { ApiError } from "../src/console/api";
import { type AddressBar, Navigation } from "../src/console/navigation";
import { PostEditor } from "../src/console/post-editor";
import { ConsolePosts, channelInboxes, POLL_MS, PostFeed, refreshDelay } from "../src/console/posts";
import type { Attachment, Inbox, Page, Post, PostInput } from "../src/console/types";
import { newStore } from "./console-fixtures";

const NOW = Date.parse("2026-03-01T12:00:00Z");

function page<T>(results: T[], next: string | null = null): Page<T> {
  return { results, next };
}

function post(id: number, fields: Partial<Post> = {}): Post {
  return {
    id,
    inbox: 4,
    text: `<b>Post ${id}</b>`,
    photo: null,
    buttons: [],
    publish_at: null,
    state: "draft",
    error: null,
    published_at: null,
    telegram_message_id: null,
    author: { id: 7, name: "Olga" },
    created_at: "2026-03-01T10:00:00Z",
    updated_at: "2026-03-01T10:00:00Z",
    ...fields,
  };
}

const photo = (id: number): Attachment => ({ id, name: `p${id}.png`, content_type: "image/png", kind: "image", size: 10, width: 80, height: 60, url: `/files/t/p${id}.png` });

function inbox(id: number, name: string, channel: string | null, kind = "telegram"): Inbox {
  return { id, name, channel: kind, team: 1, telegram: channel === null ? null : { bot_username: "bot", api_url: "", groups: false, channel } };
}

describe("which inboxes have a channel to post in", () => {
  it("lists the Telegram inboxes that name a channel, by name", () => {
    const inboxes = new Map([inbox(1, "Web", null, "web"), inbox(2, "Zeta bot", "@zeta"), inbox(3, "Alpha bot", "@alpha"), inbox(4, "Groups only", "")].map((item) => [item.id, item]));
    expect(channelInboxes(inboxes).map((item) => item.id)).toEqual([3, 2]);
    expect(channelInboxes(null)).toEqual([]);
  });
});

describe("the list of posts", () => {
  it("takes the first page read again in place of what it covers, and keeps older pages", () => {
    const feed = new PostFeed();
    feed.setFirstPage(page([post(9), post(8)], "/api/v1/inboxes/4/posts?cursor=a"));
    feed.addPage(page([post(7), post(6)], "/api/v1/inboxes/4/posts?cursor=b"));
    feed.setFirstPage(page([post(10), post(9, { state: "published" })], "/api/v1/inboxes/4/posts?cursor=c"));
    expect(feed.items.map((item) => [item.id, item.state])).toEqual([
      [10, "draft"],
      [9, "published"],
      [8, "draft"],
      [7, "draft"],
      [6, "draft"],
    ]);
    // A post deleted meanwhile is gone from what the first page covers.
    feed.setFirstPage(page([post(10), post(8)], "/api/v1/inboxes/4/posts?cursor=d"));
    expect(feed.items.map((item) => item.id)).toEqual([10, 8, 7, 6]);
    expect(feed.next).toBe("/api/v1/inboxes/4/posts?cursor=b");
  });

  it("is the first page alone when that is all there is", () => {
    const feed = new PostFeed();
    feed.setFirstPage(page([post(3)], "/next"));
    feed.addPage(page([post(2)], null));
    feed.setFirstPage(page([post(3)], null));
    expect(feed.items.map((item) => item.id)).toEqual([3]);
    expect(feed.next).toBeNull();
  });

  it("keeps the newest first as posts are written and deleted", () => {
    const feed = new PostFeed();
    feed.setFirstPage(page([post(5), post(2)]));
    feed.upsert(post(6));
    feed.upsert(post(2, { state: "scheduled" }));
    feed.remove(5);
    expect(feed.items.map((item) => [item.id, item.state])).toEqual([
      [6, "draft"],
      [2, "scheduled"],
    ]);
  });

  it("is read again every ten seconds, soon after a scheduled post falls due, and often while one is published", () => {
    expect(refreshDelay([post(1), post(2, { state: "published" })], NOW)).toBe(POLL_MS);
    const due = new Date(NOW + 5000).toISOString();
    expect(refreshDelay([post(1, { state: "scheduled", publish_at: due })], NOW)).toBe(6500);
    expect(refreshDelay([post(1, { state: "scheduled", publish_at: new Date(NOW + 3_600_000).toISOString() })], NOW)).toBe(POLL_MS);
    expect(refreshDelay([post(1, { state: "scheduled", publish_at: new Date(NOW - 5000).toISOString() })], NOW)).toBe(2000);
    expect(refreshDelay([post(1, { state: "scheduled", publish_at: new Date(NOW - 3_600_000).toISOString() })], NOW)).toBe(POLL_MS);
    expect(refreshDelay([post(1, { state: "publishing" })], NOW)).toBe(2000);
  });
});

function editor() {
  const uploads: Array<{ file: File; resolve: (attachment: Attachment) => void }> = [];
  const form = new PostEditor({
    upload: (file) => new Promise((resolve) => uploads.push({ file, resolve })),
    describe: () => "refused",
    changed: () => undefined,
  });
  return { form, uploads };
}

const imageFile = (name = "sale.png") => new File([new Uint8Array([137, 80])], name, { type: "image/png" });

describe("the post form", () => {
  it("sends a new post's text, photo, filled buttons and time", async () => {
    const { form, uploads } = editor();
    form.setText("<b>Sale</b>");
    form.addButton();
    form.setButton(form.buttons[0].key, "text", " Shop ");
    form.setButton(form.buttons[0].key, "url", "https://shop.example.com ");
    form.addButton();
    form.choosePhoto(imageFile());
    expect(form.ready).toBe(false); // the photo is uploading
    uploads[0].resolve(photo(31));
    await Promise.resolve();
    expect(form.ready).toBe(true);
    expect(form.payload(null)).toEqual({ text: "<b>Sale</b>", photo: 31, buttons: [{ text: "Shop", url: "https://shop.example.com" }], publish_at: null });
    expect(form.payload("2026-03-01T15:00:00+03:00").publish_at).toBe("2026-03-01T15:00:00+03:00");
  });

  it("counts against 1,024 characters under a photo and 4,096 without", () => {
    const { form } = editor();
    form.setText(`<b>${"x".repeat(1025)}</b>`);
    expect([form.length, form.limit, form.tooLong, form.ready]).toEqual([1025, 4096, false, true]);
    form.choosePhoto(imageFile());
    expect([form.limit, form.tooLong, form.ready]).toEqual([1024, true, false]);
    form.removePhoto();
    expect(form.limit).toBe(4096);
  });

  it("refuses a photo that is no image without uploading it", () => {
    const { form, uploads } = editor();
    form.choosePhoto(new File(["%PDF"], "price.pdf", { type: "application/pdf" }));
    expect(form.photoRefused).toBe(true);
    expect(uploads).toHaveLength(0);
  });

  it("changes an edited post's photo only when the operator changed it", () => {
    const { form } = editor();
    form.load(post(5, { photo: photo(8), buttons: [{ text: "Go", url: "https://a.example" }], state: "scheduled", publish_at: "2026-03-02T10:00:00Z" }));
    expect(form.photo?.id).toBe(8);
    expect(form.payload(undefined)).toEqual({ text: "<b>Post 5</b>", buttons: [{ text: "Go", url: "https://a.example" }] });
    form.removePhoto();
    expect(form.payload(null)).toEqual({ text: "<b>Post 5</b>", buttons: [{ text: "Go", url: "https://a.example" }], photo: null, publish_at: null });
  });

  it("sends a published post's text and buttons only", () => {
    const { form } = editor();
    form.load(post(5, { state: "published", photo: photo(8), published_at: "2026-03-01T09:00:00Z" }));
    form.setText("<i>Fixed</i>");
    expect(form.published).toBe(true);
    expect(form.payload("2026-03-01T15:00:00Z")).toEqual({ text: "<i>Fixed</i>", buttons: [] });
  });

  it("is empty again after a reset, and adds at most ten buttons", () => {
    const { form } = editor();
    for (let index = 0; index < 12; index += 1) form.addButton();
    expect(form.buttons).toHaveLength(10);
    form.reset();
    expect([form.text, form.buttons, form.editing, form.ready]).toEqual(["", [], null, false]);
  });
});

class FakePostsApi {
  calls: string[] = [];
  bodies: PostInput[] = [];
  pages: Array<Page<Post>> = [];
  failWith: ApiError | null = null;
  pending: Array<() => void> = [];
  hold = false;
  private nextId = 100;

  async posts(inbox: number): Promise<Page<Post>> {
    this.calls.push(`list ${inbox}`);
    const answer = this.pages.shift() ?? page<Post>([]);
    if (this.hold) await new Promise<void>((resolve) => this.pending.push(resolve));
    return answer;
  }
  async createPost(inbox: number, input: PostInput): Promise<Post> {
    this.calls.push(`create ${inbox}`);
    this.bodies.push(input);
    if (this.failWith) throw this.failWith;
    return post(this.nextId++, { text: input.text ?? "", state: input.publish_at ? "scheduled" : "draft", publish_at: input.publish_at ?? null });
  }
  async updatePost(inbox: number, id: number, input: PostInput): Promise<Post> {
    this.calls.push(`update ${inbox} ${id}`);
    this.bodies.push(input);
    return post(id, { text: input.text ?? "", state: "published" });
  }
  async deletePost(inbox: number, id: number): Promise<void> {
    this.calls.push(`delete ${inbox} ${id}`);
  }
  async page(next: string): Promise<Page<Post>> {
    this.calls.push(`page ${next}`);
    return this.pages.shift() ?? page<Post>([]);
  }
}

function controller() {
  const api = new FakePostsApi();
  const store = newStore();
  const toasts: string[] = [];
  const posts = new ConsolePosts({ store, api: api as unknown as Api, toast: (text) => toasts.push(text), now: () => NOW });
  return { api, store, toasts, posts };
}

const settle = async () => {
  for (let index = 0; index < 10; index += 1) await Promise.resolve();
};

describe("the Posts view's actions", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(NOW);
  });
  afterEach(() => vi.useRealTimers());

  it("reads the list when opened, then polls it while the tab is visible, and stops when closed", async () => {
    const t = controller();
    t.api.pages.push(page([post(2), post(1)]));
    t.posts.open(4);
    await settle();
    expect(t.posts.feed.items.map((item) => item.id)).toEqual([2, 1]);
    expect(t.api.calls).toEqual(["list 4"]);
    t.store.pageVisible = false;
    await vi.advanceTimersByTimeAsync(POLL_MS * 3);
    expect(t.api.calls).toEqual(["list 4"]);
    t.store.pageVisible = true;
    await vi.advanceTimersByTimeAsync(POLL_MS);
    expect(t.api.calls).toEqual(["list 4", "list 4"]);
    t.posts.close();
    await vi.advanceTimersByTimeAsync(POLL_MS * 3);
    expect(t.api.calls).toHaveLength(2);
  });

  it("keeps the form while the operator looks elsewhere, and empties it for another inbox", async () => {
    const t = controller();
    t.posts.open(4);
    await settle();
    t.posts.editor.setText("half written");
    t.posts.close();
    t.posts.open(4);
    expect(t.posts.editor.text).toBe("half written");
    t.posts.open(5);
    expect(t.posts.editor.text).toBe("");
  });

  it("publishes now with the current moment, empties the form and reads the list again", async () => {
    const t = controller();
    t.posts.open(4);
    await settle();
    t.posts.editor.setText("<b>Now</b>");
    expect(await t.posts.submit({ kind: "now" })).toBe(true);
    await settle();
    expect(t.api.bodies[0]).toEqual({ text: "<b>Now</b>", buttons: [], photo: null, publish_at: new Date(NOW).toISOString() });
    expect(t.posts.editor.text).toBe("");
    expect(t.api.calls).toEqual(["list 4", "create 4", "list 4"]);
  });

  it("keeps the form and shows the server's words when it refuses", async () => {
    const t = controller();
    t.posts.open(4);
    await settle();
    t.api.failWith = new ApiError(400, "invalid_post_text", "Telegram does not know the tag <marquee>.");
    t.posts.editor.setText("<marquee>Hi</marquee>");
    expect(await t.posts.submit({ kind: "draft" })).toBe(false);
    expect(t.posts.editor.error).toBe("Telegram does not know the tag <marquee>.");
    expect(t.posts.editor.text).toBe("<marquee>Hi</marquee>");
    expect(t.posts.feed.items).toEqual([]);
  });

  it("changes a published post in the channel with its text and buttons", async () => {
    const t = controller();
    t.api.pages.push(page([post(9, { state: "published" })]));
    t.posts.open(4);
    await settle();
    t.posts.edit(t.posts.feed.items[0]);
    t.posts.editor.setText("<b>Fixed</b>");
    await t.posts.submit({ kind: "channel" });
    expect(t.api.calls).toContain("update 4 9");
    expect(t.api.bodies[0]).toEqual({ text: "<b>Fixed</b>", buttons: [] });
  });

  it("drops a list read that started before a write, and reads it again", async () => {
    const t = controller();
    t.posts.open(4);
    await settle();
    t.api.hold = true;
    const stale = t.posts.refresh();
    t.posts.editor.setText("new");
    t.api.hold = false;
    t.api.pages.push(page([]), page([post(100)]));
    await t.posts.submit({ kind: "draft" });
    t.api.pending.shift()?.();
    await stale;
    await settle();
    expect(t.posts.feed.items.map((item) => item.id)).toEqual([100]);
  });

  it("deletes a post, and empties the form if it was being changed", async () => {
    const t = controller();
    t.api.pages.push(page([post(3)]));
    t.posts.open(4);
    await settle();
    t.posts.edit(t.posts.feed.items[0]);
    expect(await t.posts.remove(t.posts.feed.items[0])).toBe(true);
    expect(t.api.calls).toContain("delete 4 3");
    expect(t.posts.editor.editing).toBeNull();
    expect(t.posts.feed.items).toEqual([]);
  });
});

class FakeAddressBar implements AddressBar {
  constructor(public hash = "") {}
  replace(hash: string): void {
    this.hash = hash;
  }
}

function navigation(hash = "") {
  const store = newStore();
  const address = new FakeAddressBar(hash);
  const calls: string[] = [];
  const nav = new Navigation({
    store,
    storage: null,
    address,
    typingInComposer: () => false,
    run: () => undefined,
    loadList: async () => void calls.push("list"),
    fetchConversation: async () => undefined,
    loadContact: async () => undefined,
    loadMessages: async () => undefined,
    stopTyping: () => void calls.push("stop typing"),
    focusComposer: () => undefined,
    clearSearch: () => void calls.push("clear search"),
    notificationRead: async () => undefined,
  });
  return { store, address, calls, nav };
}

describe("getting to the Posts view", () => {
  it("shows the posts of an inbox, with no conversation open behind them, in the address bar", () => {
    const t = navigation();
    t.store.selected = 12;
    t.nav.showPosts(4);
    expect([t.store.view, t.store.postsInbox, t.store.selected]).toEqual(["posts", 4, null]);
    expect(t.address.hash).toBe("#view=posts&inbox=4");
    expect(t.calls).toEqual(["stop typing", "clear search"]);
  });

  it("comes back to the view from the address bar (a reload)", () => {
    const t = navigation("#view=posts&inbox=4");
    t.nav.readLocation();
    expect([t.store.view, t.store.postsInbox]).toEqual(["posts", 4]);
  });

  it("goes back to the conversations with a folder or a conversation", () => {
    const t = navigation();
    t.nav.showPosts(null);
    expect(t.address.hash).toBe("#view=posts");
    t.nav.showFolder({ kind: "all" });
    expect(t.store.view).toBe("conversations");
    expect(t.address.hash).toBe("#folder=all&status=open");
    t.nav.showPosts();
    void t.nav.openConversation(5);
    expect(t.store.view).toBe("conversations");
  });
});
