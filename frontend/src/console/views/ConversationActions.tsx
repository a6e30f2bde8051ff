/** The open conversation's actions, in its header: assign or transfer it (to oneself, a
 * colleague or a team, with a note), and resolve, reopen or set its status. */

import { useCallback, useState } from "preact/hooks";

import { t } from "../i18n";
import type { Conversation, OperatorInfo } from "../types";
import { Avatar, Popover } from "./common";
import { useController } from "./context";
import { CheckIcon, ChevronDownIcon, UserIcon, UsersIcon } from "./icons";
import { OutcomeChoices } from "./Outcome";

export function AssignMenu({ conversation }: { conversation: Conversation }) {
  const controller = useController();
  const { store } = controller;
  const [open, setOpen] = useState(false);
  const [filter, setFilter] = useState("");
  const [note, setNote] = useState("");
  const close = useCallback(() => setOpen(false), []);
  const me = store.me;
  const agent = me.role === "agent";
  const q = filter.trim().toLowerCase();
  const operators = [...store.operators.values()]
    .filter((operator) => operator.id !== me.id)
    .filter((operator) => !agent || conversation.team === null || (operator.teams ?? []).includes(conversation.team))
    .filter((operator) => !q || operator.name.toLowerCase().includes(q) || (operator.username ?? "").toLowerCase().includes(q))
    .sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
  const teams = store.teams.filter((team) => !q || team.name.toLowerCase().includes(q));
  const done = async (target: { operator: number } | { team: number }) => {
    const ok = await controller.actions.assign(conversation.id, target, note);
    if (ok) {
      setOpen(false);
      setNote("");
      setFilter("");
    }
  };
  const assigneeName = conversation.assignee?.name ?? t("conversation.unassigned");
  return (
    <div class="popover-anchor">
      <button type="button" class="button" data-testid="assign-button" aria-haspopup="dialog" aria-expanded={open} onClick={() => setOpen(!open)}>
        {conversation.assignee ? (
          <Avatar name={assigneeName} seed={`op${conversation.assignee.id}`} size="sm" status={store.operators.get(conversation.assignee.id)?.status} />
        ) : (
          <span class="team-icon">
            <UserIcon size={14} />
          </span>
        )}
        <span class="button-text" data-testid="assignee-name">
          {assigneeName}
        </span>
        <ChevronDownIcon size={14} />
      </button>
      {open ? (
        <Popover onClose={close} class="assign-popover" label={t("assign.title")}>
          <input
            class="input"
            type="search"
            placeholder={t("assign.filter")}
            value={filter}
            onInput={(event) => setFilter(event.currentTarget.value)}
            data-testid="assign-filter"
            autoFocus
          />
          <div class="popover-scroll">
            {conversation.assignee?.id !== me.id ? (
              <button type="button" class="popover-item strong" data-testid="assign-me" onClick={() => void done({ operator: me.id })}>
                <Avatar name={me.name} seed={`op${me.id}`} size="sm" status={me.status} />
                <span>{t("assign.toMe")}</span>
              </button>
            ) : null}
            {operators.length > 0 ? <div class="popover-title">{t("assign.operators")}</div> : null}
            {operators.map((operator) => {
              const disabled = agent && operator.status !== "online";
              return (
                <button
                  type="button"
                  key={operator.id}
                  class={`popover-item${conversation.assignee?.id === operator.id ? " selected" : ""}`}
                  data-testid={`assign-operator-${operator.id}`}
                  disabled={disabled}
                  onClick={() => void done({ operator: operator.id })}
                >
                  <Avatar name={operator.name} seed={`op${operator.id}`} size="sm" status={operator.status} />
                  <span class="grow">{operator.name}</span>
                  {conversation.assignee?.id === operator.id ? <CheckIcon size={14} /> : null}
                </button>
              );
            })}
            {teams.length > 0 ? <div class="popover-title">{t("assign.teams")}</div> : null}
            {teams.map((team) => (
              <button type="button" key={team.id} class="popover-item" data-testid={`assign-team-${team.id}`} onClick={() => void done({ team: team.id })}>
                <span class="team-icon">
                  <UsersIcon size={14} />
                </span>
                <span class="grow">{team.id === conversation.team && conversation.assignee ? t("assign.backToQueue") : t("assign.toTeam", { name: team.name })}</span>
              </button>
            ))}
          </div>
          <label class="field-label" for="handoff-note">
            {t("assign.note")}
          </label>
          <textarea id="handoff-note" class="input note-input" rows={2} value={note} data-testid="handoff-note" onInput={(event) => setNote(event.currentTarget.value)} maxLength={10_000} />
        </Popover>
      ) : null}
    </div>
  );
}

/** The status menu's items, each shown unless it is the conversation's status; resolving is
 * the button itself, or an outcome below them. */
const STATUS_ITEMS: Array<{ status: "open" | "pending"; testId: string; label: "conversation.markPending" | "conversation.markOpen" }> = [
  { status: "pending", testId: "mark-pending", label: "conversation.markPending" },
  { status: "open", testId: "mark-open", label: "conversation.markOpen" },
];

function rank(operator: OperatorInfo): number {
  return operator.status === "online" ? 0 : operator.status === "away" ? 1 : 2;
}

export function StatusActions({ conversation }: { conversation: Conversation }) {
  const controller = useController();
  const [open, setOpen] = useState(false);
  const close = useCallback(() => setOpen(false), []);
  const resolved = conversation.status === "resolved";
  return (
    <div class="popover-anchor split-button">
      {resolved ? (
        <button type="button" class="button" data-testid="reopen-button" onClick={() => void controller.actions.setStatus(conversation.id, "open")}>
          {t("conversation.reopen")}
        </button>
      ) : (
        <button type="button" class="button button-success" data-testid="resolve-button" title="Alt+E" onClick={() => void controller.actions.toggleResolved()}>
          <CheckIcon size={15} />
          <span>{t("conversation.resolve")}</span>
        </button>
      )}
      <button type="button" class={`button button-icon${resolved ? "" : " button-success"}`} data-testid="status-menu" aria-label={t("conversation.moreActions")} onClick={() => setOpen(!open)}>
        <ChevronDownIcon size={14} />
      </button>
      {open ? (
        <Popover onClose={close} class="status-popover" label={t("conversation.moreActions")}>
          {STATUS_ITEMS.filter((item) => item.status !== conversation.status).map((item) => (
            <button
              type="button"
              key={item.status}
              class="popover-item"
              data-testid={item.testId}
              onClick={() => {
                setOpen(false);
                void controller.actions.setStatus(conversation.id, item.status);
              }}
            >
              {t(item.label)}
            </button>
          ))}
          <OutcomeChoices conversation={conversation} onDone={close} />
        </Popover>
      ) : null}
    </div>
  );
}
