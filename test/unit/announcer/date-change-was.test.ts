import { describe, expect, it } from 'vitest';
import { type MailingRequest, sendMailing } from '#functions/announcer/mailing.ts';
import { defaultSettings } from '#functions/announcer/ports.ts';
import { sweepStaleClaims } from '#functions/announcer/settle.ts';
import { decideChange, type ReleaseChange } from '#functions/releases/apply-change.ts';
import { settleFromEmailsSent } from '#functions/settlement/settle.ts';
import type { ReleaseDetails } from '#shared/events/release-scheduled.ts';
import {
  announce,
  emailSent,
  type FakeWorld,
  fakeWorld,
  far,
  mailTextOf,
  meta,
  runRequested,
} from '#test/support/announcer-fakes.ts';
import { anOutlet, aReleaseDetails, aStoredRelease } from '#test/support/releases.ts';

/**
 * What a date change says the date "was": the date the outlet's address was last told (by its
 * announcement, or its last date change), not the release's date before its last move (see
 * docs/design.md#exactly-once-mail).
 */

const key = 'lbl-nightshift/rel-night-drive';

/**
 * The label changes the release at `occurredAt` (a description, or a cancellation), as releases
 * applies it; answers the mailings of `kind` it asks for.
 */
function labelChanges(
  world: FakeWorld,
  change: ReleaseDetails | ReleaseChange,
  occurredAt: string,
  kind: MailingRequest['kind'] = 'date-change',
): MailingRequest[] {
  const { next, effects } = decideChange(
    world.releases.get(key),
    'type' in change ? change : { type: 'Release Updated', details: change },
    { labelId: 'lbl-nightshift', eventId: `evt-${occurredAt}`, correlationId: 'corr-1', occurredAt },
    occurredAt,
  );
  world.releases.set(key, next);
  return effects.flatMap((effect) =>
    effect.type === 'request-mailing' && effect.kind === kind
      ? [
          {
            ...announce,
            kind,
            ...(effect.revision ? { revision: effect.revision } : {}),
            ...(effect.moment ? { moment: effect.moment } : {}),
            ...(effect.territories ? { territories: effect.territories } : {}),
            ...(effect.movedFrom ? { movedFrom: effect.movedFrom } : {}),
          },
        ]
      : [],
  );
}

/** The label's change, and the date-change mailings it asks for, run at once (in the order asked, or `reversed`). */
async function moveAndMail(
  world: FakeWorld,
  details: ReleaseDetails,
  occurredAt: string,
  order = 'as asked',
) {
  const asked = labelChanges(world, details, occurredAt);
  for (const request of order === 'reversed' ? asked.reverse() : asked)
    await sendMailing(request, meta, world.deps, far());
}

/** The label cancels the release (in `territories` only: a withdrawal), and its mailing runs at once. */
async function cancelAndMail(world: FakeWorld, territories: string[] | undefined, occurredAt: string) {
  const change: ReleaseChange = {
    type: 'Release Cancelled',
    releaseId: 'rel-night-drive',
    ...(territories ? { territories } : {}),
  };
  for (const request of labelChanges(world, change, occurredAt, 'cancellation'))
    await sendMailing(request, meta, world.deps, far());
}

/** A world whose one outlet's announcement SES accepted but whose answer was lost: its claim stays open. */
async function announcedWithItsAnswerLost(details: ReleaseDetails, territories = ['GB']) {
  const outlet = anOutlet({ territories });
  const world = fakeWorld({ releases: [aStoredRelease({ details })], outlets: [outlet] });
  world.mailer.script = (_mail, call) => (call === 1 ? 'accept-then-fail' : (undefined as never));
  await sendMailing(announce, meta, world.deps, far());
  world.mailer.script = undefined;
  return { outlet, world };
}

/**
 * A British outlet announced the release for 5 March, SES's answer lost (the claim open); the label moves
 * it to 12 March on 1 February, then to `then` on 2 February, each date change's mailing run at once.
 */
