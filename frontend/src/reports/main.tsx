/** The reports dashboard's entry point: reads the bootstrap data block of
 * templates/reports.html, picks the language, and renders the app. */

import { render } from "preact";

import { detectLocale, storedLocale } from "../shared/locale";
import { localStorageOrNull, readDataBlock } from "../shared/page";
import { ReportsApi } from "./api";
import { getLocale, setLocale, t } from "./i18n";
import type { ReportsConfig } from "./types";
import { App } from "./views/App";

function boot(): void {
  const config = readDataBlock<ReportsConfig>("reports-config");
  const storage = localStorageOrNull();
  setLocale(detectLocale(navigator.languages ?? [navigator.language], storedLocale(storage)));
  document.documentElement.lang = getLocale();
  document.title = `${t("app.title")} · ${t("app.brand")}`;
  const api = new ReportsApi(
    config.urls.api,
    () => getLocale(),
    undefined,
    () => location.assign(`/login/?next=${encodeURIComponent(location.pathname + location.search)}`),
  );
  const root = document.getElementById("reports-root");
  if (!root) throw new Error("reports-root is missing");
  root.textContent = "";
  render(<App config={config} api={api} storage={storage} />, root);
}

boot();
