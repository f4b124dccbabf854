import { describe, expect, it } from 'vitest';
import { countMail, deliveryRows } from '#functions/management/releases.ts';
import { mailSubjects } from '#shared/db/deliveries.ts';
import { FakeDeliveries } from '#test/support/announcer-fakes.ts';

describe('the release view of an announcement SES rejected after taking it', () => {
  it('counts and lists it as rejected, not sent', async () => {
    const deliveries = new FakeDeliveries();
    const claimed = async (email: string) => {
      const delivery = (await deliveries.claim(
        {
          labelId: 'lbl-nightshift',
          subject: mailSubjects.release('rel-night-drive'),
          email,
          kind: 'announcement',
          stream: 'campaign',
          context: { outletId: `out-${email}` },
        },
        '2027-03-05T11:00:00.000Z',
      ))!;
      await deliveries.markSent(delivery.deliveryId, `msg-${email}`, '2027-03-05T11:00:01.000Z');
      return delivery;
    };
    await claimed('desk@radio.example');
    const rejected = await claimed('news@blog.example');

    await deliveries.markOutcome(rejected.deliveryId, 'rejected', { at: '2027-03-05T11:00:02.000Z' });

    const all = [...deliveries.items.values()];
    expect(countMail(all).announcement).toMatchObject({ sent: 1, rejected: 1 });
    expect(deliveryRows(all, new Map()).map((row) => [row.email, row.status])).toEqual([
      ['desk@radio.example', 'sent'],
      ['news@blog.example', 'rejected'],
    ]);
  });
});