async function movedTwiceWhileAnnouncementClaimed(then: string) {
  const announced = await announcedWithItsAnswerLost(aReleaseDetails({ releaseDate: '2027-03-05' }));
  await moveAndMail(
    announced.world,
    aReleaseDetails({ releaseDate: '2027-03-12' }),
    '2026-02-01T10:00:00.000Z',
  );
  await moveAndMail(announced.world, aReleaseDetails({ releaseDate: then }), '2026-02-02T10:00:00.000Z');
  return announced;
}

/** SES's Email Sent for the announcement settles it now: the follow-ups of `kind` it asks for are run. */
async function settleAnnouncement(world: FakeWorld, kind = 'date-change') {
  const mail = world.mailer.delivered.find((m) => m.kind === 'announcement')!;
  await settleFromEmailsSent([emailSent(mail)], world.deps);
  await runRequested(world, kind);
}

/** "Worldwide on 5 March (London), Japan on 12 March (Tokyo)". */
const worldwideAndJapan = aReleaseDetails({
  territories: ['WW', 'JP'],
  territoryDates: [{ territories: ['JP'], releaseDate: '2027-03-12', timeZone: 'Asia/Tokyo' }],
});
/** Worldwide on 19 March, Japan no longer named. */
const worldwideLater = aReleaseDetails({ territories: ['WW'], releaseDate: '2027-03-19' });

/**
 * `email`'s announcement as a sender from before first mails kept the dates they told recorded it
 * (docs/design.md#exactly-once-mail): its delivery without told dates.
 */
function keptNoToldDates(world: FakeWorld, email: string) {
  const [announcement] = world.mailer.receivedBy(email, 'announcement');
  const { told: _told, ...withoutTold } = world.deliveries.items.get(announcement.deliveryId)!;
  world.deliveries.items.set(announcement.deliveryId, withoutTold);
  return announcement;
}

/** A Japanese outlet announced worldwideAndJapan by a sender that kept no told dates. */
async function japanAnnouncedKeepingNoToldDates() {
  const japanese = anOutlet({ territories: ['JP'] });
  const world = fakeWorld({
    releases: [aStoredRelease({ details: worldwideAndJapan })],
    outlets: [japanese],
  });
  await sendMailing(announce, meta, world.deps, far());
  // Announced by a sender from before first mails kept the dates they told (docs/design.md#exactly-once-mail).
  keptNoToldDates(world, japanese.email);
  return { japanese, world };
}

/**
 * A British outlet announced the release of 5 March 2027, 09:00 in London; `restated`: the same instant
 * as Berlin states it (10:00), which the label restates it as.
 */
async function announcedAt9InLondon() {
  const outlet = anOutlet({ territories: ['GB'] });
  const london = aReleaseDetails({
    releaseDate: '2027-03-05',
    releaseTime: '09:00',
    timeZone: 'Europe/London',
  });
  const world = fakeWorld({ releases: [aStoredRelease({ details: london })], outlets: [outlet] });
  await sendMailing(announce, meta, world.deps, far());
  const restated = { ...london, releaseTime: '10:00', timeZone: 'Europe/Berlin' };
  return { outlet, world, restated };
}

