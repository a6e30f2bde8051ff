/**
 * What a frame from the console socket (or a message or conversation from REST) does to the
 * store, and what the controller should do about it, as effects: fetch a conversation it does
 * not know, ask for messages after a gap, send a read mark, refresh the sidebar's counters,
 * raise an alert, resync after a reconnect. No I/O here: the controller performs the effects.
 */

import type { Frame } from "../protocol/client";
import { COUNTS_SETTLE_MS } from "./counts";
import { later } from "./conversation-list";
import type { ConsoleStore } from "./store";
import type { Conversation, LastMessage, MentionNotification, Message, OperatorInfo } from "./types";

export type Effect =
  | { type: "fetchConversation"; id: number }
  | { type: "fetchMessages"; id: number }
  | { type: "markRead"; id: number; seq: number }
  /** The sidebar's counters may have changed: refresh them from the server, `delay` ms on. */
  | { type: "refreshCounts"; delay: number }
  | { type: "alert"; kind: "conversation" | "message" | "notification"; conversation: number; title: string; body: string; notification?: MentionNotification }
  | { type: "resync" };

/** A conversation frame for a conversation this recent counts as a new one (an alert). */
const NEW_CONVERSATION_MS = 120_000;

export function preview(message: Message): LastMessage {
  return {
    body: message.body.slice(0, 140),
    author_kind: message.author.kind,
    private: message.private,
    created_at: message.created_at,
  };
}

/** The conversation with `message` as its preview if it is the latest known, and its last seq
 * moved up to `seq`. */
export function withLatest(conversation: Conversation, message: Message, seq: number): Conversation {
  const newer = !conversation.last_message || Date.parse(message.created_at) >= Date.parse(conversation.last_message.created_at);
  return {
    ...conversation,
    last_message: newer ? preview(message) : conversation.last_message,
    last_seq: conversation.last_seq === undefined ? undefined : Math.max(conversation.last_seq, seq),
  };
}

/** Whether a change of a known conversation may move the sidebar's counters: its lists
 * (status, assignee, team, labels) or how far the operators have read. */
function movesCounters(before: Conversation, after: Conversation): boolean {
  return (
    before.status !== after.status ||
    (before.assignee?.id ?? null) !== (after.assignee?.id ?? null) ||
    before.team !== after.team ||
    after.agent_read_seq !== before.agent_read_seq ||
    before.labels.length !== after.labels.length ||
    before.labels.some((label, index) => after.labels[index] !== label)
  );
}

export function applyFrame(store: ConsoleStore, frame: Frame): Effect[] {
  const effects: Effect[] = [];
  switch (frame.type) {
    case "welcome": {
      const operator = frame.operator as OperatorInfo | undefined;
      if (operator) store.applyOperator(operator);
      if (store.welcomed) effects.push({ type: "resync" });
      store.welcomed = true;
      break;
    }
    case "message":
    case "ack":
      if (frame.message && typeof frame.message === "object") {
        effects.push(...applyMessage(store, frame.message as Message, frame.type === "ack"));
      }
      break;
    case "conversation":
      if (frame.conversation && typeof frame.conversation === "object") {
        effects.push(...applyConversation(store, frame.conversation as Conversation));
      }
      break;
    case "typing":
      store.typingIndicators.apply(frame, store.me.id, store.now);
      break;
    case "read":
      if (typeof frame.conversation === "number" && typeof frame.seq === "number") {
        const before = store.visitorRead.get(frame.conversation) ?? 0;
        store.visitorRead.set(frame.conversation, Math.max(before, frame.seq));
      }
      break;
    case "operator":
      if (frame.operator && typeof frame.operator === "object") store.applyOperator(frame.operator as OperatorInfo);
      break;
    case "notification":
      if (frame.notification && typeof frame.notification === "object") {
        effects.push(...applyNotification(store, frame.notification as MentionNotification));
      }
      break;
    default:
      return effects; // pong, error and frames this console does not know: nothing changed
  }
  store.changed();
  return effects;
}

