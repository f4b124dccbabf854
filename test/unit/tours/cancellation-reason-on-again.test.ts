import { describe, expect, it } from 'vitest';
import { applyShowChange, bookTour, type ShowChange } from '#functions/tours/apply-change.ts';
import { takeStep } from '#functions/tours/steps.ts';
import { stepMoment } from '#shared/tours.ts';
import {
  announcedShow as announced,
  fakeToursDeps,
  metaAt,
  ref,
  runDueSteps,
  tourOf,
} from '#test/support/tours.ts';

// docs/design.md#tours: a cancelled show's day sheet update says it is cancelled, with the reason the label
// gave for that cancellation. A show set on again is no longer cancelled for any reason: cancelled again
// without one, its tour manager is not told the first cancellation's reason as the second's.
const sheetAt = stepMoment(announced, 'day-sheet').scheduledFor;

async function changedAt(
  w: ReturnType<typeof fakeToursDeps> & { now: { value: Date } },
  at: string,
  change: ShowChange,
) {
  w.now.value = new Date(at);
  await applyShowChange('tour-1', change, metaAt(at), w.deps);
  for (const step of await runDueSteps(w, w.now)) await takeStep(step, { correlationId: 'c' }, w.deps);
}

describe('a show cancelled with a reason, set on again, then cancelled again without one', () => {
  it('forgets the first reason once on again, and the second cancellation states none', async () => {
    const now = { value: new Date('2027-02-02T00:00:00Z') };
    const w = { ...fakeToursDeps(now), now };
    await bookTour(tourOf([announced]), metaAt('2027-02-02T00:00:00Z'), w.deps);
    await runDueSteps(w, now);
    now.value = new Date(sheetAt);
    await takeStep({ ...ref(), step: 'day-sheet', scheduledFor: sheetAt }, { correlationId: 'c' }, w.deps);

    await changedAt(w, '2027-05-13T17:00:00.000Z', {
      type: 'cancel',
      showId: 'show-1',
      reason: 'The venue is flooded.',
    });
    await changedAt(w, '2027-05-13T17:30:00.000Z', { type: 'set', show: announced });
    const onAgain = await w.tours.getShow(ref());
    await changedAt(w, '2027-05-13T18:00:00.000Z', { type: 'cancel', showId: 'show-1' });

    expect(onAgain?.cancellationReason).toBeUndefined();
    const cancelled = w.mailer.sent.filter(
      (m) => m.to.email === 'sam@tm.example' && m.kind === 'day-sheet-update',
    );
    expect(cancelled.map((m) => (m.data.text as { subject: string }).subject.split(':')[0])).toEqual([
      'Cancelled',
      'Updated day sheet',
      'Cancelled',
    ]);
    expect(JSON.stringify(cancelled[0].data.text)).toContain('The venue is flooded.');
    expect(JSON.stringify(cancelled[2].data.text)).not.toContain('The venue is flooded.');
  });
});