describe('the date a date change says the release was', () => {
  it('is the date the outlet was announced, when a move passed it while its announcement was still claimed', async () => {
    // Announced for 5 March; its SES answer lost, the claim stays open. Moved to 12 March: the date
    // change passes the outlet (announcement still claimed). Then to 19 March.
    const { outlet, world } = await movedTwiceWhileAnnouncementClaimed('2027-03-19');

    // The announcement settles; its follow-up, the date change to 19 March, goes out.
    await settleAnnouncement(world);

    expect(world.mailer.kindsReceivedBy(outlet.email)).toEqual(['announcement', 'date-change']);
    expect(mailTextOf(world, outlet.email, 'date-change')).toMatchObject({
      releaseDate: 'Friday, 19 March 2027, 00:00 (Europe/London)',
      previousReleaseDate: 'Friday, 5 March 2027, 00:00 (Europe/London)',
    });
  });

  it('is the date of the outlet’s last date change, when it had one', async () => {
    const outlet = anOutlet({ territories: ['GB'] });
    const world = fakeWorld({ releases: [aStoredRelease()], outlets: [outlet] });
    await sendMailing(announce, meta, world.deps, far());
    await moveAndMail(world, aReleaseDetails({ releaseDate: '2027-03-12' }), '2026-02-01T10:00:00.000Z');
    await moveAndMail(world, aReleaseDetails({ releaseDate: '2027-03-19' }), '2026-02-02T10:00:00.000Z');

    const changes = world.mailer.calls.filter((call) => call.kind === 'date-change');
    expect(changes.map((call) => textOf(call).previousReleaseDate)).toEqual([
      'Friday, 5 March 2027, 00:00 (Europe/London)',
      'Friday, 12 March 2027, 00:00 (Europe/London)',
    ]);
  });

  it('is the date as the outlet was told it, not as the label restated it at the same instant in another zone', async () => {
    const { outlet, world, restated } = await announcedAt9InLondon();
    // 09:00 in London is 10:00 in Berlin on 5 March: a restatement, which mails nobody.
    expect(labelChanges(world, restated, '2026-02-01T10:00:00.000Z')).toEqual([]);

    await moveAndMail(world, { ...restated, releaseDate: '2027-03-12' }, '2026-02-02T10:00:00.000Z');

    expect(mailTextOf(world, outlet.email, 'date-change')).toMatchObject({
      releaseDate: 'Friday, 12 March 2027, 10:00 (Europe/Berlin)',
      previousReleaseDate: 'Friday, 5 March 2027, 09:00 (Europe/London)',
    });
  });

  it('is the same when the sweep resends a date change whose answer was lost', async () => {
    const { world, restated } = await announcedAt9InLondon();
    labelChanges(world, restated, '2026-02-01T10:00:00.000Z');
    // SES takes the date change, but its answer is lost: the claim stays open until the sweep resends it.
    world.mailer.script = (mail) => (mail.kind === 'date-change' ? 'accept-then-fail' : (undefined as never));
    await moveAndMail(world, { ...restated, releaseDate: '2027-03-12' }, '2026-02-02T10:00:00.000Z');
    world.mailer.script = undefined;
    world.clock.now += defaultSettings.staleClaimMs + 60_000;

    await sweepStaleClaims(world.deps, far());

    const [, resent] = world.mailer.calls.filter((call) => call.kind === 'date-change');
    expect(textOf(resent)).toMatchObject({
      previousReleaseDate: 'Friday, 5 March 2027, 09:00 (Europe/London)',
    });
  });

  it('mails no date change to an outlet whose told date the release moved back to before it heard of the move', async () => {
    const { outlet, world } = await movedTwiceWhileAnnouncementClaimed('2027-03-05');

    await settleAnnouncement(world);

    // Told 5 March, and 5 March it is: nothing moved for this outlet.
    expect(world.mailer.kindsReceivedBy(outlet.email)).toEqual(['announcement']);
  });

  it('falls back to the release’s previous date for an announcement recorded before the told date was kept', async () => {
    const outlet = anOutlet({ territories: ['GB'] });
    const world = fakeWorld({ releases: [aStoredRelease()], outlets: [outlet] });
    await sendMailing(announce, meta, world.deps, far());
    for (const delivery of world.deliveries.items.values()) delete delivery.told;
    await moveAndMail(world, aReleaseDetails({ releaseDate: '2027-03-12' }), '2026-02-01T10:00:00.000Z');

    expect(mailTextOf(world, outlet.email, 'date-change')?.previousReleaseDate).toBe(
      'Friday, 5 March 2027, 00:00 (Europe/London)',
    );
  });
});

