import { describe, expect, it } from 'vitest';
import { askFollowUpsSince, sendMailing } from '#functions/announcer/mailing.ts';
import { defaultSettings } from '#functions/announcer/ports.ts';
import { sweepStaleClaims } from '#functions/announcer/settle.ts';
import { decideChange } from '#functions/releases/apply-change.ts';
import { settleFromEmailsSent } from '#functions/settlement/settle.ts';
import { deliveryIdOf, mailSubjects } from '#shared/db/deliveries.ts';
import { MailerError } from '#shared/mail/ports.ts';
import { momentOf, revisionOf } from '#shared/releases.ts';
import {
  anAnnouncementWithItsAnswerLost,
  announce,
  aReleaseClaim,
  dateChangeOf,
  detailOf,
  emailSent,
  type FakeWorld,
  fakeWorld,
  far,
  mailTextOf,
  meta,
  moveDate,
  runRequested,
  runSettled,
  whileAnnouncing,
} from '#test/support/announcer-fakes.ts';
import { aMovedRelease, anOutlet, aReleaseDetails, aStoredRelease, outlets } from '#test/support/releases.ts';

/**
 * Each SES call takes a minute of the world's clock; `meanwhile`, where given, runs once SES has taken the
 * first call (an announcement page's): what happens while that page is in flight.
 */
function callsTakeAMinute(world: FakeWorld, meanwhile?: () => Promise<void>) {
  const send = world.deps.mailer.sendBulk;
  world.deps.mailer.sendBulk = async (mail) => {
    const results = await send(mail);
    world.clock.now += 60_000;
    if (meanwhile && mail.kind === 'announcement' && world.mailer.calls.length === 1) await meanwhile();
    return results;
  };
}

