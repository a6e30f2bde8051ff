/** Where a conversation happens: its channel, and for Telegram the user (@username, else the
 * user's id), the group's title for a group's conversation, and a badge when the user blocked
 * the bot. Shown in the conversation's header and in the contact panel. */

import { type Key, t } from "../i18n";
import type { Channel, Conversation, TelegramChat } from "../types";
import { AlertIcon, SendPlaneIcon } from "./icons";

export function channelName(channel: Channel | string): string {
  const known: Channel[] = ["web", "telegram", "email", "api"];
  return known.includes(channel as Channel) ? t(`channel.${channel}` as Key) : channel;
}

/** "@username", or the Telegram user's id. */
export function telegramUser(telegram: TelegramChat): string {
  return telegram.username ? `@${telegram.username}` : t("telegram.user", { id: String(telegram.id) });
}

export function BlockedBadge() {
  return (
    <span class="blocked-badge" title={t("telegram.blockedHint")} data-testid="telegram-blocked">
      <AlertIcon size={11} />
      <span>{t("telegram.blocked")}</span>
    </span>
  );
}

/** The header's mark: nothing for the website (the inbox says it), else the channel, and for
 * Telegram the user, the group and the blocked badge. */
export function ChannelMark({ conversation }: { conversation: Conversation }) {
  const channel = conversation.channel;
  const telegram = conversation.telegram ?? null;
  if (!channel || (channel === "web" && !telegram)) return null;
  return (
    <span class="channel-mark" data-testid="channel-mark" data-channel={channel}>
      {channel === "telegram" ? <SendPlaneIcon size={12} /> : null}
      <span>{channelName(channel)}</span>
      {telegram ? <span class="channel-detail">{telegramUser(telegram)}</span> : null}
      {telegram?.chat === "group" && telegram.group_title ? <span class="channel-detail">{t("telegram.group", { title: telegram.group_title })}</span> : null}
      {telegram?.blocked ? <BlockedBadge /> : null}
    </span>
  );
}

/** The contact panel's rows (inside its attributes' <dl>). */
export function ChannelFacts({ conversation }: { conversation: Conversation }) {
  const channel = conversation.channel;
  if (!channel) return null;
  const telegram = conversation.telegram ?? null;
  return (
    <>
      <dt>{t("channel.label")}</dt>
      <dd data-testid="panel-channel">
        <span>{channelName(channel)}</span>
        {telegram ? (
          <>
            <span class="channel-detail">{telegramUser(telegram)}</span>
            {telegram.chat === "group" && telegram.group_title ? <span class="channel-detail block">{t("telegram.group", { title: telegram.group_title })}</span> : null}
            {telegram.blocked ? <BlockedBadge /> : null}
          </>
        ) : null}
      </dd>
    </>
  );
}
