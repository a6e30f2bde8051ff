/** Where a conversation happens: its channel, and for Telegram the user (@username, else the
 * user's id), the group's title for a group's conversation, and a badge when the user blocked
 * the bot. Shown in the conversation's header and in the contact panel; a list's rows and the
 * contact's history show the channel's icon alone (ChannelIcon). */

import { markedChannel } from "../conversation-facts";
import { type Key, t } from "../i18n";
import type { Channel, Conversation, TelegramChat } from "../types";
import { AlertIcon, CodeIcon, GlobeIcon, MailIcon, SendPlaneIcon } from "./icons";

export function channelName(channel: Channel | string): string {
  const known: Channel[] = ["web", "telegram", "email", "api"];
  return known.includes(channel as Channel) ? t(`channel.${channel}` as Key) : channel;
}

/** "@username", or the Telegram user's id. */
export function telegramUser(telegram: TelegramChat): string {
  return telegram.username ? `@${telegram.username}` : t("telegram.user", { id: String(telegram.id) });
}

/** The channel's picture (none for a channel this console does not know). */
function ChannelGlyph({ channel, size }: { channel: Channel | string; size: number }) {
  switch (channel) {
    case "telegram":
      return <SendPlaneIcon size={size} />;
    case "email":
      return <MailIcon size={size} />;
    case "api":
      return <CodeIcon size={size} />;
    case "web":
      return <GlobeIcon size={size} />;
    default:
      return null;
  }
}

/** A small mark of the channel: its icon, named for screen readers and in its title. The list
 * marks Telegram, email and API conversations (`all`: the website's too, as the contact's
 * history does, where channels mix). */
export function ChannelIcon({ channel, all = false }: { channel: Channel | string | undefined; all?: boolean }) {
  const marked = all ? channel || null : markedChannel(channel);
  if (!marked) return null;
  const name = channelName(marked);
  return (
    <span class={`channel-icon channel-icon-${marked}`} role="img" aria-label={name} title={name} data-testid="channel-icon" data-channel={marked}>
      <ChannelGlyph channel={marked} size={12} />
    </span>
  );
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
 * Telegram the user and the group, on one line (cut short, the whole in its title; the blocked
 * badge goes beside the contact's name). */
export function ChannelMark({ conversation }: { conversation: Conversation }) {
  const channel = conversation.channel;
  const telegram = conversation.telegram ?? null;
  if (!channel || (channel === "web" && !telegram)) return null;
  const parts = [channelName(channel)];
  if (telegram) parts.push(telegramUser(telegram));
  if (telegram?.chat === "group" && telegram.group_title) parts.push(t("telegram.group", { title: telegram.group_title }));
  return (
    <span class="channel-mark" title={parts.join(" · ")} data-testid="channel-mark" data-channel={channel}>
      <ChannelGlyph channel={channel} size={12} />
      <span class="channel-text">
        <span class="channel-name">{parts[0]}</span>
        {parts.slice(1).map((part) => (
          <span key={part} class="channel-detail">{` · ${part}`}</span>
        ))}
      </span>
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
            {telegram.chat === "group" && telegram.group_title ? <span class="channel-detail">{t("telegram.group", { title: telegram.group_title })}</span> : null}
            {telegram.blocked ? <BlockedBadge /> : null}
          </>
        ) : null}
      </dd>
    </>
  );
}
