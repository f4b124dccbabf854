import { describe, expect, it } from 'vitest';
import { deliveriesPage } from '#shared/db/delivery-pages.ts';
import { InvalidCursorError } from '#shared/db/keys.ts';
import { dynamoReleases } from '#shared/db/releases.ts';
import { deliveryKey, mailSubjects, subjectDeliveriesKey } from '#shared/db/subject-deliveries.ts';
import { api, cloud, documentClient, uniqueId } from '#test/support/cloud.ts';
import { createOutlet, uniqueEmail } from '#test/support/outlets-cloud.ts';
import { aStoredRelease } from '#test/support/releases.ts';

/**
 * Bad input gets a 4xx naming the field and the reason and changes nothing (docs/design.md#routes-and-auth),
 * here where only DynamoDB shows what would follow otherwise: a string it cannot store, a key longer than
 * it takes.
 */
const issuesOf = async (response: Response) =>
  ((await response.json()) as { issues?: { path: string; message: string }[] }).issues;

const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('a JSON string holding a lone surrogate', () => {
  it('answers an outlet named "Caf\\ud800" with a 400 naming the name, and adds no outlet', async () => {
    const email = uniqueEmail('surrogate');

    const response = await api('/media-outlets', {
      method: 'POST',
      json: { name: 'Caf\ud800', email, kind: 'radio', genres: [], territories: ['GB'] },
    });

    expect({ status: response.status, issues: await issuesOf(response) }).toEqual({
      status: 400,
      issues: [{ path: 'name', message: 'is not valid Unicode (a lone surrogate)' }],
    });
    const listed = (await (await api('/media-outlets?limit=100')).json()) as { outlets: { email: string }[] };
    expect(listed.outlets.map((outlet) => outlet.email)).not.toContain(email);
  });
});

describe('a query value whose percent-encoded bytes are not UTF-8', () => {
  it('answers a directory filter of genre=%E9lectro (a windows-1252 é) with a 400 naming the genre, not the outlets of a genre read with U+FFFD', async () => {
    const response = await api('/media-outlets?genre=%E9lectro');

    expect({ status: response.status, issues: await issuesOf(response) }).toEqual({
      status: 400,
      issues: [{ path: 'query.genre', message: 'is not valid UTF-8' }],
    });
  });
});

describe('a cursor naming a key DynamoDB would refuse', () => {
  const refused = {
    status: 400,
    issues: [{ path: 'query.cursor', message: 'is not one this API returned' }],
  };

  it('answers a directory cursor longer than 1,000 characters, so never over a key limit, with a 400 naming the cursor', async () => {
    const cursor = cursorOf({ s: `${'a'.repeat(1100)}#out-1`, i: 'out-1' });

    const response = await api(`/media-outlets?limit=1&cursor=${cursor}`);

    expect({ status: response.status, issues: await issuesOf(response) }).toEqual({
      status: 400,
      issues: [{ path: 'query.cursor', message: 'Too big: expected string to have <=1000 characters' }],
    });
  });

  it('answers a directory cursor whose sort key holds a lone surrogate with a 400 naming the cursor', async () => {
    const cursor = cursorOf({ s: 'caf\ud800#out-1', i: 'out-1' });

    const response = await api(`/media-outlets?limit=1&cursor=${cursor}`);

    expect({ status: response.status, issues: await issuesOf(response) }).toEqual(refused);
  });

  it.each([
    ['an index sort key over 1,024 bytes', { pk: `${deliveryKey('').pk}x`, gsi1sk: 'y'.repeat(1100) }],
    ['a partition key holding a lone surrogate', { pk: `${deliveryKey('').pk}\ud800`, gsi1sk: 'y' }],
  ])("answers a release's deliveries cursor with %s with a 400 naming the cursor", async (_, key) => {
    const labelId = uniqueId('lbl');
    const releaseId = uniqueId('rel');
    await dynamoReleases(documentClient(), cloud().tableName).putIfNewer(
      aStoredRelease({ labelId, releaseId }),
      [],
    );
    const cursor = cursorOf({
      s: 0,
      k: {
        pk: key.pk,
        sk: deliveryKey('').sk,
        gsi1pk: subjectDeliveriesKey(labelId, mailSubjects.release(releaseId), 0),
        gsi1sk: key.gsi1sk,
      },
    });

    const response = await api(`/labels/${labelId}/releases/${releaseId}/deliveries?cursor=${cursor}`);

    expect({ status: response.status, issues: await issuesOf(response) }).toEqual(refused);
  });
});

describe('a well-shaped cursor pointing at keys outside the listing', () => {
  it('lists only the directory from a cursor that also names another partition, the partition being never read from a cursor', async () => {
    const tag = `zz ${uniqueId('scope')}`;
    const first = await createOutlet({ name: `${tag} a` });
    const second = await createOutlet({ name: `${tag} b` });
    const elsewhere = subjectDeliveriesKey(uniqueId('lbl'), mailSubjects.release(uniqueId('rel')), 0);
    // Just before the two in the index's order (`<lower-case name>#<id>`): a space, then `#` before `a`.
    const cursor = cursorOf({ s: `${tag.toLowerCase()} #`, i: '', gsi1pk: elsewhere, pk: elsewhere });

    const response = await api(`/media-outlets?limit=2&cursor=${cursor}`);

    expect(response.status).toBe(200);
    const { outlets } = (await response.json()) as { outlets: { id: string }[] };
    expect(outlets.map((outlet) => outlet.id)).toEqual([first.id, second.id]);
  });

  it("refuses a release's deliveries cursor made for another label's release, reading none of its deliveries", async () => {
    const labelId = uniqueId('lbl');
    const releaseId = uniqueId('rel');
    const other = subjectDeliveriesKey(uniqueId('other'), mailSubjects.release(releaseId), 0);
    const cursor = cursorOf({
      s: 0,
      k: { pk: `${deliveryKey('').pk}x`, sk: deliveryKey('').sk, gsi1pk: other, gsi1sk: 'a' },
    });

    const read = deliveriesPage(
      documentClient(),
      cloud().tableName,
      labelId,
      mailSubjects.release(releaseId),
      {
        limit: 10,
        cursor,
      },
    );

    await expect(read).rejects.toBeInstanceOf(InvalidCursorError);
  });
});
