import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { makeHandler } from '#functions/deliverability/handler.ts';
import { aShowMail, detailOf, FakeDeliveries } from '#test/support/announcer-fakes.ts';
import { anOutlet, InMemoryOutletDirectory } from '#test/support/outlets.ts';

const now = new Date('2027-03-05T12:00:00Z');

function setup() {
  const outlets = new InMemoryOutletDirectory();
  outlets.outlets.set('out-1', anOutlet({ id: 'out-1', email: 'advance@venue.example' }));
  const deliveries = new FakeDeliveries();
  const handle = makeHandler({ outlets, deliveries, now: () => now });
  return { outlets, deliveries, handle };
}

/** SES's Email Rejected for the mail, as the default bus hands it over (SES names one reason, `Bad content`). */
const aRejection = (deliveryId: string) => ({
  version: '0',
  id: 'evt-reject-1',
  'detail-type': 'Email Rejected',
  source: 'aws.ses',
  account: '000000000000',
  time: '2027-03-05T11:00:02Z',
  region: 'us-east-1',
  resources: ['arn:aws:ses:us-east-1:000000000000:configuration-set/backline-operational'],
  detail: {
    eventType: 'Reject',
    mail: {
      messageId: 'msg-1',
      timestamp: '2027-03-05T11:00:01.000Z',
      destination: ['advance@venue.example'],
      tags: { delivery: [deliveryId], 'ses:configuration-set': ['backline-operational'] },
    },
    reject: { reason: 'Bad content' },
  },
});

const statusOf = async (deliveries: FakeDeliveries, deliveryId: string) =>
  (await deliveries.getMany([deliveryId])).get(deliveryId)?.status;

describe('the deliverability function, on a mail SES rejected after taking it', () => {
  it('marks the delivery rejected, no longer sent, and suppresses no address: the rejection is of the message', async () => {
    const { outlets, deliveries, handle } = setup();
    const delivery = await aShowMail(deliveries, 'campaign');

    const outcome = await handle(aRejection(delivery.deliveryId), {} as Context);

    expect(outcome).toEqual({ deliveryId: delivery.deliveryId, marked: true });
    expect(await statusOf(deliveries, delivery.deliveryId)).toBe('rejected');
    expect(await outlets.isSuppressed('advance@venue.example')).toBe(false);
    expect((await outlets.get('out-1'))?.suppressedAt).toBeUndefined();
    expect(outlets.outbox.entries).toEqual([]);
    expect(deliveries.outbox).toEqual([]);
  });

  it('tells whoever relies on an operational mail, once however often SES repeats the event, as a refusal naming its reason', async () => {
    const { deliveries, handle } = setup();
    const delivery = await aShowMail(deliveries, 'operational');

    await handle(aRejection(delivery.deliveryId), {} as Context);
    await handle(aRejection(delivery.deliveryId), {} as Context);

    expect(deliveries.outbox.map((entry) => [entry.source, entry.detailType])).toEqual([
      ['backline.deliverability', 'Mail Undeliverable'],
    ]);
    expect(detailOf(deliveries.outbox[0])).toMatchObject({
      metadata: { labelId: 'lbl-nightshift', correlationId: delivery.deliveryId },
      data: {
        deliveryId: delivery.deliveryId,
        address: 'advance@venue.example',
        stream: 'operational',
        subject: ['show', 'tour-eu', 'show-paris'],
        kind: 'advance-request',
        reason: 'refused',
        detail: 'Email Rejected: Bad content',
        context: { tourId: 'tour-eu', showId: 'show-paris' },
      },
    });
    expect(await statusOf(deliveries, delivery.deliveryId)).toBe('rejected');
  });

  it('closes a claim still open when the rejection comes, so the sweep does not send the mail again', async () => {
    const { deliveries, handle } = setup();
    const delivery = await aShowMail(deliveries, 'operational', { open: true });

    await handle(aRejection(delivery.deliveryId), {} as Context);

    expect(await statusOf(deliveries, delivery.deliveryId)).toBe('rejected');
    expect(await deliveries.stale('show', '2027-03-06T00:00:00.000Z', 10)).toEqual([]);
  });

  it('marks nothing for a mail that names no delivery', async () => {
    const { deliveries, handle } = setup();
    const event = aRejection('');
    event.detail.mail.tags = { delivery: [], 'ses:configuration-set': ['backline'] };

    const outcome = await handle(event, {} as Context);

    expect(outcome).toEqual({ marked: false });
    expect(deliveries.outbox).toEqual([]);
  });
});
