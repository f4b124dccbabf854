import { describe, expect, it } from 'vitest';
import { dynamoDeliveries, mailSubjects, type NewClaim } from '#shared/db/deliveries.ts';
import { deliveriesPage } from '#shared/db/delivery-pages.ts';
import { InvalidCursorError } from '#shared/db/keys.ts';
import { cloud, documentClient, uniqueId } from '#test/support/cloud.ts';

/** The release deliveries view's pages (shared/db/delivery-pages.ts), on DynamoDB Local. */
describe('a release’s deliveries, a page at a time', () => {
  const at = '2027-03-01T12:00:00.000Z';
  const claimsFor = (labelId: string, releaseId: string, count: number): NewClaim[] =>
    Array.from({ length: count }, (_, i) => ({
      labelId,
      subject: mailSubjects.release(releaseId),
      email: `${uniqueId(`to${i}`)}@pages.example`,
      kind: 'announcement',
      stream: 'campaign',
    }));

  it('gives every delivery once across pages of any size, and only the release’s own', async () => {
    const store = dynamoDeliveries(documentClient(), cloud().tableName);
    const labelId = uniqueId('lbl');
    const claims = claimsFor(labelId, 'rel-paged', 23);
    const claimed = await Promise.all(claims.map((claim) => store.claim(claim, at)));
    await Promise.all(claimsFor(labelId, 'rel-other', 4).map((claim) => store.claim(claim, at)));
    const read = (limit: number, cursor?: string) =>
      deliveriesPage(documentClient(), cloud().tableName, labelId, mailSubjects.release('rel-paged'), {
        limit,
        ...(cursor ? { cursor } : {}),
      });

    for (const limit of [1, 3, 7, 23, 100]) {
      const seen: string[] = [];
      let page = await read(limit);
      let pages = 1;
      for (;;) {
        expect(page.deliveries.length).toBeLessThanOrEqual(limit);
        seen.push(...page.deliveries.map((delivery) => delivery.deliveryId));
        if (!page.nextCursor) break;
        page = await read(limit, page.nextCursor);
        pages++;
      }
      expect(seen.sort()).toEqual(claimed.map((delivery) => delivery!.deliveryId).sort());
      expect(pages).toBeGreaterThanOrEqual(Math.ceil(23 / limit));
    }
  });

  it('refuses a cursor it did not make, one made for another release among them', async () => {
    const labelId = uniqueId('lbl');
    const store = dynamoDeliveries(documentClient(), cloud().tableName);
    await Promise.all(claimsFor(labelId, 'rel-a', 3).map((claim) => store.claim(claim, at)));
    const pageOf = (releaseId: string, cursor?: string) =>
      deliveriesPage(documentClient(), cloud().tableName, labelId, mailSubjects.release(releaseId), {
        limit: 1,
        ...(cursor ? { cursor } : {}),
      });
    const { nextCursor } = await pageOf('rel-a');

    await expect(pageOf('rel-b', nextCursor)).rejects.toThrow(InvalidCursorError);
    await expect(pageOf('rel-a', 'not-a-cursor')).rejects.toThrow(InvalidCursorError);
    await expect(
      pageOf('rel-a', Buffer.from(JSON.stringify({ s: 99 })).toString('base64url')),
    ).rejects.toThrow(InvalidCursorError);
  });

  it('refuses, as a cursor it did not make, one whose start key was edited to hold an empty value (not a DynamoDB ValidationException, a 500 at the route)', async () => {
    const labelId = uniqueId('lbl');
    const store = dynamoDeliveries(documentClient(), cloud().tableName);
    await Promise.all(claimsFor(labelId, 'rel-edit', 3).map((claim) => store.claim(claim, at)));
    const pageOf = (cursor?: string) =>
      deliveriesPage(documentClient(), cloud().tableName, labelId, mailSubjects.release('rel-edit'), {
        limit: 1,
        ...(cursor ? { cursor } : {}),
      });
    const { nextCursor } = await pageOf();
    const decoded = JSON.parse(Buffer.from(nextCursor!, 'base64url').toString('utf8'));
    const edited = (key: string) =>
      Buffer.from(JSON.stringify({ ...decoded, k: { ...decoded.k, [key]: '' } })).toString('base64url');

    await expect(pageOf(edited('sk'))).rejects.toThrow(InvalidCursorError);
    await expect(pageOf(edited('gsi1sk'))).rejects.toThrow(InvalidCursorError);
  });
});
