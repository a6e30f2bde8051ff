/** A filter's choice of several values: a button that opens a list of checkboxes (a search box
 * for long lists); Escape or a click outside closes it and gives the focus back. */

import { useEffect, useRef, useState } from "preact/hooks";

import { t, tn } from "../i18n";

export interface Option {
  value: string;
  label: string;
}

export function MultiSelect({
  id,
  label,
  options,
  selected,
  onChange,
}: {
  id: string;
  label: string;
  options: Option[];
  selected: string[];
  onChange(values: string[]): void;
}) {
  const [open, setOpen] = useState(false);
  const [query, setQuery] = useState("");
  const anchor = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    const outside = (event: MouseEvent) => {
      if (anchor.current && !anchor.current.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener("mousedown", outside);
    return () => document.removeEventListener("mousedown", outside);
  }, [open]);

  const close = () => {
    setOpen(false);
    button.current?.focus();
  };
  const chosen = options.filter((option) => selected.includes(option.value));
  const summary = chosen.length === 0 ? t("filter.all") : chosen.length === 1 ? chosen[0].label : tn("plural.selected", chosen.length);
  const needle = query.trim().toLocaleLowerCase();
  const shown = needle ? options.filter((option) => option.label.toLocaleLowerCase().includes(needle)) : options;
  const toggle = (value: string, on: boolean) => onChange(on ? [...selected, value] : selected.filter((v) => v !== value));

  return (
    <div class="rp-filter" ref={anchor} data-testid={`filter-${id}`}>
      <button
        type="button"
        ref={button}
        class={`rp-filter-button${chosen.length > 0 ? " active" : ""}`}
        aria-expanded={open}
        aria-controls={`filter-${id}-panel`}
        onClick={() => setOpen(!open)}
      >
        <span class="rp-filter-name">{label}:</span> <span class="rp-filter-value">{summary}</span>
        <svg width="12" height="12" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2.5" aria-hidden="true" focusable="false">
          <path d="m6 9 6 6 6-6" />
        </svg>
      </button>
      {open ? (
        <div
          class="rp-filter-panel"
          id={`filter-${id}-panel`}
          onKeyDown={(event) => {
            if (event.key === "Escape") {
              event.stopPropagation();
              close();
            }
          }}
        >
          <fieldset>
            <legend class="sr-only">{label}</legend>
            {options.length > 8 ? (
              <input
                type="search"
                class="rp-filter-search"
                placeholder={t("filter.search")}
                aria-label={`${label}: ${t("filter.search")}`}
                value={query}
                onInput={(event) => setQuery(event.currentTarget.value)}
              />
            ) : null}
            {options.length === 0 ? <p class="rp-muted">{t("filter.none")}</p> : null}
            <div class="rp-filter-options">
              {shown.map((option, index) => (
                <label key={option.value} class="rp-check">
                  <input
                    type="checkbox"
                    value={option.value}
                    checked={selected.includes(option.value)}
                    autoFocus={index === 0 && options.length <= 8}
                    onChange={(event) => toggle(option.value, event.currentTarget.checked)}
                  />
                  <span>{option.label}</span>
                </label>
              ))}
            </div>
          </fieldset>
        </div>
      ) : null}
    </div>
  );
}
