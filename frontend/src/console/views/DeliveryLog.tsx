/** A webhook's delivery log, newest first, a page at a time, filtered by status: each delivery's
 * status (coloured), event, conversation (a link that opens it here), attempts, last answer or
 * error, and the moments of its last attempt and next try in the operator's own time. A row
 * opens to its latest tries and the body it posts (read from the server, shown as text); a
 * failed or delivered one, or a pending one waiting for its next try, may be sent again (now),
 * with the same delivery id. */

import { formatNumber, t } from "../i18n";
import type { Webhook, WebhookDelivery, WebhookDeliveryStatus } from "../types";
import { WEBHOOK_DELIVERY_STATUSES } from "../types";
import { answerText, deliveryRow, formatDuration, formatMoment, statusLabel } from "../webhook-log";
import { useController } from "./context";
import { ChevronDownIcon, ReplyIcon } from "./icons";

const COLUMNS = 8;

function Moment({ at, testid }: { at: { iso: string; text: string } | null; testid: string }) {
  if (!at) return null;
  return (
    <time dateTime={at.iso} data-testid={testid}>
      {at.text}
    </time>
  );
}

function DeliveryDetail({ delivery }: { delivery: WebhookDelivery }) {
  const { webhooks } = useController();
  const body = webhooks.bodies.get(delivery.id);
  return (
    <div class="hook-delivery-detail" data-testid="delivery-detail">
      <p class="webhook-hint">{t("webhooks.log.deliveryId", { id: delivery.id })}</p>
      <h5 class="webhook-subhead">{t("webhooks.log.tries")}</h5>
      {delivery.tries.length ? (
        <ol class="hook-delivery-tries" data-testid="delivery-tries">
          {delivery.tries.map((attempt, index) => {
            const answer = answerText(attempt);
            return (
              <li key={`${attempt.at}-${index}`} data-testid="delivery-try">
                <time dateTime={attempt.at}>{formatMoment(attempt.at)}</time>
                <span class={attempt.error ? "hook-delivery-answer failed" : "hook-delivery-answer"}>{answer ?? t("webhooks.log.noAnswer")}</span>
                <span class="muted">{t("webhooks.log.took", { duration: formatDuration(attempt.duration_ms) })}</span>
              </li>
            );
          })}
        </ol>
      ) : (
        <p class="webhook-hint">{t("webhooks.log.noTries")}</p>
      )}
      <h5 class="webhook-subhead">{t("webhooks.log.body")}</h5>
      {!body || body.loading ? <div class="list-loading">{t("app.loading")}</div> : null}
      {body?.error ? (
        <div class="list-error" role="alert">
          <span>{t("app.error", { message: body.error })}</span>{" "}
          <button type="button" class="link-button" onClick={() => void webhooks.loadBody(delivery)}>
            {t("app.retry")}
          </button>
        </div>
      ) : null}
      {body?.detail ? (
        <pre class="hook-delivery-body" data-testid="delivery-body">
          {body.detail.body}
        </pre>
      ) : null}
    </div>
  );
}

