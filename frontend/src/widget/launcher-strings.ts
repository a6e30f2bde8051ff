/** The launcher's strings: the only ones the tiny loader needs (the rest are in strings.ts). */
import type { Locale } from "./locale";

export interface LauncherStrings {
  open: string;
  close: string;
}

export const LAUNCHER_STRINGS: Record<Locale, LauncherStrings> = {
  en: { open: "Open chat", close: "Close chat" },
  ru: { open: "Открыть чат", close: "Закрыть чат" },
};
