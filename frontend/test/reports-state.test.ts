import { describe, expect, it } from "vitest";

import { activePreset, addDays, chartInterval, dayCount, decodeState, emptyFilters, encodeState, presetRange, reportParams, todayIn, type ViewState } from "../src/reports/state";

const TODAY = "2026-11-20";

function state(overrides: Partial<ViewState> = {}): ViewState {
  return { from: "2026-11-14", to: TODAY, filters: emptyFilters(), by: "operator", metric: "first_response_median", interval: "auto", ...overrides };
}

describe("the dashboard's address", () => {
  it("defaults to the last 7 days, by operator, the first response's median", () => {
    expect(decodeState("", TODAY)).toEqual(state());
    expect(activePreset(decodeState("", TODAY), TODAY)).toBe("7d");
  });

  it("round-trips a state with filters, breakdown, metric and interval", () => {
    const filters = { ...emptyFilters(), team: ["3", "12"], channel: ["telegram", "web"], label: ["7"] };
    const chosen = state({ from: "2026-10-01", to: "2026-10-31", filters, by: "label", metric: "csat_average", interval: "week" });
    const search = encodeState(chosen);
    expect(search).toBe("?from=2026-10-01&to=2026-10-31&team=3&team=12&channel=telegram&channel=web&label=7&by=label&metric=csat_average&interval=week");
    expect(decodeState(search, TODAY)).toEqual(chosen);
  });

  it("always writes the period, so a shared link shows the same days tomorrow", () => {
    expect(encodeState(state())).toBe("?from=2026-11-14&to=2026-11-20");
  });

  it("drops what it does not understand and sorts and dedupes the filters", () => {
    const decoded = decodeState("?team=5&team=x&team=5&team=2&channel=fax&channel=email&by=planet&metric=nope&interval=year&from=2026-02-30", TODAY);
    expect(decoded.filters.team).toEqual(["2", "5"]);
    expect(decoded.filters.channel).toEqual(["email"]);
    expect(decoded.by).toBe("operator");
    expect(decoded.metric).toBe("first_response_median");
    expect(decoded.interval).toBe("auto");
    expect(decoded.from).toBe("2026-11-14");
  });

  it("keeps a period whose days are in the wrong order, for the API to say so", () => {
    const decoded = decodeState("?from=2026-11-03&to=2026-11-02", TODAY);
    expect([decoded.from, decoded.to]).toEqual(["2026-11-03", "2026-11-02"]);
  });

  it("gives the API the period and the filters only", () => {
    const params = reportParams(state({ filters: { ...emptyFilters(), operator: ["9"] }, by: "team" }));
    expect(params.toString()).toBe("from=2026-11-14&to=2026-11-20&operator=9");
  });
});

describe("periods", () => {
  it("counts presets back from today, today included", () => {
    expect(presetRange("today", TODAY)).toEqual({ from: TODAY, to: TODAY });
    expect(presetRange("30d", TODAY)).toEqual({ from: "2026-10-22", to: TODAY });
    expect(presetRange("90d", "2026-03-01")).toEqual({ from: "2025-12-02", to: "2026-03-01" });
    expect(activePreset({ from: "2026-10-22", to: TODAY }, TODAY)).toBe("30d");
    expect(activePreset({ from: "2026-10-23", to: TODAY }, TODAY)).toBeNull();
  });

  it("adds and counts days across months and leap years", () => {
    expect(addDays("2028-02-28", 1)).toBe("2028-02-29");
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
    expect(dayCount("2026-11-02", "2026-11-03")).toBe(2);
    expect(dayCount("2026-03-28", "2026-03-30")).toBe(3);
  });

  it("knows today in the report's time zone, not this machine's", () => {
    const late = new Date("2026-11-20T22:30:00Z");
    expect(todayIn("Europe/Moscow", late)).toBe("2026-11-21");
    expect(todayIn("America/New_York", late)).toBe("2026-11-20");
  });

  it("charts hours for a day, days up to three months, weeks beyond", () => {
    expect(chartInterval(state({ from: TODAY }))).toBe("hour");
    expect(chartInterval(state())).toBe("day");
    expect(chartInterval(state({ from: "2026-08-01" }))).toBe("week");
    expect(chartInterval(state({ interval: "week" }))).toBe("week");
    expect(chartInterval(state({ from: "2026-09-01", interval: "hour" }))).toBe("day");
  });
});
