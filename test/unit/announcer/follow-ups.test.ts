import { describe, expect, it } from 'vitest';
import { sendMailing } from '#functions/announcer/mailing.ts';
import { settleFromEmailsSent } from '#functions/announcer/settle.ts';
import { momentOf, revisionOf } from '#shared/releases.ts';
import { detailOf, fakeWorld } from '#test/support/announcer-fakes.ts';
import { anOutlet, aReleaseDetails, aStoredRelease } from '#test/support/releases.ts';

/**
 * an announcement whose completion publish fails is retried by Lambda (the documented path:
 * "a failed publish fails the invocation, which Lambda retries"). The retry must still ask for the
 * date change that the date-change mailing passed the in-flight announcement by.
 */
const far = () => Date.parse('2100-01-01T00:00:00Z');
const announce = { labelId: 'lbl-nightshift', releaseId: 'rel-night-drive', kind: 'announcement' as const };
const meta = { correlationId: 'corr-1' };

describe('an announcement mailing retried after its completion publish failed', () => {
  it('still asks for the date change its in-flight mails need', async () => {
    const outlet = anOutlet();
    const world = fakeWorld({ releases: [aStoredRelease()], outlets: [outlet] });
    const moved = aStoredRelease({
      details: aReleaseDetails({ releaseDate: '2027-04-02' }),
      occurredAt: '2026-02-01T10:00:00.000Z',
      movedAt: '2026-02-01T10:00:00.000Z',
    });
    const revision = revisionOf(momentOf(moved.details!));
    const send = world.deps.mailer.sendBulk;
    world.deps.mailer.sendBulk = async (mail) => {
      const results = await send(mail);
      if (mail.kind === 'announcement') {
        // While the announcement is in flight, the date moves and the date change is mailed (passing it).
        world.releases.set('lbl-nightshift/rel-night-drive', moved);
        await sendMailing({ ...announce, kind: 'date-change', revision }, meta, world.deps, far());
      }
      return results;
    };
    const publish = world.deps.events.publish;
    // The announcement's completion (Release Announced with its follow-ups) fails to be put on the bus.
    world.deps.events.publish = async (events) => {
      if (events.some((e) => e.detailType === 'Release Announced'))
        throw new Error('EventBridge refused 2 event(s): InternalFailure');
      return publish(events);
    };
    await expect(sendMailing(announce, meta, world.deps, far())).rejects.toThrow();
    world.deps.events.publish = publish;

    // Lambda's async retry of the same Mailing Requested.
    await sendMailing(announce, meta, world.deps, far());
    for (const entry of world.published.filter((e) => e.detailType === 'Mailing Requested')) {
      const request = detailOf(entry).data;
      if (request.kind === 'date-change') await sendMailing(request, meta, world.deps, far());
    }

    expect(world.mailer.receivedBy(outlet.email).map((m) => m.kind)).toEqual(['announcement', 'date-change']);
  });
});

const emailSent = (mail: { messageId: string; email: string; deliveryId: string }) => ({
  eventType: 'Send',
  mail: {
    messageId: mail.messageId,
    timestamp: '2027-03-01T12:00:01Z',
    destination: [mail.email],
    tags: { delivery: [mail.deliveryId] },
  },
});

describe('settling a late announcement when asking for its follow-up fails once', () => {
  it('still gets the date change to the outlet after the settlement batch is redelivered', async () => {
    const outlet = anOutlet();
    const world = fakeWorld({ releases: [aStoredRelease()], outlets: [outlet] });
    // SES accepts the announcement, its answer is lost: the claim stays open.
    world.mailer.script = (_mail, call) => (call === 1 ? 'accept-then-fail' : (undefined as never));
    await sendMailing(announce, meta, world.deps, far());
    // The label moves the date; the date-change mailing passes the outlet (its announcement is still claimed).
    const moved = aStoredRelease({
      details: aReleaseDetails({ releaseDate: '2027-04-02' }),
      occurredAt: '2026-02-01T10:00:00.000Z',
      movedAt: '2026-02-01T10:00:00.000Z',
    });
    world.releases.set('lbl-nightshift/rel-night-drive', moved);
    const revision = revisionOf(momentOf(moved.details!));
    await sendMailing({ ...announce, kind: 'date-change', revision }, meta, world.deps, far());
    const [mail] = world.mailer.delivered;
    const batch = [emailSent({ messageId: mail.messageId, email: mail.email, deliveryId: mail.deliveryId })];

    // First delivery of the settlement batch: PutEvents fails (EventBridge refusing, retries
    // exhausted) and SQS redelivers the event.
    const publish = world.deps.events.publish;
    world.deps.events.publish = async () => {
      throw new Error('EventBridge refused 1 event(s): InternalFailure');
    };
    const failed = await settleFromEmailsSent(batch, world.deps);
    world.deps.events.publish = publish;
    const retried = await settleFromEmailsSent(batch, world.deps);

    // The event failed with its claim left open, so the retry settled it and asked again.
    expect([failed, retried]).toEqual([[0], []]);

    for (const entry of world.published.filter((e) => e.detailType === 'Mailing Requested')) {
      const request = detailOf(entry).data;
      if (request.kind === 'date-change') await sendMailing(request, meta, world.deps, far());
    }
    expect(world.mailer.receivedBy(outlet.email).map((m) => m.kind)).toEqual(['announcement', 'date-change']);
  });
});
