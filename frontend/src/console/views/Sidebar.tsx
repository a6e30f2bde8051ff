/** The left column: the folders with their unread counters, a Telegram channel's posts, teams,
 * labels, colleagues' presence, mentions, and the operator's own status, language and session. */

import type { JSX } from "preact";
import { useCallback, useState } from "preact/hooks";

import { Alerts } from "../alerts";
import { formatRelative, getLocale, LOCALES, t, tn } from "../i18n";
import { type Folder, folderKey } from "../lists";
import { notificationText } from "../notifications";
import { channelInboxes } from "../posts";
import type { OperatorStatus } from "../types";
import { Avatar, Popover, PresenceDot } from "./common";
import { useController } from "./context";
import { BellIcon, ChartIcon, CheckCircleIcon, InboxIcon, KeyboardIcon, LogOutIcon, MegaphoneIcon, QueueIcon, SettingsIcon, TagIcon, UserIcon, UsersIcon, WebhookIcon } from "./icons";

function FolderLink({ folder, icon, label }: { folder: Folder; icon: JSX.Element; label: string }) {
  const controller = useController();
  const { store } = controller;
  const active = store.view === "conversations" && folderKey(store.folder) === folderKey(folder);
  const count = store.unreadInFolder(folder);
  return (
    <button
      type="button"
      class={`nav-item${active ? " active" : ""}`}
      data-testid={`folder-${folderKey(folder)}`}
      aria-current={active ? "page" : undefined}
      onClick={() => controller.navigation.showFolder(folder)}
    >
      <span class="nav-icon">{icon}</span>
      <span class="nav-label">{label}</span>
      {count > 0 ? (
        <span class="nav-count" data-testid={`count-${folderKey(folder)}`} title={tn("plural.unreadConversations", count)}>
          {count}
        </span>
      ) : null}
    </button>
  );
}

/** The Posts view's entry, under the folders, when an inbox the operator sees has a Telegram
 * channel. */
function PostsLink() {
  const controller = useController();
  const { store } = controller;
  if (channelInboxes(store.inboxes).length === 0) return null;
  const active = store.view === "posts";
  return (
    <div class="nav-section">
      <div class="nav-title">{t("posts.section")}</div>
      <button type="button" class={`nav-item${active ? " active" : ""}`} data-testid="nav-posts" aria-current={active ? "page" : undefined} onClick={() => controller.navigation.showPosts()}>
        <span class="nav-icon">
          <MegaphoneIcon />
        </span>
        <span class="nav-label">{t("posts.nav")}</span>
      </button>
    </div>
  );
}

/** The Webhooks view's entry, under the folders, for admins only. */
function WebhooksLink() {
  const controller = useController();
  const { store } = controller;
  if (store.me.role !== "admin") return null;
  const active = store.view === "webhooks";
  return (
    <div class="nav-section">
      <div class="nav-title">{t("webhooks.section")}</div>
      <button type="button" class={`nav-item${active ? " active" : ""}`} data-testid="nav-webhooks" aria-current={active ? "page" : undefined} onClick={() => controller.navigation.showWebhooks()}>
        <span class="nav-icon">
          <WebhookIcon />
        </span>
        <span class="nav-label">{t("webhooks.nav")}</span>
      </button>
    </div>
  );
}

const STATUSES: OperatorStatus[] = ["online", "away", "offline"];

function presenceLabel(status: string): string {
  return status === "online" ? t("presence.online") : status === "away" ? t("presence.away") : t("presence.offline");
}

function Notifications() {
  const controller = useController();
  const { store } = controller;
  const [open, setOpen] = useState(false);
  const close = useCallback(() => setOpen(false), []);
  const unread = store.unreadNotifications();
  return (
    <div class="popover-anchor">
      <button type="button" class="icon-button" data-testid="notifications" aria-label={t("notifications.title")} title={t("notifications.title")} onClick={() => setOpen(!open)}>
        <BellIcon size={18} />
        {unread > 0 ? <span class="dot-count" data-testid="notifications-count">{unread}</span> : null}
      </button>
      {open ? (
        <Popover onClose={close} class="popover-up notifications" label={t("notifications.title")}>
          <div class="popover-title">{t("notifications.title")}</div>
          {store.notifications.length === 0 ? <div class="popover-empty">{t("notifications.none")}</div> : null}
          {store.notifications.slice(0, 30).map((item) => (
            <button
              type="button"
              key={item.id}
              class={`popover-item notification${item.read ? "" : " unread"}`}
              data-kind={item.kind}
              onClick={() => {
                setOpen(false);
                void controller.navigation.openNotification(item.id);
              }}
            >
              <span class="notification-text">{notificationText(item)}</span>
              <span class="notification-time">{formatRelative(item.created_at, store.now)}</span>
            </button>
          ))}
        </Popover>
      ) : null}
    </div>
  );
}

