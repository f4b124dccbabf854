import { describe, expect, it } from 'vitest';
import { makeHandler } from '#functions/intake/handler.ts';
import { sign } from '#functions/intake/signature.ts';
import { publishEntries } from '#functions/publisher/publish.ts';
import type { ItemKey } from '#shared/db/outbox.ts';
import type { StoredOutboxEntry } from '#shared/db/outbox-publishing.ts';
import { webhookKey } from '#shared/db/webhooks.ts';
import type { OutboxEntry } from '#shared/events/outbox.ts';
import type { HttpResult } from '#shared/http/index.ts';
import { webhookTypes } from '#shared/webhooks.ts';
import {
  aContext,
  aLabel,
  aReleaseWebhook,
  aWebhookEvent,
  InMemoryLabels,
  InMemoryWebhookRecords,
  silentLog,
} from '#test/support/intake.ts';
import { knownReleases } from '#test/support/releases.ts';

/**
 * Nothing acknowledged (2xx) is ever lost: whatever intake answers 202 to, the publisher must be able
 * to build the event of from the record as stored (first publication, sweep, replay).
 */

const now = new Date('2027-01-05T10:00:00Z');

function world() {
  const label = aLabel();
  const webhooks = new InMemoryWebhookRecords();
  const handler = makeHandler({
    labels: new InMemoryLabels(label),
    webhooks,
    releases: knownReleases(),
    now: () => now,
    newEventId: () => 'evt-1',
  });
  const secret = label.secrets[0].value;
  /** Sends these exact bytes, signed over them as a label does. */
  const sendBytes = async (body: Buffer, contentType = 'application/json') => {
    const id = 'msg_bom';
    const timestamp = String(Math.floor(now.getTime() / 1000));
    const headers = {
      'content-type': contentType,
      'webhook-id': id,
      'webhook-timestamp': timestamp,
      'webhook-signature': sign(secret, id, timestamp, body),
    };
    const result = (await handler(aWebhookEvent(label.labelId, { headers, body }), aContext())) as HttpResult;
    return { status: result.statusCode, body: JSON.parse(result.body ?? 'null') };
  };
  /** The publisher, run on what intake stored, as the table's stream hands it over. */
  const publishStored = async () => {
    const published: OutboxEntry[] = [];
    const unpublishable: ItemKey[] = [];
    const entries: StoredOutboxEntry[] = webhooks.all().map((webhook) => ({
      kind: 'webhook',
      key: webhookKey(webhook.labelId, webhook.webhookId, webhook.format),
      createdAt: webhook.receivedAt,
      webhook,
    }));
    await publishEntries(entries, {
      outbox: {
        unpublishedBefore: async () => [],
        markPublished: async () => true,
        markUnpublishable: async (key) => void unpublishable.push(key),
        markParked: async () => true,
        parkedCount: async () => 0,
      },
      replays: { record: async () => {} },
      bus: {
        put: async (events) => {
          published.push(...events);
          return [];
        },
      },
      now: () => now,
      log: silentLog,
    });
    return { published, unpublishable };
  };
  return { webhooks, sendBytes, publishStored };
}

describe('an acknowledged webhook is published', () => {
  it('publishes the event of a JSON webhook accepted with a UTF-8 byte order mark, or refuses it with a 400 recording nothing', async () => {
    const { webhooks, sendBytes, publishStored } = world();
    const json = Buffer.from(JSON.stringify(aReleaseWebhook()), 'utf8');
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), json]);

    const response = await sendBytes(withBom, 'application/json; charset=utf-8');

    if (response.status === 202) {
      // Acknowledged: the label will never send it again, so its event must reach the bus.
      const { published, unpublishable } = await publishStored();
      expect(unpublishable).toEqual([]);
      expect(published.map((event) => [event.eventId, event.detailType])).toEqual([
        [response.body.eventId, 'Release Scheduled'],
      ]);
    } else {
      expect(response.status).toBe(400);
      expect(webhooks.all()).toEqual([]);
    }
  });
});

describe('an acknowledged tour show is published', () => {
  it('publishes the event of a tour.show.added whose announceAt falls outside years 0000-9999 once in UTC, or refuses it with a 400 naming show.announceAt and records nothing', async () => {
    for (const announceAt of ['9999-12-31T23:30:00-01:00', '0000-01-01T00:30:00+01:00']) {
      const { webhooks, sendBytes, publishStored } = world();
      const sample = structuredClone(webhookTypes['tour.show.added'].sample) as { show: object };
      const body = {
        type: 'tour.show.added',
        timestamp: '2027-01-05T09:59:00Z',
        data: { ...sample, show: { ...sample.show, announceAt } },
      };

      const response = await sendBytes(Buffer.from(JSON.stringify(body), 'utf8'));

      if (response.status === 202) {
        // Acknowledged: the label will never send it again, so its event must reach the bus.
        const { published, unpublishable } = await publishStored();
        expect({ announceAt, unpublishable }).toEqual({ announceAt, unpublishable: [] });
        expect(published.map((event) => event.detailType)).toEqual(['Tour Show Added']);
      } else {
        expect(response.status).toBe(400);
        expect(response.body.issues.map((issue: { path: string }) => issue.path)).toEqual([
          'data.show.announceAt',
        ]);
        expect(webhooks.all()).toEqual([]);
      }
    }
  });
});
