/** The webhooks, oldest first: each with its address, its events, a "failing" badge when its
 * last attempt failed, whether private notes go too, and the API inbox it belongs to, if any.
 * A click shows it (its secret and its delivery log); "Add a webhook" opens the form. */

import { t } from "../i18n";
import type { Webhook } from "../types";
import { useController } from "./context";
import { AlertIcon, LockIcon, PlusIcon } from "./icons";

export function WebhookFlags({ webhook }: { webhook: Webhook }) {
  const { store } = useController();
  const inbox = webhook.inbox === null ? null : (store.inboxes?.get(webhook.inbox)?.name ?? `#${webhook.inbox}`);
  return (
    <span class="webhook-flags">
      {webhook.failing ? (
        <span class="post-badge post-badge-failed" data-testid="webhook-failing" title={t("webhooks.failingHint")}>
          <AlertIcon size={11} />
          <span>{t("webhooks.failing")}</span>
        </span>
      ) : null}
      <span class={`webhook-flag${webhook.include_private ? " private" : ""}`} data-testid="webhook-private">
        {webhook.include_private ? <LockIcon size={11} /> : null}
        <span>{t(webhook.include_private ? "webhooks.privateYes" : "webhooks.privateNo")}</span>
      </span>
      {inbox !== null ? (
        <span class="webhook-flag" data-testid="webhook-inbox">
          {t("webhooks.ofInbox", { inbox })}
        </span>
      ) : null}
    </span>
  );
}

export function EventNames({ events }: { events: string[] }) {
  return (
    <ul class="webhook-events" data-testid="webhook-events">
      {events.map((event) => (
        <li key={event}>
          <code>{event}</code>
        </li>
      ))}
    </ul>
  );
}

export function WebhookList({ shown }: { shown: number | null }) {
  const controller = useController();
  const { webhooks } = controller;
  return (
    <section class="post-list webhook-list" aria-labelledby="webhook-list-title" data-testid="webhook-list">
      <div class="post-section-head">
        <h3 id="webhook-list-title">{t("webhooks.list")}</h3>
        <button type="button" class="button small" data-testid="webhook-add" data-focus="add" disabled={webhooks.form !== null && webhooks.form.editing === null} onClick={() => webhooks.startNew()}>
          <PlusIcon size={13} />
          <span>{t("webhooks.add")}</span>
        </button>
      </div>
      <div class="post-list-scroll">
        {webhooks.loading && !webhooks.loaded ? <div class="list-loading">{t("app.loading")}</div> : null}
        {webhooks.error ? (
          <div class="list-error" role="alert" data-testid="webhooks-error">
            <span>{t("app.error", { message: webhooks.error })}</span>{" "}
            <button type="button" class="link-button" onClick={() => void webhooks.refreshList()}>
              {t("app.retry")}
            </button>
          </div>
        ) : null}
        {webhooks.loaded && webhooks.items.length === 0 ? <p class="post-hint webhook-list-empty">{t("webhooks.none")}</p> : null}
        {webhooks.items.length ? (
          <ul class="post-items">
            {webhooks.items.map((webhook) => (
              <li key={webhook.id} class={`webhook-item${webhook.id === shown ? " current" : ""}`} data-testid={`webhook-${webhook.id}`} data-failing={webhook.failing ? "true" : undefined}>
                <button
                  type="button"
                  class="webhook-pick"
                  aria-current={webhook.id === shown ? "true" : undefined}
                  aria-label={t("webhooks.open", { url: webhook.url })}
                  onClick={() => {
                    if (webhooks.form) webhooks.cancelForm(false);
                    controller.navigation.showWebhooks(webhook.id);
                  }}
                >
                  <span class="webhook-url">{webhook.url}</span>
                </button>
                <EventNames events={webhook.events} />
                <WebhookFlags webhook={webhook} />
              </li>
            ))}
          </ul>
        ) : null}
      </div>
    </section>
  );
}