describe('the date a territory’s date change says it was', () => {
  const twoDates = (de: { releaseDate: string; releaseTime?: string; timeZone?: string }) =>
    aReleaseDetails({
      territories: ['GB', 'DE'],
      territoryDates: [{ territories: ['DE'], timeZone: 'Europe/Berlin', ...de }],
    });

  it('is the date the outlet was told there, when two moves passed its announcement', async () => {
    const { outlet, world } = await announcedWithItsAnswerLost(twoDates({ releaseDate: '2027-03-12' }), [
      'DE',
    ]);
    await moveAndMail(world, twoDates({ releaseDate: '2027-03-19' }), '2026-02-01T10:00:00.000Z');
    await moveAndMail(world, twoDates({ releaseDate: '2027-03-26' }), '2026-02-02T10:00:00.000Z');

    await settleAnnouncement(world);

    expect(mailTextOf(world, outlet.email, 'date-change')).toMatchObject({
      releaseDate: 'Friday, 26 March 2027, 00:00 (Europe/Berlin) in DE',
      previousReleaseDate: 'Friday, 12 March 2027, 00:00 (Europe/Berlin)',
    });
  });

  it('is the date as the outlet was told it there, not as the label restated it at the same instant', async () => {
    const outlet = anOutlet({ territories: ['DE'] });
    const world = fakeWorld({
      releases: [aStoredRelease({ details: twoDates({ releaseDate: '2027-03-12' }) })],
      outlets: [outlet],
    });
    await sendMailing(announce, meta, world.deps, far());
    // Midnight in Berlin on 12 March is 23:00 in London the day before: a restatement, mailing nobody.
    const restated = twoDates({ releaseDate: '2027-03-11', releaseTime: '23:00', timeZone: 'Europe/London' });
    expect(labelChanges(world, restated, '2026-02-01T10:00:00.000Z')).toEqual([]);

    await moveAndMail(world, twoDates({ releaseDate: '2027-03-19' }), '2026-02-02T10:00:00.000Z');

    expect(mailTextOf(world, outlet.email, 'date-change')).toMatchObject({
      releaseDate: 'Friday, 19 March 2027, 00:00 (Europe/Berlin) in DE',
      previousReleaseDate: 'Friday, 12 March 2027, 00:00 (Europe/Berlin)',
    });
  });
});

describe('one change that moves the worldwide date and drops a country’s own date', () => {
  // "Worldwide on 5 March, Japan on 12 March"; then worldwide on 19 March, Japan no longer named.
  it.each(['as asked', 'reversed'])(
    'tells each outlet once, from the dates it was told to the date that stands (mailings run %s)',
    async (order) => {
      const japanese = anOutlet({ territories: ['JP'] });
      const british = anOutlet({ territories: ['GB'] });
      const everywhere = anOutlet({ territories: ['WW'] });
      const world = fakeWorld({
        releases: [aStoredRelease({ details: worldwideAndJapan })],
        outlets: [japanese, british, everywhere],
      });
      await sendMailing(announce, meta, world.deps, far());

      await moveAndMail(world, worldwideLater, '2026-02-01T10:00:00.000Z', order);

      for (const outlet of [japanese, british, everywhere])
        expect(world.mailer.receivedBy(outlet.email, 'date-change')).toHaveLength(1);
      expect(mailTextOf(world, japanese.email, 'date-change')?.previousReleaseDate).toBe(
        'Friday, 12 March 2027, 00:00 (Asia/Tokyo)',
      );
      expect(mailTextOf(world, british.email, 'date-change')?.previousReleaseDate).toBe(
        'Friday, 5 March 2027, 00:00 (Europe/London)',
      );
      expect(mailTextOf(world, everywhere.email, 'date-change')?.previousReleaseDate).toBe(
        'Friday, 5 March 2027, 00:00 (Europe/London) in WW; Friday, 12 March 2027, 00:00 (Asia/Tokyo) in JP',
      );
    },
  );
});

/** The text data of one SES call's first recipient, as SES merges it. */
const textOf = (call: { defaultData: unknown; entries: { data: unknown }[] }) =>
  ({
    ...(call.defaultData as { text: object }).text,
    ...(call.entries[0].data as { text: object }).text,
  }) as { previousReleaseDate?: string; releaseDate?: string; outAlready?: boolean };

/** GB at the release's own date, DE at its own. */
const dated = (gb: string, de: string) =>
  aReleaseDetails({
    releaseDate: gb,
    territories: ['GB', 'DE'],
    territoryDates: [{ territories: ['DE'], releaseDate: de, timeZone: 'Europe/Berlin' }],
  });

