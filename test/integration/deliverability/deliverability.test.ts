import { randomUUID } from 'node:crypto';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { deliveryKey } from '#shared/db/deliveries.ts';
import type { Outlet } from '#shared/outlets.ts';
import {
  api,
  busEvents,
  busIdle,
  cloud,
  documentClient,
  publishSesEvents,
  sdkConfig,
  waitFor,
} from '#test/support/cloud.ts';
import { createOutlet, localOutletDirectory, uniqueEmail } from '#test/support/outlets-cloud.ts';

const suppressedEventsFor = async (email: string) =>
  (await busEvents({ detailType: 'Outlet Suppressed' })).filter(
    (event) => event.detail.data?.email === email,
  );

/** A delivery marked sent to the outlet's address, as its sender leaves it: its id. */
const sentDelivery = async (outlet: Outlet) => {
  const deliveryId = randomUUID().replaceAll('-', '');
  await documentClient().send(
    new PutCommand({
      TableName: cloud().tableName,
      Item: {
        ...deliveryKey(deliveryId),
        deliveryId,
        outletId: outlet.id,
        email: outlet.email,
        status: 'sent',
      },
    }),
  );
  return deliveryId;
};

/** The delivery once deliverability has marked it `status`. */
const deliveryMarked = (deliveryId: string, status: string) => {
  const db = documentClient();
  return waitFor(
    async () => {
      const { Item } = await db.send(
        new GetCommand({ TableName: cloud().tableName, Key: deliveryKey(deliveryId) }),
      );
      return Item?.status === status && Item;
    },
    { what: `the delivery to be marked ${status}` },
  );
};

const outletNow = async (id: string) => (await (await api(`/media-outlets/${id}`)).json()) as Outlet;

/** A bounce or complaint as SES records it, for `publishSesEvents`. */
const sesEvent = (
  detailType: 'Email Bounced' | 'Email Complaint Received',
  email: string,
  detail: Record<string, unknown>,
  deliveryId = randomUUID().replaceAll('-', ''),
) => ({
  detailType,
  detail: {
    eventType: detailType === 'Email Bounced' ? 'Bounce' : 'Complaint',
    mail: {
      messageId: randomUUID(),
      timestamp: new Date().toISOString(),
      source: cloud().env.SENDER_ADDRESS,
      destination: [email],
      tags: { delivery: [deliveryId] },
    },
    ...detail,
  },
});

