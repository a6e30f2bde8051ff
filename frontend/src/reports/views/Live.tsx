/** Now: who waits and for how long (ticking), the longest wait, the operators and their load,
 * open and unassigned conversations. Polled every 5 seconds while the tab is visible. */

import { useEffect, useMemo, useState } from "preact/hooks";

import { errorMessage } from "../api";
import { formatClock, formatCount, formatDuration } from "../format";
import { t } from "../i18n";
import { LivePoller } from "../live";
import { type Filters, withFilters } from "../state";
import type { Live as LiveData, Named } from "../types";
import { CsvLink, ErrorNote, Section, useNow } from "./common";
import { useDashboard } from "./context";

const STATUS_ORDER = ["online", "away", "offline"];

interface Snapshot {
  data: LiveData;
  at: number;
}

function statusLabel(status: string): string {
  return status === "online" ? t("status.online") : status === "away" ? t("status.away") : t("status.offline");
}

export function Live({ filters, teams }: { filters: Filters; teams: Named[] }) {
  const { api, config, locale } = useDashboard();
  const query = withFilters(new URLSearchParams(), filters).toString();
  const [snapshot, setSnapshot] = useState<Snapshot | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [paused, setPaused] = useState(document.hidden);
  const now = useNow(1000);

  const poller = useMemo(
    () =>
      new LivePoller(async () => {
        try {
          const data = await api.get<LiveData>("reports/live", new URLSearchParams(query));
          setSnapshot({ data, at: Date.now() });
          setError(null);
        } catch (failure) {
          setError(errorMessage(failure));
        }
      }, document),
    [api, query],
  );
  useEffect(() => {
    const onVisibility = () => setPaused(document.hidden);
    document.addEventListener("visibilitychange", onVisibility);
    poller.start();
    return () => {
      poller.stop();
      document.removeEventListener("visibilitychange", onVisibility);
    };
  }, [poller]);

  const data = snapshot?.data ?? null;
  const elapsed = snapshot ? Math.max(0, (now - snapshot.at) / 1000) : 0;
  const teamName = (id: number | null) => (id === null ? t("live.noTeam") : (teams.find((team) => team.id === id)?.name ?? `#${id}`));
  const operators = data ? [...data.operators].sort((a, b) => STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status) || a.name.localeCompare(b.name, locale)) : [];
  const online = operators.filter((operator) => operator.status === "online").length;
  const csv = (table: string) => api.csvUrl("reports/live", new URLSearchParams(query), { table });

  const stats: [string, string, string][] = data
    ? [
        ["waiting", t("live.waiting"), formatCount(data.waiting.length, locale)],
        ["longest", t("live.longest"), data.longest_wait_seconds === null ? t("value.none") : formatDuration(data.longest_wait_seconds + elapsed, locale)],
        ["open", t("live.open"), formatCount(data.open, locale)],
        ["unassigned", t("live.unassigned"), formatCount(data.unassigned, locale)],
        ["online", t("live.online"), formatCount(online, locale)],
      ]
    : [];

  return (
    <Section
      id="live"
      title={t("live.title")}
      actions={
        <button type="button" class="button" data-testid="live-refresh" onClick={() => void poller.refresh()}>
          {t("live.refresh")}
        </button>
      }
    >
      <p class="rp-muted rp-hint" data-testid="live-updated">
        {paused ? t("live.paused") : snapshot ? t("live.updated", { time: formatClock(snapshot.at, locale) }) : t("app.loading")}
      </p>
      {error ? <ErrorNote message={error} /> : null}
      <div class="rp-live-stats">
        {stats.map(([id, label, value]) => (
          <div class="rp-stat" key={id} data-testid={`live-stat-${id}`}>
            <div class="rp-stat-value">{value}</div>
            <div class="rp-stat-label">{label}</div>
          </div>
        ))}
      </div>
      {data ? (
        <div class="rp-live-tables">
          <div class="rp-live-table">
            <div class="rp-chart-head">
              <h3>{t("live.waitingTable")}</h3>
              <CsvLink href={csv("waiting")} what={t("live.waitingTable")} testId="csv-live-waiting" />
            </div>
            {data.waiting.length === 0 ? (
              <p class="rp-empty">{t("live.nobodyWaits")}</p>
            ) : (
              <table class="rp-table" data-testid="live-waiting">
                <thead>
                  <tr>
                    <th scope="col">{t("live.conversation")}</th>
                    <th scope="col">{t("live.team")}</th>
                    <th scope="col" class="num">{t("live.position")}</th>
                    <th scope="col" class="num">{t("live.waited")}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.waiting.map((row) => (
                    <tr key={row.conversation} data-testid="waiting-row">
                      <th scope="row">
                        <a href={`${config.urls.console}#folder=all&conversation=${row.conversation}`}>#{row.conversation}</a>
                      </th>
                      <td>{teamName(row.team)}</td>
                      <td class="num">{formatCount(row.queue_position, locale)}</td>
                      <td class="num" data-testid="waited">{formatDuration(row.waiting_seconds + elapsed, locale)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </div>
          <div class="rp-live-table">
            <div class="rp-chart-head">
              <h3>{t("live.operatorsTable")}</h3>
              <CsvLink href={csv("operators")} what={t("live.operatorsTable")} testId="csv-live-operators" />
            </div>
            {operators.length === 0 ? (
              <p class="rp-empty">{t("live.noOperators")}</p>
            ) : (
              <table class="rp-table" data-testid="live-operators">
                <thead>
                  <tr>
                    <th scope="col">{t("live.operator")}</th>
                    <th scope="col">{t("live.status")}</th>
                    <th scope="col">{t("live.load")}</th>
                  </tr>
                </thead>
                <tbody>
                  {operators.map((operator) => (
                    <tr key={operator.id} data-testid="operator-row" data-status={operator.status}>
                      <th scope="row">{operator.name}</th>
                      <td>
                        <span class={`rp-dot ${operator.status}`} aria-hidden="true" />
                        {statusLabel(operator.status)}
                      </td>
                      <td>
                        <div class="rp-load">
                          <meter min={0} max={Math.max(1, operator.max_chats)} value={operator.open} aria-label={`${t("live.load")}: ${operator.name}`} />
                          <span>{t("live.loadValue", { open: operator.open, max: operator.max_chats })}</span>
                        </div>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </div>
        </div>
      ) : null}
    </Section>
  );
}
