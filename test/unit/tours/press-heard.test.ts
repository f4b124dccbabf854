import { describe, expect, it } from 'vitest';
import { applyShowChange, bookTour } from '#functions/tours/apply-change.ts';
import { sweepStaleTourMail } from '#functions/tours/resend.ts';
import {
  aPressOutlet,
  aShow,
  fakeToursDeps,
  lostAnswers,
  metaAt,
  runDueSteps,
  toldDePressOf,
  tourOf,
} from '#test/support/tours.ts';

/**
 * Which shows a press address heard of, for the announcement and move steps and the stale-claim
 * sweep: each show told once, and an address told of a show hears what becomes of it. Each test names
 * the guarantee of docs/design.md#exactly-once-mail / #tours it checks.
 */
const announced = aShow({ status: 'announced', announceAt: '2027-02-01T09:00:00.000Z' });
const next = aShow({ ...announced, showId: 'show-2', date: '2027-05-16' });

/** DE press's announcement of show 1 claimed, SES's answer lost, a day later (the claim stale). */
async function lostAnnouncement() {
  const now = { value: new Date('2027-02-02T00:00:00Z') };
  const fakes = fakeToursDeps(now);
  fakes.outlets.push(aPressOutlet('de', ['DE']));
  fakes.mailer.ses.script = lostAnswers;
  await bookTour(
    { ...tourOf([announced]), genres: ['synthpop'] },
    metaAt('2027-02-02T00:00:00Z'),
    fakes.deps,
  );
  await runDueSteps(fakes, now);
  fakes.mailer.ses.script = undefined;
  now.value = new Date(now.value.getTime() + 24 * 3600_000);
  return { now, fakes, ...fakes };
}

const announceNext = async ({ now, fakes }: Awaited<ReturnType<typeof lostAnnouncement>>) => {
  await applyShowChange('tour-1', { type: 'set', show: next }, metaAt(now.value.toISOString()), fakes.deps);
  await runDueSteps(fakes, now);
};

/** How many mails DE press received that name show 1 (Berlin 2027-05-14) as news or listing. */
const show1Mails = ({ ses }: ReturnType<typeof fakeToursDeps>['mailer']) =>
  ses.receivedBy('de@press.example').map(({ kind, deliveryId }) => {
    const call = JSON.stringify(ses.calls.find((c) => c.entries.some((e) => e.deliveryId === deliveryId)));
    return [kind, ...['Berlin 2027-05-14', 'Berlin 2027-05-16'].filter((show) => call.includes(show))];
  });

describe('press: two stale announcement claims for one address in one sweep', () => {
  it('show 1 announced, lost and stale; show 2 announced (both shows, one announcement), lost too; both stale at one sweep: show 1 is announced once', async () => {
    const world = await lostAnnouncement();
    world.mailer.ses.script = lostAnswers;
    await announceNext(world);
    world.mailer.ses.script = undefined;
    world.now.value = new Date(world.now.value.getTime() + 24 * 3600_000);
    await sweepStaleTourMail(world.deps, world.now.value.getTime() + 60_000);

    const received = show1Mails(world.mailer);
    // Each show told once: show 1 in exactly one mail.
    expect(
      received.filter((mail) => mail.includes('Berlin 2027-05-14')),
      JSON.stringify(received),
    ).toHaveLength(1);
    expect(received.filter((mail) => mail.includes('Berlin 2027-05-16'))).toHaveLength(1);
  });
});

describe("press: the stale-claim sweep's announcement of shows an address heard of since by a mail only claimed", () => {
  it('shows 1 and 2 announced together (answer lost); show 2 changed while that claim is fresh (answer lost); the sweep sends the announcement again as it was, naming and listing show 2; show 2 later cancelled: the outlet is told of the cancellation', async () => {
    const now = { value: new Date('2027-02-02T00:00:00Z') };
    const fakes = fakeToursDeps(now);
    const { deps, mailer } = fakes;
    fakes.outlets.push(aPressOutlet('de', ['DE']));
    mailer.ses.script = lostAnswers;
    await bookTour(
      { ...tourOf([announced, next]), genres: ['synthpop'] },
      metaAt('2027-02-02T00:00:00Z'),
      deps,
    );
    await runDueSteps(fakes, now);
    // 20 minutes on (the announcement's claim open and fresh): show 2's doors change; that mail's answer is lost too.
    now.value = new Date(now.value.getTime() + 20 * 60_000);
    await applyShowChange(
      'tour-1',
      { type: 'set', show: { ...next, times: { ...next.times, doors: '20:00' } } },
      metaAt(now.value.toISOString()),
      deps,
    );
    await runDueSteps(fakes, now);
    mailer.ses.script = undefined;
    // The announcement's claim is stale, the change's is not: the sweep.
    now.value = new Date(now.value.getTime() + 15 * 60_000);
    // On 08c35a5 this closes the stale claim ({resent: 0, closed: 1}) and sends a shrunk announcement of show 1.
    await sweepStaleTourMail(deps, now.value.getTime() + 60_000);
    const shrunk = show1Mails(mailer);
    // The one mail the outlet got names show 1 as news and lists show 2 (and its calendar holds it).
    expect(shrunk).toEqual([['press-announcement', 'Berlin 2027-05-14', 'Berlin 2027-05-16']]);
    const calendar = JSON.stringify(mailer.ses.calls.at(-1));
    expect(calendar).toContain('20270516T');

    // The change's claim goes stale too; the sweep runs again. Then show 2 is cancelled.
    now.value = new Date(now.value.getTime() + 40 * 60_000);
    await sweepStaleTourMail(deps, now.value.getTime() + 60_000);
    await applyShowChange(
      'tour-1',
      { type: 'cancel', showId: 'show-2' },
      metaAt(now.value.toISOString()),
      deps,
    );
    await runDueSteps(fakes, now);

    // The outlet was told show 2 is on (listing and calendar): it must hear it is cancelled.
    expect(
      mailer.ses.receivedBy('de@press.example').map((m) => m.kind),
      JSON.stringify(show1Mails(mailer)),
    ).toContain('press-cancellation');
  });
});

