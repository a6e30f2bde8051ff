/** Files in the console: a message's attachments (image previews that open the lightbox,
 * native players for audio and video, a download link with the name and size for the rest), the
 * lightbox itself (Escape, its close button or a click outside close it, and the focus goes back
 * to the preview), the chips of the files the composer carries, and files dropped on the open
 * conversation (they go to its composer). */

import { useEffect, useRef, useState } from "preact/hooks";

import { type Attachment, fileHref, formatSize, MAX_FILES, presentationOf, previewSize } from "../../shared/attachments";
import { carriesFiles, filesOf } from "../../shared/dropped-files";
import type { UploadQueue } from "../../shared/uploads";
import type { Controller } from "../controller";
import { getLocale, t } from "../i18n";
import { useController } from "./context";
import { CloseIcon, FileIcon } from "./icons";

/** The widest a preview is drawn in a bubble (CSS keeps it within the bubble besides). */
const PREVIEW_MAX = 320;

function FileLink({ attachment, href }: { attachment: Attachment; href: string }) {
  const size = formatSize(attachment.size, getLocale());
  return (
    <a class="attachment-file" href={href} download={attachment.name} title={t("attachment.download", { name: attachment.name, size })} data-testid="attachment-file">
      <FileIcon size={18} />
      <span class="attachment-name">{attachment.name}</span>
      <span class="attachment-size">{size}</span>
    </a>
  );
}

function Item({ attachment, onOpen }: { attachment: Attachment; onOpen: (opener: HTMLElement) => void }) {
  const href = fileHref(attachment.url);
  if (!href) return null;
  const presentation = presentationOf(attachment);
  if (presentation === "image") {
    const box = previewSize(attachment, PREVIEW_MAX);
    return (
      <button type="button" class="attachment-image" aria-label={t("attachment.openImage", { name: attachment.name })} data-testid="attachment-image" onClick={(event) => onOpen(event.currentTarget)}>
        <img src={href} alt={attachment.name} loading="lazy" decoding="async" width={box?.width} height={box?.height} />
      </button>
    );
  }
  if (presentation === "audio") {
    return <audio class="attachment-audio" controls preload="metadata" src={href} aria-label={attachment.name} title={attachment.name} data-testid="attachment-audio" />;
  }
  if (presentation === "video") {
    const box = previewSize(attachment, PREVIEW_MAX);
    return <video class="attachment-video" controls preload="metadata" src={href} width={box?.width} height={box?.height} aria-label={attachment.name} title={attachment.name} data-testid="attachment-video" />;
  }
  return <FileLink attachment={attachment} href={href} />;
}

/** A message's files, in the order sent. */
export function AttachmentList({ attachments }: { attachments: Attachment[] }) {
  const [open, setOpen] = useState<Attachment | null>(null);
  const opener = useRef<HTMLElement | null>(null);
  if (attachments.length === 0) return null;
  const close = () => {
    setOpen(null);
    opener.current?.focus();
  };
  return (
    <>
      <ul class="attachments" aria-label={t("attachment.list")} data-testid="attachments">
        {attachments.map((attachment) => (
          <li key={attachment.id} data-kind={attachment.kind}>
            <Item
              attachment={attachment}
              onOpen={(element) => {
                opener.current = element;
                setOpen(attachment);
              }}
            />
          </li>
        ))}
      </ul>
      {open ? <Lightbox attachment={open} onClose={close} /> : null}
    </>
  );
}

/** An image at full size over the console: a modal dialog that keeps the focus and the keys
 * (the console's shortcuts wait until it closes). */