describe('what a date change says the date was, when its first sending was lost or the list of date changes is long', () => {
  it('the sweep resends a territory date change stating the same previous date as its first sending', async () => {
    // An outlet in GB and DE, announced GB 5 March, DE 12 March.
    const outlet = anOutlet({ territories: ['GB', 'DE'] });
    const world = fakeWorld({
      releases: [aStoredRelease({ details: dated('2027-03-05', '2027-03-12') })],
      outlets: [outlet],
    });
    await sendMailing(announce, meta, world.deps, far());
    // DE moves to 19 March; SES takes the date change but its answer is lost.
    world.mailer.script = (mail) => (mail.kind === 'date-change' ? 'accept-then-fail' : (undefined as never));
    await moveAndMail(world, dated('2027-03-05', '2027-03-19'), '2026-02-01T10:00:00.000Z');
    world.mailer.script = undefined;
    world.clock.now += defaultSettings.staleClaimMs + 60_000;

    await sweepStaleClaims(world.deps, far());

    const [first, resent] = world.mailer.calls.filter((call) => call.kind === 'date-change');
    expect(textOf(first).previousReleaseDate).toBe('Friday, 12 March 2027, 00:00 (Europe/Berlin)');
    // The resend must state what the first sending stated: DE was 12 March (GB did not move).
    expect(textOf(resent).previousReleaseDate).toBe(textOf(first).previousReleaseDate);
  });

  it('an address told of a move still hears the move back after 20 other territories’ date changes', async () => {
    // A GB outlet, announced GB 5 March.
    const outlet = anOutlet({ territories: ['GB'] });
    const world = fakeWorld({
      releases: [aStoredRelease({ details: dated('2027-03-05', '2027-03-26') })],
      outlets: [outlet],
    });
    await sendMailing(announce, meta, world.deps, far());
    // GB moves to 12 March: the outlet is told "5 March -> 12 March".
    await moveAndMail(world, dated('2027-03-12', '2027-03-26'), '2026-02-01T10:00:00.000Z');
    expect(world.mailer.kindsReceivedBy(outlet.email)).toEqual(['announcement', 'date-change']);
    // DE (not the outlet's) moves 20 times.
    for (let day = 1; day <= 20; day++) {
      const de = `2027-04-${String(day).padStart(2, '0')}`;
      await moveAndMail(
        world,
        dated('2027-03-12', de),
        `2026-02-02T10:${String(day).padStart(2, '0')}:00.000Z`,
      );
    }
    // GB moves back to 5 March: the outlet, last told 12 March, must hear it.
    await moveAndMail(world, dated('2027-03-05', '2027-04-20'), '2026-02-03T10:00:00.000Z');

    expect(world.mailer.kindsReceivedBy(outlet.email)).toEqual([
      'announcement',
      'date-change',
      'date-change',
    ]);
  });
});