describe('announcing a release', () => {
  it('mails every matching, mailable outlet once and no other', async () => {
    const matching = outlets(3, { territories: ['GB'] });
    const worldwide = anOutlet({ territories: ['WW'], genres: ['synthpop'] });
    const otherTerritory = anOutlet({ territories: ['FR'] });
    const otherGenre = anOutlet({ territories: ['GB'], genres: ['metal'] });
    const unsubscribed = anOutlet({ unsubscribedAt: '2026-12-01T00:00:00Z' });
    const suppressed = anOutlet({ suppressedAt: '2026-12-01T00:00:00Z', suppressionReason: 'bounce' });
    const world = fakeWorld({
      releases: [aStoredRelease()],
      outlets: [...matching, worldwide, otherTerritory, otherGenre, unsubscribed, suppressed],
    });

    const outcome = await sendMailing(announce, meta, world.deps, far());

    const recipients = world.mailer.delivered.map((mail) => mail.email).sort();
    expect(recipients).toEqual([...matching, worldwide].map((o) => o.email).sort());
    expect(outcome).toEqual({ status: 'completed', sent: 4, skipped: 2 });
    expect(world.deliveries.of('sent')).toHaveLength(4);
    const done = world.published.find((entry) => entry.detailType === 'Release Announced');
    expect(detailOf(done!).data).toMatchObject({ labelId: 'lbl-nightshift', sent: 4, skipped: 2 });
  });

  it("names the release's label in every mail, its name read once for the invocation's pages", async () => {
    const world = fakeWorld({ releases: [aStoredRelease()], outlets: outlets(120), pageSize: 50 });

    await sendMailing(announce, meta, world.deps, far());

    const named = world.mailer.delivered.map(
      (mail) => (mailTextOf(world, mail.email, 'announcement') as { labelName?: string }).labelName,
    );
    expect(named).toEqual(Array(120).fill('Nightshift Records'));
    expect(world.labelReads.count).toBe(1);
  });

  it('skips an outlet whose address bounced or unsubscribed after its page was read, and counts it skipped', async () => {
    const [kept, bounced, gone] = outlets(3, { territories: ['GB'] });
    const world = fakeWorld({ releases: [aStoredRelease()], outlets: [kept, bounced, gone] });
    // The page is read with all three mailable; the address items change before the claims are made.
    const read = world.deps.outlets.page;
    world.deps.outlets.page = async (...args) => {
      const page = await read(...args);
      world.suppressed.add(bounced.email);
      world.unsubscribed.add(gone.email);
      return page;
    };

    const outcome = await sendMailing(announce, meta, world.deps, far());

    expect(world.mailer.delivered.map((mail) => mail.email)).toEqual([kept.email]);
    expect(outcome).toEqual({ status: 'completed', sent: 1, skipped: 2 });
  });

  it('sends at most 50 destinations per SendBulkEmail call', async () => {
    const world = fakeWorld({ releases: [aStoredRelease()], outlets: outlets(120) });

    await sendMailing(announce, meta, world.deps, far());

    expect(world.mailer.calls.map((call) => call.entries.length)).toEqual([50, 50, 20]);
  });

  it('sends smaller calls when the account rate is below 50 recipients a second, and takes each from the budget', async () => {
    const world = fakeWorld({ releases: [aStoredRelease()], outlets: outlets(25), perCall: 10 });

    await sendMailing(announce, meta, world.deps, far());

    expect(world.mailer.calls.map((call) => call.entries.length)).toEqual([10, 10, 5]);
    expect(world.rateGrants).toEqual([10, 10, 5]);
  });

  it('tags each mail with its delivery id and carries the one-click unsubscribe link', async () => {
    const outlet = anOutlet();
    const world = fakeWorld({ releases: [aStoredRelease()], outlets: [outlet] });

    await sendMailing(announce, meta, world.deps, far());

    const [entry] = world.mailer.calls[0].entries;
    expect(entry.deliveryId).toBe(
      deliveryIdOf({ ...announce, subject: mailSubjects.release(announce.releaseId), email: outlet.email }),
    );
    expect(entry.unsubscribeUrl).toBe(`https://backline.example/u/${outlet.id}`);
    expect(entry.data).toMatchObject({
      text: { outletName: outlet.name, promoLinks: [{ label: 'stream 0' }] },
    });
  });

  it('sends no second announcement to an address whose outlet was deleted and re-created, in any case or spacing', async () => {
    const outlet = anOutlet({ email: 'editor@radio.example' });
    const world = fakeWorld({ releases: [aStoredRelease()], outlets: [outlet] });
    await sendMailing(announce, meta, world.deps, far());
    world.directory.splice(0, 1, anOutlet({ id: 'out-recreated', email: ' Editor@Radio.Example ' }));

    const again = await sendMailing(announce, meta, world.deps, far());

    expect(world.mailer.delivered).toHaveLength(1);
    expect(again).toMatchObject({ status: 'completed', sent: 0 });
    expect(world.deliveries.of('sent')[0]).toMatchObject({
      email: 'editor@radio.example',
      context: { outletId: outlet.id },
    });
  });

  it('tells the re-created outlet of a date change, since its address was announced to', async () => {
    const outlet = anOutlet({ email: 'editor@radio.example' });
    const world = fakeWorld({ releases: [aStoredRelease()], outlets: [outlet] });
    await sendMailing(announce, meta, world.deps, far());
    world.directory.splice(0, 1, anOutlet({ id: 'out-recreated', email: 'editor@radio.example' }));
    const moved = aMovedRelease('2027-04-02');
    world.releases.set('lbl-nightshift/rel-night-drive', moved);

    await sendMailing(
      { ...announce, kind: 'date-change', revision: revisionOf(momentOf(moved.details!)) },
      meta,
      world.deps,
      far(),
    );

    expect(world.mailer.receivedBy('editor@radio.example', 'date-change')).toHaveLength(1);
  });

  const announcedFacts = (world: ReturnType<typeof fakeWorld>) =>
    world.published.filter((e) => e.detailType === 'Release Announced').map((e) => detailOf(e).data);

  it('sends nothing twice when the same mailing is requested again', async () => {
    const world = fakeWorld({ releases: [aStoredRelease()], outlets: outlets(60) });

    await sendMailing(announce, meta, world.deps, far());
    const again = await sendMailing(announce, meta, world.deps, far());

    expect(world.mailer.delivered).toHaveLength(60);
    expect(again).toMatchObject({ status: 'completed', sent: 0 });
    // Its fact is stated once, by the run that sent (docs/design.md#the-outbox).
    expect(announcedFacts(world)).toEqual([expect.objectContaining({ sent: 60 })]);
  });

  it('sends each mail once when two duplicate requests run at the same time', async () => {
    const world = fakeWorld({ releases: [aStoredRelease()], outlets: outlets(80) });

    await Promise.all([
      sendMailing(announce, meta, world.deps, far()),
      sendMailing(announce, meta, world.deps, far()),
    ]);

    const perOutlet = new Set(world.mailer.delivered.map((mail) => mail.email));
    expect(world.mailer.delivered).toHaveLength(80);
    expect(perOutlet.size).toBe(80);
    // One fact, stated by the first to complete, counting the other's mails it found claimed.
    expect(announcedFacts(world)).toEqual([expect.objectContaining({ sent: 80 })]);
  });

  it('never resends a call whose answer was lost after SES accepted it, and settles it from Email Sent', async () => {
    const world = fakeWorld({ releases: [aStoredRelease()], outlets: outlets(3) });
    world.mailer.script = (_mail, call) => (call === 1 ? 'accept-then-fail' : (undefined as never));

    await sendMailing(announce, meta, world.deps, far());
    await sendMailing(announce, meta, world.deps, far()); // Lambda's retry, or a duplicate event
    for (const mail of world.mailer.delivered) {
      await settleFromEmailsSent(
        [emailSent({ messageId: mail.messageId, email: mail.email, deliveryId: mail.deliveryId })],
        world.deps,
      );
    }

    expect(world.mailer.delivered).toHaveLength(3);
    expect(
      world.deliveries
        .of('sent')
        .map((d) => d.messageId)
        .sort(),
    ).toEqual(['msg-1', 'msg-2', 'msg-3']);
  });

  it('waits when SES throttles and sends everything afterwards', async () => {
    const world = fakeWorld({ releases: [aStoredRelease()], outlets: outlets(5) });
    world.mailer.script = (_mail, call) =>
      call <= 2 ? new MailerError('throttled', 'TooManyRequestsException') : (undefined as never);

    const outcome = await sendMailing(announce, meta, world.deps, far());

    expect(world.slept).toEqual([1000, 2000]);
    expect(world.mailer.delivered).toHaveLength(5);
    expect(outcome).toMatchObject({ status: 'completed', sent: 5 });
  });

  it('gives the claims back and continues later with a cursor when throttling outlasts the invocation', async () => {
    const world = fakeWorld({ releases: [aStoredRelease()], outlets: outlets(5) });
    world.mailer.script = () => new MailerError('throttled', 'TooManyRequestsException');

    const outcome = await sendMailing(announce, meta, world.deps, world.clock.now + 2_500);
    const continuation = world.published.find((entry) => entry.detailType === 'Mailing Requested');
    world.mailer.script = undefined;
    await sendMailing(detailOf(continuation!).data, meta, world.deps, far());

    expect(outcome.status).toBe('continued');
    expect(continuation?.source).toBe('backline.announcer');
    expect(world.mailer.delivered).toHaveLength(5);
    expect(world.deliveries.of('sent')).toHaveLength(5);
  });

  it('continues through a new invocation, claims given back, when the shared send rate cannot be had in time', async () => {
    const world = fakeWorld({ releases: [aStoredRelease()], outlets: outlets(5) });
    const acquire = world.deps.sendRate.acquire;
    world.deps.sendRate.acquire = async () => false;

    const outcome = await sendMailing(announce, meta, world.deps, far());
    const continuation = world.published.find((entry) => entry.detailType === 'Mailing Requested');
    world.deps.sendRate.acquire = acquire;
    await sendMailing(detailOf(continuation!).data, meta, world.deps, far());

    expect(outcome.status).toBe('continued');
    expect(detailOf(continuation!).data.cursor).toEqual(expect.any(String));
    expect(world.mailer.delivered).toHaveLength(5);
    expect(world.deliveries.of('sent')).toHaveLength(5);
  });

  it('retries entries SES failed transiently and records those it rejected', async () => {
    const [ok, transient, rejected] = outlets(3);
    const world = fakeWorld({ releases: [aStoredRelease()], outlets: [ok, transient, rejected] });
    world.mailer.script = (_mail, call) =>
      call === 1
        ? [
            { status: 'SUCCESS' },
            { status: 'TRANSIENT_FAILURE' },
            { status: 'MESSAGE_REJECTED', error: 'bad' },
          ]
        : (undefined as never);

    await sendMailing(announce, meta, world.deps, far());

    expect(world.mailer.receivedBy(ok.email)).toHaveLength(1);
    expect(world.mailer.receivedBy(transient.email)).toHaveLength(1);
    expect(world.mailer.receivedBy(rejected.email)).toHaveLength(0);
    expect(world.deliveries.of('failed').map((d) => d.context.outletId)).toEqual([rejected.id]);
  });

  it('reads and writes the next page of the directory while this page goes out', async () => {
    const world = fakeWorld({ releases: [aStoredRelease()], outlets: outlets(30), pageSize: 10 });
    const callsWhenRead: number[] = [];
    const page = world.deps.outlets.page;
    world.deps.outlets.page = async (cursor, limit) => {
      callsWhenRead.push(world.mailer.calls.length);
      return page(cursor, limit);
    };
    const send = world.deps.mailer.sendBulk;
    world.deps.mailer.sendBulk = async (mail) => {
      await new Promise((resolve) => setTimeout(resolve, 10)); // SES takes a moment
      return send(mail);
    };

    const outcome = await sendMailing(announce, meta, world.deps, far());

    expect(outcome).toMatchObject({ status: 'completed', sent: 30 });
    // Each page after the first is read before the page before it has gone out.
    expect(callsWhenRead).toEqual([0, 0, 1]);
    expect(world.mailer.delivered).toHaveLength(30);
  });

  it('asks the directory for the release’s genres when announcing, and for every outlet when following up', async () => {
    const world = fakeWorld({ releases: [aStoredRelease()], outlets: outlets(3) });
    const asked: (readonly string[] | undefined)[] = [];
    const page = world.deps.outlets.page;
    world.deps.outlets.page = async (cursor, limit, genres) => {
      asked.push(genres);
      return page(cursor, limit, genres);
    };

    await sendMailing(announce, meta, world.deps, far());
    // The label narrows the release to a genre none of the outlets announced to names.
    const narrowed = aStoredRelease({ state: 'out' });
    narrowed.details = { ...narrowed.details!, genres: ['metal'] };
    world.releases.set('lbl-nightshift/rel-night-drive', narrowed);
    await sendMailing({ ...announce, kind: 'out-now' }, meta, world.deps, far());

    // Those told of the release hear what follows whatever its genres are now.
    expect(asked).toEqual([aStoredRelease().details!.genres, undefined]);
    expect(world.mailer.delivered.filter((m) => m.kind === 'out-now')).toHaveLength(3);
  });

  /**
   * A directory of 60 outlets, the release's (GB) where `matches` says so and others (FR) elsewhere,
   * with the addresses the release's mail should reach.
   */
  const sparseDirectory = (matches: (index: number) => boolean) => {
    const directory = Array.from({ length: 60 }, (_, i) =>
      anOutlet({ territories: [matches(i) ? 'GB' : 'FR'] }),
    );
    const matching = directory.filter((_, i) => matches(i)).map((outlet) => outlet.email);
    return { directory, matching: matching.sort() };
  };
  const mailedTo = (world: ReturnType<typeof fakeWorld>) =>
    world.mailer.delivered.map((mail) => mail.email).sort();

  it('gathers sparse directory pages into batches of a page of mails, so calls are full', async () => {
    // The release's outlets are every other one of the directory: a page of 10 holds 5 of its mails.
    const { directory } = sparseDirectory((i) => i % 2 === 0);
    const world = fakeWorld({ releases: [aStoredRelease()], outlets: directory, pageSize: 10 });

    const outcome = await sendMailing(announce, meta, world.deps, far());

    expect(outcome).toEqual({ status: 'completed', sent: 30, skipped: 0 });
    expect(world.mailer.calls.map((call) => call.entries.length)).toEqual([10, 10, 10]);
  });

  it('continues a batch of several pages from its first page, and mails no one twice', async () => {
    const { directory, matching } = sparseDirectory((i) => i % 2 === 0);
    const world = fakeWorld({ releases: [aStoredRelease()], outlets: directory, pageSize: 10 });
    const pagesRead: (string | undefined)[] = [];
    const page = world.deps.outlets.page;
    world.deps.outlets.page = async (cursor, limit) => {
      pagesRead.push(cursor);
      return page(cursor, limit);
    };
    callsTakeAMinute(world);

    const first = await sendMailing(announce, meta, world.deps, world.clock.now + 30_000);
    const continuation = world.published.find((e) => e.detailType === 'Mailing Requested')!;
    const readBefore = pagesRead.length;
    const last = await sendMailing(detailOf(continuation).data, meta, world.deps, far());

    expect(first).toMatchObject({ status: 'continued', sent: 10 });
    // The second batch starts at the directory's third page, the first after the first batch.
    expect(pagesRead[readBefore]).toBe(pagesRead[2]);
    expect(last).toMatchObject({ status: 'completed', sent: 30 });
    expect(mailedTo(world)).toEqual(matching);
  });

  it('counts once in its fact the mails of a batch left unfinished, which its continuation finds claimed', async () => {
    const { directory, matching } = sparseDirectory((i) => i % 2 === 0);
    // Calls of 5: time is up after the first call of the first batch of 10 mails.
    const world = fakeWorld({ releases: [aStoredRelease()], outlets: directory, pageSize: 10, perCall: 5 });
    callsTakeAMinute(world);

    const first = await sendMailing(announce, meta, world.deps, world.clock.now + 30_000);
    const continuation = world.published.find((e) => e.detailType === 'Mailing Requested')!;
    const last = await sendMailing(detailOf(continuation).data, meta, world.deps, far());

    expect(first.status).toBe('continued');
    expect(world.mailer.delivered).toHaveLength(30);
    expect(mailedTo(world)).toEqual(matching);
    // The continuation sent 25 and found the first run's 5 claimed: the mailing's fact counts 30.
    expect(last).toMatchObject({ status: 'completed', sent: 25 });
    const announced = world.published.filter((e) => e.detailType === 'Release Announced');
    expect(announced.map((e) => detailOf(e).data)).toEqual([expect.objectContaining({ sent: 30 })]);
  });

  it('stops gathering a batch when time is up, and continues from its first page', async () => {
    // The release's outlets are on the directory's first and sixth pages; in the first invocation,
    // each page takes 10 s to read, so time is up after the fourth.
    const { directory, matching } = sparseDirectory((i) => i < 5 || i >= 55);
    const world = fakeWorld({ releases: [aStoredRelease()], outlets: directory, pageSize: 10 });
    let slow = true;
    let pagesRead = 0;
    const page = world.deps.outlets.page;
    world.deps.outlets.page = async (cursor, limit) => {
      pagesRead++;
      if (slow) world.clock.now += 10_000;
      return page(cursor, limit);
    };

    const first = await sendMailing(announce, meta, world.deps, world.clock.now + 35_000);
    const readFirst = pagesRead;
    slow = false;
    const continuation = world.published.find((e) => e.detailType === 'Mailing Requested')!;
    const last = await sendMailing(detailOf(continuation).data, meta, world.deps, far());

    expect(first.status).toBe('continued');
    // Four pages for the batch, and the first page of the batch read ahead.
    expect(readFirst).toBe(5);
    expect(last).toMatchObject({ status: 'completed', sent: 10 });
    expect(mailedTo(world)).toEqual(matching);
  });

  it('continues a long mailing through Mailing Requested with a cursor and counts across invocations', async () => {
    const world = fakeWorld({ releases: [aStoredRelease()], outlets: outlets(30), pageSize: 10 });
    let calls = 0;
    const original = world.deps.mailer.sendBulk;
    world.deps.mailer.sendBulk = async (mail) => {
      calls++;
      world.clock.now += 60_000; // each page takes a minute
      return original(mail);
    };

    let outcome = await sendMailing(announce, meta, world.deps, world.clock.now + 30_000);
    const hops = [outcome];
    while (outcome.status === 'continued') {
      const next = world.published.filter((e) => e.detailType === 'Mailing Requested').at(-1)!;
      outcome = await sendMailing(detailOf(next).data, meta, world.deps, world.clock.now + 30_000);
      hops.push(outcome);
    }

    expect(hops.map((h) => h.status)).toEqual(['continued', 'continued', 'completed']);
    expect(calls).toBe(3);
    expect(outcome).toMatchObject({ sent: 30 });
    expect(world.mailer.delivered).toHaveLength(30);
  });
});

