import type { OutboxEntry } from '#shared/events/index.ts';
import { isMailable, outletMatchesRelease } from '#shared/outlets.ts';
import { pressDue, type StoredTour, stepMoment } from '#shared/tours.ts';
import { isoNow, type ToursDeps } from './ports.ts';
import { audienceOf } from './press.ts';
import { stepDue } from './steps.ts';

/**
 * `Outlets Changed`: for each tour with shows still to come whose press is due (announced, past their
 * embargo) in a country the outlets match, asks that country's announcement for those outlets only: a
 * press announcement step of one of those shows naming them (`outletIds`), in the outbox, each taken in
 * an invocation of its own by the press's sending path (its notes and claims, so an outlet told already
 * is told nothing again). Outlets deleted since, opted out or suppressed are told nothing
 * (docs/design.md#tours).
 */
export async function pressForChangedOutlets(
  outletIds: readonly string[],
  meta: { correlationId: string },
  deps: ToursDeps,
): Promise<void> {
  const outlets = [...(await deps.outlets.getMany(outletIds)).values()].filter(isMailable);
  const now = isoNow(deps);
  const step = 'press-announcement';
  const steps: OutboxEntry[] = [];
  const asked = new Set<string>();
  // Each tour read once, for all its countries, by its labelId and tourId.
  const tours: Record<string, Promise<StoredTour | undefined>> = {};
  for (const { labelId, tourId, showId, show } of outlets.length ? await deps.tours.showsComing(now) : []) {
    if (!show || !pressDue(show, now)) continue;
    const country = show.venue.country;
    const key = JSON.stringify([labelId, tourId]);
    if (asked.has(key + country)) continue;
    asked.add(key + country);
    tours[key] ??= deps.tours.getTour(labelId, tourId);
    const tour = await tours[key];
    if (!tour) continue;
    const matching = outlets.filter((o) => outletMatchesRelease(o, audienceOf(tour, country)));
    if (matching.length)
      steps.push(
        stepDue(
          {
            labelId,
            tourId,
            showId,
            step,
            scheduledFor: stepMoment(show, step).scheduledFor,
            outletIds: matching.map((outlet) => outlet.id),
          },
          { correlationId: meta.correlationId, labelId },
        ),
      );
  }
  await deps.tours.putEntries(steps, now);
}
