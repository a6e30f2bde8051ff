/**
 * The search box: conversations and contacts that match, asked together (a newer query wins
 * over an older answer); a contact found opens their latest conversation.
 */

import { type Api, ApiError, errorText } from "./api";
import type { ConsoleStore } from "./store";
import type { ContactDetail, Conversation } from "./types";

/** The longest query sent. */
const QUERY_MAX = 200;

export interface SearchDeps {
  store: ConsoleStore;
  api: Api;
  /** Loads a contact's detail, with their conversations (sync.ts). */
  loadContact(id: number, force: boolean): Promise<void>;
  /** Opens a conversation (navigation.ts). */
  open(id: number): Promise<void>;
}

export class ConsoleSearch {
  private seq = 0;

  constructor(private readonly deps: SearchDeps) {}

  async search(query: string): Promise<void> {
    const { store, api } = this.deps;
    const q = query.trim();
    const seq = ++this.seq;
    if (!q) {
      this.clear();
      return;
    }
    store.search = { query: q, loading: true, conversations: [], contacts: [], error: null };
    store.changed();
    const [conversations, contacts] = await Promise.allSettled([
      api.conversations(new URLSearchParams({ q: q.slice(0, QUERY_MAX), limit: "50" })),
      store.features.contactSearch ? api.contacts(q.slice(0, QUERY_MAX)) : Promise.resolve({ results: [], next: null }),
    ]);
    if (seq !== this.seq) return;
    const state = { query: q, loading: false, conversations: [] as Conversation[], contacts: [] as ContactDetail[], error: null as string | null };
    if (conversations.status === "fulfilled") {
      state.conversations = conversations.value.results;
      for (const conversation of state.conversations) store.upsert(conversation);
    } else state.error = errorText(conversations.reason);
    if (contacts.status === "fulfilled") state.contacts = contacts.value.results as ContactDetail[];
    else if (contacts.reason instanceof ApiError && contacts.reason.status === 404) store.features.contactSearch = false;
    store.search = state;
    store.changed();
  }

  clear(): void {
    this.seq += 1;
    if (this.deps.store.search !== null) {
      this.deps.store.search = null;
      this.deps.store.changed();
    }
  }

  async openContact(contact: ContactDetail): Promise<void> {
    // A search result may come without its conversations: the detail has them.
    await this.deps.loadContact(contact.id, true);
    const latest: Conversation | undefined = this.deps.store.contacts.get(contact.id)?.conversations?.[0] ?? contact.conversations?.[0];
    if (latest) {
      this.deps.store.upsert(latest);
      await this.deps.open(latest.id);
    }
  }
}
