/** The dashboard: header, toolbar, then the overview, the charts, the breakdown, the heat map
 * and the live view. The view's state lives in the address bar (state.ts). */

import { useEffect, useMemo, useState } from "preact/hooks";

import { errorMessage, type ReportsApi } from "../api";
import { getLocale, type Locale, setLocale, t } from "../i18n";
import { LOCALE_KEY, LOCALES } from "../../shared/locale";
import { decodeState, encodeState, reportParams, todayIn, type ViewState } from "../state";
import type { ReportsConfig, Summary } from "../types";
import { Breakdown } from "./Breakdown";
import { Charts } from "./Charts";
import { CsvLink, ErrorNote, Section, useReport } from "./common";
import { DashboardContext, useDashboard } from "./context";
import { Heatmap } from "./Heatmap";
import { Live } from "./Live";
import { Overview } from "./Overview";
import { type FilterOptions, Toolbar } from "./Toolbar";

const NO_LISTS: FilterOptions = { team: [], inbox: [], operator: [], label: [] };

function useFilterLists(api: ReportsApi): { lists: FilterOptions; error: string | null } {
  const [lists, setLists] = useState<FilterOptions>(NO_LISTS);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const controller = new AbortController();
    Promise.all([api.list("teams", controller.signal), api.list("inboxes", controller.signal), api.list("operators", controller.signal), api.list("labels", controller.signal)])
      .then(([team, inbox, operator, label]) => setLists({ team, inbox, operator, label }))
      .catch((failure: unknown) => {
        if (!controller.signal.aborted) setError(errorMessage(failure));
      });
    return () => controller.abort();
  }, [api]);
  return { lists, error };
}

function OverviewSection({ state }: { state: ViewState }) {
  const { api } = useDashboard();
  const params = reportParams(state);
  const loaded = useReport<Summary>("reports/summary", params.toString());
  return (
    <Section id="overview" title={t("overview.title")} busy={loaded.loading} actions={<CsvLink href={api.csvUrl("reports/summary", params)} what={t("overview.title")} testId="csv-summary" />}>
      {loaded.error ? <ErrorNote message={loaded.error} /> : null}
      <Overview summary={loaded.error ? null : loaded.data} loading={loaded.loading} />
    </Section>
  );
}

export function App({ config, api, storage }: { config: ReportsConfig; api: ReportsApi; storage: Storage | null }) {
  const today = todayIn(config.time_zone);
  const [state, setState] = useState<ViewState>(() => decodeState(location.search, today));
  const [locale, setLocaleState] = useState<Locale>(getLocale());
  const { lists, error: listError } = useFilterLists(api);

  useEffect(() => {
    const onPop = () => setState(decodeState(location.search, todayIn(config.time_zone)));
    window.addEventListener("popstate", onPop);
    return () => window.removeEventListener("popstate", onPop);
  }, [config.time_zone]);

  const navigate = (next: ViewState) => {
    const search = encodeState(next);
    const normal = decodeState(search, today);
    if (search !== location.search) history.pushState(null, "", `${location.pathname}${search}`);
    setState(normal);
  };

  const chooseLocale = (next: Locale) => {
    setLocale(next);
    try {
      storage?.setItem(LOCALE_KEY, next);
    } catch {
      // a browser that refuses storage keeps the choice for this page only
    }
    document.documentElement.lang = next;
    document.title = `${t("app.title")} · ${t("app.brand")}`;
    setLocaleState(next);
  };

  const dashboard = useMemo(() => ({ api, config, locale }), [api, config, locale]);

  return (
    <DashboardContext.Provider value={dashboard}>
      <div class="rp-app" lang={locale}>
        <header class="rp-header">
          <div class="rp-brand">
            <span class="brand-mark" aria-hidden="true">
              H
            </span>
            <span>{t("app.brand")}</span>
          </div>
          <h1>{t("app.title")}</h1>
          <nav class="rp-header-nav" aria-label={t("app.title")}>
            <div class="rp-segmented" role="group" aria-label={t("app.language")}>
              {LOCALES.map((name) => (
                <button type="button" key={name} class={locale === name ? "active" : ""} aria-pressed={locale === name} data-testid={`locale-${name}`} onClick={() => chooseLocale(name)}>
                  {t(name === "en" ? "locale.en" : "locale.ru")}
                </button>
              ))}
            </div>
            <a class="button" href={config.urls.console}>
              {t("app.console")}
            </a>
            <span class="rp-me">{config.me.name}</span>
          </nav>
        </header>
        <main class="rp-main">
          <Toolbar state={state} today={today} lists={lists} navigate={navigate} />
          {listError ? <ErrorNote message={listError} /> : null}
          <OverviewSection state={state} />
          <Charts state={state} navigate={navigate} />
          <Breakdown state={state} navigate={navigate} />
          <div class="rp-columns">
            <Heatmap state={state} />
            <Live filters={state.filters} teams={lists.team} />
          </div>
        </main>
      </div>
    </DashboardContext.Provider>
  );
}