describe('follow-up mailings', () => {
  const setup = () => {
    const [announced, unsubscribedLater, neverAnnounced] = outlets(3);
    const world = fakeWorld({ releases: [aStoredRelease()], outlets: [announced, unsubscribedLater] });
    return { world, announced, unsubscribedLater, neverAnnounced };
  };

  it('still mails a date change the label then restated in an equivalent zone, once, with the date as it stands', async () => {
    const { world, announced } = setup();
    await sendMailing(announce, meta, world.deps, far());
    const moved = { ...aMovedRelease('2027-04-02'), movedTo: '2027-04-02T00:00 Europe/London' };
    const dateChange = { ...announce, kind: 'date-change' as const, revision: moved.movedTo };
    // The same instant in another zone: releases asks for no date change, and keeps the move's.
    world.releases.set('lbl-nightshift/rel-night-drive', {
      ...moved,
      details: { ...moved.details!, timeZone: 'Europe/Guernsey' },
      occurredAt: '2026-02-02T10:00:00.000Z',
    });

    const outcome = await sendMailing(dateChange, meta, world.deps, far());
    world.published.length = 0;
    await askFollowUpsSince(moved, '2026-01-01T10:00:00.000Z', undefined, world.deps);
    await runRequested(world, 'date-change');

    expect(outcome).toMatchObject({ status: 'completed', sent: 2 });
    expect(world.mailer.kindsReceivedBy(announced.email)).toEqual(['announcement', 'date-change']);
  });

  it('mails out-now only to outlets announced to that are still mailable', async () => {
    const { world, announced, unsubscribedLater, neverAnnounced } = setup();
    await sendMailing(announce, meta, world.deps, far());
    world.directory.push(neverAnnounced);
    unsubscribedLater.unsubscribedAt = '2027-03-02T00:00:00Z';
    world.releases.set('lbl-nightshift/rel-night-drive', aStoredRelease({ state: 'out' }));

    const outcome = await sendMailing({ ...announce, kind: 'out-now' }, meta, world.deps, far());

    expect(world.mailer.delivered.filter((m) => m.kind === 'out-now').map((m) => m.email)).toEqual([
      announced.email,
    ]);
    expect(outcome).toMatchObject({ status: 'completed', sent: 1, skipped: 1 });
  });

  it('tells of a withdrawal from a territory only the outlets announced there that the release no longer reaches', async () => {
    const german = anOutlet({ territories: ['DE'] });
    const britishAndGerman = anOutlet({ territories: ['GB', 'DE'] });
    const british = anOutlet({ territories: ['GB'] });
    const world = fakeWorld({
      releases: [aStoredRelease({ details: aReleaseDetails({ territories: ['GB', 'DE'] }) })],
      outlets: [german, britishAndGerman, british],
    });
    await sendMailing(announce, meta, world.deps, far());
    world.releases.set(
      'lbl-nightshift/rel-night-drive',
      aStoredRelease({ details: aReleaseDetails({ territories: ['GB'] }) }),
    );

    const outcome = await sendMailing(
      { ...announce, kind: 'cancellation', territories: ['DE'] },
      meta,
      world.deps,
      far(),
    );

    expect(world.mailer.delivered.filter((m) => m.kind === 'cancellation').map((m) => m.email)).toEqual([
      german.email,
    ]);
    expect(outcome).toMatchObject({ status: 'completed', sent: 1 });
  });

  it('tells each outlet of a withdrawal the territories withdrawn that concern it, with their reasons, not every one withdrawn', async () => {
    const german = anOutlet({ territories: ['DE'] });
    const american = anOutlet({ territories: ['US'] });
    const germanAndAmerican = anOutlet({ territories: ['DE', 'US'] });
    const world = fakeWorld({
      releases: [aStoredRelease({ details: aReleaseDetails({ territories: ['GB', 'DE', 'US'] }) })],
      outlets: [german, american, germanAndAmerican],
    });
    await sendMailing(announce, meta, world.deps, far());
    world.releases.set(
      'lbl-nightshift/rel-night-drive',
      aStoredRelease({
        details: aReleaseDetails({ territories: ['GB'] }),
        withdrawn: {
          territories: ['DE', 'US'],
          at: '2026-02-01T10:00:00.000Z',
          reasons: { DE: 'Our licence in Germany ended.' },
        },
      }),
    );

    await sendMailing(
      { ...announce, kind: 'cancellation', territories: ['DE', 'US'] },
      meta,
      world.deps,
      far(),
    );

    const statedTo = (email: string) => mailTextOf(world, email, 'cancellation')?.cancellationReason;
    expect(statedTo(german.email)).toBe('It is withdrawn in DE.\nOur licence in Germany ended.');
    expect(statedTo(american.email)).toBe('It is withdrawn in US.');
    expect(statedTo(germanAndAmerican.email)).toBe(
      'It is withdrawn in DE, US.\nOur licence in Germany ended.',
    );
  });

  it('sends no out-now or date change to the outlets told the release is withdrawn from their territory', async () => {
    const german = anOutlet({ territories: ['DE'] });
    const british = anOutlet({ territories: ['GB'] });
    const world = fakeWorld({
      releases: [aStoredRelease({ details: aReleaseDetails({ territories: ['GB', 'DE'] }) })],
      outlets: [german, british],
    });
    await sendMailing(announce, meta, world.deps, far());
    const withdrawn = { territories: ['DE'], at: '2026-02-01T10:00:00.000Z' };
    world.releases.set(
      'lbl-nightshift/rel-night-drive',
      aStoredRelease({ details: aReleaseDetails({ territories: ['GB'] }), withdrawn }),
    );
    await sendMailing({ ...announce, kind: 'cancellation', territories: ['DE'] }, meta, world.deps, far());
    // Then the date moves, and the release day comes.
    const moved = aReleaseDetails({ territories: ['GB'], releaseDate: '2027-04-02' });
    world.releases.set(
      'lbl-nightshift/rel-night-drive',
      aStoredRelease({
        details: moved,
        withdrawn,
        occurredAt: '2026-02-02T10:00:00.000Z',
        movedAt: '2026-02-02T10:00:00.000Z',
      }),
    );
    await sendMailing(
      { ...announce, kind: 'date-change', revision: revisionOf(momentOf(moved)) },
      meta,
      world.deps,
      far(),
    );
    world.releases.set(
      'lbl-nightshift/rel-night-drive',
      aStoredRelease({ details: moved, withdrawn, state: 'out', occurredAt: '2026-02-02T10:00:00.000Z' }),
    );
    await sendMailing({ ...announce, kind: 'out-now' }, meta, world.deps, far());

    expect(world.mailer.kindsReceivedBy(german.email)).toEqual(['announcement', 'cancellation']);
    expect(world.mailer.kindsReceivedBy(british.email)).toEqual(['announcement', 'date-change', 'out-now']);
  });

  it('sends no announcement before the release may be announced, whoever asks', async () => {
    const outlet = anOutlet();
    const world = fakeWorld({
      releases: [aStoredRelease({ details: aReleaseDetails({ announceAt: '2100-01-01T00:00:00Z' }) })],
      outlets: [outlet],
    });

    const outcome = await sendMailing(announce, meta, world.deps, far());

    expect(outcome).toEqual({ status: 'obsolete', reason: 'under embargo until 2100-01-01T00:00:00Z' });
    expect(world.mailer.delivered).toHaveLength(0);
  });

  it('mails one date change per new date, and nothing for a date already superseded', async () => {
    const { world } = setup();
    await sendMailing(announce, meta, world.deps, far());
    const moved = aReleaseDetails({ releaseDate: '2027-04-02' });
    world.releases.set('lbl-nightshift/rel-night-drive', aStoredRelease({ details: moved }));
    const revision = revisionOf(momentOf(moved));

    await sendMailing({ ...announce, kind: 'date-change', revision }, meta, world.deps, far());
    await sendMailing({ ...announce, kind: 'date-change', revision }, meta, world.deps, far());
    const stale = await sendMailing(
      { ...announce, kind: 'date-change', revision: '2027-03-20T00:00 Europe/London' },
      meta,
      world.deps,
      far(),
    );

    expect(world.mailer.delivered.filter((m) => m.kind === 'date-change')).toHaveLength(2);
    expect(stale).toEqual({ status: 'obsolete', reason: 'date changed again since' });
  });

  it('sends a date change only to outlets announced before the move, not to those newly announced with the new date', async () => {
    const [before, newlyMatching] = [anOutlet({ territories: ['GB'] }), anOutlet({ territories: ['DE'] })];
    const world = fakeWorld({ releases: [aStoredRelease()], outlets: [before, newlyMatching] });
    await sendMailing(announce, meta, world.deps, far());
    // One Release Updated moved the date and added DE: releases asks for both mailings at once.
    const movedAndWidened = aReleaseDetails({ releaseDate: '2027-04-02', territories: ['GB', 'IE', 'DE'] });
    world.releases.set(
      'lbl-nightshift/rel-night-drive',
      aStoredRelease({
        details: movedAndWidened,
        occurredAt: '2026-02-01T10:00:00.000Z',
        movedAt: '2026-02-01T10:00:00.000Z',
      }),
    );
    const revision = revisionOf(momentOf(movedAndWidened));

    await sendMailing(announce, meta, world.deps, far());
    await sendMailing({ ...announce, kind: 'date-change', revision }, meta, world.deps, far());

    expect(world.mailer.kindsReceivedBy(newlyMatching.email)).toEqual(['announcement']);
    expect(world.mailer.kindsReceivedBy(before.email)).toEqual(['announcement', 'date-change']);
  });

  it('sends no out-now for a cancelled release', async () => {
    const { world } = setup();
    await sendMailing(announce, meta, world.deps, far());
    world.releases.set('lbl-nightshift/rel-night-drive', aStoredRelease({ state: 'cancelled' }));

    const outcome = await sendMailing({ ...announce, kind: 'out-now' }, meta, world.deps, far());

    expect(outcome.status).toBe('obsolete');
    expect(world.mailer.delivered.filter((m) => m.kind === 'out-now')).toHaveLength(0);
  });
});

