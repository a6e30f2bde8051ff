/** What every view reads: the API client, the bootstrap data, the language. */

import { createContext } from "preact";
import { useContext } from "preact/hooks";

import type { ReportsApi } from "../api";
import type { Locale } from "../i18n";
import type { ReportsConfig } from "../types";

export interface Dashboard {
  api: ReportsApi;
  config: ReportsConfig;
  locale: Locale;
}

export const DashboardContext = createContext<Dashboard | null>(null);

export function useDashboard(): Dashboard {
  const dashboard = useContext(DashboardContext);
  if (!dashboard) throw new Error("no DashboardContext");
  return dashboard;
}
