/**
 * When a post is to be published: the operator picks a moment in their own time (an
 * `<input type="datetime-local">`, "2026-03-01T14:30" or with seconds), and the server gets it
 * as ISO 8601 with the offset that moment has in the browser's time zone ("+03:00"), so a
 * daylight-saving change between now and then is counted right.
 */

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/;

const pad = (value: number, width = 2) => String(value).padStart(width, "0");

/** "+03:00", "-05:00", "+05:30" for an offset east of UTC in minutes. */
export function formatOffset(minutesEast: number): string {
  const sign = minutesEast < 0 ? "-" : "+";
  const minutes = Math.abs(minutesEast);
  return `${sign}${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
}

/** A moment as the browser's local time with its offset: "2026-03-01T14:30:00+03:00". */
export function isoWithOffset(date: Date): string {
  const day = `${pad(date.getFullYear(), 4)}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  return `${day}T${time}${formatOffset(-date.getTimezoneOffset())}`;
}

/** The local time of a date-time picker as ISO with the offset; null for a value that is no
 * date-time (empty, or a day that does not exist). A time that a clock change skips (02:30 on
 * the night the clocks go forward) is the moment after the change, as the browser counts it. */
export function localInputToIso(value: string): string | null {
  const match = LOCAL.exec(value.trim());
  if (!match) return null;
  const [year, month, day, hours, minutes, seconds] = match.slice(1).map((part) => Number(part ?? 0));
  if (month < 1 || month > 12 || hours > 23 || minutes > 59 || seconds > 59) return null;
  const date = new Date(year, month - 1, day, hours, minutes, seconds);
  if (Number.isNaN(date.getTime()) || date.getFullYear() !== year || date.getMonth() !== month - 1 || date.getDate() !== day) return null;
  return isoWithOffset(date);
}

/** A moment as a date-time picker's value, in the browser's local time (to seconds). */
export function isoToLocalInput(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return isoWithOffset(date).slice(0, 19);
}

/** Whether `iso` is later than `now` (milliseconds). */
export function isFuture(iso: string, now: number): boolean {
  const at = Date.parse(iso);
  return Number.isFinite(at) && at > now;
}

/** The picker's first suggestion: the first full hour at least an hour from now. */
export function suggestedTime(now: number): string {
  const date = new Date(now + 60 * 60 * 1000);
  if (date.getMinutes() || date.getSeconds() || date.getMilliseconds()) date.setMinutes(60, 0, 0);
  return isoWithOffset(date).slice(0, 19);
}

/** The browser's time zone, for the picker's label ("Europe/Moscow"). */
export function localTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || formatOffset(-new Date().getTimezoneOffset());
  } catch {
    return formatOffset(-new Date().getTimezoneOffset());
  }
}
