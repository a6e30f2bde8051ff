/** The composer: reply or private note (clearly different: a yellow frame and a warning),
 * "/" for canned responses with the contact's name filled in, "@" for mentions in notes,
 * drafts kept per conversation, files (the paperclip, a paste, or a drop on the column; chips
 * while they upload), Enter to send. */

import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";

import { filesOf } from "../../shared/dropped-files";
import { cannedTrigger, expandCanned, filterCanned, insertCanned } from "../canned";
import type { ComposerMode } from "../drafts";
import { formatNumber, t } from "../i18n";
import { insertMention, mentionCandidates, mentionTrigger, parseMentions } from "../mentions";
import type { CannedResponse, Conversation, OperatorInfo } from "../types";
import { addFiles, UploadChips } from "./Attachments";
import { Avatar } from "./common";
import { useController } from "./context";
import { LockIcon, PaperclipIcon, SendIcon, ZapIcon } from "./icons";

type Popup =
  | { kind: "canned"; start: number; query: string; items: CannedResponse[] }
  | { kind: "mention"; start: number; query: string; items: OperatorInfo[] };

const MAX_CHARS = 10_000;

export function Composer({ conversation }: { conversation: Conversation }) {
  const controller = useController();
  const { store } = controller;
  const { drafts } = controller.composer;
  const initial = drafts.get(conversation.id);
  const [body, setBody] = useState(initial?.body ?? "");
  const [mode, setMode] = useState<ComposerMode>(initial?.mode ?? "reply");
  const [caret, setCaret] = useState(0);
  const [active, setActive] = useState(0);
  const [dismissed, setDismissed] = useState<number | null>(null);
  const [pickerOpen, setPickerOpen] = useState(false);
  const area = useRef<HTMLTextAreaElement>(null);
  const picker = useRef<HTMLInputElement>(null);
  const files = controller.composer.files(conversation.id);
  const saveTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const latest = useRef({ body, mode });
  latest.current = { body, mode };

  // Drafts: saved shortly after typing stops, and when the conversation is left.
  useEffect(() => {
    if (saveTimer.current) clearTimeout(saveTimer.current);
    saveTimer.current = setTimeout(() => drafts.set(conversation.id, body, mode), 250);
  }, [body, mode]);
  useEffect(
    () => () => {
      if (saveTimer.current) clearTimeout(saveTimer.current);
      drafts.set(conversation.id, latest.current.body, latest.current.mode);
    },
    [],
  );

  // Focus requests from keyboard shortcuts.
  const focus = controller.composer.focus;
  useEffect(() => {
    if (!focus || focus.conversation !== conversation.id || Date.now() - focus.at > 2000) return;
    if (focus.mode) setMode(focus.mode);
    area.current?.focus();
  }, [focus?.at]);

  useLayoutEffect(() => {
    const node = area.current;
    if (!node) return;
    node.style.height = "auto";
    node.style.height = `${Math.min(node.scrollHeight, 220)}px`;
  }, [body]);

  const contact = store.contacts.get(conversation.contact.id) ?? conversation.contact;
  const context = { contact: { name: contact.name, email: contact.email }, operator: { name: store.me.name } };

  let popup: Popup | null = null;
  const canned = cannedTrigger(body, caret);
  if (pickerOpen) {
    popup = { kind: "canned", start: caret, query: "", items: filterCanned(store.canned, "", 50) };
  } else if (canned && canned.start !== dismissed && store.features.canned) {
    popup = { kind: "canned", start: canned.start, query: canned.query, items: filterCanned(store.canned, canned.query) };
  } else if (mode === "note") {
    const mention = mentionTrigger(body, caret);
    if (mention && mention.start !== dismissed) {
      const items = mentionCandidates(store.operators.values(), mention.query, store.me.id);
      if (items.length) popup = { kind: "mention", start: mention.start, query: mention.query, items };
    }
  }
  const count = popup ? popup.items.length : 0;
  const selectedIndex = count ? Math.min(active, count - 1) : 0;

  const apply = (edit: { text: string; caret: number }) => {
    setBody(edit.text);
    setCaret(edit.caret);
    setActive(0);
    setPickerOpen(false);
    requestAnimationFrame(() => {
      const node = area.current;
      if (!node) return;
      node.focus();
      node.setSelectionRange(edit.caret, edit.caret);
    });
  };

  const choose = (index: number) => {
    if (!popup) return;
    if (popup.kind === "canned") {
      const response = popup.items[index];
      if (response) apply(insertCanned(body, caret, response, context));
    } else {
      const operator = popup.items[index];
      if (operator) apply(insertMention(body, caret, operator));
    }
  };

  const send = () => {
    const text = body;
    if (!files.canSend(text) || text.length > MAX_CHARS) return;
    controller.composer.send(conversation.id, text, mode === "note", files.attachments);
    files.clear();
    setBody("");
    setCaret(0);
    drafts.clear(conversation.id);
  };

  // A pasted image (or any file) is attached; pasted text goes in as usual.
  const onPaste = (event: ClipboardEvent) => {
    const pasted = filesOf(event.clipboardData);
    if (pasted.length === 0) return;
    if (!event.clipboardData?.types.includes("text/plain")) event.preventDefault();
    addFiles(controller, conversation.id, pasted);
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.isComposing) return;
    if (popup && count > 0) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        setActive((selectedIndex + (event.key === "ArrowDown" ? 1 : count - 1)) % count);
        return;
      }
      if (event.key === "Enter" || event.key === "Tab") {
        event.preventDefault();
        choose(selectedIndex);
        return;
      }
    }
    if (popup && event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      setDismissed(popup.start);
      setPickerOpen(false);
      return;
    }
    if (event.key === "Enter" && !event.shiftKey && !event.altKey && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      send();
    }
  };

  const onInput = (event: Event) => {
    const node = event.currentTarget as HTMLTextAreaElement;
    setBody(node.value);
    setCaret(node.selectionStart ?? node.value.length);
    setActive(0);
    if (dismissed !== null && !node.value.slice(dismissed).match(/^[/@]/)) setDismissed(null);
    if (node.value.trim()) controller.composer.typing(conversation.id, mode === "note");
    else controller.composer.stopTyping();
  };

  const note = mode === "note";
  const mentioned = note ? parseMentions(body, store.operators.values()).filter((operator) => operator.id !== store.me.id) : [];
  const tooLong = body.length > MAX_CHARS;
  return (
    <div class={`composer${note ? " composer-note" : ""}`} data-testid="composer" data-mode={mode}>
      <div class="composer-tabs" role="tablist">
        <button type="button" role="tab" aria-selected={!note} class={!note ? "active" : ""} data-testid="mode-reply" onClick={() => setMode("reply")}>
          {t("composer.reply")}
        </button>
        <button type="button" role="tab" aria-selected={note} class={note ? "active note" : ""} data-testid="mode-note" onClick={() => setMode("note")}>
          <LockIcon size={12} />
          <span>{t("composer.note")}</span>
        </button>
        {note ? (
          <span class="note-warning" data-testid="note-warning">
            {t("composer.noteWarning")}
          </span>
        ) : conversation.status === "resolved" ? (
          <span class="composer-info">{t("composer.resolvedHint")}</span>
        ) : null}
      </div>
      {popup && (count > 0 || popup.kind === "canned") ? (
        <div class="composer-popup" role="listbox" data-testid={popup.kind === "canned" ? "canned-popup" : "mention-popup"} aria-label={popup.kind === "canned" ? t("composer.canned") : t("composer.mentions")}>
          <div class="popover-title">{popup.kind === "canned" ? t("composer.canned") : t("composer.mentions")}</div>
          {popup.kind === "canned" && count === 0 ? <div class="popover-empty">{t("composer.cannedNone", { query: popup.query })}</div> : null}
          {popup.kind === "canned"
            ? popup.items.map((response, index) => (
                <button
                  type="button"
                  role="option"
                  key={response.id}
                  aria-selected={index === selectedIndex}
                  class={`popup-item${index === selectedIndex ? " active" : ""}`}
                  data-testid={`canned-${response.shortcut}`}
                  onMouseDown={(event) => event.preventDefault()}
                  onClick={() => choose(index)}
                >
                  <span class="popup-line">
                    <span class="shortcut">/{response.shortcut}</span>
                    <span class="popup-title">{response.title}</span>
                    <span class="chip small">{response.scope === "personal" ? t("composer.cannedPersonal") : t("composer.cannedTeam")}</span>
                  </span>
                  <span class="popup-body">{expandCanned(response.body, context)}</span>
                </button>
              ))
            : popup.items.map((operator, index) => (
                <button
                  type="button"
                  role="option"
                  key={operator.id}
                  aria-selected={index === selectedIndex}
                  class={`popup-item row-like${index === selectedIndex ? " active" : ""}`}
                  data-testid={`mention-${operator.username}`}
                  onMouseDown={(event) => event.preventDefault()}
                  onClick={() => choose(index)}
                >
                  <Avatar name={operator.name} seed={`op${operator.id}`} size="sm" status={operator.status} />
                  <span class="popup-title">{operator.name}</span>
                  <span class="muted">@{operator.username}</span>
                </button>
              ))}
        </div>
      ) : null}
      <textarea
        ref={area}
        class="composer-input"
        data-testid="composer-input"
        rows={3}
        value={body}
        placeholder={note ? t("composer.notePlaceholder") : t("composer.replyPlaceholder")}
        aria-label={note ? t("composer.note") : t("composer.reply")}
        onInput={onInput}
        onKeyDown={onKeyDown}
        onKeyUp={(event) => setCaret(event.currentTarget.selectionStart ?? 0)}
        onClick={(event) => setCaret(event.currentTarget.selectionStart ?? 0)}
        onBlur={() => controller.composer.stopTyping()}
        onPaste={onPaste}
      />
      <UploadChips queue={files} />
      <div class="composer-footer">
        <button type="button" class="icon-button" data-testid="attach-button" title={t("attach.button")} aria-label={t("attach.button")} onClick={() => picker.current?.click()}>
          <PaperclipIcon size={16} />
        </button>
        <input
          ref={picker}
          type="file"
          multiple
          hidden
          data-testid="attach-input"
          onChange={(event) => {
            const input = event.currentTarget;
            addFiles(controller, conversation.id, Array.from(input.files ?? []));
            input.value = "";
            area.current?.focus();
          }}
        />
        <button
          type="button"
          class="icon-button"
          data-testid="canned-button"
          title={t("composer.canned")}
          aria-label={t("composer.canned")}
          disabled={!store.features.canned}
          onClick={() => {
            setPickerOpen(!pickerOpen);
            area.current?.focus();
          }}
        >
          <ZapIcon size={16} />
        </button>
        <span class="composer-hint">
          {mentioned.length ? (
            <span data-testid="will-notify">{t("composer.willNotify", { names: mentioned.map((operator) => operator.name).join(", ") })}</span>
          ) : (
            t("composer.hint")
          )}
        </span>
        {tooLong ? <span class="error-text">{formatNumber(body.length)} / {formatNumber(MAX_CHARS)}</span> : null}
        <button type="button" class={`button ${note ? "button-note" : "button-primary"}`} data-testid="send" disabled={!files.canSend(body) || tooLong} onClick={send}>
          <SendIcon size={14} />
          <span>{note ? t("composer.addNote") : t("composer.send")}</span>
        </button>
      </div>
    </div>
  );
}
