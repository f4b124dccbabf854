import { describe, expect, it } from 'vitest';
import { applyShowChange } from '#functions/tours/apply-change.ts';
import { sweepStaleTourMail } from '#functions/tours/resend.ts';
import type { Show } from '#shared/events/tour-booked.ts';
import {
  announcedWithAnswersLost,
  aShow,
  cancelShow,
  metaAt,
  runDueSteps,
  stepsWritten,
} from '#test/support/tours.ts';

const announced = aShow({ status: 'announced', announceAt: '2027-02-01T09:00:00.000Z' });

type World = Awaited<ReturnType<typeof announcedWithAnswersLost>>;

async function setShow(world: World, show: Show) {
  await applyShowChange('tour-1', { type: 'set', show }, metaAt(world.now.value.toISOString()), world.deps);
  await runDueSteps(world.fakes, world.now);
}

/**
 * docs/design.md#tours: an announcement that never reached SES tells its address nothing. The sweep's
 * third way of ending one: the set of its own it writes in place of a stale claim (closed) is noted before
 * it goes, and if SES refuses it, nothing takes its shows off what the address was told.
 */
describe('review: the set of its own the stale-claim sweep sends, refused by SES', () => {
  it('leaves the address told of nothing: the next show is an announcement of every show of the country', async () => {
    // The outlet's announcement of show-1 and show-2 claimed, SES's answer lost (nothing sent).
    const other = aShow({ ...announced, showId: 'show-2', date: '2027-05-16' });
    const world = await announcedWithAnswersLost([announced, other]);
    stepsWritten(world.tours);
    // Stale, show-1 is cancelled; the sweep closes the claim and announces show-2 alone, under a set of
    // its own, which SES refuses for good.
    world.now.value = new Date(world.now.value.getTime() + 24 * 3600_000);
    await cancelShow(world.fakes, 'show-1', world.now.value.toISOString());
    world.mailer.ses.script = (mail) => mail.entries.map(() => ({ status: 'MESSAGE_REJECTED' }));
    await sweepStaleTourMail(world.deps, world.now.value.getTime() + 60_000);
    world.mailer.ses.script = undefined;
    expect(world.mailer.ses.receivedBy('de@press.example')).toEqual([]);

    world.now.value = new Date(world.now.value.getTime() + 3600_000);
    await setShow(world, { ...announced, showId: 'show-3', date: '2027-05-22' });

    // Never told of show-2, it hears of it with show-3; it gets [press-update, show-3].
    expect(
      world.mailer.sent.filter((m) => m.to.email === 'de@press.example').map((m) => [m.kind, m.context.news]),
    ).toEqual([['press-announcement', 'show-2,show-3']]);
  });
});