describe('settling stale claims', () => {
  it('resends a claim left open for 15 minutes with no Email Sent, once, and records the resend', async () => {
    const outlet = anOutlet();
    const world = fakeWorld({ releases: [aStoredRelease()], outlets: [outlet] });
    // a sender claimed the mail and crashed before SendBulkEmail reached SES
    await world.deliveries.claim(aReleaseClaim(outlet), new Date(world.clock.now).toISOString());

    const early = await sweepStaleClaims(world.deps, far());
    world.clock.now += defaultSettings.staleClaimMs + 60_000;
    const due = await sweepStaleClaims(world.deps, far());
    const again = await sweepStaleClaims(world.deps, far());

    expect(early).toEqual({ resent: 0, closed: 0 });
    expect(due).toEqual({ resent: 1, closed: 0 });
    expect(again).toEqual({ resent: 0, closed: 0 });
    expect(world.mailer.delivered).toHaveLength(1);
    expect(world.deliveries.of('sent')[0]).toMatchObject({ resends: 1 });
  });

  it('closes a stale date-change claim for a date moved again since, instead of resending it with the newest date', async () => {
    const outlet = anOutlet();
    const superseded = aReleaseDetails({ releaseDate: '2027-04-02' });
    const newest = aReleaseDetails({ releaseDate: '2027-05-07' });
    const world = fakeWorld({ releases: [aStoredRelease({ details: newest })], outlets: [outlet] });
    await world.deliveries.claim(
      aReleaseClaim(outlet, { kind: 'date-change', revision: revisionOf(momentOf(superseded)) }),
      new Date(world.clock.now - defaultSettings.staleClaimMs - 60_000).toISOString(),
    );

    const result = await sweepStaleClaims(world.deps, far());

    expect(result).toEqual({ resent: 0, closed: 1 });
    expect(world.mailer.delivered).toHaveLength(0);
  });

  it('counts a resend that SES’s Email Sent event settles before the sender hears back', async () => {
    const outlet = anOutlet();
    const world = fakeWorld({ releases: [aStoredRelease()], outlets: [outlet] });
    await world.deliveries.claim(aReleaseClaim(outlet), new Date(world.clock.now).toISOString());
    world.clock.now += defaultSettings.staleClaimMs + 60_000;
    // SES accepts the resend, and its Email Sent event is handled before SendBulkEmail's answer arrives.
    world.mailer.script = async (mail) => {
      const [entry] = mail.entries;
      await settleFromEmailsSent(
        [
          emailSent({
            messageId: 'msg-from-event',
            email: entry.email,
            deliveryId: entry.deliveryId,
            at: new Date(world.clock.now).toISOString(),
          }),
        ],
        world.deps,
      );
      return [{ status: 'SUCCESS' }];
    };

    await sweepStaleClaims(world.deps, far());

    expect(world.mailer.delivered).toHaveLength(1);
    expect(world.deliveries.of('sent')[0]).toMatchObject({ messageId: 'msg-from-event', resends: 1 });
  });

  it('closes a stale claim instead of resending when the outlet has unsubscribed meanwhile', async () => {
    const outlet = anOutlet({ unsubscribedAt: '2027-03-01T12:05:00Z' });
    const world = fakeWorld({ releases: [aStoredRelease()], outlets: [outlet] });
    await world.deliveries.claim(
      aReleaseClaim(outlet),
      new Date(world.clock.now - defaultSettings.staleClaimMs - 60_000).toISOString(),
    );

    const result = await sweepStaleClaims(world.deps, far());

    expect(result).toEqual({ resent: 0, closed: 1 });
    expect(world.mailer.delivered).toHaveLength(0);
  });
});

