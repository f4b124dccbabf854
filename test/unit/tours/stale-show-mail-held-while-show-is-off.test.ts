import { describe, expect, it } from 'vitest';
import { stepMoment } from '#shared/tours.ts';
import {
  aShow,
  bookedWithMailModule,
  changeAt,
  pastStale,
  ref,
  runDueSteps,
  showMailClaim,
  sweepAt,
  takeShowStep,
} from '#test/support/tours.ts';

// docs/design.md#tours: a hold stops a show's steps for now, not for good, and a cancellation may be undone
// too. A stale claim of the show's own mail closed then would refuse, under the same identity, the very mail
// the show needs once it is on again (its step is recorded, or its step's own mail finds the closed claim):
// the sweep leaves it open meanwhile, taken over unsent, so it is looked at again only once stale again and
// does not stand first in every sweep. Once the show is advanced again it is sent once, only while its step
// would still fire (until the form locks, or the show is over); past that it is closed.

const advanceRequest = (showId = 'show-1') =>
  showMailClaim('advance-request', 'booking@nacht.example', { showId });
const daySheet = stepMoment(aShow(), 'day-sheet').scheduledFor;

describe('a stale advance request claim swept while the show is on hold, the show confirmed again', () => {
  async function world() {
    const w = await bookedWithMailModule('2027-04-16T08:00:00Z');
    const request = stepMoment(aShow(), 'advance-request').scheduledFor;
    // The request's mail was claimed, then the invocation died before SES.
    await w.mail.deliveries.claim(advanceRequest(), w.now.value.toISOString());
    return { ...w, request };
  }

  it('asks the promoter once the show is confirmed again (the retry recorded the step before the hold)', async () => {
    const w = await world();
    // The event's retry finds the claim (being sent), sends nothing and records the step.
    await takeShowStep(w, 'advance-request', w.request);
    await changeAt(w, '2027-04-16T08:05:00Z', { type: 'set', show: aShow({ status: 'hold' }) });
    await sweepAt(w, '2027-04-16T09:00:00Z');
    // The next day the label confirms the show again.
    await changeAt(w, '2027-04-17T09:00:00Z', { type: 'set', show: aShow() });
    await runDueSteps(w.fakes, w.now);
    // The next sweep, the show advanced again.
    await sweepAt(w, '2027-04-17T09:30:00Z');

    expect(w.ses.delivered.filter((m) => m.kind === 'advance-request')).toHaveLength(1);
  });

  it('asks the promoter once the show is confirmed again (the hold landed before the retry)', async () => {
    const w = await world();
    await changeAt(w, '2027-04-16T08:05:00Z', { type: 'set', show: aShow({ status: 'hold' }) });
    // The retry, the show on hold, finds the claim (being sent: it may have reached SES) and records the
    // step for the promoter it mailed (docs/design.md#tours).
    await takeShowStep(w, 'advance-request', w.request);
    expect((await w.tours.getShow(ref()))?.stepsDone?.['advance-request']).toBe(w.request);
    await sweepAt(w, '2027-04-16T09:00:00Z');
    await changeAt(w, '2027-04-17T09:00:00Z', { type: 'set', show: aShow() });
    // Taken before, the request is not due at once: the claim left open on hold is the sweep's to send.
    const taken = await runDueSteps(w.fakes, w.now);
    expect(taken.map((due) => due.step)).not.toContain('advance-request');
    await sweepAt(w, '2027-04-17T09:30:00Z');
    await runDueSteps(w.fakes, w.now);

    expect(w.ses.delivered.filter((m) => m.kind === 'advance-request')).toHaveLength(1);
  });
});

