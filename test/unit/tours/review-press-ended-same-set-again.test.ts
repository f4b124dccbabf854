import { describe, expect, it } from 'vitest';
import { applyShowChange } from '#functions/tours/apply-change.ts';
import { sweepStaleTourMail } from '#functions/tours/resend.ts';
import type { Show } from '#shared/events/tour-booked.ts';
import { announcedWithAnswersLost, aShow, metaAt, runDueSteps } from '#test/support/tours.ts';

const announced = aShow({ status: 'announced', announceAt: '2027-02-01T09:00:00.000Z' });
const paris = { ...announced.venue, city: 'Paris', country: 'FR', timeZone: 'Europe/Paris' };

type World = Awaited<ReturnType<typeof announcedWithAnswersLost>>;

async function setShow(world: World, show: Show) {
  await applyShowChange('tour-1', { type: 'set', show }, metaAt(world.now.value.toISOString()), world.deps);
  await runDueSteps(world.fakes, world.now);
}

/**
 * docs/design.md#tours: once the sweep ends an announcement failed, "the directory's next announcement
 * step announces them to it". An announcement's identity is its set of shows alone, so the next
 * announcement of the same show to that address is the very mail that ended failed.
 */
describe('review: an address whose announcement of a show the sweep ended failed, announced that show again', () => {
  it('hears of the show when it moves away and back to Berlin, its announcement due again', async () => {
    const world = await announcedWithAnswersLost([announced]);
    // A day later the sweep resends the stale claim and SES refuses it (a one-off refusal): told nothing.
    world.mailer.ses.script = (mail) => mail.entries.map(() => ({ status: 'MESSAGE_REJECTED' }));
    world.now.value = new Date(world.now.value.getTime() + 24 * 3600_000);
    await sweepStaleTourMail(world.deps, world.now.value.getTime() + 60_000);
    world.mailer.ses.script = undefined;

    const attempts: unknown[] = [];
    const send = world.mailer.send.bind(world.mailer);
    world.mailer.send = async (mails, left) => {
      attempts.push(...mails.map((m) => [m.to.email, m.kind, m.subject[2]]));
      return send(mails, left);
    };
    // The show moves to Paris (the German outlet, told nothing, hears nothing), then back to Berlin: its
    // German press announcement is due again, and the German outlet is one never told of it.
    world.now.value = new Date(world.now.value.getTime() + 3600_000);
    await setShow(world, { ...announced, venue: paris });
    world.now.value = new Date(world.now.value.getTime() + 3600_000);
    await setShow(world, announced);

    // The step does write it to the German outlet: the very mail (same set) the sweep ended failed.
    expect(attempts.filter((a) => (a as string[])[0] === 'de@press.example')).toHaveLength(1);
    expect(world.mailer.ses.receivedBy('de@press.example').map((m) => m.kind)).toEqual([
      'press-announcement',
    ]);
  });
});
