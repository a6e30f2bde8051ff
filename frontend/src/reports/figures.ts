/** The figures the dashboard shows: how each is read from a report, how it is formatted, and
 * which way is better (a faster first response is). */

import type { Key } from "./i18n";
import type { Figures } from "./types";

export type Kind = "count" | "duration" | "rating" | "share" | "money";
export type Better = "up" | "down";

export interface Figure {
  /** The metric's name in the API (`reports.figures.METRICS`). */
  metric: string;
  kind: Kind;
  better: Better;
  read(figures: Figures): number | null;
}

const count = (metric: string, read: (f: Figures) => number): Figure => ({ metric, kind: "count", better: "up", read });
const duration = (metric: string, read: (f: Figures) => number | null): Figure => ({ metric, kind: "duration", better: "down", read });

export const FIGURES: Figure[] = [
  count("conversations", (f) => f.conversations),
  count("resolved", (f) => f.resolved),
  count("replies", (f) => f.replies),
  duration("first_response_median", (f) => f.first_response_seconds.median),
  duration("first_response_p90", (f) => f.first_response_seconds.p90),
  duration("resolution_median", (f) => f.resolution_seconds.median),
  duration("resolution_p90", (f) => f.resolution_seconds.p90),
  { metric: "csat_average", kind: "rating", better: "up", read: (f) => f.csat.average },
  { metric: "csat_positive_share", kind: "share", better: "up", read: (f) => f.csat.positive_share },
  count("csat_responses", (f) => f.csat.responses),
  count("sales_count", (f) => f.sales.count),
  { metric: "sales_amount", kind: "money", better: "up", read: (f) => Number(f.sales.amount) },
];

export const OUTCOMES = ["solved", "not_solved", "sale", "forwarded", "spam", "none"];

const BY_METRIC = new Map(FIGURES.map((figure) => [figure.metric, figure]));
for (const outcome of OUTCOMES) {
  BY_METRIC.set(`outcomes_${outcome}`, count(`outcomes_${outcome}`, (f) => f.outcomes[outcome] ?? 0));
}

export function figure(metric: string): Figure {
  const found = BY_METRIC.get(metric);
  if (!found) throw new Error(`unknown metric ${metric}`);
  return found;
}

/** The metrics a chart may show, in the picker's order. */
export const CHART_METRICS = [...BY_METRIC.keys()];

/** The overview's cards, and the columns of a breakdown table (after the name). */
export const MAIN_METRICS = [
  "conversations",
  "resolved",
  "replies",
  "first_response_median",
  "first_response_p90",
  "resolution_median",
  "csat_average",
  "csat_positive_share",
  "sales_count",
  "sales_amount",
] as const;

export type MainMetric = (typeof MAIN_METRICS)[number];

export function figureLabel(metric: string): Key {
  return `figure.${metric}` as Key;
}

/** A column header's words. */
export function shortLabel(metric: MainMetric): Key {
  return `short.${metric}`;
}
