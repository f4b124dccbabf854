import { describe, expect, it } from 'vitest';
import { cachedLabels, labelCacheMs } from '#functions/intake/label-cache.ts';
import { receiveWebhook } from '#functions/intake/receive.ts';
import { type Label, withRevokedSecrets, withRotatedSecret } from '#shared/db/labels.ts';
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
 * Intake with cached labels on a fake clock, counting the reads that reach the table. `failReads(true)`
 * makes a read fail at once; `failReads('slowly')` keeps it under way until `failReadUnderWay()`.
 */
function cachedIntake() {
  const clock = { at: start };
  const label = aLabel();
  const stored = new InMemoryLabels(label);
  let reads = 0;
  let failing: boolean | 'slowly' = false;
  let failUnderWay: (() => void) | undefined;
  const labels = cachedLabels(
    {
      get: (labelId) => {
        reads++;
        // As DynamoDB or KMS failing the read (a throttle, an outage), at once or after a while (a throttled read retried by the SDK).
        const throttled = new Error('ThrottlingException: Rate exceeded');
        if (failing === 'slowly')
          return new Promise<Label | undefined>((_resolve, reject) => {
            failUnderWay = () => reject(throttled);
          });
        if (failing) return Promise.reject(throttled);
        return stored.get(labelId);
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
  const send = async (secret: string, labelId = label.labelId) => {
    const request = signedWebhook(secret, aReleaseWebhook(), { at: new Date(clock.at) });
    try {
      await receiveWebhook({ labelId, headers: request.headers, body: Buffer.from(request.body) }, deps);
      return 202;
    } catch (error) {
      // What the route answers: an HttpError's status, else 500.
      return (error as { status?: number }).status ?? 500;
    }
  };
  const change = (next: (label: Label) => Label) => {
    const current = stored.items.get(label.labelId) as Label;
    stored.items.set(label.labelId, next(current));
  };
  return {
    clock,
    label,
    stored,
    send,
    change,
    reads: () => reads,
    failReads: (fail: boolean | 'slowly') => {
      failing = fail;
    },
    failReadUnderWay: () => failUnderWay?.(),
    secret: label.secrets[0].value,
    tick: (ms: number) => {
      clock.at += ms;
    },
  };
}

describe('labels cached by intake', () => {
  it('reads a label once for every webhook it takes within 30 seconds', async () => {
    const intake = cachedIntake();

    const statuses = [];
    for (let i = 0; i < 10; i++) {
      statuses.push(await intake.send(intake.secret));
      intake.tick(2_000);
    }

    expect(statuses).toEqual(Array(10).fill(202));
    expect(intake.reads()).toBe(1);
  });

  it('reads the label again once its entry is 30 seconds old', async () => {
    const intake = cachedIntake();
    await intake.send(intake.secret);

    intake.tick(labelCacheMs);
    await intake.send(intake.secret);

    expect(intake.reads()).toBe(2);
  });

  it('accepts a secret rotated in after the label was cached, at once', async () => {
    const intake = cachedIntake();
    await intake.send(intake.secret);
    const rotated = aSecret();
    intake.tick(10);
    intake.change((label) => withRotatedSecret(label, rotated, new Date(intake.clock.at)));

    const status = await intake.send(rotated);

    expect(status).toBe(202);
    expect(intake.reads()).toBe(2);
  });

  it('accepts every one of several webhooks arriving together, signed with a secret rotated in after the label was cached', async () => {
    const intake = cachedIntake();
    await intake.send(intake.secret);
    const rotated = aSecret();
    intake.tick(10);
    intake.change((label) => withRotatedSecret(label, rotated, new Date(intake.clock.at)));

    // Invocations of one function overlap in one process (the local cloud runs each module once).
    const statuses = await Promise.all(Array.from({ length: 3 }, () => intake.send(rotated)));

    expect(statuses).toEqual([202, 202, 202]);
  });

  it('refuses once a secret rotated in within a second of a refused signature, as the rotation route says, and takes its retry a second later', async () => {
    const intake = cachedIntake();
    await intake.send(intake.secret);
    await intake.send(aSecret());
    const rotated = aSecret();
    intake.tick(300);
    intake.change((label) => withRotatedSecret(label, rotated, new Date(intake.clock.at)));

    const first = await intake.send(rotated);
    intake.tick(1_000);
    const retry = await intake.send(rotated);

    expect([first, retry]).toEqual([401, 202]);
  });

  it('reads a label at most once a second however many bad signatures arrive', async () => {
    const intake = cachedIntake();
    await intake.send(intake.secret);

    const statuses = [];
    for (let i = 0; i < 50; i++) {
      statuses.push(await intake.send(aSecret()));
      intake.tick(100);
    }

    expect(statuses).toEqual(Array(50).fill(401));
    // 5 seconds of bad signatures: the first read, then one re-read per second.
    expect(intake.reads()).toBe(1 + 5);
  });

  it('reads a label at most once a second while its re-reads fail, answering 500 to them, and keeps taking webhooks signed with a cached secret', async () => {
    const intake = cachedIntake();
    await intake.send(intake.secret);
    intake.failReads(true);

    const statuses = [];
    for (let i = 0; i < 50; i++) {
      statuses.push(await intake.send(aSecret()));
      statuses.push(await intake.send(intake.secret));
      intake.tick(100);
    }

    // A bad signature cannot be told from a rotated-in secret without the read: a dependency failure, which the label retries.
    expect(statuses).toEqual(Array(50).fill([500, 202]).flat());
    // 5 seconds of failing re-reads: the first read, then one re-read per second.
    expect(intake.reads()).toBe(1 + 5);
  });

  it('keeps accepting a revoked secret for less than 30 seconds, and refuses it after', async () => {
    const intake = cachedIntake();
    const rotated = aSecret();
    intake.change((label) => withRotatedSecret(label, rotated, new Date(intake.clock.at)));
    await intake.send(rotated);
    intake.change(withRevokedSecrets);

    intake.tick(labelCacheMs - 1);
    const justBefore = await intake.send(intake.secret);
    intake.tick(1);
    const after = await intake.send(intake.secret);

    expect([justBefore, after]).toEqual([202, 401]);
  });

  it('keeps no unknown label, so a label created after a 404 is found at once', async () => {
    const intake = cachedIntake();
    const unknown = await intake.send(intake.secret, 'label-to-come');

    intake.stored.items.set('label-to-come', { ...intake.label, labelId: 'label-to-come' });
    const known = await intake.send(intake.secret, 'label-to-come');

    expect([unknown, known]).toEqual([404, 202]);
  });

  it('shares one read between requests that arrive while it is under way', async () => {
    const intake = cachedIntake();

    const statuses = await Promise.all(Array.from({ length: 5 }, () => intake.send(intake.secret)));

    expect(statuses).toEqual(Array(5).fill(202));
    expect(intake.reads()).toBe(1);
  });
});

/**
 * docs/design.md#secrets: a re-read that fails "keeps the label read before, which still serves valid
 * signatures". A re-read takes time (DynamoDB, KMS; a throttled read is retried by the SDK): a webhook
 * signed with a cached secret that arrives while the failing re-read is under way must still be taken.
 */
describe('a failing re-read under way', () => {
  it('still takes a webhook signed with a cached secret that arrives while it is being read', async () => {
    const intake = cachedIntake();

    expect(await intake.send(intake.secret)).toBe(202);
    intake.failReads('slowly');
    // A bad signature starts a re-read, which is slow and then fails.
    const bad = intake.send(aSecret());
    await new Promise((resolve) => setTimeout(resolve, 0));
    // Meanwhile a webhook signed with the cached secret arrives.
    const valid = intake.send(intake.secret);
    await new Promise((resolve) => setTimeout(resolve, 0));
    intake.failReadUnderWay();

    expect(await bad).toBe(500);
    expect(await valid).toBe(202);
  });
});
