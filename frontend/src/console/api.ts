/** The operator REST API (api-v1.md section 1), authenticated by the login page's session
 * cookie plus the CSRF token header, as DRF's SessionAuthentication requires. */

import { errorOf, jsonOf } from "../shared/http";
import { uploadFile } from "../shared/upload";
import type {
  Attachment,
  CannedResponse,
  ContactDetail,
  Conversation,
  ConversationCounts,
  Inbox,
  Me,
  MentionNotification,
  Message,
  OperatorInfo,
  Page,
  Post,
  PostInput,
  PostState,
  Priority,
  Resolution,
  Team,
  Webhook,
  WebhookDelivery,
  WebhookDeliveryDetail,
  WebhookDeliveryStatus,
  WebhookInput,
} from "./types";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** A refused input's fields, each with its reasons (DRF's validation detail). */
    readonly fields?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** The words of an error for a toast: the server's message, else the error's own. */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) return error.message || error.code;
  if (error instanceof Error) return error.message;
  return String(error);
}

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export function csrfFromCookie(cookie: string): string | null {
  for (const part of cookie.split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name === "csrftoken") return decodeURIComponent(rest.join("="));
  }
  return null;
}

export interface ApiOptions {
  base: string;
  csrfToken: () => string;
  language: () => string;
  fetch?: FetchLike;
  onUnauthenticated?: () => void;
}

export class Api {
  private readonly fetcher: FetchLike;

