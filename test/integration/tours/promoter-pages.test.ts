import { describe, expect, it } from 'vitest';
import { promoterShowsLimit, promotersLimit } from '#functions/office/tours.ts';
import { keyOf } from '#shared/db/keys.ts';
import { dynamoTours, promoterIdOf } from '#shared/db/tours.ts';
import { cursorAfter } from '#shared/http/cursor.ts';
import type { StoredShow } from '#shared/tours.ts';
import { api, cloud, documentClient, uniqueId } from '#test/support/cloud.ts';
import { allPages } from '#test/support/pages.ts';
import { aShow } from '#test/support/tours.ts';

/**
 * The promoter directory and a promoter's shows through the local cloud's gateway, which holds an
 * answer to the 6 MB a Lambda answers synchronously: a page at a time, every row once, however many
 * promoters the labels' tours name and however many shows one promoter has.
 */

interface Page {
  nextCursor?: string;
}
interface DirectoryPage extends Page {
  promoters: { promoterId: string; name: string }[];
}
interface PromoterPage extends Page {
  promoterId: string;
  shows: { showId: string; date: string }[];
}

// Every text at its schema's limit, of a character JSON writes as six (\u0001): the longest rows there are.
const long = (length: number, i: number) => '\u0001'.repeat(length - 6) + String(i).padStart(6, '0');
const rowBytes = (rows: unknown[]) => Math.max(...rows.map((row) => Buffer.byteLength(JSON.stringify(row))));

/** Runs `work` on every item, `at` a time. */
async function inBatches<T>(items: T[], at: number, work: (item: T) => Promise<unknown>) {
  for (let start = 0; start < items.length; start += at)
    await Promise.all(items.slice(start, start + at).map(work));
}

