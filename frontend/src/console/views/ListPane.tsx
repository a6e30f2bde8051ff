/** The middle-left column: search, the current list (live), and search results. */

import { Component } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";

import { messagePreview, subjectOf } from "../conversation-facts";
import { formatDateTime, formatRelative, getLocale, t, tn } from "../i18n";
import { type Folder, STATUS_FILTERS, type StatusFilter } from "../lists";
import type { TypingEntry } from "../typing";
import type { ContactDetail, Conversation } from "../types";
import { ChannelIcon } from "./Channel";
import { Avatar, Empty, PriorityMark, StatusPill } from "./common";
import { useController } from "./context";
import { CloseIcon, InboxIcon, ReplyIcon, SearchIcon, StarIcon } from "./icons";

/** How many rows a list renders at first; scrolling down renders (and loads) more. */
const WINDOW = 60;

interface RowProps {
  conversation: Conversation;
  selected: boolean;
  unread: number;
  typing: TypingEntry[];
  meId: number;
  now: number;
  locale: string;
  onOpen: (id: number) => void;
}

/** One conversation in a list; re-renders only when what it shows changed. */
class ConversationRow extends Component<RowProps> {
  shouldComponentUpdate(next: RowProps): boolean {
    const current = this.props;
    return (
      next.conversation !== current.conversation ||
      next.selected !== current.selected ||
      next.unread !== current.unread ||
      next.typing !== current.typing ||
      next.locale !== current.locale ||
      Math.floor(next.now / 30_000) !== Math.floor(current.now / 30_000)
    );
  }

  render() {
    const { conversation, selected, unread, typing, meId, now, onOpen } = this.props;
    const name = conversation.contact.name || t("contact.unnamed");
    const last = conversation.last_message;
    const visitorTyping = typing.find((entry) => entry.kind === "visitor");
    const preview = visitorTyping ? t("typing.one", { name: visitorTyping.name || name }) : messagePreview(last);
    const subject = subjectOf(conversation);
    const assignee = conversation.assignee;
    return (
      <button
        type="button"
        class={`row${selected ? " selected" : ""}${unread > 0 ? " unread" : ""}`}
        data-testid={`conversation-${conversation.id}`}
        data-status={conversation.status}
        data-assignee={assignee ? String(assignee.id) : ""}
        aria-current={selected ? "true" : undefined}
        onClick={() => onOpen(conversation.id)}
      >
        <Avatar name={name} seed={conversation.contact.id} />
        <span class="row-main">
          {subject ? (
            <span class="row-subject" data-testid="row-subject" title={subject}>
              {subject}
            </span>
          ) : null}
          <span class="row-top">
            <ChannelIcon channel={conversation.channel} />
            <span class="row-name">{name}</span>
            {conversation.contact.vip ? (
              <span class="vip" title={t("contact.vipHint")}>
                <StarIcon size={11} />
              </span>
            ) : null}
            <span class="row-time" title={formatDateTime(conversation.last_activity_at)}>
              {formatRelative(conversation.last_activity_at, now)}
            </span>
          </span>
          <span class={`row-preview${visitorTyping ? " typing" : ""}`}>
            {!visitorTyping && last && last.author_kind !== "visitor" && !last.private ? (
              <span class="outgoing" title={t("list.outgoing")}>
                <ReplyIcon size={13} />
              </span>
            ) : null}
            {preview}
          </span>
          <span class="row-meta">
            {conversation.status !== "open" ? <StatusPill status={conversation.status} /> : null}
            <PriorityMark priority={conversation.priority} />
            {conversation.queue_position ? <span class="chip">{t("list.queue", { position: conversation.queue_position })}</span> : null}
            {assignee ? (
              <span class={`chip assignee${assignee.id === meId ? " me" : ""}`} data-testid="row-assignee">
                {assignee.name}
              </span>
            ) : (
              <span class="chip muted">{t("conversation.unassigned")}</span>
            )}
            {conversation.labels.slice(0, 2).map((label) => (
              <span key={label} class="chip label">
                {label}
              </span>
            ))}
            {unread > 0 ? (
              <span class="unread-badge" data-testid="unread" title={tn("plural.unread", unread)}>
                {unread > 99 ? "99+" : unread}
              </span>
            ) : null}
          </span>
        </span>
      </button>
    );
  }
}

function folderTitle(folder: Folder, teamName: (id: number) => string): string {
  switch (folder.kind) {
    case "mine":
      return t("folder.mine");
    case "unassigned":
      return t("folder.unassigned");
    case "all":
      return t("folder.all");
    case "resolved":
      return t("folder.resolved");
    case "team":
      return t("folder.team", { name: teamName(folder.id) });
    case "label":
      return t("folder.label", { name: folder.name });
  }
}

function statusLabel(status: StatusFilter): string {
  return status === "open" ? t("filter.open") : status === "pending" ? t("filter.pending") : t("filter.all");
}

