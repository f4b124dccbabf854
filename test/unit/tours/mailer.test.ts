import { describe, expect, it } from 'vitest';
import { bookTour } from '#functions/tours/apply-change.ts';
import { moduleTourMailer } from '#functions/tours/mailer.ts';
import type { TourMail } from '#functions/tours/ports.ts';
import { sweepStaleTourMail } from '#functions/tours/resend.ts';
import { mailSubjects } from '#shared/db/deliveries.ts';
import { defaultMailSettings } from '#shared/mail/ports.ts';
import { fakeMailDeps } from '#test/support/announcer-fakes.ts';
import { aShow, fakeToursDeps, InMemoryTours } from '#test/support/tours.ts';

const mailDeps = () => fakeMailDeps(() => new Date('2027-04-16T08:00:00Z'), defaultMailSettings(60));

const aMail = (overrides: Partial<TourMail> = {}): TourMail => ({
  stream: 'operational',
  to: { name: 'Promo', email: 'Booking@Promo.example' },
  labelId: 'lbl-1',
  subject: mailSubjects.show('tour-1', 'show-1'),
  kind: 'advance-request',
  template: 'notice',
  data: { text: { subject: 'Advance' }, html: { subject: 'Advance' } },
  context: { tourId: 'tour-1', showId: 'show-1' },
  ...overrides,
});

describe('tour mail through the mail module', () => {
  it('sends each mail once per identity, operational mail without an unsubscribe link', async () => {
    const { deps, deliveries, mailer } = mailDeps();
    const tourMailer = moduleTourMailer(
      deps,
      async () => 'https://b.example/u/x',
      60_000,
      new InMemoryTours().notePressAndClaim(deps.deliveries),
      new InMemoryTours().claimAwaitingAdvance(deps.deliveries),
    );

    const first = await tourMailer.send([aMail()]);
    const again = await tourMailer.send([aMail()]);

    expect([first, again]).toEqual([1, 0]);
    expect(mailer.calls).toHaveLength(1);
    expect(mailer.calls[0]).toMatchObject({ stream: 'operational', template: 'notice' });
    expect(mailer.calls[0].entries[0].unsubscribeUrl).toBeUndefined();
    expect([...deliveries.items.values()]).toEqual([
      expect.objectContaining({
        email: 'booking@promo.example',
        stream: 'operational',
        context: { tourId: 'tour-1', showId: 'show-1' },
      }),
    ]);
  });

  it('gives press its unsubscribe link (headers and footer) and its calendar, in one bulk call per set of shows', async () => {
    const { deps, mailer } = mailDeps();
    const tourMailer = moduleTourMailer(
      deps,
      async ({ outletId }) => `https://b.example/u/${outletId}`,
      60_000,
      new InMemoryTours().notePressAndClaim(deps.deliveries),
      new InMemoryTours().claimAwaitingAdvance(deps.deliveries),
    );
    const press = (outletId: string) =>
      aMail({
        stream: 'campaign',
        to: { name: outletId, email: `${outletId}@press.example` },
        subject: mailSubjects.tourShows('tour-1', 'DE-abc'),
        kind: 'press-announcement',
        template: 'tour-press',
        attachments: [{ fileName: 'shows.ics', contentType: 'text/calendar', content: 'BEGIN:VCALENDAR' }],
        context: { tourId: 'tour-1', country: 'DE', outletId },
        outletId,
      });

    await tourMailer.send([press('o1'), press('o2')]);

    expect(mailer.calls).toHaveLength(1);
    expect(mailer.calls[0].attachments).toEqual([expect.objectContaining({ fileName: 'shows.ics' })]);
    expect(
      mailer.calls[0].entries.map((e) => [
        e.unsubscribeUrl,
        (e.data as { text: { unsubscribeUrl: string } }).text.unsubscribeUrl,
      ]),
    ).toEqual([
      ['https://b.example/u/o1', 'https://b.example/u/o1'],
      ['https://b.example/u/o2', 'https://b.example/u/o2'],
    ]);
  });
});

