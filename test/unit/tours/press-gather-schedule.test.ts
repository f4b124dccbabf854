import { describe, expect, it } from 'vitest';
import { showStepScheduleInput } from '#functions/tours/adapters.ts';
import { pressGatherMoment } from '#shared/tours.ts';
import { aShow } from '#test/support/tours.ts';

describe('the press step of a show past its embargo', () => {
  it('schedules a show without embargo at the end of the gathering window, not at 1970', () => {
    const now = '2027-04-01T10:00:20.000Z';
    const moment = pressGatherMoment(aShow({ status: 'announced' }), now);
    const input = showStepScheduleInput({
      labelId: 'l',
      tourId: 't',
      showId: 's',
      moment,
      correlationId: 'c',
    });
    expect(input.ScheduleExpression).toBe('at(2027-04-01T10:02:00)');
  });

  it('schedules a show whose embargo passed at the end of the gathering window, not at the embargo', () => {
    const now = '2027-04-01T10:00:20.000Z';
    const moment = pressGatherMoment(
      aShow({ status: 'announced', announceAt: '2027-04-01T09:00:00.000Z' } as never),
      now,
    );
    const input = showStepScheduleInput({
      labelId: 'l',
      tourId: 't',
      showId: 's',
      moment,
      correlationId: 'c',
    });
    expect(input.ScheduleExpression).toBe('at(2027-04-01T10:02:00)');
  });
});