function SearchBox() {
  const controller = useController();
  const [value, setValue] = useState("");
  const input = useRef<HTMLInputElement>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => {
    if (controller.navigation.searchFocusAt) input.current?.focus();
  }, [controller.navigation.searchFocusAt]);
  useEffect(() => {
    if (controller.store.search === null && value !== "" && timer.current === null) setValue("");
  }, [controller.store.search]);
  const run = (text: string) => {
    setValue(text);
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      timer.current = null;
      void controller.search.search(text);
    }, 300);
  };
  return (
    <div class="search">
      <SearchIcon />
      <input
        ref={input}
        type="search"
        data-testid="search"
        value={value}
        placeholder={t("search.placeholder")}
        aria-label={t("search.placeholder")}
        onInput={(event) => run(event.currentTarget.value)}
        onKeyDown={(event) => {
          if (event.key === "Enter") {
            if (timer.current) clearTimeout(timer.current);
            timer.current = null;
            void controller.search.search(value);
          }
          if (event.key === "Escape") {
            event.stopPropagation();
            run("");
            input.current?.blur();
          }
        }}
        maxLength={200}
      />
      {value ? (
        <button type="button" class="icon-button small" aria-label={t("search.clear")} onClick={() => run("")}>
          <CloseIcon size={14} />
        </button>
      ) : null}
    </div>
  );
}

function ContactResult({ contact }: { contact: ContactDetail }) {
  const controller = useController();
  const name = contact.name || t("contact.unnamed");
  return (
    <button type="button" class="row compact" data-testid={`contact-result-${contact.id}`} onClick={() => void controller.search.openContact(contact)}>
      <Avatar name={name} seed={contact.id} size="sm" />
      <span class="row-main">
        <span class="row-top">
          <span class="row-name">{name}</span>
          {contact.vip ? (
            <span class="vip">
              <StarIcon size={11} />
            </span>
          ) : null}
        </span>
        {contact.email ? <span class="row-preview">{contact.email}</span> : null}
      </span>
    </button>
  );
}

export function ListPane() {
  const controller = useController();
  const { store } = controller;
  const [limit, setLimit] = useState(WINDOW);
  const scroller = useRef<HTMLDivElement>(null);
  const key = controller.navigation.currentListKey();
  useEffect(() => {
    setLimit(WINDOW);
    scroller.current?.scrollTo({ top: 0 });
  }, [key]);
  const open = (id: number) => void controller.navigation.openConversation(id);
  const search = store.search;
  const rows = (items: Conversation[]) =>
    items.map((conversation) => (
      <ConversationRow
        key={conversation.id}
        conversation={conversation}
        selected={store.selected === conversation.id}
        unread={store.unread(conversation)}
        typing={store.typing.get(conversation.id) ?? NO_TYPING}
        meId={store.me.id}
        now={store.now}
        locale={getLocale()}
        onOpen={open}
      />
    ));

  if (search) {
    return (
      <section class="list-pane" aria-label={t("search.placeholder")}>
        <SearchBox />
        <div class="list-scroll" data-testid="search-results">
          {search.loading ? <div class="list-loading">{t("app.loading")}</div> : null}
          {!search.loading && search.contacts.length === 0 && search.conversations.length === 0 ? <Empty title={t("search.none", { query: search.query })} /> : null}
          {search.contacts.length > 0 ? (
            <>
              <div class="list-section">{t("search.contacts")}</div>
              {search.contacts.slice(0, 10).map((contact) => (
                <ContactResult key={contact.id} contact={contact} />
              ))}
            </>
          ) : null}
          {search.conversations.length > 0 ? (
            <>
              <div class="list-section">{t("search.conversations")}</div>
              {rows(search.conversations.map((item) => store.conversations.get(item.id) ?? item))}
            </>
          ) : null}
        </div>
      </section>
    );
  }

  const items = store.currentItems();
  const state = store.listState(store.folder, store.status);
  const shown = items.slice(0, limit);
  const onScroll = () => {
    const node = scroller.current;
    if (!node || node.scrollTop + node.clientHeight < node.scrollHeight - 200) return;
    if (limit < items.length) setLimit(limit + WINDOW);
    else if (state.next && !state.loading) void controller.sync.loadList(store.folder, store.status, true);
  };
  return (
    <section class="list-pane" aria-label={folderTitle(store.folder, (id) => store.teamName(id))}>
      <SearchBox />
      <header class="list-header">
        <div class="list-heading">
          <h2 data-testid="list-title">{folderTitle(store.folder, (id) => store.teamName(id))}</h2>
          {state.loaded && !state.next ? <span class="list-count">{tn("plural.conversations", items.length)}</span> : null}
        </div>
        {store.folder.kind !== "resolved" ? (
          <select
            class="select small"
            data-testid="status-filter"
            aria-label={t("filter.status")}
            value={store.status}
            onChange={(event) => controller.navigation.showFolder(store.folder, event.currentTarget.value as StatusFilter)}
          >
            {STATUS_FILTERS.map((status) => (
              <option key={status} value={status}>
                {statusLabel(status)}
              </option>
            ))}
          </select>
        ) : null}
      </header>
      <div class="list-scroll" ref={scroller} onScroll={onScroll} data-testid="list">
        {rows(shown)}
        {state.loading ? <div class="list-loading">{t("app.loading")}</div> : null}
        {state.error ? (
          <div class="list-error">
            {t("app.error", { message: state.error })}{" "}
            <button type="button" class="link-button" onClick={() => void controller.sync.loadList(store.folder, store.status)}>
              {t("app.retry")}
            </button>
          </div>
        ) : null}
        {!state.loading && !state.error && items.length === 0 ? <Empty icon={<InboxIcon size={28} />} title={t("list.empty")} hint={t("list.emptyHint")} /> : null}
        {!state.loading && (limit < items.length || state.next) ? (
          <button
            type="button"
            class="load-more"
            onClick={() => {
              if (limit < items.length) setLimit(limit + WINDOW);
              else void controller.sync.loadList(store.folder, store.status, true);
            }}
          >
            {t("list.loadMore")}
          </button>
        ) : null}
      </div>
    </section>
  );
}

const NO_TYPING: TypingEntry[] = [];
