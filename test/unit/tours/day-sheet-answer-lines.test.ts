import { describe, expect, it } from 'vitest';
import { bookTour } from '#functions/tours/apply-change.ts';
import { takeStep } from '#functions/tours/steps.ts';
import { promoterIdOf } from '#shared/db/tours.ts';
import { stepMoment } from '#shared/tours.ts';
import { advanceAnswers, aShow, fakeToursDeps, metaAt, ref, tourOf } from '#test/support/tours.ts';

/**
 * The advance form's textareas take answers of several lines, a line break one character
 * (docs/design.md#signed-pages): the tour manager reads them on the day sheet as the promoter wrote them.
 */
describe("the promoter's answers of several lines on the day sheet", () => {
  it('keeps their line breaks, in the text view and as <br> in the HTML', async () => {
    const now = { value: new Date('2027-01-01T00:00:00Z') };
    const { deps, tours, mailer } = fakeToursDeps(now);
    await bookTour(tourOf([aShow()]), metaAt('2027-01-01T00:00:00Z'), deps);
    const hospitality = '1. Dinner for 8 at 18:00\n2. Vegan: 2 & gluten-free: 1\n3. Rider drinks in room A';
    await tours.saveAdvance(
      { ...ref(), promoterId: promoterIdOf(aShow().promoter.email) },
      { ...advanceAnswers, hospitality },
      '2027-04-20T10:00:00.000Z',
      () => [],
    );

    await takeStep(
      { ...ref(), step: 'day-sheet', scheduledFor: stepMoment(aShow(), 'day-sheet').scheduledFor },
      { correlationId: 'c' },
      deps,
    );

    const rows = (view: 'text' | 'html') =>
      (mailer.sent[0]!.data[view] as { sections: { rows: { label: string; value: string }[] }[] }).sections
        .flatMap((section) => section.rows)
        .find((row) => row.label === 'Hospitality and catering')?.value;
    expect(rows('text')).toBe(hospitality);
    expect(rows('html')).toBe(
      '1. Dinner for 8 at 18:00<br>\n2. Vegan: 2 &amp; gluten-free: 1<br>\n3. Rider drinks in room A',
    );
  });
});
