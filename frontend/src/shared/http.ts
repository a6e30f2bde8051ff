/** Reading the helpdesk's REST answers, for the widget's and the console's API clients alike. */

/** The contract's error object (`{"error": {"code", "message", "fields"}}`). */
export interface ErrorBody {
  code?: string;
  message?: string;
  fields?: Record<string, unknown>;
}

/** A response's JSON, or null when it has none (an empty body, or not JSON). */
export async function jsonOf(response: Response): Promise<unknown> {
  try {
    return await response.json();
  } catch {
    return null;
  }
}

/** The error object of an answer's JSON, if it has one. */
export function errorOf(data: unknown): ErrorBody | undefined {
  return (data as { error?: ErrorBody } | null)?.error;
}
