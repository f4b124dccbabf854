import { afterEach, describe, expect, it } from 'vitest';
import { stepMoment } from '#shared/tours.ts';
import {
  advanceClock,
  armFault,
  busIdle,
  clearFaults,
  deadLetters,
  faultsReport,
  firedSince,
  uniqueId,
} from '#test/support/cloud.ts';
import { createOutlet } from '#test/support/outlets-cloud.ts';
import {
  afterPressWindow,
  aLabel,
  aPressTour,
  aPromoter,
  aVenue,
  bookedInParis,
  mailsTo,
  tourWebhook,
  waitForMailTo,
} from '#test/support/tours-cloud.ts';

/**
 * EventBridge and Lambda deliver at least once, and the repeat may run beside the first: every event
 * reaching tours (and deliverability) is handled by two instances at the same instant
 * (invoke.duplicate, docs/design.md#local-faults). Each mail due is still sent once.
 */

afterEach(clearFaults);

const minuteAfter = (instant: string) => new Date(new Date(instant).getTime() + 60_000).toISOString();

describe('advancing a show when every event is delivered twice at the same instant', () => {
  it('sends the promoter one advance request and one reminder, and the tour manager one escalation and one day sheet', async () => {
    const label = await aLabel();
    const tourId = uniqueId('tour');
    const tourManager = { name: 'Ana Ruiz', email: `${uniqueId('tm')}@tm.example` };
    const promoter = aPromoter('Twice');
    const before = await faultsReport();
    await armFault('invoke.duplicate:tours', 'inf');

    const show = await bookedInParis(label, tourId, tourManager, promoter);
    await waitForMailTo(promoter.email, 'Advance for Lowlight');
    await busIdle();
    await advanceClock(minuteAfter(stepMoment(show, 'advance-escalation').scheduledFor));
    await waitForMailTo(tourManager.email, 'Advance overdue');
    await advanceClock(minuteAfter(stepMoment(show, 'day-sheet').scheduledFor));
    await waitForMailTo(tourManager.email, 'Day sheet: Lowlight at Paris');
    await busIdle();

    expect(await mailsTo(promoter.email, 'Advance for Lowlight')).toHaveLength(1);
    // The second reminder only: the first one's day had passed when the show was booked, 20 days out.
    expect(await mailsTo(promoter.email, 'Reminder: advance for Lowlight')).toHaveLength(1);
    expect(await mailsTo(tourManager.email, 'Advance overdue')).toHaveLength(1);
    expect(await mailsTo(tourManager.email, 'Day sheet: Lowlight at Paris')).toHaveLength(1);
    expect((await firedSince(before))['invoke.duplicate:tours']).toBeGreaterThanOrEqual(5);
    expect((await deadLetters()).filter((d) => JSON.stringify(d.event).includes(tourId))).toEqual([]);
  });

  it('alerts the tour manager once when the advance request bounces', async () => {
    const label = await aLabel();
    const tourId = uniqueId('tour');
    const tourManager = { name: 'Ana Ruiz', email: `${uniqueId('tm')}@tm.example` };
    const promoter = { name: 'Gone Twice', email: `bounce+${uniqueId('promoter')}@simulator.amazonses.com` };
    const before = await faultsReport();
    await armFault('invoke.duplicate:tours', 'inf');
    await armFault('invoke.duplicate:deliverability', 'inf');

    await bookedInParis(label, tourId, tourManager, promoter);
    await waitForMailTo(tourManager.email, 'Promoter cannot be reached: Lowlight at Paris Hall');
    await busIdle();

    expect(await mailsTo(promoter.email)).toHaveLength(1);
    expect(await mailsTo(tourManager.email, 'Promoter cannot be reached')).toHaveLength(1);
    expect((await firedSince(before))['invoke.duplicate:deliverability']).toBeGreaterThanOrEqual(1);
  });

  it("tells each outlet of a show once, that it moved once, and its new country's outlets once", async () => {
    const { genre, label, tourId, aShow, book } = await aPressTour('Twice Over', 'Press');
    const be = await createOutlet({ name: 'Focus Knack', genres: [genre], territories: ['BE'] });
    const lu = await createOutlet({ name: 'Land', genres: [genre], territories: ['LU'] });
    await busIdle();
    const brussels = aShow(45, aVenue('Brussels', 'BE', 'Europe/Brussels'));
    const before = await faultsReport();
    await armFault('invoke.duplicate:tours', 'inf');

    await book([brussels]);
    await afterPressWindow();
    await waitForMailTo(be.email, 'Twice Over live in Belgium');
    const luxembourg = { ...brussels, venue: aVenue('Luxembourg', 'LU', 'Europe/Luxembourg') };
    await tourWebhook(label, 'tour.show.updated', { tourId, show: luxembourg }, 1);
    await afterPressWindow();
    await waitForMailTo(be.email, 'Moved: Twice Over no longer in Belgium');
    await waitForMailTo(lu.email, 'Twice Over live in Luxembourg');
    await busIdle();

    expect((await mailsTo(be.email)).map((mail) => mail.subject.split(':')[0])).toEqual([
      'Twice Over live in Belgium',
      'Moved',
    ]);
    expect(await mailsTo(lu.email)).toHaveLength(1);
    expect((await firedSince(before))['invoke.duplicate:tours']).toBeGreaterThanOrEqual(2);
  });
});
