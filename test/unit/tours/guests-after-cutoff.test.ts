import { describe, expect, it } from 'vitest';
import { addGuestFromPage, openTourManagerPage } from '#functions/recipients/tour-links.ts';
import { bookTour } from '#functions/tours/apply-change.ts';
import { takeStep } from '#functions/tours/steps.ts';
import { promoterIdOf } from '#shared/db/tours.ts';
import type { HttpEvent, HttpResult } from '#shared/http/index.ts';
import { csrfTokenFor, signTourManagerToken } from '#shared/tokens.ts';
import { advanceLinkExpiry, stepMoment } from '#shared/tours.ts';
import {
  aShow,
  fakeToursDeps,
  metaAt,
  officeGet,
  officeTourRoutes,
  ref,
  tourOf,
} from '#test/support/tours.ts';

// docs/design.md#tours: the guest list closes at its cutoff (17:00 at the venue on show day), a time, so a
// guest added from then on is refused whether or not the cutoff's step has run: one running late (its
// schedule's firing delayed or retried) mails the list as it stood at the cutoff, with no later guest.
const key = 'k'.repeat(48);
const show = aShow();
const cutoff = stepMoment(show, 'guest-list-cutoff').scheduledFor;
/** Five minutes past the cutoff (17:05 in Berlin), its step not run yet. */
const pastCutoff = new Date(Date.parse(cutoff) + 5 * 60_000);

/** show-1 booked, with Early on its list a day before, the clock five minutes past the cutoff. */
async function lateCutoff() {
  const now = { value: new Date('2027-01-01T00:00:00Z') };
  const fakes = fakeToursDeps(now);
  await bookTour(tourOf([show]), metaAt('2027-01-01T00:00:00Z'), fakes.deps);
  await fakes.tours.addGuests(ref(), [{ name: 'Early', plusOnes: 0, addedAt: '2027-05-13T10:00:00.000Z' }]);
  now.value = pastCutoff;
  return { ...fakes, now };
}

/** The cutoff's step, taken late, and the names of the guest list it mails to the promoter. */
async function listMailed(w: Awaited<ReturnType<typeof lateCutoff>>) {
  await takeStep(
    { ...ref(), step: 'guest-list-cutoff', scheduledFor: cutoff },
    { correlationId: 'c' },
    w.deps,
  );
  const [mail] = w.mailer.sent.filter((m) => m.kind === 'guest-list-cutoff');
  return JSON.stringify(mail?.data.text);
}

describe('a guest added after the cutoff whose step has not run yet', () => {
  it("is refused by the office's route with a 409 saying the list closed at its cutoff, and is not on the list the promoter gets", async () => {
    const w = await lateCutoff();
    const route = officeTourRoutes(w.tours, () => w.now.value).find(
      (r) => r.method === 'POST' && r.path.endsWith('/guests'),
    )!;

    const answer = await (route.handler as (event: HttpEvent) => Promise<HttpResult>)({
      pathParameters: ref(),
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ guests: [{ name: 'Late Guest' }] }),
      isBase64Encoded: false,
    } as never).then(
      (result) => ({ status: result.statusCode, message: JSON.parse(result.body!).message }),
      (error: { status?: number; message?: string }) => ({ status: error.status, message: error.message }),
    );
    const mailed = await listMailed(w);

    expect(answer).toEqual({
      status: 409,
      message: 'the guest list is closed: it closed at its cutoff and goes to the promoter as it stood then',
    });
    expect((await w.tours.getShow(ref()))?.guests?.map((g) => g.name)).toEqual(['Early']);
    expect(mailed).toContain('Early');
    expect(mailed).not.toContain('Late Guest');
  });

  it("is refused on the tour manager's page, whose show no longer offers the guest form", async () => {
    const w = await lateCutoff();
    const deps = { signingKey: async () => key, tours: w.tours, now: () => w.now.value };
    const token = signTourManagerToken(key, {
      labelId: 'lbl-1',
      tourId: 'tour-1',
      expiresAt: advanceLinkExpiry(show),
    });
    const form = new URLSearchParams({
      csrf: csrfTokenFor(key, token),
      showId: show.showId,
      name: 'Late Guest',
      plusOnes: '1',
    }).toString();

    const opened = await openTourManagerPage(token, deps);
    const posted = await addGuestFromPage(token, form, deps);
    const mailed = await listMailed(w);

    expect(opened.body).toContain('Guest list: 1 guests (closed)');
    expect(opened.body).not.toContain('<form method="post"');
    expect(posted.statusCode).toBe(409);
    expect(posted.body).toContain('Not added: the guest list is closed: it closed at its cutoff');
    expect(posted.body).toContain('<dt>Guest name</dt><dd>Late Guest</dd>');
    expect((await w.tours.getShow(ref()))?.guests?.map((g) => g.name)).toEqual(['Early']);
    expect(mailed).not.toContain('Late Guest');
  });

  it("meets a list the office's views state as closed (guestListLocked), and open a minute before the cutoff", async () => {
    const w = await lateCutoff();
    const closedAt = (at: Date) =>
      Promise.all(
        [
          ['/labels/{labelId}/tours/{tourId}/shows/{showId}', ref()],
          ['/labels/{labelId}/tours/{tourId}', ref()],
          ['/promoters/{promoterId}', { promoterId: promoterIdOf(show.promoter.email) }],
        ].map(async ([route, path]) => {
          const { body } = await officeGet(w, route as string, path as Record<string, string>, () => at);
          const view = JSON.parse(String(body)) as {
            guestListLocked?: boolean;
            shows?: { guestListLocked: boolean }[];
          };
          return view.guestListLocked ?? view.shows?.[0]?.guestListLocked;
        }),
      );

    const after = await closedAt(w.now.value);
    const before = await closedAt(new Date(Date.parse(cutoff) - 60_000));

    expect(after).toEqual([true, true, true]);
    expect(before).toEqual([false, false, false]);
  });

  it('is still added a minute before the cutoff', async () => {
    const w = await lateCutoff();
    const before = new Date(Date.parse(cutoff) - 60_000).toISOString();

    const added = await w.tours.addGuests(ref(), [{ name: 'In Time', plusOnes: 0, addedAt: before }]);

    expect(added).toBe('added');
    expect(await listMailed(w)).toContain('In Time');
  });
});
