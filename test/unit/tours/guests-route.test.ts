import { describe, expect, it } from 'vitest';
import { applyShowChange } from '#functions/tours/apply-change.ts';
import type { HttpEvent, HttpResult } from '#shared/http/index.ts';
import { managementApi } from '#shared/http/manager-api.ts';
import type { StoredShow } from '#shared/tours.ts';
import { callApi } from '#test/support/api.ts';
import { aLabel, InMemoryLabels } from '#test/support/intake.ts';
import {
  aShow,
  fakeToursDeps,
  InMemoryTours,
  metaAt,
  officeTourRoutes,
  tourOf,
} from '#test/support/tours.ts';

/** POST .../shows/{showId}/guests on a show with no guests yet: `post` sends it a body, as JSON. */
const guestsRoute = () => {
  const tours = new InMemoryTours();
  const ref = { labelId: 'acme', tourId: 't1', showId: 's1' };
  // aShow's show on 14 May 2027, its guest list open on 2 January.
  tours.shows.set(JSON.stringify([ref.labelId, ref.tourId, ref.showId]), {
    ...ref,
    show: aShow({ showId: ref.showId }),
  } as unknown as StoredShow);
  const route = officeTourRoutes(tours, () => new Date('2027-01-02T00:00:00Z')).find(
    (r) => r.method === 'POST' && r.path.endsWith('/guests'),
  )!;
  const post = (body: unknown) =>
    (route.handler as (event: HttpEvent) => Promise<HttpResult>)({
      pathParameters: ref,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      isBase64Encoded: false,
    } as never);
  /** `post`'s answer as status and body, a refusal's included. */
  const answer = (body: unknown) =>
    post(body).then(
      (result) => ({ status: result.statusCode, body: JSON.parse(result.body!) }),
      (error: { status?: number; body?: unknown }) => ({ status: error.status ?? 500, body: error.body }),
    );
  return { tours, ref, route, post, answer };
};

// Adding guests answers 201, as its API document says.
describe('POST .../shows/{showId}/guests', () => {
  it('answers a status its API document lists', async () => {
    const { route, post } = guestsRoute();
    const result = await post({ guests: [{ name: 'Alex Doe' }] });
    expect(Object.keys(route.doc.responses)).toContain(String(result.statusCode));
  });
});

// The show's own route names what is missing, the tour or the show of it: so does adding its guests.
describe('POST .../shows/{showId}/guests of a show that is not there', () => {
  it('answers 404 naming the tour when the tour is not there, and the show when the tour has no such show', async () => {
    const { tours } = guestsRoute();
    tours.tours.set(JSON.stringify(['acme', 't1']), { labelId: 'acme', tourId: 't1' } as never);
    const route = officeTourRoutes(
      tours,
      () => new Date(),
      undefined,
      new InMemoryLabels(aLabel({ labelId: 'acme' })),
    ).find((r) => r.method === 'POST' && r.path.endsWith('/guests'))!;
    const post = (tourId: string, showId: string) =>
      (route.handler as (event: HttpEvent) => Promise<HttpResult>)({
        pathParameters: { labelId: 'acme', tourId, showId },
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ guests: [{ name: 'Alex Doe' }] }),
        isBase64Encoded: false,
      } as never).then(
        (result) => ({ status: result.statusCode, message: JSON.parse(result.body!).message }),
        (error: { status?: number; message?: string }) => ({
          status: error.status ?? 500,
          message: error.message,
        }),
      );

    expect(await post('t2', 's1')).toEqual({ status: 404, message: 'tour not found' });
    expect(await post('t1', 's2')).toEqual({ status: 404, message: 'show not found' });
  });
});

// A show known only by its cancellation (the label's cancellation came before the show itself) is cancelled
// too, as the promoter's link says (docs/design.md#signed-pages): its list takes no guest, and the show's own
// route answers 404 for it.
describe('POST .../shows/{showId}/guests of a show known only by its cancellation', () => {
  it('answers 409 saying the show is cancelled, and adds nobody', async () => {
    const now = { value: new Date('2027-01-02T00:00:00Z') };
    const { deps, tours } = fakeToursDeps(now);
    await applyShowChange(
      'tour-1',
      { type: 'cancel', showId: 'show-1' },
      metaAt('2027-01-01T12:00:00Z'),
      deps,
    );
    await tours.saveTour({ ...tourOf([]), labelId: 'lbl-1', occurredAt: '2027-01-01T11:00:00.000Z' });
    const office = managementApi(
      'office',
      async () => 'key',
      officeTourRoutes(tours, () => now.value, undefined, new InMemoryLabels(aLabel({ labelId: 'lbl-1' }))),
    );
    const pathParameters = { labelId: 'lbl-1', tourId: 'tour-1', showId: 'show-1' };

    const posted = await callApi(office, {
      method: 'POST',
      route: '/labels/{labelId}/tours/{tourId}/shows/{showId}/guests',
      pathParameters,
      body: JSON.stringify({ guests: [{ name: 'Alex Doe' }] }),
    });
    const read = await callApi(office, {
      method: 'GET',
      route: '/labels/{labelId}/tours/{tourId}/shows/{showId}',
      pathParameters,
    });

    expect([posted.status, JSON.parse(posted.body!).message]).toEqual([409, 'the show is cancelled']);
    expect(read.status).toBe(404);
    expect((await tours.getShow(pathParameters))?.guests).toBeUndefined();
  });
});

