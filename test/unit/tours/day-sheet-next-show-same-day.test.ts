import { describe, expect, it } from 'vitest';
import { bookTour } from '#functions/tours/apply-change.ts';
import { takeStep } from '#functions/tours/steps.ts';
import { stepMoment } from '#shared/tours.ts';
import { aShow, fakeToursDeps, metaAt, ref, tourOf } from '#test/support/tours.ts';

/**
 * Two shows on one date (an early and a late show, a matinee and an evening): the early one's day sheet
 * names the late one as the next show, the late one's the next date's (docs/design.md#tours).
 */
describe("the day sheet's next show", () => {
  const early = aShow({
    showId: 'show-early',
    times: { loadIn: '12:00', doors: '14:00', set: '15:00', curfew: '17:00' },
  });
  const late = aShow({ showId: 'show-late', times: { doors: '20:00', set: '21:00', curfew: '23:30' } });
  const tomorrow = aShow({
    showId: 'show-hamburg',
    date: '2027-05-15',
    venue: { ...aShow().venue, name: 'Docks', city: 'Hamburg' },
  });

  const nextShowOnSheetOf = async (showId: string) => {
    const now = { value: new Date('2027-01-01T00:00:00Z') };
    const { deps, mailer } = fakeToursDeps(now);
    // The late show listed first: the order the label sends them in says nothing of their day.
    await bookTour(tourOf([late, tomorrow, early]), metaAt('2027-01-01T00:00:00Z'), deps);
    const show = [early, late].find((candidate) => candidate.showId === showId)!;
    await takeStep(
      { ...ref(), showId, step: 'day-sheet', scheduledFor: stepMoment(show, 'day-sheet').scheduledFor },
      { correlationId: 'c' },
      deps,
    );
    const rows = (
      mailer.sent[0]!.data.text as { sections: { rows: { label: string; value: string }[] }[] }
    ).sections.flatMap((section) => section.rows);
    return rows.find((row) => row.label === 'Next show')?.value;
  };

  it("names the same date's later show on the early show's sheet", async () => {
    expect(await nextShowOnSheetOf('show-early')).toBe('Friday, 14 May 2027, Columbiahalle, Berlin');
  });

  it("names the next date's show on the late show's sheet", async () => {
    expect(await nextShowOnSheetOf('show-late')).toBe('Saturday, 15 May 2027, Docks, Hamburg');
  });
});
