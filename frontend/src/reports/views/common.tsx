/** Pieces the sections share: loading a report, the CSV link, the error note, a section's
 * frame, and a clock that ticks. */

import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";

import { errorMessage } from "../api";
import { t } from "../i18n";
import { useDashboard } from "./context";

export interface Loaded<T> {
  data: T | null;
  error: string | null;
  loading: boolean;
}

/** A report's answer for `path` and `query`, loaded again when either changes (the last answer
 * kept meanwhile, so a section does not blink); a newer question cancels an older one. */
export function useReport<T>(path: string, query: string): Loaded<T> {
  const { api } = useDashboard();
  const [loaded, setLoaded] = useState<Loaded<T>>({ data: null, error: null, loading: true });
  useEffect(() => {
    const controller = new AbortController();
    setLoaded((previous) => ({ ...previous, loading: true }));
    api
      .get<T>(path, new URLSearchParams(query), controller.signal)
      .then((data) => setLoaded({ data, error: null, loading: false }))
      .catch((error: unknown) => {
        if (!controller.signal.aborted) setLoaded({ data: null, error: errorMessage(error), loading: false });
      });
    return () => controller.abort();
  }, [api, path, query]);
  return loaded;
}

/** The current time, once every `ms`. */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

/** A link to a report as CSV; `text` names it where several sit side by side. Its name for
 * screen readers is its visible text followed by what it downloads. */
export function CsvLink({ href, what, text, testId }: { href: string; what: string; text?: string; testId?: string }) {
  return (
    <a class="rp-csv" href={href} download title={t("csv.label", { what })} data-testid={testId}>
      <svg width="14" height="14" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">
        <path d="M12 3v12m0 0-4-4m4 4 4-4M4 17v3h16v-3" />
      </svg>
      {text ?? t("csv.download")}
      <span class="sr-only"> ({t("csv.label", { what })})</span>
    </a>
  );
}

export function ErrorNote({ message }: { message: string }) {
  return (
    <div class="rp-error" role="alert" data-testid="report-error">
      {t("app.error", { message })}
    </div>
  );
}

export function Section({
  id,
  title,
  actions,
  busy,
  children,
}: {
  id: string;
  title: string;
  actions?: ComponentChildren;
  busy?: boolean;
  children: ComponentChildren;
}) {
  return (
    <section class="rp-section" aria-labelledby={`${id}-title`} aria-busy={busy ? "true" : undefined} data-testid={`section-${id}`}>
      <div class="rp-section-head">
        <h2 id={`${id}-title`}>{title}</h2>
        {actions ? <div class="rp-section-actions">{actions}</div> : null}
      </div>
      {children}
    </section>
  );
}
