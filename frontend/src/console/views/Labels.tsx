/** A conversation's labels: chips to remove, an input with suggestions to add. */

import { useState } from "preact/hooks";

import { t } from "../i18n";
import type { Conversation } from "../types";
import { useController } from "./context";
import { CloseIcon } from "./icons";

/** The conversation's labels, editable; `listId` names the suggestions' datalist (unique on the
 * page: the resolve menu shows its own). */
export function Labels({ conversation, listId = "label-suggestions" }: { conversation: Conversation; listId?: string }) {
  const controller = useController();
  const { store } = controller;
  const [value, setValue] = useState("");
  const add = (name: string) => {
    const label = name.trim().slice(0, 50);
    if (!label || conversation.labels.includes(label)) {
      setValue("");
      return;
    }
    void controller.actions.setLabels(conversation.id, [...conversation.labels, label]);
    setValue("");
  };
  const suggestions = store.labels.filter((label) => !conversation.labels.includes(label));
  return (
    <div class="labels" data-testid="labels">
      {conversation.labels.length === 0 ? <span class="muted small">{t("contact.noLabels")}</span> : null}
      {conversation.labels.map((label) => (
        <span class="chip label removable" key={label} data-testid={`label-${label}`}>
          {label}
          <button
            type="button"
            aria-label={t("contact.removeLabel", { name: label })}
            onClick={() =>
              void controller.actions.setLabels(
                conversation.id,
                conversation.labels.filter((item) => item !== label),
              )
            }
          >
            <CloseIcon size={11} />
          </button>
        </span>
      ))}
      <input
        class="input small label-input"
        list={listId}
        placeholder={t("contact.addLabel")}
        aria-label={t("contact.addLabel")}
        data-testid="label-input"
        value={value}
        maxLength={50}
        onInput={(event) => setValue(event.currentTarget.value)}
        onKeyDown={(event) => {
          if (event.key === "Enter") {
            event.preventDefault();
            add(value);
          }
        }}
        onChange={(event) => {
          if (store.labels.includes(event.currentTarget.value)) add(event.currentTarget.value);
        }}
      />
      <datalist id={listId}>
        {suggestions.map((label) => (
          <option key={label} value={label} />
        ))}
      </datalist>
    </div>
  );
}
