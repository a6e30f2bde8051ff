import { describe, expect, it } from "vitest";

import { cannedTrigger, expandCanned, filterCanned, insertCanned } from "../src/console/canned";
import type { CannedResponse } from "../src/console/types";

const context = { contact: { name: "Мария Иванова", email: "maria@example.ru" }, operator: { name: "Olga" } };

function canned(fields: Partial<CannedResponse>): CannedResponse {
  return { id: 1, shortcut: "hi", title: "Greeting", body: "Hello!", scope: "team", team: 1, owner: null, ...fields };
}

describe("canned responses", () => {
  it("fills the contact's and the operator's names and email", () => {
    expect(expandCanned("Здравствуйте, {{contact.name}}! Я {{ operator.name }}. Пишем на {{contact.email}}.", context)).toBe(
      "Здравствуйте, Мария Иванова! Я Olga. Пишем на maria@example.ru.",
    );
  });

  it("leaves unknown placeholders as written and fills an unknown name with nothing", () => {
    expect(expandCanned("{{order.id}} {{contact.name}}", { ...context, contact: { name: "", email: "" } })).toBe("{{order.id}} ");
  });

  it("never treats the filled value as a pattern", () => {
    expect(expandCanned("Hi {{contact.name}}", { ...context, contact: { name: "$& {{operator.name}}", email: "" } })).toBe("Hi $& {{operator.name}}");
  });

  it("finds the /shortcut being typed at the start or after a space", () => {
    expect(cannedTrigger("/ship", 5)).toEqual({ start: 0, query: "ship" });
    expect(cannedTrigger("Hello /de", 9)).toEqual({ start: 6, query: "de" });
    expect(cannedTrigger("see http://x/y", 14)).toBeNull();
    expect(cannedTrigger("a/b", 3)).toBeNull();
    expect(cannedTrigger("/ship now", 9)).toBeNull();
  });

  it("ranks shortcut prefixes first and personal before team", () => {
    const list = [
      canned({ id: 1, shortcut: "delivery", title: "Delivery times" }),
      canned({ id: 2, shortcut: "dl", title: "Download", scope: "personal", owner: 7 }),
      canned({ id: 3, shortcut: "refund", title: "Refund", body: "About delivery…" }),
      canned({ id: 4, shortcut: "hello", title: "Hello" }),
    ];
    expect(filterCanned(list, "d").map((item) => item.id)).toEqual([2, 1, 3]);
    expect(filterCanned(list, "").length).toBe(4);
    expect(filterCanned(list, "zzz")).toEqual([]);
  });

  it("replaces the /shortcut with the expanded body and puts the caret after it", () => {
    const response = canned({ body: "Добрый день, {{contact.name}}!" });
    const edit = insertCanned("Ok. /hi", 7, response, context);
    expect(edit.text).toBe("Ok. Добрый день, Мария Иванова!");
    expect(edit.caret).toBe(edit.text.length);
  });
});
