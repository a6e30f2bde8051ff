/** The form that adds a webhook or changes one: its address (a refused one shows the server's
 * words beside the field), the events it takes, and whether private notes go too (with a
 * warning: notes are internal). webhook-form.ts keeps what it holds and what it sends. */

import { type Key, t } from "../i18n";
import { WEBHOOK_EVENTS } from "../types";
import type { WebhookForm } from "../webhook-form";
import { useController } from "./context";
import { LockIcon } from "./icons";

export function WebhookEditor({ form }: { form: WebhookForm }) {
  const { webhooks, store } = useController();
  const editing = form.editing;
  const { errors } = form;
  const urlDescribed = errors.url ? "webhook-url-hint webhook-url-error" : "webhook-url-hint";
  return (
    <section class="webhook-editor" aria-labelledby="webhook-editor-title" data-testid="webhook-form" data-editing={editing?.id}>
      <div class="post-section-head">
        <h3 id="webhook-editor-title">{t(editing ? "webhooks.form.editing" : "webhooks.form.new")}</h3>
      </div>
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void webhooks.save();
        }}
        onKeyDown={(event) => {
          if (event.key !== "Escape") return;
          event.stopPropagation();
          webhooks.cancelForm();
        }}
      >
        <div class="post-field">
          <label for="webhook-url" class="field-label">
            {t("webhooks.form.url")}
          </label>
          <input
            id="webhook-url"
            class="input webhook-url-input"
            type="url"
            inputMode="url"
            autoComplete="off"
            spellcheck={false}
            value={form.url}
            placeholder={t("webhooks.form.urlPlaceholder")}
            aria-invalid={errors.url ? true : undefined}
            aria-describedby={urlDescribed}
            data-testid="webhook-url"
            data-focus="url"
            onInput={(event) => {
              form.setUrl(event.currentTarget.value);
              store.changed();
            }}
          />
          {errors.url ? (
            <p id="webhook-url-error" class="field-error" role="alert" data-testid="webhook-url-error">
              {errors.url}
            </p>
          ) : null}
          <span id="webhook-url-hint" class="webhook-hint">
            {t("webhooks.form.urlHint")}
          </span>
        </div>
        <fieldset class="post-field webhook-event-choice" aria-describedby={errors.events ? "webhook-events-error" : undefined} data-testid="webhook-event-choice">
          <legend class="field-label">{t("webhooks.form.events")}</legend>
          {WEBHOOK_EVENTS.map((event) => (
            <label key={event} class="webhook-check">
              <input
                type="checkbox"
                checked={form.events.has(event)}
                data-testid={`webhook-event-${event}`}
                onChange={(change) => {
                  form.toggleEvent(event, change.currentTarget.checked);
                  store.changed();
                }}
              />
              <span>{t(`webhooks.event.${event}` as Key)}</span>
              <code>{event}</code>
            </label>
          ))}
          {errors.events ? (
            <p id="webhook-events-error" class="field-error" role="alert" data-testid="webhook-events-error">
              {errors.events}
            </p>
          ) : null}
        </fieldset>
        <div class="post-field">
          <label class="webhook-check">
            <input
              type="checkbox"
              checked={form.includePrivate}
              aria-describedby="webhook-private-warning"
              data-testid="webhook-private-input"
              onChange={(change) => {
                form.includePrivate = change.currentTarget.checked;
                store.changed();
              }}
            />
            <span>{t("webhooks.form.private")}</span>
          </label>
          <p id="webhook-private-warning" class={`webhook-warning${form.includePrivate ? " on" : ""}`}>
            <LockIcon size={12} />
            <span>{t("webhooks.form.privateWarning")}</span>
          </p>
        </div>
        {errors.form ? (
          <p class="post-error" role="alert" data-testid="webhook-form-error">
            {errors.form}
          </p>
        ) : null}
        <div class="post-buttons-bar">
          <button type="submit" class="button button-primary" disabled={form.busy} data-testid="webhook-save">
            {t(editing ? "webhooks.form.save" : "webhooks.form.create")}
          </button>
          <button type="button" class="button" disabled={form.busy} data-testid="webhook-cancel" onClick={() => webhooks.cancelForm()}>
            {t("app.cancel")}
          </button>
        </div>
      </form>
    </section>
  );
}
