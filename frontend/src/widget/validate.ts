/** Checks of what the visitor types, before anything is sent (the server checks again). */
import type { Key } from "./strings";

export const MAX_BODY = 10_000;
export const CONTACT_FIELDS = ["name", "email", "phone"] as const;
export type ContactField = (typeof CONTACT_FIELDS)[number];

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+?[0-9 ()\-.]{5,30}$/;

/** A message body as the contract takes it: 1 to 10,000 code points, not only whitespace; with
 * files (`withFiles`) it may be empty. */
export function bodyProblem(body: string, withFiles = false): Key | null {
  if (!body.trim()) return withFiles ? null : "required";
  if ([...body].length > MAX_BODY) return "tooLong";
  return null;
}

export function isEmail(value: string): boolean {
  return value.length <= 254 && EMAIL.test(value);
}

export function isPhone(value: string): boolean {
  return PHONE.test(value) && (value.match(/[0-9]/g) ?? []).length >= 5;
}

/** The problems of a pre-chat form (or the offline email), as catalogue keys per field. */
export function contactProblems(
  values: Partial<Record<ContactField, string>>,
  required: readonly string[],
): Partial<Record<ContactField, Key>> {
  const problems: Partial<Record<ContactField, Key>> = {};
  for (const field of CONTACT_FIELDS) {
    const value = (values[field] ?? "").trim();
    if (!value) {
      if (required.includes(field)) problems[field] = "required";
      continue;
    }
    if (field === "email" && !isEmail(value)) problems.email = "badEmail";
    if (field === "phone" && !isPhone(value)) problems.phone = "badPhone";
    if (field === "name" && value.length > 200) problems.name = "tooLong";
  }
  return problems;
}

/** "#1f6feb"-style colours only; anything else falls back to the default. */
export function safeColor(value: unknown): string | null {
  return typeof value === "string" && /^#[0-9a-f]{6}$/i.test(value) ? value.toLowerCase() : null;
}

/** Text on the accent: white, or near-black when the accent is too light for white (WCAG). */
export function onColor(hex: string): string {
  const channel = (i: number) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
  return (1.05 / (luminance + 0.05)) >= 4.5 ? "#ffffff" : "#111827";
}

/** The accent darkened by `amount` (0..1), for the header's gradient. */
export function shade(hex: string, amount: number): string {
  const parts = [1, 3, 5].map((i) => Math.round(parseInt(hex.slice(i, i + 2), 16) * (1 - amount)));
  return `#${parts.map((n) => n.toString(16).padStart(2, "0")).join("")}`;
}

/** Up to two initials of a name, for an avatar. */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  return words
    .slice(0, 2)
    .map((word) => [...word][0]?.toLocaleUpperCase() ?? "")
    .join("");
}
