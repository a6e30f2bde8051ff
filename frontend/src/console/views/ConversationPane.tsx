/** The middle column: the open conversation's header (its channel too) and actions
 * (ConversationActions.tsx), its messages (live; their files, Attachments.tsx; their marks and
 * actions, MessageMarks.tsx), who is typing, and the composer. Files dropped anywhere on the
 * column go to the composer. */

import { Component, type JSX } from "preact";
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";

import { attachmentsOf } from "../../shared/attachments";
import { subjectOf } from "../conversation-facts";
import { formatDateTime, formatDay, formatTime, getLocale, t } from "../i18n";
import type { PendingMessage } from "../message-logs";
import type { Conversation, Message } from "../types";
import { AttachmentList, useFileDrop } from "./Attachments";
import { BlockedBadge, ChannelMark } from "./Channel";
import { Avatar, Body, Empty, PriorityMark, StatusPill } from "./common";
import { Composer } from "./Composer";
import { useController } from "./context";
import { AssignMenu, StatusActions } from "./ConversationActions";
import { DeliveryState, EditedMark, HiddenMark, HideAction } from "./MessageMarks";
import { CsatMark, OutcomeMark } from "./Outcome";
import { CheckIcon, InboxIcon, LockIcon, PaperclipIcon, StarIcon } from "./icons";

/** Messages rendered at first for a long conversation; older ones on request. */
const MESSAGE_WINDOW = 300;

/** Marks a private note, which the contact never sees. */
function NoteLabel() {
  return (
    <div class="note-label">
      <LockIcon size={12} />
      <span>{t("message.note")}</span>
    </div>
  );
}

interface MessageRowProps {
  message: Message;
  mine: boolean;
  showAuthor: boolean;
  seen: boolean;
  mentions: Set<string>;
  locale: string;
  /** A contact's message in a Telegram group, not hidden yet: it may be hidden from the group. */
  canHide: boolean;
}

class MessageRow extends Component<MessageRowProps> {
  shouldComponentUpdate(next: MessageRowProps): boolean {
    const current = this.props;
    return (
      next.message !== current.message ||
      next.seen !== current.seen ||
      next.showAuthor !== current.showAuthor ||
      next.locale !== current.locale ||
      next.mentions !== current.mentions ||
      next.canHide !== current.canHide
    );
  }

  render() {
    const { message, mine, showAuthor, seen, mentions, canHide } = this.props;
    const kind = message.author.kind;
    if (kind === "system") {
      return (
        <div class="msg-system" data-testid={`message-${message.id}`} data-seq={message.seq}>
          <span>
            <Body text={message.body} />
          </span>
          <time title={formatDateTime(message.created_at)}>{formatTime(message.created_at)}</time>
        </div>
      );
    }
    const side = kind === "visitor" ? "in" : "out";
    const name = message.author.name || (kind === "visitor" ? t("message.visitor") : "");
    const attachments = attachmentsOf(message);
    // Files alone: no empty bubble (a note keeps its label, to say it is private).
    const hasText = message.body.trim() !== "";
    return (
      <div
        class={`msg msg-${side}${message.private ? " msg-note" : ""}${mine ? " mine" : ""}${message.hidden ? " msg-hidden" : ""}`}
        data-testid={`message-${message.id}`}
        data-seq={message.seq}
        data-private={message.private ? "true" : "false"}
        data-hidden={message.hidden ? "true" : undefined}
        data-delivery={message.delivery ?? undefined}
      >
        {showAuthor ? <div class="msg-author">{name}</div> : null}
        {hasText || message.private || attachments.length === 0 ? (
          <div class="bubble">
            {message.private ? <NoteLabel /> : null}
            {hasText || attachments.length === 0 ? (
              <div class="msg-body">
                <Body text={message.body} mentions={message.private ? mentions : undefined} />
              </div>
            ) : null}
          </div>
        ) : null}
        <AttachmentList attachments={attachments} />
        <div class="msg-meta">
          <time title={formatDateTime(message.created_at)}>{formatTime(message.created_at)}</time>
          {message.edited_at ? <EditedMark at={message.edited_at} /> : null}
          {message.hidden ? <HiddenMark /> : null}
          {kind === "operator" ? <DeliveryState message={message} /> : null}
          {canHide ? <HideAction message={message} /> : null}
          {seen ? (
            <span class="seen" data-testid="seen">
              <CheckIcon size={12} /> {t("message.seen")}
            </span>
          ) : null}
        </div>
      </div>
    );
  }
}

