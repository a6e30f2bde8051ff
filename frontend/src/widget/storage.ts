/**
 * What the widget keeps in the site's storage (localStorage of the host page's origin), one
 * record per inbox: the visitor token (so a reload or a new tab resumes the history), read
 * marks, unacked sends (so a message typed offline survives a reload and is sent once) and a
 * few display preferences. Storage that throws (privacy modes, sandboxed frames) or holds
 * garbage degrades to memory: the widget then works for the page's lifetime.
 */
import type { PendingSend } from "../protocol/client";
import { type Attachment, type AttachmentKind, MAX_FILES } from "../shared/attachments";
import { MemoryStorage } from "../shared/memory-storage";

export interface SavedSend extends PendingSend {
  /** When the visitor sent it (ms since the epoch), for ordering and display. */
  at: number;
  /** The uploaded files it carries (the frame has their ids), to show them meanwhile. */
  files?: Attachment[];
}

export interface Saved {
  token?: string;
  /** The conversation the marks below belong to. */
  conversation?: number;
  /** The visitor has seen the conversation up to this seq (the unread badge counts above). */
  readSeq?: number;
  /** An operator has read the conversation up to this seq ("Read" under the visitor's messages). */
  operatorReadSeq?: number;
  /** The highest seq reported to the host page's `on("message")` handlers. */
  seenSeq?: number;
  pending?: SavedSend[];
  /** The pre-chat form was filled in (or the contact details are known). */
  prechatDone?: boolean;
  /** The email the visitor gave to be answered by. */
  email?: string;
  /** The inbox's colour, so the launcher has it before the session answers. */
  color?: string;
  /** The last conversation the visitor rated. */
  rated?: number;
}

export interface KeyValue {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export function storageKey(inboxKey: string): string {
  return `helpdesk-widget:v1:${inboxKey}`;
}

/** The browser's localStorage (or sessionStorage), or null when it is unusable. */
export function browserStorage(kind: "localStorage" | "sessionStorage" = "localStorage"): KeyValue | null {
  try {
    const storage = globalThis[kind];
    const probe = "helpdesk-widget:probe";
    storage.setItem(probe, "1");
    storage.removeItem(probe);
    return storage;
  } catch {
    return null;
  }
}

export class VisitorStore {
  private readonly key: string;
  private readonly backend: KeyValue;

  private readonly tab: KeyValue;

  constructor(
    inboxKey: string,
    backend: KeyValue | null = browserStorage(),
    tab: KeyValue | null = browserStorage("sessionStorage"),
  ) {
    this.key = storageKey(inboxKey);
    this.backend = backend ?? new MemoryStorage();
    this.tab = tab ?? new MemoryStorage();
  }

  /** The panel was open in this tab: it stays open across the tab's page loads (not in others). */
  get panelOpen(): boolean {
    try {
      return this.tab.getItem(`${this.key}:open`) === "1";
    } catch {
      return false;
    }
  }

  set panelOpen(open: boolean) {
    try {
      if (open) this.tab.setItem(`${this.key}:open`, "1");
      else this.tab.removeItem(`${this.key}:open`);
    } catch {
      /* memory only */
    }
  }

  load(): Saved {
    try {
      const raw = this.backend.getItem(this.key);
      if (!raw) return {};
      return sanitise(JSON.parse(raw));
    } catch {
      return {};
    }
  }

  /** Merges `changes` into the record (read first: another tab may have written meanwhile). */
  update(changes: Partial<Saved>): Saved {
    const next: Saved = { ...this.load(), ...changes };
    for (const name of Object.keys(next) as (keyof Saved)[]) {
      if (next[name] === undefined) delete next[name];
    }
    try {
      this.backend.setItem(this.key, JSON.stringify(next));
    } catch {
      /* full or unavailable: the page keeps working from memory */
    }
    return next;
  }

  clear(): void {
    try {
      this.backend.removeItem(this.key);
    } catch {
      /* nothing to do */
    }
  }

  /** True when a `storage` event is about this record (written by another tab). */
  isOwnEvent(event: { key: string | null }): boolean {
    return event.key === this.key;
  }
}

const isInt = (value: unknown): value is number => Number.isInteger(value) && (value as number) >= 0;
const isText = (value: unknown, max = 500): value is string => typeof value === "string" && value.length <= max;
const KINDS: readonly string[] = ["image", "audio", "video", "file"];

/** A saved file, if well-formed: its link a path of the helpdesk. */
function sanitiseFile(raw: unknown): Attachment | null {
  if (!raw || typeof raw !== "object") return null;
  const item = raw as Record<string, unknown>;
  const { id, name, content_type, kind, size, width, height, url } = item;
  if (!isInt(id) || !id || !isText(name, 300) || !isText(content_type, 200) || !isInt(size)) return null;
  if (typeof kind !== "string" || !KINDS.includes(kind)) return null;
  if (!isText(url, 2000) || !url.startsWith("/files/")) return null;
  const dimension = (value: unknown) => (isInt(value) ? value : null);
  return { id, name, content_type, kind: kind as AttachmentKind, size, width: dimension(width), height: dimension(height), url };
}

/** Keeps only well-formed fields: the record is written by the host page's origin too. */
export function sanitise(raw: unknown): Saved {
  if (!raw || typeof raw !== "object") return {};
  const data = raw as Record<string, unknown>;
  const saved: Saved = {};
  if (isText(data.token, 200) && data.token) saved.token = data.token;
  if (isInt(data.conversation)) saved.conversation = data.conversation;
  if (isInt(data.readSeq)) saved.readSeq = data.readSeq;
  if (isInt(data.operatorReadSeq)) saved.operatorReadSeq = data.operatorReadSeq;
  if (isInt(data.seenSeq)) saved.seenSeq = data.seenSeq;
  if (isInt(data.rated)) saved.rated = data.rated;
  if (data.prechatDone === true) saved.prechatDone = true;
  if (isText(data.email, 254) && data.email) saved.email = data.email;
  if (isText(data.color, 7) && /^#[0-9a-f]{6}$/i.test(data.color)) saved.color = data.color;
  if (Array.isArray(data.pending)) {
    const pending: SavedSend[] = [];
    for (const item of data.pending.slice(0, 100)) {
      if (!item || typeof item !== "object") continue;
      const { clientId, frame, at, files } = item as Record<string, unknown>;
      if (!isText(clientId, 64) || !clientId || !frame || typeof frame !== "object") continue;
      const body = (frame as Record<string, unknown>).body ?? "";
      if (typeof body !== "string") continue;
      const attachments = Array.isArray(files) ? files.slice(0, MAX_FILES).map(sanitiseFile) : [];
      if (attachments.some((file) => file === null)) continue; // a send is kept whole or not at all
      const kept = attachments as Attachment[];
      if (!body.trim() && kept.length === 0) continue;
      const send: SavedSend = { clientId, frame: { type: "message", body }, at: isInt(at) ? at : Date.now() };
      if (kept.length) {
        send.frame.attachments = kept.map((file) => file.id);
        send.files = kept;
      }
      pending.push(send);
    }
    if (pending.length) saved.pending = pending;
  }
  return saved;
}
