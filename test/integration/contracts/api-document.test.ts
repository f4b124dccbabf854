import { Webhook } from 'standardwebhooks';
import { beforeAll, describe, expect, it } from 'vitest';
import { promoterIdOf } from '#shared/db/tours.ts';
import {
  csrfTokenFor,
  signAdvanceToken,
  signPromoToken,
  signTourManagerToken,
  signUnsubscribeToken,
} from '#shared/tokens.ts';
import { aLabel, aRelease, sendWebhook } from '#test/support/announcing.ts';
import { callDocumented, documentedOperations, reachedOperations } from '#test/support/api-document.ts';
import { aBudgetBody, anExpenseBody, eur, sendLabelEvent } from '#test/support/budgets-cloud.ts';
import { armFault, busIdle, clearFaults, clockNow, uniqueId, waitFor } from '#test/support/cloud.ts';
import { waitForJob } from '#test/support/jobs-cloud.ts';
import { createOutlet, localTokenKey, uniqueEmail } from '#test/support/outlets-cloud.ts';
import { filledAdvanceForm } from '#test/support/tours.ts';
import { aPromoter, aTourShow, aVenue, plusDays, tourWebhook } from '#test/support/tours-cloud.ts';

/*
 * Every route of docs/openapi.json, called on the local cloud for its success and the 4xx answers a
 * client reaches without waiting, each answer held to the document (test/support/api-document.ts): a
 * client generated from the document must read what the API answers.
 */

const noKey = { headers: { authorization: 'Bearer not-the-key' } };
const missing = () => uniqueId('missing');
/**
 * A read route's four answers: found, `unknown` (a path parameter) naming nothing, `query` refused (a
 * stray parameter, or one of the wrong form), and a wrong key.
 */
const answersRead = async (
  route: string,
  params: Record<string, string>,
  unknown: string,
  query: Record<string, string> = { x: '1' },
) => {
  await callDocumented('GET', route, { params });
  await callDocumented('GET', route, { params: { ...params, [unknown]: missing() } });
  await callDocumented('GET', route, { params, query });
  await callDocumented('GET', route, { params, ...noKey });
};
/** Longer than any link Backline sends (2,048 characters). */
const tooLong = 't'.repeat(5000);

let label: { id: string; secret: string };
let tokenKey: string;
let today: string;
const tour = { id: uniqueId('tour'), showId: '', promoterEmail: '' };
/** A tour whose one show is cancelled: no show is on, so its tour manager's link lives as long as it says. */
const cancelledTour = { id: uniqueId('tour'), showId: '' };
const release = aRelease();
/** A release whose promo opens in ten days: its links answer "available from" (403) until then. */
let notYetRelease: ReturnType<typeof aRelease>;
const budget = aBudgetBody();

/** A promo link's token for `outletId` to the first asset (a stream) of `releaseId`, valid until `expiresAt`. */
const promoLink = (outletId: string, releaseId: string, expiresAt: number) =>
  signPromoToken(tokenKey, {
    labelId: label.id,
    releaseId,
    outletId,
    assetIndex: 0,
    assetKind: 'stream',
    url: 'http://127.0.0.1:9/stream',
    expiresAt,
  });

beforeAll(async () => {
  label = await aLabel();
  tokenKey = await localTokenKey();
  const now = await clockNow();
  today = now.toISOString().slice(0, 10);
  const promoter = aPromoter('Contracts');
  const show = aTourShow({
    date: plusDays(today, 20),
    venue: aVenue('Leeds', 'GB', 'Europe/London'),
    promoter,
  });
  tour.showId = show.showId;
  tour.promoterEmail = promoter.email;
  await tourWebhook(label, 'tour.booked', {
    tourId: tour.id,
    artist: { name: 'The Contracts' },
    tourManager: { name: 'Tam', email: `${uniqueId('tm')}@tm.example` },
    shows: [show],
  });
  const cancelledShow = aTourShow({
    date: plusDays(today, 30),
    venue: aVenue('York', 'GB', 'Europe/London'),
    promoter: aPromoter('Cancelled'),
    status: 'cancelled',
  });
  cancelledTour.showId = cancelledShow.showId;
  await tourWebhook(label, 'tour.booked', {
    tourId: cancelledTour.id,
    artist: { name: 'The Cancelled Contracts' },
    tourManager: { name: 'Cam', email: `${uniqueId('tm')}@tm.example` },
    shows: [cancelledShow],
  });
  await sendLabelEvent(label, 'release.scheduled', release);
  notYetRelease = aRelease({ promoAvailableAt: new Date(now.getTime() + 10 * 86_400_000).toISOString() });
  await sendLabelEvent(label, 'release.scheduled', notYetRelease);
  await sendLabelEvent(label, 'budget.set', budget);
  // Two expenses carrying one invoice (possible duplicates) and one in a currency no rate converts.
  const expense = (overrides: Record<string, unknown>) =>
    sendLabelEvent(
      label,
      'expense.recorded',
      anExpenseBody(budget.budgetId, uniqueId('exp'), today, {
        lineId: budget.lines[0].lineId,
        invoiceNumber: 'INV-1',
        amount: eur(10_000),
        recoupable: { artist: { artistId: 'art-contract', name: 'The Contracts' }, sharePercent: 50 },
        ...overrides,
      }),
    );
  await expense({});
  await expense({ amount: { minor: 2_000, currency: 'EUR' } });
  await expense({ invoiceNumber: 'INV-2', amount: { minor: 1_000, currency: 'CHF' } });
  await busIdle();
}, 120_000);

