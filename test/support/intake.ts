import { randomBytes } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { sign } from '#functions/intake/signature.ts';
import type { Label, Labels } from '#shared/db/labels.ts';
import type { Page, ReplayPage, WebhookRecord, WebhookRecords, WebhookRef } from '#shared/db/webhooks.ts';
import { sampleRelease } from '#shared/events/release-scheduled.ts';
import type { HttpEvent } from '#shared/http/index.ts';
import type { Log } from '#shared/lambda/observability.ts';
import type { WebhookBodyInput } from '#shared/webhooks.ts';

/** Builders and in-memory fakes of intake's ports. */

export const aSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

export const aLabel = (overrides: Partial<Label> = {}): Label => ({
  labelId: 'nightshift-records',
  name: 'Nightshift Records',
  createdAt: '2027-01-01T00:00:00.000Z',
  version: 1,
  secrets: [{ value: aSecret(), createdAt: '2027-01-01T00:00:00.000Z' }],
  ...overrides,
});

export const aReleaseWebhook = (
  data: Partial<typeof sampleRelease> = {},
  overrides: Partial<WebhookBodyInput> = {},
): WebhookBodyInput =>
  ({
    type: 'release.scheduled',
    timestamp: '2027-01-05T10:00:00Z',
    data: { ...sampleRelease, ...data },
    ...overrides,
  }) as WebhookBodyInput;

export interface SignedWebhook {
  headers: Record<string, string>;
  body: string;
}

/** A webhook as a label sends it: body, Content-Type and Standard Webhooks headers signed with `secret`. */
export function signedWebhook(
  secret: string,
  body: unknown,
  options: { id?: string; at?: Date; contentType?: string } = {},
): SignedWebhook {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const id = options.id ?? `msg_${randomBytes(9).toString('hex')}`;
  const timestamp = String(Math.floor((options.at ?? new Date()).getTime() / 1000));
  return {
    body: text,
    headers: {
      'content-type': options.contentType ?? 'application/json',
      'webhook-id': id,
      'webhook-timestamp': timestamp,
      'webhook-signature': sign(secret, id, timestamp, text),
    },
  };
}

/** The APIGatewayProxyEventV2 the gateway makes of `POST /webhooks/{labelId}`. */
export function aWebhookEvent(
  labelId: string,
  request: { headers: Record<string, string>; body: string | Buffer },
): HttpEvent {
  const binary = Buffer.isBuffer(request.body);
  return {
    version: '2.0',
    routeKey: 'POST /webhooks/{labelId}',
    rawPath: `/webhooks/${labelId}`,
    rawQueryString: '',
    headers: request.headers,
    pathParameters: { labelId },
    isBase64Encoded: binary,
    body: binary ? (request.body as Buffer).toString('base64') : (request.body as string),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: 'POST',
        path: `/webhooks/${labelId}`,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'test',
      },
      requestId: 'req',
      routeKey: 'POST /webhooks/{labelId}',
      stage: '$default',
      time: '',
      timeEpoch: 0,
    },
  };
}

export const aContext = (): Context => ({}) as Context;

export class InMemoryLabels implements Labels {
  readonly items = new Map<string, Label>();
  constructor(...labels: Label[]) {
    for (const label of labels) this.items.set(label.labelId, structuredClone(label));
  }
  async get(labelId: string) {
    const label = this.items.get(labelId);
    return label ? structuredClone(label) : undefined;
  }
  async exists(labelId: string) {
    return this.items.has(labelId);
  }
  async create(label: Label) {
    if (this.items.has(label.labelId)) return false;
    this.items.set(label.labelId, structuredClone(label));
    return true;
  }
  async update(label: Label) {
    if (this.items.get(label.labelId)?.version !== label.version - 1) return false;
    this.items.set(label.labelId, structuredClone(label));
    return true;
  }
}

// An ERN record has its own key space (its MessageId never meets a webhook-id), as in the table.
const refKey = (ref: WebhookRef) => `${ref.format === 'ern' ? 'ERN ' : ''}${ref.labelId}#${ref.webhookId}`;
/** Whole seconds, as the table compares expiry (TTL is in epoch seconds). */
const epochSeconds = (at: Date) => Math.floor(at.getTime() / 1000);

export class InMemoryWebhookRecords implements WebhookRecords {
  readonly items = new Map<string, WebhookRecord>();

  all(): WebhookRecord[] {
    return [...this.items.values()];
  }
  async record(record: WebhookRecord, now: Date) {
    const existing = this.items.get(refKey(record));
    if (existing && existing.expiresAt >= epochSeconds(now))
      return { recorded: false as const, existing: { ...existing } };
    this.items.set(refKey(record), { ...record });
    return { recorded: true as const };
  }
  /** Records put back in the outbox by a replay, in order. */
  readonly requeued: WebhookRecord[] = [];
  async requeue(ref: WebhookRef, at: Date, by: ReplayPage) {
    const item = this.items.get(refKey(ref));
    if (!item || item.status === 'unpublishable' || item.expiresAt < epochSeconds(at)) return false;
    this.items.set(refKey(ref), {
      ...item,
      status: 'pending',
      replayedByPages: [...(item.replayedByPages ?? []), by],
    });
    this.requeued.push({ ...item });
    return true;
  }
  async receivedBetween(
    labelId: string,
    from: Date,
    to: Date,
    now: Date,
    cursor?: string,
  ): Promise<Page<WebhookRecord>> {
    const matching = this.all()
      .filter(
        (r) =>
          r.labelId === labelId && r.receivedAt >= from.toISOString() && r.receivedAt <= to.toISOString(),
      )
      .filter((r) => r.expiresAt >= epochSeconds(now))
      .sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
    const start = Number(cursor ?? 0);
    const items = matching.slice(start, start + 2).map((r) => ({ ...r }));
    return { items, next: start + 2 < matching.length ? String(start + 2) : undefined };
  }
}

export const silentLog: Log = { info: () => {}, warn: () => {}, error: () => {} };