/** A message from a frame, or the answer to the operator's own send (`ownAck`). One whose id
 * the conversation's log has is an update: it replaces the one held (same seq), never a
 * second copy, and raises nothing. */
export function applyMessage(store: ConsoleStore, message: Message, ownAck = false): Effect[] {
  const effects: Effect[] = [];
  const id = message.conversation;
  const fromMe = message.author.kind === "operator" && message.author.id === store.me.id;
  const { fresh, gap } = store.messageLogs.addLive(message, store.me.id);
  if (gap) effects.push({ type: "fetchMessages", id });
  const conversation = store.conversations.get(id);
  // New to this console: not in its log, nor at or below the seq its conversation is at.
  const isNew = fresh && (conversation?.last_seq === undefined || message.seq > conversation.last_seq);
  if (!conversation) effects.push({ type: "fetchConversation", id });
  else {
    const latest = withLatest(conversation, message, message.seq);
    store.conversations.set(id, { ...latest, last_activity_at: later(message.created_at, conversation.last_activity_at) });
  }
  // (A message the log had is an update of it, in place: its delivery, an edit, hidden.)
  if (fresh && message.author.kind === "visitor") store.typingIndicators.clear(id, "visitor");
  if (fresh && message.author.kind === "operator" && message.author.id !== null) store.typingIndicators.clear(id, `operator:${message.author.id}`);
  // The contact's message makes its conversation unread, an operator's reads it (system and
  // bot messages do neither): the counters may change.
  if (isNew && (message.author.kind === "visitor" || message.author.kind === "operator")) {
    effects.push({ type: "refreshCounts", delay: COUNTS_SETTLE_MS });
  }
  if (fromMe) {
    store.unreadCounts.readCounting(id, message.seq);
    return effects;
  }
  if (ownAck || !fresh) return effects;
  if (store.selected === id && store.pageVisible) {
    effects.push(...store.readEffects(id, message.seq));
  } else if (conversation === undefined || conversation.last_seq === undefined) {
    store.unreadCounts.countLive(id);
  }
  if (message.author.kind === "visitor" && !store.gone.has(id)) {
    const name = conversation?.contact.name || message.author.name;
    effects.push({ type: "alert", kind: "message", conversation: id, title: name, body: message.body.slice(0, 200) });
  }
  return effects;
}

/** A conversation from a frame or REST: merged, the contact's detail kept in step. */
export function applyConversation(store: ConsoleStore, conversation: Conversation): Effect[] {
  const known = store.conversations.get(conversation.id);
  const unknown = store.upsert(conversation);
  const contact = store.contacts.get(conversation.contact.id);
  if (contact) {
    store.contacts.set(contact.id, {
      ...contact,
      ...conversation.contact,
      conversations: contact.conversations.map((past) => (past.id === conversation.id ? { ...past, ...conversation } : past)),
    });
  }
  const effects: Effect[] = [];
  const merged = store.conversations.get(conversation.id);
  if (known === undefined || merged === undefined || movesCounters(known, merged)) {
    effects.push({ type: "refreshCounts", delay: COUNTS_SETTLE_MS });
  }
  const recent = store.now - Date.parse(conversation.created_at) < NEW_CONVERSATION_MS;
  if (unknown && recent && conversation.status === "open" && !store.gone.has(conversation.id)) {
    effects.push({
      type: "alert",
      kind: "conversation",
      conversation: conversation.id,
      title: conversation.contact.name,
      body: conversation.last_message?.body ?? "",
    });
  }
  return effects;
}

export function applyNotification(store: ConsoleStore, notification: MentionNotification): Effect[] {
  if (!store.notificationList.add(notification) || notification.read) return [];
  const by = notification.by?.name ?? "";
  return [{ type: "alert", kind: "notification", conversation: notification.conversation, title: by, body: "", notification }];
}