export function Lightbox({ attachment, onClose }: { attachment: Attachment; onClose: () => void }) {
  const dialog = useRef<HTMLDivElement>(null);
  const closeButton = useRef<HTMLButtonElement>(null);
  useEffect(() => closeButton.current?.focus(), []);
  const href = fileHref(attachment.url) ?? "";
  const onKeyDown = (event: KeyboardEvent) => {
    event.stopPropagation();
    if (event.key === "Escape") {
      event.preventDefault();
      onClose();
      return;
    }
    if (event.key !== "Tab") return;
    const focusable = Array.from(dialog.current?.querySelectorAll<HTMLElement>("a[href], button") ?? []);
    if (focusable.length === 0) return;
    const index = focusable.indexOf(document.activeElement as HTMLElement);
    const next = event.shiftKey ? (index <= 0 ? focusable.length - 1 : index - 1) : (index + 1) % focusable.length;
    event.preventDefault();
    focusable[next].focus();
  };
  return (
    <div ref={dialog} class="lightbox" role="dialog" aria-modal="true" aria-label={attachment.name} data-testid="lightbox" onClick={onClose} onKeyDown={onKeyDown}>
      <figure class="lightbox-figure" onClick={(event) => event.stopPropagation()}>
        <img src={href} alt={attachment.name} />
        <figcaption>
          <span class="lightbox-name">{attachment.name}</span>
          <a href={href} target="_blank" rel="noopener noreferrer">
            {t("lightbox.openOriginal")}
          </a>
        </figcaption>
      </figure>
      <button ref={closeButton} type="button" class="icon-button lightbox-close" aria-label={t("app.close")} data-testid="lightbox-close" onClick={onClose}>
        <CloseIcon size={20} />
      </button>
    </div>
  );
}

/** The files the composer carries: each with its name, its upload's progress or its error, and
 * a remove button. */
export function UploadChips({ queue }: { queue: UploadQueue<File> }) {
  if (queue.items.length === 0) return null;
  const locale = getLocale();
  const percent = new Intl.NumberFormat(locale, { style: "percent" });
  return (
    <ul class="upload-chips" aria-label={t("attach.files")} data-testid="upload-chips">
      {queue.items.map((item) => (
        <li key={item.key} class={`upload-chip upload-${item.state}`} data-testid="upload-chip" data-state={item.state}>
          <FileIcon size={14} />
          <span class="upload-name" title={item.name}>
            {item.name}
          </span>
          {item.state === "uploading" ? (
            <progress
              class="upload-progress"
              max={1}
              value={item.progress ?? undefined}
              aria-label={item.progress === null ? t("attach.uploading") : t("attach.progress", { percent: percent.format(item.progress) })}
            />
          ) : item.state === "failed" ? (
            <span class="upload-error" role="alert" data-testid="upload-error">
              {item.error}
            </span>
          ) : (
            <span class="upload-size">{formatSize(item.size, locale)}</span>
          )}
          <button type="button" class="upload-remove" aria-label={t("attach.remove", { name: item.name })} data-testid="upload-remove" onClick={() => queue.remove(item.key)}>
            <CloseIcon size={12} />
          </button>
        </li>
      ))}
    </ul>
  );
}

/** Files for a conversation's composer (chosen, dropped or pasted): they upload at once; more
 * than a message carries are refused, with a toast. */
export function addFiles(controller: Controller, conversation: number, files: File[]): void {
  if (files.length === 0) return;
  const left = controller.composer.files(conversation).add(files);
  if (left > 0) controller.navigation.toast(t("attach.tooMany", { count: MAX_FILES }), "error");
}

/** Files dragged over the column: an overlay says they will be attached; dropped, they go to
 * the composer (and upload at once). */
export function useFileDrop(conversation: number | null) {
  const controller = useController();
  const [dragging, setDragging] = useState(false);
  const depth = useRef(0);
  useEffect(() => {
    depth.current = 0;
    setDragging(false);
  }, [conversation]);
  if (conversation === null) return { dragging: false, handlers: {} };
  const handlers = {
    onDragEnter: (event: DragEvent) => {
      if (!carriesFiles(event.dataTransfer)) return;
      event.preventDefault();
      depth.current += 1;
      setDragging(true);
    },
    onDragOver: (event: DragEvent) => {
      if (!carriesFiles(event.dataTransfer)) return;
      event.preventDefault();
      if (event.dataTransfer) event.dataTransfer.dropEffect = "copy";
    },
    onDragLeave: (event: DragEvent) => {
      if (!carriesFiles(event.dataTransfer)) return;
      depth.current = Math.max(0, depth.current - 1);
      if (depth.current === 0) setDragging(false);
    },
    onDrop: (event: DragEvent) => {
      if (!carriesFiles(event.dataTransfer)) return;
      event.preventDefault();
      depth.current = 0;
      setDragging(false);
      addFiles(controller, conversation, filesOf(event.dataTransfer));
      controller.composer.requestFocus(null, conversation);
    },
  };
  return { dragging, handlers };
}