// A guest list's body is closed down to each guest (docs/design.md#routes-and-auth): a misspelt
// `plusOne` would otherwise add the guest with no plus-ones and a 201.
describe('POST .../shows/{showId}/guests with a field a guest does not have', () => {
  it('answers 400 naming the guest and the field, and adds nobody', async () => {
    const { tours, ref, answer } = guestsRoute();

    expect(await answer({ guests: [{ name: 'Alex Doe' }, { name: 'Sam Roe', plusOne: 2 }] })).toEqual({
      status: 400,
      body: expect.objectContaining({
        issues: [{ path: 'guests.1.plusOne', message: 'is not a known field' }],
      }),
    });
    expect(await tours.getShow(ref)).not.toHaveProperty('guests');
  });
});

// In JSON a guest's plus-ones is a number: `true`, `null` or `"2"` is a 400 naming it, not a guest with
// 1, 0 or 2 plus-ones read into it (the tour manager's page reads its form's text as a number).
describe('POST .../shows/{showId}/guests with plusOnes that is not a number', () => {
  it('answers 400 naming the field, and adds nobody', async () => {
    const { tours, ref, post } = guestsRoute();

    const answers = await Promise.all(
      [true, null, '2'].map((plusOnes) =>
        post({ guests: [{ name: 'Alex Doe', plusOnes }] }).then(
          (result) => ({ status: result.statusCode, path: undefined }),
          (error: { status?: number; body?: { issues?: { path: string }[] } }) => ({
            status: error.status ?? 500,
            path: error.body?.issues?.map((issue) => issue.path).join(),
          }),
        ),
      ),
    );

    expect(answers).toEqual([
      { status: 400, path: 'guests.0.plusOnes' },
      { status: 400, path: 'guests.0.plusOnes' },
      { status: 400, path: 'guests.0.plusOnes' },
    ]);
    expect(await tours.getShow(ref)).not.toHaveProperty('guests');
  });
});

// A guest's plus-ones is a whole number from 0 to 10 (shared/tours.ts): 11 or -1 is refused for the
// limit it breaks, not as "not a whole number", which it is.
describe('POST .../shows/{showId}/guests with plusOnes out of 0-10', () => {
  it('answers 400 naming the limit it breaks, not that the number is not whole', async () => {
    const { tours, ref, post } = guestsRoute();

    const answers = await Promise.all(
      [11, -1].map((plusOnes) =>
        post({ guests: [{ name: 'Alex Doe', plusOnes }] }).then(
          (result) => ({ status: result.statusCode, issues: undefined }),
          (error: { status?: number; body?: { issues?: { path: string; message: string }[] } }) => ({
            status: error.status ?? 500,
            issues: error.body?.issues,
          }),
        ),
      ),
    );

    expect(answers).toEqual([
      { status: 400, issues: [{ path: 'guests.0.plusOnes', message: expect.stringMatching(/\b10\b/) }] },
      { status: 400, issues: [{ path: 'guests.0.plusOnes', message: expect.stringMatching(/\b0\b/) }] },
    ]);
    expect(await tours.getShow(ref)).not.toHaveProperty('guests');
  });
});

// A list names a guest once: a form or a request sent twice adds nobody twice (listedAlready).
describe('POST .../shows/{showId}/guests with a name on the list already', () => {
  it('answers 409 naming it, and adds nobody of that request', async () => {
    const { tours, ref, post, answer } = guestsRoute();
    await post({ guests: [{ name: 'Alex Doe' }] });

    expect(await answer({ guests: [{ name: 'Sam Roe' }, { name: 'alex doe', plusOnes: 2 }] })).toEqual({
      status: 409,
      body: expect.objectContaining({ message: 'a guest of that name is on the list already: alex doe' }),
    });
    expect((await tours.getShow(ref))?.guests?.map((guest) => guest.name)).toEqual(['Alex Doe']);
  });
});

