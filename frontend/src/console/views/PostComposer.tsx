/** The form that writes a channel post or changes one: the text (Telegram's HTML) with its
 * formatting buttons (they wrap the selection in Telegram's tags; Ctrl+B, I, U and K do too), a
 * counter of the characters it shows against 4,096 (1,024 under a photo), the photo and the URL
 * buttons (PostFields.tsx), and the actions: publish now, schedule for a moment in the
 * operator's own time (a moment past is refused here), save as a draft; for a published post,
 * save its text and buttons in the channel. */

import type { JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";

import { type Key, t } from "../i18n";
import { type Format, FORMAT_TAGS, isPostLink, linkTags, wrapSelection } from "../post-text";
import { isFuture, isoToLocalInput, localInputToIso, localTimeZone, suggestedTime } from "../post-time";
import type { PostAction } from "../posts";
import { useController } from "./context";
import { BoldIcon, CodeIcon, EyeOffIcon, ItalicIcon, LinkIcon, StrikeIcon, UnderlineIcon } from "./icons";
import { ButtonsField, PhotoField } from "./PostFields";

const FORMAT_BUTTONS: Array<{ format: Format; icon: (props: { size?: number }) => JSX.Element }> = [
  { format: "bold", icon: BoldIcon },
  { format: "italic", icon: ItalicIcon },
  { format: "underline", icon: UnderlineIcon },
  { format: "strike", icon: StrikeIcon },
  { format: "spoiler", icon: EyeOffIcon },
  { format: "code", icon: CodeIcon },
];

/** Ctrl (⌘ on a Mac) with these keys formats the selection. */
const FORMAT_KEYS: Record<string, Format | "link"> = { KeyB: "bold", KeyI: "italic", KeyU: "underline", KeyK: "link" };

type Range = { start: number; end: number };

function LinkForm({ onAdd, onCancel }: { onAdd: (url: string) => void; onCancel: () => void }) {
  const [url, setUrl] = useState("https://");
  const [error, setError] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.select(), []);
  return (
    <form
      class="post-inline-form"
      noValidate
      data-testid="post-link-form"
      onSubmit={(event) => {
        event.preventDefault();
        if (isPostLink(url)) onAdd(url);
        else setError(true);
      }}
      onKeyDown={(event) => {
        if (event.key !== "Escape") return;
        event.stopPropagation();
        onCancel();
      }}
    >
      <label for="post-link-url">{t("posts.linkUrl")}</label>
      <input id="post-link-url" ref={input} class="input small" type="url" value={url} data-testid="post-link-url" aria-invalid={error || undefined} aria-describedby={error ? "post-link-error" : undefined} onInput={(event) => setUrl(event.currentTarget.value)} />
      <button type="submit" class="button small button-primary" data-testid="post-link-add">
        {t("posts.linkAdd")}
      </button>
      <button type="button" class="button small" onClick={onCancel}>
        {t("app.cancel")}
      </button>
      {error ? (
        <p id="post-link-error" class="field-error" role="alert">
          {t("posts.linkInvalid")}
        </p>
      ) : null}
    </form>
  );
}

function SchedulePanel({ initial, disabled, onSchedule, onCancel }: { initial: string; disabled: boolean; onSchedule: (iso: string) => void; onCancel: () => void }) {
  const [value, setValue] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  const describedBy = error ? "post-schedule-zone post-schedule-error" : "post-schedule-zone";
  return (
    <form
      id="post-schedule-panel"
      class="post-inline-form post-schedule"
      noValidate
      data-testid="post-schedule-panel"
      onSubmit={(event) => {
        event.preventDefault();
        const iso = localInputToIso(value);
        if (!iso) setError(t("posts.scheduleInvalid"));
        else if (!isFuture(iso, Date.now())) setError(t("posts.schedulePast"));
        else {
          setError(null);
          onSchedule(iso);
        }
      }}
      onKeyDown={(event) => {
        if (event.key !== "Escape") return;
        event.stopPropagation();
        onCancel();
      }}
    >
      <label for="post-schedule-at">{t("posts.scheduleAt")}</label>
      <input
        id="post-schedule-at"
        ref={input}
        class="input small"
        type="datetime-local"
        value={value}
        min={isoToLocalInput(new Date().toISOString()).slice(0, 16)}
        aria-describedby={describedBy}
        aria-invalid={error ? true : undefined}
        data-testid="post-schedule-at"
        onInput={(event) => setValue(event.currentTarget.value)}
      />
      <span id="post-schedule-zone" class="post-hint">
        {t("posts.scheduleZone", { zone: localTimeZone() })}
      </span>
      <button type="submit" class="button small button-primary" disabled={disabled} data-testid="post-schedule-confirm">
        {t("posts.scheduleConfirm")}
      </button>
      <button type="button" class="button small" onClick={onCancel}>
        {t("app.cancel")}
      </button>
      {error ? (
        <p id="post-schedule-error" class="field-error" role="alert" data-testid="post-schedule-error">
          {error}
        </p>
      ) : null}
    </form>
  );
}