describe('an announcement still being sent when the date moves', () => {
  it('writes the batches after the move with the new date, and gets the date change to the outlets of the batch in flight once the announcement completes, and to no other', async () => {
    const [first, second, third] = [outlets(2), outlets(2), outlets(2)];
    const world = fakeWorld({
      releases: [aStoredRelease()],
      outlets: [...first, ...second, ...third],
      pageSize: 2,
    });
    // While the first page is in flight, the label moves the date and its date change is mailed.
    callsTakeAMinute(world, () => moveDate(world, aMovedRelease('2027-04-02')));

    const firstHop = await sendMailing(announce, meta, world.deps, world.clock.now + 90_000);
    const continuation = world.published.find((e) => e.detailType === 'Mailing Requested')!;
    const lastHop = await sendMailing(detailOf(continuation).data, meta, world.deps, far());
    await runRequested(world, 'date-change');

    expect([firstHop.status, lastHop.status]).toEqual(['continued', 'completed']);
    for (const outlet of [...first, ...second, ...third]) {
      expect(world.mailer.receivedBy(outlet.email, 'announcement')).toHaveLength(1);
    }
    for (const outlet of first) {
      expect(world.mailer.receivedBy(outlet.email, 'date-change')).toHaveLength(1);
    }
    // The second batch was read ahead with the old date while the first went out: it is read again.
    for (const outlet of [...second, ...third]) {
      expect(world.mailer.receivedBy(outlet.email, 'date-change')).toHaveLength(0);
      const call = world.mailer.calls.find(
        (mail) => mail.kind === 'announcement' && mail.entries.some((entry) => entry.email === outlet.email),
      );
      expect((call!.defaultData as { text: { releaseDate: string } }).text.releaseDate).toContain(
        '2 April 2027',
      );
    }
  });

  it('gets the cancellation to every outlet announced by a mailing the cancel caught under way, and to no other', async () => {
    const [first, second] = [outlets(2), outlets(2)];
    const world = fakeWorld({ releases: [aStoredRelease()], outlets: [...first, ...second], pageSize: 2 });
    const cancelled = aStoredRelease({ state: 'cancelled', occurredAt: '2026-02-01T10:00:00.000Z' });
    // While the first page is in flight, the label cancels and the cancellation is mailed.
    callsTakeAMinute(world, async () => {
      world.releases.set('lbl-nightshift/rel-night-drive', cancelled);
      await sendMailing({ ...announce, kind: 'cancellation' }, meta, world.deps, far());
    });

    const outcome = await sendMailing(announce, meta, world.deps, far());
    await runRequested(world, 'cancellation');

    expect(outcome).toMatchObject({ status: 'obsolete', reason: 'release cancelled' });
    for (const outlet of first) {
      expect(world.mailer.kindsReceivedBy(outlet.email)).toEqual(['announcement', 'cancellation']);
    }
    for (const outlet of second) expect(world.mailer.receivedBy(outlet.email)).toHaveLength(0);
  });

  it('asks for the cancellation again when an announcement claimed before the cancel is settled from Email Sent', async () => {
    const { outlet, world } = await anAnnouncementWithItsAnswerLost();
    world.releases.set(
      'lbl-nightshift/rel-night-drive',
      aStoredRelease({ state: 'cancelled', occurredAt: '2026-02-01T10:00:00.000Z' }),
    );
    await sendMailing({ ...announce, kind: 'cancellation' }, meta, world.deps, far());
    const [mail] = world.mailer.delivered;

    await settleFromEmailsSent(
      [emailSent({ messageId: mail.messageId, email: mail.email, deliveryId: mail.deliveryId })],
      world.deps,
    );
    await runRequested(world, 'cancellation');

    expect(world.mailer.kindsReceivedBy(outlet.email)).toEqual(['announcement', 'cancellation']);
  });

  it('asks for the cancellation once per batch of late announcements, in the outbox with their marks, reading the release once when it is handled', async () => {
    const world = fakeWorld({ releases: [aStoredRelease()], outlets: outlets(120) });
    world.mailer.script = () => 'accept-then-fail';
    await sendMailing(announce, meta, world.deps, far());
    world.releases.set(
      'lbl-nightshift/rel-night-drive',
      aStoredRelease({ state: 'cancelled', occurredAt: '2026-02-01T10:00:00.000Z' }),
    );
    let releaseReads = 0;
    const { get } = world.deps.releases;
    world.deps.releases.get = async (...args) => {
      releaseReads++;
      return get(...args);
    };
    world.published.length = 0;

    // A batch of the settlement queue: at most 100 events.
    await settleFromEmailsSent(
      world.mailer.delivered
        .slice(0, 100)
        .map((mail) =>
          emailSent({ messageId: mail.messageId, email: mail.email, deliveryId: mail.deliveryId }),
        ),
      world.deps,
    );

    expect(world.deliveries.of('sent')).toHaveLength(100);
    // Settling reads no release and publishes nothing: one ask for the release, stored with the marks.
    expect([releaseReads, world.published]).toEqual([0, []]);
    expect(world.deliveries.outbox.map((e) => [e.detailType, detailOf(e).data.deliveryIds.length])).toEqual([
      ['Release Mails Settled', 100],
    ]);
    await runSettled(world);
    expect(releaseReads).toBe(1);
    expect(world.published.map((e) => [e.detailType, (e.detail.data as { kind: string }).kind])).toEqual([
      ['Mailing Requested', 'cancellation'],
    ]);
  });

  it('asks for no date change when every announcement was written after the move', async () => {
    const world = fakeWorld({ releases: [aMovedRelease('2027-04-02')], outlets: outlets(3) });

    await sendMailing(announce, meta, world.deps, far());

    expect(world.published.map((e) => e.detailType)).toEqual(['Release Announced']);
  });

  it('records a stale announcement resent after the move as written with the new date, so it gets no date change', async () => {
    const outlet = anOutlet();
    const world = fakeWorld({ releases: [aStoredRelease()], outlets: [outlet] });
    await world.deliveries.claim(
      aReleaseClaim(outlet, { asOf: '2026-01-01T10:00:00.000Z' }),
      new Date(world.clock.now).toISOString(),
    );
    const moved = aMovedRelease('2027-04-02');
    world.releases.set('lbl-nightshift/rel-night-drive', moved);
    const dateChange = {
      ...announce,
      kind: 'date-change' as const,
      revision: revisionOf(momentOf(moved.details!)),
    };
    await sendMailing(dateChange, meta, world.deps, far());
    world.clock.now += defaultSettings.staleClaimMs + 60_000;

    await sweepStaleClaims(world.deps, far());
    await sendMailing(dateChange, meta, world.deps, far());

    expect(world.mailer.kindsReceivedBy(outlet.email)).toEqual(['announcement']);
    expect(world.deliveries.of('sent')[0]).toMatchObject({ asOf: moved.occurredAt, resends: 1 });
  });

  it('asks for the date change again when an announcement claimed before the move is settled from Email Sent', async () => {
    const { outlet, world } = await anAnnouncementWithItsAnswerLost();
    await moveDate(world, aMovedRelease('2027-04-02'));
    const [mail] = world.mailer.delivered;

    await settleFromEmailsSent(
      [emailSent({ messageId: mail.messageId, email: mail.email, deliveryId: mail.deliveryId })],
      world.deps,
    );
    await runRequested(world, 'date-change');

    expect(world.mailer.kindsReceivedBy(outlet.email)).toEqual(['announcement', 'date-change']);
  });

  it('asks for the date change again when the date moves while the sweep resends an announcement', async () => {
    const outlet = anOutlet();
    const world = fakeWorld({ releases: [aStoredRelease()], outlets: [outlet] });
    await world.deliveries.claim(
      aReleaseClaim(outlet, { asOf: '2026-01-01T10:00:00.000Z' }),
      new Date(world.clock.now).toISOString(),
    );
    world.clock.now += defaultSettings.staleClaimMs + 60_000;
    const moved = aMovedRelease('2027-04-02');
    whileAnnouncing(world, () => moveDate(world, moved));

    await sweepStaleClaims(world.deps, far());
    await runRequested(world, 'date-change');

    expect(world.mailer.kindsReceivedBy(outlet.email)).toEqual(['announcement', 'date-change']);
  });
});