// A name is the same name however its accents are written: "Zoë" sent as one code point and as o with
// U+0308 reads the same on the door list, so it is one guest (sameName, NFC).
describe('POST .../shows/{showId}/guests with a name listed already, its accent written otherwise', () => {
  it('answers 409 naming it, and adds nobody of that request', async () => {
    const { tours, ref, post, answer } = guestsRoute();
    await post({ guests: [{ name: 'Zo\u00eb Adams' }] });

    expect(await answer({ guests: [{ name: 'Zoe\u0308 Adams' }] })).toEqual({
      status: 409,
      body: expect.objectContaining({
        message: 'a guest of that name is on the list already: Zoe\u0308 Adams',
      }),
    });
    expect((await tours.getShow(ref))?.guests?.map((guest) => guest.name)).toEqual(['Zo\u00eb Adams']);
  });

  it('answers 400 when one request gives the name twice, its accent written two ways', async () => {
    const { tours, ref, answer } = guestsRoute();

    const result = await answer({ guests: [{ name: 'Zo\u00eb Adams' }, { name: 'zoe\u0308 adams' }] });

    expect(result.status).toBe(400);
    expect(await tours.getShow(ref)).not.toHaveProperty('guests');
  });
});

// A name given twice in one request was never on the list: the request is wrong, not the list, so it is
// a 400 naming the field that repeats it (docs/design.md#routes-and-auth), not the 409 of a name listed.
describe('POST .../shows/{showId}/guests with one name given twice in the request', () => {
  it('answers 400 naming the second as given twice in the request, and adds nobody', async () => {
    const { tours, ref } = guestsRoute();
    const office = managementApi(
      'office',
      async () => 'key',
      officeTourRoutes(tours, () => new Date()),
    );

    const answer = await callApi(office, {
      method: 'POST',
      route: '/labels/{labelId}/tours/{tourId}/shows/{showId}/guests',
      pathParameters: ref,
      body: JSON.stringify({ guests: [{ name: 'Alex Doe' }, { name: 'Sam Roe' }, { name: ' alex  DOE' }] }),
    });

    expect({ status: answer.status, issues: JSON.parse(answer.body ?? '{}').issues }).toEqual({
      status: 400,
      issues: [
        {
          path: 'guests.2.name',
          message: 'is given twice in this request, as guests.0.name: give each guest once',
        },
      ],
    });
    expect(await tours.getShow(ref)).not.toHaveProperty('guests');
  });
});

// Pages and mail show a guest without bidi controls (withoutBidiControls), and a zero-width space, word
// joiner or Hangul filler shows as nothing: a name of nothing else would stand on the door list as a
// blank line.
describe.each([
  ['bidi controls', '\u202e \u202c'],
  ['zero-width and filler characters', '\u200b\u2060 \u3164'],
])('POST .../shows/{showId}/guests with a name of %s alone', (_, name) => {
  it('answers 400 naming the name as empty, and adds nobody', async () => {
    const { tours, ref, answer } = guestsRoute();

    expect(await answer({ guests: [{ name: 'Alex Doe' }, { name }] })).toEqual({
      status: 400,
      body: expect.objectContaining({
        issues: [{ path: 'guests.1.name', message: 'must not be empty' }],
      }),
    });
    expect(await tours.getShow(ref)).not.toHaveProperty('guests');
  });
});

// A guest's name is a Name as the label's are (shared/events/fields.ts): one line, no control character.
describe('POST .../shows/{showId}/guests with a name holding a control character', () => {
  it('answers 400 naming the name, and adds nobody', async () => {
    const { tours, ref, answer } = guestsRoute();

    expect(await answer({ guests: [{ name: 'Alex\u0007Doe' }] })).toEqual({
      status: 400,
      body: expect.objectContaining({
        issues: [
          {
            path: 'guests.0.name',
            message:
              'must not hold control characters (U+0000-U+001F, U+007F-U+009F) or line separators (U+2028, U+2029), a tab or line break among them',
          },
        ],
      }),
    });
    expect(await tours.getShow(ref)).not.toHaveProperty('guests');
  });
});

// A guest's note stands beside the guest on the door list: a Line, as a name is (shared/events/fields.ts).
describe('POST .../shows/{showId}/guests with a note holding a control character, a line separator or nothing shown', () => {
  it('answers 400 naming the note, and adds nobody', async () => {
    const { tours, ref, answer } = guestsRoute();
    const controls =
      'must not hold control characters (U+0000-U+001F, U+007F-U+009F) or line separators (U+2028, U+2029), a tab or line break among them';

    const answers = await Promise.all(
      ['photographer\u0001', 'photographer\u0085', 'photo\u2028grapher', '\u200b\u2060'].map((note) =>
        answer({
          guests: [
            { name: 'Alex Doe', note: 'plus camera' },
            { name: 'Sam Roe', note },
          ],
        }),
      ),
    );

    expect(answers.map(({ status, body }) => [status, body.issues])).toEqual([
      [400, [{ path: 'guests.1.note', message: controls }]],
      [400, [{ path: 'guests.1.note', message: controls }]],
      [400, [{ path: 'guests.1.note', message: controls }]],
      [400, [{ path: 'guests.1.note', message: 'must not be empty' }]],
    ]);
    expect(await tours.getShow(ref)).not.toHaveProperty('guests');
  });
});
