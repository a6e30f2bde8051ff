/** The contract's objects as the console receives them (api-v1.md sections 1 and 3), plus the
 * optional fields some endpoints add. Anything optional may be missing from an older server. */

import type { Delivery, Message } from "../protocol/log";
import type { Attachment } from "../shared/attachments";

export type { Attachment, Delivery, Message };

export type OperatorStatus = "online" | "away" | "offline";
export type Role = "agent" | "supervisor" | "admin";
export type ConversationStatus = "open" | "pending" | "resolved";
export type Priority = "none" | "low" | "medium" | "high" | "urgent";

export interface OperatorInfo {
  id: number;
  name: string;
  username?: string;
  role: Role | string;
  status: OperatorStatus | string;
  teams?: number[];
}

export interface Me extends OperatorInfo {
  username: string;
  teams: number[];
}

export interface Team {
  id: number;
  name: string;
}

export interface Inbox {
  id: number;
  name: string;
  channel: string;
  team: number;
  /** A Telegram inbox's bot; `channel` is the channel its posts go to ("" when none). */
  telegram?: InboxTelegram | null;
}

export interface InboxTelegram {
  bot_username: string;
  api_url: string;
  groups: boolean;
  channel: string;
}

export interface ContactBrief {
  id: number;
  name: string;
  email: string;
  vip: boolean;
}

export interface LastMessage {
  body: string;
  author_kind: Message["author"]["kind"];
  private: boolean;
  created_at: string;
}

export interface Conversation {
  id: number;
  inbox: number;
  status: ConversationStatus;
  priority: Priority;
  assignee: { id: number; name: string } | null;
  team: number | null;
  labels: string[];
  contact: ContactBrief;
  created_at: string;
  last_activity_at: string;
  queue_position: number | null;
  last_message?: LastMessage | null;
  last_seq?: number;
  agent_read_seq?: number;
  /** The page the visitor opened the chat on, where the server sends it. */
  page_url?: string;
  page?: { url: string; title?: string } | null;
  /** How the last resolve ended (kept over a reopen), and the visitor's rating. */
  outcome?: Outcome | null;
  sale_amount?: string | null;
  csat?: Csat | null;
  /** What it is about, where its channel says: an email's subject ("" for other channels). */
  subject?: string;
  /** Its inbox's channel, and for Telegram the user (and the group) it is with. */
  channel?: Channel;
  telegram?: TelegramChat | null;
}

export type Channel = "web" | "telegram" | "email" | "api";

export interface TelegramChat {
  /** The Telegram user's id. */
  id: number;
  username: string | null;
  /** The user blocked the bot: replies cannot reach them. */
  blocked: boolean;
  chat: "private" | "group";
  group_title: string | null;
}

export const OUTCOMES = ["solved", "not_solved", "sale", "forwarded", "spam"] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface Csat {
  rating: number;
  comment: string;
  created_at: string;
}

/** What a resolve may say besides the status. */
export interface Resolution {
  outcome?: Outcome;
  sale_amount?: string;
  labels?: string[];
}

export interface ContactDetail extends ContactBrief {
  phone: string;
  account_manager: number | null;
  notes: string;
  conversations: Conversation[];
  page?: { url: string; title?: string } | null;
  page_url?: string;
  /** Other contacts with the same email or phone number, maybe the same person: filled for
   * supervisors and admins (who may merge), empty for agents. */
  merge_suggestions?: MergeSuggestion[];
}

/** Another contact that may be the same person (`ContactDetail.merge_suggestions`). */
export interface MergeSuggestion {
  id: number;
  name: string;
  email: string;
  phone: string;
}

export interface CannedResponse {
  id: number;
  shortcut: string;
  title: string;
  body: string;
  scope: "personal" | "team";
  team: number | null;
  owner: number | null;
}

/** What a notification is about (`docs/protocol.md`, the `notification` frame). */
export type NotificationKind = "mention" | "assigned" | "team_transfer" | "key_account" | "reassigned";

