/** Conversations created by weekday (Monday first) and hour in the report's time zone: a grid
 * of cells shaded by count, each named for screen readers, with a legend. */

import { formatCount, formatHour, weekdayNames } from "../format";
import { heatLegend, heatLevel, heatMax } from "../heatmap";
import { t, tn } from "../i18n";
import { reportParams, type ViewState } from "../state";
import { CsvLink, ErrorNote, Section, useReport } from "./common";
import { useDashboard } from "./context";

const HOURS = Array.from({ length: 24 }, (_, hour) => hour);

export function Heatmap({ state }: { state: ViewState }) {
  const { api, config, locale } = useDashboard();
  const params = reportParams(state);
  const loaded = useReport<{ results: number[][] }>("reports/heatmap", params.toString());
  const grid = loaded.data?.results ?? null;
  const max = grid ? heatMax(grid) : 0;
  const shortDays = weekdayNames(locale, "short");
  const longDays = weekdayNames(locale, "long");

  return (
    <Section
      id="heatmap"
      title={t("heatmap.title")}
      busy={loaded.loading}
      actions={<CsvLink href={api.csvUrl("reports/heatmap", params)} what={t("heatmap.title")} testId="csv-heatmap" />}
    >
      <p class="rp-muted rp-hint">{t("heatmap.hint", { zone: config.time_zone })}</p>
      {loaded.error ? <ErrorNote message={loaded.error} /> : null}
      {grid && max === 0 ? <p class="rp-empty">{t("heatmap.empty")}</p> : null}
      {grid ? (
        <div class="rp-heat-scroll">
          <div class="rp-heat" data-testid="heatmap" role="group" aria-label={t("heatmap.title")}>
            <span aria-hidden="true" />
            {HOURS.map((hour) => (
              <span class="rp-heat-hour" aria-hidden="true" key={`h${hour}`}>
                {hour % 3 === 0 ? String(hour).padStart(2, "0") : ""}
              </span>
            ))}
            {grid.map((row, day) => [
              <span class="rp-heat-day" aria-hidden="true" key={`d${day}`}>
                {shortDays[day]}
              </span>,
              ...row.map((count, hour) => {
                const label = t("heatmap.cell", { day: longDays[day], from: formatHour(hour), to: formatHour(hour + 1), count: tn("plural.conversations", count) });
                return (
                  <span
                    key={`${day}-${hour}`}
                    class={`rp-heat-cell level-${heatLevel(count, max)}`}
                    role="img"
                    aria-label={label}
                    title={label}
                    data-testid={`heat-${day}-${hour}`}
                    data-count={count}
                  />
                );
              }),
            ])}
          </div>
        </div>
      ) : (
        <div class="rp-heat-placeholder rp-skeleton" />
      )}
      {grid && max > 0 ? (
        <div class="rp-heat-legend" data-testid="heatmap-legend">
          <span>{t("heatmap.less")}</span>
          <ul aria-label={t("heatmap.legend")}>
            {heatLegend(max).map((step) => (
              <li key={step.level}>
                <span class={`rp-heat-cell level-${step.level}`} aria-hidden="true" />
                <span class="rp-legend-range">{step.from === step.to ? formatCount(step.from, locale) : t("heatmap.range", { from: step.from, to: step.to })}</span>
              </li>
            ))}
          </ul>
          <span>{t("heatmap.more")}</span>
        </div>
      ) : null}
    </Section>
  );
}