describe('the API document against what the API answers', () => {
  it('answers the service routes as documented', async () => {
    await callDocumented('GET', '/health');
    await callDocumented('GET', '/openapi.json');
  });

  it('answers the label routes as documented', async () => {
    const id = uniqueId('lbl');

    await callDocumented('POST', '/labels', { json: { name: 'Contract Records', id } });
    await callDocumented('POST', '/labels', { json: { name: 'Contract Records', id } });
    await callDocumented('POST', '/labels', { json: { name: '' } });
    await callDocumented('POST', '/labels', { body: 'name=x', headers: { 'content-type': 'text/plain' } });
    const latin1 = await callDocumented('POST', '/labels', {
      json: { name: 'Contract Records', id: uniqueId('lbl') },
      headers: { 'content-type': 'application/json; charset=iso-8859-1' },
    });
    expect(latin1.status).toBe(415);
    await callDocumented('POST', '/labels', { json: { name: 'x' }, ...noKey });
    await callDocumented('GET', '/labels/{labelId}', { params: { labelId: id } });
    await callDocumented('GET', '/labels/{labelId}', { params: { labelId: id }, query: { x: '1' } });
    await callDocumented('GET', '/labels/{labelId}', { params: { labelId: missing() } });
    await callDocumented('GET', '/labels/{labelId}', { params: { labelId: id }, ...noKey });
    for (let n = 0; n < 3; n++)
      await callDocumented('POST', '/labels/{labelId}/secrets/rotate', { params: { labelId: id } });
    await callDocumented('POST', '/labels/{labelId}/secrets/rotate', { params: { labelId: missing() } });
    await callDocumented('POST', '/labels/{labelId}/secrets/rotate', { params: { labelId: id }, ...noKey });
    await callDocumented('POST', '/labels/{labelId}/secrets/revoke', { params: { labelId: id } });
    await callDocumented('POST', '/labels/{labelId}/secrets/revoke', { params: { labelId: missing() } });
    await callDocumented('POST', '/labels/{labelId}/secrets/revoke', {
      params: { labelId: id },
      query: { x: '1' },
    });
    await callDocumented('POST', '/labels/{labelId}/secrets/revoke', { params: { labelId: id }, ...noKey });
    await callDocumented('POST', '/labels/{labelId}/secrets/rotate', {
      params: { labelId: id },
      query: { x: '1' },
    });
    await callDocumented('GET', '/labels/{labelId}', { params: { labelId: id } });
  });

  it('answers the replay and job routes as documented', async () => {
    const now = await clockNow();
    const range = { from: new Date(now.getTime() - 3_600_000).toISOString(), to: now.toISOString() };
    const params = { labelId: label.id };

    const started = await callDocumented('POST', '/labels/{labelId}/replays', { params, json: range });
    await callDocumented('POST', '/labels/{labelId}/replays', { params, json: { from: 'yesterday' } });
    await callDocumented('POST', '/labels/{labelId}/replays', {
      params,
      body: 'x',
      headers: { 'content-type': 'text/plain' },
    });
    await callDocumented('POST', '/labels/{labelId}/replays', {
      params: { labelId: missing() },
      json: range,
    });
    await callDocumented('POST', '/labels/{labelId}/replays', { params, json: range, ...noKey });
    const jobId = (started.json as { jobId: string }).jobId;
    await waitForJob(jobId);
    await callDocumented('GET', '/jobs/{jobId}', { params: { jobId } });
    await callDocumented('GET', '/jobs/{jobId}', { params: { jobId: missing() } });
    await callDocumented('GET', '/jobs/{jobId}', { params: { jobId }, query: { x: '1' } });
    await callDocumented('GET', '/jobs/{jobId}', { params: { jobId }, ...noKey });
  });

  it('answers the exchange rate routes as documented', async () => {
    const date = plusDays(today, -400);
    const params = { date };

    await callDocumented('GET', '/fx-rates/{date}', { params });
    await callDocumented('PUT', '/fx-rates/{date}', { params, json: { rates: { 'EUR/USD': '1.08' } } });
    await callDocumented('GET', '/fx-rates/{date}', { params });
    await callDocumented('PUT', '/fx-rates/{date}', { params, json: { rates: { USD: 'many' } } });
    await callDocumented('PUT', '/fx-rates/{date}', {
      params,
      body: 'x',
      headers: { 'content-type': 'text/plain' },
    });
    await callDocumented('PUT', '/fx-rates/{date}', { params, json: { rates: {} }, ...noKey });
    await callDocumented('GET', '/fx-rates/{date}', { params: { date: 'not-a-date' } });
    await callDocumented('GET', '/fx-rates/{date}', { params, ...noKey });
  });

  it('answers the outlet routes as documented', async () => {
    const outlet = {
      name: 'Contract FM',
      email: uniqueEmail('contract'),
      kind: 'radio',
      territories: ['GB'],
    };

    const created = await callDocumented('POST', '/media-outlets', { json: outlet });
    const outletId = (created.json as { id: string }).id;
    const params = { outletId };
    await callDocumented('POST', '/media-outlets', { json: outlet });
    await callDocumented('POST', '/media-outlets', { json: { ...outlet, kind: 'carrier pigeon' } });
    await callDocumented('POST', '/media-outlets', { body: 'x', headers: { 'content-type': 'text/plain' } });
    await callDocumented('POST', '/media-outlets', { json: outlet, ...noKey });
    await callDocumented('GET', '/media-outlets', { query: { territory: 'GB', limit: '2' } });
    await callDocumented('GET', '/media-outlets', { query: { limit: 'many' } });
    await callDocumented('GET', '/media-outlets', noKey);
    await answersRead('/media-outlets/{outletId}', params, 'outletId');
    await callDocumented('PUT', '/media-outlets/{outletId}', {
      params,
      json: { ...outlet, genres: ['jazz'] },
    });
    const other = await createOutlet();
    await callDocumented('PUT', '/media-outlets/{outletId}', {
      params,
      json: { ...outlet, email: other.email },
    });
    await callDocumented('PUT', '/media-outlets/{outletId}', {
      params: { outletId: missing() },
      json: outlet,
    });
    await callDocumented('PUT', '/media-outlets/{outletId}', { params, json: { name: '' } });
    await callDocumented('PUT', '/media-outlets/{outletId}', {
      params,
      body: 'x',
      headers: { 'content-type': 'text/plain' },
    });
    await callDocumented('PUT', '/media-outlets/{outletId}', { params, json: outlet, ...noKey });
    await callDocumented('DELETE', '/media-outlets/{outletId}', { params });
    await callDocumented('DELETE', '/media-outlets/{outletId}', { params });
    await callDocumented('DELETE', '/media-outlets/{outletId}', { params: { outletId: 'x'.repeat(300) } });
    await callDocumented('DELETE', '/media-outlets/{outletId}', { params, ...noKey });
  });

  it('answers the outlet import route as documented', async () => {
    const csv = `name,email,kind,territories\nContract Weekly,${uniqueEmail('import')},press,GB\n`;
    const csvHeaders = { 'content-type': 'text/csv' };

    const started = await callDocumented('POST', '/media-outlets/import', { body: csv, headers: csvHeaders });
    await callDocumented('POST', '/media-outlets/import', {
      body: 'x'.repeat(3_000_001),
      headers: csvHeaders,
    });
    await callDocumented('POST', '/media-outlets/import', {
      body: csv,
      headers: { 'content-type': 'application/pdf' },
    });
    await callDocumented('POST', '/media-outlets/import', { body: '', headers: csvHeaders });
    await callDocumented('POST', '/media-outlets/import', {
      body: csv,
      headers: { ...csvHeaders, ...noKey.headers },
    });
    await waitForJob((started.json as { jobId: string }).jobId);
  });

  it('answers the release routes as documented', async () => {
    const params = { labelId: label.id, releaseId: release.releaseId };

    await answersRead('/labels/{labelId}/releases/{releaseId}', params, 'releaseId');
    await answersRead('/labels/{labelId}/releases/{releaseId}/deliveries', params, 'releaseId', {
      limit: '0',
    });
  });

  it('answers the budget routes as documented', async () => {
    const params = { labelId: label.id, budgetId: budget.budgetId };
    const views = ['', '/drift-history', '/ledger', '/possible-duplicates', '/refused', '/unconverted'];
    await waitFor(
      async () =>
        (await callDocumented('GET', '/labels/{labelId}/budgets/{budgetId}', { params })).status === 200,
      { timeoutMs: 20_000, what: 'the budget' },
    );

    await callDocumented('GET', '/labels/{labelId}/budgets', { params });
    await callDocumented('GET', '/labels/{labelId}/budgets', { params, query: { scope: 'planet' } });
    await callDocumented('GET', '/labels/{labelId}/budgets', { params: { labelId: missing() } });
    await callDocumented('GET', '/labels/{labelId}/budgets', { params, ...noKey });
    for (const view of views) {
      await answersRead(`/labels/{labelId}/budgets/{budgetId}${view}`, params, 'budgetId', { limit: 'many' });
    }
    await callDocumented('GET', '/labels/{labelId}/budgets/{budgetId}/ledger', {
      params,
      headers: { accept: 'text/csv' },
    });
    const artist = { labelId: label.id, artistId: 'art-contract' };
    await answersRead('/labels/{labelId}/artists/{artistId}/recoupable', artist, 'labelId');
  });

  it('answers the tour and promoter routes as documented', async () => {
    const params = { labelId: label.id, tourId: tour.id, showId: tour.showId };
    const guests = { guests: [{ name: 'Ada Contract', plusOnes: 1 }] };

    await answersRead('/labels/{labelId}/tours/{tourId}', params, 'tourId');
    await answersRead('/labels/{labelId}/tours/{tourId}/itinerary.ics', params, 'tourId');
    const show = '/labels/{labelId}/tours/{tourId}/shows/{showId}';
    await answersRead(show, params, 'showId');
    await callDocumented('POST', `${show}/guests`, { params, json: guests });
    const again = await callDocumented('POST', `${show}/guests`, { params, json: guests });
    expect(again.status).toBe(409);
    await callDocumented('POST', `${show}/guests`, { params, json: { guests: [] } });
    await callDocumented('POST', `${show}/guests`, {
      params,
      body: 'x',
      headers: { 'content-type': 'text/plain' },
    });
    await callDocumented('POST', `${show}/guests`, {
      params: { ...params, showId: missing() },
      json: guests,
    });
    await callDocumented('POST', `${show}/guests`, { params, json: guests, ...noKey });
    const listed = await callDocumented('GET', '/promoters', { query: { limit: '1' } });
    await callDocumented('GET', '/promoters', { query: { limit: 'many' } });
    await callDocumented('GET', '/promoters', noKey);
    const promoterId =
      (listed.json as { promoters: { promoterId: string }[] }).promoters[0]?.promoterId ?? missing();
    await answersRead('/promoters/{promoterId}', { promoterId }, 'promoterId', { limit: 'many' });
  });

  it('answers the webhook route as documented', async () => {
    const params = { labelId: label.id };
    const body = JSON.stringify({
      type: 'release.scheduled',
      timestamp: (await clockNow()).toISOString(),
      data: aRelease(),
    });
    const signedHeaders = async (payload: string, webhookId = `msg_${uniqueId('c')}`) => {
      const at = await clockNow();
      return {
        'content-type': 'application/json',
        'webhook-id': webhookId,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': new Webhook(label.secret).sign(webhookId, at, payload),
      };
    };

    const first = await signedHeaders(body);
    await callDocumented('POST', '/webhooks/{labelId}', { params, body, headers: first });
    await callDocumented('POST', '/webhooks/{labelId}', { params, body, headers: first });
    const reused = await signedHeaders(
      body.replace('release.scheduled', 'release.updated'),
      first['webhook-id'],
    );
    await callDocumented('POST', '/webhooks/{labelId}', {
      params,
      body: body.replace('release.scheduled', 'release.updated'),
      headers: reused,
    });
    const invalid = '{"type":"release.scheduled"}';
    await callDocumented('POST', '/webhooks/{labelId}', {
      params,
      body: invalid,
      headers: await signedHeaders(invalid),
    });
    await callDocumented('POST', '/webhooks/{labelId}', {
      params,
      body,
      headers: { ...first, 'webhook-signature': 'v1,AAAA' },
    });
    await callDocumented('POST', '/webhooks/{labelId}', {
      params: { labelId: missing() },
      body,
      headers: first,
    });
    const big = 'x'.repeat(300_000);
    await callDocumented('POST', '/webhooks/{labelId}', {
      params,
      body: big,
      headers: await signedHeaders(big),
    });
    await callDocumented('POST', '/webhooks/{labelId}', {
      params,
      body,
      headers: { ...(await signedHeaders(body)), 'content-type': 'text/plain' },
    });
    await sendWebhook(label, { type: 'noop', timestamp: new Date().toISOString(), data: {} });
  });

  it('answers the recipients’ link routes as documented', async () => {
    const expiresAt = Math.floor((await clockNow()).getTime() / 1000) + 86_400;
    const outlet = await createOutlet();
    const promo = promoLink(outlet.id, release.releaseId, expiresAt);
    const expired = promoLink(outlet.id, release.releaseId, expiresAt - 2 * 86_400);
    const notYet = promoLink(outlet.id, notYetRelease.releaseId, expiresAt);
    const unsubscribe = signUnsubscribeToken(tokenKey, { outletId: outlet.id, email: outlet.email });
    const form = { 'content-type': 'application/x-www-form-urlencoded' };

    for (const method of ['GET', 'HEAD']) {
      await callDocumented(method, '/p/{token}', { params: { token: promo } });
      await callDocumented(method, '/p/{token}', { params: { token: expired } });
      expect((await callDocumented(method, '/p/{token}', { params: { token: notYet } })).status).toBe(403);
      await callDocumented(method, '/p/{token}', { params: { token: 'forged' } });
      await callDocumented(method, '/p/{token}', { params: { token: tooLong } });
      await callDocumented(method, '/u/{token}', { params: { token: unsubscribe } });
      await callDocumented(method, '/u/{token}', { params: { token: 'forged' } });
      await callDocumented(method, '/u/{token}', { params: { token: tooLong } });
    }
    await callDocumented('POST', '/p/{token}', {
      params: { token: promo },
      body: 'csrf=wrong',
      headers: form,
    });
    await callDocumented('POST', '/p/{token}', { params: { token: expired }, body: '', headers: form });
    const notYetPost = await callDocumented('POST', '/p/{token}', {
      params: { token: notYet },
      body: `csrf=${csrfTokenFor(tokenKey, notYet)}`,
      headers: form,
    });
    expect(notYetPost.status).toBe(403);
    await callDocumented('POST', '/p/{token}', { params: { token: 'forged' }, body: '', headers: form });
    await callDocumented('POST', '/u/{token}', {
      params: { token: unsubscribe },
      body: 'List-Unsubscribe=One-Click',
      headers: form,
    });
    await callDocumented('POST', '/u/{token}', {
      params: { token: 'forged' },
      body: 'List-Unsubscribe=One-Click',
      headers: form,
    });
    for (const route of ['/p/{token}', '/u/{token}'])
      await callDocumented('POST', route, { params: { token: tooLong }, body: '', headers: form });
  });

  it('answers the promoter’s and tour manager’s link routes as documented', async () => {
    const expiresAt = Math.floor((await clockNow()).getTime() / 1000) + 86_400;
    const promoterId = promoterIdOf(tour.promoterEmail);
    const advance = signAdvanceToken(tokenKey, {
      labelId: label.id,
      tourId: tour.id,
      showId: tour.showId,
      promoterId,
      expiresAt,
    });
    const expiredAdvance = signAdvanceToken(tokenKey, {
      labelId: label.id,
      tourId: tour.id,
      showId: tour.showId,
      promoterId,
      expiresAt: expiresAt - 2 * 86_400,
    });
    // Mailed to a promoter the show was since given away from: it worked, and never will again.
    const replacedAdvance = signAdvanceToken(tokenKey, {
      labelId: label.id,
      tourId: tour.id,
      showId: tour.showId,
      promoterId: promoterIdOf('earlier@promoter.example'),
      expiresAt,
    });
    const manager = signTourManagerToken(tokenKey, { labelId: label.id, tourId: tour.id, expiresAt });
    // No show of its tour is on, so the link's own expiry, passed, holds.
    const expiredCancelledManager = signTourManagerToken(tokenKey, {
      labelId: label.id,
      tourId: cancelledTour.id,
      expiresAt: expiresAt - 2 * 86_400,
    });
    const expiredManager = signTourManagerToken(tokenKey, {
      labelId: label.id,
      tourId: tour.id,
      expiresAt: expiresAt - 2 * 86_400,
    });
    const form = { 'content-type': 'application/x-www-form-urlencoded' };

    for (const method of ['GET', 'HEAD']) {
      await callDocumented(method, '/a/{token}', { params: { token: advance } });
      await callDocumented(method, '/a/{token}', { params: { token: expiredAdvance } });
      await callDocumented(method, '/a/{token}', { params: { token: 'forged' } });
      await callDocumented(method, '/tm/{token}', { params: { token: manager } });
      await callDocumented(method, '/tm/{token}', { params: { token: expiredManager } });
      await callDocumented(method, '/tm/{token}', { params: { token: 'forged' } });
      const gone = [
        await callDocumented(method, '/a/{token}', { params: { token: replacedAdvance } }),
        await callDocumented(method, '/tm/{token}', { params: { token: expiredCancelledManager } }),
      ];
      expect(gone.map((answer) => answer.status)).toEqual([410, 410]);
      await callDocumented(method, '/a/{token}', { params: { token: tooLong } });
      await callDocumented(method, '/tm/{token}', { params: { token: tooLong } });
    }
    await callDocumented('POST', '/a/{token}', {
      params: { token: advance },
      body: 'csrf=wrong',
      headers: form,
    });
    await callDocumented('POST', '/a/{token}', {
      params: { token: expiredAdvance },
      body: '',
      headers: form,
    });
    await callDocumented('POST', '/a/{token}', { params: { token: 'forged' }, body: '', headers: form });
    await callDocumented('POST', '/tm/{token}', {
      params: { token: manager },
      body: 'csrf=wrong',
      headers: form,
    });
    await callDocumented('POST', '/tm/{token}', {
      params: { token: expiredManager },
      body: '',
      headers: form,
    });
    await callDocumented('POST', '/tm/{token}', { params: { token: 'forged' }, body: '', headers: form });
    const gonePosts = [
      await callDocumented('POST', '/a/{token}', {
        params: { token: replacedAdvance },
        body: filledAdvanceForm(csrfTokenFor(tokenKey, replacedAdvance)),
        headers: form,
      }),
      await callDocumented('POST', '/tm/{token}', {
        params: { token: expiredCancelledManager },
        body: `csrf=${csrfTokenFor(tokenKey, expiredCancelledManager)}`,
        headers: form,
      }),
    ];
    expect(gonePosts.map((answer) => answer.status)).toEqual([410, 410]);
    for (const route of ['/a/{token}', '/tm/{token}'])
      await callDocumented('POST', route, { params: { token: tooLong }, body: '', headers: form });

    // The forms as their pages serve them, posted as a browser posts them.
    const field = (page: string, name: string) =>
      new RegExp(`name="${name}" value="([^"]*)"`).exec(page)?.[1] ?? '';
    const advancePage = (await callDocumented('GET', '/a/{token}', { params: { token: advance } })).text;
    const answers = filledAdvanceForm(field(advancePage, 'csrf'), {
      show: field(advancePage, 'show'),
      advanced: field(advancePage, 'advanced'),
    });
    await callDocumented('POST', '/a/{token}', { params: { token: advance }, body: answers, headers: form });
    const stale = await callDocumented('POST', '/a/{token}', {
      params: { token: advance },
      body: filledAdvanceForm(field(advancePage, 'csrf'), {
        show: field(advancePage, 'show'),
        advanced: field(advancePage, 'advanced'),
        dayContactName: 'Someone Else',
      }),
      headers: form,
    });
    expect(stale.status).toBe(409);
    await callDocumented('POST', '/a/{token}', {
      params: { token: advance },
      body: filledAdvanceForm(field(advancePage, 'csrf'), {
        show: field(advancePage, 'show'),
        guestListAllotment: 'many',
      }),
      headers: form,
    });
    const managerPage = (await callDocumented('GET', '/tm/{token}', { params: { token: manager } })).text;
    const guest = (name: string) =>
      new URLSearchParams({
        csrf: field(managerPage, 'csrf'),
        showId: tour.showId,
        name,
        plusOnes: '0',
      }).toString();
    await callDocumented('POST', '/tm/{token}', {
      params: { token: manager },
      body: guest('Grace Contract'),
      headers: form,
    });
    const twice = await callDocumented('POST', '/tm/{token}', {
      params: { token: manager },
      body: guest('Grace Contract'),
      headers: form,
    });
    expect(twice.status).toBe(409);
    await callDocumented('POST', '/tm/{token}', {
      params: { token: manager },
      body: guest(''),
      headers: form,
    });
  });

  it('answers a write that keeps meeting concurrent writes as documented', async () => {
    const now = await clockNow();
    const expiresAt = Math.floor(now.getTime() / 1000) + 86_400;
    const outlet = await createOutlet();
    const outletBody = { name: 'Busy FM', email: uniqueEmail('busy'), kind: 'radio', territories: ['GB'] };
    const promo = promoLink(outlet.id, release.releaseId, expiresAt);
    const unsubscribe = signUnsubscribeToken(tokenKey, { outletId: outlet.id, email: outlet.email });
    const advance = signAdvanceToken(tokenKey, {
      labelId: label.id,
      tourId: tour.id,
      showId: tour.showId,
      promoterId: promoterIdOf(tour.promoterEmail),
      expiresAt,
    });
    const field = (page: string, name: string) =>
      new RegExp(`name="${name}" value="([^"]*)"`).exec(page)?.[1] ?? '';
    const advancePage = (await callDocumented('GET', '/a/{token}', { params: { token: advance } })).text;
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    // Every write documented with a 503 that goes through a transaction. The guest list's (the API's and
    // the tour manager's page) is an update refused only while a transaction holds the show, which no
    // fault of the local cloud arms: its 503 is not reached here.
    const writes: [string, string, Parameters<typeof callDocumented>[2]][] = [
      ['POST', '/media-outlets', { json: outletBody }],
      [
        'PUT',
        '/media-outlets/{outletId}',
        { params: { outletId: outlet.id }, json: { ...outletBody, email: uniqueEmail('busy-moved') } },
      ],
      ['DELETE', '/media-outlets/{outletId}', { params: { outletId: outlet.id } }],
      [
        'POST',
        '/media-outlets/import',
        {
          body: `name,email,kind,territories\nBusy Weekly,${uniqueEmail('busy')},press,GB\n`,
          headers: { 'content-type': 'text/csv' },
        },
      ],
      [
        'POST',
        '/labels/{labelId}/replays',
        {
          params: { labelId: label.id },
          json: { from: new Date(now.getTime() - 60_000).toISOString(), to: now.toISOString() },
        },
      ],
      [
        'POST',
        '/p/{token}',
        { params: { token: promo }, body: `csrf=${csrfTokenFor(tokenKey, promo)}`, headers: form },
      ],
      [
        'POST',
        '/u/{token}',
        { params: { token: unsubscribe }, body: 'List-Unsubscribe=One-Click', headers: form },
      ],
      [
        'POST',
        '/a/{token}',
        {
          params: { token: advance },
          body: filledAdvanceForm(csrfTokenFor(tokenKey, advance), {
            show: field(advancePage, 'show'),
            advanced: field(advancePage, 'advanced'),
            dayContactName: 'Busy Contact',
          }),
          headers: form,
        },
      ],
    ];

    // The fault fails every transaction on the cloud, whoever writes it: the outlet made above asks its
    // first mails of the releases still to come that it matches, and that mailing, taking the fault in
    // each of its attempts, would be dead-lettered. It finishes first.
    await busIdle();
    await armFault('dynamodb.transaction-conflict:TransactWriteItems', 'inf');
    const statuses: string[] = [];
    try {
      for (const [method, route, request] of writes)
        statuses.push(`${method} ${route} ${(await callDocumented(method, route, request)).status}`);
    } finally {
      await clearFaults();
    }

    expect(statuses).toEqual(writes.map(([method, route]) => `${method} ${route} 503`));
  });

  it('reaches every route the document lists', () => {
    const notReached = documentedOperations().filter((operation) => !reachedOperations().has(operation));

    expect(notReached).toEqual([]);
  });
});