describe("a stale day sheet claim swept while the show is on hold, the show's eve", () => {
  async function world() {
    const w = await bookedWithMailModule('2027-05-13T16:00:00Z');
    // The tour manager's day sheet was claimed, then the invocation died before SES; minutes later the show is held.
    await w.mail.deliveries.claim(
      showMailClaim('day-sheet', 'sam@tm.example', { moment: daySheet }),
      daySheet,
    );
    await changeAt(w, '2027-05-13T16:05:00Z', { type: 'set', show: aShow({ status: 'hold' }) });
    await takeShowStep(w, 'day-sheet', daySheet);
    await sweepAt(w, '2027-05-13T17:00:00Z');
    const sheetsToSam = () =>
      w.ses.delivered.filter((m) => m.kind === 'day-sheet' && m.email === 'sam@tm.example');
    return { ...w, sheetsToSam };
  }

  it('sends the tour manager the day sheet once when the show is confirmed again', async () => {
    const w = await world();
    await changeAt(w, '2027-05-13T18:00:00Z', { type: 'set', show: aShow() });
    await runDueSteps(w.fakes, w.now);
    await sweepAt(w);
    await sweepAt(w, '2027-05-13T19:00:00Z');

    expect(w.sheetsToSam()).toHaveLength(1);
  });

  it('leaves the claim open unsent when the show is cancelled instead (it may be set on again), and closes it once the show is over', async () => {
    const w = await world();
    await changeAt(w, '2027-05-13T18:00:00Z', { type: 'cancel', showId: 'show-1' });
    expect(await sweepAt(w)).toEqual({ resent: 0, closed: 0 });
    // The show's day (2027-05-14, Berlin) is over: no day sheet is of use any more.
    expect(await sweepAt(w, '2027-05-15T12:00:00Z')).toEqual({ resent: 0, closed: 1 });

    expect(w.sheetsToSam()).toEqual([]);
  });
});

describe('stale show mail: claims held for shows on hold do not keep the sweep (500 a run, oldest first) from the others', () => {
  it('still resends the stale advance request of a confirmed show claimed after them', async () => {
    const held = Array.from({ length: 500 }, (_, i) => aShow({ showId: `held-${i}`, status: 'hold' }));
    const w = await bookedWithMailModule('2027-04-16T08:00:00Z', [aShow(), ...held]);
    // Claimed (then lost in a crash) before each show was put on hold; their holds last for weeks.
    for (const show of held)
      await w.mail.deliveries.claim(advanceRequest(show.showId), '2027-03-01T08:00:00.000Z');
    // The confirmed show's request, claimed later, also lost in a crash.
    await w.mail.deliveries.claim(advanceRequest(), w.now.value.toISOString());

    const claimedAt = w.now.value.toISOString();
    for (const ms of [30, 31, 90].map((minutes) => minutes * 60_000))
      await sweepAt(w, pastStale(w, claimedAt, ms));

    expect(w.ses.delivered.filter((m) => m.kind === 'advance-request')).toHaveLength(1);
  });
});

describe('stale show mail held on hold: an advance request, the show confirmed again only after its day', () => {
  it('is not mailed to the promoter: the form is locked and the show over (its step would not send it)', async () => {
    const w = await bookedWithMailModule('2027-04-16T08:00:00Z');
    await w.mail.deliveries.claim(advanceRequest(), w.now.value.toISOString());
    await changeAt(w, '2027-04-16T08:05:00.000Z', { type: 'set', show: aShow({ status: 'hold' }) });
    await sweepAt(w, '2027-04-16T09:00:00Z');
    // The show (2027-05-14) stayed on hold past its day; the label sets it confirmed again a week later.
    await changeAt(w, '2027-05-21T09:00:00.000Z', { type: 'set', show: aShow() });
    const taken = await runDueSteps(w.fakes, w.now);
    expect(taken.map((due) => due.step)).not.toContain('advance-request');
    await sweepAt(w, '2027-05-21T10:00:00Z');

    expect(w.ses.delivered.filter((m) => m.kind === 'advance-request')).toEqual([]);
  });
});

describe('stale show mail held while the show is cancelled: a day sheet, the show set on again the same evening', () => {
  it('sends the tour manager the day sheet once (a cancellation is undone as a hold is)', async () => {
    const w = await bookedWithMailModule('2027-05-13T16:00:00Z');
    await w.mail.deliveries.claim(
      showMailClaim('day-sheet', 'sam@tm.example', { moment: daySheet }),
      daySheet,
    );
    // The event's retry finds the claim (being sent), sends nothing and records the step.
    await takeShowStep(w, 'day-sheet', daySheet);
    await changeAt(w, '2027-05-13T16:05:00.000Z', { type: 'cancel', showId: 'show-1' });
    await runDueSteps(w.fakes, w.now);
    await sweepAt(w, '2027-05-13T17:00:00Z');
    // The cancellation was a mistake: the label sets the show on again, as it was.
    await changeAt(w, '2027-05-13T18:00:00.000Z', { type: 'set', show: aShow() });
    await runDueSteps(w.fakes, w.now);
    await sweepAt(w, '2027-05-13T19:00:00Z');

    expect(
      w.ses.delivered.filter((m) => m.kind === 'day-sheet' && m.email === 'sam@tm.example'),
    ).toHaveLength(1);
  });
});
