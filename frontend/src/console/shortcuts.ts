/** Keyboard shortcuts of the console. Alt+letter works everywhere (the composer included);
 * single letters only when no text field has the focus. `code` is used for letters, so the
 * keys work the same on a Russian layout and with macOS's Option characters. */

export type Action =
  | "next"
  | "previous"
  | "focusComposer"
  | "focusNote"
  | "resolve"
  | "search"
  | "help"
  | "escape";

export interface KeyLike {
  key: string;
  code: string;
  altKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
}

export function shortcutFor(event: KeyLike, inTextField: boolean): Action | null {
  if (event.key === "Escape") return "escape";
  if (event.ctrlKey || event.metaKey) return null;
  if (event.altKey) {
    switch (event.code) {
      case "KeyJ":
      case "ArrowDown":
        return "next";
      case "KeyK":
      case "ArrowUp":
        return "previous";
      case "KeyR":
        return "focusComposer";
      case "KeyN":
        return "focusNote";
      case "KeyE":
        return "resolve";
      case "KeyF":
        return "search";
      default:
        return null;
    }
  }
  if (inTextField) return null;
  switch (event.code) {
    case "KeyJ":
      return event.shiftKey ? null : "next";
    case "KeyK":
      return event.shiftKey ? null : "previous";
    case "KeyR":
      return event.shiftKey ? null : "focusComposer";
    case "KeyN":
      return event.shiftKey ? null : "focusNote";
    case "Slash":
      return event.shiftKey ? "help" : "search";
    default:
      return null;
  }
}

/** The shortcuts as the help overlay lists them: keys and the catalogue key of the meaning. */
export const SHORTCUT_HELP: Array<{ keys: string[]; label: "shortcut.next" | "shortcut.previous" | "shortcut.focusComposer" | "shortcut.focusNote" | "shortcut.resolve" | "shortcut.search" | "shortcut.help" | "shortcut.send" | "shortcut.newline" }> = [
  { keys: ["Alt+J", "Alt+↓", "J"], label: "shortcut.next" },
  { keys: ["Alt+K", "Alt+↑", "K"], label: "shortcut.previous" },
  { keys: ["Alt+R", "R"], label: "shortcut.focusComposer" },
  { keys: ["Alt+N", "N"], label: "shortcut.focusNote" },
  { keys: ["Alt+E"], label: "shortcut.resolve" },
  { keys: ["Alt+F", "/"], label: "shortcut.search" },
  { keys: ["Enter"], label: "shortcut.send" },
  { keys: ["Shift+Enter"], label: "shortcut.newline" },
  { keys: ["?"], label: "shortcut.help" },
];