describe('the date a withdrawal or cancellation says the release was planned for', () => {
  it('is the date the outlet was told in the territory it is withdrawn from, not the date a move that never reached it set', async () => {
    // Announced DE 12 March; its SES answer lost, the claim stays open.
    const { outlet, world } = await announcedWithItsAnswerLost(dated('2027-03-05', '2027-03-12'), ['DE']);
    // DE moves to 19 March: the date change passes the outlet (announcement still claimed). Then DE is withdrawn.
    await moveAndMail(world, dated('2027-03-05', '2027-03-19'), '2026-02-01T10:00:00.000Z');
    await cancelAndMail(world, ['DE'], '2026-02-02T10:00:00.000Z');

    // The announcement settles; its follow-up, the withdrawal, goes out.
    await settleAnnouncement(world, 'cancellation');

    expect(world.mailer.kindsReceivedBy(outlet.email)).toEqual(['announcement', 'cancellation']);
    // The outlet heard of 12 March only.
    expect(mailTextOf(world, outlet.email, 'cancellation')?.releaseDate).toBe(
      'Friday, 12 March 2027, 00:00 (Europe/Berlin) in DE',
    );
  });

  it('is the date the outlet was told, when the release moved and was cancelled before its announcement settled', async () => {
    const { outlet, world } = await announcedWithItsAnswerLost(
      aReleaseDetails({ releaseDate: '2027-03-05' }),
    );
    await moveAndMail(world, aReleaseDetails({ releaseDate: '2027-03-12' }), '2026-02-01T10:00:00.000Z');
    await cancelAndMail(world, undefined, '2026-02-02T10:00:00.000Z');

    await settleAnnouncement(world, 'cancellation');

    expect(world.mailer.kindsReceivedBy(outlet.email)).toEqual(['announcement', 'cancellation']);
    expect(mailTextOf(world, outlet.email, 'cancellation')).toMatchObject({
      releaseDate: 'Friday, 5 March 2027, 00:00 (Europe/London)',
      releaseDateShort: '5 March 2027',
    });
  });

  it('is the same when the sweep resends a cancellation whose answer was lost', async () => {
    const { outlet, world } = await announcedWithItsAnswerLost(
      aReleaseDetails({ releaseDate: '2027-03-05' }),
    );
    await moveAndMail(world, aReleaseDetails({ releaseDate: '2027-03-12' }), '2026-02-01T10:00:00.000Z');
    await cancelAndMail(world, undefined, '2026-02-02T10:00:00.000Z');
    // SES takes the cancellation, but its answer is lost: the claim stays open until the sweep resends it.
    world.mailer.script = (mail) =>
      mail.kind === 'cancellation' ? 'accept-then-fail' : (undefined as never);
    await settleAnnouncement(world, 'cancellation');
    world.mailer.script = undefined;
    world.clock.now += defaultSettings.staleClaimMs + 60_000;

    await sweepStaleClaims(world.deps, far());

    const sent = world.mailer.calls.filter((call) => call.kind === 'cancellation');
    expect(sent.map((call) => call.entries.map((entry) => entry.email))).toEqual([
      [outlet.email],
      [outlet.email],
    ]);
    expect(sent.map((call) => textOf(call).releaseDate)).toEqual([
      'Friday, 5 March 2027, 00:00 (Europe/London)',
      'Friday, 5 March 2027, 00:00 (Europe/London)',
    ]);
  });
});

describe('a cancellation after the date the outlet was told has come', () => {
  it('says the release, out since that date, is withdrawn; one still to come is cancelled as planned for it', async () => {
    // The fakes' clock stands at 1 March 2027: GB came out on 5 February (its release day fired), DE comes on 12 March.
    const [british, german] = [anOutlet({ territories: ['GB'] }), anOutlet({ territories: ['DE'] })];
    const world = fakeWorld({
      releases: [
        aStoredRelease({
          details: dated('2027-02-05', '2027-03-12'),
          outMoments: ['2027-02-05T00:00 Europe/London'],
        }),
      ],
      outlets: [british, german],
    });
    await sendMailing(announce, meta, world.deps, far());

    await cancelAndMail(world, undefined, '2027-03-01T11:00:00.000Z');

    expect(mailTextOf(world, british.email, 'cancellation')).toMatchObject({
      releaseDate: 'Friday, 5 February 2027, 00:00 (Europe/London) in GB',
      outAlready: true,
    });
    expect(mailTextOf(world, german.email, 'cancellation')).not.toHaveProperty('outAlready');
  });

  it('stays cancelled as planned for it when the sweep resends it after that date, the release never out', async () => {
    const { outlet, world } = await announcedWithItsAnswerLost(
      aReleaseDetails({ releaseDate: '2027-03-03' }),
    );
    await cancelAndMail(world, undefined, '2026-02-02T10:00:00.000Z');
    // SES takes the cancellation on 1 March, but its answer is lost; the sweep resends it on 6 March.
    world.mailer.script = (mail) =>
      mail.kind === 'cancellation' ? 'accept-then-fail' : (undefined as never);
    await settleAnnouncement(world, 'cancellation');
    world.mailer.script = undefined;
    world.clock.now = Date.parse('2027-03-06T12:00:00Z');

    await sweepStaleClaims(world.deps, far());

    const sent = world.mailer.calls.filter((call) => call.kind === 'cancellation');
    expect(sent.map((call) => call.entries.map((entry) => entry.email))).toEqual([
      [outlet.email],
      [outlet.email],
    ]);
    expect(sent.map((call) => textOf(call).outAlready)).toEqual([undefined, undefined]);
  });
});

