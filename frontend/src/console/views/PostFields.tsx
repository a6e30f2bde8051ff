/** The post form's photo (an image, uploaded as soon as it is chosen, with its progress or the
 * server's error, and removable; a published post keeps its own) and its URL buttons (rows of
 * a text and an address, up to ten). */

import { useEffect, useRef } from "preact/hooks";

import { formatSize } from "../../shared/attachments";
import { getLocale, t } from "../i18n";
import { BUTTON_TEXT_MAX, BUTTONS_MAX, isPostLink } from "../post-text";
import { useController } from "./context";
import { CloseIcon, ImageIcon, PlusIcon } from "./icons";

export function PhotoField() {
  const { posts } = useController();
  const { editor } = posts;
  const picker = useRef<HTMLInputElement>(null);
  if (editor.published) return editor.photo ? <p class="post-hint">{t("posts.photoFixed")}</p> : null;
  const item = editor.upload.items[0];
  const kept = item ? null : editor.photo;
  const locale = getLocale();
  const percent = new Intl.NumberFormat(locale, { style: "percent" });
  return (
    <div class="post-field post-photo" role="group" aria-labelledby="post-photo-label" data-testid="post-photo">
      <span id="post-photo-label" class="field-label">
        {t("posts.photo")}
      </span>
      {item ? (
        <div class={`upload-chip upload-${item.state}`} data-testid="post-photo-chip" data-state={item.state}>
          <ImageIcon size={14} />
          <span class="upload-name" title={item.name}>
            {item.name}
          </span>
          {item.state === "uploading" ? (
            <progress class="upload-progress" max={1} value={item.progress ?? undefined} aria-label={item.progress === null ? t("attach.uploading") : t("attach.progress", { percent: percent.format(item.progress) })} />
          ) : item.state === "failed" ? (
            <span class="upload-error" role="alert" data-testid="post-photo-error">
              {item.error}
            </span>
          ) : (
            <span class="upload-size">{formatSize(item.size, locale)}</span>
          )}
          <button type="button" class="upload-remove" aria-label={t("attach.remove", { name: item.name })} data-testid="post-photo-remove" onClick={() => editor.removePhoto()}>
            <CloseIcon size={12} />
          </button>
        </div>
      ) : kept ? (
        <div class="upload-chip upload-done" data-testid="post-photo-chip" data-state="kept">
          <ImageIcon size={14} />
          <span class="upload-name" title={kept.name}>
            {kept.name}
          </span>
          <button type="button" class="upload-remove" aria-label={t("attach.remove", { name: kept.name })} data-testid="post-photo-remove" onClick={() => editor.removePhoto()}>
            <CloseIcon size={12} />
          </button>
        </div>
      ) : null}
      {editor.photoRefused ? (
        <p class="field-error" role="alert" data-testid="post-photo-refused">
          {t("posts.photoNotImage")}
        </p>
      ) : null}
      <button type="button" class="button small" data-testid="post-photo-button" onClick={() => picker.current?.click()}>
        <ImageIcon size={14} />
        <span>{editor.withPhoto ? t("posts.photoReplace") : t("posts.photoAdd")}</span>
      </button>
      <input
        ref={picker}
        type="file"
        accept="image/*"
        hidden
        data-testid="post-photo-input"
        onChange={(event) => {
          const input = event.currentTarget;
          const file = input.files?.[0];
          if (file) editor.choosePhoto(file);
          input.value = "";
        }}
      />
    </div>
  );
}

export function ButtonsField() {
  const { posts } = useController();
  const { editor } = posts;
  const list = useRef<HTMLDivElement>(null);
  const count = useRef(editor.buttons.length);
  // A row just added: its text field takes the focus.
  useEffect(() => {
    if (editor.buttons.length > count.current) {
      const fields = list.current?.querySelectorAll<HTMLInputElement>("[data-testid=post-button-text]");
      fields?.[fields.length - 1]?.focus();
    }
    count.current = editor.buttons.length;
  }, [editor.buttons.length]);
  return (
    <fieldset class="post-field post-button-rows" data-testid="post-buttons">
      <legend class="field-label">{t("posts.buttons")}</legend>
      <div ref={list}>
        {editor.buttons.map((row, index) => {
          const number = index + 1;
          const badUrl = row.url.trim() !== "" && !isPostLink(row.url);
          return (
            <div class="post-button-row" key={row.key} data-testid="post-button-row">
              <input
                class="input small"
                value={row.text}
                maxLength={BUTTON_TEXT_MAX}
                placeholder={t("posts.buttonTextPlaceholder")}
                aria-label={t("posts.buttonText", { number })}
                data-testid="post-button-text"
                onInput={(event) => editor.setButton(row.key, "text", event.currentTarget.value)}
              />
              <input
                class="input small"
                type="url"
                value={row.url}
                placeholder={t("posts.buttonUrlPlaceholder")}
                aria-label={t("posts.buttonUrl", { number })}
                aria-invalid={badUrl || undefined}
                title={badUrl ? t("posts.linkInvalid") : undefined}
                data-testid="post-button-url"
                onInput={(event) => editor.setButton(row.key, "url", event.currentTarget.value)}
              />
              <button type="button" class="icon-button small" aria-label={t("posts.buttonRemove", { number })} data-testid="post-button-remove" onClick={() => editor.removeButton(row.key)}>
                <CloseIcon size={13} />
              </button>
            </div>
          );
        })}
      </div>
      <button type="button" class="button small" disabled={editor.buttons.length >= BUTTONS_MAX} data-testid="post-add-button" onClick={() => editor.addButton()}>
        <PlusIcon size={14} />
        <span>{t("posts.buttonAdd")}</span>
      </button>
    </fieldset>
  );
}
