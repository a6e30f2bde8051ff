/** What the dashboard shows, kept in the address bar's query string so that a reload, a shared
 * link and back/forward give the same view: the period, the filters, the breakdown, the
 * chart's metric and interval. Pure: dates are `YYYY-MM-DD` strings, "today" is passed in. */

import { CHART_METRICS } from "./figures";

export const FILTERS = ["team", "inbox", "channel", "operator", "label"] as const;
export type FilterName = (typeof FILTERS)[number];
export type Filters = Record<FilterName, string[]>;

export const CHANNELS = ["web", "telegram", "email", "api"];

export const BREAKDOWNS = ["operator", "team", "channel", "inbox", "label"] as const;
export type By = (typeof BREAKDOWNS)[number];

export const INTERVALS = ["auto", "day", "week", "hour"] as const;
export type Interval = (typeof INTERVALS)[number];

export const PRESETS = ["today", "7d", "30d", "90d"] as const;
export type Preset = (typeof PRESETS)[number];
const PRESET_DAYS: Record<Preset, number> = { today: 1, "7d": 7, "30d": 30, "90d": 90 };

/** The API's limits (reports/api/params.py). */
export const MAX_DAYS = 366;
export const MAX_HOURLY_DAYS = 31;
const DEFAULT_PRESET: Preset = "7d";
const DEFAULT_BY: By = "operator";
export const DEFAULT_METRIC = "first_response_median";

export interface ViewState {
  from: string;
  to: string;
  filters: Filters;
  by: By;
  metric: string;
  interval: Interval;
}

const DAY = /^2\d{3}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

export function isDay(value: string | null): value is string {
  return value !== null && DAY.test(value) && toDate(value).toISOString().slice(0, 10) === value;
}

function toDate(day: string): Date {
  return new Date(`${day}T00:00:00Z`);
}

export function addDays(day: string, days: number): string {
  const date = toDate(day);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** How many days from `from` to `to`, both included. */
export function dayCount(from: string, to: string): number {
  return Math.round((toDate(to).getTime() - toDate(from).getTime()) / 86_400_000) + 1;
}

/** Today's date in `timeZone`. */
export function todayIn(timeZone: string, now: Date = new Date()): string {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(now);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return `${part("year")}-${part("month")}-${part("day")}`;
}

export function presetRange(preset: Preset, today: string): { from: string; to: string } {
  return { from: addDays(today, 1 - PRESET_DAYS[preset]), to: today };
}

/** The preset the state's period is, if it is one. */
export function activePreset(state: Pick<ViewState, "from" | "to">, today: string): Preset | null {
  return PRESETS.find((preset) => {
    const range = presetRange(preset, today);
    return range.from === state.from && range.to === state.to;
  }) ?? null;
}

export function emptyFilters(): Filters {
  return { team: [], inbox: [], channel: [], operator: [], label: [] };
}

export function hasFilters(filters: Filters): boolean {
  return FILTERS.some((name) => filters[name].length > 0);
}

function filterValues(params: URLSearchParams, name: FilterName): string[] {
  const valid = name === "channel" ? (value: string) => CHANNELS.includes(value) : (value: string) => /^\d{1,18}$/.test(value);
  const values = [...new Set(params.getAll(name).filter(valid))];
  return name === "channel" ? values.sort() : values.sort((a, b) => Number(a) - Number(b));
}

function oneOf<T extends string>(value: string | null, choices: readonly T[], fallback: T): T {
  return value !== null && (choices as readonly string[]).includes(value) ? (value as T) : fallback;
}

/** The state a query string says; what it lacks or gets wrong takes its default. A period
 * given with its days in the wrong order is kept: the API's answer says what is wrong. */
export function decodeState(search: string, today: string): ViewState {
  const params = new URLSearchParams(search);
  const fallback = presetRange(DEFAULT_PRESET, today);
  const to = params.get("to");
  const from = params.get("from");
  const filters = emptyFilters();
  for (const name of FILTERS) filters[name] = filterValues(params, name);
  return {
    from: isDay(from) ? from : isDay(to) ? addDays(to, 1 - 7) : fallback.from,
    to: isDay(to) ? to : fallback.to,
    filters,
    by: oneOf(params.get("by"), BREAKDOWNS, DEFAULT_BY),
    metric: oneOf(params.get("metric"), CHART_METRICS, DEFAULT_METRIC),
    interval: oneOf(params.get("interval"), INTERVALS, "auto"),
  };
}

/** The query string of a state (with its "?"), defaults left out but the period always in. */
export function encodeState(state: ViewState): string {
  const params = reportParams(state);
  if (state.by !== DEFAULT_BY) params.set("by", state.by);
  if (state.metric !== DEFAULT_METRIC) params.set("metric", state.metric);
  if (state.interval !== "auto") params.set("interval", state.interval);
  return `?${params.toString()}`;
}

/** The reports API's parameters of a state: the period and the filters. */
export function reportParams(state: Pick<ViewState, "from" | "to" | "filters">): URLSearchParams {
  const params = new URLSearchParams({ from: state.from, to: state.to });
  return withFilters(params, state.filters);
}

/** `params` with the filters added (the live view takes the filters without a period). */
export function withFilters(params: URLSearchParams, filters: Filters): URLSearchParams {
  for (const name of FILTERS) for (const value of filters[name]) params.append(name, value);
  return params;
}

/** The interval a chart uses: the chosen one, or by the period's length (hours for a day,
 * weeks past three months); hours only for a period the API allows them for. */
export function chartInterval(state: Pick<ViewState, "from" | "to" | "interval">): "day" | "week" | "hour" {
  const days = dayCount(state.from, state.to);
  if (state.interval === "hour") return days <= MAX_HOURLY_DAYS ? "hour" : "day";
  if (state.interval !== "auto") return state.interval;
  return days === 1 ? "hour" : days > 92 ? "week" : "day";
}
