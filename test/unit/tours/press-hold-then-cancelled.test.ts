import { describe, expect, it } from 'vitest';
import {
  announcedShow as announced,
  changeAt,
  putOnHold,
  takeStepsWritten,
  toldDePressOf,
  toursOutboxOf,
} from '#test/support/tours.ts';

// docs/design.md#tours: a cancellation goes to the outlets told of the show. Put on hold after its
// announcement (which tells the press nothing), the show is still on for them: cancelled while on hold,
// they hear that it is cancelled, once, as they would have had it been cancelled when announced.
describe('a show announced to the press, put on hold, then cancelled', () => {
  it('tells the outlets told of it that it is cancelled, once', async () => {
    const world = await toldDePressOf(announced);
    await putOnHold(world, announced);

    const cancel = { type: 'cancel', showId: 'show-1', reason: 'The venue is flooded.' } as const;
    await changeAt(world, '2027-02-05T00:00:00.000Z', cancel);
    await takeStepsWritten(world.fakes);
    const stated = toursOutboxOf(world.tours, 'Show Cancellation Sent').length;
    // Cancelled again (the label's second word of it): nothing more, and no second Show Cancellation Sent.
    await changeAt(world, '2027-02-06T00:00:00.000Z', cancel);
    await takeStepsWritten(world.fakes);

    const toDe = world.mailer.sent.filter((m) => m.to.email === 'de@press.example');
    expect(toDe.map((m) => m.kind)).toEqual(['press-announcement', 'press-cancellation']);
    expect([stated, toursOutboxOf(world.tours, 'Show Cancellation Sent').length]).toEqual([1, 0]);
  });
});
