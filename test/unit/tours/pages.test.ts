import {
  InternalServerError,
  ProvisionedThroughputExceededException,
  ThrottlingException,
} from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import {
  addGuestFromPage,
  openAdvancePage,
  openTourManagerPage,
  submitAdvancePage,
} from '#functions/recipients/tour-links.ts';
import { tourPageRoutes } from '#functions/recipients/tour-routes.ts';
import { applyShowChange } from '#functions/tours/apply-change.ts';
import { WriteConflictError } from '#shared/db/conflicts.ts';
import { promoterIdOf } from '#shared/db/tours.ts';
import type { HttpEvent, HttpResult } from '#shared/http/index.ts';
import { csrfTokenFor, signAdvanceToken, signPromoToken, signTourManagerToken } from '#shared/tokens.ts';
import { advanceLinkExpiry } from '#shared/tours.ts';
import {
  aShow,
  aStoredTour,
  fakeToursDeps,
  filledAdvanceForm,
  InMemoryTours,
  landingUnanswered,
  metaAt,
  storeTourWithShow,
} from '#test/support/tours.ts';

const key = 'k'.repeat(48);
const show = aShow();
const ref = { labelId: 'lbl-1', tourId: 'tour-1', showId: show.showId };
const promoterId = promoterIdOf(show.promoter.email);

async function world(now: string) {
  const tours = new InMemoryTours();
  await storeTourWithShow(tours, show, now);
  const deps = { signingKey: async () => key, tours, now: () => new Date(now) };
  const token = signAdvanceToken(key, { ...ref, promoterId, expiresAt: advanceLinkExpiry(show) });
  return { tours, deps, token };
}

/** The show moved to `date` (a later change than the booking's). */
const moveShowTo = async (tours: InMemoryTours, date: string) =>
  tours.putShowIfNewer(
    { ...(await tours.getShow(ref))!, show: { ...show, date }, occurredAt: '2027-01-02T00:00:00.000Z' },
    [],
  );

