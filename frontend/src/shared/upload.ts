/**
 * One file up to the helpdesk (`POST .../attachments`, multipart with one field `file`), for
 * the widget and the console alike: XMLHttpRequest rather than fetch, for the upload's progress.
 * A 201 answers the attachment; anything else rejects with the server's error (api-v1.md's
 * `{"error": {"code", "message"}}`), or with no message when the answer could not be read (the
 * network, or an answer another origin may not read): the caller then says it in its own words.
 */

import { type Attachment, isAttachment } from "./attachments";
import { errorOf } from "./http";

/** A refused upload: the HTTP status (0: no answer that could be read), the server's code, and
 * its message ("" when there is none to show). */
export class UploadError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message = "",
  ) {
    super(message);
  }
}

export interface UploadTarget {
  /** The endpoint's full address. */
  url: string;
  headers: Record<string, string>;
  /** Send the page's cookies (the console's session); the widget sends none. */
  withCredentials: boolean;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export function uploadFile(target: UploadTarget, file: Blob, name: string, progress: (fraction: number) => void, signal: AbortSignal): Promise<Attachment> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new UploadError(0, "aborted", ""));
      return;
    }
    const xhr = new XMLHttpRequest();
    xhr.open("POST", target.url);
    xhr.withCredentials = target.withCredentials;
    for (const [header, value] of Object.entries(target.headers)) xhr.setRequestHeader(header, value);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) progress(event.loaded / event.total);
    };
    xhr.onload = () => {
      const data = parse(xhr.responseText);
      if (xhr.status === 201 && isAttachment(data)) {
        resolve(data);
        return;
      }
      const error = errorOf(data);
      reject(new UploadError(xhr.status, error?.code ?? `http_${xhr.status}`, error?.message ?? ""));
    };
    xhr.onerror = () => reject(new UploadError(0, "network", ""));
    xhr.onabort = () => reject(new UploadError(0, "aborted", ""));
    signal.addEventListener("abort", () => xhr.abort(), { once: true });
    const form = new FormData();
    form.append("file", file, name);
    xhr.send(form);
  });
}
