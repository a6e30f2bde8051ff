/** The right column: who the visitor is (name, email, VIP, others that may be the same person
 * (ContactMerge.tsx), notes, the page they are on, their conversations in every channel) and the
 * conversation's attributes (assignee, team, inbox, channel, priority, labels). */

import { useEffect, useState } from "preact/hooks";

import { safeHref } from "../../shared/linkify";
import { historyLine, subjectOf } from "../conversation-facts";
import { formatDateTime, formatRelative, t } from "../i18n";
import type { ContactDetail, Conversation, Priority } from "../types";
import { ChannelFacts, ChannelIcon } from "./Channel";
import { Avatar, StatusPill } from "./common";
import { MergeSuggestions } from "./ContactMerge";
import { useController } from "./context";
import { Labels } from "./Labels";
import { CsatMark, OutcomeMark } from "./Outcome";
import { GlobeIcon, MailIcon, PhoneIcon, StarIcon } from "./icons";

const PRIORITIES: Priority[] = ["none", "low", "medium", "high", "urgent"];

function priorityLabel(priority: Priority): string {
  return t(`priority.${priority}` as "priority.none");
}

function pageOf(conversation: Conversation, contact: ContactDetail | undefined): { url: string; title: string } | null {
  const candidates = [conversation.page, conversation.page_url ? { url: conversation.page_url } : null, contact?.page, contact?.page_url ? { url: contact.page_url } : null];
  for (const candidate of candidates) {
    if (candidate && candidate.url) return { url: candidate.url, title: ("title" in candidate && candidate.title) || candidate.url };
  }
  return null;
}

function Notes({ contact }: { contact: ContactDetail }) {
  const controller = useController();
  const [value, setValue] = useState(contact.notes);
  const [saved, setSaved] = useState(false);
  useEffect(() => setValue(contact.notes), [contact.id, contact.notes]);
  return (
    <div class="notes">
      <textarea
        class="input"
        rows={3}
        value={value}
        placeholder={t("contact.notesPlaceholder")}
        aria-label={t("contact.notes")}
        data-testid="contact-notes"
        maxLength={10_000}
        onInput={(event) => {
          setValue(event.currentTarget.value);
          setSaved(false);
        }}
        onBlur={async () => {
          if (value === contact.notes) return;
          if (await controller.actions.updateContact(contact.id, { notes: value })) setSaved(true);
        }}
      />
      {saved ? <span class="saved">{t("app.saved")}</span> : null}
    </div>
  );
}

/** One of the contact's conversations, the open one too (marked): its channel, its subject or
 * last message, its status and outcome, when it started, its number and inbox; it opens on a
 * click. */
function HistoryItem({ item, current }: { item: Conversation; current: boolean }) {
  const controller = useController();
  const { store } = controller;
  const inbox = store.inboxes?.get(item.inbox);
  const line = historyLine(item);
  return (
    <li>
      <button
        type="button"
        class={`past-item${current ? " current" : ""}`}
        data-testid={`history-${item.id}`}
        data-channel={item.channel ?? ""}
        aria-current={current ? "true" : undefined}
        onClick={() => void controller.navigation.openConversation(item.id)}
      >
        <span class="past-top">
          <ChannelIcon channel={item.channel} all />
          <span class={`past-line${subjectOf(item) ? " subject" : ""}`} data-testid="history-line">
            {line}
          </span>
          <StatusPill status={item.status} />
        </span>
        <span class="past-meta">
          <span title={formatDateTime(item.created_at)}>{t("conversation.started", { time: formatRelative(item.created_at, store.now) })}</span>
          <span>{t("conversation.number", { id: String(item.id) })}</span>
          {inbox ? <span>{inbox.name}</span> : null}
          {current ? <span class="past-current">{t("contact.historyCurrent")}</span> : null}
          <OutcomeMark conversation={item} />
          <CsatMark csat={item.csat} />
        </span>
      </button>
    </li>
  );
}