/** The hidden fields of an advance form's page, as the promoter's browser posts them back (the CSRF token among them). */
const hiddenFieldsIn = (page: HttpResult): { csrf: string } & Record<string, string> => ({
  csrf: '',
  ...Object.fromEntries(
    [...String(page.body).matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map(
      ([, name, value]) => [name, value],
    ),
  ),
});
const hiddenFieldsOf = async (token: string, deps: Parameters<typeof openAdvancePage>[1]) =>
  hiddenFieldsIn(await openAdvancePage(token, deps));

/** The page a tour manager's page links to as its next (`?page=N`), if any. */
const nextPageOf = (page: HttpResult) => /<a rel="next" href="\?page=(\d+)">/.exec(String(page.body))?.[1];

/** The tour manager's link, signed for the show as booked. */
const tourManagerToken = () =>
  signTourManagerToken(key, { labelId: 'lbl-1', tourId: 'tour-1', expiresAt: advanceLinkExpiry(show) });

describe("the promoter's advance page", () => {
  it('opens the form prefilled with the show, escaping what the label wrote', async () => {
    const { deps, token } = await world('2027-04-20T10:00:00Z');
    await deps.tours.putShowIfNewer(
      {
        ...(await deps.tours.getShow(ref))!,
        show: { ...show, venue: { ...show.venue, name: '<script>alert(1)</script>' } },
        occurredAt: '2027-01-02T00:00:00.000Z',
      },
      [],
    );

    const page = await openAdvancePage(token, deps);

    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('&lt;script&gt;');
    expect(page.body).not.toContain('<script>');
    expect(page.body).toContain(`name="csrf" value="${csrfTokenFor(key, token)}"`);
  });

  it('records the advance with Show Advanced, and marks the fields that need an answer', async () => {
    const { deps, token, tours } = await world('2027-04-20T10:00:00Z');

    const incomplete = (
      await submitAdvancePage(
        token,
        filledAdvanceForm(csrfTokenFor(key, token), { power: ' ', settlementCurrency: 'euro' }),
        deps,
      )
    ).page;
    const saved = (await submitAdvancePage(token, filledAdvanceForm(csrfTokenFor(key, token)), deps)).page;

    expect(incomplete.statusCode).toBe(400);
    expect(incomplete.body).toContain('id="power-error"');
    expect(incomplete.body).toContain('must be an ISO 4217 currency code such as EUR, JPY or BHD');
    expect([saved.statusCode, saved.headers?.location]).toEqual([303, `${token}?saved=submitted`]);
    const thanked = await openAdvancePage(token, deps, 'submitted');
    expect(thanked.body).toContain('The tour manager has your answers.');
    expect((await tours.getShow(ref))?.advance?.answers).toMatchObject({
      settlementCurrency: 'EUR',
      guestListAllotment: 20,
    });
    expect(tours.outbox.map((e) => [e.detailType, e.detail.data])).toEqual([
      ['Show Advanced', expect.objectContaining({ amended: false, promoterId })],
    ]);
  });

  it("puts the day sheet's update in the advance's write after the sheet went, but not for an amendment that changes no answer", async () => {
    // The evening before the show in Berlin (14 May): the day sheet went at 18:00, the form is open until 00:00.
    const { deps, tours, token } = await world('2027-05-13T17:00:00Z');
    await tours.markStepDone(ref, 'day-sheet', '2027-05-13T16:00:00.000Z', []);
    const csrf = csrfTokenFor(key, token);
    const post = (overrides: Record<string, string>) =>
      submitAdvancePage(token, filledAdvanceForm(csrf, overrides), deps);

    const saved = [await post({}), await post({}), await post({ dayContactPhone: '+49 30 2' })];

    // The same answers again are the advance as it was (nothing written); the new phone is the amendment.
    expect(saved.map((post) => post.saved)).toEqual(['submitted', undefined, 'amended']);
    expect(
      tours.outbox
        .filter((e) => e.detailType === 'Show Step Due')
        .map((e) => (e.detail.data as { step: string }).step),
    ).toEqual(['day-sheet-update', 'day-sheet-update']);
  });

  it('takes an advance stored with its line breaks as CR LF (before they counted once) sent back unchanged as no new answer, and sends no update', async () => {
    const { deps, tours, token } = await world('2027-05-13T17:00:00Z');
    await tours.markStepDone(ref, 'day-sheet', '2027-05-13T16:00:00.000Z', []);
    const post = () =>
      submitAdvancePage(
        token,
        filledAdvanceForm(csrfTokenFor(key, token), { hospitality: 'Dinner\r\nfor 8' }),
        deps,
      );
    await post();
    // As a post before cd199165 stored it: the browser's CR LF kept.
    const { answers } = (await tours.getShow(ref))!.advance!;
    await tours.saveAdvance(
      { ...ref, promoterId },
      { ...answers, hospitality: 'Dinner\r\nfor 8' },
      '2027-05-13T16:59:00.000Z',
      () => [],
    );
    const before = tours.outbox.length;

    const again = await post();

    expect([again.page.headers?.location, again.saved]).toEqual([`${token}?saved=amended`, undefined]);
    expect(tours.outbox.slice(before)).toEqual([]);
  });

  it('takes answers without the bidi controls the form shows them without, so the form sent back unchanged is no new answer and sends no update', async () => {
    const { deps, tours, token } = await world('2027-05-13T17:00:00Z');
    await tours.markStepDone(ref, 'day-sheet', '2027-05-13T16:00:00.000Z', []);
    const csrf = csrfTokenFor(key, token);
    const first = await submitAdvancePage(
      token,
      filledAdvanceForm(csrf, { power: '63 A \u2067CEE\u2069', dayContactName: 'Yui\u202e' }),
      deps,
    );
    const stored = (await tours.getShow(ref))?.advance?.answers;
    // The form as the promoter's browser sends it back: every field as the page shows it.
    const shown = String((await openAdvancePage(token, deps)).body);
    const fields = new URLSearchParams(
      [
        ...shown.matchAll(/<textarea id="[^"]*" name="([^"]+)"[^>]*>([^<]*)<\/textarea>/g),
        ...shown.matchAll(/<input [^>]*name="([^"]+)"[^>]*value="([^"]*)"/g),
      ].map(([, name, value]): [string, string] => [
        name,
        value.replaceAll('&#39;', "'").replaceAll('&amp;', '&'),
      ]),
    );
    const again = await submitAdvancePage(token, fields.toString(), deps);

    expect([first.saved, again.saved, again.page.statusCode]).toEqual(['submitted', undefined, 303]);
    expect(stored).toMatchObject({
      power: '63 A CEE',
      dayContact: { name: 'Yui', phone: '+49 30 1' },
    });
    expect(tours.outbox.filter((e) => e.detailType === 'Show Step Due')).toHaveLength(1);
  });

  it("ties each refusal to its field for a screen reader (aria-invalid, aria-describedby naming the refusal's id), and no other field", async () => {
    const { deps, token } = await world('2027-04-20T10:00:00Z');

    const { page } = await submitAdvancePage(
      token,
      filledAdvanceForm(csrfTokenFor(key, token), { power: ' ', dayContactPhone: '1' }),
      deps,
    );
    const controls = [...String(page.body).matchAll(/<(?:input|textarea) id="([^"]+)"[^>]*>/g)];
    const described = controls
      .filter(([control]) => control.includes('aria-invalid="true"'))
      .map(([control, id]) => [id, /aria-describedby="([^"]+)"/.exec(control)?.[1]]);

    expect(page.statusCode).toBe(400);
    expect(described).toEqual([
      ['power', 'power-error'],
      ['dayContactPhone', 'dayContactPhone-error'],
    ]);
    expect(controls.filter(([control]) => control.includes('aria-describedby'))).toHaveLength(2);
    expect(page.body).toContain('id="dayContactPhone-error">please give a phone number<');
  });

  it('refuses a blank or non-numeric guest-list allotment with a 400 naming the field, storing nothing', async () => {
    const { deps, token, tours } = await world('2027-04-20T10:00:00Z');
    const csrf = csrfTokenFor(key, token);

    const posts = [];
    for (const guestListAllotment of ['', '  ', 'twenty', '1e2', '-3'])
      posts.push(await submitAdvancePage(token, filledAdvanceForm(csrf, { guestListAllotment }), deps));

    expect(posts.map(({ page, saved }) => [page.statusCode, saved])).toEqual(Array(5).fill([400, undefined]));
    for (const { page } of posts) expect(page.body).toContain('id="guestListAllotment-error"');
    expect((await tours.getShow(ref))?.advance).toBeUndefined();
    expect(tours.outbox).toEqual([]);
  });

  it('marks a field the post left out in the promoter’s words, as one left blank, not in zod’s terms', async () => {
    const { deps, token, tours } = await world('2027-04-20T10:00:00Z');
    const withoutParkingAndAllotment = new URLSearchParams(filledAdvanceForm(csrfTokenFor(key, token)));
    withoutParkingAndAllotment.delete('parking');
    withoutParkingAndAllotment.delete('guestListAllotment');
    withoutParkingAndAllotment.delete('dayContactPhone');

    const { page } = await submitAdvancePage(token, withoutParkingAndAllotment.toString(), deps);

    expect(page.statusCode).toBe(400);
    expect(page.body).toContain('<span class="error" id="parking-error">please fill this in</span>');
    expect(page.body).toContain(
      '<span class="error" id="guestListAllotment-error">must be a whole number from 0 to 1000</span>',
    );
    expect(page.body).toContain(
      '<span class="error" id="dayContactPhone-error">please give a phone number</span>',
    );
    expect(page.body).not.toContain('received undefined');
    expect((await tours.getShow(ref))?.advance).toBeUndefined();
  });

  it('tells the promoter the allotment’s range in words, for a negative one and one past it alike, not in zod’s terms', async () => {
    const { deps, token } = await world('2027-04-20T10:00:00Z');
    const csrf = csrfTokenFor(key, token);

    const posts = [];
    for (const guestListAllotment of ['-3', '1001'])
      posts.push(await submitAdvancePage(token, filledAdvanceForm(csrf, { guestListAllotment }), deps));

    for (const { page } of posts) {
      expect(page.statusCode).toBe(400);
      expect(page.body).toContain('must be a whole number from 0 to 1000');
      expect(page.body).not.toContain('Too big');
    }
  });

  it('tells the promoter an answer too long to take (a pasted rider, a phone past 40 characters) how long it may be, in words, not zod’s terms, storing nothing', async () => {
    const { deps, token, tours } = await world('2027-04-20T10:00:00Z');
    const hospitality = 'Rider: water, towels, hot food for eight. '.repeat(60);

    const { page } = await submitAdvancePage(
      token,
      filledAdvanceForm(csrfTokenFor(key, token), {
        hospitality,
        dayContactPhone: '+49 30 1234567 (ask for the stage manager)',
      }),
      deps,
    );

    expect(page.statusCode).toBe(400);
    expect(page.body).toContain(
      '<span class="error" id="hospitality-error">please shorten it to 2000 characters at most</span>',
    );
    expect(page.body).toContain(
      '<span class="error" id="dayContactPhone-error">please shorten it to 40 characters at most</span>',
    );
    expect(page.body).not.toContain('Too big');
    expect((await tours.getShow(ref))?.advance).toBeUndefined();
  });

  it('takes a rider of 2,000 characters over several lines as the browser posts it (each line break as CR LF), counting a line break once, and keeps it with its lines', async () => {
    const { deps, token, tours } = await world('2027-04-20T10:00:00Z');
    // 40 lines of 49 characters and the 39 line breaks between them: 1,999 characters in the textarea.
    const lines = Array.from(
      { length: 40 },
      (_, i) => `Line ${String(i + 1).padStart(2, '0')}: ${'x'.repeat(40)}`,
    );
    const typed = lines.join('\n');

    const { page } = await submitAdvancePage(
      token,
      filledAdvanceForm(csrfTokenFor(key, token), { hospitality: lines.join('\r\n') }),
      deps,
    );

    expect(typed).toHaveLength(1999);
    expect(page.statusCode).toBe(303);
    expect((await tours.getShow(ref))?.advance?.answers.hospitality).toBe(typed);
  });

  it('marks an answer holding a control character (U+0085, U+0001), a one-line answer a line separator (U+2028), or one showing as nothing, next to its field, storing nothing, and takes answers of several lines as before', async () => {
    const { deps, token, tours } = await world('2027-04-20T10:00:00Z');
    const csrf = csrfTokenFor(key, token);
    const several = 'Rear door,\r\n\tramp\u2028on the left ';

    const refused = await submitAdvancePage(
      token,
      filledAdvanceForm(csrf, {
        parking: 'One van\u0085',
        wifi: 'venue\u2028guest',
        dayContactName: 'Kim\u0001',
        dayContactPhone: '+49 30\u2028 1',
        merchSeller: '\u200b\u2060',
      }),
      deps,
    );
    const stored = (await tours.getShow(ref))?.advance;
    const taken = await submitAdvancePage(
      token,
      filledAdvanceForm(csrf, { loadInAccess: ` ${several}` }),
      deps,
    );

    const oneLine =
      'must not hold control characters (U+0000-U+001F, U+007F-U+009F) or line separators (U+2028, U+2029), a tab or line break among them';
    const lines =
      'must not hold control characters (U+0000-U+001F, U+007F-U+009F) other than a tab or line break';
    expect([refused.page.statusCode, refused.saved]).toEqual([400, undefined]);
    for (const [field, message] of [
      ['parking', lines],
      ['wifi', oneLine],
      ['dayContactName', oneLine],
      ['dayContactPhone', oneLine],
      ['merchSeller', 'please fill this in'],
    ])
      expect(refused.page.body).toContain(`<span class="error" id="${field}-error">${message}</span>`);
    expect(stored).toBeUndefined();
    expect(taken.saved).toBe('submitted');
    expect((await tours.getShow(ref))?.advance?.answers.loadInAccess).toBe(
      several.trim().replace('\r\n', '\n'),
    );
  });

  it('refuses a settlement currency that is no ISO 4217 currency (ABC, a typo EUE) with a 400 naming the field, storing nothing', async () => {
    const { deps, token, tours } = await world('2027-04-20T10:00:00Z');
    const csrf = csrfTokenFor(key, token);

    const posts = [];
    for (const settlementCurrency of ['ABC', 'eue', 'XXX'])
      posts.push(await submitAdvancePage(token, filledAdvanceForm(csrf, { settlementCurrency }), deps));

    expect(posts.map(({ page, saved }) => [page.statusCode, saved])).toEqual(Array(3).fill([400, undefined]));
    for (const { page } of posts) expect(page.body).toContain('id="settlementCurrency-error"');
    expect((await tours.getShow(ref))?.advance).toBeUndefined();
    expect(tours.outbox).toEqual([]);
  });

  it("has an advance submitted for the first time counted as AdvancesSubmitted by its Show Advanced's publication, never its amendment or a refused post", async () => {
    const { deps, tours, token } = await world('2027-04-20T10:00:00Z');
    const post = tourPageRoutes(deps).find((r) => r.method === 'POST' && r.path === '/a/{token}')!;
    const csrf = csrfTokenFor(key, token);
    const statuses: (number | undefined)[] = [];

    for (const power of [' ', '63 A', '32 A', '16 A']) {
      const body = filledAdvanceForm(csrf, { power });
      const event = { pathParameters: { token }, body, isBase64Encoded: false } as unknown as HttpEvent;
      statuses.push(((await post.handler(event, {} as Context, () => {})) as HttpResult).statusCode);
    }

    expect(statuses).toEqual([400, 303, 303, 303]);
    // The publisher counts a Show Advanced not amended (advance-counted-once.test.ts).
    expect(tours.outbox.map((e) => [e.detailType, (e.detail.data as { amended: boolean }).amended])).toEqual([
      ['Show Advanced', false],
      ['Show Advanced', true],
      ['Show Advanced', true],
    ]);
  });

  it('refuses an answer whose bytes are not UTF-8, percent-encoded or raw, with a 400 marking its field, storing nothing', async () => {
    const { deps, token, tours } = await world('2027-04-20T10:00:00Z');
    const post = tourPageRoutes(deps).find((r) => r.method === 'POST' && r.path === '/a/{token}')!;
    const form = filledAdvanceForm(csrfTokenFor(key, token), { parking: 'PARKING' });
    // `Café` in windows-1252 (0xE9), as a form in another charset sends it: escaped, and as raw bytes.
    const escaped = Buffer.from(form.replace('PARKING', 'Caf%E9'));
    const raw = Buffer.concat([
      Buffer.from(form.slice(0, form.indexOf('PARKING'))),
      Buffer.from('Caf\xe9', 'latin1'),
      Buffer.from(form.slice(form.indexOf('PARKING') + 7)),
    ]);

    const pages = [];
    for (const body of [escaped, raw]) {
      const event = {
        pathParameters: { token },
        body: body.toString('base64'),
        isBase64Encoded: true,
      } as unknown as HttpEvent;
      pages.push((await post.handler(event, {} as Context, () => {})) as HttpResult);
    }

    expect(pages.map((page) => page.statusCode)).toEqual([400, 400]);
    for (const page of pages) expect(page.body).toContain('id="parking-error"');
    expect((await tours.getShow(ref))?.advance).toBeUndefined();
    expect(tours.outbox).toEqual([]);
  });

  it('refuses an answer given twice (two parking answers in one post) with a 400 marking its field, taking neither and storing nothing', async () => {
    const { deps, token, tours } = await world('2027-04-20T10:00:00Z');
    const form = `${filledAdvanceForm(csrfTokenFor(key, token), { parking: 'Two spaces' })}&parking=None`;

    const { page } = await submitAdvancePage(token, form, deps);

    expect(page.statusCode).toBe(400);
    expect(page.body).toContain('id="parking-error"');
    expect(page.body).toContain('was given more than once');
    expect((await tours.getShow(ref))?.advance).toBeUndefined();
    expect(tours.outbox).toEqual([]);
  });

  it('answers a post whose advance field is no instant (the hidden field altered) with the form and its 400 or 409, never a 5xx, storing nothing', async () => {
    const { deps, token, tours } = await world('2027-04-20T10:00:00Z');
    const csrf = csrfTokenFor(key, token);

    const blank = await submitAdvancePage(
      token,
      filledAdvanceForm(csrf, { advanced: 'yesterday', wifi: ' ' }),
      deps,
    );
    const moved = await submitAdvancePage(
      token,
      filledAdvanceForm(csrf, { advanced: 'x', show: 'another' }),
      deps,
    );

    expect([blank.page.statusCode, moved.page.statusCode]).toEqual([400, 409]);
    expect(blank.page.body).toContain('id="wifi-error"');
    expect(moved.page.body).toContain('The show changed since this form was opened');
    expect((await tours.getShow(ref))?.advance).toBeUndefined();
    expect(tours.outbox).toEqual([]);
  });

  it('names, in the alert, a refused field the form shows no control for (its show given twice, another not UTF-8), storing nothing', async () => {
    const { deps, token, tours } = await world('2027-04-20T10:00:00Z');
    const form = `${filledAdvanceForm(csrfTokenFor(key, token), { show: 'one' })}&show=two&note=Caf%E9`;

    const { page } = await submitAdvancePage(token, form, deps);
    const alert = /<p class="error" role="alert">(.*?)<\/p>/s.exec(String(page.body))?.[1];

    expect(page.statusCode).toBe(400);
    expect(alert).toBe(
      'The form&rsquo;s field show was given more than once: give it once. The form&rsquo;s field note is not valid UTF-8. Nothing was saved: please send the form below again.',
    );
    expect((await tours.getShow(ref))?.advance).toBeUndefined();
    expect(tours.outbox).toEqual([]);
    // Sent again from that page, as the promoter's browser posts it, it is taken.
    const again = await submitAdvancePage(token, filledAdvanceForm('', hiddenFieldsIn(page)), deps);
    expect([again.page.statusCode, again.saved]).toEqual([303, 'submitted']);
  });

  it('refuses a post without the CSRF token of this link, and changes nothing', async () => {
    const { deps, token, tours } = await world('2027-04-20T10:00:00Z');
    const other = signAdvanceToken(key, { ...ref, promoterId, expiresAt: advanceLinkExpiry(show) + 1 });

    const missing = (await submitAdvancePage(token, filledAdvanceForm(''), deps)).page;
    const another = (await submitAdvancePage(token, filledAdvanceForm(csrfTokenFor(key, other)), deps)).page;

    expect([missing.statusCode, another.statusCode]).toEqual([403, 403]);
    expect((await tours.getShow(ref))?.advance).toBeUndefined();
  });

  it('shows the advance read-only from show day 00:00 at the venue, and refuses changes', async () => {
    // 2027-05-14 00:00 in Berlin is 2027-05-13T22:00Z.
    const { deps, token, tours } = await world('2027-05-13T22:00:00Z');

    const page = await openAdvancePage(token, deps);
    const post = (await submitAdvancePage(token, filledAdvanceForm(csrfTokenFor(key, token)), deps)).page;

    expect(page.body).toContain('The advance is closed');
    expect(page.body).not.toContain('<form');
    expect(post.statusCode).toBe(409);
    expect((await tours.getShow(ref))?.advance).toBeUndefined();
  });

  it('lists, on the read-only page answering a post after the lock, the answers it sent as not saved, so the promoter keeps what they typed', async () => {
    // Typed on the evening before, sent a minute past 2027-05-14 00:00 in Berlin.
    const { deps, token, tours } = await world('2027-05-13T22:01:00Z');

    const { page } = await submitAdvancePage(
      token,
      filledAdvanceForm(csrfTokenFor(key, token), {
        power: '125 A CEE',
        loadInAccess: 'Gate <3>\r\nthen left',
      }),
      deps,
    );

    expect(page.statusCode).toBe(409);
    expect(page.body).toContain('<h2>What you sent, not saved</h2>');
    expect(page.body).toContain('<dt>Power</dt><dd>125 A CEE</dd>');
    expect(page.body).toContain('<dt>Load-in access</dt><dd>Gate &lt;3&gt;\nthen left</dd>');
    expect(page.body).toContain('<dt>Contact on the day: phone</dt><dd>+49 30 1</dd>');
    expect(page.body).not.toContain('<form');
    expect((await tours.getShow(ref))?.advance).toBeUndefined();
    expect(tours.outbox).toEqual([]);
  });

  it('answers a forged, expired, misused or replaced-promoter link with a readable page', async () => {
    const { deps, token } = await world('2027-04-20T10:00:00Z');
    const promo = signPromoToken(key, {
      labelId: 'l',
      releaseId: 'r',
      outletId: 'o',
      assetIndex: 0,
      assetKind: 'stream',
      url: 'https://x.example',
    });
    const otherPromoter = signAdvanceToken(key, {
      ...ref,
      promoterId: 'prm-other',
      expiresAt: advanceLinkExpiry(show),
    });

    const pages = await Promise.all(
      [`${token.slice(0, -2)}xx`, promo, 'nonsense'].map((t) => openAdvancePage(t, deps)),
    );
    const replaced = await openAdvancePage(otherPromoter, deps);
    const late = await world('2027-05-16T10:00:00Z');
    const expired = await openAdvancePage(late.token, late.deps);

    expect(pages.map((p) => p.statusCode)).toEqual([404, 404, 404]);
    for (const page of [...pages, expired]) expect(page.body).toContain('This link does not work');
    expect(replaced.statusCode).toBe(410);
    expect(replaced.body).toContain('This link is no longer valid for this show');
    expect(expired.statusCode).toBe(410);
    expect(expired.body).toContain('This link has expired');
  });

  it('lists, on the 410 answering a post from its form after the link expired, what it sent as not saved; a post without the CSRF token, nothing of it', async () => {
    // Filled in on the evening of the show, sent a day and a half later, past the link's end.
    const { deps, token, tours } = await world('2027-05-16T10:00:00Z');

    const sent = await submitAdvancePage(
      token,
      filledAdvanceForm(csrfTokenFor(key, token), { power: '125 A <CEE>' }),
      deps,
    );
    const forged = await submitAdvancePage(token, filledAdvanceForm('', { power: '125 A <CEE>' }), deps);

    expect([sent.page.statusCode, forged.page.statusCode]).toEqual([410, 410]);
    expect(sent.page.body).toContain('This link has expired');
    expect(sent.page.body).toContain('<h2>What you sent, not saved</h2>');
    expect(sent.page.body).toContain('<dt>Power</dt><dd>125 A &lt;CEE&gt;</dd>');
    expect(forged.page.body).toContain('This link has expired');
    expect(forged.page.body).not.toContain('125 A');
    expect((await tours.getShow(ref))?.advance).toBeUndefined();
  });

  it('lists, on the page answering a post from a link whose show was given to another promoter meanwhile, what it sent as not saved; a post without the CSRF token, nothing of it', async () => {
    const { deps, tours, token } = await world('2027-04-20T10:00:00Z');
    // The label gives the show to another promoter (another contact's address) while the form is being filled in.
    const opened = await hiddenFieldsOf(token, deps);
    const given = { ...show, promoter: { ...show.promoter, email: 'bookings@other.example' } };
    await tours.putShowIfNewer(
      {
        ...(await tours.getShow(ref))!,
        show: given,
        promoterId: promoterIdOf(given.promoter.email),
        occurredAt: '2027-01-02T00:00:00.000Z',
      },
      [],
    );

    const sent = await submitAdvancePage(
      token,
      filledAdvanceForm(opened.csrf, { ...opened, power: '125 A CEE' }),
      deps,
    );
    const forged = await submitAdvancePage(token, filledAdvanceForm('', { power: '125 A CEE' }), deps);

    expect([sent.page.statusCode, forged.page.statusCode]).toEqual([410, 410]);
    expect(sent.page.body).toContain('This link is no longer valid for this show');
    expect(sent.page.body).toContain('<h2>What you sent, not saved</h2>');
    expect(sent.page.body).toContain('<dt>Power</dt><dd>125 A CEE</dd>');
    expect(forged.page.body).not.toContain('125 A CEE');
    expect((await tours.getShow(ref))?.advance).toBeUndefined();
    expect(tours.outbox).toEqual([]);
  });

  it('says the show is cancelled, on opening the link and on posting the form, and saves nothing', async () => {
    const { deps, tours, token } = await world('2027-04-20T10:00:00Z');
    await tours.putShowIfNewer(
      {
        ...(await tours.getShow(ref))!,
        show: { ...show, status: 'cancelled' },
        occurredAt: '2027-01-02T00:00:00.000Z',
      },
      [],
    );
    const outboxBefore = tours.outbox.length;

    const opened = await openAdvancePage(token, deps);
    const { page, saved } = await submitAdvancePage(token, filledAdvanceForm(csrfTokenFor(key, token)), deps);

    for (const answer of [opened, page]) {
      expect(answer.statusCode).toBe(410);
      expect(answer.body).toContain('This show is cancelled');
    }
    expect(saved).toBeUndefined();
    expect((await tours.getShow(ref))?.advance).toBeUndefined();
    expect(tours.outbox.length).toBe(outboxBefore);
  });

  it('lists, on the 410 answering a post from its form for a cancelled show (cancelled before it was read, or while it was in flight), what it sent as not saved; a post without the CSRF token, nothing of it', async () => {
    const { deps, tours, token } = await world('2027-04-20T10:00:00Z');
    const opened = await hiddenFieldsOf(token, deps);
    const form = (csrf: string) =>
      filledAdvanceForm(csrf, { ...opened, csrf, power: '125 A CEE', loadInAccess: 'Gate <3>' });
    // Cancelled while the post was in flight: the save, conditioned on the show not being cancelled, says so.
    const cancelledMeanwhile = {
      ...deps,
      tours: Object.assign(Object.create(tours), { saveAdvance: async () => 'cancelled' }),
    };
    const inFlight = (await submitAdvancePage(token, form(opened.csrf), cancelledMeanwhile)).page;
    await tours.putShowIfNewer(
      {
        ...(await tours.getShow(ref))!,
        show: { ...show, status: 'cancelled' },
        occurredAt: '2027-01-02T00:00:00.000Z',
      },
      [],
    );

    const fromForm = (await submitAdvancePage(token, form(opened.csrf), deps)).page;
    const notFromForm = (await submitAdvancePage(token, form(''), deps)).page;

    for (const page of [inFlight, fromForm]) {
      expect(page.statusCode).toBe(410);
      expect(page.body).toContain('This show is cancelled');
      expect(page.body).toContain('<h2>What you sent, not saved</h2>');
      expect(page.body).toContain('<dt>Power</dt><dd>125 A CEE</dd>');
      expect(page.body).toContain('<dt>Load-in access</dt><dd>Gate &lt;3&gt;</dd>');
    }
    expect(notFromForm.statusCode).toBe(410);
    expect(notFromForm.body).not.toContain('What you sent');
    expect((await tours.getShow(ref))?.advance).toBeUndefined();
  });

  it('says the show is cancelled (410, the cancelled show’s page) for a show known only by its cancellation, which came before its booking, on opening the link and on posting the form, and saves nothing', async () => {
    const now = { value: new Date('2027-04-20T10:00:00Z') };
    const fakes = fakeToursDeps(now);
    // The label's cancellation of the show arrives first: the tours function keeps it as a tombstone.
    await applyShowChange(
      'tour-1',
      { type: 'cancel', showId: show.showId },
      metaAt('2027-01-03T00:00:00.000Z'),
      fakes.deps,
    );
    await fakes.tours.saveTour({ ...aStoredTour });
    const deps = { signingKey: async () => key, tours: fakes.tours, now: () => now.value };
    const token = signAdvanceToken(key, { ...ref, promoterId, expiresAt: advanceLinkExpiry(show) });
    const outboxBefore = fakes.tours.outbox.length;

    const opened = await openAdvancePage(token, deps);
    const { page, saved } = await submitAdvancePage(token, filledAdvanceForm(csrfTokenFor(key, token)), deps);

    expect((await fakes.tours.getShow(ref))?.show).toBeUndefined();
    expect([opened.statusCode, page.statusCode]).toEqual([410, 410]);
    for (const answer of [opened, page]) expect(answer.body).toContain('This show is cancelled');
    expect(saved).toBeUndefined();
    expect((await fakes.tours.getShow(ref))?.advance).toBeUndefined();
    expect(fakes.tours.outbox.length).toBe(outboxBefore);
  });

  it('lists, on the 403 answering a post without this link’s CSRF token, what it sent as not saved, escaped, so the promoter keeps what they typed', async () => {
    const { deps, token, tours } = await world('2027-04-20T10:00:00Z');

    const { page } = await submitAdvancePage(
      token,
      filledAdvanceForm('', { power: '125 A CEE', loadInAccess: 'Gate <3>\r\nthen left' }),
      deps,
    );

    expect(page.statusCode).toBe(403);
    expect(page.body).toContain('<h2>What you sent, not saved</h2>');
    expect(page.body).toContain('<dt>Power</dt><dd>125 A CEE</dd>');
    expect(page.body).toContain('<dt>Load-in access</dt><dd>Gate &lt;3&gt;\nthen left</dd>');
    expect(page.body).not.toContain('<form');
    expect((await tours.getShow(ref))?.advance).toBeUndefined();
    expect(tours.outbox).toEqual([]);
  });

  it.each([
    [
      'throttled',
      () =>
        new ThrottlingException({
          message: 'Rate of requests exceeds the allowed throughput.',
          $metadata: {},
        }),
    ],
    [
      'failing on its side',
      () => new InternalServerError({ message: 'Internal server error', $metadata: {} }),
    ],
    ['meeting concurrent writes', () => new WriteConflictError(5, 'TransactionConflict')],
  ])(
    'answers a post whose save finds DynamoDB %s with a 503 and the form again, the answers typed in it, saying to submit again; sent again, it is saved',
    async (_, busy) => {
      const { deps, token, tours } = await world('2027-04-20T10:00:00Z');
      const opened = await hiddenFieldsOf(token, deps);
      const body = filledAdvanceForm(opened.csrf, {
        ...opened,
        wifi: 'venue-5G',
        loadInAccess: 'Gate <3>',
      });
      const failing = {
        ...deps,
        tours: Object.assign(Object.create(tours), {
          saveAdvance: async () => {
            throw busy();
          },
        }),
      };

      const { page, saved } = await submitAdvancePage(token, body, failing);
      const again = await submitAdvancePage(token, body, deps);

      expect(saved).toBeUndefined();
      expect(page.statusCode).toBe(503);
      expect(page.headers?.['retry-after']).toBe('1');
      expect(page.body).toMatch(/<p class="error" role="alert">[^<]*busy[^<]*submit it again/);
      expect(page.body).toContain('<form method="post" action="">');
      expect(page.body).toContain('name="wifi" type="text" value="venue-5G"');
      expect(page.body).toContain('>Gate &lt;3&gt;</textarea>');
      // As opened, and naming the save it could not confirm (this post's instant), should it have landed.
      expect(hiddenFieldsIn(page)).toEqual({ ...opened, pending: '2027-04-20T10:00:00.000Z' });
      expect(again.saved).toBe('submitted');
    },
  );

  it('answers a post whose read of the show finds DynamoDB throttled with a 503 listing what it sent as not saved, saying to submit it again', async () => {
    const { deps, token, tours } = await world('2027-04-20T10:00:00Z');
    const throttled = () => {
      throw new ProvisionedThroughputExceededException({ message: 'throughput exceeded', $metadata: {} });
    };
    const failing = {
      ...deps,
      tours: Object.assign(Object.create(tours), { getShow: async () => throttled() }),
    };

    const { page, saved } = await submitAdvancePage(
      token,
      filledAdvanceForm(csrfTokenFor(key, token), { power: '125 A CEE', loadInAccess: 'Gate <3>' }),
      failing,
    );

    expect(saved).toBeUndefined();
    expect(page.statusCode).toBe(503);
    expect(page.headers?.['retry-after']).toBe('1');
    expect(page.body).toContain('submit it again in a moment');
    expect(page.body).toContain('<h2>What you sent, not saved</h2>');
    expect(page.body).toContain('<dt>Power</dt><dd>125 A CEE</dd>');
    expect(page.body).toContain('<dt>Load-in access</dt><dd>Gate &lt;3&gt;</dd>');
    expect((await tours.getShow(ref))?.advance).toBeUndefined();
  });

  it('refuses, with a 409 showing the show as it is now and the answers given, a form filled in before the label moved the show, and saves nothing', async () => {
    const { deps, tours, token } = await world('2027-04-20T10:00:00Z');
    const csrf = csrfTokenFor(key, token);
    const versionIn = (page: HttpResult) =>
      /name="show" value="([0-9a-f]+)"/.exec(String(page.body))?.[1] ?? '';
    const opened = versionIn(await openAdvancePage(token, deps));
    // While the promoter fills it in (the load-in of Columbiahalle), the label moves the show to Tempodrom.
    await tours.putShowIfNewer(
      {
        ...(await tours.getShow(ref))!,
        show: { ...show, venue: { ...show.venue, name: 'Tempodrom', address: 'Möckernstraße 10' } },
        occurredAt: '2027-01-02T00:00:00.000Z',
      },
      [],
    );

    const stale = await submitAdvancePage(
      token,
      filledAdvanceForm(csrf, { show: opened, loadInAccess: 'Columbiadamm gate' }),
      deps,
    );

    expect([stale.page.statusCode, stale.saved]).toEqual([409, undefined]);
    expect(stale.page.body).toContain('The show changed since this form was opened');
    expect(stale.page.body).toContain('Tempodrom');
    expect(stale.page.body).toContain('>Columbiadamm gate</textarea>');
    expect((await tours.getShow(ref))?.advance).toBeUndefined();
    expect(tours.outbox).toEqual([]);
    // Sent again from that page, which states the show as it is now, it is taken.
    const again = await submitAdvancePage(
      token,
      filledAdvanceForm(csrf, { show: versionIn(stale.page), loadInAccess: 'Möckernstraße ramp' }),
      deps,
    );
    expect([again.page.statusCode, again.saved]).toEqual([303, 'submitted']);
    expect((await tours.getShow(ref))?.advance?.answers.loadInAccess).toBe('Möckernstraße ramp');
  });

  it('refuses, with a 409 showing the answers saved since and those given, a form opened before the advance was saved from another tab, and saves nothing', async () => {
    const { deps, tours, token } = await world('2027-04-20T10:00:00Z');
    // Two tabs (or two people at the promoter's) open the link before either submits.
    const [first, second] = [await hiddenFieldsOf(token, deps), await hiddenFieldsOf(token, deps)];
    await submitAdvancePage(token, filledAdvanceForm(first.csrf, { ...first, power: '125 A CEE' }), deps);
    const advancedOutbox = tours.outbox.length;

    const stale = await submitAdvancePage(
      token,
      filledAdvanceForm(second.csrf, { ...second, parking: 'Bus bay' }),
      deps,
    );

    expect([stale.page.statusCode, stale.saved]).toEqual([409, undefined]);
    expect(stale.page.body).toContain('saved from another window');
    expect(stale.page.body).toContain('125 A CEE');
    expect(stale.page.body).toContain('>Bus bay</textarea>');
    expect((await tours.getShow(ref))?.advance?.answers).toMatchObject({
      power: '125 A CEE',
      parking: 'Two spaces',
    });
    expect(tours.outbox).toHaveLength(advancedOutbox);
    // Sent again from that page, which names the advance as it is now, it replaces those answers.
    const again = await submitAdvancePage(
      token,
      filledAdvanceForm(second.csrf, { ...hiddenFieldsIn(stale.page), parking: 'Bus bay' }),
      deps,
    );
    expect([again.page.statusCode, again.saved]).toEqual([303, 'amended']);
    expect((await tours.getShow(ref))?.advance?.answers).toMatchObject({ power: '63 A', parking: 'Bus bay' });
  });

  it('takes an edited post from the form a 503 gave back, whose own save had landed, as that window’s newer answers; a form opened elsewhere before still gets the 409', async () => {
    const { deps, tours, token } = await world('2027-04-20T10:00:00Z');
    const [mine, elsewhere] = [await hiddenFieldsOf(token, deps), await hiddenFieldsOf(token, deps)];
    const busy = await submitAdvancePage(
      token,
      filledAdvanceForm(mine.csrf, { ...mine, power: '125 A CEE' }),
      { ...deps, tours: landingUnanswered(tours) },
    );
    const later = { ...deps, now: () => new Date('2027-04-20T10:05:00Z') };

    const edited = await submitAdvancePage(
      token,
      filledAdvanceForm(mine.csrf, { ...hiddenFieldsIn(busy.page), power: '125 A CEE', parking: 'Bus bay' }),
      later,
    );
    const other = await submitAdvancePage(
      token,
      filledAdvanceForm(elsewhere.csrf, { ...elsewhere, wifi: 'other-tab' }),
      later,
    );

    expect(busy.page.statusCode).toBe(503);
    expect(edited.page.statusCode).toBe(303);
    expect((await tours.getShow(ref))?.advance?.answers).toMatchObject({
      power: '125 A CEE',
      parking: 'Bus bay',
    });
    expect([other.page.statusCode, other.saved]).toEqual([409, undefined]);
    expect(other.page.body).toContain('saved from another window');
    expect((await tours.getShow(ref))?.advance?.answers.wifi).toBe('guest');
  });

  it.each([
    ['edited', { parking: 'Bus bay' }],
    ['unchanged', {}],
  ])(
    'has a first submission whose 503 answer hid its landing counted as AdvancesSubmitted by the landed save alone, not by the post from the form the 503 gave back (%s), nor by an amendment',
    async (_, edit) => {
      const { deps, tours, token } = await world('2027-04-20T10:00:00Z');
      let now = '2027-04-20T10:00:00Z';
      const clocked = { ...deps, tours: landingUnanswered(tours), now: () => new Date(now) };
      const post = tourPageRoutes(clocked).find((r) => r.method === 'POST' && r.path === '/a/{token}')!;
      const send = async (body: string) =>
        (await post.handler(
          { pathParameters: { token }, body, isBase64Encoded: false } as unknown as HttpEvent,
          {} as Context,
          () => {},
        )) as HttpResult;
      const opened = await hiddenFieldsOf(token, deps);

      const busy = await send(filledAdvanceForm(opened.csrf, { ...opened, power: '125 A CEE' }));
      now = '2027-04-20T10:05:00Z';
      const again = await send(
        filledAdvanceForm(opened.csrf, { ...hiddenFieldsIn(busy), power: '125 A CEE', ...edit }),
      );
      now = '2027-04-20T10:10:00Z';
      const amended = await send(
        filledAdvanceForm(opened.csrf, { ...(await hiddenFieldsOf(token, deps)), power: '16 A' }),
      );

      expect([busy.statusCode, again.statusCode, amended.statusCode]).toEqual([503, 303, 303]);
      expect(again.headers?.location).toBe(`${token}?saved=submitted`);
      expect(tours.outbox.filter((e) => (e.detail.data as { amended?: boolean }).amended === false)).toEqual([
        expect.objectContaining({
          detailType: 'Show Advanced',
          detail: expect.objectContaining({
            data: expect.objectContaining({ amended: false, submittedAt: '2027-04-20T10:00:00.000Z' }),
          }),
        }),
      ]);
      expect((await tours.getShow(ref))?.advance).toMatchObject({ submittedAt: '2027-04-20T10:00:00.000Z' });
    },
  );

  it('keeps a form opened before the advance was saved from another tab stale through a 400: corrected and sent again, it gets the 409 with the answers saved since, replacing nothing', async () => {
    const { deps, tours, token } = await world('2027-04-20T10:00:00Z');
    const [first, second] = [await hiddenFieldsOf(token, deps), await hiddenFieldsOf(token, deps)];
    await submitAdvancePage(token, filledAdvanceForm(first.csrf, { ...first, power: '125 A CEE' }), deps);
    const blank = await submitAdvancePage(
      token,
      filledAdvanceForm(second.csrf, { ...second, parking: 'Bus bay', wifi: ' ' }),
      deps,
    );

    const corrected = await submitAdvancePage(
      token,
      filledAdvanceForm(second.csrf, { ...hiddenFieldsIn(blank.page), parking: 'Bus bay' }),
      deps,
    );

    expect(blank.page.statusCode).toBe(400);
    expect([corrected.page.statusCode, corrected.saved]).toEqual([409, undefined]);
    expect(corrected.page.body).toContain('saved from another window');
    expect((await tours.getShow(ref))?.advance?.answers).toMatchObject({
      power: '125 A CEE',
      parking: 'Two spaces',
    });
  });

  it('takes the same answers posted twice from one page (a double click) as the one submission they are, with one Show Advanced', async () => {
    const { deps, tours, token } = await world('2027-04-20T10:00:00Z');
    const opened = await hiddenFieldsOf(token, deps);
    const post = () => submitAdvancePage(token, filledAdvanceForm(opened.csrf, opened), deps);

    const posts = [await post(), await post()];

    expect(posts.map(({ page, saved }) => [page.statusCode, page.headers?.location, saved])).toEqual([
      [303, `${token}?saved=submitted`, 'submitted'],
      [303, `${token}?saved=submitted`, undefined],
    ]);
    expect(tours.outbox.map((e) => e.detailType)).toEqual(['Show Advanced']);
    expect((await tours.getShow(ref))?.advance?.amendedAt).toBeUndefined();
  });

  it('takes the form opened after the save and sent again unchanged (a resubmit after going back) as that advance: nothing written, no second Show Advanced', async () => {
    const { deps, tours, token } = await world('2027-04-20T10:00:00Z');
    const opened = await hiddenFieldsOf(token, deps);
    await submitAdvancePage(token, filledAdvanceForm(opened.csrf, opened), deps);
    // Back to the form: the browser fetches it again (no-store), the saved answers in it, and sends it.
    const reopened = await hiddenFieldsOf(token, deps);

    const again = await submitAdvancePage(token, filledAdvanceForm(reopened.csrf, reopened), deps);

    expect([again.page.statusCode, again.page.headers?.location, again.saved]).toEqual([
      303,
      `${token}?saved=submitted`,
      undefined,
    ]);
    expect(tours.outbox.map((e) => e.detailType)).toEqual(['Show Advanced']);
    expect((await tours.getShow(ref))?.advance?.amendedAt).toBeUndefined();
  });

  it("keeps a postponed show's link open until a day after its new date, and ends that of a show brought forward a day after its new date", async () => {
    // The link was mailed for 14 May (valid until 16 May 04:00 UTC); the show moved to 28 May.
    const postponed = await world('2027-05-20T10:00:00Z');
    await moveShowTo(postponed.tours, '2027-05-28');
    // The show moved forward to 1 May: its link ends on 3 May 04:00 UTC, not on 16 May.
    const earlier = await world('2027-05-03T10:00:00Z');
    await moveShowTo(earlier.tours, '2027-05-01');

    const open = await openAdvancePage(postponed.token, postponed.deps);
    const saved = (
      await submitAdvancePage(
        postponed.token,
        filledAdvanceForm(csrfTokenFor(key, postponed.token)),
        postponed.deps,
      )
    ).page;
    const ended = await openAdvancePage(earlier.token, earlier.deps);

    expect(open.statusCode).toBe(200);
    expect(open.body).toContain('<form');
    expect(saved.statusCode).toBe(303);
    expect(ended.statusCode).toBe(410);
    expect(ended.body).toContain('This link has expired');
  });
});

describe("the tour manager's page", () => {
  it('lists, on the 410 answering a guest post from its form after the tour manager’s link expired, the guest it sent as not saved; a post without the CSRF token, nothing of it', async () => {
    // Typed in on the evening of the show, sent a day and a half later, past the link's end.
    const { deps, tours } = await world('2027-05-16T10:00:00Z');
    const token = tourManagerToken();
    const guest = { showId: show.showId, name: 'Alex <Kim>', plusOnes: '2', note: 'Band family' };

    const sent = await addGuestFromPage(
      token,
      new URLSearchParams({ csrf: csrfTokenFor(key, token), ...guest }).toString(),
      deps,
    );
    const forged = await addGuestFromPage(
      token,
      new URLSearchParams({ csrf: '', ...guest }).toString(),
      deps,
    );

    expect([sent.statusCode, forged.statusCode]).toEqual([410, 410]);
    expect(sent.body).toContain('This link has expired');
    expect(sent.body).toContain('<h2>What you sent, not saved</h2>');
    expect(sent.body).toContain('<dt>Guest name</dt><dd>Alex &lt;Kim&gt;</dd>');
    expect(sent.body).toContain('<dt>Plus-ones</dt><dd>2</dd>');
    expect(sent.body).toContain('<dt>Note</dt><dd>Band family</dd>');
    expect(forged.body).toContain('This link has expired');
    expect(forged.body).not.toContain('Alex');
    expect((await tours.getShow(ref))?.guests).toBeUndefined();
  });

  it('adds a guest until the list is locked, then says why it cannot', async () => {
    const { deps, tours } = await world('2027-05-01T10:00:00Z');
    const token = tourManagerToken();
    const form = (name: string) =>
      new URLSearchParams({
        csrf: csrfTokenFor(key, token),
        showId: show.showId,
        name,
        plusOnes: '1',
      }).toString();

    const added = await addGuestFromPage(token, form('Alex'), deps);
    await tours.lockGuestList(ref, '2027-05-14T15:00:00Z', {
      date: '2027-05-14',
      scheduledFor: '2027-05-14T15:00:00.000Z',
    });
    const late = await addGuestFromPage(token, form('Late'), deps);

    expect([added.statusCode, added.headers?.location]).toEqual([303, `${token}?added=${show.showId}`]);
    expect((await openTourManagerPage(token, deps, { added: show.showId })).body).toContain(
      'Added to the guest list for 2027-05-14.',
    );
    expect(late.statusCode).toBe(409);
    expect(late.body).toContain('the guest list is closed');
    expect((await tours.getShow(ref))?.guests?.map((g) => g.name)).toEqual(['Alex']);
  });

  it('shows a guest and a venue without the bidi controls they were sent with, as mail does, so neither reorders the rest of the page', async () => {
    const { deps, tours, token: advanceToken } = await world('2027-05-01T10:00:00Z');
    await tours.putShowIfNewer(
      {
        ...(await tours.getShow(ref))!,
        show: { ...show, venue: { ...show.venue, name: 'Club\u2067 Ost\u2069' } },
        occurredAt: '2027-01-02T00:00:00.000Z',
      },
      [],
    );
    const token = tourManagerToken();
    const form = new URLSearchParams({
      csrf: csrfTokenFor(key, token),
      showId: show.showId,
      name: 'Alex\u202e (guest of the band)',
      plusOnes: '1',
    }).toString();
    await addGuestFromPage(token, form, deps);

    const pages = [
      String((await openTourManagerPage(token, deps, {})).body),
      String((await openAdvancePage(advanceToken, deps)).body),
    ];

    for (const page of pages) {
      expect(page).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
      expect(page).toContain('Club Ost');
    }
    expect(pages[0]).toContain('Alex (guest of the band)');
    // Stored as sent: only what a page shows drops them.
    expect((await tours.getShow(ref))?.guests?.map((g) => g.name)).toEqual([
      'Alex\u202e (guest of the band)',
    ]);
  });

  it('refuses a guest post without a name as one with a blank name, in words, adding nobody', async () => {
    const { deps, tours } = await world('2027-05-01T10:00:00Z');
    const token = tourManagerToken();
    const form = new URLSearchParams({ csrf: csrfTokenFor(key, token), showId: show.showId, plusOnes: '1' });

    const page = await addGuestFromPage(token, form.toString(), deps);

    expect(page.statusCode).toBe(400);
    expect(page.body).toContain('Guest name: must not be empty.');
    expect((await tours.getShow(ref))?.guests ?? []).toEqual([]);
  });

  it("refuses a guest's note holding a control character or a line separator with a 400 naming it as the form labels it, in words, adding nobody", async () => {
    const { deps, tours } = await world('2027-05-01T10:00:00Z');
    const token = tourManagerToken();
    const form = (note: string) =>
      new URLSearchParams({
        csrf: csrfTokenFor(key, token),
        showId: show.showId,
        name: 'Alex',
        note,
      }).toString();

    const pages = [];
    for (const note of ['photographer\u0085', 'photo\u2028grapher'])
      pages.push(await addGuestFromPage(token, form(note), deps));

    for (const page of pages) {
      expect(page.statusCode).toBe(400);
      expect(page.body).toContain(
        'Note: must not hold control characters (U+0000-U+001F, U+007F-U+009F) or line separators (U+2028, U+2029), a tab or line break among them.',
      );
    }
    expect((await tours.getShow(ref))?.guests ?? []).toEqual([]);
  });

  it("marks a refused guest's field at the show's form, for a screen reader too, and keeps what was typed", async () => {
    const { deps } = await world('2027-05-01T10:00:00Z');
    const token = tourManagerToken();
    const form = new URLSearchParams({
      csrf: csrfTokenFor(key, token),
      showId: show.showId,
      name: 'Alex <Photo>',
      plusOnes: 'many',
    });

    const page = await addGuestFromPage(token, form.toString(), deps);
    const plusOnes = String(page.body).match(/<input id="plus-[^"]*"[^>]*>/)?.[0] ?? '';
    const described = plusOnes.match(/aria-describedby="([^"]+)"/)?.[1];

    expect(page.statusCode).toBe(400);
    expect(page.body).toMatch(/<input id="name-[^"]*" name="name"[^>]* value="Alex &lt;Photo&gt;"/);
    expect(plusOnes).toContain('aria-invalid="true"');
    expect(plusOnes).toContain('value="many"');
    expect(page.body).toMatch(new RegExp(`<span class="error" id="${described}">Plus-ones: `));
  });

  const guestForm = (token: string, name: string, plusOnes = '2', csrf = csrfTokenFor(key, token)) =>
    new URLSearchParams({ csrf, showId: show.showId, name, plusOnes }).toString();
  /** The show's guest form's name and plus-ones, as the page fills them in. */
  const guestControls = (page: HttpResult) =>
    ['name', 'plus'].map(
      (id) =>
        new RegExp(`<input id="${id}-${show.showId}"[^>]* value="([^"]*)"`).exec(String(page.body))?.[1],
    );

  it('lists, on the 403 answering a guest post without this link’s CSRF token, the guest it sent as not saved, escaped, adding nobody', async () => {
    const { deps, tours } = await world('2027-05-01T10:00:00Z');
    const token = tourManagerToken();

    const page = await addGuestFromPage(token, guestForm(token, 'Alex <Photo>', '2', 'stale'), deps);

    expect(page.statusCode).toBe(403);
    expect(page.body).toContain('<h2>What you sent, not saved</h2>');
    expect(page.body).toContain('<dt>Guest name</dt><dd>Alex &lt;Photo&gt;</dd><dt>Plus-ones</dt><dd>2</dd>');
    expect((await tours.getShow(ref))?.guests ?? []).toEqual([]);
  });

  it("keeps, on the 409 of a guest not added, what was typed in the show's form while it takes guests, and lists it as not saved once the list is closed", async () => {
    const { deps, tours } = await world('2027-05-01T10:00:00Z');
    const token = tourManagerToken();
    await addGuestFromPage(token, guestForm(token, 'Alex'), deps);

    const listed = await addGuestFromPage(token, guestForm(token, 'ALEX', '3'), deps);
    await tours.lockGuestList(ref, '2027-05-14T15:00:00Z', {
      date: '2027-05-14',
      scheduledFor: '2027-05-14T15:00:00.000Z',
    });
    const closed = await addGuestFromPage(token, guestForm(token, 'Late <Guest>', '1'), deps);

    expect(listed.statusCode).toBe(409);
    expect(listed.body).toContain('a guest of that name is on the list already');
    expect(guestControls(listed)).toEqual(['ALEX', '3']);
    expect(closed.statusCode).toBe(409);
    expect(closed.body).toContain('the guest list is closed');
    expect(closed.body).toContain(
      '<dt>Guest name</dt><dd>Late &lt;Guest&gt;</dd><dt>Plus-ones</dt><dd>1</dd>',
    );
    expect((await tours.getShow(ref))?.guests?.map((g) => g.name)).toEqual(['Alex']);
  });

  it.each([
    ['throttled', () => new ThrottlingException({ message: 'Rate exceeded', $metadata: {} })],
    [
      'failing on its side',
      () => new InternalServerError({ message: 'Internal server error', $metadata: {} }),
    ],
    ['meeting concurrent writes', () => new WriteConflictError(5, 'TransactionConflict')],
  ])(
    "answers a guest post whose write finds DynamoDB %s with a 503 and the page again, the guest as typed in the show's form and a word to submit it again; sent again, it is added",
    async (_, busy) => {
      const { deps, tours } = await world('2027-05-01T10:00:00Z');
      const token = tourManagerToken();
      const failing = {
        ...deps,
        tours: Object.assign(Object.create(tours), {
          addGuests: async () => {
            throw busy();
          },
        }),
      };

      const page = await addGuestFromPage(token, guestForm(token, 'Alex <Photo>'), failing);
      const again = await addGuestFromPage(token, guestForm(token, 'Alex <Photo>'), deps);

      expect(page.statusCode).toBe(503);
      expect(page.headers?.['retry-after']).toBe('1');
      expect(page.body).toMatch(/<p class="error" role="alert">[^<]*busy[^<]*submit it again in a moment/);
      expect(guestControls(page)).toEqual(['Alex &lt;Photo&gt;', '2']);
      expect(again.statusCode).toBe(303);
      expect((await tours.getShow(ref))?.guests?.map((g) => g.name)).toEqual(['Alex <Photo>']);
    },
  );

  it('answers a guest post whose read of the tour finds DynamoDB throttled with a 503 listing the guest it sent as not saved, saying to submit it again', async () => {
    const { deps, tours } = await world('2027-05-01T10:00:00Z');
    const token = tourManagerToken();
    const failing = {
      ...deps,
      tours: Object.assign(Object.create(tours), {
        tourWithShows: async () => {
          throw new ProvisionedThroughputExceededException({ message: 'throughput exceeded', $metadata: {} });
        },
      }),
    };

    const page = await addGuestFromPage(token, guestForm(token, 'Alex <Photo>'), failing);

    expect(page.statusCode).toBe(503);
    expect(page.headers?.['retry-after']).toBe('1');
    expect(page.body).toContain('submit it again in a moment');
    expect(page.body).toContain('<h2>What you sent, not saved</h2>');
    expect(page.body).toContain('<dt>Guest name</dt><dd>Alex &lt;Photo&gt;</dd><dt>Plus-ones</dt><dd>2</dd>');
    expect((await tours.getShow(ref))?.guests ?? []).toEqual([]);
  });

  it("refuses a guest for a show that is not on the link's tour with a 400 saying so, adding nobody", async () => {
    const { deps, tours } = await world('2027-05-01T10:00:00Z');
    const token = tourManagerToken();
    const form = new URLSearchParams({
      csrf: csrfTokenFor(key, token),
      showId: `${show.showId}-of-another-tour`,
      name: 'Alex',
      plusOnes: '1',
    });

    const page = await addGuestFromPage(token, form.toString(), deps);

    expect(page.statusCode).toBe(400);
    expect(page.body).toContain('That show is not on this tour.');
    expect((await tours.getShow(ref))?.guests ?? []).toEqual([]);
  });

  it("refuses a guest's name whose bytes are not UTF-8 with a 400 saying so, adding nobody", async () => {
    const { deps, tours } = await world('2027-05-01T10:00:00Z');
    const token = tourManagerToken();
    const form = new URLSearchParams({ csrf: csrfTokenFor(key, token), showId: show.showId, plusOnes: '1' });

    const page = await addGuestFromPage(token, `${form}&name=Ren%E9e`, deps);

    expect(page.statusCode).toBe(400);
    expect(page.body).toContain('Guest name: is not valid UTF-8');
    expect((await tours.getShow(ref))?.guests ?? []).toEqual([]);
  });

  it('refuses plus-ones that are no number with a 400 naming the field as the form labels it and the rule, never NaN, adding nobody', async () => {
    const { deps, tours } = await world('2027-05-01T10:00:00Z');
    const token = tourManagerToken();
    const form = new URLSearchParams({
      csrf: csrfTokenFor(key, token),
      showId: show.showId,
      name: 'Alex',
      plusOnes: 'two',
    });

    const page = await addGuestFromPage(token, form.toString(), deps);

    expect(page.statusCode).toBe(400);
    expect(page.body).toContain('Plus-ones: must be a whole number.');
    expect(page.body).not.toContain('NaN');
    expect((await tours.getShow(ref))?.guests ?? []).toEqual([]);
  });

  it("states each show's advance status, as its route documents: asked, then in", async () => {
    const { deps, tours, token: advanceToken } = await world('2027-04-20T10:00:00Z');
    const token = tourManagerToken();
    const advanceLine = async () =>
      String((await openTourManagerPage(token, deps)).body).match(/Advance: [^<]*/)?.[0];

    const before = await advanceLine();
    await tours.markStepDone(ref, 'advance-request', '2027-04-16T08:00:00.000Z', []);
    const requested = await advanceLine();
    await submitAdvancePage(advanceToken, filledAdvanceForm(csrfTokenFor(key, advanceToken)), deps);
    const submitted = await advanceLine();

    expect([before, requested, submitted]).toEqual([
      'Advance: not requested yet',
      'Advance: requested, not yet in',
      'Advance: submitted',
    ]);
  });

  it('tells the tour manager whom to ask for a new link (not the tour manager), and the holder of an expired link that it ended with the show, not to ask for another', async () => {
    const { deps, token } = await world('2027-04-20T10:00:00Z');
    const late = await world('2027-05-16T10:00:00Z');
    const tm = tourManagerToken();
    const text = (page: HttpResult) => String(page.body).replace(/<[^>]+>/g, ' ');

    const forged = text(await openTourManagerPage(`${tm.slice(0, -2)}xx`, deps));
    const expiredTourManager = text(await openTourManagerPage(tm, late.deps));
    const forgedAdvance = text(await openAdvancePage(`${token.slice(0, -2)}xx`, deps));
    const expiredAdvance = text(await openAdvancePage(late.token, late.deps));

    expect(forged).toContain('ask the production manager for a new one');
    expect(forged).not.toContain('ask the tour manager');
    expect(expiredTourManager).toContain(
      'This link has expired. It worked until a day after the tour’s last show.',
    );
    expect(forgedAdvance).toContain('ask the tour manager for a new one');
    expect(expiredAdvance).toContain('This link has expired. It worked until a day after the show.');
    for (const page of [expiredTourManager, expiredAdvance]) expect(page).not.toContain('for a new one');
  });

  it("lets the tour manager read a show's advance as its promoter gave it, from a link beside its status, and says so of a show with none", async () => {
    const { deps, token } = await world('2027-04-20T10:00:00Z');
    const tm = tourManagerToken();
    const before = await openTourManagerPage(tm, deps);
    const none = await openTourManagerPage(tm, deps, { advance: show.showId });

    await submitAdvancePage(
      token,
      filledAdvanceForm(csrfTokenFor(key, token), { hospitality: 'Dinner for 8 <no nuts>' }),
      deps,
    );
    const after = await openTourManagerPage(tm, deps);
    const answers = await openTourManagerPage(tm, deps, { advance: show.showId });

    expect(before.body).not.toContain('?advance=');
    expect(none.statusCode).toBe(404);
    expect(none.body).toContain('That show has no advance from its promoter yet.');
    expect(after.body).toContain(`<a href="?advance=${show.showId}">Read the promoter&rsquo;s answers</a>`);
    expect(answers.statusCode).toBe(200);
    expect(answers.body).toContain('<dt>Power</dt><dd>63 A</dd>');
    expect(answers.body).toContain('<dd>Dinner for 8 &lt;no nuts&gt;</dd>');
    expect(answers.body).toContain('<dd>Kim, +49 30 1</dd>');
    expect(answers.body).toContain('submitted it 20 April 2027 at 12:00 (Europe/Berlin)');
  });

  it("says a cancelled show's advance, asked for by its address, is not shown because the show is cancelled, not that none was given", async () => {
    const { deps, tours, token } = await world('2027-04-20T10:00:00Z');
    await submitAdvancePage(token, filledAdvanceForm(csrfTokenFor(key, token)), deps);
    await tours.putShowIfNewer(
      {
        ...(await tours.getShow(ref))!,
        show: { ...show, status: 'cancelled' },
        occurredAt: '2027-01-02T00:00:00.000Z',
      },
      [],
    );

    const asked = await openTourManagerPage(tourManagerToken(), deps, { advance: show.showId });

    expect(asked.statusCode).toBe(404);
    expect(asked.body).toContain('That show is cancelled.');
    expect(asked.body).not.toContain('no advance from its promoter');
  });

  it('tells the tour manager until when the promoter can amend the advance, and on show day that they no longer can', async () => {
    const { deps, token } = await world('2027-04-20T10:00:00Z');
    const tm = tourManagerToken();
    await submitAdvancePage(token, filledAdvanceForm(csrfTokenFor(key, token)), deps);
    // Show day (14 May in Berlin) began at 22:00 UTC on 13 May: the form is read-only since.
    const text = async (now: string) =>
      String(
        (await openTourManagerPage(tm, { ...deps, now: () => new Date(now) }, { advance: show.showId })).body,
      );

    const before = await text('2027-05-13T21:00:00Z');
    const onShowDay = await text('2027-05-14T10:00:00Z');

    expect(before).toContain(
      'They can amend it until 14 May 2027 at 00:00 (Europe/Berlin), the start of show day.',
    );
    expect(onShowDay).not.toContain('They can amend it');
    expect(onShowDay).toContain('Show day has begun: it can no longer be amended.');
  });

  it('states an overdue advance without naming reminders the promoter was never sent (a show booked 12 days out gets the request alone)', async () => {
    const { deps, tours } = await world('2027-05-04T10:00:00Z');
    await tours.markStepDone(ref, 'advance-request', '2027-05-02T08:00:00.000Z', []);
    await tours.markStepDone(ref, 'advance-escalation', '2027-05-04T08:00:00.000Z', []);

    const line = String((await openTourManagerPage(tourManagerToken(), deps)).body).match(
      /Advance: [^<]*/,
    )?.[0];

    expect(line).toBe('Advance: overdue: still not in ten days before the show');
  });

  it("answers a tour of 13 shows whose full guest lists hold the names longest once escaped 5 shows a page, each a 200 well within Lambda's 6 MB answer, with every guest on one of the pages", async () => {
    const tours = new InMemoryTours();
    // Every text the routes take at its longest, of the character that grows most on the page:
    // `"` is `&quot;`, 6 bytes (docs/design.md#signed-pages).
    const longest = (length: number) => '"'.repeat(length);
    const shows = Array.from({ length: 13 }, (_, i) =>
      aShow({
        showId: `${longest(125)}-${String(i + 1).padStart(2, '0')}`,
        venue: { ...aShow().venue, name: longest(200), address: longest(500), city: longest(200) },
      }),
    );
    const added: string[] = [];
    for (const each of shows) {
      await storeTourWithShow(tours, each);
      // 500 guests a show (maxGuestsPerShow), each name at the page's 200 characters (all `"` but its
      // three-digit number: a list names a guest once), with 10 plus-ones.
      for (let batch = 0; batch < 10; batch++)
        added.push(
          await tours.addGuests(
            { ...ref, showId: each.showId },
            Array.from({ length: 50 }, (_, i) => ({
              name: `${longest(197)}${String(batch * 50 + i).padStart(3, '0')}`,
              plusOnes: 10,
              addedAt: '2027-05-01T10:00:00Z',
            })),
          ),
        );
    }
    await tours.saveTour({
      ...(await tours.getTour('lbl-1', 'tour-1'))!,
      artist: { name: longest(200) },
      occurredAt: '2027-01-02T00:00:00.000Z',
    });
    const deps = { signingKey: async () => key, tours, now: () => new Date('2027-05-01T10:00:00Z') };

    const pages = [await openTourManagerPage(tourManagerToken(), deps)];
    for (let next = nextPageOf(pages[0]); next; next = nextPageOf(pages[pages.length - 1]))
      pages.push(await openTourManagerPage(tourManagerToken(), deps, { page: next }));

    expect(added).toEqual(Array(130).fill('added'));
    // Lambda answers at most 6 MB (6,291,456 bytes) synchronously: a larger answer is a 500. A page
    // stays within half of it.
    for (const page of pages) {
      expect(page.statusCode).toBe(200);
      expect(Buffer.byteLength(JSON.stringify(page))).toBeLessThanOrEqual(3 * 1024 * 1024);
    }
    expect(pages).toHaveLength(3);
    const sections = pages.flatMap((page) => String(page.body).match(/<section id="show-/g) ?? []);
    const guests = pages.flatMap(
      (page) => String(page.body).match(/<li>(&quot;){197}\d{3} \+10<\/li>/g) ?? [],
    );
    expect([sections.length, guests.length]).toEqual([13, 13 * 500]);
  });

  it('opens on the page holding the show a guest was added to, or refused for, and on the nearest page that exists', async () => {
    const tours = new InMemoryTours();
    // Seven shows, one a day from 14 May: five on the first page, two on the second.
    const shows = Array.from({ length: 7 }, (_, i) =>
      aShow({ showId: `show-${i + 1}`, date: `2027-05-${String(14 + i).padStart(2, '0')}` }),
    );
    for (const each of shows) await storeTourWithShow(tours, each);
    await tours.lockGuestList({ ...ref, showId: 'show-6' }, '2027-05-19T15:00:00Z', {
      date: '2027-05-19',
      scheduledFor: '2027-05-19T15:00:00.000Z',
    });
    const deps = { signingKey: async () => key, tours, now: () => new Date('2027-05-01T10:00:00Z') };
    const token = tourManagerToken();
    const guest = (showId: string, name = 'Alex') =>
      new URLSearchParams({ csrf: csrfTokenFor(key, token), showId, name }).toString();
    const showsOn = (page: HttpResult) =>
      [...String(page.body).matchAll(/<section id="show-([^"]+)">/g)].map((m) => m[1]);

    const added = await addGuestFromPage(token, guest('show-7'), deps);
    const afterAdding = await openTourManagerPage(token, deps, { added: 'show-7' });
    const refused = await addGuestFromPage(token, guest('show-6'), deps);
    const blank = await addGuestFromPage(token, guest('show-7', ' '), deps);
    const [first, second, past, notANumber] = await Promise.all(
      [undefined, '2', '99', 'two'].map((page) => openTourManagerPage(token, deps, { page })),
    );

    expect(added.headers?.location).toBe(`${token}?added=show-7`);
    expect(showsOn(afterAdding)).toEqual(['show-6', 'show-7']);
    expect(afterAdding.body).toContain('Added to the guest list for 2027-05-20.');
    expect(afterAdding.body).toContain('<a rel="prev" href="?page=1">');
    expect([refused.statusCode, showsOn(refused)]).toEqual([409, ['show-6', 'show-7']]);
    expect([blank.statusCode, showsOn(blank)]).toEqual([400, ['show-6', 'show-7']]);
    expect(showsOn(first)).toEqual(['show-1', 'show-2', 'show-3', 'show-4', 'show-5']);
    expect(first.body).toContain('Shows 1 to 5 of 7 (page 1 of 2)');
    expect(first.body).toContain('<a rel="next" href="?page=2">');
    expect(first.body).not.toContain('rel="prev"');
    expect([showsOn(second), showsOn(past), showsOn(notANumber)]).toEqual([
      ['show-6', 'show-7'],
      ['show-6', 'show-7'],
      showsOn(first),
    ]);
    expect(second.body).not.toContain('rel="next"');
  });

  it("keeps the link open until a day after the tour's last show as it is now, postponed or brought forward", async () => {
    // Mailed for a tour ending on 14 May (valid until 16 May 04:00 UTC): the show moved to 28 May.
    const postponed = await world('2027-05-20T10:00:00Z');
    await moveShowTo(postponed.tours, '2027-05-28');
    // The show moved forward to 1 May: the link ends on 3 May 04:00 UTC, not on 16 May.
    const earlier = await world('2027-05-03T10:00:00Z');
    await moveShowTo(earlier.tours, '2027-05-01');
    const token = tourManagerToken();
    const guest = new URLSearchParams({ csrf: csrfTokenFor(key, token), showId: show.showId, name: 'Alex' });

    const open = await openTourManagerPage(token, postponed.deps);
    const added = await addGuestFromPage(token, guest.toString(), postponed.deps);
    const ended = await openTourManagerPage(token, earlier.deps);

    expect(open.statusCode).toBe(200);
    expect(open.body).toContain('2027-05-28');
    expect(added.statusCode).toBe(303);
    expect((await postponed.tours.getShow(ref))?.guests?.map((g) => g.name)).toEqual(['Alex']);
    expect(ended.statusCode).toBe(410);
    expect(ended.body).toContain('This link has expired');
  });
});

describe('the advance page as the promoter reads it', () => {
  it('states until when the advance can be amended in the venue’s time, on show day, not as a UTC instant of the day before', async () => {
    // Berlin, show on 2027-05-14: the lock is 2027-05-14 00:00 Europe/Berlin (2027-05-13T22:00Z).
    const { deps, token } = await world('2027-04-20T10:00:00Z');
    await submitAdvancePage(token, filledAdvanceForm(csrfTokenFor(key, token)), deps);

    const page = await openAdvancePage(token, deps);
    const note = /<p class="note">([\s\S]*?)<\/p>/.exec(page.body ?? '')?.[1] ?? '';

    expect(note).toContain('amend it until');
    // The promoter reads the venue's show day, not the previous calendar day in UTC.
    expect(note).not.toContain('2027-05-13T22:00:00.000Z');
    expect(note).toMatch(/2027-05-14|14 May 2027|May 14/);
  });
});

describe('the advance form’s answers and its API document', () => {
  const route = (deps: Awaited<ReturnType<typeof world>>['deps']) =>
    tourPageRoutes(deps).find((r) => r.method === 'POST' && r.path === '/a/{token}')!;
  const post = async (deps: Awaited<ReturnType<typeof world>>['deps'], token: string, body: string) => {
    const event = { pathParameters: { token }, body, isBase64Encoded: false } as unknown as HttpEvent;
    return ((await route(deps).handler(event, {} as Context, () => {})) as HttpResult).statusCode;
  };

  it('answers a blank field, a missing CSRF token and a post after the lock only with statuses POST /a/{token} documents', async () => {
    const open = await world('2027-04-20T10:00:00Z');
    const locked = await world('2027-05-13T22:00:00Z');

    const statuses = [
      await post(open.deps, open.token, filledAdvanceForm(csrfTokenFor(key, open.token), { power: ' ' })),
      await post(open.deps, open.token, filledAdvanceForm('')),
      await post(locked.deps, locked.token, filledAdvanceForm(csrfTokenFor(key, locked.token))),
    ];

    expect(statuses).toEqual([400, 403, 409]);
    const documented = Object.keys(route(open.deps).doc.responses);
    expect(documented).toEqual(expect.arrayContaining(statuses.map(String)));
  });
});
