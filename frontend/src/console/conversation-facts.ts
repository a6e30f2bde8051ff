/** What the console says about a conversation in one line (the list's rows, the contact's
 * history): its subject, whether its channel gets a mark, the preview of its last message; and
 * how a contact that may be the same person is told apart. Pure: the views render the text. */

import { t } from "./i18n";
import type { Channel, Conversation, LastMessage, MergeSuggestion } from "./types";

/** The channels a conversation is marked with in a list: all but the website's, which is the
 * usual case (its inbox says it). */
const MARKED: readonly Channel[] = ["telegram", "email", "api"];

/** The channel a row shows a mark for, or null (the website, or one this console does not know). */
export function markedChannel(channel: string | undefined | null): Channel | null {
  return MARKED.includes(channel as Channel) ? (channel as Channel) : null;
}

/** The conversation's subject on one line (an email's; "" when its channel has none). */
export function subjectOf(conversation: Pick<Conversation, "subject">): string {
  return (conversation.subject ?? "").replace(/\s+/g, " ").trim();
}

/** The last message as a list shows it: on one line, a note said to be one, a message of files
 * alone said to carry something; "No messages yet" without one. */
export function messagePreview(last: LastMessage | null | undefined): string {
  if (!last) return t("list.noMessages");
  const prefix = last.private ? t("list.note") : "";
  const body = last.body.replace(/\s+/g, " ").trim();
  return prefix + (body ? body : t("list.attachment"));
}

/** A conversation in the contact's history: its subject, else its last message. */
export function historyLine(conversation: Pick<Conversation, "subject" | "last_message">): string {
  return subjectOf(conversation) || messagePreview(conversation.last_message);
}

/** How a suggested contact is reached, as shown beside its name: its email and its phone, the
 * ones it has. */
export function suggestionDetails(suggestion: MergeSuggestion): string[] {
  return [suggestion.email, suggestion.phone].map((value) => value.trim()).filter(Boolean);
}

/** A suggested contact's name, or "Unnamed visitor". */
export function suggestionName(suggestion: MergeSuggestion): string {
  return suggestion.name.trim() || t("contact.unnamed");
}
