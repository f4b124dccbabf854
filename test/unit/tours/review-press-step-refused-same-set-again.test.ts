import { describe, expect, it } from 'vitest';
import { applyShowChange, bookTour } from '#functions/tours/apply-change.ts';
import type { Show } from '#shared/events/tour-booked.ts';
import { aPressOutlet, aShow, fakeToursDeps, metaAt, runDueSteps, tourOf } from '#test/support/tours.ts';

const announced = aShow({ status: 'announced', announceAt: '2027-02-01T09:00:00.000Z' });
const paris = { ...announced.venue, city: 'Paris', country: 'FR', timeZone: 'Europe/Paris' };

/**
 * Review (tours, c41d7a2): a new attempt of an announcement names the spent set (`after`) only where a
 * note names it, and only the sweep's mails leave such a note. An announcement SES refused at the step
 * itself is not noted (docs/design.md#tours: the address is told of none of its shows and "the next
 * announcement step of the country announces them to it"); due again with the same set (moved to Paris
 * and back), it is the very delivery that failed, refused by the mail module as held: never told.
 */
describe('an address whose announcement SES refused at the step', () => {
  it('is announced the show when it moves away and back, its announcement due again with the same set', async () => {
    const now = { value: new Date('2027-02-02T00:00:00Z') };
    const world = fakeToursDeps(now);
    world.outlets.push(aPressOutlet('de', ['DE']));
    const fakes = { ...world, now };
    world.mailer.ses.script = (mail) => mail.entries.map(() => ({ status: 'MESSAGE_REJECTED' }));
    await bookTour(
      { ...tourOf([announced]), genres: ['synthpop'] },
      metaAt(now.value.toISOString()),
      world.deps,
    );
    await runDueSteps(fakes, now);
    world.mailer.ses.script = undefined;
    expect(world.mailer.ses.receivedBy('de@press.example')).toEqual([]);

    const setShow = async (show: Show) => {
      now.value = new Date(now.value.getTime() + 3600_000);
      await applyShowChange('tour-1', { type: 'set', show }, metaAt(now.value.toISOString()), world.deps);
      await runDueSteps(fakes, now);
    };
    // A day later the show moves to Paris, then back to Berlin: its German announcement is due again.
    now.value = new Date(now.value.getTime() + 24 * 3600_000);
    await setShow({ ...announced, venue: paris });
    await setShow(announced);

    expect(world.mailer.ses.receivedBy('de@press.example').map((m) => m.kind)).toEqual([
      'press-announcement',
    ]);
  });
});
