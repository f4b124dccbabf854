import { describe, expect, it } from 'vitest';
import { stepMoment } from '#shared/tours.ts';
import { advanceClock, busIdle, clockNow, uniqueId } from '#test/support/cloud.ts';
import { createOutlet } from '#test/support/outlets-cloud.ts';
import {
  afterPressWindow,
  anAdvanceLink,
  aPressTour,
  aVenue,
  mailsTo,
  postAdvance,
  sendWebhook,
  tourView,
  waitForMailTo,
} from '#test/support/tours-cloud.ts';

/** A show retimed on its own day on the local cloud: the tour manager's day sheet follows. */
describe('doors moved after the day sheet went', () => {
  it('mails the tour manager one updated day sheet with the new doors, once for a redelivered webhook, and tells the press once', async () => {
    const { genre, label, tourId, tourManager, promoter, aShow, book } = await aPressTour(
      'Door Change',
      'Retimed',
    );
    const show = aShow(5, aVenue('Oslo', 'NO', 'Europe/Oslo'));
    const no = await createOutlet({ name: 'Natt&Dag', genres: [genre], territories: ['NO'] });
    const webhook = async (type: string, data: unknown, id?: string, timestamp?: string) => {
      const sent = await sendWebhook(
        label,
        { type, timestamp: timestamp ?? (await clockNow()).toISOString(), data },
        { id },
      );
      expect(sent.status).toBe(202);
    };
    await book([show]);
    await afterPressWindow();
    await waitForMailTo(no.email, 'Door Change live in Norway');
    await advanceClock(
      new Date(Date.parse(stepMoment(show, 'day-sheet').scheduledFor) + 60_000).toISOString(),
    );
    await waitForMailTo(tourManager.email, 'Day sheet: Door Change at Oslo Hall');

    const later = { ...show, times: { ...show.times, doors: '20:00' } };
    // Redelivered as a label's retry is: the same message (id and body) again.
    const webhookId = `msg_${uniqueId('retime')}`;
    const retimedAt = (await clockNow()).toISOString();
    await webhook('tour.show.updated', { tourId, show: later }, webhookId, retimedAt);
    const [updated] = await waitForMailTo(tourManager.email, 'Updated day sheet: Door Change at Oslo Hall');
    await waitForMailTo(no.email, 'Changed: Door Change in Norway');
    await webhook('tour.show.updated', { tourId, show: later }, webhookId, retimedAt);
    await busIdle();

    expect(updated.body.text).toContain('20:00');
    expect(await mailsTo(tourManager.email, 'Updated day sheet')).toHaveLength(1);
    expect(await mailsTo(no.email, 'Changed:')).toHaveLength(1);
    expect(await mailsTo(promoter.email, 'day sheet')).toHaveLength(0);
  }, 300_000);
});

describe('the advance given after the day sheet went', () => {
  it('mails the tour manager and crew an updated day sheet with the answers, for the first submission and for each amendment', async () => {
    const { label, tourId, show, link } = await anAdvanceLink(
      aVenue('Osaka', 'JP', 'Asia/Tokyo'),
      'Late Answer',
      'Haruto',
    );
    const { tourManager } = (await tourView(label.id, tourId)).body as unknown as {
      tourManager: { email: string };
    };
    await advanceClock(
      new Date(Date.parse(stepMoment(show, 'day-sheet').scheduledFor) + 60_000).toISOString(),
    );
    const [sheet] = await waitForMailTo(tourManager.email, 'Day sheet: Late Answer at Osaka Hall');

    // The evening before the show, before the form locks at midnight in Osaka.
    const submitted = await postAdvance(link, { dayContactName: 'Yui', dayContactPhone: '+81 6 5555 0100' });
    const [first] = await waitForMailTo(tourManager.email, 'Updated day sheet: Late Answer at Osaka Hall');
    const amended = await postAdvance(link, { dayContactName: 'Yui', dayContactPhone: '+81 90 5555 0199' });
    const updates = await waitForMailTo(tourManager.email, 'Updated day sheet: Late Answer at Osaka Hall', 2);
    await busIdle();

    expect([submitted, amended]).toEqual([303, 303]);
    expect(sheet.body.text).toContain('not submitted by the promoter');
    expect(first.body.text).toContain('On the day: Yui, +81 6 5555 0100');
    expect(updates.map((mail) => mail.body.text).at(-1)).toContain('On the day: Yui, +81 90 5555 0199');
    expect(await mailsTo(tourManager.email, 'Updated day sheet')).toHaveLength(2);
  }, 300_000);
});