describe('deliverability', () => {
  it('suppresses an outlet that complains about mail sent through the configuration set', async () => {
    const outlet = await createOutlet({ email: `complaint+${randomUUID()}@simulator.amazonses.com` });
    const ses = new SESv2Client(sdkConfig('ses'));

    await ses.send(
      new SendEmailCommand({
        FromEmailAddress: cloud().env.SENDER_ADDRESS,
        Destination: { ToAddresses: [outlet.email] },
        ConfigurationSetName: cloud().env.SES_CONFIGURATION_SET,
        EmailTags: [{ Name: 'delivery', Value: randomUUID().replaceAll('-', '') }],
        Content: {
          Simple: { Subject: { Data: 'Night Drive' }, Body: { Text: { Data: 'Out on 5 March.' } } },
        },
      }),
    );
    const events = await waitFor(
      async () => {
        const found = await suppressedEventsFor(outlet.email);
        return found.length > 0 && found;
      },
      { what: 'Outlet Suppressed for the complaining outlet' },
    );

    expect(events).toHaveLength(1);
    expect(events[0].detail.data).toMatchObject({
      email: outlet.email,
      outletId: outlet.id,
      reason: 'complaint',
    });
    // The outlet is marked after the suppression and its event are written (the event's outbox entry
    // may reach the bus first), so the test waits for the outlet as for the event.
    const suppressed = await waitFor(
      async () => {
        const now = await outletNow(outlet.id);
        return now.suppressedAt !== undefined && now;
      },
      { what: 'the complaining outlet marked suppressed' },
    );
    expect(suppressed).toMatchObject({ suppressionReason: 'complaint' });
  });

  it('suppresses on a permanent bounce once, however often SES repeats it, and ignores transient ones', async () => {
    const hard = await createOutlet();
    const soft = await createOutlet();
    const permanent = sesEvent('Email Bounced', hard.email, {
      bounce: {
        bounceType: 'Permanent',
        bounceSubType: 'General',
        bouncedRecipients: [{ emailAddress: hard.email }],
      },
    });
    const transient = sesEvent('Email Bounced', soft.email, {
      bounce: {
        bounceType: 'Transient',
        bounceSubType: 'MailboxFull',
        bouncedRecipients: [{ emailAddress: soft.email }],
      },
    });

    await publishSesEvents([permanent, permanent, transient]);
    await waitFor(
      async () => {
        const handled = (await busEvents({ detailType: 'Email Bounced' })).filter((event) =>
          [hard.email, soft.email].includes((event.detail.mail as { destination: string[] }).destination[0]),
        );
        return (
          handled.length === 3 &&
          handled.every((event) => event.invocations.every((i) => i.status === 'succeeded'))
        );
      },
      { what: 'deliverability to handle the three bounces' },
    );
    // Outlet Suppressed goes out through the outbox: idle waits until the stream is caught up.
    await busIdle();

    expect(await suppressedEventsFor(hard.email)).toHaveLength(1);
    expect((await outletNow(hard.id)).suppressionReason).toBe('bounce');
    expect((await outletNow(soft.id)).suppressedAt).toBeUndefined();
    expect(await suppressedEventsFor(soft.email)).toHaveLength(0);
  });

  it('marks the delivery that bounced', async () => {
    const outlet = await createOutlet();
    const deliveryId = await sentDelivery(outlet);

    await publishSesEvents([
      sesEvent(
        'Email Bounced',
        outlet.email,
        {
          bounce: {
            bounceType: 'Permanent',
            bounceSubType: 'General',
            bouncedRecipients: [{ emailAddress: outlet.email }],
          },
        },
        deliveryId,
      ),
    ]);
    const delivery = await deliveryMarked(deliveryId, 'bounced');

    expect(delivery.status).toBe('bounced');
  });

  it('marks the delivery SES rejected after taking it, and suppresses nothing', async () => {
    const outlet = await createOutlet();
    const deliveryId = await sentDelivery(outlet);

    await publishSesEvents([
      {
        detailType: 'Email Rejected',
        detail: {
          eventType: 'Reject',
          mail: {
            messageId: randomUUID(),
            timestamp: new Date().toISOString(),
            source: cloud().env.SENDER_ADDRESS,
            destination: [outlet.email],
            tags: { delivery: [deliveryId] },
          },
          reject: { reason: 'Bad content' },
        },
      },
    ]);
    const delivery = await deliveryMarked(deliveryId, 'rejected');
    await busIdle();

    expect(delivery.status).toBe('rejected');
    expect(await suppressedEventsFor(outlet.email)).toHaveLength(0);
    expect((await outletNow(outlet.id)).suppressedAt).toBeUndefined();
  });

  it('suppresses nothing on a not-spam report, which takes back a spam verdict, and does on any other', async () => {
    const corrected = await createOutlet();
    const complained = await createOutlet();
    const report = (email: string, complaintFeedbackType: string) =>
      sesEvent('Email Complaint Received', email, {
        complaint: { complainedRecipients: [{ emailAddress: email }], complaintFeedbackType },
      });

    await publishSesEvents([report(corrected.email, 'not-spam'), report(complained.email, 'other')]);
    await waitFor(async () => (await suppressedEventsFor(complained.email)).length > 0, {
      what: 'the suppression of the address complained about',
    });
    // The not-spam report was handled in the same call; its outbox, if it wrote one, is on the bus by idle.
    await busIdle();

    expect(await suppressedEventsFor(corrected.email)).toHaveLength(0);
    expect((await outletNow(corrected.id)).suppressedAt).toBeUndefined();
    expect(await localOutletDirectory().isSuppressed(corrected.email)).toBe(false);
    expect((await suppressedEventsFor(complained.email))[0].detail.data).toMatchObject({
      reason: 'complaint',
      detail: 'other',
    });
  });

  it('keeps an address suppressed for an outlet created after the complaint', async () => {
    const email = uniqueEmail('late');

    await publishSesEvents([
      sesEvent('Email Complaint Received', email, {
        complaint: { complainedRecipients: [{ emailAddress: email }], complaintFeedbackType: 'abuse' },
      }),
    ]);
    await waitFor(async () => (await suppressedEventsFor(email)).length > 0, { what: 'the suppression' });
    const outlet = await createOutlet({ email });

    expect(outlet.suppressedAt).toBeDefined();
    expect(await localOutletDirectory().isSuppressed(email)).toBe(true);
  });
});
