/** The contact panel's notice of contacts that may be the same person (the same email, or the
 * same phone written another way; the server names them to supervisors and admins only): each
 * with how it is reached and Merge, which asks first, in place, then merges it into this contact
 * and shows the answer. */

import { useEffect, useRef, useState } from "preact/hooks";

import { suggestionDetails, suggestionName } from "../conversation-facts";
import { t } from "../i18n";
import type { ContactDetail, MergeSuggestion } from "../types";
import { useController } from "./context";
import { UsersIcon } from "./icons";

function MergeControl({ contact, suggestion }: { contact: ContactDetail; suggestion: MergeSuggestion }) {
  const { actions, navigation } = useController();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const confirm = useRef<HTMLButtonElement>(null);
  const trigger = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (confirming) confirm.current?.focus();
  }, [confirming]);
  const name = suggestionName(suggestion);
  const cancel = () => {
    setConfirming(false);
    requestAnimationFrame(() => trigger.current?.focus());
  };
  const merge = async () => {
    setBusy(true);
    const merged = await actions.mergeContact(contact.id, suggestion.id);
    // Merged: this suggestion is gone with the answer, and this control with it.
    if (merged) navigation.toast(t("merge.done", { name }), "info");
    else {
      setBusy(false);
      setConfirming(false);
    }
  };
  if (!confirming) {
    return (
      <button
        ref={trigger}
        type="button"
        class="button small"
        data-testid="merge"
        aria-label={t("merge.mergeOne", { name })}
        onClick={() => setConfirming(true)}
      >
        {t("merge.merge")}
      </button>
    );
  }
  return (
    <div
      class="merge-confirm"
      role="group"
      aria-label={t("merge.mergeOne", { name })}
      data-testid="merge-confirm"
      onKeyDown={(event) => {
        if (event.key !== "Escape") return;
        event.stopPropagation();
        cancel();
      }}
    >
      <span class="msg-confirm-text">{t("merge.confirm", { name, contact: contact.name || t("contact.unnamed") })}</span>
      <button ref={confirm} type="button" class="button button-primary small" disabled={busy} data-testid="merge-yes" onClick={() => void merge()}>
        {t("merge.yes")}
      </button>
      <button type="button" class="button small" disabled={busy} onClick={cancel}>
        {t("app.cancel")}
      </button>
    </div>
  );
}

export function MergeSuggestions({ contact }: { contact: ContactDetail }) {
  const suggestions = contact.merge_suggestions ?? [];
  if (suggestions.length === 0) return null;
  return (
    <section class="panel-section merge-notice" aria-labelledby="merge-title" data-testid="merge-suggestions">
      <h3 id="merge-title">
        <UsersIcon size={14} />
        <span>{t("merge.title")}</span>
      </h3>
      <p class="merge-hint">{t("merge.hint")}</p>
      <ul class="merge-list">
        {suggestions.map((suggestion) => (
          <li key={suggestion.id} class="merge-item" data-testid={`merge-suggestion-${suggestion.id}`}>
            <span class="merge-who">
              <span class="merge-name">{suggestionName(suggestion)}</span>
              {suggestionDetails(suggestion).map((detail) => (
                <span key={detail} class="merge-detail">
                  {detail}
                </span>
              ))}
            </span>
            <MergeControl contact={contact} suggestion={suggestion} />
          </li>
        ))}
      </ul>
    </section>
  );
}
