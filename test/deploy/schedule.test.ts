import { cronSchedule, timeZone } from '../../lib/deploy/schedule';
import { ValidationError } from '../../lib/model/errors';

function refusal(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return e as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

describe('cronSchedule', () => {
  test.each([
    ['@daily'], ['@midnight'], ['@every 30m'], ['@every 1h30m'], ['0 */2 * * *'], ['15,45 8-18/2 * 1-6 MON-FRI'],
  ])('accepts %s', (schedule) => {
    expect(cronSchedule('schedule', schedule)).toBe(schedule);
  });

  test('trims surrounding space, as the controller does', () => {
    expect(cronSchedule('schedule', '  0 3 * * *  ')).toBe('0 3 * * *');
  });

  test.each([
    ['@every', '@every needs a Go duration'],
    ['@every 30 minutes', '@every needs a Go duration'],
    ['@reboot', 'is not a macro'],
    ['0 3 * * * *', 'has 6 fields'],
    ['0 3 * * 8', "day of week '8'"],
    ['0 3 1-2-3 * *', "day of month '1-2-3'"],
    ['0 3 * * 1/2/3', "day of week '1/2/3'"],
    ['TZ=UTC 0 3 * * *', 'move it to timeZone'],
  ])('fails if the schedule is %j', (schedule, why) => {
    const e = refusal(() => cronSchedule('schedule', schedule));
    expect([e.prop, e.value]).toEqual(['schedule', schedule]);
    expect(e.message).toContain(why);
  });

  test('fails if the schedule is not a string', () => {
    expect(refusal(() => cronSchedule('schedule', 3)).why).toBe('must be a cron schedule');
  });
});

describe('timeZone', () => {
  test.each([['Europe/Berlin'], ['Etc/UTC'], ['America/Argentina/Buenos_Aires'], ['UTC']])('accepts %s', (zone) => {
    expect(timeZone('timeZone', zone)).toBe(zone);
  });

  test.each([['Europe/Atlantis'], ['+02:00'], ['Europe/'], ['']])('fails if the time zone is %j', (zone) => {
    expect(refusal(() => timeZone('timeZone', zone)).prop).toBe('timeZone');
  });
});