function PendingRow({ pending }: { pending: PendingMessage }) {
  const controller = useController();
  const attachments = pending.attachments ?? [];
  const hasText = pending.body.trim() !== "";
  return (
    <div class={`msg msg-out mine pending${pending.private ? " msg-note" : ""}${pending.failed ? " failed" : ""}`} data-testid="pending-message">
      {hasText || pending.private || attachments.length === 0 ? (
        <div class="bubble">
          {pending.private ? <NoteLabel /> : null}
          {hasText ? (
            <div class="msg-body">
              <Body text={pending.body} />
            </div>
          ) : null}
        </div>
      ) : null}
      <AttachmentList attachments={attachments} />
      <div class="msg-meta">
        {pending.failed ? (
          <>
            <span class="error-text">{t("message.failed", { reason: pending.failed })}</span>
            <button type="button" class="link-button" onClick={() => controller.composer.retry(pending.clientId)}>
              {t("message.retry")}
            </button>
            <button type="button" class="link-button" onClick={() => controller.composer.discard(pending.clientId)}>
              {t("message.discard")}
            </button>
          </>
        ) : (
          <span>{t("message.sending")}</span>
        )}
      </div>
    </div>
  );
}

function MessageList({ conversation }: { conversation: Conversation }) {
  const controller = useController();
  const { store } = controller;
  const scroller = useRef<HTMLDivElement>(null);
  const nearBottom = useRef(true);
  const [showAll, setShowAll] = useState(false);
  const log = store.logs.get(conversation.id);
  const messages = store.messages(conversation.id);
  const pending = store.pendingFor(conversation.id);
  const visitorRead = store.visitorRead.get(conversation.id) ?? 0;
  const usernames = useMemo(() => new Set([...store.operators.values()].map((operator) => (operator.username ?? "").toLowerCase()).filter(Boolean)), [store.operators.size]);
  const hidden = showAll ? 0 : Math.max(0, messages.length - MESSAGE_WINDOW);
  const visible = messages.slice(hidden);
  const lastSeenId = useMemo(() => {
    let id: number | null = null;
    for (const message of messages) if (message.author.kind === "operator" && !message.private && message.seq <= visitorRead) id = message.id;
    return id;
  }, [messages.length, visitorRead]);

  useEffect(() => {
    nearBottom.current = true;
    setShowAll(false);
  }, [conversation.id]);
  useLayoutEffect(() => {
    const node = scroller.current;
    if (node && nearBottom.current) node.scrollTop = node.scrollHeight;
  });

  const loading = !log || (messages.length === 0 && controller.sync.isLoadingMessages(conversation.id));
  const telegramGroup = conversation.telegram?.chat === "group";
  const items: JSX.Element[] = [];
  let previous: Message | null = null;
  for (const message of visible) {
    const day = formatDay(message.created_at, store.now);
    if (!previous || formatDay(previous.created_at, store.now) !== day) {
      items.push(
        <div class="day-separator" key={`day-${message.id}`}>
          <span>{day}</span>
        </div>,
      );
    }
    const sameAuthor =
      previous !== null &&
      previous.author.kind === message.author.kind &&
      previous.author.id === message.author.id &&
      previous.private === message.private &&
      Date.parse(message.created_at) - Date.parse(previous.created_at) < 5 * 60_000;
    items.push(
      <MessageRow
        key={message.id}
        message={message}
        mine={message.author.kind === "operator" && message.author.id === store.me.id}
        showAuthor={!sameAuthor}
        seen={message.id === lastSeenId}
        mentions={usernames}
        locale={getLocale()}
        canHide={telegramGroup && message.author.kind === "visitor" && !message.hidden}
      />,
    );
    previous = message;
  }
  return (
    <div
      class="messages"
      ref={scroller}
      data-testid="messages"
      onScroll={() => {
        const node = scroller.current;
        if (node) nearBottom.current = node.scrollHeight - node.scrollTop - node.clientHeight < 120;
      }}
    >
      {hidden > 0 ? (
        <button type="button" class="load-more" onClick={() => setShowAll(true)}>
          {t("conversation.earlier")}
        </button>
      ) : null}
      {loading ? <div class="list-loading">{t("conversation.loadingMessages")}</div> : null}
      {items}
      {pending.map((item) => (
        <PendingRow key={item.clientId} pending={item} />
      ))}
    </div>
  );
}

