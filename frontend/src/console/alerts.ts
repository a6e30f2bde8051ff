/** Getting the operator's attention while the tab is hidden: a short chime (Web Audio, no
 * file to fetch) and a browser notification saying what came; plus the unread count in the
 * tab's title. */

import type { Effect } from "./frames";
import { t } from "./i18n";
import { notificationAlertTitle, notificationText } from "./notifications";

export type AlertEffect = Extract<Effect, { type: "alert" }>;

export interface AlertOptions {
  title: string;
  body: string;
  tag: string;
  onClick: () => void;
}

export class Alerts {
  private audio: AudioContext | null = null;
  private lastChime = 0;

  /** Browsers allow sound only after a user gesture on the page: call from one. */
  unlock(): void {
    if (this.audio) {
      if (this.audio.state === "suspended") void this.audio.resume();
      return;
    }
    const AudioContextClass = (globalThis as { AudioContext?: typeof AudioContext }).AudioContext;
    if (!AudioContextClass) return;
    try {
      this.audio = new AudioContextClass();
    } catch {
      this.audio = null;
    }
  }

  chime(): void {
    const audio = this.audio;
    const now = Date.now();
    if (!audio || audio.state !== "running" || now - this.lastChime < 1500) return;
    this.lastChime = now;
    const start = audio.currentTime;
    for (const [offset, frequency] of [
      [0, 880],
      [0.14, 1318.5],
    ] as const) {
      const oscillator = audio.createOscillator();
      const gain = audio.createGain();
      oscillator.type = "sine";
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, start + offset);
      gain.gain.exponentialRampToValueAtTime(0.18, start + offset + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.35);
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start(start + offset);
      oscillator.stop(start + offset + 0.4);
    }
  }

  static permission(): NotificationPermission | "unsupported" {
    return typeof Notification === "undefined" ? "unsupported" : Notification.permission;
  }

  static async requestPermission(): Promise<NotificationPermission | "unsupported"> {
    if (typeof Notification === "undefined") return "unsupported";
    return Notification.requestPermission();
  }

  notify(options: AlertOptions): void {
    if (Alerts.permission() !== "granted") return;
    try {
      // The Notification API shows title and body as plain text.
      const notification = new Notification(options.title, { body: options.body, tag: options.tag });
      notification.onclick = () => {
        globalThis.focus?.();
        options.onClick();
        notification.close();
      };
    } catch {
      /* some browsers allow notifications only from a service worker */
    }
  }
}

export function titleWithCount(base: string, count: number): string {
  return count > 0 ? `(${count > 99 ? "99+" : count}) ${base}` : base;
}

/** What an alert says: a new conversation (the contact), a message (who, and its text, or that it
 * carries files) or a notification (its words). */
export function alertText(effect: AlertEffect): { title: string; body: string } {
  const notification = effect.notification;
  const title = notification
    ? notificationAlertTitle(notification)
    : effect.kind === "conversation"
      ? t("alert.newConversation")
      : t("alert.newMessage", { name: effect.title || t("message.visitor") });
  // A message of files alone has no text: say it carries something.
  const body = notification ? notificationText(notification) : effect.kind === "conversation" ? effect.title || t("contact.unnamed") : effect.body || t("list.attachment");
  return { title, body };
}
