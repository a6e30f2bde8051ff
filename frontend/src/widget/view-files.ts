/**
 * Files in the widget's DOM, built by code like the rest of view.ts: a message's attachments
 * (image previews that open the lightbox, native players for audio and video, a link with the
 * name and a human size for the rest; every address prefixed with the helpdesk's origin, as the
 * widget runs on another site) and the chips of the files the composer carries (name, progress,
 * the server's error, a remove button), reused by key so a focused button stays focused.
 */
import { type Attachment, fileHref, formatSize, presentationOf, previewSize } from "../shared/attachments";
import type { UploadItem } from "../shared/uploads";
import { icon, ICON_CLOSE } from "./css";
import { el } from "./dom";
import type { I18n } from "./i18n";

/** The paperclip and a file, beside the other icons' paths (css.ts; kept apart, so that the
 * loader, which shares css.ts, does not change with them). */
export const ICON_CLIP =
  "M16.5 6v11.5c0 2.21-1.79 4-4 4s-4-1.79-4-4V5a2.5 2.5 0 0 1 5 0v10.5c0 .55-.45 1-1 1s-1-.45-1-1V6H10v9.5a2.5 2.5 0 0 0 5 0V5c0-2.21-1.79-4-4-4S7 2.79 7 5v12.5c0 3.04 2.46 5.5 5.5 5.5s5.5-2.46 5.5-5.5V6h-1.5z";
export const ICON_FILE = "M6 2c-1.1 0-1.99.9-1.99 2L4 20c0 1.1.89 2 1.99 2H18c1.1 0 2-.9 2-2V8l-6-6H6zm7 7V3.5L18.5 9H13z";

/** The widest an image preview is drawn (the bubble's width; CSS keeps it inside besides). */
const PREVIEW_MAX = 260;

export interface FileViewDeps {
  i18n: I18n;
  /** The helpdesk's origin, before the files' paths. */
  base: string;
  /** An image preview was clicked: the lightbox shows it. */
  openImage(href: string, name: string, opener: HTMLElement): void;
}

/** A message's files as a list, in the order sent. */
export function filesNode(attachments: readonly Attachment[], deps: FileViewDeps): HTMLElement {
  const { i18n } = deps;
  const list = el("ul", "files");
  list.setAttribute("aria-label", i18n.t("messageFiles"));
  for (const attachment of attachments) {
    const href = fileHref(attachment.url, deps.base);
    if (!href) continue;
    const item = el("li", "file");
    item.dataset.kind = attachment.kind;
    item.append(fileNode(attachment, href, deps));
    list.append(item);
  }
  return list;
}

function fileNode(attachment: Attachment, href: string, deps: FileViewDeps): HTMLElement {
  const { i18n } = deps;
  const name = attachment.name;
  switch (presentationOf(attachment)) {
    case "image": {
      const image = el("img");
      image.src = href;
      image.alt = name;
      image.loading = "lazy";
      image.decoding = "async";
      const box = previewSize(attachment, PREVIEW_MAX);
      if (box) {
        image.width = box.width;
        image.height = box.height;
      }
      const button = el("button", "att-img", image);
      button.type = "button";
      button.setAttribute("aria-label", i18n.t("openImage", { name }));
      button.addEventListener("click", () => deps.openImage(href, name, button));
      return button;
    }
    case "audio": {
      const audio = el("audio", "att-media");
      audio.controls = true;
      audio.preload = "metadata";
      audio.src = href;
      audio.setAttribute("aria-label", name);
      audio.title = name;
      return audio;
    }
    case "video": {
      const video = el("video", "att-media");
      video.controls = true;
      video.preload = "metadata";
      video.src = href;
      const box = previewSize(attachment, PREVIEW_MAX);
      if (box) {
        video.width = box.width;
        video.height = box.height;
      }
      video.setAttribute("aria-label", name);
      video.title = name;
      return video;
    }
    default: {
      const link = el("a", "att-file", icon(document, ICON_FILE), el("span", "att-name", name), el("span", "att-size", formatSize(attachment.size, i18n.locale)));
      link.href = href;
      link.download = name;
      // a new tab: an expired link must never take the visitor away from the site
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      return link;
    }
  }
}

/** The chips of the composer's files. */
export class Chips {
  readonly root = el("ul", "chips");
  private readonly nodes = new Map<string, HTMLElement>();
  private readonly percent: Intl.NumberFormat;

  constructor(
    private readonly i18n: I18n,
    private readonly remove: (key: string) => void,
  ) {
    this.root.setAttribute("aria-label", i18n.t("files"));
    this.root.hidden = true;
    this.percent = new Intl.NumberFormat(i18n.locale, { style: "percent" });
  }

  render(items: readonly UploadItem[]): void {
    const wanted = new Set(items.map((item) => item.key));
    for (const [key, node] of this.nodes) {
      if (wanted.has(key)) continue;
      node.remove();
      this.nodes.delete(key);
    }
    items.forEach((item, index) => {
      let node = this.nodes.get(item.key);
      if (!node) {
        node = this.chip(item);
        this.nodes.set(item.key, node);
      }
      this.update(node, item);
      const current = this.root.children[index];
      if (current !== node) this.root.insertBefore(node, current ?? null);
    });
    this.root.hidden = items.length === 0;
  }

  private chip(item: UploadItem): HTMLElement {
    const name = el("span", "chip-name", item.name);
    name.title = item.name;
    const remove = el("button", "chip-x", icon(document, ICON_CLOSE));
    remove.type = "button";
    remove.setAttribute("aria-label", this.i18n.t("removeFile", { name: item.name }));
    remove.addEventListener("click", () => this.remove(item.key));
    return el("li", "chip", icon(document, ICON_FILE), name, el("span", "chip-state"), remove);
  }

  private update(node: HTMLElement, item: UploadItem): void {
    node.className = `chip ${item.state}`;
    node.dataset.state = item.state;
    const state = node.querySelector(".chip-state") as HTMLElement;
    if (node.dataset.shown === item.state && item.state !== "uploading") return;
    node.dataset.shown = item.state;
    if (item.state === "uploading") {
      let bar = state.querySelector("progress");
      if (!bar) {
        state.textContent = "";
        bar = el("progress");
        bar.max = 1;
        state.append(bar);
      }
      if (item.progress === null) {
        bar.removeAttribute("value");
        bar.setAttribute("aria-label", this.i18n.t("uploading"));
      } else {
        bar.value = item.progress;
        bar.setAttribute("aria-label", this.i18n.t("uploadProgress", { percent: this.percent.format(item.progress) }));
      }
      return;
    }
    state.textContent = "";
    if (item.state === "failed") {
      const error = el("span", "chip-err", item.error ?? this.i18n.t("uploadFailed"));
      error.setAttribute("role", "alert");
      state.append(error);
    } else {
      state.append(el("span", "chip-size", formatSize(item.size, this.i18n.locale)));
    }
  }
}
