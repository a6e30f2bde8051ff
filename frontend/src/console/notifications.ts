/** The words of a notification, by its kind: the line in the notifications popover and the
 * title of the desktop alert. A kind this console does not know yet still reads sensibly. */

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
