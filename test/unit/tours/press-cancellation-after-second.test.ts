import { describe, expect, it } from 'vitest';
import {
  announcedShow as announced,
  changeAt,
  kindsToldDe,
  recordOf,
  ref,
  stopOnceAt,
  takeShowStep,
  toldDePressOf,
} from '#test/support/tours.ts';

// docs/design.md#tours: a press cancellation is taken again for each cancellation (a show set on again may
// be cancelled again), each recorded once per change, and the show's record of the step only moves on: a
// first cancellation's firing recorded (or retried) after the second's states its Show Cancellation Sent
// beside it, once, and the second's firing redelivered states nothing again.
const first = '2027-02-03T00:00:00.000Z';
const onAgain = '2027-02-03T00:01:00.000Z';
const second = '2027-02-03T00:02:00.000Z';
const cancel = { type: 'cancel', showId: 'show-1' } as const;

/**
 * The German outlet told of show-1; the label cancels it (`first`), its step taken (recorded, or with
 * `diedBeforeRecord` its mails sent and its invocation stopped before the record); sets it on again as it
 * was a minute later, that change's press-change taken; and cancels it again (`second`), its step taken.
 */
async function cancelledTwice(diedBeforeRecord: boolean) {
  const w = await toldDePressOf(announced);
  await changeAt(w, first, cancel);
  const stop = diedBeforeRecord
    ? stopOnceAt(w.tours, recordOf('press-cancellation'), 'the invocation died after the send')
    : undefined;
  const died = await takeShowStep(w, 'press-cancellation', first).then(
    () => false,
    () => true,
  );
  stop?.unhook();
  expect(died).toBe(diedBeforeRecord);
  await changeAt(w, onAgain, { type: 'set', show: announced });
  await takeShowStep(w, 'press-change', onAgain);
  await changeAt(w, second, cancel);
  await takeShowStep(w, 'press-cancellation', second);
  return w;
}

type World = Awaited<ReturnType<typeof cancelledTwice>>;

const cancellationsSent = (w: World) =>
  w.tours.outbox.filter((e) => e.detailType === 'Show Cancellation Sent');
const cancellationRecorded = async (w: World) =>
  (await w.tours.getShow(ref()))?.stepsDone?.['press-cancellation'];
const toldTwice = ['press-announcement', 'press-cancellation', 'press-reinstated', 'press-cancellation'];

describe('a press cancellation retried after the show was set on again and cancelled again (its retry came late)', () => {
  it('records it once beside the second, which stays recorded: that firing redelivered states nothing again', async () => {
    const w = await cancelledTwice(true);

    const late = await takeShowStep(w, 'press-cancellation', first);
    const recorded = await cancellationRecorded(w);
    const redelivered = await takeShowStep(w, 'press-cancellation', second);
    await takeShowStep(w, 'press-cancellation', first);

    expect(cancellationsSent(w)).toHaveLength(2);
    expect(late).toEqual({ outcome: 'taken', mailed: 0 });
    expect(recorded).toBe(second);
    expect(redelivered).toEqual({ outcome: 'ignored', reason: 'step taken before' });
    expect(kindsToldDe(w.mailer.ses)).toEqual(toldTwice);
  });
});

describe('a press cancellation recorded in its turn whose firing is redelivered after the second', () => {
  it('states nothing again, the second staying recorded', async () => {
    const w = await cancelledTwice(false);

    await takeShowStep(w, 'press-cancellation', first);
    const redelivered = await takeShowStep(w, 'press-cancellation', second);

    expect(cancellationsSent(w)).toHaveLength(2);
    expect(await cancellationRecorded(w)).toBe(second);
    expect(redelivered).toEqual({ outcome: 'ignored', reason: 'step taken before' });
    expect(kindsToldDe(w.mailer.ses)).toEqual(toldTwice);
  });
});