describe('a release out at different moments in different territories', () => {
  const london = '2027-03-05T00:00 Europe/London';
  const berlin = '2027-03-12T00:00 Europe/Berlin';
  const newYork = '2027-03-19T09:00 America/New_York';
  const threeDates = (overrides: Parameters<typeof aStoredRelease>[0] = {}) =>
    aStoredRelease({
      details: aReleaseDetails({
        territories: ['GB', 'DE', 'US'],
        releaseDate: '2027-03-05',
        timeZone: 'Europe/London',
        territoryDates: [
          { territories: ['DE'], releaseDate: '2027-03-12', timeZone: 'Europe/Berlin' },
          {
            territories: ['US'],
            releaseDate: '2027-03-19',
            releaseTime: '09:00',
            timeZone: 'America/New_York',
          },
        ],
      }),
      ...overrides,
    });
  const setup = () => {
    const gb = anOutlet({ territories: ['GB'] });
    const de = anOutlet({ territories: ['DE'] });
    const deAndUs = anOutlet({ territories: ['DE', 'US'] });
    const us = anOutlet({ territories: ['US'] });
    const world = fakeWorld({ releases: [threeDates()], outlets: [gb, de, deAndUs, us] });
    const textOf = (email: string, kind: string) => mailTextOf(world, email, kind);
    return { world, gb, de, deAndUs, us, textOf };
  };
  const outNow = (moment: string) => ({ ...announce, kind: 'out-now' as const, moment });
  const outNowTo = (world: ReturnType<typeof setup>['world']) =>
    world.mailer.delivered.filter((m) => m.kind === 'out-now').map((m) => m.email);

  it('announces to each outlet the date of its territory, and each date to an outlet in several', async () => {
    const { world, gb, deAndUs, textOf } = setup();

    await sendMailing(announce, meta, world.deps, far());

    expect(textOf(gb.email, 'announcement')).toMatchObject({
      releaseDate: 'Friday, 5 March 2027, 00:00 (Europe/London) in GB',
      releaseDateShort: '5 March 2027',
    });
    expect(textOf(deAndUs.email, 'announcement')?.releaseDate).toBe(
      'Friday, 12 March 2027, 00:00 (Europe/Berlin) in DE; Friday, 19 March 2027, 09:00 (America/New_York) in US',
    );
    expect(world.mailer.delivered.filter((m) => m.kind === 'announcement')).toHaveLength(4);
  });

  it('sends out-now to an outlet once, at the earliest street date among its territories', async () => {
    const { world, gb, de, deAndUs, us } = setup();
    await sendMailing(announce, meta, world.deps, far());
    world.releases.set('lbl-nightshift/rel-night-drive', threeDates({ state: 'out', outMoments: [london] }));
    await sendMailing(outNow(london), meta, world.deps, far());
    expect(outNowTo(world)).toEqual([gb.email]);
    world.releases.set(
      'lbl-nightshift/rel-night-drive',
      threeDates({ state: 'out', outMoments: [london, berlin] }),
    );

    await sendMailing(outNow(berlin), meta, world.deps, far());
    const atBerlin = outNowTo(world).slice(1);
    world.releases.set(
      'lbl-nightshift/rel-night-drive',
      threeDates({ state: 'out', outMoments: [london, berlin, newYork] }),
    );
    await sendMailing(outNow(newYork), meta, world.deps, far());

    expect(atBerlin.sort()).toEqual([de.email, deAndUs.email].sort());
    expect(outNowTo(world).slice(1 + atBerlin.length)).toEqual([us.email]);
  });

  it('sends no out-now for a moment that has not come', async () => {
    const { world } = setup();
    await sendMailing(announce, meta, world.deps, far());
    world.releases.set('lbl-nightshift/rel-night-drive', threeDates({ state: 'out', outMoments: [london] }));

    const outcome = await sendMailing(outNow(berlin), meta, world.deps, far());

    expect(outcome).toEqual({ status: 'obsolete', reason: 'that street date has not come' });
  });

  it('mails a territory’s date change to its outlets only, stating its new and old date', async () => {
    const { world, de, deAndUs, textOf } = setup();
    await sendMailing(announce, meta, world.deps, far());
    const moved = threeDates({ movedAt: '2027-01-02T00:00:00Z', occurredAt: '2027-01-02T00:00:00Z' });
    moved.details!.territoryDates![0] = {
      territories: ['DE'],
      releaseDate: '2027-03-26',
      timeZone: 'Europe/Berlin',
    };
    world.releases.set('lbl-nightshift/rel-night-drive', moved);

    await sendMailing(
      dateChangeOf('2027-03-26T00:00 Europe/Berlin', berlin, ['DE']),
      meta,
      world.deps,
      far(),
    );

    const changed = world.mailer.delivered.filter((m) => m.kind === 'date-change').map((m) => m.email);
    expect(changed.sort()).toEqual([de.email, deAndUs.email].sort());
    expect(textOf(de.email, 'date-change')).toMatchObject({
      releaseDate: 'Friday, 26 March 2027, 00:00 (Europe/Berlin) in DE',
      previousReleaseDate: 'Friday, 12 March 2027, 00:00 (Europe/Berlin)',
    });
  });

  it('holds the announcement to an outlet in a territory under its own embargo until it ends', async () => {
    const { world, gb, de, deAndUs, us } = setup();
    const release = threeDates();
    release.details!.territoryDates![0].announceAt = '2100-01-01T00:00:00Z';
    world.releases.set('lbl-nightshift/rel-night-drive', release);

    await sendMailing(announce, meta, world.deps, far());

    expect(world.mailer.delivered.map((m) => m.email).sort()).toEqual([gb.email, us.email].sort());
    expect(world.mailer.delivered.map((m) => m.email)).not.toContain(de.email);
    expect(world.mailer.delivered.map((m) => m.email)).not.toContain(deAndUs.email);
  });

  it('states the embargo the outlet was held by: the release’s announceAt over its older embargoUntil, its territory’s own when later, in that territory’s zone', async () => {
    const { world, gb, de, deAndUs, textOf } = setup();
    const release = threeDates();
    release.details!.embargoUntil = '2027-02-20T09:00:00Z';
    release.details!.announceAt = '2027-03-01T09:00:00Z';
    release.details!.territoryDates![0].announceAt = '2027-03-01T10:30:00Z';
    world.releases.set('lbl-nightshift/rel-night-drive', release);

    await sendMailing({ ...announce, embargoEnded: true }, meta, world.deps, far());

    expect(textOf(gb.email, 'announcement')?.embargo).toBe('1 March 2027 at 09:00 (Europe/London)');
    expect(textOf(de.email, 'announcement')?.embargo).toBe('1 March 2027 at 11:30 (Europe/Berlin)');
    expect(textOf(deAndUs.email, 'announcement')?.embargo).toBe('1 March 2027 at 11:30 (Europe/Berlin)');
  });

  it('states no embargo to an outlet announced after it ended, added to the directory since: it held nothing of it', async () => {
    const { world, gb, textOf } = setup();
    const release = threeDates();
    release.details!.announceAt = '2027-02-20T09:00:00Z';
    world.releases.set('lbl-nightshift/rel-night-drive', release);

    await sendMailing({ ...announce, outletIds: [gb.id] }, meta, world.deps, far());

    expect(textOf(gb.email, 'announcement')?.releaseDate).toBe(
      'Friday, 5 March 2027, 00:00 (Europe/London) in GB',
    );
    expect(textOf(gb.email, 'announcement')?.embargo).toBeUndefined();
  });

  it('says when the promo opens to an outlet mailed before it, in the zone its embargo line is stated in, and nothing once it is open', async () => {
    const { world, gb, de, textOf } = setup();
    const release = threeDates();
    release.details!.territoryDates![0].announceAt = '2027-03-01T10:30:00Z';
    // The world's clock reads 1 March 2027, 12:00 UTC.
    release.details!.promoAvailableAt = '2027-03-04T10:00:00Z';
    world.releases.set('lbl-nightshift/rel-night-drive', release);

    await sendMailing(announce, meta, world.deps, far());
    world.releases.set('lbl-nightshift/rel-night-drive', {
      ...release,
      details: { ...release.details!, promoAvailableAt: '2027-03-01T11:00:00Z' },
      state: 'out',
      outMoments: [london],
    });
    await sendMailing(outNow(london), meta, world.deps, far());

    expect(textOf(gb.email, 'announcement')?.promoOpens).toBe('4 March 2027 at 10:00 (Europe/London)');
    expect(textOf(de.email, 'announcement')?.promoOpens).toBe('4 March 2027 at 11:00 (Europe/Berlin)');
    expect(textOf(gb.email, 'out-now')).not.toHaveProperty('promoOpens');
  });

  it('states the promo opening and the release’s own embargo in the zone of the outlet’s street date: a US outlet with no embargo of its own reads them in America/New_York', async () => {
    const { world, gb, us, textOf } = setup();
    const release = threeDates();
    release.details!.announceAt = '2027-03-01T09:00:00Z';
    release.details!.promoAvailableAt = '2027-03-04T10:00:00Z';
    world.releases.set('lbl-nightshift/rel-night-drive', release);

    await sendMailing({ ...announce, embargoEnded: true }, meta, world.deps, far());

    expect(textOf(us.email, 'announcement')).toMatchObject({
      releaseDate: 'Friday, 19 March 2027, 09:00 (America/New_York) in US',
      embargo: '1 March 2027 at 04:00 (America/New_York)',
      promoOpens: '4 March 2027 at 05:00 (America/New_York)',
    });
    expect(textOf(gb.email, 'announcement')).toMatchObject({
      embargo: '1 March 2027 at 09:00 (Europe/London)',
      promoOpens: '4 March 2027 at 10:00 (Europe/London)',
    });
  });

  it('has the sweep resend an announcement saying of the embargo what its first sending said: none to an outlet added since or to the directory after it ended, the one it held at its end', async () => {
    const resentEmbargo = async (asked: 'to outlets added since' | 'after it ended' | 'at its end') => {
      const { world, gb } = setup();
      const release = threeDates();
      release.details!.announceAt = '2027-02-20T09:00:00Z';
      world.releases.set('lbl-nightshift/rel-night-drive', release);
      // SES takes the announcement and its answer is lost: the claim stays open until the sweep.
      world.mailer.script = (_mail, call) => (call === 1 ? 'accept-then-fail' : (undefined as never));
      const request = {
        'to outlets added since': { ...announce, outletIds: [gb.id] },
        // Asked by a change after the embargo ended (a widening): the directory's, held by nothing.
        'after it ended': announce,
        'at its end': { ...announce, embargoEnded: true as const },
      }[asked];
      await sendMailing(request, meta, world.deps, far());
      world.clock.now += defaultSettings.staleClaimMs + 60_000;

      await sweepStaleClaims(world.deps, far());

      const [first, resend] = world.mailer.calls.flatMap((call) =>
        call.entries
          .filter((entry) => entry.email === gb.email)
          .map((entry) => ({
            ...(call.defaultData as { text: object }).text,
            ...(entry.data as { text: object }).text,
          })),
      ) as { embargo?: string }[];
      return { first: first.embargo, resend: resend.embargo };
    };

    const addedSince = await resentEmbargo('to outlets added since');
    const afterItEnded = await resentEmbargo('after it ended');
    const atItsEnd = await resentEmbargo('at its end');

    expect(addedSince).toEqual({ first: undefined, resend: undefined });
    expect(afterItEnded).toEqual({ first: undefined, resend: undefined });
    expect(atItsEnd).toEqual({
      first: '20 February 2027 at 09:00 (Europe/London)',
      resend: '20 February 2027 at 09:00 (Europe/London)',
    });
  });

  it('states the embargo in a follow-up only while it holds: none once lifted, the one the label set after the announcement while that holds', async () => {
    const embargoedUntil = (deAnnounceAt: string) => {
      const release = threeDates({ movedAt: '2027-01-02T00:00:00Z', occurredAt: '2027-01-02T00:00:00Z' });
      release.details!.announceAt = '2027-03-01T09:00:00Z';
      release.details!.territoryDates![0] = {
        territories: ['DE'],
        releaseDate: '2027-03-26',
        timeZone: 'Europe/Berlin',
        announceAt: deAnnounceAt,
      };
      return release;
    };
    const moveDe = async (deAnnounceAt: string) => {
      const { world, de, textOf } = setup();
      await sendMailing(announce, meta, world.deps, far());
      world.releases.set('lbl-nightshift/rel-night-drive', embargoedUntil(deAnnounceAt));
      await sendMailing(
        dateChangeOf('2027-03-26T00:00 Europe/Berlin', berlin, ['DE']),
        meta,
        world.deps,
        far(),
      );
      return textOf(de.email, 'date-change');
    };

    // The world's clock reads 1 March 2027, 12:00 UTC.
    const lifted = await moveDe('2027-03-01T10:30:00Z');
    const heldAgain = await moveDe('2027-03-10T09:00:00Z');

    expect(lifted?.releaseDate).toBe('Friday, 26 March 2027, 00:00 (Europe/Berlin) in DE');
    expect(lifted?.embargo).toBeUndefined();
    expect(heldAgain?.embargo).toBe('10 March 2027 at 10:00 (Europe/Berlin)');
  });

  it('tells an address it is out once, whichever moment asks: the moment is not part of the out-now’s identity', async () => {
    const { world, deAndUs } = setup();
    await sendMailing(announce, meta, world.deps, far());
    world.releases.set(
      'lbl-nightshift/rel-night-drive',
      threeDates({ state: 'out', outMoments: [london, berlin] }),
    );
    await sendMailing(outNow(berlin), meta, world.deps, far());
    // The same address, now an outlet in the US only (deleted and imported again, say): out later there.
    world.directory.splice(world.directory.indexOf(deAndUs), 1, { ...deAndUs, territories: ['US'] });
    world.releases.set(
      'lbl-nightshift/rel-night-drive',
      threeDates({ state: 'out', outMoments: [london, berlin, newYork] }),
    );

    await sendMailing(outNow(newYork), meta, world.deps, far());

    expect(outNowTo(world).filter((email) => email === deAndUs.email)).toHaveLength(1);
  });

  it('tells an outlet a cancelled release is withdrawn where it came out and cancelled where it was still to come, not planned for a date gone by', async () => {
    const { world, deAndUs, gb, textOf } = setup();
    await sendMailing(announce, meta, world.deps, far());
    world.releases.set(
      'lbl-nightshift/rel-night-drive',
      threeDates({ state: 'cancelled', outMoments: [london, berlin] }),
    );

    await sendMailing({ ...announce, kind: 'cancellation' }, meta, world.deps, far());

    expect(textOf(deAndUs.email, 'cancellation')).toMatchObject({
      releaseDate: 'Friday, 19 March 2027, 09:00 (America/New_York) in US',
      outSince: 'Friday, 12 March 2027, 00:00 (Europe/Berlin) in DE',
    });
    expect(textOf(gb.email, 'cancellation')).toMatchObject({ outAlready: true });
    expect(textOf(gb.email, 'cancellation')).not.toHaveProperty('outSince');
  });

  it('tells an outlet a territory’s withdrawal stating the date it was told there, not the release’s', async () => {
    const { world, de, textOf } = setup();
    await sendMailing(announce, meta, world.deps, far());
    // The label withdraws the release from DE (a takedown there): releases narrows it as it does.
    const { next } = decideChange(
      threeDates(),
      { type: 'Release Cancelled', releaseId: 'rel-night-drive', territories: ['DE'] },
      {
        labelId: 'lbl-nightshift',
        eventId: 'evt-withdrawn',
        correlationId: 'corr-withdrawn',
        occurredAt: '2027-01-02T00:00:00.000Z',
      },
      '2027-01-02T00:00:01.000Z',
    );
    world.releases.set('lbl-nightshift/rel-night-drive', next);

    await sendMailing({ ...announce, kind: 'cancellation', territories: ['DE'] }, meta, world.deps, far());

    expect(world.mailer.delivered.filter((m) => m.kind === 'cancellation').map((m) => m.email)).toEqual([
      de.email,
    ]);
    expect(textOf(de.email, 'cancellation')?.releaseDate).toBe(
      'Friday, 12 March 2027, 00:00 (Europe/Berlin) in DE',
    );
  });

  it('tells an announced outlet whose territories changed to one already out that it is out, at the next moment that comes, stating its own', async () => {
    const { world, de, us, textOf } = setup();
    await sendMailing(announce, meta, world.deps, far());
    world.releases.set('lbl-nightshift/rel-night-drive', threeDates({ state: 'out', outMoments: [london] }));
    await sendMailing(outNow(london), meta, world.deps, far());
    // After London's street date, the DE outlet is edited (or imported again) to list GB: its earliest
    // moment has passed, and the US outlet is now in GB too.
    world.directory.splice(world.directory.indexOf(de), 1, { ...de, territories: ['GB', 'DE'] });
    world.directory.splice(world.directory.indexOf(us), 1, { ...us, territories: ['GB'] });
    world.releases.set(
      'lbl-nightshift/rel-night-drive',
      threeDates({ state: 'out', outMoments: [london, berlin] }),
    );

    await sendMailing(outNow(berlin), meta, world.deps, far());
    world.releases.set(
      'lbl-nightshift/rel-night-drive',
      threeDates({ state: 'out', outMoments: [london, berlin, newYork] }),
    );
    await sendMailing(outNow(newYork), meta, world.deps, far());

    expect(outNowTo(world).filter((email) => email === de.email)).toHaveLength(1);
    expect(outNowTo(world).filter((email) => email === us.email)).toHaveLength(1);
    expect(textOf(us.email, 'out-now')?.releaseDate).toBe(
      'Friday, 5 March 2027, 00:00 (Europe/London) in GB',
    );
    expect(textOf(de.email, 'out-now')?.releaseDate).toBe(
      'Friday, 5 March 2027, 00:00 (Europe/London) in GB',
    );
  });
});