describe('whether a tour mail reached SES', () => {
  it('fails a send the send rate left unfinished saying how many mails it left unsent, the claims it gave back counted', async () => {
    const { deps, deliveries } = mailDeps();
    deps.sendRate.acquire = async () => false;
    const tourMailer = moduleTourMailer(
      deps,
      async () => 'https://b.example/u/x',
      60_000,
      new InMemoryTours().notePressAndClaim(deps.deliveries),
      new InMemoryTours().claimAwaitingAdvance(deps.deliveries),
    );

    const sending = tourMailer.send([aMail(), aMail({ to: { name: 'Crew', email: 'crew@promo.example' } })]);

    await expect(sending).rejects.toThrow('2 tour mail(s) not sent in time');
    expect(deliveries.items.size).toBe(0);
  });

  it('counts a mail sent (bounced since too) for good, one claimed within the stale window as claimed, one refused or never claimed (given back) as not reached, and one gone stale as not yet ended', async () => {
    const { deps, deliveries } = mailDeps();
    const tourMailer = moduleTourMailer(
      deps,
      async () => 'https://b.example/u/x',
      60_000,
      new InMemoryTours().notePressAndClaim(deps.deliveries),
      new InMemoryTours().claimAwaitingAdvance(deps.deliveries),
    );
    const now = deps.now().getTime();
    const identity = (kind: string) => ({ ...aMail({ kind }), email: aMail().to.email });
    const claim = async (kind: string, claimedAgoMs: number) =>
      (await deliveries.claim(
        { ...identity(kind), stream: 'operational' },
        new Date(now - claimedAgoMs).toISOString(),
      ))!.deliveryId;
    const at = new Date(now).toISOString();
    await deliveries.markSent(await claim('sent', 0), 'msg-1', at);
    await deliveries.markOutcome(await claim('bounced', 0), 'bounced', { at });
    await claim('under-way', deps.settings.staleClaimMs - 1);
    await claim('stale', deps.settings.staleClaimMs + 1);
    await deliveries.markFailed(await claim('refused', 0), 'MESSAGE_REJECTED', at);

    const kinds = ['sent', 'bounced', 'under-way', 'stale', 'refused', 'never-claimed'];
    const reached = await tourMailer.reached(kinds.map(identity));

    expect(Object.fromEntries(kinds.map((kind, at) => [kind, reached[at]]))).toEqual({
      sent: true,
      bounced: true,
      'under-way': 'claimed',
      stale: undefined,
      refused: false,
      'never-claimed': false,
    });
  });
});

describe('stale tour mail', () => {
  it('sends an advance request again whose claim stayed open after a crash, written from the show as it is now', async () => {
    const { deps: mail, deliveries, mailer } = mailDeps();
    const now = { value: new Date('2027-04-16T08:00:00Z') };
    const world = fakeToursDeps(now);
    const deps = {
      ...world.deps,
      mailer: moduleTourMailer(
        mail,
        async () => 'https://b.example/u/x',
        60_000,
        world.tours.notePressAndClaim(mail.deliveries),
        world.tours.claimAwaitingAdvance(mail.deliveries),
      ),
    };
    await bookTour(
      {
        tourId: 'tour-1',
        artist: { name: 'The Midnight Echoes' },
        tourManager: { name: 'Sam', email: 'sam@tm.example' },
        shows: [aShow()],
      },
      { labelId: 'lbl-1', eventId: 'e1', correlationId: 'c', occurredAt: '2027-01-01T00:00:00.000Z' },
      deps,
    );
    // Claimed, then the invocation died before SendBulkEmail.
    await deliveries.claim(
      {
        labelId: 'lbl-1',
        subject: mailSubjects.show('tour-1', 'show-1'),
        email: 'booking@nacht.example',
        kind: 'advance-request',
        stream: 'operational',
        context: { tourId: 'tour-1', showId: 'show-1' },
      },
      new Date(now.value.getTime() - mail.settings.staleClaimMs - 60_000).toISOString(),
    );

    const swept = await sweepStaleTourMail(deps, Date.parse('2027-04-16T08:01:00Z'));

    expect(swept).toEqual({ resent: 1, closed: 0 });
    expect(mailer.delivered.map((m) => [m.email, m.kind])).toEqual([
      ['booking@nacht.example', 'advance-request'],
    ]);
    expect(JSON.stringify(mailer.calls[0].entries[0].data)).toContain('https://backline.example/a/show-1');
    expect(deliveries.of('sent')).toEqual([expect.objectContaining({ resends: 1 })]);
  });
});
