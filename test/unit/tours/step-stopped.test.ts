import { describe, expect, it } from 'vitest';
import { stepStopped } from '#functions/tours/steps.ts';
import type { Show } from '#shared/events/tour-booked.ts';
import type { StoredShow } from '#shared/tours.ts';
import { aShow, ref } from '#test/support/tours.ts';

const stored = (show: Show, overrides: Pick<StoredShow, 'advance'> = {}): StoredShow & { show: Show } => ({
  ...ref(),
  promoterId: 'p-1',
  occurredAt: '2027-01-01T00:00:00.000Z',
  lastEventId: 'e-1',
  lastCorrelationId: 'c-1',
  createdAt: '2027-01-01T00:00:00.000Z',
  updatedAt: '2027-01-01T00:00:00.000Z',
  ...overrides,
  show,
});
const early = '2027-03-01T10:00:00.000Z';

// docs/design.md#tours: a hold and a cancellation stop a show's steps only for now (either may be
// undone), any other stop is for good; callers read which from the answer, never from its wording.
describe("stepStopped's answer", () => {
  it('says a stop on hold or cancelled is for now, and a settled show, a lapsed step or an advance in is for good', () => {
    const answers = {
      hold: stepStopped(stored(aShow({ status: 'hold' })), 'advance-request', early),
      cancelled: stepStopped(stored(aShow({ status: 'cancelled' })), 'day-sheet', early),
      settled: stepStopped(stored(aShow({ status: 'settled' })), 'day-sheet', early),
      lapsed: stepStopped(stored(aShow({ status: 'hold' })), 'advance-request', '2027-05-14T00:00:00.000Z'),
      advanceIn: stepStopped(
        stored(aShow(), { advance: { answers: {} as never, submittedAt: early } }),
        'advance-reminder-1',
        early,
      ),
      standing: stepStopped(stored(aShow()), 'advance-request', early),
    };

    expect(answers).toEqual({
      hold: { reason: 'show is hold', forNow: true },
      cancelled: { reason: 'show is cancelled', forNow: true },
      settled: { reason: 'show is settled', forNow: false },
      lapsed: { reason: 'too late', forNow: false },
      advanceIn: { reason: 'advance submitted', forNow: false },
      standing: undefined,
    });
  });
});
