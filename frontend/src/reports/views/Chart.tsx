/** A chart over time (uPlot, on a canvas) with, for screen readers, the same values as a table.
 * The x axis counts the intervals of the period; their names come from Intl in the report's
 * time zone, so the chart reads the same whatever this browser's zone. */

import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";

import type { Kind } from "../figures";
import { formatValue } from "../format";
import { t } from "../i18n";
import { useDashboard } from "./context";

export interface ChartSeries {
  label: string;
  color: string;
  values: (number | null)[];
}

const HEIGHT = 240;
const AXIS = "#526173";
const GRID = "#eef1f5";

function powersOf(steps: number[], from: number, to: number): number[] {
  const out: number[] = [];
  for (let power = from; power <= to; power += 1) for (const step of steps) out.push(step * 10 ** power);
  return out;
}

/** The y axis' steps: whole numbers for counts and money, round durations. */
function yIncrs(kind: Kind): number[] | undefined {
  switch (kind) {
    case "count":
    case "money":
      return powersOf([1, 2, 5], 0, 9);
    case "duration":
      return [1, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400, 172_800, 604_800];
    default:
      return undefined;
  }
}

export function Chart({ id, title, labels, series, kind }: { id: string; title: string; labels: string[]; series: ChartSeries[]; kind: Kind }) {
  const { config, locale } = useDashboard();
  const holder = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const node = holder.current;
    if (!node) return;
    const show = (value: number | null) => formatValue(kind, value, locale, config.currency);
    const options: uPlot.Options = {
      width: Math.max(280, node.clientWidth),
      height: HEIGHT,
      scales: {
        x: { time: false },
        y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] },
      },
      axes: [
        {
          stroke: AXIS,
          grid: { show: false },
          incrs: [1, 2, 3, 7, 14, 28, 56],
          values: (_u, splits) => splits.map((index) => (Number.isInteger(index) ? (labels[index] ?? "") : "")),
        },
        {
          stroke: AXIS,
          grid: { stroke: GRID },
          size: 92,
          incrs: yIncrs(kind),
          values: (_u, splits) => splits.map((value) => show(value)),
        },
      ],
      series: [
        { label: t("charts.when"), value: (_u, index) => (index === null ? "" : (labels[index] ?? "")) },
        ...series.map((line) => ({
          label: line.label,
          stroke: line.color,
          width: 2,
          fill: `${line.color}1a`,
          points: { show: labels.length <= 45, size: 5 },
          spanGaps: false,
          value: (_u: uPlot, value: number | null) => show(value),
        })),
      ],
      legend: { show: true, live: true },
      cursor: { drag: { x: false, y: false } },
    };
    const data: uPlot.AlignedData = [labels.map((_label, index) => index), ...series.map((line) => line.values)];
    const plot = new uPlot(options, data, node);
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(280, node.clientWidth), height: HEIGHT }));
    resize.observe(node);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [labels, series, kind, locale, config.currency]);

  return (
    <figure class="rp-chart" data-testid={`chart-${id}`}>
      <div class="rp-chart-plot" ref={holder} aria-hidden="true" />
      <table class="sr-only" data-testid={`chart-${id}-table`}>
        <caption>{title}</caption>
        <thead>
          <tr>
            <th scope="col">{t("charts.when")}</th>
            {series.map((line) => (
              <th scope="col" key={line.label}>
                {line.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {labels.map((label, index) => (
            <tr key={index}>
              <th scope="row">{label}</th>
              {series.map((line) => (
                <td key={line.label}>{formatValue(kind, line.values[index] ?? null, locale, config.currency)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
