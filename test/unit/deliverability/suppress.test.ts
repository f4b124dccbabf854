import { describe, expect, it } from 'vitest';
import { type DeliverabilityDeps, handleSesFeedback } from '#functions/deliverability/suppress.ts';
import { SesEvent } from '#shared/events/ses.ts';
import { aShowMail, detailOf, FakeDeliveries } from '#test/support/announcer-fakes.ts';
import { anOutlet, InMemoryOutletDirectory } from '#test/support/outlets.ts';

const now = new Date('2027-03-05T12:00:00Z');

function setup() {
  const outlets = new InMemoryOutletDirectory();
  outlets.outlets.set('out-1', anOutlet({ id: 'out-1', email: 'news@radio.example' }));
  const bus = outlets.outbox;
  const deliveries = new FakeDeliveries();
  const marked: [string, string][] = [];
  const deps: DeliverabilityDeps = {
    outlets,
    deliveries: {
      markOutcome: async (deliveryId, status, detail, events) => {
        marked.push([status, deliveryId]);
        return deliveries.markOutcome(deliveryId, status, detail, events);
      },
    },
    now: () => now,
  };
  return { outlets, bus, marked, deps, deliveries };
}

const mail = (to = 'News@Radio.example') => ({
  messageId: '0100018f-abc',
  timestamp: '2027-03-05T11:59:00.000Z',
  destination: [to],
  tags: { delivery: ['d-123'], 'ses:configuration-set': ['backline'] },
});

const aBounce = (bounceType: 'Permanent' | 'Transient', to?: string, id?: string) =>
  SesEvent.parse({
    ...(id ? { id } : {}),
    'detail-type': 'Email Bounced',
    source: 'aws.ses',
    detail: {
      eventType: 'Bounce',
      mail: mail(to),
      bounce: {
        bounceType,
        bounceSubType: bounceType === 'Permanent' ? 'General' : 'MailboxFull',
        bouncedRecipients: [{ emailAddress: to ?? 'News@Radio.example' }],
      },
    },
  });

/** A complaint; `report` is what SES passes on of the feedback report (RFC 5965's Feedback-Type), `abuse` unless given. */
const aComplaint = (
  to?: string,
  report: { complaintFeedbackType?: string; complaintSubType?: string | null } = {
    complaintFeedbackType: 'abuse',
  },
) =>
  SesEvent.parse({
    'detail-type': 'Email Complaint Received',
    source: 'aws.ses',
    detail: {
      eventType: 'Complaint',
      mail: mail(to),
      complaint: { complainedRecipients: [{ emailAddress: to ?? 'news@radio.example' }], ...report },
    },
  });

