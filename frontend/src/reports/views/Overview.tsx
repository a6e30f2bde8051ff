/** The overview's cards: each figure of the period with its change against the period of equal
 * length just before, an arrow, and whether that is for the better. */

import { change, type Change, formatDays, formatRatio, formatValue } from "../format";
import { figure, figureLabel, MAIN_METRICS } from "../figures";
import { t } from "../i18n";
import type { Summary } from "../types";
import { useDashboard } from "./context";

function ChangeLine({ delta }: { delta: Change }) {
  const { locale } = useDashboard();
  const verdict = delta.good === null ? "" : `, ${t(delta.good ? "change.good" : "change.bad")}`;
  let words: string;
  let arrow = "";
  switch (delta.direction) {
    case "up":
    case "down":
      words = t(delta.direction === "up" ? "change.up" : "change.down", { percent: formatRatio(Math.abs(delta.ratio ?? 0), locale) });
      arrow = delta.direction === "up" ? "▲" : "▼";
      break;
    case "new":
      words = t("change.new");
      break;
    case "flat":
      words = t("change.flat");
      break;
    default:
      words = t("change.none");
  }
  const tone = delta.good === null ? "neutral" : delta.good ? "good" : "bad";
  return (
    <div class={`rp-change ${tone}`} data-testid="change" data-direction={delta.direction} data-tone={tone}>
      {arrow ? <span aria-hidden="true">{arrow} </span> : null}
      <span aria-hidden="true">{delta.ratio !== null && delta.ratio !== 0 ? formatRatio(delta.ratio, locale) : words}</span>
      <span class="sr-only">
        {words}
        {verdict}, {t("change.against")}
      </span>
    </div>
  );
}

export function Overview({ summary, loading }: { summary: Summary | null; loading: boolean }) {
  const { config, locale } = useDashboard();
  return (
    <div class="rp-cards" aria-busy={loading ? "true" : undefined}>
      {MAIN_METRICS.map((metric) => {
        const spec = figure(metric);
        const current = summary ? spec.read(summary) : null;
        const previous = summary ? spec.read(summary.previous) : null;
        return (
          <div class={`rp-card${summary ? "" : " rp-skeleton"}`} key={metric} data-testid={`card-${metric}`}>
            <div class="rp-card-label">{t(figureLabel(metric))}</div>
            <div class="rp-card-value" data-testid={`card-${metric}-value`}>
              {summary ? formatValue(spec.kind, current, locale, config.currency) : t("app.loading")}
            </div>
            {summary ? <ChangeLine delta={change(current, previous, spec.better)} /> : null}
          </div>
        );
      })}
      {summary ? (
        <p class="rp-cards-note rp-muted">{t("overview.previous", { period: formatDays(summary.previous.period.from, summary.previous.period.to, locale) })}</p>
      ) : null}
    </div>
  );
}

