/** What the console shows on a message besides its body and files: that its author edited it in
 * their channel (the time in the title), that it was hidden from its Telegram group, how far an
 * operator's reply got through its channel (delivering, delivered, or not delivered with the
 * reason and Retry), and the hover action that hides a contact's message from its Telegram
 * group, after a confirmation. */

import { useEffect, useRef, useState } from "preact/hooks";

import { formatDateTime, t } from "../i18n";
import type { Message } from "../types";
import { useController } from "./context";
import { AlertIcon, CheckIcon, ClockIcon, EyeOffIcon } from "./icons";

export function EditedMark({ at }: { at: string }) {
  const when = formatDateTime(at);
  return (
    <span class="edited-mark" title={t("message.editedAt", { time: when })} data-testid="edited">
      {t("message.edited")}
      <span class="sr-only">{` (${t("message.editedAt", { time: when })})`}</span>
    </span>
  );
}

export function HiddenMark() {
  return (
    <span class="hidden-mark" title={t("message.hiddenHint")} data-testid="hidden-mark">
      <EyeOffIcon size={12} />
      <span>{t("message.hidden")}</span>
    </span>
  );
}

/** An operator's reply through a channel: a clock while it goes, a check once delivered, a
 * warning with the reason and Retry when it failed. */
export function DeliveryState({ message }: { message: Message }) {
  const controller = useController();
  const [busy, setBusy] = useState(false);
  const delivery = message.delivery;
  if (!delivery) return null;
  if (delivery === "pending" || delivery === "sent") {
    const label = t(delivery === "pending" ? "delivery.pending" : "delivery.sent");
    return (
      <span class={`delivery delivery-${delivery}`} title={label} data-testid="delivery" data-delivery={delivery}>
        {delivery === "pending" ? <ClockIcon size={12} /> : <CheckIcon size={12} />}
        <span class="sr-only">{label}</span>
      </span>
    );
  }
  const retry = async () => {
    setBusy(true);
    await controller.actions.retryDelivery(message.conversation, message.id);
    setBusy(false);
  };
  return (
    <span class="delivery delivery-failed" data-testid="delivery" data-delivery="failed">
      <AlertIcon size={12} />
      <span>{t("delivery.failed")}</span>
      {message.delivery_error ? <span class="delivery-error" data-testid="delivery-error">{message.delivery_error}</span> : null}
      <button type="button" class="link-button" disabled={busy} data-testid="delivery-retry" onClick={() => void retry()}>
        {t("message.retry")}
      </button>
    </span>
  );
}

/** The message's hover actions: "Hide from the group", which asks before it deletes the message
 * from the Telegram group. */
export function HideAction({ message }: { message: Message }) {
  const controller = useController();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const confirm = useRef<HTMLButtonElement>(null);
  const trigger = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (confirming) confirm.current?.focus();
  }, [confirming]);
  const cancel = () => {
    setConfirming(false);
    requestAnimationFrame(() => trigger.current?.focus());
  };
  const hide = async () => {
    setBusy(true);
    const done = await controller.actions.hideMessage(message.conversation, message.id);
    setBusy(false);
    if (done) setConfirming(false);
  };
  if (!confirming) {
    return (
      <div class="msg-actions">
        <button ref={trigger} type="button" class="msg-action" data-testid="hide-message" onClick={() => setConfirming(true)}>
          <EyeOffIcon size={13} />
          <span>{t("message.hide")}</span>
        </button>
      </div>
    );
  }
  return (
    <div
      class="msg-actions open"
      role="group"
      aria-label={t("message.hide")}
      data-testid="hide-confirm"
      onKeyDown={(event) => {
        if (event.key !== "Escape") return;
        event.stopPropagation();
        cancel();
      }}
    >
      <span class="msg-confirm-text">{t("message.hideConfirm")}</span>
      <button ref={confirm} type="button" class="button button-danger small" disabled={busy} data-testid="hide-yes" onClick={() => void hide()}>
        {t("message.hideYes")}
      </button>
      <button type="button" class="button small" disabled={busy} onClick={cancel}>
        {t("app.cancel")}
      </button>
    </div>
  );
}
