import { describe, expect, it } from 'vitest';
import { applyShowChange } from '#functions/tours/apply-change.ts';
import { sweepStaleTourMail } from '#functions/tours/resend.ts';
import type { Show } from '#shared/events/tour-booked.ts';
import { announcedWithAnswersLost, aShow, metaAt, runDueSteps } from '#test/support/tours.ts';

const announced = aShow({ status: 'announced', announceAt: '2027-02-01T09:00:00.000Z' });

type World = Awaited<ReturnType<typeof announcedWithAnswersLost>>;

async function setShow(world: World, show: Show) {
  await applyShowChange('tour-1', { type: 'set', show }, metaAt(world.now.value.toISOString()), world.deps);
  await runDueSteps(world.fakes, world.now);
}

/**
 * docs/design.md#tours: a refused resend's shows are taken off what the address was told "once the
 * sweep's sends are done". The refusal (the delivery failed) and the taking off are two writes: a sweep
 * stopped between them (a timeout, a throttled write) leaves a failed delivery no later sweep looks at.
 */
describe('review: a sweep stopped between its refused resend and taking its shows off', () => {
  it('leaves the address told of nothing: the next announcement step announces every show to it', async () => {
    const world = await announcedWithAnswersLost([announced]);
    world.now.value = new Date(world.now.value.getTime() + 24 * 3600_000);
    // The resend is refused for good; the write that takes show-1 off the outlet's notes fails once.
    world.mailer.ses.script = (mail) => mail.entries.map(() => ({ status: 'MESSAGE_REJECTED' }));
    const forget = world.tours.forgetPressTold.bind(world.tours);
    let failures = 1;
    world.tours.forgetPressTold = async (...args) => {
      if (failures-- > 0) throw new Error('the sweep stopped here');
      return forget(...args);
    };
    await expect(sweepStaleTourMail(world.deps, world.now.value.getTime() + 60_000)).rejects.toThrow();
    world.mailer.ses.script = undefined;
    // The next sweep (Outbox Sweep Due, minutes later) runs whole.
    world.now.value = new Date(world.now.value.getTime() + 600_000);
    await sweepStaleTourMail(world.deps, world.now.value.getTime() + 60_000);

    await setShow(world, { ...announced, showId: 'show-2', date: '2027-05-20' });

    // Told nothing, it hears of both shows; it gets [press-update, show-2].
    const press = world.mailer.sent.filter((m) => m.to.email === 'de@press.example');
    expect(press.map((m) => [m.kind, m.context.news])).toEqual([['press-announcement', 'show-1,show-2']]);
  });
});
