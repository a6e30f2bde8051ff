/** The Webhooks view, for admins: the outbound webhooks (WebhookList.tsx), and beside them the
 * form that adds or changes one (WebhookEditor.tsx) or the shown webhook with its secret
 * (WebhookDetail.tsx) and its delivery log (DeliveryLog.tsx). The list and the log are polled
 * while the view is open (webhooks.ts). */

import { useEffect, useRef } from "preact/hooks";

import { t } from "../i18n";
import { Empty } from "./common";
import { useController } from "./context";
import { LockIcon, WebhookIcon } from "./icons";
import { WebhookDetail } from "./WebhookDetail";
import { WebhookEditor } from "./WebhookEditor";
import { WebhookList } from "./WebhookList";

export function WebhooksView() {
  const controller = useController();
  const { store, webhooks } = controller;
  const root = useRef<HTMLElement>(null);
  const admin = store.me.role === "admin";
  const shown = webhooks.webhook(store.webhookId) ?? webhooks.items[0] ?? null;
  const shownId = shown?.id ?? null;

  useEffect(() => {
    if (!admin) return;
    webhooks.open();
    return () => webhooks.close();
  }, [admin]);
  useEffect(() => {
    if (admin && webhooks.loaded) webhooks.show(shownId);
  }, [admin, shownId, webhooks.loaded]);
  // An action that took away the control with the focus (a form closed, a confirmation
  // done) names where the focus goes instead.
  useEffect(() => {
    const key = webhooks.takeFocus();
    if (key) root.current?.querySelector<HTMLElement>(`[data-focus="${key}"]`)?.focus();
  });

  if (!admin) {
    return (
      <main class="posts-pane empty-pane" data-testid="webhooks-view">
        <Empty icon={<LockIcon size={28} />} title={t("webhooks.adminsOnly")} />
      </main>
    );
  }
  const form = webhooks.form;
  return (
    <main ref={root} class="posts-pane webhooks-pane" data-testid="webhooks-view" aria-labelledby="webhooks-title">
      <header class="posts-header">
        <div class="posts-heading">
          <h2 id="webhooks-title">{t("webhooks.title")}</h2>
          <span class="posts-channel">{t("webhooks.subtitle")}</span>
        </div>
      </header>
      <div class="webhooks-body">
        <WebhookList shown={form ? null : shownId} />
        <div class="webhook-main">
          {form ? (
            <WebhookEditor form={form} />
          ) : shown ? (
            <WebhookDetail key={shown.id} webhook={shown} />
          ) : webhooks.loaded && webhooks.items.length === 0 ? (
            <Empty icon={<WebhookIcon size={28} />} title={t("webhooks.none")} hint={t("webhooks.noneHint")} />
          ) : null}
        </div>
      </div>
    </main>
  );
}