/** A notification of any kind (the name is historical: mentions came first). */
export interface MentionNotification {
  id: number;
  kind: NotificationKind | string;
  conversation: number;
  message: number | null;
  by: { id: number; name: string } | null;
  created_at: string;
  read: boolean;
}

/** A list's counters (`GET /api/v1/conversations/counts`): conversations with an unread
 * message from the contact, and how many are open and pending (resolved ones never count). */
export interface ListCount {
  unread: number;
  open: number;
  pending: number;
}

export interface ConversationCounts {
  mine: ListCount;
  unassigned: ListCount;
  all: ListCount;
  resolved: { unread: number };
  teams: Array<ListCount & { id: number }>;
  labels: Array<ListCount & { name: string }>;
}

/** A post for a Telegram inbox's channel (docs/telegram.md, "Channel posts"). */
export type PostState = "draft" | "scheduled" | "publishing" | "published" | "failed";

export interface PostButton {
  text: string;
  url: string;
}

export interface Post {
  id: number;
  inbox: number;
  /** Telegram's HTML. */
  text: string;
  photo: Attachment | null;
  buttons: PostButton[];
  publish_at: string | null;
  state: PostState;
  /** Why it failed. */
  error: string | null;
  published_at: string | null;
  telegram_message_id: number | null;
  author: { id: number; name: string } | null;
  created_at: string;
  updated_at: string;
}

/** What a post is written or changed with: `photo` an uploaded attachment's id; `publish_at`
 * null for a draft, now or later to publish. */
export interface PostInput {
  text?: string;
  photo?: number | null;
  buttons?: PostButton[];
  publish_at?: string | null;
}

/** The facts an outbound webhook may take (api-v1.md section 4, "Outbound webhooks"). */
export const WEBHOOK_EVENTS = [
  "conversation.created",
  "conversation.assigned",
  "conversation.resolved",
  "conversation.reopened",
  "message.created",
  "csat.created",
  "contact.updated",
] as const;
export type WebhookEventName = (typeof WEBHOOK_EVENTS)[number];

/** An outbound webhook (admins only). `inbox` set: an API inbox's own, read-only here, whose
 * `secret` is null (shown once, when the inbox was made). */
export interface Webhook {
  id: number;
  url: string;
  events: string[];
  secret: string | null;
  include_private: boolean;
  inbox: number | null;
  /** Its last delivery attempt failed. */
  failing: boolean;
  created_at: string;
}

export interface WebhookInput {
  url?: string;
  events?: string[];
  include_private?: boolean;
}

export type WebhookDeliveryStatus = "pending" | "delivered" | "failed";
export const WEBHOOK_DELIVERY_STATUSES: readonly WebhookDeliveryStatus[] = ["pending", "delivered", "failed"];

/** One attempt to post a delivery. */
export interface WebhookTry {
  at: string;
  /** null: no answer. */
  response_code: number | null;
  error: string;
  duration_ms: number;
}

/** One fact posted to one webhook; `id` is the X-Helpdesk-Delivery header, the same on retries. */
export interface WebhookDelivery {
  id: string;
  event: string;
  conversation: number | null;
  status: WebhookDeliveryStatus;
  attempts: number;
  /** The last answer's. */
  response_code: number | null;
  /** Why the last attempt failed ("" when it did not). */
  error: string;
  created_at: string;
  last_attempt_at: string | null;
  /** A pending delivery's next try. */
  next_attempt_at: string | null;
  delivered_at: string | null;
  /** The latest attempts, newest first (at most five). */
  tries: WebhookTry[];
}

/** A delivery with the JSON it posts, exactly. */
export interface WebhookDeliveryDetail extends WebhookDelivery {
  body: string;
}

export interface Page<T> {
  results: T[];
  next: string | null;
}

/** The bootstrap data block of templates/console.html (operators/views.py). */
export interface ConsoleConfig {
  me: Me;
  operators: OperatorInfo[];
  teams: Team[];
  priorities: Priority[];
  /** The account's currency (ISO 4217), for sale amounts. */
  currency?: string;
  csrf_token: string;
  urls: { api: string; socket: string; logout: string; admin: string | null; reports: string | null };
}
