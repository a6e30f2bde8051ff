import { describe, expect, it } from "vitest";

import { shortcutFor } from "../src/console/shortcuts";

const key = (code: string, extra: Partial<{ key: string; altKey: boolean; ctrlKey: boolean; metaKey: boolean; shiftKey: boolean }> = {}) => ({
  key: extra.key ?? code,
  code,
  altKey: false,
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  ...extra,
});

describe("keyboard shortcuts", () => {
  it("moves between conversations with Alt+J/K and Alt+arrows, even while typing", () => {
    expect(shortcutFor(key("KeyJ", { altKey: true, key: "∆" }), true)).toBe("next");
    expect(shortcutFor(key("KeyK", { altKey: true }), true)).toBe("previous");
    expect(shortcutFor(key("ArrowDown", { altKey: true }), false)).toBe("next");
  });

  it("uses single letters only outside text fields, whatever the layout", () => {
    expect(shortcutFor(key("KeyJ", { key: "о" }), false)).toBe("next");
    expect(shortcutFor(key("KeyJ"), true)).toBeNull();
    expect(shortcutFor(key("KeyR"), false)).toBe("focusComposer");
    expect(shortcutFor(key("KeyN"), false)).toBe("focusNote");
    expect(shortcutFor(key("Slash", { key: "/" }), false)).toBe("search");
    expect(shortcutFor(key("Slash", { key: "?", shiftKey: true }), false)).toBe("help");
  });

  it("resolves with Alt+E and leaves browser shortcuts alone", () => {
    expect(shortcutFor(key("KeyE", { altKey: true }), true)).toBe("resolve");
    expect(shortcutFor(key("KeyR", { ctrlKey: true }), false)).toBeNull();
    expect(shortcutFor(key("KeyJ", { metaKey: true }), false)).toBeNull();
    expect(shortcutFor(key("Escape", { key: "Escape" }), true)).toBe("escape");
  });
});