export function ContactPane() {
  const controller = useController();
  const { store } = controller;
  const conversation = store.selectedConversation();
  if (!conversation) return <aside class="contact-pane empty-pane" />;
  const brief = conversation.contact;
  const contact = store.contacts.get(brief.id);
  const name = brief.name || t("contact.unnamed");
  const page = pageOf(conversation, contact);
  const pageHref = page ? safeHref(page.url) : null;
  const history = contact?.conversations ?? [];
  const others = history.filter((item) => item.id !== conversation.id).length;
  const inbox = store.inboxes?.get(conversation.inbox);
  return (
    <aside class="contact-pane" data-testid="contact-panel" aria-label={t("contact.title")}>
      <section class="contact-card">
        <Avatar name={name} seed={brief.id} size="lg" />
        <div class="contact-name" data-testid="contact-name">
          {name}
        </div>
        <label class={`vip-toggle${brief.vip ? " on" : ""}`} title={t("contact.vipHint")}>
          <input type="checkbox" checked={brief.vip} data-testid="vip-toggle" onChange={(event) => void controller.actions.updateContact(brief.id, { vip: event.currentTarget.checked }).then(() => controller.sync.loadContact(brief.id, true))} />
          <StarIcon size={13} />
          <span>{t("contact.vip")}</span>
        </label>
      </section>
      {contact ? <MergeSuggestions contact={contact} /> : null}
      <section class="panel-section">
        <dl class="facts">
          <div>
            <dt>
              <MailIcon size={14} />
              <span class="sr-only">{t("contact.email")}</span>
            </dt>
            <dd data-testid="contact-email">{brief.email ? <a href={`mailto:${brief.email}`}>{brief.email}</a> : <span class="muted">—</span>}</dd>
          </div>
          <div>
            <dt>
              <PhoneIcon size={14} />
              <span class="sr-only">{t("contact.phone")}</span>
            </dt>
            <dd>{contact?.phone ? contact.phone : <span class="muted">—</span>}</dd>
          </div>
          <div>
            <dt title={t("contact.page")}>
              <GlobeIcon size={14} />
              <span class="sr-only">{t("contact.page")}</span>
            </dt>
            <dd data-testid="contact-page">
              {page && pageHref ? (
                <a href={pageHref} target="_blank" rel="noopener noreferrer nofollow" title={page.url}>
                  {page.title}
                </a>
              ) : page ? (
                page.title
              ) : (
                <span class="muted">{t("contact.pageUnknown")}</span>
              )}
            </dd>
          </div>
        </dl>
      </section>
      <section class="panel-section">
        <h3>{t("contact.conversation")}</h3>
        <dl class="attributes">
          <dt>{t("conversation.assignee")}</dt>
          <dd data-testid="panel-assignee">{conversation.assignee?.name ?? <span class="muted">{t("conversation.unassigned")}</span>}</dd>
          <dt>{t("conversation.team")}</dt>
          <dd>{conversation.team !== null ? store.teamName(conversation.team) : <span class="muted">{t("conversation.noTeam")}</span>}</dd>
          {inbox ? (
            <>
              <dt>{t("conversation.inbox")}</dt>
              <dd>{inbox.name}</dd>
            </>
          ) : null}
          <ChannelFacts conversation={conversation} />
          <dt>
            <label for="priority-select">{t("priority.label")}</label>
          </dt>
          <dd>
            <select id="priority-select" class="select small" data-testid="priority" value={conversation.priority} onChange={(event) => void controller.actions.setPriority(conversation.id, event.currentTarget.value as Priority)}>
              {PRIORITIES.map((priority) => (
                <option key={priority} value={priority}>
                  {priorityLabel(priority)}
                </option>
              ))}
            </select>
          </dd>
        </dl>
        <h4>{t("contact.labels")}</h4>
        <Labels conversation={conversation} />
      </section>
      {contact ? (
        <section class="panel-section">
          <h3>{t("contact.notes")}</h3>
          <Notes contact={contact} />
        </section>
      ) : null}
      <section class="panel-section" aria-labelledby="history-title">
        <h3 id="history-title">{t("contact.history")}</h3>
        {contact && others === 0 ? <div class="muted small">{t("contact.pastNone")}</div> : null}
        <ul class="past" data-testid="contact-history">
          {history.slice(0, 20).map((item) => (
            <HistoryItem key={item.id} item={item} current={item.id === conversation.id} />
          ))}
        </ul>
      </section>
    </aside>
  );
}
