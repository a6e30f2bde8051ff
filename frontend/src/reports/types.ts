/** The dashboard's bootstrap data (templates/reports.html) and the reports API's answers
 * (api-v1.md section 5). */

export interface ReportsConfig {
  me: { id: number; name: string; role: string };
  csrf_token: string;
  currency: string;
  time_zone: string;
  urls: { api: string; console: string; logout: string };
}

export interface Spread {
  median: number | null;
  p90: number | null;
}

export interface Figures {
  conversations: number;
  resolved: number;
  replies: number;
  first_response_seconds: Spread;
  resolution_seconds: Spread;
  csat: { responses: number; average: number | null; positive_share: number | null };
  outcomes: Record<string, number>;
  sales: { count: number; amount: string };
}

export interface Period {
  from: string;
  to: string;
  tz: string;
}

export interface Summary extends Figures {
  period: Period;
  previous: Figures & { period: Period };
}

export interface Point {
  start: string;
  value: number | null;
}

export interface BreakdownRow extends Figures {
  key: { id: number | string; name: string };
}

export interface Waiting {
  conversation: number;
  team: number | null;
  queue_position: number;
  waiting_seconds: number;
}

export interface LiveOperator {
  id: number;
  name: string;
  status: string;
  open: number;
  max_chats: number;
}

export interface Live {
  waiting: Waiting[];
  longest_wait_seconds: number | null;
  operators: LiveOperator[];
  open: number;
  unassigned: number;
}

export interface Results<T> {
  results: T[];
}

/** A team, inbox, operator or label to filter by. */
export interface Named {
  id: number;
  name: string;
}