describe('the promoter directory and a promoter’s shows, a page at a time', () => {
  it('answers the directory in pages, each of its longest promoters once', async () => {
    const tours = dynamoTours(documentClient(), cloud().tableName);
    const run = uniqueId('dir');
    const seeded = Array.from({ length: 250 }, (_, i) => {
      const email = `${run}-${i}@${'p'.repeat(200)}.example`;
      return {
        promoterId: promoterIdOf(email),
        name: long(200, i),
        email,
        phone: long(40, i),
        occurredAt: '2027-01-05T10:00:00.000Z',
      };
    });
    await inBatches(seeded, 50, (promoter) => tours.savePromoter(promoter));

    const { pages, bytes } = await allPages<DirectoryPage>('/promoters');
    const seen = pages.flatMap((page) => page.promoters.map((p) => p.promoterId));
    const ours = new Set(seeded.map((p) => p.promoterId));
    // More than one page (100 by default), every promoter of the directory once, ours among them.
    expect(pages.length).toBeGreaterThan(1);
    expect(pages[0].promoters).toHaveLength(100);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.filter((id) => ours.has(id))).toHaveLength(seeded.length);
    // The longest promoter is under 3 KB, so a page of the most stays under 5 MB.
    const longest = rowBytes(pages.flatMap((page) => page.promoters).filter((p) => ours.has(p.promoterId)));
    expect(longest).toBeLessThan(3 * 1024);
    expect(longest * promotersLimit).toBeLessThan(5 * 1024 * 1024);
    expect(Math.max(...bytes)).toBeLessThan(5 * 1024 * 1024);

    // Smaller pages: the same promoters, each once, in name order.
    const small = (await allPages<DirectoryPage>('/promoters', { limit: '70' })).pages.flatMap(
      (page) => page.promoters,
    );
    expect(small.map((p) => p.promoterId)).toEqual(seen);
  });

  it("answers a promoter's shows, which whole would pass 6 MB, in pages each under it, every show once", async () => {
    const tours = dynamoTours(documentClient(), cloud().tableName);
    const email = `${uniqueId('busy')}@promoter.example`;
    const promoterId = promoterIdOf(email);
    const labelId = uniqueId('lbl');
    const tourId = long(128, 0);
    const count = Math.ceil(promoterShowsLimit * 1.5);
    const shows: StoredShow[] = Array.from({ length: count }, (_, i) => {
      const showId = long(128, i);
      const show = aShow({
        showId,
        date: `2027-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`,
        venue: {
          name: long(200, i),
          address: long(500, i),
          city: long(200, i),
          country: 'DE',
          timeZone: 'Europe/Berlin',
          capacity: 3500,
        },
        promoter: { name: long(200, i), email, phone: long(40, i) },
        status: 'cancelled',
        deal: { type: 'versus', guarantee: 250_000, percentage: 85, currency: 'EUR' },
      });
      return {
        labelId,
        tourId,
        showId,
        show,
        promoterId,
        cancellationReason: long(1000, i),
        occurredAt: '2027-01-05T10:00:00.000Z',
        lastEventId: `evt-${i}`,
        lastCorrelationId: `corr-${i}`,
        createdAt: '2027-01-05T10:00:01.000Z',
        updatedAt: '2027-01-05T10:00:01.000Z',
      };
    });
    await tours.savePromoter({
      promoterId,
      name: 'Nachtkonzerte',
      email,
      occurredAt: '2027-01-05T10:00:00.000Z',
    });
    await inBatches(shows, 50, (show) => tours.putShowIfNewer(show, []));
    const path = `/promoters/${promoterId}`;

    const { pages, bytes } = await allPages<PromoterPage>(path);
    const listed = pages.flatMap((page) => page.shows);
    // Whole, the shows would take past the 6 MB (6,291,456 bytes) a Lambda may answer.
    const longest = rowBytes(listed);
    expect(longest * count).toBeGreaterThan(6_291_456);
    expect(bytes.reduce((sum, b) => sum + b, 0)).toBeGreaterThan(6_291_456);
    expect(longest).toBeLessThan(16 * 1024);
    expect(longest * promoterShowsLimit).toBeLessThan(5 * 1024 * 1024);
    expect(Math.max(...bytes)).toBeLessThan(5 * 1024 * 1024);
    expect(pages[0].shows).toHaveLength(100);
    expect(pages.every((page) => page.promoterId === promoterId)).toBe(true);
    expect(new Set(listed.map((s) => s.showId)).size).toBe(count);
    expect(listed).toHaveLength(count);
    // By date: no page goes back in time.
    const dates = listed.map((s) => s.date);
    expect(dates).toEqual([...dates].sort());

    const most = await allPages<PromoterPage>(path, { limit: String(promoterShowsLimit) });
    expect(most.pages.map((page) => page.shows.length)).toEqual([
      promoterShowsLimit,
      count - promoterShowsLimit,
    ]);
    expect(Math.max(...most.bytes)).toBeLessThan(5 * 1024 * 1024);
  });

  it.each([
    ['a cursor this API did not return', () => 'bm90LWEtY3Vyc29y'],
    ["a cursor of the directory's", () => cursorAfter('promoters', ['nachtkonzerte', 'prm-1'])],
    [
      "a cursor of another promoter's shows",
      () => cursorAfter(keyOf('PROMOTER-SHOWS', 'prm-other'), ['2027-05-14', 'lbl', 't', 's']),
    ],
    [
      'a cursor naming a key DynamoDB refuses (past 1,024 bytes)',
      (own: string) => cursorAfter(own, ['2027-05-14', 'lbl', 'x'.repeat(1100), 's']),
    ],
    [
      'a cursor naming a key DynamoDB refuses (a lone surrogate)',
      (own: string) => cursorAfter(own, ['2027-05-14', 'lbl', 't\ud800', 's']),
    ],
  ])("answers a promoter's shows with %s with a 400 naming the cursor", async (_, cursorOf) => {
    const tours = dynamoTours(documentClient(), cloud().tableName);
    const email = `${uniqueId('one')}@promoter.example`;
    const promoterId = promoterIdOf(email);
    await tours.savePromoter({
      promoterId,
      name: 'Nachtkonzerte',
      email,
      occurredAt: '2027-01-05T10:00:00.000Z',
    });

    const cursor = cursorOf(keyOf('PROMOTER-SHOWS', promoterId));
    const response = await api(`/promoters/${promoterId}?cursor=${encodeURIComponent(cursor)}`);

    expect(response.status).toBe(400);
    expect(((await response.json()) as { issues: unknown[] }).issues).toEqual([
      { path: 'query.cursor', message: 'is not one this API returned' },
    ]);
  });

  it.each([
    [
      'a cursor of a promoter’s shows',
      `cursor=${cursorAfter(keyOf('PROMOTER-SHOWS', 'prm-1'), ['2027-05-14', 'l', 't', 's'])}`,
      'query.cursor',
      'is not one this API returned',
    ],
    [
      'a cursor naming a key DynamoDB refuses',
      `cursor=${cursorAfter('promoters', ['x'.repeat(1100), 'prm-1'])}`,
      'query.cursor',
      'is not one this API returned',
    ],
    [
      'a page past the most',
      `limit=${promotersLimit + 1}`,
      'query.limit',
      `must be from 1 to ${promotersLimit}`,
    ],
    ['a page of no rows', 'limit=0', 'query.limit', `must be from 1 to ${promotersLimit}`],
  ])('answers the directory with %s with a 400 naming it', async (_, query, path, message) => {
    const response = await api(`/promoters?${query}`);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { issues: unknown[] }).issues).toEqual([{ path, message }]);
  });
});
