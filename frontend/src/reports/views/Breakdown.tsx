/** The figures per operator, team, channel, inbox or label (tabs), sortable by any column. */

import { useState } from "preact/hooks";

import { figure, figureLabel, MAIN_METRICS, type MainMetric, shortLabel } from "../figures";
import { formatValue } from "../format";
import { channelLabel, t } from "../i18n";
import { BREAKDOWNS, type By, reportParams, type ViewState } from "../state";
import type { BreakdownRow, Results } from "../types";
import { CsvLink, ErrorNote, Section, useReport } from "./common";
import { useDashboard } from "./context";

type Column = "name" | MainMetric;
export interface Sort {
  column: Column;
  descending: boolean;
}

function nameOf(row: BreakdownRow): string {
  return row.key.name;
}

/** The rows in `sort`'s order; rows without a value (a median of nothing) last either way. */
export function sortRows(rows: BreakdownRow[], sort: Sort, locale: string): BreakdownRow[] {
  const sign = sort.descending ? -1 : 1;
  if (sort.column === "name") return [...rows].sort((a, b) => sign * nameOf(a).localeCompare(nameOf(b), locale));
  const read = figure(sort.column).read;
  return [...rows].sort((a, b) => {
    const x = read(a);
    const y = read(b);
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
    return sign * (x - y) || nameOf(a).localeCompare(nameOf(b), locale);
  });
}

function Tabs({ by, onChoose }: { by: By; onChoose(by: By): void }) {
  const focusTab = (index: number) => {
    const next = BREAKDOWNS[(index + BREAKDOWNS.length) % BREAKDOWNS.length];
    onChoose(next);
    requestAnimationFrame(() => document.getElementById(`tab-${next}`)?.focus());
  };
  return (
    <div class="rp-tabs" role="tablist" aria-label={t("breakdown.by")}>
      {BREAKDOWNS.map((name, index) => (
        <button
          type="button"
          role="tab"
          key={name}
          id={`tab-${name}`}
          aria-selected={by === name}
          aria-controls="breakdown-panel"
          tabIndex={by === name ? 0 : -1}
          class={by === name ? "active" : ""}
          data-testid={`tab-${name}`}
          onClick={() => onChoose(name)}
          onKeyDown={(event) => {
            if (event.key === "ArrowRight") focusTab(index + 1);
            else if (event.key === "ArrowLeft") focusTab(index - 1);
          }}
        >
          {t(`breakdown.${name}`)}
        </button>
      ))}
    </div>
  );
}

export function Breakdown({ state, navigate }: { state: ViewState; navigate(next: ViewState): void }) {
  const { api, config, locale } = useDashboard();
  const params = reportParams(state);
  params.set("by", state.by);
  const query = params.toString();
  const loaded = useReport<Results<BreakdownRow>>("reports/breakdown", query);
  const [sort, setSort] = useState<Sort>({ column: "conversations", descending: true });
  const rows = loaded.data ? sortRows(loaded.data.results, sort, locale) : [];
  const columns: Column[] = ["name", ...MAIN_METRICS];

  const header = (column: Column) => {
    const active = sort.column === column;
    const label = column === "name" ? t("breakdown.name") : t(shortLabel(column));
    return (
      <th
        scope="col"
        key={column}
        class={column === "name" ? "" : "num"}
        aria-sort={active ? (sort.descending ? "descending" : "ascending") : undefined}
        title={column === "name" ? undefined : t(figureLabel(column))}
      >
        <button
          type="button"
          class="rp-sort"
          data-testid={`sort-${column}`}
          onClick={() => setSort({ column, descending: active ? !sort.descending : column !== "name" })}
        >
          {label}
          <span class="rp-sort-mark" aria-hidden="true">
            {active ? (sort.descending ? "▼" : "▲") : "↕"}
          </span>
        </button>
      </th>
    );
  };

  return (
    <Section
      id="breakdown"
      title={t("breakdown.title")}
      busy={loaded.loading}
      actions={<CsvLink href={api.csvUrl("reports/breakdown", params)} what={t(`breakdown.${state.by}`)} testId="csv-breakdown" />}
    >
      <Tabs by={state.by} onChoose={(by) => navigate({ ...state, by })} />
      <div id="breakdown-panel" role="tabpanel" aria-labelledby={`tab-${state.by}`} class="rp-table-wrap">
        {loaded.error ? <ErrorNote message={loaded.error} /> : null}
        {loaded.data && rows.length === 0 ? <p class="rp-empty">{t("breakdown.empty")}</p> : null}
        {rows.length > 0 ? (
          <table class="rp-table" data-testid="breakdown-table">
            <caption class="sr-only">{t(`breakdown.${state.by}`)}</caption>
            <thead>
              <tr>{columns.map(header)}</tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={String(row.key.id)} data-testid="breakdown-row">
                  <th scope="row">{state.by === "channel" ? channelLabel(String(row.key.id), row.key.name) : row.key.name}</th>
                  {MAIN_METRICS.map((metric) => {
                    const spec = figure(metric);
                    return (
                      <td class="num" key={metric} data-metric={metric}>
                        {formatValue(spec.kind, spec.read(row), locale, config.currency)}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        {!loaded.data && !loaded.error ? <div class="rp-table-placeholder rp-skeleton" /> : null}
      </div>
    </Section>
  );
}

