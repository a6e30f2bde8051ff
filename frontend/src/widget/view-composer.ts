/**
 * The panel's composer, built by code like the rest of view.ts: the text (Enter sends, Shift+Enter
 * a new line, it grows with what is written), the paperclip and its file picker, the chips of
 * the files it carries (view-files.ts), a paste of files, the hint over the panel while files
 * are dragged on it, and the send button, on when there is text or an uploaded file and no
 * upload still running. What to do with it all is the handlers' (widget.ts).
 */
import { carriesFiles, filesOf } from "../shared/dropped-files";
import type { UploadItem } from "../shared/uploads";
import { icon, ICON_SEND } from "./css";
import { el } from "./dom";
import type { I18n, Params } from "./i18n";
import type { Key } from "./strings";
import { Chips, ICON_CLIP } from "./view-files";

export interface ComposerHandlers {
  /** Answers true when the message was taken (the composer is then cleared). */
  send(body: string): boolean;
  input(text: string): void;
  /** Files chosen, pasted or dropped: they upload at once. */
  attach(files: File[]): void;
  removeFile(key: string): void;
}

export class ComposerView {
  readonly form = el("form", "composer");
  /** The problem of what is written (under the messages, above the composer). */
  readonly error = el("div", "ferr");
  readonly chips: Chips;
  /** Covers the panel while files are dragged on it. */
  readonly dropHint = el("div", "drop");
  private readonly textarea = el("textarea", "ta");
  private readonly sendButton = el("button", "send");
  private readonly attachButton = el("button", "attach");
  private readonly picker = el("input");
  /** The files: one still uploading, at least one uploaded. */
  private files = { busy: false, ready: false };
  private dragDepth = 0;

  constructor(
    private readonly i18n: I18n,
    private readonly h: ComposerHandlers,
  ) {
    const t = (key: Key) => i18n.t(key);
    this.textarea.rows = 1;
    this.textarea.placeholder = t("composer");
    this.textarea.setAttribute("aria-label", t("composerLabel"));
    this.textarea.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
        event.preventDefault();
        this.submit();
      }
    });
    this.textarea.addEventListener("input", () => {
      this.autosize();
      this.error.textContent = "";
      this.updateSend();
      h.input(this.textarea.value);
    });
    // A pasted image (or any file) is attached; pasted text goes in as usual.
    this.textarea.addEventListener("paste", (event) => {
      const files = filesOf(event.clipboardData);
      if (files.length === 0) return;
      if (!event.clipboardData?.types.includes("text/plain")) event.preventDefault();
      h.attach(files);
    });
    this.attachButton.type = "button";
    this.attachButton.setAttribute("aria-label", t("attach"));
    this.attachButton.title = t("attach");
    this.attachButton.append(icon(document, ICON_CLIP));
    this.attachButton.addEventListener("click", () => this.picker.click());
    this.picker.type = "file";
    this.picker.multiple = true;
    this.picker.hidden = true;
    this.picker.tabIndex = -1;
    this.picker.addEventListener("change", () => {
      const files = Array.from(this.picker.files ?? []);
      this.picker.value = "";
      if (files.length) h.attach(files);
      this.focus();
    });
    this.chips = new Chips(i18n, (key) => {
      h.removeFile(key);
      this.focus();
    });
    this.sendButton.type = "submit";
    this.sendButton.disabled = true;
    this.sendButton.setAttribute("aria-label", t("send"));
    this.sendButton.append(icon(document, ICON_SEND));
    this.error.setAttribute("role", "alert");
    this.form.append(this.attachButton, this.picker, this.textarea, this.sendButton);
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
    this.dropHint.hidden = true;
    this.dropHint.setAttribute("aria-hidden", "true");
    this.dropHint.append(icon(document, ICON_CLIP), el("span", "", t("dropFiles")));
  }

  focus(): void {
    this.textarea.focus({ preventScroll: true });
  }

  setVisible(visible: boolean): void {
    this.form.hidden = !visible;
    this.chips.root.hidden = !visible || this.chips.root.childElementCount === 0;
  }

  setError(key: Key | null, params?: Params): void {
    this.error.textContent = key ? this.i18n.t(key, params) : "";
  }

  /** The files changed: their chips, and whether the message may go. */
  setFiles(items: readonly UploadItem[], busy: boolean, ready: boolean): void {
    this.chips.render(items);
    if (this.form.hidden) this.chips.root.hidden = true;
    this.files = { busy, ready };
    this.updateSend();
  }

  /** Files dragged over the open panel: the hint covers it; dropped, they are attached. */
  listenForDrops(panel: HTMLElement): void {
    const accepts = (event: DragEvent) => carriesFiles(event.dataTransfer) && !this.form.hidden;
    const show = (on: boolean) => {
      this.dropHint.hidden = !on;
      panel.classList.toggle("dragging", on);
    };
    panel.addEventListener("dragenter", (event) => {
      if (!accepts(event)) return;
      event.preventDefault();
      this.dragDepth += 1;
      show(true);
    });
    panel.addEventListener("dragover", (event) => {
      if (!accepts(event)) return;
      event.preventDefault();
      if (event.dataTransfer) event.dataTransfer.dropEffect = "copy";
    });
    panel.addEventListener("dragleave", (event) => {
      if (!accepts(event)) return;
      this.dragDepth = Math.max(0, this.dragDepth - 1);
      if (this.dragDepth === 0) show(false);
    });
    panel.addEventListener("drop", (event) => {
      if (!accepts(event)) return;
      event.preventDefault();
      this.dragDepth = 0;
      show(false);
      const files = filesOf(event.dataTransfer);
      if (files.length) this.h.attach(files);
      this.focus();
    });
  }

  private submit(): void {
    const body = this.textarea.value;
    if (!this.canSend()) return;
    if (this.h.send(body)) {
      this.textarea.value = "";
      this.updateSend();
      this.autosize();
    }
  }

  /** Text or an uploaded file, and no upload still running. */
  private canSend(): boolean {
    return !this.files.busy && (this.textarea.value.trim() !== "" || this.files.ready);
  }

  private updateSend(): void {
    this.sendButton.disabled = !this.canSend();
  }

  private autosize(): void {
    const area = this.textarea;
    area.style.height = "auto";
    area.style.height = `${Math.min(area.scrollHeight, 128)}px`;
  }
}
