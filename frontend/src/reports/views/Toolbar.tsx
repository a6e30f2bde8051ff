/** The period (presets and a custom range), the time zone the days are counted in, and the
 * filters. */

import { useEffect, useState } from "preact/hooks";

import { formatDays } from "../format";
import { channelLabel, t } from "../i18n";
import { activePreset, CHANNELS, emptyFilters, FILTERS, type FilterName, hasFilters, type Preset, PRESETS, presetRange, type ViewState } from "../state";
import type { Named } from "../types";
import { useDashboard } from "./context";
import { MultiSelect, type Option } from "./MultiSelect";

export type FilterOptions = Record<Exclude<FilterName, "channel">, Named[]>;

function optionsOf(name: FilterName, lists: FilterOptions): Option[] {
  if (name === "channel") return CHANNELS.map((value) => ({ value, label: channelLabel(value) }));
  return lists[name].map((item) => ({ value: String(item.id), label: item.name }));
}

export function Toolbar({
  state,
  today,
  lists,
  navigate,
}: {
  state: ViewState;
  today: string;
  lists: FilterOptions;
  navigate(next: ViewState): void;
}) {
  const { config, locale } = useDashboard();
  const preset = activePreset(state, today);
  const [custom, setCustom] = useState(preset === null);
  const [from, setFrom] = useState(state.from);
  const [to, setTo] = useState(state.to);
  useEffect(() => {
    setFrom(state.from);
    setTo(state.to);
    if (activePreset(state, today) === null) setCustom(true);
  }, [state.from, state.to, today]);
  const invalid = !from || !to || from > to;

  const choose = (chosen: Preset) => {
    setCustom(false);
    navigate({ ...state, ...presetRange(chosen, today) });
  };

  return (
    <div class="rp-toolbar" role="region" aria-label={t("range.label")}>
      <div class="rp-toolbar-row">
        <div class="rp-segmented" role="group" aria-label={t("range.label")}>
          {PRESETS.map((name) => (
            <button type="button" key={name} class={preset === name && !custom ? "active" : ""} aria-pressed={preset === name && !custom} data-testid={`preset-${name}`} onClick={() => choose(name)}>
              {t(`range.${name}`)}
            </button>
          ))}
          <button type="button" class={custom ? "active" : ""} aria-pressed={custom} data-testid="preset-custom" onClick={() => setCustom(true)}>
            {t("range.custom")}
          </button>
        </div>
        {custom ? (
          <form
            class="rp-custom"
            onSubmit={(event) => {
              event.preventDefault();
              if (!invalid) navigate({ ...state, from, to });
            }}
          >
            <label>
              {t("range.from")}
              <input type="date" name="from" value={from} max={to || undefined} required onInput={(event) => setFrom(event.currentTarget.value)} />
            </label>
            <label>
              {t("range.to")}
              <input type="date" name="to" value={to} min={from || undefined} required onInput={(event) => setTo(event.currentTarget.value)} />
            </label>
            <button type="submit" class="button button-primary" disabled={invalid} data-testid="range-apply">
              {t("range.apply")}
            </button>
            {from && to && from > to ? <span class="rp-hint-error">{t("range.invalid")}</span> : null}
          </form>
        ) : null}
        <div class="rp-period" data-testid="period">
          <strong>{formatDays(state.from, state.to, locale)}</strong>
          <span class="rp-muted">{t("range.timeZone", { zone: config.time_zone })}</span>
        </div>
      </div>
      <div class="rp-toolbar-row rp-filters">
        {FILTERS.map((name) => (
          <MultiSelect
            key={name}
            id={name}
            label={t(`filter.${name}`)}
            options={optionsOf(name, lists)}
            selected={state.filters[name]}
            onChange={(values) => navigate({ ...state, filters: { ...state.filters, [name]: values } })}
          />
        ))}
        {hasFilters(state.filters) ? (
          <button type="button" class="rp-link-button" data-testid="filters-clear" onClick={() => navigate({ ...state, filters: emptyFilters() })}>
            {t("filter.clear")}
          </button>
        ) : null}
      </div>
    </div>
  );
}
