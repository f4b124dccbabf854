import { describe, expect, it } from 'vitest';
import { cachedLabels } from '#functions/intake/label-cache.ts';
import { receiveWebhook } from '#functions/intake/receive.ts';
import type { Label } from '#shared/db/labels.ts';
import {
  aLabel,
  aReleaseWebhook,
  aSecret,
  InMemoryLabels,
  InMemoryWebhookRecords,
  signedWebhook,
} from '#test/support/intake.ts';
import { knownReleases } from '#test/support/releases.ts';

const start = Date.parse('2027-01-05T10:00:00Z');

/**
 * docs/design.md#secrets: a re-read that fails "keeps the label read before, which still serves valid
 * signatures". A re-read takes time (DynamoDB, KMS; a throttled read is retried by the SDK): a webhook
 * signed with a cached secret that arrives while the failing re-read is under way must still be taken.
 */
describe('a failing re-read under way', () => {
  it('still takes a webhook signed with a cached secret that arrives while it is being read', async () => {
    const clock = { at: start };
    const label = aLabel();
    const stored = new InMemoryLabels(label);
    let failNext: ((error: Error) => void) | undefined;
    let slowFailing = false;
    const labels = cachedLabels(
      {
        get: (labelId) => {
          if (!slowFailing) return stored.get(labelId);
          return new Promise<Label | undefined>((_resolve, reject) => {
            failNext = reject;
          });
        },
      },
      () => clock.at,
    );
    const deps = {
      labels,
      webhooks: new InMemoryWebhookRecords(),
      releases: knownReleases(),
      now: () => new Date(clock.at),
    };
    const send = async (secret: string) => {
      const request = signedWebhook(secret, aReleaseWebhook(), { at: new Date(clock.at) });
      try {
        await receiveWebhook(
          { labelId: label.labelId, headers: request.headers, body: Buffer.from(request.body) },
          deps,
        );
        return 202;
      } catch (error) {
        return (error as { status?: number }).status ?? 500;
      }
    };

    expect(await send(label.secrets[0].value)).toBe(202);
    slowFailing = true;
    // A bad signature starts a re-read, which is slow and then fails.
    const bad = send(aSecret());
    await new Promise((resolve) => setTimeout(resolve, 0));
    // Meanwhile a webhook signed with the cached secret arrives.
    const valid = send(label.secrets[0].value);
    await new Promise((resolve) => setTimeout(resolve, 0));
    failNext?.(new Error('ThrottlingException: Rate exceeded'));

    expect(await bad).toBe(500);
    expect(await valid).toBe(202);
  });
});