describe('handleSesFeedback', () => {
  it('suppresses the address and its outlet on a permanent bounce, marking the delivery', async () => {
    const { outlets, bus, marked, deps } = setup();

    await handleSesFeedback(aBounce('Permanent'), deps);

    expect(await outlets.get('out-1')).toMatchObject({
      suppressedAt: now.toISOString(),
      suppressionReason: 'bounce',
    });
    expect(await outlets.isSuppressed('news@radio.example')).toBe(true);
    expect(bus.ofType('Outlet Suppressed').map((event) => event.data)).toEqual([
      { email: 'news@radio.example', outletId: 'out-1', reason: 'bounce', detail: 'Permanent/General' },
    ]);
    expect(marked).toEqual([['bounced', 'd-123']]);
  });

  it('suppresses the address it mailed when the bounce names another (a mailbox forwarding to it)', async () => {
    const { outlets, deps } = setup();
    const forwarded = SesEvent.parse({
      'detail-type': 'Email Bounced',
      source: 'aws.ses',
      detail: {
        eventType: 'Bounce',
        mail: mail('News@Radio.example'),
        bounce: {
          bounceType: 'Permanent',
          bounceSubType: 'General',
          bouncedRecipients: [{ emailAddress: 'old-desk@forwarded.example' }],
        },
      },
    });

    await handleSesFeedback(forwarded, deps);

    expect(await outlets.isSuppressed('news@radio.example')).toBe(true);
    expect((await outlets.get('out-1'))?.suppressionReason).toBe('bounce');
  });

  it('suppresses on a complaint', async () => {
    const { outlets, marked, bus, deps } = setup();

    await handleSesFeedback(aComplaint(), deps);

    expect((await outlets.get('out-1'))?.suppressionReason).toBe('complaint');
    expect(bus.ofType('Outlet Suppressed')[0].data).toMatchObject({ reason: 'complaint', detail: 'abuse' });
    expect(marked).toEqual([['complained', 'd-123']]);
  });

  it.each([
    ['abuse', { complaintFeedbackType: 'abuse' }, 'abuse'],
    ['auth-failure', { complaintFeedbackType: 'auth-failure' }, 'auth-failure'],
    ['fraud', { complaintFeedbackType: 'fraud' }, 'fraud'],
    ['other', { complaintFeedbackType: 'other' }, 'other'],
    ['virus', { complaintFeedbackType: 'virus' }, 'virus'],
    ['no feedback type', {}, undefined],
    [
      'SES not sending to an address on its suppression list',
      { complaintSubType: 'OnAccountSuppressionList' },
      'OnAccountSuppressionList',
    ],
  ])('suppresses on a complaint whose report is %s', async (_, report, detail) => {
    const { outlets, marked, bus, deps } = setup();

    const outcome = await handleSesFeedback(aComplaint(undefined, report), deps);

    expect(outcome.suppressed).toEqual(['news@radio.example']);
    expect(await outlets.isSuppressed('news@radio.example')).toBe(true);
    expect(bus.ofType('Outlet Suppressed').map((event) => event.data)).toEqual([
      { email: 'news@radio.example', outletId: 'out-1', reason: 'complaint', ...(detail ? { detail } : {}) },
    ]);
    expect(marked).toEqual([['complained', 'd-123']]);
  });

  // An address suppressed before (SES's event delivered again, a complaint after the bounce) is no new
  // suppression, and its event is not written again (the Suppressions metric counts those events).
  it('names as suppressed only the addresses this event suppressed, not those suppressed before', async () => {
    const { deps } = setup();

    const first = await handleSesFeedback(aBounce('Permanent', undefined, 'ev-1'), deps);
    const again = await handleSesFeedback(aBounce('Permanent', undefined, 'ev-2'), deps);
    const complaint = await handleSesFeedback(aComplaint(), deps);

    expect([first.suppressed, again.suppressed, complaint.suppressed]).toEqual([
      ['news@radio.example'],
      [],
      [],
    ]);
  });

  it('suppresses nothing on a not-spam report, which takes back a spam verdict on the mail', async () => {
    const { outlets, bus, marked, deps } = setup();

    const outcome = await handleSesFeedback(
      aComplaint(undefined, { complaintFeedbackType: 'not-spam' }),
      deps,
    );

    expect(outcome).toEqual({ suppressed: [], ignored: 'not-spam', deliveryId: 'd-123' });
    expect(await outlets.isSuppressed('news@radio.example')).toBe(false);
    expect((await outlets.get('out-1'))?.suppressedAt).toBeUndefined();
    expect(bus.entries).toHaveLength(0);
    expect(marked).toEqual([]);
  });

  it('changes nothing on a transient bounce', async () => {
    const { outlets, bus, marked, deps } = setup();

    const outcome = await handleSesFeedback(aBounce('Transient'), deps);

    expect(outcome.ignored).toBe('transient-bounce');
    expect((await outlets.get('out-1'))?.suppressedAt).toBeUndefined();
    expect(bus.entries).toHaveLength(0);
    expect(marked).toEqual([]);
  });

  it('emits Outlet Suppressed once when the same event or a later complaint arrives again', async () => {
    const { bus, outlets, deps } = setup();

    await handleSesFeedback(aBounce('Permanent'), deps);
    await handleSesFeedback(aBounce('Permanent'), deps);
    await handleSesFeedback(aComplaint(), deps);

    expect(bus.ofType('Outlet Suppressed')).toHaveLength(1);
    expect((await outlets.get('out-1'))?.suppressionReason).toBe('bounce');
  });

  it('states the event once when two deliveries of the same bounce are handled at the same time', async () => {
    const { bus, deps } = setup();

    await Promise.all([
      handleSesFeedback(aBounce('Permanent'), deps),
      handleSesFeedback(aBounce('Permanent'), deps),
    ]);

    expect(bus.ofType('Outlet Suppressed')).toHaveLength(1);
  });

  it('states Outlet Suppressed in the outbox with the suppression, once, so a retry after a crash adds nothing', async () => {
    const { bus, deps } = setup();
    await handleSesFeedback(aBounce('Permanent', undefined, 'evt-1'), deps);

    await handleSesFeedback(aBounce('Permanent', undefined, 'evt-1'), deps);

    expect(bus.ofType('Outlet Suppressed')).toHaveLength(1);
    expect(bus.entries[0]).toMatchObject({
      source: 'backline.deliverability',
      detailType: 'Outlet Suppressed',
    });
  });

  it('suppresses an address no outlet has yet, and a later outlet with it starts suppressed', async () => {
    const { outlets, bus, deps } = setup();

    await handleSesFeedback(aBounce('Permanent', 'stranger@else.example'), deps);
    const created = await outlets.create(
      { name: 'Late', email: 'stranger@else.example', kind: 'blog', genres: [], territories: ['WW'] },
      { id: 'out-2', now: now.toISOString() },
    );

    expect(bus.ofType('Outlet Suppressed')[0].data).toEqual({
      email: 'stranger@else.example',
      reason: 'bounce',
      detail: 'Permanent/General',
    });
    expect(created.suppressedAt).toBe(now.toISOString());
  });

  describe('for operational mail', () => {
    const aShowMailBouncing = async (deliveries: FakeDeliveries, stream: 'operational' | 'campaign') => {
      const delivery = await aShowMail(deliveries, stream);
      const bounce = aBounce('Permanent', 'advance@venue.example');
      bounce.detail.mail.tags = { delivery: [delivery.deliveryId] };
      return { delivery, bounce };
    };

    it('states Mail Undeliverable once, with what the mail was about and whom it concerns, however often SES repeats the bounce', async () => {
      const { deps, deliveries } = setup();
      const { delivery, bounce } = await aShowMailBouncing(deliveries, 'operational');

      await handleSesFeedback(bounce, deps);
      await handleSesFeedback(bounce, deps);

      expect(deliveries.outbox.map((entry) => [entry.source, entry.detailType])).toEqual([
        ['backline.deliverability', 'Mail Undeliverable'],
      ]);
      expect(detailOf(deliveries.outbox[0])).toMatchObject({
        metadata: { labelId: 'lbl-nightshift', correlationId: delivery.deliveryId },
        data: {
          deliveryId: delivery.deliveryId,
          address: 'advance@venue.example',
          stream: 'operational',
          labelId: 'lbl-nightshift',
          subject: ['show', 'tour-eu', 'show-paris'],
          kind: 'advance-request',
          reason: 'bounce',
          context: { tourId: 'tour-eu', showId: 'show-paris' },
        },
      });
      expect((await deliveries.getMany([delivery.deliveryId])).get(delivery.deliveryId)?.status).toBe(
        'bounced',
      );
    });

    it('states nothing of the kind for a campaign mail: the outlet is suppressed and that is all', async () => {
      const { deps, deliveries, bus } = setup();
      const { bounce } = await aShowMailBouncing(deliveries, 'campaign');

      await handleSesFeedback(bounce, deps);

      expect(deliveries.outbox).toEqual([]);
      expect(bus.ofType('Outlet Suppressed')).toHaveLength(1);
    });
  });
});
