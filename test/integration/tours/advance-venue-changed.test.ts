import { describe, expect, it } from 'vitest';
import { busIdle, clockNow, uniqueId } from '#test/support/cloud.ts';
import {
  anAdvanceLink,
  aVenue,
  mailsTo,
  postAdvance,
  sendWebhook,
  waitForMailTo,
} from '#test/support/tours-cloud.ts';

/**
 * A show moved to another venue with the same promoter, on the local cloud: the advance is about a
 * venue, so the promoter is asked again for the new one, once, and the old venue's answers are not
 * shown as its own (docs/design.md#tours).
 */
describe('a show moved to another venue with the same promoter', () => {
  it('mails the promoter one advance request for the new venue, nothing more for a redelivered webhook or new times, and the form holds none of the old answers', async () => {
    const { label, tourId, show, link } = await anAdvanceLink(
      aVenue('Lyon', 'FR', 'Europe/Paris'),
      'Venue Swap',
      'Same',
    );
    expect(await postAdvance(link, { power: 'LYON HALL 63 A' })).toBe(303);
    const webhook = async (data: unknown, id: string, timestamp: string) => {
      const sent = await sendWebhook(label, { type: 'tour.show.updated', timestamp, data }, { id });
      expect(sent.status).toBe(202);
    };
    const moved = {
      ...show,
      venue: { ...show.venue, name: 'Transbordeur', address: '3 Boulevard de Stalingrad' },
    };
    const movedAt = new Date((await clockNow()).getTime() + 60_000).toISOString();
    const webhookId = `msg_${uniqueId('venue')}`;

    await webhook({ tourId, show: moved }, webhookId, movedAt);
    const requests = await waitForMailTo(show.promoter.email, 'Advance for Venue Swap', 2);
    // Redelivered as a label's retry is (the same message again), then the doors moved at the new venue.
    await webhook({ tourId, show: moved }, webhookId, movedAt);
    const retimedAt = new Date(Date.parse(movedAt) + 60_000).toISOString();
    await webhook(
      { tourId, show: { ...moved, times: { ...moved.times, doors: '19:30' } } },
      `msg_${uniqueId('doors')}`,
      retimedAt,
    );
    await busIdle();
    const form = await (await fetch(link)).text();

    expect(requests.map((mail) => mail.subject).at(-1)).toContain('Transbordeur');
    expect(await mailsTo(show.promoter.email, 'Advance for Venue Swap')).toHaveLength(2);
    expect(form).toContain('Transbordeur');
    expect(form).toContain('19:30');
    expect(form).not.toContain('LYON HALL 63 A');
  }, 300_000);
});
