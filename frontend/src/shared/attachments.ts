/**
 * Files on messages, for the widget and the console alike: the attachment object the helpdesk
 * answers (api-v1.md, attachments), how a view shows one (an image preview, a native player, or
 * a link that downloads), its address, the size a preview takes in a bubble, and a human size.
 * Nothing here touches the DOM: the widget builds elements from it, the console JSX.
 */

export type AttachmentKind = "image" | "audio" | "video" | "file";

export interface Attachment {
  id: number;
  name: string;
  content_type: string;
  kind: AttachmentKind;
  /** Bytes. */
  size: number;
  /** Images only (else null): the pixels, so a preview takes its place before it loads. */
  width: number | null;
  height: number | null;
  /** A path on the helpdesk (`/files/<signed token>/<name>`), good for a day. */
  url: string;
}

/** At most this many files on one message (the server refuses more). */
export const MAX_FILES = 10;

/** How a view shows a file: a preview, a native player, or a link. */
export type Presentation = "image" | "audio" | "video" | "link";

const MEDIA_TYPE: Record<Exclude<Presentation, "link">, string> = { image: "image/", audio: "audio/", video: "video/" };

/** The way to show `attachment`: images, audio and video inline (the helpdesk serves those
 * inline), when their type agrees with their kind; anything else, or anything odd, a link. */
export function presentationOf(attachment: Pick<Attachment, "kind" | "content_type">): Presentation {
  const kind = attachment.kind;
  if (kind !== "image" && kind !== "audio" && kind !== "video") return "link";
  const type = typeof attachment.content_type === "string" ? attachment.content_type.toLowerCase() : "";
  if (!type.startsWith(MEDIA_TYPE[kind])) return "link";
  // An SVG is a document that may carry script: never shown as an image, only downloaded.
  if (type.startsWith("image/svg")) return "link";
  return kind;
}

/** The file's address for an element: the helpdesk's path as is in the console (`base` ""),
 * or prefixed with the helpdesk's origin in the widget, which runs on another site. Only a path
 * of the helpdesk, or an http(s) address, is taken; anything else (another scheme) is null. */
export function fileHref(url: unknown, base = ""): string | null {
  if (typeof url !== "string" || !url) return null;
  if (url.startsWith("/") && !url.startsWith("//")) return base.replace(/\/+$/, "") + url;
  try {
    const parsed = new URL(url);
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : null;
  } catch {
    return null;
  }
}

/** The width and height attributes of an image's preview: the image's own pixels scaled down to
 * fit `max` (the bubble's width), the aspect kept; null when the server did not say. */
export function previewSize(attachment: Pick<Attachment, "width" | "height">, max: number): { width: number; height: number } | null {
  const { width, height } = attachment;
  if (!width || !height || width <= 0 || height <= 0) return null;
  if (width <= max) return { width, height };
  return { width: max, height: Math.max(1, Math.round((height * max) / width)) };
}

const UNITS = ["kilobyte", "megabyte", "gigabyte"] as const;

/** A human size in the reader's language: "512 bytes", "1.5 kB", "10 MB" ("1,5 МБ" in Russian);
 * kilo is 1024 here, as file managers count. */
export function formatSize(bytes: number, locale: string): string {
  const value = Number.isFinite(bytes) && bytes > 0 ? bytes : 0;
  if (value < 1024) return new Intl.NumberFormat(locale, { style: "unit", unit: "byte", unitDisplay: "long" }).format(value);
  let amount = value / 1024;
  let unit = 0;
  while (amount >= 1024 && unit < UNITS.length - 1) {
    amount /= 1024;
    unit += 1;
  }
  return new Intl.NumberFormat(locale, {
    style: "unit",
    unit: UNITS[unit],
    unitDisplay: "short",
    maximumFractionDigits: amount < 10 ? 1 : 0,
  }).format(amount);
}

/** An attachment from the server is used only if it has the fields a view needs. */
export function isAttachment(value: unknown): value is Attachment {
  if (!value || typeof value !== "object") return false;
  const item = value as Record<string, unknown>;
  return Number.isInteger(item.id) && typeof item.name === "string" && typeof item.url === "string" && typeof item.kind === "string";
}

/** The attachments of a message as a view may use them (an older server sends none). */
export function attachmentsOf(message: { attachments?: unknown }): Attachment[] {
  const list = message.attachments;
  return Array.isArray(list) ? list.filter(isAttachment) : [];
}
