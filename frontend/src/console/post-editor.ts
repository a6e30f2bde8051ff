/**
 * The post the operator is writing or changing in the Posts view: its text (Telegram's HTML),
 * its photo (uploaded at once, as a message's files are: shared/uploads.ts; an image only), its
 * URL buttons, and the post it edits, if any. What each action sends: a published post its text
 * and buttons only; an edited post its photo only when the operator changed it (the server takes
 * a photo only from the operator who uploaded it, so another's photo is left as it is).
 */

import { UploadQueue, type Uploader } from "../shared/uploads";
import { BUTTONS_MAX, CAPTION_LIMIT, TEXT_LIMIT, visibleLength } from "./post-text";
import type { Attachment, Post, PostInput } from "./types";

/** A button's row in the form (`key` is stable for the view). */
export interface ButtonRow {
  key: string;
  text: string;
  url: string;
}

export interface PostEditorDeps {
  upload: Uploader<File>;
  /** The words for a failed upload. */
  describe(error: unknown): string;
  changed(): void;
}

let rowKeys = 0;

function row(text = "", url = ""): ButtonRow {
  rowKeys += 1;
  return { key: `b${rowKeys}`, text, url };
}

export class PostEditor {
  text = "";
  buttons: ButtonRow[] = [];
  /** The post being changed; null while a new one is written. */
  editing: Post | null = null;
  /** The server's words about the last action that failed. */
  error: string | null = null;
  /** An action is on its way. */
  busy = false;
  /** The file chosen for the photo was no image (it was not uploaded). */
  photoRefused = false;
  /** Changes when the form is filled or emptied from outside (a post loaded, a post sent). */
  generation = 0;
  readonly upload: UploadQueue<File>;
  /** The edited post's photo, until the operator removes or replaces it. */
  private kept: Attachment | null = null;
  private photoChanged = false;

  constructor(private readonly deps: PostEditorDeps) {
    this.upload = new UploadQueue<File>({ upload: deps.upload, describe: deps.describe, changed: deps.changed });
  }

  /** The photo the post will have: the one uploaded, else the edited post's own. */
  get photo(): Attachment | null {
    const uploaded = this.upload.attachments[0];
    if (uploaded) return uploaded;
    return this.photoChanged ? null : this.kept;
  }

  /** A photo is chosen (uploaded, or still uploading): the text is then a caption. */
  get withPhoto(): boolean {
    return this.photo !== null || this.upload.items.some((item) => item.state !== "failed");
  }

  get published(): boolean {
    return this.editing?.state === "published";
  }

  /** At most this many characters: 1,024 under a photo, else 4,096. */
  get limit(): number {
    return this.withPhoto ? CAPTION_LIMIT : TEXT_LIMIT;
  }

  get length(): number {
    return visibleLength(this.text);
  }

  get tooLong(): boolean {
    return this.length > this.limit;
  }

  /** Whether the post may go: text or a photo, within the limit, no upload running or failed. */
  get ready(): boolean {
    if (this.busy || this.upload.busy || this.tooLong) return false;
    if (this.upload.items.some((item) => item.state === "failed")) return false;
    return this.text.trim() !== "" || this.photo !== null;
  }

  setText(text: string): void {
    this.text = text;
    this.deps.changed();
  }

  // --- the photo ------------------------------------------------------------------------------

  /** Uploads `file` as the photo (replacing any); a file that is no image is refused here. */
  choosePhoto(file: File): void {
    if (!file.type.startsWith("image/")) {
      this.photoRefused = true;
      this.deps.changed();
      return;
    }
    this.photoRefused = false;
    this.photoChanged = true;
    this.upload.clear();
    this.upload.add([file]);
  }

  removePhoto(): void {
    this.photoRefused = false;
    this.photoChanged = true;
    this.upload.clear();
    this.deps.changed();
  }

  // --- buttons --------------------------------------------------------------------------------

  addButton(): void {
    if (this.buttons.length >= BUTTONS_MAX) return;
    this.buttons = [...this.buttons, row()];
    this.deps.changed();
  }

  setButton(key: string, field: "text" | "url", value: string): void {
    this.buttons = this.buttons.map((item) => (item.key === key ? { ...item, [field]: value } : item));
    this.deps.changed();
  }

  removeButton(key: string): void {
    this.buttons = this.buttons.filter((item) => item.key !== key);
    this.deps.changed();
  }

  /** The buttons the post carries: rows with anything in them, trimmed. */
  get filledButtons(): Array<{ text: string; url: string }> {
    return this.buttons.filter((item) => item.text.trim() || item.url.trim()).map((item) => ({ text: item.text.trim(), url: item.url.trim() }));
  }

  // --- what is sent ---------------------------------------------------------------------------

  /** The body of the request: `publishAt` null makes a draft, a time publishes then, undefined
   * leaves the time alone. A published post sends its text and buttons only. */
  payload(publishAt?: string | null): PostInput {
    const input: PostInput = { text: this.text, buttons: this.filledButtons };
    if (this.published) return input;
    if (!this.editing || this.photoChanged) input.photo = this.photo?.id ?? null;
    if (publishAt !== undefined) input.publish_at = publishAt;
    return input;
  }

  /** Fills the form with a post to change it. */
  load(post: Post): void {
    this.upload.clear();
    this.text = post.text;
    this.buttons = post.buttons.map((button) => row(button.text, button.url));
    this.editing = post;
    this.kept = post.photo;
    this.photoChanged = false;
    this.photoRefused = false;
    this.error = null;
    this.generation += 1;
    this.deps.changed();
  }

  /** An empty form, for a new post. */
  reset(): void {
    this.upload.clear();
    this.text = "";
    this.buttons = [];
    this.editing = null;
    this.kept = null;
    this.photoChanged = false;
    this.photoRefused = false;
    this.error = null;
    this.generation += 1;
    this.deps.changed();
  }

  /** The edited post as the server now has it (its state may have moved on). */
  refreshEditing(post: Post): void {
    if (this.editing?.id !== post.id) return;
    this.editing = post;
    if (!this.photoChanged) this.kept = post.photo;
  }
}
