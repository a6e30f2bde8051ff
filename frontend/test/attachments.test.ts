import { describe, expect, it } from "vitest";

import { type Attachment, attachmentsOf, fileHref, formatSize, presentationOf, previewSize } from "../src/shared/attachments";
import { attachment } from "./fakes";

describe("how a file is shown", () => {
  it("shows images, audio and video inline and everything else as a link", () => {
    expect(presentationOf(attachment())).toBe("image");
    expect(presentationOf(attachment({ kind: "image", content_type: "image/jpeg" }))).toBe("image");
    expect(presentationOf(attachment({ kind: "audio", content_type: "audio/ogg" }))).toBe("audio");
    expect(presentationOf(attachment({ kind: "video", content_type: "video/mp4" }))).toBe("video");
    expect(presentationOf(attachment({ kind: "file", content_type: "application/pdf" }))).toBe("link");
    expect(presentationOf(attachment({ kind: "file", content_type: "text/plain" }))).toBe("link");
  });

  it("falls back to a link when the kind and the type disagree, or the kind is unknown", () => {
    expect(presentationOf(attachment({ kind: "image", content_type: "application/pdf" }))).toBe("link");
    expect(presentationOf(attachment({ kind: "video", content_type: "audio/mpeg" }))).toBe("link");
    expect(presentationOf({ kind: "sticker" as Attachment["kind"], content_type: "image/webp" })).toBe("link");
    expect(presentationOf({ kind: "image", content_type: undefined as unknown as string })).toBe("link");
  });

  it("never shows an SVG as an image (it is a document that may carry script)", () => {
    expect(presentationOf(attachment({ content_type: "image/svg+xml" }))).toBe("link");
  });

  it("uses only the attachments a view can use", () => {
    const good = attachment();
    expect(attachmentsOf({ attachments: [good, { id: "x" }, null, { ...good, url: 5 }] })).toEqual([good]);
    expect(attachmentsOf({})).toEqual([]);
    expect(attachmentsOf({ attachments: "nope" })).toEqual([]);
  });
});

describe("a file's address", () => {
  it("is the helpdesk's path in the console, prefixed with its origin in the widget", () => {
    expect(fileHref("/files/t/a.pdf")).toBe("/files/t/a.pdf");
    expect(fileHref("/files/t/a.pdf", "https://help.example")).toBe("https://help.example/files/t/a.pdf");
    expect(fileHref("/files/t/a.pdf", "https://help.example/")).toBe("https://help.example/files/t/a.pdf");
  });

  it("takes an http(s) address as it is and refuses any other scheme", () => {
    expect(fileHref("https://cdn.example/f/a.pdf", "https://help.example")).toBe("https://cdn.example/f/a.pdf");
    expect(fileHref("javascript:alert(1)")).toBeNull();
    expect(fileHref("//evil.example/a.png", "https://help.example")).toBeNull();
    expect(fileHref("data:image/png;base64,AAAA")).toBeNull();
    expect(fileHref("")).toBeNull();
    expect(fileHref(undefined)).toBeNull();
  });
});

describe("an image preview's size", () => {
  it("keeps a small image's pixels and scales a wide one down to the bubble, the aspect kept", () => {
    expect(previewSize({ width: 120, height: 80 }, 320)).toEqual({ width: 120, height: 80 });
    expect(previewSize({ width: 1600, height: 1200 }, 320)).toEqual({ width: 320, height: 240 });
    expect(previewSize({ width: 5000, height: 10 }, 320)).toEqual({ width: 320, height: 1 });
  });

  it("says nothing when the server did not give the size", () => {
    expect(previewSize({ width: null, height: null }, 320)).toBeNull();
    expect(previewSize({ width: 0, height: 10 }, 320)).toBeNull();
  });
});

describe("a human size", () => {
  it("counts bytes, then kilobytes and megabytes of 1024, in English", () => {
    expect(formatSize(0, "en")).toBe("0 bytes");
    expect(formatSize(1, "en")).toBe("1 byte");
    expect(formatSize(512, "en")).toBe("512 bytes");
    expect(formatSize(1024, "en")).toBe("1 kB");
    expect(formatSize(1536, "en")).toBe("1.5 kB");
    expect(formatSize(200 * 1024, "en")).toBe("200 kB");
    expect(formatSize(10 * 1024 * 1024, "en")).toBe("10 MB");
    expect(formatSize(2.25 * 1024 * 1024, "en")).toBe("2.3 MB");
    expect(formatSize(3 * 1024 ** 3, "en")).toBe("3 GB");
  });

  it("speaks Russian with Russian units and a decimal comma", () => {
    expect(formatSize(512, "ru")).toBe("512 байт");
    expect(formatSize(1536, "ru")).toBe("1,5 кБ");
    expect(formatSize(10 * 1024 * 1024, "ru")).toBe("10 МБ");
  });

  it("shows nonsense as nothing", () => {
    expect(formatSize(-5, "en")).toBe("0 bytes");
    expect(formatSize(Number.NaN, "en")).toBe("0 bytes");
  });
});