describe('a date change SES sent, closed unsent by the sweep before its late Email Sent showed it went', () => {
  it('counts as told: the move back to the first date is told to the outlet, as from the date it went to', async () => {
    const outlet = anOutlet();
    const world = fakeWorld({ releases: [aStoredRelease()], outlets: [outlet] });
    await sendMailing(announce, meta, world.deps, far());
    // 5 March moves to 19 March: SES sends the date change, its answer lost (the claim stays open).
    world.mailer.script = (mail) => (mail.kind === 'date-change' ? 'accept-then-fail' : (undefined as never));
    for (const request of labelChanges(
      world,
      aReleaseDetails({ releaseDate: '2027-03-19' }),
      '2026-02-01T10:00:00.000Z',
    ))
      await sendMailing(request, meta, world.deps, far()).catch(() => {});
    world.mailer.script = undefined;
    const [toThe19th] = world.mailer.receivedBy(outlet.email, 'date-change');
    // The label moves it back to 5 March; before that mailing runs, the sweep closes the 19 March
    // change as no longer wanted, and its Email Sent, coming late, records that it went.
    const back = labelChanges(world, aReleaseDetails(), '2026-02-02T10:00:00.000Z');
    world.clock.now += defaultSettings.staleClaimMs + 60_000;
    await sweepStaleClaims(world.deps, far());
    await settleFromEmailsSent([emailSent(toThe19th)], world.deps);
    const recorded = (await world.deps.deliveries.getMany([toThe19th.deliveryId])).get(toThe19th.deliveryId);
    expect(recorded).toMatchObject({ status: 'failed', messageId: toThe19th.messageId });

    for (const request of back) await sendMailing(request, meta, world.deps, far());

    // The outlet was told 19 March: it hears the release is back on 5 March (docs/design.md#exactly-once-mail).
    expect(world.mailer.receivedBy(outlet.email, 'date-change')).toHaveLength(2);
  });
});

describe('one change that moves the worldwide date and drops a country’s own date, to an outlet whose announcement kept no told dates', () => {
  // "Worldwide on 5 March (London), Japan on 12 March (Tokyo)"; then worldwide on 19 March, Japan no longer named.
  it('tells the Japanese outlet the date Japan moved from, not the worldwide one', async () => {
    const { japanese, world } = await japanAnnouncedKeepingNoToldDates();

    for (const request of labelChanges(world, worldwideLater, '2026-02-01T10:00:00.000Z'))
      await sendMailing(request, meta, world.deps, far());

    expect(world.mailer.receivedBy(japanese.email, 'date-change')).toHaveLength(1);
    expect(mailTextOf(world, japanese.email, 'date-change')?.previousReleaseDate).toBe(
      'Friday, 12 March 2027, 00:00 (Asia/Tokyo)',
    );
  });

  it('tells it so in the sweep’s resend too', async () => {
    const { world } = await japanAnnouncedKeepingNoToldDates();
    // SES takes the date change, but its answer is lost: the sweep writes it again from the release.
    world.mailer.script = (mail) => (mail.kind === 'date-change' ? 'accept-then-fail' : (undefined as never));
    for (const request of labelChanges(world, worldwideLater, '2026-02-01T10:00:00.000Z'))
      await sendMailing(request, meta, world.deps, far()).catch(() => {});
    world.mailer.script = undefined;
    world.clock.now += defaultSettings.staleClaimMs + 60_000;

    await sweepStaleClaims(world.deps, far());

    const [, resent] = world.mailer.calls.filter((call) => call.kind === 'date-change');
    const text = {
      ...(resent.defaultData as { text: object }).text,
      ...(resent.entries[0].data as { text: object }).text,
    } as { previousReleaseDate?: string };
    expect(text.previousReleaseDate).toBe('Friday, 12 March 2027, 00:00 (Asia/Tokyo)');
  });
});

