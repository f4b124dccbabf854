import { randomUUID } from 'node:crypto';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedLinks } from '#functions/announcer/adapters.ts';
import { unsubscribeHeaders } from '#shared/mail/data.ts';
import { verifyUnsubscribeToken } from '#shared/token-payloads.ts';
import { anOutlet, aStoredRelease } from '#test/support/releases.ts';

/**
 * SES v2 takes a header's value (MessageHeader.Value) of at most 870 printable ASCII characters, and
 * refuses the whole SendBulkEmail, every recipient of the page, for a longer one. The List-Unsubscribe
 * header carries the unsubscribe link, whose sealed token carries the release id, the label id and the
 * address: a release id of 128 characters outside ASCII (three bytes each in the token) beside a long
 * address passed it.
 */
const key = 'unsubscribe-header-length-signing-key';
const secretsManager = mockClient(SecretsManagerClient);
beforeAll(() => {
  secretsManager.on(GetSecretValueCommand).resolves({ SecretString: key });
});
afterAll(() => secretsManager.restore());

const longAddress = `${'features.and.reviews.desk'.repeat(2)}@${'regional-broadcasting-corporation'.repeat(2)}.example`;

describe('the unsubscribe link of a release mail', () => {
  it('fits its List-Unsubscribe header within what SES takes, and still opts out the outlet and its address', async () => {
    const outlet = anOutlet({ id: `out-${randomUUID()}`, email: longAddress });
    const release = aStoredRelease({ labelId: 'nightshift-records-japan', releaseId: '夜'.repeat(128) });

    const { unsubscribeUrl } = await signedLinks().forRecipient(outlet, release, new Date());

    const lengths = unsubscribeHeaders(unsubscribeUrl).map((header) => header.Value.length);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(870);
    for (const header of unsubscribeHeaders(unsubscribeUrl)) expect(header.Value).toMatch(/^[ -~]+$/);
    const claims = verifyUnsubscribeToken(key, unsubscribeUrl.slice(unsubscribeUrl.lastIndexOf('/') + 1));
    expect(claims).toMatchObject({ outletId: outlet.id, email: longAddress });
  });

  it('keeps the release and the label in the link while they fit', async () => {
    const outlet = anOutlet({ id: `out-${randomUUID()}`, email: 'news@radio-nova.example' });
    const release = aStoredRelease({ labelId: 'nightshift', releaseId: 'rel-2027-nightdrive' });

    const { unsubscribeUrl } = await signedLinks().forRecipient(outlet, release, new Date());

    const claims = verifyUnsubscribeToken(key, unsubscribeUrl.slice(unsubscribeUrl.lastIndexOf('/') + 1));
    expect(claims).toEqual({
      outletId: outlet.id,
      labelId: 'nightshift',
      releaseId: 'rel-2027-nightdrive',
      email: 'news@radio-nova.example',
    });
  });
});
