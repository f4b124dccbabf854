import { describe, expect, it } from 'vitest';
import { openAdvancePage, type PagesDeps, submitAdvancePage } from '#functions/recipients/tour-links.ts';
import { promoterIdOf } from '#shared/db/tours.ts';
import type { HttpResult } from '#shared/http/index.ts';
import { csrfTokenFor, signAdvanceToken } from '#shared/tokens.ts';
import { advanceLinkExpiry } from '#shared/tours.ts';
import { publishedTwice } from '#test/support/publishing.ts';
import {
  aShow,
  filledAdvanceForm,
  InMemoryTours,
  landingUnanswered,
  storeTourWithShow,
} from '#test/support/tours.ts';

/**
 * `AdvancesSubmitted` counts each advance's first submission once, whatever the promoter does after the
 * post that saved it, answered or not: it is counted where that save's Show Advanced is published
 * (docs/design.md#observability).
 */
const key = 'k'.repeat(48);
const show = aShow();
const ref = { labelId: 'lbl-1', tourId: 'tour-1', showId: show.showId };
const token = signAdvanceToken(key, {
  ...ref,
  promoterId: promoterIdOf(show.promoter.email),
  expiresAt: advanceLinkExpiry(show),
});

/** The hidden fields of the form on a page, as the promoter's browser posts them back. */
const hiddenFieldsIn = (page: HttpResult): { csrf: string } & Record<string, string> => ({
  csrf: '',
  ...Object.fromEntries(
    [...String(page.body).matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map(
      ([, name, value]) => [name, value],
    ),
  ),
});

/** What the promoter does after the 503, with the form it gave back, on the link's page a few minutes later. */
type After = (busy: HttpResult, later: PagesDeps) => Promise<unknown>;
const post = (later: PagesDeps, fields: Record<string, string>) =>
  submitAdvancePage(token, filledAdvanceForm(csrfTokenFor(key, token), fields), later);

describe('AdvancesSubmitted', () => {
  it.each<[string, After]>([
    ['reopens the link', (_, later) => openAdvancePage(token, later)],
    ['leaves the page', async () => {}],
    [
      'posts the form the 503 gave back',
      (busy, later) => post(later, { ...hiddenFieldsIn(busy), power: '125 A CEE' }),
    ],
    [
      'reopens the link and amends the advance',
      async (_, later) =>
        post(later, { ...hiddenFieldsIn(await openAdvancePage(token, later)), power: '16 A' }),
    ],
  ])('counts a first submission answered 503 once, when the promoter then %s', async (_, after) => {
    const tours = new InMemoryTours();
    await storeTourWithShow(tours, show, '2027-04-20T10:00:00Z');
    const deps = { signingKey: async () => key, tours, now: () => new Date('2027-04-20T10:00:00Z') };
    const opened = hiddenFieldsIn(await openAdvancePage(token, deps));
    const busy = await submitAdvancePage(
      token,
      filledAdvanceForm(opened.csrf, { ...opened, power: '125 A CEE' }),
      { ...deps, tours: landingUnanswered(tours) },
    );
    await after(busy.page, { ...deps, now: () => new Date('2027-04-20T10:05:00Z') });

    const { records } = await publishedTwice(tours.outbox, {
      writtenAt: '2027-04-20T10:00:00Z',
      now: new Date('2027-04-20T10:30:00Z'),
    });

    expect(busy.page.statusCode).toBe(503);
    expect((await tours.getShow(ref))?.advance?.submittedAt).toBe('2027-04-20T10:00:00.000Z');
    expect(records).toEqual([{ name: 'AdvancesSubmitted', dimensions: {}, value: 1 }]);
  });
});