function MeMenu() {
  const controller = useController();
  const { store, config } = controller;
  const [open, setOpen] = useState(false);
  const close = useCallback(() => setOpen(false), []);
  const me = store.me;
  const permission = Alerts.permission();
  return (
    <div class="popover-anchor me">
      <button type="button" class="me-card" data-testid="me-menu" onClick={() => setOpen(!open)} aria-haspopup="dialog" aria-expanded={open}>
        <Avatar name={me.name} seed={`op${me.id}`} size="sm" status={me.status} />
        <span class="me-text">
          <span class="me-name">{me.name}</span>
          <span class="me-status" data-testid="my-status">{presenceLabel(me.status)}</span>
        </span>
        <SettingsIcon size={15} />
      </button>
      {open ? (
        <Popover onClose={close} class="popover-up me-popover" label={t("presence.label")}>
          <div class="popover-title">{t("presence.label")}</div>
          {STATUSES.map((status) => (
            <button
              type="button"
              key={status}
              class={`popover-item${me.status === status ? " selected" : ""}`}
              data-testid={`status-${status}`}
              onClick={() => {
                setOpen(false);
                void controller.actions.setMyStatus(status);
              }}
            >
              <PresenceDot status={status} />
              <span>{presenceLabel(status)}</span>
            </button>
          ))}
          <div class="popover-separator" />
          <div class="popover-title">{t("app.language")}</div>
          <div class="segmented" role="group" aria-label={t("app.language")}>
            {LOCALES.map((locale) => (
              <button type="button" key={locale} data-testid={`locale-${locale}`} class={getLocale() === locale ? "active" : ""} aria-pressed={getLocale() === locale} onClick={() => {
                  controller.navigation.setLocale(locale);
                  void controller.actions.setMyLanguage(locale);
                }}>
                {t(locale === "en" ? "locale.en" : "locale.ru")}
              </button>
            ))}
          </div>
          <div class="popover-separator" />
          {permission === "default" ? (
            <button type="button" class="popover-item" onClick={() => void Alerts.requestPermission().then(() => store.changed())}>
              <BellIcon />
              <span>{t("app.notificationsEnable")}</span>
            </button>
          ) : permission === "denied" ? (
            <div class="popover-note">{t("app.notificationsBlocked")}</div>
          ) : null}
          <button
            type="button"
            class="popover-item"
            onClick={() => {
              setOpen(false);
              controller.navigation.toggleHelp(true);
            }}
          >
            <KeyboardIcon />
            <span>{t("app.shortcuts")}</span>
          </button>
          {config.urls.reports ? (
            <a class="popover-item" href={config.urls.reports} data-testid="reports-link">
              <ChartIcon />
              <span>{t("app.reports")}</span>
            </a>
          ) : null}
          {config.urls.admin ? (
            <a class="popover-item" href={config.urls.admin} target="_blank" rel="noopener">
              <SettingsIcon />
              <span>{t("app.admin")}</span>
            </a>
          ) : null}
          <form method="post" action={config.urls.logout} class="logout-form">
            <input type="hidden" name="csrfmiddlewaretoken" value={csrf(config.csrf_token)} />
            <button type="submit" class="popover-item danger" data-testid="logout">
              <LogOutIcon />
              <span>{t("app.logout")}</span>
            </button>
          </form>
        </Popover>
      ) : null}
    </div>
  );
}

function csrf(fallback: string): string {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : fallback;
}

export function Sidebar() {
  const controller = useController();
  const { store } = controller;
  const me = store.me;
  const teams = me.role === "agent" ? store.teams.filter((team) => me.teams.includes(team.id)) : store.teams;
  const colleagues = [...store.operators.values()]
    .filter((operator) => operator.id !== me.id)
    .sort((a, b) => STATUSES.indexOf(a.status as OperatorStatus) - STATUSES.indexOf(b.status as OperatorStatus) || a.name.localeCompare(b.name))
    .slice(0, 12);
  return (
    <nav class="sidebar" aria-label={t("folder.conversations")}>
      <div class="brand">
        <span class="brand-mark" aria-hidden="true">
          H
        </span>
        <span class="brand-name">{t("app.brand")}</span>
      </div>
      <div class="nav-scroll">
        <div class="nav-section">
          <div class="nav-title">{t("folder.conversations")}</div>
          <FolderLink folder={{ kind: "mine" }} icon={<UserIcon />} label={t("folder.mine")} />
          <FolderLink folder={{ kind: "unassigned" }} icon={<QueueIcon />} label={t("folder.unassigned")} />
          <FolderLink folder={{ kind: "all" }} icon={<InboxIcon />} label={t("folder.all")} />
          <FolderLink folder={{ kind: "resolved" }} icon={<CheckCircleIcon />} label={t("folder.resolved")} />
        </div>
        <PostsLink />
        <WebhooksLink />
        {teams.length > 0 ? (
          <div class="nav-section">
            <div class="nav-title">{t("folder.teams")}</div>
            {teams.map((team) => (
              <FolderLink key={team.id} folder={{ kind: "team", id: team.id }} icon={<UsersIcon />} label={team.name} />
            ))}
          </div>
        ) : null}
        {store.labels.length > 0 ? (
          <div class="nav-section">
            <div class="nav-title">{t("folder.labels")}</div>
            {store.labels.slice(0, 20).map((label) => (
              <FolderLink key={label} folder={{ kind: "label", name: label }} icon={<TagIcon />} label={label} />
            ))}
          </div>
        ) : null}
        {colleagues.length > 0 ? (
          <div class="nav-section">
            <div class="nav-title">{t("folder.operators")}</div>
            {colleagues.map((operator) => (
              <div class="nav-person" key={operator.id} data-testid={`operator-${operator.id}`} data-status={operator.status}>
                <Avatar name={operator.name} seed={`op${operator.id}`} size="sm" status={operator.status} />
                <span class="nav-label">{operator.name}</span>
              </div>
            ))}
          </div>
        ) : null}
      </div>
      <div class="sidebar-footer">
        <MeMenu />
        <Notifications />
      </div>
    </nav>
  );
}