describe('a worldwide release with its own street date in one country', () => {
  // "Worldwide on 5 March, in Japan on 12 March": JP has an entry of its own, so its street date is the
  // 12th (docs/design.md#street-dates-per-territory: only territories without an entry take another).
  const worldwide = '2027-03-05T00:00 Europe/London';
  const japanLater = (overrides: Parameters<typeof aStoredRelease>[0] = {}) =>
    aStoredRelease({
      details: aReleaseDetails({
        territories: ['WW', 'JP'],
        releaseDate: '2027-03-05',
        timeZone: 'Europe/London',
        territoryDates: [{ territories: ['JP'], releaseDate: '2027-03-12', timeZone: 'Asia/Tokyo' }],
      }),
      ...overrides,
    });
  /** A British and a Japanese outlet, both announced japanLater's release. */
  const gbAndJapanAnnounced = async () => {
    const gb = anOutlet({ territories: ['GB'] });
    const jp = anOutlet({ territories: ['JP'] });
    const world = fakeWorld({ releases: [japanLater()], outlets: [gb, jp] });
    await sendMailing(announce, meta, world.deps, far());
    return { gb, jp, world };
  };
  /** japanLater's release out at the worldwide date, and its out-now mailing for that date run. */
  const outAtTheWorldwideDate = async (world: FakeWorld) => {
    const out = japanLater({ state: 'out', outMoments: [worldwide] });
    world.releases.set('lbl-nightshift/rel-night-drive', out);
    await sendMailing({ ...announce, kind: 'out-now', moment: worldwide }, meta, world.deps, far());
    return out;
  };

  it('does not tell an outlet in that country the release is out at the worldwide date', async () => {
    const { gb, world } = await gbAndJapanAnnounced();

    await outAtTheWorldwideDate(world);

    expect(world.mailer.delivered.filter((m) => m.kind === 'out-now').map((m) => m.email)).toEqual([
      gb.email,
    ]);
  });

  it('tells the outlets of that country nothing when the worldwide date moves', async () => {
    const { gb, world } = await gbAndJapanAnnounced();
    const moved = japanLater({ movedAt: '2027-01-02T00:00:00Z', occurredAt: '2027-01-02T00:00:00Z' });
    moved.details = { ...moved.details!, releaseDate: '2027-03-06' };
    world.releases.set('lbl-nightshift/rel-night-drive', moved);

    await sendMailing(
      dateChangeOf('2027-03-06T00:00 Europe/London', worldwide, ['WW']),
      meta,
      world.deps,
      far(),
    );

    expect(world.mailer.delivered.filter((m) => m.kind === 'date-change').map((m) => m.email)).toEqual([
      gb.email,
    ]);
  });

  it('tells the outlets of that country their date is the worldwide one, out already, when the label drops its own', async () => {
    const { gb, jp, world } = await gbAndJapanAnnounced();
    const out = await outAtTheWorldwideDate(world);

    // The label drops the Japanese deal: Japan now follows the worldwide date, which has come.
    const { next, effects } = decideChange(
      out,
      {
        type: 'Release Updated',
        details: aReleaseDetails({
          territories: ['WW'],
          releaseDate: '2027-03-05',
          timeZone: 'Europe/London',
        }),
      },
      {
        labelId: 'lbl-nightshift',
        eventId: 'evt-jp-dropped',
        correlationId: 'corr',
        occurredAt: '2027-03-06T00:00:00.000Z',
      },
      '2027-03-06T00:00:01.000Z',
    );
    world.releases.set('lbl-nightshift/rel-night-drive', next);
    for (const effect of effects) {
      if (effect.type !== 'request-mailing') continue;
      const { type: _type, ...asked } = effect;
      await sendMailing({ ...announce, ...asked }, meta, world.deps, far());
    }

    const followUps = world.mailer.delivered.filter((m) => m.kind !== 'announcement');
    expect(
      followUps
        .filter((m) => m.email === jp.email)
        .map((m) => m.kind)
        .sort(),
    ).toEqual(['date-change', 'out-now']);
    expect(followUps.filter((m) => m.email === gb.email).map((m) => m.kind)).toEqual(['out-now']);
    expect(mailTextOf(world, jp.email, 'date-change')).toMatchObject({
      releaseDate: 'Friday, 5 March 2027, 00:00 (Europe/London)',
      previousReleaseDate: 'Friday, 12 March 2027, 00:00 (Asia/Tokyo)',
    });
  });
});