function TypingLine({ conversation }: { conversation: Conversation }) {
  const { store } = useController();
  const entries = store.typingIn(conversation.id);
  const entry = entries[0];
  return (
    <div class="typing-line" aria-live="polite" data-testid="typing">
      {entry ? (
        <>
          <span class="typing-dots" aria-hidden="true">
            <i />
            <i />
            <i />
          </span>
          <span>{t(entry.private ? "typing.note" : "typing.one", { name: entry.name || t("message.visitor") })}</span>
        </>
      ) : null}
    </div>
  );
}

export function ConversationPane() {
  const controller = useController();
  const { store } = controller;
  const id = store.selected;
  const conversation = store.selectedConversation();
  const drop = useFileDrop(conversation ? conversation.id : null);
  if (id === null || !conversation) {
    return (
      <main class="conversation-pane empty-pane">
        {id !== null ? <div class="list-loading">{t("app.loading")}</div> : <Empty icon={<InboxIcon size={36} />} title={t("conversation.none")} hint={t("conversation.noneHint")} />}
      </main>
    );
  }
  const name = conversation.contact.name || t("contact.unnamed");
  const subject = subjectOf(conversation);
  const inbox = store.inboxes?.get(conversation.inbox);
  const gone = store.gone.has(conversation.id);
  return (
    <main class="conversation-pane" data-testid="conversation" data-conversation={conversation.id} data-status={conversation.status} {...drop.handlers}>
      <header class="conv-header">
        <Avatar name={name} seed={conversation.contact.id} />
        <div class="conv-title">
          {subject ? (
            <div class="conv-subject" data-testid="header-subject" title={subject}>
              <span class="sr-only">{t("conversation.subjectLabel")}</span>
              {subject}
            </div>
          ) : null}
          <div class={`conv-name${subject ? " under-subject" : ""}`}>
            <span class="conv-name-text" data-testid="header-name">
              {name}
            </span>
            {conversation.contact.vip ? (
              <span class="vip" title={t("contact.vipHint")}>
                <StarIcon size={12} />
              </span>
            ) : null}
            {conversation.telegram?.blocked ? <BlockedBadge /> : null}
          </div>
          <div class="conv-sub">
            <StatusPill status={conversation.status} />
            <OutcomeMark conversation={conversation} />
            <CsatMark csat={conversation.csat} />
            <PriorityMark priority={conversation.priority} />
            <ChannelMark conversation={conversation} />
            <span class="conv-sub-text">
              {t("conversation.number", { id: String(conversation.id) })}
              {inbox ? ` · ${inbox.name}` : ""}
              {conversation.team !== null ? ` · ${store.teamName(conversation.team)}` : ""}
            </span>
          </div>
        </div>
        <div class="conv-actions">
          <AssignMenu conversation={conversation} />
          <StatusActions conversation={conversation} />
        </div>
      </header>
      {gone ? <div class="banner warning">{t("conversation.gone", { team: store.teamName(conversation.team) || conversation.assignee?.name || "—" })}</div> : null}
      <MessageList conversation={conversation} />
      <TypingLine conversation={conversation} />
      <Composer key={conversation.id} conversation={conversation} />
      {drop.dragging ? (
        <div class="drop-overlay" aria-hidden="true" data-testid="drop-overlay">
          <PaperclipIcon size={28} />
          <span>{t("attach.drop")}</span>
        </div>
      ) : null}
    </main>
  );
}
