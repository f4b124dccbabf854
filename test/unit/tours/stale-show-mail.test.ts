import { describe, expect, it } from 'vitest';
import { promoterIdOf } from '#shared/db/tours.ts';
import { stepMoment } from '#shared/tours.ts';
import {
  advanceAnswers,
  aShow,
  bookedWithMailModule,
  changeAt,
  ref,
  showMailClaim,
  sweepAt,
  takeShowStep,
  updateClaimedNotSent,
} from '#test/support/tours.ts';

describe('show mail whose claim went stale, swept after the show changed', () => {
  it("sends the tour manager one day sheet for the show's new day, not also the old day's stale claim rewritten for it", async () => {
    const booked = aShow({ date: '2027-05-14' });
    const w = await bookedWithMailModule('2027-05-13T15:50:00Z', [booked]);
    // The day sheet of the 14th was claimed for the tour manager, then the invocation died before SES.
    const oldDay = stepMoment(booked, 'day-sheet').scheduledFor;
    await w.mail.deliveries.claim(showMailClaim('day-sheet', 'sam@tm.example', { moment: oldDay }), oldDay);
    // Minutes later the show is postponed a week, and the step's retry finds it moved.
    await changeAt(w, '2027-05-13T16:05:00Z', { type: 'set', show: aShow({ date: '2027-05-21' }) });
    await takeShowStep(w, 'day-sheet', oldDay);

    await sweepAt(w, '2027-05-13T17:00:00Z');
    // The new day's sheet, at its moment.
    const newDay = stepMoment(aShow({ date: '2027-05-21' }), 'day-sheet').scheduledFor;
    w.now.value = new Date(newDay);
    await takeShowStep(w, 'day-sheet', newDay);

    const sheets = w.ses.calls.filter(
      (call) => call.kind === 'day-sheet' && call.entries.some((e) => e.email === 'sam@tm.example'),
    );
    // Each sheet sent to the tour manager: the day it states (the stale claim was the 14th's).
    expect(sheets.map((call) => JSON.stringify(call.entries[0].data).match(/\d+ May 2027/)?.[0])).toEqual([
      '21 May 2027',
    ]);
  });

  it("sends the tour manager a later change's updated day sheet once, not also an earlier change's stale claim rewritten with it", async () => {
    const booked = aShow({ date: '2027-05-14' });
    const w = await bookedWithMailModule('2027-05-13T16:00:00Z', [booked]);
    await takeShowStep(w, 'day-sheet', stepMoment(booked, 'day-sheet').scheduledFor);
    // Doors move: the update for that change is claimed for the tour manager, then the invocation dies before SES.
    const first = '2027-05-13T17:00:00.000Z';
    await changeAt(w, first, { type: 'set', show: aShow({ times: { ...booked.times, doors: '19:30' } }) });
    await updateClaimedNotSent(w, first);
    // Minutes later the set moves too, and that change's update goes out.
    const second = '2027-05-13T17:10:00.000Z';
    await changeAt(w, second, {
      type: 'set',
      show: aShow({ times: { ...booked.times, doors: '19:30', set: '21:30' } }),
    });
    await takeShowStep(w, 'day-sheet-update', second);

    await sweepAt(w, '2027-05-13T18:00:00Z');

    // The later change's update states both changes; the earlier one's claim is closed, not sent as a copy of it.
    const updates = w.ses.calls.filter(
      (call) => call.kind === 'day-sheet-update' && call.entries.some((e) => e.email === 'sam@tm.example'),
    );
    expect(updates).toHaveLength(1);
  });

  it('does not send the promoter a reminder whose claim went stale once their advance is in', async () => {
    const booked = aShow({ date: '2027-05-14' });
    const w = await bookedWithMailModule('2027-04-23T07:50:00Z', [booked]);
    // The first reminder (21 days before, 10:00 in Berlin) was claimed, then the invocation died before SES.
    const reminder = stepMoment(booked, 'advance-reminder-1').scheduledFor;
    await w.mail.deliveries.claim(showMailClaim('advance-reminder-1', 'booking@nacht.example'), reminder);
    // Minutes later the promoter submits the advance from the request's link.
    w.now.value = new Date('2027-04-23T08:05:00Z');
    await w.tours.saveAdvance(
      { ...ref(), promoterId: promoterIdOf(booked.promoter.email) },
      advanceAnswers,
      w.now.value.toISOString(),
      () => [],
    );

    await sweepAt(w, '2027-04-23T09:00:00Z');

    // "We have not yet received the advance" would be false: the advance steps stop once it is in.
    expect(w.ses.delivered.filter((m) => m.kind === 'advance-reminder-1')).toEqual([]);
  });

  it('does not send the promoter an advance request whose claim went stale once the show is on hold', async () => {
    const w = await bookedWithMailModule('2027-04-16T08:00:00Z', [aShow({ date: '2027-05-14' })]);
    // The request was claimed, then the invocation died before SES.
    await w.mail.deliveries.claim(
      showMailClaim('advance-request', 'booking@nacht.example'),
      w.now.value.toISOString(),
    );
    // Minutes later the label puts the show on hold: nobody is to be asked for its advance.
    await changeAt(w, '2027-04-16T08:05:00Z', { type: 'set', show: aShow({ status: 'hold' }) });

    await sweepAt(w, '2027-04-16T09:00:00Z');

    expect(w.ses.delivered.filter((m) => m.kind === 'advance-request')).toEqual([]);
  });
});