describe('press: what the announcement step reads per page of the directory', () => {
  it('50 outlets told of show 1 (sent), show 1 changed (sent to each), then show 2 announced: the step reads no delivery, as no note of theirs can come to nothing', async () => {
    const now = { value: new Date('2027-02-02T00:00:00Z') };
    const fakes = fakeToursDeps(now);
    const { deps, mailer } = fakes;
    deps.settings.pressPageSize = 50;
    for (let i = 0; i < 50; i++) fakes.outlets.push(aPressOutlet(`de${i}`, ['DE']));
    await bookTour({ ...tourOf([announced]), genres: ['synthpop'] }, metaAt('2027-02-02T00:00:00Z'), deps);
    await runDueSteps(fakes, now);
    now.value = new Date(now.value.getTime() + 3600_000);
    await applyShowChange(
      'tour-1',
      { type: 'set', show: { ...announced, times: { ...announced.times, doors: '20:00' } } },
      metaAt(now.value.toISOString()),
      deps,
    );
    await runDueSteps(fakes, now);
    expect(mailer.ses.delivered.filter((m) => m.kind === 'press-change')).toHaveLength(50);

    let read = 0;
    const reached = mailer.reached;
    mailer.reached = async (mails) => {
      read += mails.length;
      return reached(mails);
    };
    now.value = new Date(now.value.getTime() + 3600_000);
    await applyShowChange('tour-1', { type: 'set', show: next }, metaAt(now.value.toISOString()), deps);
    await runDueSteps(fakes, now);
    expect(mailer.ses.delivered.filter((m) => m.kind === 'press-update')).toHaveLength(50);
    // Every note of show 1 is a change whose `before` is the sent announcement: whatever its own mail
    // came to, the address was told of show 1; nothing to read (before 08c35a5: no read at all).
    expect(read).toBe(0);
  });
});

describe('press: every step judges alike who heard of a show (docs/design.md#tours)', () => {
  it('an announcement that never reached SES (claim stale), then the show moved to France: the DE outlet, told nothing of it, hears nothing of its move', async () => {
    const world = await lostAnnouncement();
    const paris = {
      ...announced,
      venue: { ...announced.venue, city: 'Paris', country: 'FR', timeZone: 'Europe/Paris', name: 'Olympia' },
    };
    await applyShowChange(
      'tour-1',
      { type: 'set', show: paris },
      metaAt(world.now.value.toISOString()),
      world.deps,
    );
    await runDueSteps(world.fakes, world.now);
    expect(world.mailer.ses.receivedBy('de@press.example').map((m) => m.kind)).toEqual([]);
  });
});

describe('press: a stale "moved" claim in the stale-claim sweep', () => {
  it('DE press told of show 1; the show moves to France and the "moved" mail\'s answer is lost; the sweep sends it again', async () => {
    const { now, fakes, deps, mailer } = await toldDePressOf(announced);
    const paris = {
      ...announced,
      venue: { ...announced.venue, city: 'Paris', country: 'FR', timeZone: 'Europe/Paris', name: 'Olympia' },
    };
    mailer.ses.script = lostAnswers;
    now.value = new Date(now.value.getTime() + 3600_000);
    await applyShowChange('tour-1', { type: 'set', show: paris }, metaAt(now.value.toISOString()), deps);
    await runDueSteps(fakes, now);
    mailer.ses.script = undefined;
    now.value = new Date(now.value.getTime() + 24 * 3600_000);
    const swept = await sweepStaleTourMail(deps, now.value.getTime() + 60_000);
    // The outlet was announced a show in Germany; it must hear that the show left (design.md#tours: each country hears once per stay).
    expect(
      mailer.ses.receivedBy('de@press.example').map((m) => m.kind),
      JSON.stringify(swept),
    ).toEqual(['press-announcement', 'press-moved']);
  });
});

describe('press: a stale announcement claim for a show that left the country since', () => {
  it('an announcement that never reached SES (claim stale), the show moved to France, then the stale-claim sweep: the DE outlet is not announced a show no longer in Germany', async () => {
    const world = await lostAnnouncement();
    const paris = {
      ...announced,
      venue: { ...announced.venue, city: 'Paris', country: 'FR', timeZone: 'Europe/Paris', name: 'Olympia' },
    };
    await applyShowChange(
      'tour-1',
      { type: 'set', show: paris },
      metaAt(world.now.value.toISOString()),
      world.deps,
    );
    await runDueSteps(world.fakes, world.now);
    // Told nothing of it in Germany (the move step judged so), as of a show cancelled since.
    expect(await sweepStaleTourMail(world.deps, world.now.value.getTime() + 60_000)).toEqual({
      resent: 0,
      closed: 1,
    });
    expect(world.mailer.ses.receivedBy('de@press.example').map((m) => m.kind)).toEqual([]);
  });
});
