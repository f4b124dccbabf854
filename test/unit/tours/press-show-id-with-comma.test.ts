import { describe, expect, it } from 'vitest';
import { sweepStaleTourMail } from '#functions/tours/resend.ts';
import type { Delivery } from '#shared/db/deliveries.ts';
import {
  announcedShow,
  announcedWithAnswersLost,
  aShow,
  kindsToldDe,
  putOffAndHeldBySweep,
  retimedAnswerLost,
  stepsWritten,
  toldDePressOf,
} from '#test/support/tours.ts';

/** A show whose id, as the label gave it, holds a comma (an id is any string of 1 to 128 characters). */
const announced = { ...announcedShow, showId: 'show,1' };

type World = Awaited<ReturnType<typeof announcedWithAnswersLost>>;

/** A day on (the claims stale), the sweep's outcome. */
const sweptADayLater = (world: Pick<World, 'now' | 'deps'>) => {
  world.now.value = new Date(world.now.value.getTime() + 24 * 3600_000);
  return sweepStaleTourMail(world.deps, world.now.value.getTime() + 60_000);
};

/** The German outlet's note: the shows it is told of, and the set each show's note still names. */
const deNote = (world: World) => {
  const told = [...world.tours.told.values()].find((t) => t.email === 'de@press.example');
  return [told?.showIds, Object.values(told?.stated ?? {}).map((note) => note.set)];
};

/**
 * A press mail's claim keeps the shows it told of in its context, and the stale-claim sweep reads them
 * back (docs/design.md#exactly-once-mail): it reads the show `show,1` as one show, not as `show` and `1`.
 */
describe('a press mail of a show whose id holds a comma, left claimed', () => {
  it('is sent again by the sweep, and its note counts the show told', async () => {
    const world = await announcedWithAnswersLost([announced]);
    stepsWritten(world.tours);

    expect(await sweptADayLater(world)).toEqual({ resent: 1, closed: 0 });
    expect(kindsToldDe(world.mailer.ses)).toEqual(['press-announcement']);
    expect(deNote(world)).toEqual([['show,1'], [undefined]]);
  });

  it('its show on hold since, is held by the sweep, not closed', async () => {
    const world = await announcedWithAnswersLost([announced]);
    stepsWritten(world.tours);
    const off = { type: 'set', show: { ...announced, status: 'hold' } } as const;
    expect(await putOffAndHeldBySweep(world, off)).toEqual({ resent: 0, closed: 0 });
  });

  it('a change of the show, is sent again by the sweep', async () => {
    const world = await toldDePressOf(announced);
    await retimedAnswerLost(world, announced);

    expect(await sweptADayLater(world)).toEqual({ resent: 1, closed: 0 });
    expect(kindsToldDe(world.mailer.ses)).toEqual(['press-announcement', 'press-change']);
  });
});

describe('a press mail claimed before its claim kept its shows as JSON, left claimed', () => {
  it('is read as its comma-joined shows: sent again by the sweep, and its notes count them told', async () => {
    const other = aShow({ ...announcedShow, showId: 'show-2', date: '2027-05-16' });
    const world = await announcedWithAnswersLost([announcedShow, other]);
    stepsWritten(world.tours);
    // The claim as written before: `news` and `listed` the show ids joined with commas.
    const asClaimedBefore = (delivery: Delivery): Delivery => ({
      ...delivery,
      context: { ...delivery.context, news: 'show-1,show-2', listed: 'show-1,show-2' },
    });
    const sweep = world.mailer.sweepStale;
    world.mailer.sweepStale = (subjectType, rebuild, ...rest) =>
      sweep(subjectType, (stale, boundary) => rebuild(stale.map(asClaimedBefore), boundary), ...rest);

    expect(await sweptADayLater(world)).toEqual({ resent: 1, closed: 0 });
    expect(kindsToldDe(world.mailer.ses)).toEqual(['press-announcement']);
    expect(deNote(world)).toEqual([
      ['show-1', 'show-2'],
      [undefined, undefined],
    ]);
  });
});
