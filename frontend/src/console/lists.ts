/** The conversation lists of the console: a folder (mine, unassigned, all, a team, a label,
 * resolved) and, except for "resolved", a status filter. Each list is both a REST query (what
 * to load) and a predicate (where a live conversation belongs), so a frame moves a conversation
 * between lists without a reload. */

import type { Conversation, Inbox, Me } from "./types";

export type Folder =
  | { kind: "mine" }
  | { kind: "unassigned" }
  | { kind: "all" }
  | { kind: "resolved" }
  | { kind: "team"; id: number }
  | { kind: "label"; name: string };

export type StatusFilter = "open" | "pending" | "all";

export const STATUS_FILTERS: StatusFilter[] = ["open", "pending", "all"];

export function folderKey(folder: Folder): string {
  switch (folder.kind) {
    case "team":
      return `team:${folder.id}`;
    case "label":
      return `label:${folder.name}`;
    default:
      return folder.kind;
  }
}

export function parseFolderKey(key: string): Folder | null {
  if (key === "mine" || key === "unassigned" || key === "all" || key === "resolved") return { kind: key };
  if (key.startsWith("team:")) {
    const id = Number(key.slice(5));
    return Number.isInteger(id) && id > 0 ? { kind: "team", id } : null;
  }
  if (key.startsWith("label:") && key.length > 6) return { kind: "label", name: key.slice(6) };
  return null;
}

/** The status a list shows: "resolved" is its own folder, the others follow the filter. */
export function effectiveStatus(folder: Folder, status: StatusFilter): "open" | "pending" | "resolved" | null {
  if (folder.kind === "resolved") return "resolved";
  return status === "all" ? null : status;
}

export function listKey(folder: Folder, status: StatusFilter): string {
  return `${folderKey(folder)}|${effectiveStatus(folder, status) ?? "any"}`;
}

/** The query string of `GET /api/v1/conversations` for a list. */
export function listQuery(folder: Folder, status: StatusFilter, limit = 50): URLSearchParams {
  const params = new URLSearchParams();
  const effective = effectiveStatus(folder, status);
  if (effective) params.set("status", effective);
  if (folder.kind === "mine") params.set("assignee", "me");
  if (folder.kind === "unassigned") params.set("assignee", "none");
  if (folder.kind === "team") params.set("team", String(folder.id));
  if (folder.kind === "label") params.set("label", folder.name);
  params.set("limit", String(limit));
  return params;
}

export function inFolder(conversation: Conversation, folder: Folder, meId: number): boolean {
  switch (folder.kind) {
    case "mine":
      return conversation.assignee?.id === meId;
    case "unassigned":
      return conversation.assignee === null;
    case "all":
    case "resolved":
      return true;
    case "team":
      return conversation.team === folder.id;
    case "label":
      return conversation.labels.includes(folder.name);
  }
}

/** The folders whose sidebar counter a conversation counts in: its lists, for one that is not
 * resolved, or Resolved alone (the server's rule, `GET /api/v1/conversations/counts`). */
export function countedIn(conversation: Conversation, meId: number): string[] {
  if (conversation.status === "resolved") return [folderKey({ kind: "resolved" })];
  const keys = [folderKey({ kind: "all" })];
  if (conversation.assignee?.id === meId) keys.push(folderKey({ kind: "mine" }));
  if (conversation.assignee === null) keys.push(folderKey({ kind: "unassigned" }));
  if (conversation.team !== null) keys.push(folderKey({ kind: "team", id: conversation.team }));
  for (const name of conversation.labels) keys.push(folderKey({ kind: "label", name }));
  return keys;
}

export function matchesList(conversation: Conversation, folder: Folder, status: StatusFilter, meId: number): boolean {
  const effective = effectiveStatus(folder, status);
  if (effective && conversation.status !== effective) return false;
  return inFolder(conversation, folder, meId);
}

/** Whether the operator may see a conversation: the rule of chats/audience.py, in memory. */
export function maySee(conversation: Conversation, me: Me, inboxes: Map<number, Inbox> | null): boolean {
  if (me.role === "supervisor" || me.role === "admin") return true;
  if (conversation.assignee?.id === me.id) return true;
  if (conversation.team !== null && me.teams.includes(conversation.team)) return true;
  if (inboxes === null) return true; // not known yet: the server only sends what we may see
  const inbox = inboxes.get(conversation.inbox);
  return inbox !== undefined && me.teams.includes(inbox.team);
}
