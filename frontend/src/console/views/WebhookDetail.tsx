/** One webhook: its address, events and flags; Edit and Delete (which asks first, in place) for
 * an admin's own; its signing secret, hidden until revealed (a new one is shown at once), with
 * a copy button, a new secret on demand (asked first) and the one line a receiver needs to
 * check a signature; then its delivery log (DeliveryLog.tsx). An API inbox's webhook is shown
 * read-only, as that inbox's. */

import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";

import { t } from "../i18n";
import type { Webhook } from "../types";
import { useController } from "./context";
import { DeliveryLog } from "./DeliveryLog";
import { CopyIcon, PencilIcon, RefreshIcon, TrashIcon } from "./icons";
import { EventNames, WebhookFlags } from "./WebhookList";

/** A question asked in place of its button: Yes, or Cancel (Escape too), the focus back on
 * the button. */
function Confirm({
  label,
  question,
  yes,
  trigger,
  testid,
  danger = false,
  onYes,
  children,
}: {
  label: string;
  question: string;
  yes: string;
  trigger: string;
  testid: string;
  danger?: boolean;
  onYes: () => Promise<boolean>;
  children: ComponentChildren;
}) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const confirm = useRef<HTMLButtonElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (confirming) confirm.current?.focus();
  }, [confirming]);
  const cancel = () => {
    setConfirming(false);
    requestAnimationFrame(() => button.current?.focus());
  };
  if (!confirming) {
    return (
      <button ref={button} type="button" class="msg-action" data-testid={testid} data-focus={trigger} onClick={() => setConfirming(true)}>
        {children}
      </button>
    );
  }
  return (
    <div
      class="post-confirm webhook-confirm"
      role="group"
      aria-label={label}
      data-testid={`${testid}-confirm`}
      onKeyDown={(event) => {
        if (event.key !== "Escape") return;
        event.stopPropagation();
        cancel();
      }}
    >
      <span class="msg-confirm-text">{question}</span>
      <button
        ref={confirm}
        type="button"
        class={`button small${danger ? " button-danger" : " button-primary"}`}
        disabled={busy}
        data-testid={`${testid}-yes`}
        onClick={async () => {
          setBusy(true);
          const done = await onYes();
          setBusy(false);
          setConfirming(false);
          if (!done) requestAnimationFrame(() => button.current?.focus());
        }}
      >
        {yes}
      </button>
      <button type="button" class="button small" disabled={busy} onClick={cancel}>
        {t("app.cancel")}
      </button>
    </div>
  );
}

function Secret({ webhook }: { webhook: Webhook }) {
  const { webhooks, navigation } = useController();
  const field = useRef<HTMLInputElement>(null);
  const secret = webhook.secret;
  if (secret === null) {
    return (
      <div class="webhook-secret" data-testid="webhook-secret">
        <h4 class="webhook-subhead">{t("webhooks.secret.label")}</h4>
        <p class="webhook-hint">{t("webhooks.secret.inboxOnce")}</p>
      </div>
    );
  }
  const revealed = webhooks.revealed.has(webhook.id);
  const copy = async () => {
    try {
      if (!navigator.clipboard) throw new Error("no clipboard");
      await navigator.clipboard.writeText(secret);
      navigation.toast(t("webhooks.secret.copied"), "info");
    } catch {
      if (!revealed) webhooks.toggleSecret(webhook.id);
      requestAnimationFrame(() => field.current?.select());
      navigation.toast(t("webhooks.secret.copyFailed"), "error");
    }
  };
  return (
    <div class="webhook-secret" role="group" aria-labelledby="webhook-secret-label" data-testid="webhook-secret">
      <h4 id="webhook-secret-label" class="webhook-subhead">
        {t("webhooks.secret.label")}
      </h4>
      {webhooks.fresh === webhook.id ? (
        <p class="webhook-fresh" data-testid="webhook-secret-fresh">
          {t("webhooks.secret.new")}
        </p>
      ) : null}
      <div class="webhook-secret-row">
        {revealed ? (
          <input ref={field} id="webhook-secret-value" class="input small webhook-secret-value" type="text" readOnly value={secret} aria-labelledby="webhook-secret-label" aria-describedby="webhook-secret-hint" data-testid="webhook-secret-value" spellcheck={false} autoComplete="off" />
        ) : (
          <span class="webhook-secret-mask" data-testid="webhook-secret-hidden">
            <span aria-hidden="true">••••••••••••••••••••••••</span>
            <span class="sr-only">{t("webhooks.secret.hidden")}</span>
          </span>
        )}
        <button type="button" class="button small" aria-controls={revealed ? "webhook-secret-value" : undefined} aria-expanded={revealed} data-testid="webhook-secret-toggle" onClick={() => webhooks.toggleSecret(webhook.id)}>
          {t(revealed ? "webhooks.secret.hide" : "webhooks.secret.show")}
        </button>
        <button type="button" class="button small" data-testid="webhook-secret-copy" data-focus="copy" onClick={() => void copy()}>
          <CopyIcon size={13} />
          <span>{t("webhooks.secret.copy")}</span>
        </button>
        <Confirm
          label={t("webhooks.secret.rotate")}
          question={t("webhooks.secret.rotateConfirm")}
          yes={t("webhooks.secret.rotateYes")}
          trigger="rotate"
          testid="webhook-secret-rotate"
          onYes={async () => (await webhooks.rotate(webhook)) !== null}
        >
          <RefreshIcon size={12} />
          <span>{t("webhooks.secret.rotate")}</span>
        </Confirm>
      </div>
      <p id="webhook-secret-hint" class="webhook-hint" data-testid="webhook-secret-hint">
        {t("webhooks.secret.hint")}
      </p>
    </div>
  );
}

export function WebhookDetail({ webhook }: { webhook: Webhook }) {
  const { webhooks, store } = useController();
  const inbox = webhook.inbox === null ? null : (store.inboxes?.get(webhook.inbox)?.name ?? `#${webhook.inbox}`);
  return (
    <section class="webhook-detail" aria-labelledby="webhook-detail-title" data-testid="webhook-detail" data-webhook={webhook.id}>
      <div class="post-section-head">
        <h3 id="webhook-detail-title">{inbox === null ? t("webhooks.detail") : t("webhooks.inboxDetail", { inbox })}</h3>
        {inbox === null ? (
          <div class="post-actions webhook-actions">
            <button type="button" class="msg-action" data-testid="webhook-edit" data-focus="edit" onClick={() => webhooks.startEdit(webhook)}>
              <PencilIcon size={13} />
              <span>{t("webhooks.edit")}</span>
            </button>
            <Confirm label={t("webhooks.delete")} question={t("webhooks.deleteConfirm")} yes={t("webhooks.deleteYes")} trigger="delete" testid="webhook-delete" danger onYes={() => webhooks.remove(webhook)}>
              <TrashIcon size={13} />
              <span>{t("webhooks.delete")}</span>
            </Confirm>
          </div>
        ) : null}
      </div>
      <dl class="webhook-facts">
        <div>
          <dt>{t("webhooks.address")}</dt>
          <dd class="webhook-url" data-testid="webhook-url-shown">
            {webhook.url}
          </dd>
        </div>
        <div>
          <dt>{t("webhooks.events")}</dt>
          <dd>
            <EventNames events={webhook.events} />
          </dd>
        </div>
      </dl>
      <div class="webhook-detail-flags">
        <WebhookFlags webhook={webhook} />
      </div>
      {inbox !== null ? <p class="webhook-hint">{t("webhooks.inboxHint")}</p> : null}
      <Secret webhook={webhook} />
      <DeliveryLog webhook={webhook} />
    </section>
  );
}