describe('a late announcement that kept no told dates, settled by its Email Sent after WW moved and Japan’s own date was dropped', () => {
  it('tells the Japanese outlet, in the date change its settling asks, the date Japan moved from', async () => {
    const japanese = anOutlet({ territories: ['JP'] });
    const world = fakeWorld({
      releases: [aStoredRelease({ details: worldwideAndJapan })],
      outlets: [japanese],
    });
    // SES takes the announcement, its answer lost: the claim stays open. It was claimed by a sender
    // from before first mails kept the dates they told (docs/design.md#exactly-once-mail).
    world.mailer.script = (mail) =>
      mail.kind === 'announcement' ? 'accept-then-fail' : (undefined as never);
    await sendMailing(announce, meta, world.deps, far()).catch(() => {});
    world.mailer.script = undefined;
    const announcement = keptNoToldDates(world, japanese.email);

    // The change's own mailing passes the outlet (its first mail still claimed).
    for (const request of labelChanges(world, worldwideLater, '2026-02-01T10:00:00.000Z'))
      await sendMailing(request, meta, world.deps, far());
    expect(world.mailer.receivedBy(japanese.email, 'date-change')).toHaveLength(0);

    // The announcement's Email Sent settles it, and asks the follow-ups for its outlet.
    await settleFromEmailsSent([emailSent(announcement)], world.deps);
    await runRequested(world, 'date-change');

    expect(world.mailer.receivedBy(japanese.email, 'date-change')).toHaveLength(1);
    expect(mailTextOf(world, japanese.email, 'date-change')?.previousReleaseDate).toBe(
      'Friday, 12 March 2027, 00:00 (Asia/Tokyo)',
    );
  });
});

describe('one change that moves the worldwide date and a country’s own date to the same instant, in its own zone', () => {
  // "Worldwide on 5 March (London), Japan on 12 March (Tokyo)"; then worldwide on 19 March 00:00 London
  // and Japan on 19 March 09:00 Tokyo: the very same instant (docs/design.md#street-dates-per-territory).
  const bothOnThe19th = aReleaseDetails({
    territories: ['WW', 'JP'],
    releaseDate: '2027-03-19',
    territoryDates: [
      { territories: ['JP'], releaseDate: '2027-03-19', releaseTime: '09:00', timeZone: 'Asia/Tokyo' },
    ],
  });

  it.each(['as asked', 'reversed'])(
    'tells an outlet covering WW once, with both dates it was told (mailings run %s)',
    async (order) => {
      const japanese = anOutlet({ territories: ['JP'] });
      const everywhere = anOutlet({ territories: ['WW'] });
      const world = fakeWorld({
        releases: [aStoredRelease({ details: worldwideAndJapan })],
        outlets: [japanese, everywhere],
      });
      await sendMailing(announce, meta, world.deps, far());

      await moveAndMail(world, bothOnThe19th, '2026-02-01T10:00:00.000Z', order);

      expect(world.mailer.receivedBy(japanese.email, 'date-change')).toHaveLength(1);
      expect(mailTextOf(world, japanese.email, 'date-change')?.previousReleaseDate).toBe(
        'Friday, 12 March 2027, 00:00 (Asia/Tokyo)',
      );
      // The new date as it stands where each outlet is: Japan's in Japan's zone, and both to WW's.
      expect(mailTextOf(world, japanese.email, 'date-change')?.releaseDate).toBe(
        'Friday, 19 March 2027, 09:00 (Asia/Tokyo) in JP',
      );
      expect(mailTextOf(world, everywhere.email, 'date-change')?.releaseDate).toBe(
        'Friday, 19 March 2027, 00:00 (Europe/London) in WW; Friday, 19 March 2027, 09:00 (Asia/Tokyo) in JP',
      );
      expect(world.mailer.receivedBy(everywhere.email, 'date-change')).toHaveLength(1);
      expect(mailTextOf(world, everywhere.email, 'date-change')?.previousReleaseDate).toBe(
        'Friday, 5 March 2027, 00:00 (Europe/London) in WW; Friday, 12 March 2027, 00:00 (Asia/Tokyo) in JP',
      );
    },
  );
});
