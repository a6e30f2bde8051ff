/** The widget's REST API (`/api/widget/v1/`, contract section 2), plus the contact extension. */
import type { Message } from "../protocol/log";
import type { Attachment } from "../shared/attachments";
import { errorOf, jsonOf } from "../shared/http";
import { uploadFile } from "../shared/upload";
import type { Conversation, InboxInfo } from "./store";

export interface Identity {
  external_id: string;
  name?: string;
  email?: string;
  hash: string;
}

export interface SessionRequest {
  inbox_key: string;
  visitor_token: string | null;
  locale: string;
  page: { url: string; title: string };
  identity: Identity | null;
}

export interface Session {
  visitor_token: string;
  inbox: InboxInfo;
  conversation: Conversation | null;
}

export interface ContactFields {
  name?: string;
  email?: string;
  phone?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** A message's fields (a frame's or a REST body's): the body, left out when the files stand
 * alone, and the ids of the files it carries. */
export function messagePayload<T extends Record<string, unknown>>(base: T, body: string, attachments: readonly number[]): T & { body?: string; attachments?: number[] } {
  const payload: T & { body?: string; attachments?: number[] } = { ...base };
  if (body.trim() || attachments.length === 0) payload.body = body;
  if (attachments.length) payload.attachments = [...attachments];
  return payload;
}

export class WidgetApi {
  constructor(
    private readonly base: string,
    private readonly locale: string,
    private readonly fetchImpl: FetchLike = (input, init) => globalThis.fetch(input, init),
  ) {}

  session(request: SessionRequest): Promise<Session> {
    return this.call("POST", "sessions", null, request);
  }

  /** The visitor's messages after `afterSeq`, of `conversation` (default: the current one). */
  messagesAfter(token: string, conversation: number | null, afterSeq: number): Promise<{ results: Message[]; next: string | null }> {
    const which = conversation === null ? "" : `conversation=${conversation}&`;
    return this.call("GET", `messages?${which}after_seq=${afterSeq}&limit=500`, token);
  }

  /** Sends over REST (the fallback when websockets are blocked); idempotent by `client_id`. */
  send(token: string, clientId: string, body: string, attachments: number[] = []): Promise<Message> {
    return this.call("POST", "messages", token, messagePayload({ client_id: clientId }, body, attachments));
  }

  /** Uploads a file for the visitor's next message; rejects with the server's error. */
  upload(token: string, file: File, progress: (fraction: number) => void, signal: AbortSignal): Promise<Attachment> {
    const headers = { Accept: "application/json", "Accept-Language": this.locale, Authorization: `Bearer ${token}` };
    return uploadFile({ url: `${this.base}/api/widget/v1/attachments`, headers, withCredentials: false }, file, file.name, progress, signal);
  }

  /** The visitor's own name, email and phone, as the helpdesk knows them. */
  contactGet(token: string): Promise<ContactFields> {
    return this.call("GET", "contact", token);
  }

  contact(token: string, fields: ContactFields): Promise<ContactFields> {
    return this.call("PATCH", "contact", token, fields);
  }

  csat(token: string, rating: number, comment = ""): Promise<unknown> {
    return this.call("POST", "csat", token, { rating, comment });
  }

  private async call<T>(method: string, path: string, token: string | null, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Accept: "application/json", "Accept-Language": this.locale };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (token) headers.Authorization = `Bearer ${token}`;
    const response = await this.fetchImpl(`${this.base}/api/widget/v1/${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
      mode: "cors",
    });
    const data = await jsonOf(response);
    if (!response.ok) {
      const error = errorOf(data);
      throw new ApiError(
        response.status,
        error?.code ?? "http_error",
        error?.message ?? `HTTP ${response.status}`,
        error?.fields ?? {},
      );
    }
    return data as T;
  }
}