export function PostComposer() {
  const { posts } = useController();
  const { editor } = posts;
  const area = useRef<HTMLTextAreaElement>(null);
  const [link, setLink] = useState<Range | null>(null);
  const [scheduling, setScheduling] = useState(false);

  // A post loaded (or the form emptied): the pop-ins close; an edit starts in the text.
  useEffect(() => {
    setLink(null);
    setScheduling(false);
    if (editor.editing) area.current?.focus();
  }, [editor.generation]);

  const selection = (): Range => ({ start: area.current?.selectionStart ?? editor.text.length, end: area.current?.selectionEnd ?? editor.text.length });

  const wrap = (tags: readonly [string, string], range: Range = selection()) => {
    const edit = wrapSelection(editor.text, range.start, range.end, tags[0], tags[1]);
    const node = area.current;
    if (node) node.value = edit.text;
    editor.setText(edit.text);
    node?.focus();
    node?.setSelectionRange(edit.start, edit.end);
  };
  const format = (which: Format | "link") => {
    if (which === "link") setLink(selection());
    else wrap(FORMAT_TAGS[which]);
  };
  const act = (action: PostAction) => void posts.submit(action);

  const editing = editor.editing;
  const over = editor.tooLong;
  const initialTime = editing?.state === "scheduled" && editing.publish_at && isFuture(editing.publish_at, Date.now()) ? isoToLocalInput(editing.publish_at) : suggestedTime(Date.now());
  return (
    <section class="post-composer" aria-labelledby="post-composer-title" data-testid="post-composer" data-editing={editing?.id}>
      <div class="post-section-head">
        <h3 id="post-composer-title">{editing ? t(editor.published ? "posts.editingPublished" : "posts.editing") : t("posts.new")}</h3>
        {editing ? (
          <button type="button" class="button small" data-testid="post-new" onClick={() => editor.reset()}>
            {t("posts.cancelEdit")}
          </button>
        ) : null}
      </div>
      {editing?.state === "published" ? <p class="post-hint">{t("posts.publishedHint")}</p> : editing?.state === "failed" ? <p class="post-hint">{t("posts.failedHint")}</p> : null}
      <div class="post-field">
        <label for="post-text" class="field-label">
          {t("posts.text")}
        </label>
        <div class="post-toolbar" role="group" aria-label={t("posts.formatting")}>
          {FORMAT_BUTTONS.map(({ format: which, icon: Icon }) => (
            <button key={which} type="button" class="icon-button" data-testid={`format-${which}`} aria-label={t(`posts.format.${which}` as Key)} title={t(`posts.format.${which}` as Key)} onMouseDown={(event) => event.preventDefault()} onClick={() => format(which)}>
              <Icon size={15} />
            </button>
          ))}
          <button type="button" class="icon-button" data-testid="format-link" aria-label={t("posts.format.link")} title={t("posts.format.link")} aria-expanded={link !== null} onMouseDown={(event) => event.preventDefault()} onClick={() => format("link")}>
            <LinkIcon size={15} />
          </button>
        </div>
        {link ? (
          <LinkForm
            onAdd={(url) => {
              setLink(null);
              wrap(linkTags(url), link);
            }}
            onCancel={() => {
              setLink(null);
              area.current?.focus();
            }}
          />
        ) : null}
        <textarea
          id="post-text"
          ref={area}
          class="input post-text"
          rows={9}
          value={editor.text}
          placeholder={t("posts.textPlaceholder")}
          aria-describedby="post-counter"
          aria-invalid={over || undefined}
          data-testid="post-text"
          onInput={(event) => editor.setText(event.currentTarget.value)}
          onKeyDown={(event) => {
            if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) return;
            const which = FORMAT_KEYS[event.code];
            if (!which) return;
            event.preventDefault();
            format(which);
          }}
        />
        <span id="post-counter" class={`post-counter${over ? " over" : ""}`} data-testid="post-counter">
          {t(editor.withPhoto ? "posts.counterCaption" : "posts.counter", { count: editor.length, limit: editor.limit })}
        </span>
      </div>
      <PhotoField />
      <ButtonsField />
      {editor.error ? (
        <p class="post-error" role="alert" data-testid="post-error">
          {editor.error}
        </p>
      ) : null}
      <div class="post-buttons-bar">
        {editor.published ? (
          <button type="button" class="button button-primary" disabled={!editor.ready} data-testid="post-save-channel" onClick={() => act({ kind: "channel" })}>
            {t("posts.saveInChannel")}
          </button>
        ) : (
          <>
            <button type="button" class="button button-primary" disabled={!editor.ready} data-testid="post-publish" onClick={() => act({ kind: "now" })}>
              {t("posts.publishNow")}
            </button>
            <button type="button" class="button" disabled={!editor.ready} aria-expanded={scheduling} aria-controls={scheduling ? "post-schedule-panel" : undefined} data-testid="post-schedule" onClick={() => setScheduling(!scheduling)}>
              {t("posts.schedule")}
            </button>
            <button type="button" class="button" disabled={!editor.ready} data-testid="post-draft" onClick={() => act({ kind: "draft" })}>
              {t("posts.saveDraft")}
            </button>
          </>
        )}
      </div>
      {scheduling && !editor.published ? <SchedulePanel initial={initialTime} disabled={!editor.ready} onSchedule={(at) => act({ kind: "schedule", at })} onCancel={() => setScheduling(false)} /> : null}
    </section>
  );
}
