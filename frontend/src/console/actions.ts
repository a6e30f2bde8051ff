/**
 * What the operator does to a conversation, a contact or themself over REST: assign or transfer,
 * change the status, labels or priority, resolve and move on (the keyboard shortcut), send a
 * failed reply again through its channel, hide a contact's message from its Telegram group, edit
 * the contact or merge another into it, set their own status. The answer goes into the store; a
 * refusal becomes a toast.
 */

import { type Api, errorText } from "./api";
import type { Effect } from "./frames";
import type { ConsoleStore } from "./store";
import type { ContactDetail, Conversation, Message, OperatorStatus, Priority, Resolution } from "./types";

export type ContactChanges = Partial<Pick<ContactDetail, "name" | "email" | "phone" | "vip" | "notes">>;

export interface ActionDeps {
  store: ConsoleStore;
  api: Api;
  run(effects: Effect[]): void;
  toast(text: string, kind: "error" | "info"): void;
  /** Opens a conversation (navigation.ts). */
  open(id: number): void;
}

export class ConversationActions {
  constructor(private readonly deps: ActionDeps) {}

  assign(id: number, target: { operator: number } | { team: number }, note?: string): Promise<boolean> {
    return this.act(() => this.deps.api.assign(id, target, note?.trim() ? note : undefined));
  }

  setStatus(id: number, status: "open" | "pending" | "resolved"): Promise<boolean> {
    return this.act(() => this.deps.api.setStatus(id, status));
  }

  /** Resolve with an outcome (or give a resolved conversation its outcome afterwards). */
  resolveAs(id: number, resolution: Resolution): Promise<boolean> {
    return this.act(() => this.deps.api.setStatus(id, "resolved", resolution));
  }

  setLabels(id: number, labels: string[]): Promise<boolean> {
    return this.act(() => this.deps.api.setLabels(id, labels));
  }

  setPriority(id: number, priority: Priority): Promise<boolean> {
    return this.act(() => this.deps.api.setPriority(id, priority));
  }

  /** Resolve, or reopen a resolved conversation (the keyboard shortcut); a resolved one gives
   * way to the next of the list. */
  async toggleResolved(): Promise<void> {
    const { store } = this.deps;
    const id = store.selected;
    const conversation = id === null ? undefined : store.conversations.get(id);
    if (!conversation) return;
    const resolving = conversation.status !== "resolved";
    const next = resolving ? store.neighbour(1) : null;
    const done = await this.setStatus(conversation.id, resolving ? "resolved" : "open");
    if (done && resolving && next !== null && store.folder.kind !== "resolved" && store.selected === conversation.id) {
      this.deps.open(next);
    }
  }

  /** Sends a reply whose delivery failed again through its channel (Telegram). */
  retryDelivery(conversation: number, message: number): Promise<boolean> {
    return this.actOnMessage(() => this.deps.api.retryDelivery(conversation, message));
  }

  /** Deletes a contact's message from its Telegram group; it stays here, marked hidden. */
  hideMessage(conversation: number, message: number): Promise<boolean> {
    return this.actOnMessage(() => this.deps.api.hideMessage(conversation, message));
  }

  async updateContact(id: number, changes: ContactChanges): Promise<boolean> {
    try {
      const contact = await this.deps.api.updateContact(id, changes);
      this.deps.store.contacts.set(id, contact);
      this.deps.store.changed();
      return true;
    } catch (error) {
      this.deps.toast(errorText(error), "error");
      return false;
    }
  }

  /** Merges contact `other` into `id` (supervisors and admins): the answer, the merged contact
   * with the conversations of both, replaces the one held, and the conversations the console
   * already shows take their contact from it (their frames come too, later). */
  async mergeContact(id: number, other: number): Promise<boolean> {
    const { store } = this.deps;
    try {
      const contact = await this.deps.api.mergeContact(id, other);
      const effects: Effect[] = [];
      for (const conversation of contact.conversations) {
        if (store.conversations.has(conversation.id)) effects.push(...store.applyConversation(conversation));
      }
      store.contacts.delete(other);
      store.contacts.set(id, contact);
      this.deps.run(effects);
      store.changed();
      return true;
    } catch (error) {
      this.deps.toast(errorText(error), "error");
      return false;
    }
  }

  /** The console's language, kept on the server too for what it sends by email. */
  async setMyLanguage(language: string): Promise<void> {
    try {
      await this.deps.api.setMyLanguage(language);
    } catch {
      /* the console's own choice stands; the email keeps the previous language */
    }
  }

  async setMyStatus(status: OperatorStatus): Promise<void> {
    try {
      const me = await this.deps.api.setMyStatus(status);
      this.deps.store.applyOperator(me);
      this.deps.store.changed();
    } catch (error) {
      this.deps.toast(errorText(error), "error");
    }
  }

  /** The changed message replaces the one held (its frame, which also comes, then changes
   * nothing more). */
  private async actOnMessage(action: () => Promise<Message>): Promise<boolean> {
    try {
      const message = await action();
      this.deps.run(this.deps.store.applyMessage(message));
      this.deps.store.changed();
      return true;
    } catch (error) {
      this.deps.toast(errorText(error), "error");
      return false;
    }
  }

  private async act(action: () => Promise<Conversation>): Promise<boolean> {
    try {
      const conversation = await action();
      this.deps.run(this.deps.store.applyConversation(conversation));
      this.deps.store.changed();
      return true;
    } catch (error) {
      this.deps.toast(errorText(error), "error");
      return false;
    }
  }
}
