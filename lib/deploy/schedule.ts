import { ValidationError } from '../model/errors';

/*
 * A CronJob's schedule and time zone, checked as the CronJob controller parses them
 * (robfig/cron's standard parser: five fields or a macro), so a typo fails at synth instead of
 * a CronJob that never runs.
 */

const MACROS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** The five fields: name, range, and the names a field accepts for its numbers. */
const FIELDS: readonly { name: string; min: number; max: number; names?: readonly string[]; namesFrom?: number }[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS, namesFrom: 1 },
  { name: 'day of week', min: 0, max: 7, names: DAYS, namesFrom: 0 },
];

const EXAMPLE = "use five fields, minute hour day-of-month month day-of-week, e.g. '0 3 * * *' (03:00 every day) or '*/15 * * * *', or a macro such as '@hourly'";

/** Checks a cron schedule; returns it. */
export function cronSchedule(prop: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw ValidationError.invalid(prop, value, 'must be a cron schedule', EXAMPLE);
  }
  if (/^\s*(CRON_)?TZ=/.test(value)) {
    throw ValidationError.invalid(prop, value, 'sets a time zone inside the schedule, which the API server rejects since Kubernetes 1.27', "move it to timeZone, e.g. timeZone: 'Europe/Berlin'");
  }
  const schedule = value.trim();
  if (schedule.startsWith('@every')) {
    // robfig/cron's `@every <Go duration>`, which the CronJob controller accepts too.
    if (!/^@every\s+(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(schedule)) {
      throw ValidationError.invalid(prop, value, '@every needs a Go duration', "use e.g. '@every 30m' or '@every 1h30m'");
    }
    return schedule;
  }
  if (schedule.startsWith('@')) {
    if (!MACROS.has(schedule)) {
      throw ValidationError.invalid(prop, value, 'is not a macro the CronJob controller knows', `use one of ${[...MACROS].join(', ')}, @every <duration>, or five fields`);
    }
    return schedule;
  }
  const parts = schedule.split(/\s+/);
  if (parts.length !== 5) {
    throw ValidationError.invalid(prop, value, `has ${parts.length} field${parts.length === 1 ? '' : 's'}; a Kubernetes schedule has five (no seconds, no year)`, EXAMPLE);
  }
  parts.forEach((part, i) => field(prop, value, part, FIELDS[i]));
  return schedule;
}

function field(prop: string, schedule: string, part: string, f: typeof FIELDS[number]): void {
  const bad = (why: string) => ValidationError.invalid(prop, schedule, `${f.name} '${part}' ${why}`, EXAMPLE);
  for (const item of part.split(',')) {
    const [range, step, ...extra] = item.split('/');
    if (extra.length > 0 || range === '') {
      throw bad('is not a value, a range, a list or a step');
    }
    if (step !== undefined && (!/^\d+$/.test(step) || Number(step) < 1)) {
      throw bad('has a step that is not a whole number of 1 or more');
    }
    if (range === '*' || range === '?') {
      continue;
    }
    const [from, to, ...more] = range.split('-');
    if (more.length > 0) {
      throw bad('is not a value, a range, a list or a step');
    }
    const lo = number(from, f);
    const hi = to === undefined ? lo : number(to, f);
    if (lo === undefined || hi === undefined) {
      throw bad(`is not a number from ${f.min} to ${f.max}${f.names ? ` or a name (${f.names.slice(0, 3).join(', ')}, …)` : ''}`);
    }
    if (hi < lo) {
      throw bad(`is a range that ends before it starts (${lo} to ${hi})`);
    }
  }
}

function number(text: string, f: typeof FIELDS[number]): number | undefined {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    return n >= f.min && n <= f.max ? n : undefined;
  }
  const i = f.names?.indexOf(text.toLowerCase()) ?? -1;
  return i >= 0 ? i + (f.namesFrom ?? 0) : undefined;
}

/** Checks an IANA time zone name, e.g. `Europe/Berlin` or `Etc/UTC`; returns it. */
export function timeZone(prop: string, value: unknown): string {
  if (typeof value !== 'string' || !/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(value)) {
    throw ValidationError.invalid(prop, value, 'is not an IANA time zone name', "use e.g. 'Europe/Berlin' or 'Etc/UTC'");
  }
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
  } catch {
    throw ValidationError.invalid(prop, value, 'is not a time zone in the IANA database', "use e.g. 'Europe/Berlin' or 'Etc/UTC' (see the tz database's zone names)");
  }
  return value;
}
