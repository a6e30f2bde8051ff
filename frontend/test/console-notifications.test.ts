import { afterEach, describe, expect, it } from "vitest";

import { setLocale } from "../src/console/i18n";
import { NOTIFICATIONS_KEPT, NotificationList, notificationAlertTitle, notificationText } from "../src/console/notifications";
import type { MentionNotification } from "../src/console/types";
import { newStore } from "./console-fixtures";

afterEach(() => setLocale("en"));

function notification(kind: string, by: { id: number; name: string } | null = { id: 8, name: "Olga" }): MentionNotification {
  return { id: 1, kind, conversation: 42, message: null, by, created_at: "2026-12-03T08:00:00Z", read: false };
}

describe("notification lines", () => {
  it("say what happened, for every kind, in English", () => {
    expect(notificationText(notification("mention"))).toBe("Olga mentioned you in conversation #42");
    expect(notificationText(notification("assigned"))).toBe("Olga assigned conversation #42 to you");
    expect(notificationText(notification("team_transfer"))).toBe("Olga transferred conversation #42 to your team");
    expect(notificationText(notification("key_account", null))).toBe("Your key account is waiting in conversation #42");
    expect(notificationText(notification("reassigned", null))).toBe("Conversation #42 went to a colleague: it had no answer from you");
  });

  it("say it in Russian", () => {
    setLocale("ru");
    expect(notificationText(notification("mention"))).toBe("Olga упомянул(а) вас в диалоге №42");
    expect(notificationText(notification("assigned"))).toBe("Olga назначил(а) вам диалог №42");
    expect(notificationText(notification("team_transfer"))).toBe("Olga передал(а) диалог №42 вашему отделу");
    expect(notificationText(notification("key_account", null))).toBe("Ваш ключевой клиент ждёт в диалоге №42");
    expect(notificationText(notification("reassigned", null))).toBe("Диалог №42 передан коллеге: вы не ответили");
  });

  it("still read sensibly for a kind this console does not know", () => {
    expect(notificationText(notification("sla_breached"))).toBe("Something new in conversation #42");
    expect(notificationAlertTitle(notification("sla_breached"))).toBe("Something new in conversation #42");
    setLocale("ru");
    expect(notificationText(notification("sla_breached"))).toBe("Новое в диалоге №42");
  });

  it("give desktop alerts a title of their own", () => {
    expect(notificationAlertTitle(notification("mention"))).toBe("Olga mentioned you");
    expect(notificationAlertTitle(notification("assigned"))).toBe("Olga assigned a conversation to you");
    expect(notificationAlertTitle(notification("team_transfer"))).toBe("A conversation was transferred to your team");
    expect(notificationAlertTitle(notification("key_account", null))).toBe("Your key account is waiting");
    setLocale("ru");
    expect(notificationAlertTitle(notification("reassigned", null))).toBe("Диалог передан коллеге");
  });

  it("are never markup: a name with tags stays text", () => {
    const text = notificationText(notification("assigned", { id: 9, name: "<b>Eve</b>" }));
    expect(text).toBe("<b>Eve</b> assigned conversation #42 to you");
  });
});

describe("the store and the new kinds", () => {
  it("keeps each kind once, counts it unread and alerts with it", () => {
    const store = newStore();
    for (const [id, kind] of [[11, "assigned"], [12, "team_transfer"], [13, "key_account"], [14, "reassigned"]] as const) {
      const item = { ...notification(kind), id };
      const effects = store.applyFrame({ type: "notification", notification: item });
      expect(effects).toEqual([expect.objectContaining({ type: "alert", kind: "notification", conversation: 42, notification: item })]);
      expect(store.applyFrame({ type: "notification", notification: item })).toEqual([]);
    }
    expect(store.notifications.map((item) => item.kind)).toEqual(["reassigned", "key_account", "team_transfer", "assigned"]);
    expect(store.unreadNotifications()).toBe(4);
  });
});

describe("the list of notifications", () => {
  const at = (id: number, minute: number, read = false) => ({ ...notification("mention"), id, read, created_at: `2026-12-03T08:${String(minute).padStart(2, "0")}:00Z` });

  it("puts a live one first, once, and keeps the newest hundred", () => {
    const list = new NotificationList();
    expect(list.add(at(1, 1))).toBe(true);
    expect(list.add(at(1, 1))).toBe(false);
    for (let id = 2; id <= NOTIFICATIONS_KEPT + 10; id += 1) list.add(at(id, 2));
    expect(list.items).toHaveLength(NOTIFICATIONS_KEPT);
    expect(list.items[0].id).toBe(NOTIFICATIONS_KEPT + 10);
  });

  it("merges a page from the server with the live ones, newest first, the server's copy winning", () => {
    const list = new NotificationList();
    list.add(at(3, 30));
    list.add(at(2, 20));
    list.merge([at(2, 20, true), at(1, 10)]);
    expect(list.items.map((item) => [item.id, item.read])).toEqual([
      [3, false],
      [2, true],
      [1, false],
    ]);
    expect(list.unread).toBe(2);
  });

  it("marks one read without touching the others", () => {
    const list = new NotificationList();
    list.merge([at(1, 1), at(2, 2)]);
    const before = list.items;
    list.markRead(1);
    expect(list.items.map((item) => item.read)).toEqual([false, true]);
    expect(list.items[0]).toBe(before[0]);
    expect(list.unread).toBe(1);
  });
});