function DeliveryRows({ delivery }: { delivery: WebhookDelivery }) {
  const controller = useController();
  const { webhooks } = controller;
  const row = deliveryRow(delivery);
  const resending = webhooks.resending.has(delivery.id);
  const open = webhooks.expanded.has(delivery.id);
  const detailId = `delivery-detail-${delivery.id}`;
  return (
    <tbody class={`hook-delivery${open ? " open" : ""}`} data-testid={`delivery-${delivery.id}`} data-delivery={delivery.id} data-status={delivery.status}>
      <tr>
        <td class="hook-delivery-status-cell">
          <button
            type="button"
            class="icon-button small hook-delivery-toggle"
            aria-expanded={open}
            aria-controls={open ? detailId : undefined}
            aria-label={t("webhooks.log.details", { event: delivery.event, time: formatMoment(delivery.created_at) })}
            data-testid="delivery-toggle"
            onClick={() => webhooks.toggleDelivery(delivery)}
          >
            <ChevronDownIcon size={14} />
          </button>
          <span class={`hook-delivery-status hook-delivery-status-${row.status}`} data-testid="delivery-status">
            {row.statusLabel}
          </span>
        </td>
        <td>
          <span class="hook-delivery-event">{row.eventLabel}</span>
          <code class="hook-delivery-event-name">{delivery.event}</code>
        </td>
        <td>
          {delivery.conversation !== null ? (
            <a
              href={`#folder=all&status=all&conversation=${delivery.conversation}`}
              data-testid="delivery-conversation"
              onClick={(event) => {
                if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
                event.preventDefault();
                void controller.navigation.openConversation(delivery.conversation);
              }}
            >
              {t("conversation.number", { id: delivery.conversation })}
            </a>
          ) : (
            <span class="muted">{t("webhooks.log.noConversation")}</span>
          )}
        </td>
        <td class="numeric" data-testid="delivery-attempts">
          {formatNumber(delivery.attempts)}
        </td>
        <td class={`hook-delivery-answer${row.answerFailed ? " failed" : ""}`} data-testid="delivery-answer">
          {row.answer ?? <span class="muted">{t("webhooks.log.notTried")}</span>}
        </td>
        <td>
          <Moment at={row.lastAttempt} testid="delivery-last-attempt" />
        </td>
        <td>
          <Moment at={row.nextTry} testid="delivery-next-try" />
        </td>
        <td>
          {row.canResend ? (
            // aria-disabled, not disabled, while it is sent: the button keeps the focus.
            <button
              type="button"
              class="msg-action hook-delivery-resend"
              aria-disabled={resending ? "true" : undefined}
              data-testid="delivery-resend"
              onClick={() => {
                if (!resending) void webhooks.resend(delivery);
              }}
            >
              <ReplyIcon size={12} />
              <span>{t("webhooks.log.resend")}</span>
            </button>
          ) : null}
        </td>
      </tr>
      {open ? (
        <tr class="hook-delivery-detail-row" id={detailId}>
          <td colSpan={COLUMNS}>
            <DeliveryDetail delivery={delivery} />
          </td>
        </tr>
      ) : null}
    </tbody>
  );
}

export function DeliveryLog({ webhook }: { webhook: Webhook }) {
  const { webhooks } = useController();
  const { log } = webhooks;
  const ready = webhooks.shown === webhook.id;
  return (
    <section class="webhook-log" aria-labelledby="webhook-log-title" data-testid="webhook-log">
      <div class="post-section-head">
        <h4 id="webhook-log-title" class="webhook-log-title">
          {t("webhooks.log.title")}
        </h4>
        <label class="posts-inbox webhook-filter">
          <span>{t("webhooks.log.filter")}</span>
          <select
            class="select small"
            data-testid="webhook-log-filter"
            value={webhooks.filter ?? ""}
            onChange={(event) => webhooks.setFilter((event.currentTarget.value || null) as WebhookDeliveryStatus | null)}
          >
            <option value="">{t("webhooks.log.all")}</option>
            {WEBHOOK_DELIVERY_STATUSES.map((status) => (
              <option key={status} value={status}>
                {statusLabel(status)}
              </option>
            ))}
          </select>
        </label>
      </div>
      {!ready || (log.loading && !log.loaded) ? <div class="list-loading">{t("app.loading")}</div> : null}
      {ready && log.error ? (
        <div class="list-error" role="alert" data-testid="webhook-log-error">
          <span>{t("app.error", { message: log.error })}</span>{" "}
          <button type="button" class="link-button" onClick={() => void webhooks.refreshLog()}>
            {t("app.retry")}
          </button>
        </div>
      ) : null}
      {ready && log.loaded && log.items.length === 0 ? <p class="webhook-hint webhook-log-empty">{t(webhooks.filter ? "webhooks.log.noneFiltered" : "webhooks.log.none")}</p> : null}
      {ready && log.items.length ? (
        <div class="webhook-table-scroll">
          <table class="webhook-table" data-testid="webhook-deliveries">
            <thead>
              <tr>
                <th scope="col">{t("webhooks.log.status")}</th>
                <th scope="col">{t("webhooks.log.event")}</th>
                <th scope="col">{t("webhooks.log.conversation")}</th>
                <th scope="col" class="numeric">
                  {t("webhooks.log.attempts")}
                </th>
                <th scope="col">{t("webhooks.log.answer")}</th>
                <th scope="col">{t("webhooks.log.lastAttempt")}</th>
                <th scope="col">{t("webhooks.log.nextTry")}</th>
                <th scope="col">
                  <span class="sr-only">{t("webhooks.log.actions")}</span>
                </th>
              </tr>
            </thead>
            {log.items.map((delivery) => (
              <DeliveryRows key={delivery.id} delivery={delivery} />
            ))}
          </table>
        </div>
      ) : null}
      {ready && log.next ? (
        <button type="button" class="load-more" data-testid="webhook-log-more" disabled={log.loading} onClick={() => void webhooks.more()}>
          {t("webhooks.log.more")}
        </button>
      ) : null}
    </section>
  );
}
