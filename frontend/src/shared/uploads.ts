/**
 * The files a composer carries before its message is sent, for the widget and the console
 * alike: each file chosen, dropped or pasted uploads at once (a chip with its name, its progress,
 * then done or the server's error, and a remove button); the message may go when there is text
 * or at least one uploaded file and no upload is still running, and it carries the uploads' ids.
 * The upload itself (upload.ts, or a fake in tests) is given; this keeps the state.
 */

import { type Attachment, MAX_FILES } from "./attachments";

export type UploadState = "uploading" | "done" | "failed";

/** What the queue needs of a file (a browser's File; tests pass plain objects). */
export interface FileLike {
  readonly name: string;
  readonly size: number;
}

export interface UploadItem {
  /** Stable for the chip's lifetime (a key for the view). */
  key: string;
  name: string;
  size: number;
  state: UploadState;
  /** 0 to 1 while uploading, when the browser tells; null when it does not. */
  progress: number | null;
  /** The server's attachment once uploaded. */
  attachment: Attachment | null;
  /** Why the upload failed (the server's message), once failed. */
  error: string | null;
}

/** Uploads one file; calls `progress` with 0..1 as it goes; rejects on an error or an abort. */
export type Uploader<F extends FileLike> = (file: F, progress: (fraction: number) => void, signal: AbortSignal) => Promise<Attachment>;

export interface UploadQueueDeps<F extends FileLike> {
  upload: Uploader<F>;
  /** The words for a failed upload: the server's message, else a catalogue's. */
  describe(error: unknown): string;
  /** Something the chips show has changed. */
  changed(): void;
}

let keys = 0;

export class UploadQueue<F extends FileLike = FileLike> {
  items: UploadItem[] = [];
  private readonly running = new Map<string, AbortController>();

  constructor(private readonly deps: UploadQueueDeps<F>) {}

  /** Starts uploading `files`; answers how many were left out (a message carries at most
   * MAX_FILES files). */
  add(files: Iterable<F>): number {
    let left = 0;
    for (const file of files) {
      if (this.items.length >= MAX_FILES) {
        left += 1;
        continue;
      }
      keys += 1;
      const item: UploadItem = { key: `u${keys}`, name: file.name, size: file.size, state: "uploading", progress: null, attachment: null, error: null };
      this.items = [...this.items, item];
      this.start(item, file);
    }
    this.deps.changed();
    return left;
  }

  /** Takes a file off (its upload stops if it is running). */
  remove(key: string): void {
    this.running.get(key)?.abort();
    this.running.delete(key);
    const before = this.items.length;
    this.items = this.items.filter((item) => item.key !== key);
    if (this.items.length !== before) this.deps.changed();
  }

  /** Empties the queue (the message was sent, or the composer is gone). */
  clear(): void {
    for (const controller of this.running.values()) controller.abort();
    this.running.clear();
    if (this.items.length === 0) return;
    this.items = [];
    this.deps.changed();
  }

  /** An upload is still running. */
  get busy(): boolean {
    return this.items.some((item) => item.state === "uploading");
  }

  /** The uploaded files, in the order they were added. */
  get attachments(): Attachment[] {
    return this.items.flatMap((item) => (item.state === "done" && item.attachment ? [item.attachment] : []));
  }

  get ids(): number[] {
    return this.attachments.map((attachment) => attachment.id);
  }

  /** A message may go: text or an uploaded file, and no upload running. */
  canSend(text: string): boolean {
    return !this.busy && (text.trim() !== "" || this.attachments.length > 0);
  }

  private start(item: UploadItem, file: F): void {
    const controller = new AbortController();
    this.running.set(item.key, controller);
    const update = (changes: Partial<UploadItem>) => {
      if (!this.items.some((entry) => entry.key === item.key)) return; // removed meanwhile
      this.items = this.items.map((entry) => (entry.key === item.key ? { ...entry, ...changes } : entry));
      this.deps.changed();
    };
    let upload: Promise<Attachment>;
    try {
      upload = this.deps.upload(
        file,
        (fraction) => {
          if (!controller.signal.aborted) update({ progress: Math.min(1, Math.max(0, fraction)) });
        },
        controller.signal,
      );
    } catch (error) {
      upload = Promise.reject(error);
    }
    upload.then(
      (attachment) => {
        if (controller.signal.aborted) return;
        this.running.delete(item.key);
        update({ state: "done", progress: 1, attachment });
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        this.running.delete(item.key);
        update({ state: "failed", progress: null, error: this.deps.describe(error) });
      },
    );
  }
}