describe('a territory’s date moved while the announcement was going out', () => {
  const berlin = '2027-03-12T00:00 Europe/Berlin';

  const twoDates = (overrides: Parameters<typeof aStoredRelease>[0] = {}, deDate = '2027-03-12') =>
    aStoredRelease({
      details: aReleaseDetails({
        territories: ['GB', 'DE'],
        releaseDate: '2027-03-05',
        timeZone: 'Europe/London',
        territoryDates: [{ territories: ['DE'], releaseDate: deDate, timeZone: 'Europe/Berlin' }],
      }),
      ...overrides,
    });

  it('tells a territory’s date change only to its outlets announced before that move, though another territory moved since', async () => {
    const [before, after] = [anOutlet({ territories: ['DE'] }), anOutlet({ territories: ['DE'] })];
    const [t0, t1, t2] = ['2026-01-01T10:00:00.000Z', '2026-02-01T10:00:00.000Z', '2026-03-01T10:00:00.000Z'];
    const deMove = {
      moment: berlin,
      revision: '2027-03-26T00:00 Europe/Berlin',
      territories: ['DE'],
      at: t1,
    };
    // DE moved from 12 to 26 March at t1, then GB moved at t2: the release's last move is GB's.
    const release = twoDates({ occurredAt: t2, movedAt: t2, dateChanges: [deMove] }, '2027-03-26');
    release.details!.releaseDate = '2027-03-19';
    const world = fakeWorld({ releases: [release], outlets: [before, after] });
    // One announced from before DE's move (the 12th), one from the version after it (the 26th).
    for (const [outlet, asOf] of [
      [before, t0],
      [after, t1],
    ] as const) {
      const claim = await world.deliveries.claim(aReleaseClaim(outlet, { asOf }), t0);
      await world.deliveries.markSent(claim!.deliveryId, `msg-${outlet.id}`, t0);
    }

    await sendMailing(dateChangeOf(deMove.revision, berlin, ['DE']), meta, world.deps, far());

    expect(world.mailer.receivedBy(before.email, 'date-change')).toHaveLength(1);
    expect(world.mailer.receivedBy(after.email, 'date-change')).toHaveLength(0);
  });

  it('follows up with that territory’s date change only, not a release-wide one to every outlet', async () => {
    const gb = anOutlet({ territories: ['GB'] });
    const de = anOutlet({ territories: ['DE'] });
    const world = fakeWorld({ releases: [twoDates()], outlets: [gb, de] });
    // The label moves DE from 12 to 26 March while the announcement mailing (which read the release
    // before the move) is running: releases stores it and asks for DE's date change.
    const moved = twoDates(
      {
        occurredAt: '2026-02-01T10:00:00.000Z',
        movedAt: '2026-02-01T10:00:00.000Z',
        dateChanges: [
          {
            moment: berlin,
            revision: '2027-03-26T00:00 Europe/Berlin',
            territories: ['DE'],
            at: '2026-02-01T10:00:00.000Z',
          },
        ],
      },
      '2027-03-26',
    );
    const original = world.deps.releases.get;
    let reads = 0;
    world.deps.releases = {
      ...world.deps.releases,
      get: async (labelId, releaseId) =>
        reads++ === 0 ? original(labelId, releaseId) : structuredClone(moved),
    };
    await sendMailing(announce, meta, world.deps, far());
    world.releases.set('lbl-nightshift/rel-night-drive', moved);
    // The date change releases asked for with the move.
    await sendMailing(
      dateChangeOf('2027-03-26T00:00 Europe/Berlin', berlin, ['DE']),
      meta,
      world.deps,
      far(),
    );
    // And whatever follow-up the announcement's completion asked for.
    const followUps = world.published
      .filter((entry) => entry.detailType === 'Mailing Requested')
      .map((entry) => detailOf(entry).data);
    expect(followUps).toHaveLength(1);
    for (const followUp of followUps) await sendMailing(followUp, meta, world.deps, far());

    // GB's date never moved: no date change for it; DE hears of its move once.
    expect({
      gb: world.mailer.receivedBy(gb.email, 'date-change').length,
      de: world.mailer.receivedBy(de.email, 'date-change').length,
    }).toEqual({ gb: 0, de: 1 });
  });
});

describe('a release withdrawn from a territory while its announcement is going out', () => {
  it('announces no outlet there after the withdrawal, and tells every outlet announced there that it is withdrawn', async () => {
    const de1 = anOutlet({ territories: ['DE'] });
    const gb = anOutlet({ territories: ['GB'] });
    const de2 = anOutlet({ territories: ['DE'] });
    const world = fakeWorld({
      releases: [aStoredRelease({ details: aReleaseDetails({ territories: ['GB', 'DE'] }) })],
      outlets: [de1, gb, de2],
      pageSize: 1,
    });
    // While SES takes the first announcement, the label withdraws the release from DE: releases stores
    // the narrowed release and asks for the withdrawal mailing, which runs at once.
    let withdrawn = false;
    world.mailer.script = async () => {
      if (withdrawn) return undefined as never;
      withdrawn = true;
      world.releases.set(
        'lbl-nightshift/rel-night-drive',
        aStoredRelease({
          details: aReleaseDetails({ territories: ['GB'] }),
          occurredAt: '2026-02-01T10:00:00.000Z',
          withdrawn: { territories: ['DE'], at: '2026-02-01T10:00:00.000Z' },
        }),
      );
      await sendMailing({ ...announce, kind: 'cancellation', territories: ['DE'] }, meta, world.deps, far());
      return undefined as never;
    };

    await sendMailing(announce, meta, world.deps, far());
    // Whatever follow-up the announcer asked for is mailed too.
    for (const entry of world.published.filter((e) => e.detailType === 'Mailing Requested'))
      await sendMailing(detailOf(entry).data, meta, world.deps, far());

    const toldOf = (email: string) => world.mailer.kindsReceivedBy(email);
    // Announced after the withdrawal: should not have been; announced before it: must hear of it.
    expect({ de1: toldOf(de1.email), de2: toldOf(de2.email) }).toEqual({
      de1: ['announcement', 'cancellation'],
      de2: [],
    });
  });
});

describe('release day reached while the announcement is still going out', () => {
  it('still sends out-now to the outlets whose announcement was in flight when the out-now mailing ran', async () => {
    // A surprise drop: announceAt is the release moment, so Announcement Due and Release Day Reached
    // fire in the same minute and the two mailings run side by side.
    const outlet = anOutlet({ territories: ['GB'] });
    const world = fakeWorld({ releases: [aStoredRelease()], outlets: [outlet] });
    let released = false;
    world.mailer.script = async () => {
      if (released) return undefined as never;
      released = true;
      // While SES takes the announcement, releases marks the release out and the out-now mailing runs.
      world.releases.set(
        'lbl-nightshift/rel-night-drive',
        aStoredRelease({ state: 'out', outAt: '2027-03-05T00:00:00.000Z' }),
      );
      await sendMailing({ ...announce, kind: 'out-now' }, meta, world.deps, far());
      return undefined as never;
    };

    await sendMailing(announce, meta, world.deps, far());
    for (const entry of world.published.filter((e) => e.detailType === 'Mailing Requested'))
      await sendMailing(detailOf(entry).data, meta, world.deps, far());

    expect(world.mailer.kindsReceivedBy(outlet.email)).toEqual(['announcement', 'out-now']);
  });
});
