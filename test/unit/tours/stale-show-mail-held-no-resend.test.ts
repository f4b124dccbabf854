import { describe, expect, it } from 'vitest';
import { deliveryIdOf } from '#shared/db/deliveries.ts';
import { settleFromEmailsSent } from '#shared/mail/email-sent.ts';
import { aShow, bookedWithMailModule, changeAt, showMailClaim, sweepAt } from '#test/support/tours.ts';

// docs/design.md#exactly-once-mail: a claim the sweep takes over for a resend counts a resend once settled.
// One it leaves open unsent because its show is on hold (held, docs/design.md#tours) was sent by nobody
// again: when the first sending's Email Sent arrives late, the mail was sent once, not resent.
describe('a stale show claim held while the show is on hold, then settled by its first Email Sent', () => {
  it('counts no resend: nothing was sent again', async () => {
    const w = await bookedWithMailModule('2027-04-16T08:00:00Z');
    const claim = showMailClaim('advance-request', 'booking@nacht.example');
    await w.mail.deliveries.claim(claim, w.now.value.toISOString());
    await changeAt(w, '2027-04-16T08:05:00Z', { type: 'set', show: aShow({ status: 'hold' }) });
    await sweepAt(w, '2027-04-16T09:00:00Z');
    const deliveryId = deliveryIdOf(claim);

    // SES did take the first sending: its Email Sent event arrives late.
    const settled = await settleFromEmailsSent(
      [
        {
          eventType: 'Send',
          mail: {
            messageId: 'msg-first',
            timestamp: '2027-04-16T08:00:01Z',
            destination: ['booking@nacht.example'],
            tags: { delivery: [deliveryId] },
          },
        },
      ],
      w.mail,
    );

    expect(settled.settled.map((d) => d.deliveryId)).toEqual([deliveryId]);
    const delivery = (await w.mail.deliveries.getMany([deliveryId])).get(deliveryId);
    expect(delivery).toMatchObject({ status: 'sent', messageId: 'msg-first' });
    expect(delivery?.resends ?? 0).toBe(0);
    expect(w.ses.delivered).toEqual([]);
  });
});
