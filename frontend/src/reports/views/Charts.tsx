/** The charts over time: conversations, resolves and replies together; and one figure picked
 * from the rest (the first response's median unless told). */

import { useMemo } from "preact/hooks";

import { CHART_METRICS, figure, figureLabel, shortLabel } from "../figures";
import { formatPointStart } from "../format";
import { type Locale, t } from "../i18n";
import { chartInterval, dayCount, INTERVALS, type Interval, MAX_HOURLY_DAYS, reportParams, type ViewState } from "../state";
import type { Point, Results } from "../types";
import { Chart, type ChartSeries } from "./Chart";
import { CsvLink, ErrorNote, Section, useReport } from "./common";
import { useDashboard } from "./context";

const VOLUME = [
  { metric: "conversations", color: "#1476d6" },
  { metric: "resolved", color: "#17834a" },
  { metric: "replies", color: "#955f00" },
] as const;
const PICKED_COLOR = "#7b3fc4";

function seriesQuery(state: ViewState, metric: string, interval: string): string {
  const params = reportParams(state);
  params.set("metric", metric);
  params.set("interval", interval);
  return params.toString();
}

function useSeries(state: ViewState, metric: string, interval: string) {
  return useReport<Results<Point>>("reports/timeseries", seriesQuery(state, metric, interval));
}

function pointLabels(points: Point[], interval: "day" | "week" | "hour", timeZone: string, locale: Locale, days: number): string[] {
  return points.map((point) => {
    const start = formatPointStart(point.start, interval, timeZone, locale, days > 1);
    return interval === "week" ? t("interval.weekOf", { day: start }) : start;
  });
}

/** The values of `points` for each of `labels` (answers of an older question may differ in
 * length for a moment: uPlot needs the lengths equal). */
function valuesFor(labels: string[], points: Point[] | undefined): (number | null)[] {
  return labels.map((_label, index) => points?.[index]?.value ?? null);
}

function isEmpty(series: ChartSeries[]): boolean {
  return series.every((line) => line.values.every((value) => value === null || value === 0));
}

export function Charts({ state, navigate }: { state: ViewState; navigate(next: ViewState): void }) {
  const { api, config, locale } = useDashboard();
  const interval = chartInterval(state);
  const days = dayCount(state.from, state.to);
  const volume = VOLUME.map(({ metric }) => useSeries(state, metric, interval));
  const picked = useSeries(state, state.metric, interval);
  const volumeKey = JSON.stringify(volume.map((loaded) => loaded.data));
  const pickedKey = JSON.stringify(picked.data);

  const volumeChart = useMemo(() => {
    const labels = pointLabels(volume[0].data?.results ?? [], interval, config.time_zone, locale, days);
    const series = VOLUME.map(({ metric, color }, index) => ({
      label: t(figureLabel(metric)),
      color,
      values: valuesFor(labels, volume[index].data?.results),
    }));
    return { labels, series };
  }, [volumeKey, locale]);
  const pickedChart = useMemo(() => {
    const labels = pointLabels(picked.data?.results ?? [], interval, config.time_zone, locale, days);
    const series = [{ label: t(figureLabel(state.metric)), color: PICKED_COLOR, values: valuesFor(labels, picked.data?.results) }];
    return { labels, series };
  }, [pickedKey, locale]);
  const error = volume.find((loaded) => loaded.error)?.error ?? picked.error;
  const loading = volume.some((loaded) => loaded.loading) || picked.loading;
  const volumeReady = volume.every((loaded) => loaded.data);
  const csv = (metric: string) => api.csvUrl("reports/timeseries", new URLSearchParams(seriesQuery(state, metric, interval)));

  return (
    <Section
      id="charts"
      title={t("charts.title")}
      busy={loading}
      actions={
        <label class="rp-inline-field">
          {t("charts.interval")}
          <select value={state.interval} data-testid="interval" onChange={(event) => navigate({ ...state, interval: event.currentTarget.value as Interval })}>
            {INTERVALS.map((name) => (
              <option key={name} value={name} disabled={name === "hour" && days > MAX_HOURLY_DAYS}>
                {t(`interval.${name}`)}
              </option>
            ))}
          </select>
        </label>
      }
    >
      {error ? <ErrorNote message={error} /> : null}
      <div class="rp-chart-grid">
        <div class="rp-chart-card">
          <div class="rp-chart-head">
            <h3>{t("charts.volume")}</h3>
            <div class="rp-csv-group" role="group" aria-label={t("csv.download")}>
              <span class="rp-csv-title" aria-hidden="true">
                {t("csv.download")}:
              </span>
              {VOLUME.map(({ metric }) => (
                <CsvLink key={metric} href={csv(metric)} what={t(figureLabel(metric))} text={t(shortLabel(metric))} testId={`csv-timeseries-${metric}`} />
              ))}
            </div>
          </div>
          {volumeReady && isEmpty(volumeChart.series) ? <p class="rp-empty">{t("charts.empty")}</p> : null}
          {volumeReady ? <Chart id="volume" title={t("charts.volume")} {...volumeChart} kind="count" /> : <div class="rp-chart-placeholder rp-skeleton" />}
        </div>
        <div class="rp-chart-card">
          <div class="rp-chart-head">
            <label class="rp-inline-field">
              <span class="sr-only">{t("charts.metric")}</span>
              <select value={state.metric} data-testid="metric" onChange={(event) => navigate({ ...state, metric: event.currentTarget.value })}>
                {CHART_METRICS.map((metric) => (
                  <option key={metric} value={metric}>
                    {t(figureLabel(metric))}
                  </option>
                ))}
              </select>
            </label>
            <CsvLink href={csv(state.metric)} what={t(figureLabel(state.metric))} testId="csv-timeseries-picked" />
          </div>
          {picked.data && isEmpty(pickedChart.series) ? <p class="rp-empty">{t("charts.empty")}</p> : null}
          {picked.data ? (
            <Chart id="metric" title={t(figureLabel(state.metric))} {...pickedChart} kind={figure(state.metric).kind} />
          ) : (
            <div class="rp-chart-placeholder rp-skeleton" />
          )}
        </div>
      </div>
    </Section>
  );
}