  constructor(private readonly options: ApiOptions) {
    this.fetcher = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  /** A `next` link of a page, made relative so it follows this page's origin and scheme. */
  static relative(url: string): string {
    try {
      const parsed = new URL(url, "http://localhost");
      return parsed.pathname + parsed.search;
    } catch {
      return url;
    }
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const url = path.startsWith("/") ? path : this.options.base + path;
    const headers: Record<string, string> = {
      Accept: "application/json",
      "Accept-Language": this.options.language(),
    };
    if (method !== "GET") {
      headers["Content-Type"] = "application/json";
      headers["X-CSRFToken"] = this.options.csrfToken();
    }
    let response: Response;
    try {
      response = await this.fetcher(url, {
        method,
        headers,
        credentials: "same-origin",
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new ApiError(0, "network", error instanceof Error ? error.message : String(error));
    }
    if (response.status === 204) return undefined as T;
    const data = await jsonOf(response);
    if (!response.ok) {
      const error = errorOf(data);
      if (response.status === 401) this.options.onUnauthenticated?.();
      throw new ApiError(response.status, error?.code ?? "http_" + response.status, error?.message ?? response.statusText, error?.fields);
    }
    return data as T;
  }

  get<T>(path: string, params?: URLSearchParams): Promise<T> {
    const query = params && [...params.keys()].length ? `?${params.toString()}` : "";
    return this.request<T>("GET", path + query);
  }

  // --- operators ------------------------------------------------------------------------------
  me(): Promise<Me> {
    return this.get<Me>("me");
  }
  setMyStatus(status: string): Promise<Me> {
    return this.request<Me>("PATCH", "me", { status });
  }
  /** The language the helpdesk writes to the operator in (the nightly summary's email). */
  setMyLanguage(language: string): Promise<Me> {
    return this.request<Me>("PATCH", "me", { language });
  }
  operators(): Promise<Page<OperatorInfo>> {
    return this.get<Page<OperatorInfo>>("operators");
  }
  teams(): Promise<Page<Team>> {
    return this.get<Page<Team>>("teams");
  }
  inboxes(): Promise<Page<Inbox>> {
    return this.get<Page<Inbox>>("inboxes");
  }

  // --- conversations --------------------------------------------------------------------------
  conversations(params: URLSearchParams): Promise<Page<Conversation>> {
    return this.get<Page<Conversation>>("conversations", params);
  }
  counts(): Promise<ConversationCounts> {
    return this.get<ConversationCounts>("conversations/counts");
  }
  page<T>(next: string): Promise<Page<T>> {
    return this.get<Page<T>>(Api.relative(next));
  }
  conversation(id: number): Promise<Conversation> {
    return this.get<Conversation>(`conversations/${id}`);
  }
  messages(id: number, afterSeq: number, limit = 500): Promise<Page<Message>> {
    return this.get<Page<Message>>(
      `conversations/${id}/messages`,
      new URLSearchParams({ after_seq: String(afterSeq), limit: String(limit) }),
    );
  }
  sendMessage(id: number, body: string, clientId: string, isPrivate: boolean, attachments: number[] = []): Promise<Message> {
    const payload: Record<string, unknown> = { client_id: clientId, private: isPrivate };
    if (body.trim() || attachments.length === 0) payload.body = body;
    if (attachments.length) payload.attachments = attachments;
    return this.request<Message>("POST", `conversations/${id}/messages`, payload);
  }
  /** Sends a failed reply again through its channel; answers the message as it is now. */
  retryDelivery(conversation: number, message: number): Promise<Message> {
    return this.request<Message>("POST", `conversations/${conversation}/messages/${message}/retry`, {});
  }
  /** Deletes a contact's message from its Telegram group (it stays here, marked hidden). */
  hideMessage(conversation: number, message: number): Promise<Message> {
    return this.request<Message>("POST", `conversations/${conversation}/messages/${message}/hide`, {});
  }

  // --- attachments ----------------------------------------------------------------------------
  /** Uploads a file for the operator's next message (with the session cookie and the CSRF
   * token, as every other call); rejects with the server's error. */
  upload(file: File, progress: (fraction: number) => void, signal: AbortSignal): Promise<Attachment> {
    const headers = { Accept: "application/json", "Accept-Language": this.options.language(), "X-CSRFToken": this.options.csrfToken() };
    return uploadFile({ url: `${this.options.base}attachments`, headers, withCredentials: true }, file, file.name, progress, signal);
  }
  assign(id: number, target: { operator: number } | { team: number }, note?: string): Promise<Conversation> {
    return this.request<Conversation>("POST", `conversations/${id}/assign`, note ? { ...target, note } : target);
  }
  setStatus(id: number, status: string, resolution: Resolution = {}): Promise<Conversation> {
    return this.request<Conversation>("POST", `conversations/${id}/status`, { status, ...resolution });
  }
  setLabels(id: number, labels: string[]): Promise<Conversation> {
    return this.request<Conversation>("POST", `conversations/${id}/labels`, { labels });
  }
  setPriority(id: number, priority: Priority): Promise<Conversation> {
    return this.request<Conversation>("POST", `conversations/${id}/priority`, { priority });
  }

  // --- channel posts (a Telegram inbox's channel) --------------------------------------------
  posts(inbox: number, state?: PostState, limit = 20): Promise<Page<Post>> {
    const params = new URLSearchParams({ limit: String(limit) });
    if (state) params.set("state", state);
    return this.get<Page<Post>>(`inboxes/${inbox}/posts`, params);
  }
  createPost(inbox: number, input: PostInput): Promise<Post> {
    return this.request<Post>("POST", `inboxes/${inbox}/posts`, input);
  }
  /** A draft, scheduled or failed post changes in anything; a published one in its text and
   * buttons only (edited in the channel too). */
  updatePost(inbox: number, id: number, changes: PostInput): Promise<Post> {
    return this.request<Post>("PATCH", `inboxes/${inbox}/posts/${id}`, changes);
  }
  /** Deletes a post (and its message in the channel, once published). */
  deletePost(inbox: number, id: number): Promise<void> {
    return this.request<void>("DELETE", `inboxes/${inbox}/posts/${id}`);
  }

  // --- outbound webhooks and their delivery log (admins only) --------------------------------
  webhooks(): Promise<Page<Webhook>> {
    return this.get<Page<Webhook>>("webhooks");
  }
  createWebhook(input: WebhookInput): Promise<Webhook> {
    return this.request<Webhook>("POST", "webhooks", input);
  }
  /** An API inbox's webhook answers 409 `api_inbox_webhook`: it changes with its inbox. */
  updateWebhook(id: number, changes: WebhookInput): Promise<Webhook> {
    return this.request<Webhook>("PATCH", `webhooks/${id}`, changes);
  }
  deleteWebhook(id: number): Promise<void> {
    return this.request<void>("DELETE", `webhooks/${id}`);
  }
  /** A new signing secret; the old one signs nothing from now on. */
  rotateWebhookSecret(id: number): Promise<Webhook> {
    return this.request<Webhook>("POST", `webhooks/${id}/secret`, {});
  }
  /** A webhook's deliveries, newest first (keyset: follow `next` with `page`). */
  webhookDeliveries(id: number, status: WebhookDeliveryStatus | null, limit = 25): Promise<Page<WebhookDelivery>> {
    const params = new URLSearchParams({ limit: String(limit) });
    if (status) params.set("status", status);
    return this.get<Page<WebhookDelivery>>(`webhooks/${id}/deliveries`, params);
  }
  /** A delivery with the JSON it posts. */
  webhookDelivery(id: number, delivery: string): Promise<WebhookDeliveryDetail> {
    return this.get<WebhookDeliveryDetail>(`webhooks/${id}/deliveries/${encodeURIComponent(delivery)}`);
  }
  /** Sends a delivery again with the same id (409 `delivery_in_flight` while it is being sent). */
  resendDelivery(id: number, delivery: string): Promise<WebhookDelivery> {
    return this.request<WebhookDelivery>("POST", `webhooks/${id}/deliveries/${encodeURIComponent(delivery)}/resend`, {});
  }

  // --- contacts, labels, canned responses, notifications --------------------------------------
  contact(id: number): Promise<ContactDetail> {
    return this.get<ContactDetail>(`contacts/${id}`);
  }
  updateContact(id: number, changes: Partial<Pick<ContactDetail, "name" | "email" | "phone" | "vip" | "notes">>): Promise<ContactDetail> {
    return this.request<ContactDetail>("PATCH", `contacts/${id}`, changes);
  }
  /** Merges `other` into contact `id` (supervisors and admins): its conversations and details
   * move here, it is deleted; answers the merged contact. */
  mergeContact(id: number, other: number): Promise<ContactDetail> {
    return this.request<ContactDetail>("POST", `contacts/${id}/merge`, { other });
  }
  contacts(q: string): Promise<Page<ContactDetail>> {
    return this.get<Page<ContactDetail>>("contacts", new URLSearchParams({ q }));
  }
  labels(): Promise<Page<{ id: number; name: string }>> {
    return this.get<Page<{ id: number; name: string }>>("labels");
  }
  cannedResponses(q = ""): Promise<Page<CannedResponse>> {
    return this.get<Page<CannedResponse>>("canned-responses", q ? new URLSearchParams({ q }) : undefined);
  }
  notifications(): Promise<Page<MentionNotification>> {
    return this.get<Page<MentionNotification>>("notifications");
  }
  notificationRead(id: number): Promise<unknown> {
    return this.request<unknown>("POST", `notifications/${id}/read`, {});
  }
}
