/** The operator's notifications (mentions, assignments, transfers): the list the console keeps,
 * and their words by kind, for the line in the notifications popover and the title of the
 * desktop alert. A kind this console does not know yet still reads sensibly. */

import { t } from "./i18n";
import type { MentionNotification } from "./types";

type Key = Parameters<typeof t>[0];

const LINES: Record<string, Key> = {
  mention: "notifications.mention",
  assigned: "notifications.assigned",
  team_transfer: "notifications.teamTransfer",
  key_account: "notifications.keyAccount",
  reassigned: "notifications.reassigned",
};

const ALERTS: Record<string, Key> = {
  mention: "alert.mention",
  assigned: "alert.assigned",
  team_transfer: "alert.teamTransfer",
  key_account: "alert.keyAccount",
  reassigned: "alert.reassigned",
};

function params(item: MentionNotification): Record<string, string> {
  return { name: item.by?.name ?? "", id: String(item.conversation) };
}

/** The popover's line, such as "Olga assigned conversation #12 to you". */
export function notificationText(item: MentionNotification): string {
  return t(LINES[item.kind] ?? "notifications.other", params(item));
}

/** The desktop alert's title; its body is `notificationText`. */
export function notificationAlertTitle(item: MentionNotification): string {
  const key = ALERTS[item.kind];
  return key ? t(key, params(item)) : notificationText(item);
}

/** How many notifications the console keeps, newest first. */
export const NOTIFICATIONS_KEPT = 100;

/** The operator's notifications, newest first, each once (by id). */
export class NotificationList {
  items: MentionNotification[] = [];

  /** A live notification; answers whether it is new (a known one changes nothing). */
  add(item: MentionNotification): boolean {
    if (this.items.some((known) => known.id === item.id)) return false;
    this.items = [item, ...this.items].slice(0, NOTIFICATIONS_KEPT);
    return true;
  }

  /** A page from REST, merged with the live ones (REST wins for a notification in both). */
  merge(list: MentionNotification[]): void {
    const byId = new Map(list.map((item) => [item.id, item]));
    for (const known of this.items) if (!byId.has(known.id)) byId.set(known.id, known);
    this.items = [...byId.values()].sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at)).slice(0, NOTIFICATIONS_KEPT);
  }

  markRead(id: number): void {
    this.items = this.items.map((item) => (item.id === id ? { ...item, read: true } : item));
  }

  get unread(): number {
    return this.items.filter((item) => !item.read).length;
  }
}
