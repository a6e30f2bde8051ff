/** The reports API and the lists its filters choose from, read with the login page's session
 * cookie (GETs only: no CSRF header needed). */

import { errorOf, jsonOf } from "../shared/http";
import type { Named } from "./types";

export class ReportError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** How many pages of a list the filters read at most (each of up to 100 or 500 rows). */
const MAX_PAGES = 20;

export class ReportsApi {
  private readonly fetcher: FetchLike;

  constructor(
    private readonly base: string,
    private readonly language: () => string,
    fetcher?: FetchLike,
    private readonly onUnauthenticated: () => void = () => undefined,
  ) {
    this.fetcher = fetcher ?? ((input, init) => fetch(input, init));
  }

  /** The URL of `path` (under the API's base) with `params`. */
  url(path: string, params?: URLSearchParams): string {
    const query = params?.toString();
    return `${this.base}${path}${query ? `?${query}` : ""}`;
  }

  /** The same report as CSV. */
  csvUrl(path: string, params: URLSearchParams, extra: Record<string, string> = {}): string {
    const query = new URLSearchParams(params);
    for (const [name, value] of Object.entries(extra)) query.set(name, value);
    query.set("format", "csv");
    return this.url(path, query);
  }

  async get<T>(path: string, params?: URLSearchParams, signal?: AbortSignal): Promise<T> {
    return this.read<T>(this.url(path, params), signal);
  }

  /** Every row of a paginated list (`{"results", "next"}`), following `next`. */
  async list(path: string, signal?: AbortSignal): Promise<Named[]> {
    const rows: Named[] = [];
    let url: string | null = this.url(path, new URLSearchParams({ limit: "100" }));
    for (let page = 0; url && page < MAX_PAGES; page += 1) {
      const data: { results: Named[]; next: string | null } = await this.read(url, signal);
      rows.push(...data.results.map(({ id, name }) => ({ id, name })));
      url = data.next;
    }
    return rows;
  }

  private async read<T>(url: string, signal?: AbortSignal): Promise<T> {
    const response = await this.fetcher(url, {
      credentials: "same-origin",
      headers: { Accept: "application/json", "Accept-Language": this.language() },
      signal,
    });
    const data = await jsonOf(response);
    if (!response.ok) {
      if (response.status === 401) this.onUnauthenticated();
      const error = errorOf(data);
      throw new ReportError(response.status, error?.code ?? "error", error?.message ?? `HTTP ${response.status}`);
    }
    return data as T;
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
