import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { buildDetail, ReleaseCancelled, ReleaseUpdated } from '#shared/events/index.ts';
import { SesEvent } from '#shared/events/ses.ts';
import { eventHandler, on, onQueue } from '#shared/lambda/event-handler.ts';
import { correlationIdOf } from '#shared/lambda/observability.ts';
import { onSes } from '#shared/lambda/on-ses.ts';

const anEvent = (detailType: string, detail: unknown, source = 'backline.intake') => ({
  'detail-type': detailType,
  source,
  detail,
});
const context = {} as Context;

describe('event handlers', () => {
  it('gives each detail-type its own route with the data validated by its contract', async () => {
    const seen: string[] = [];
    const handle = eventHandler('test', [
      on(ReleaseCancelled, (data, metadata) => seen.push(`${data.releaseId} ${metadata.labelId}`)),
      on(ReleaseUpdated, () => seen.push('updated')),
    ]);

    await handle(
      anEvent(
        'Release Cancelled',
        buildDetail(ReleaseCancelled, { releaseId: 'rel-1' }, { labelId: 'lbl-1' }),
      ),
      context,
    );

    expect(seen).toEqual(['rel-1 lbl-1']);
  });

  it('refuses a detail-type it does not take, naming what it takes', async () => {
    const handle = eventHandler('test', [on(ReleaseCancelled, () => undefined)]);

    await expect(handle(anEvent('Release Scheduled', {}), context)).rejects.toThrow(
      'test takes Release Cancelled; it does not take "Release Scheduled"',
    );
  });

  it('refuses an event whose detail does not match its contract, before any logic runs', async () => {
    let ran = false;
    const handle = eventHandler('test', [
      on(ReleaseCancelled, () => {
        ran = true;
      }),
    ]);

    const { metadata } = buildDetail(ReleaseCancelled, { releaseId: 'rel-1' }, { labelId: 'lbl-1' });

    await expect(
      handle(anEvent('Release Cancelled', { metadata, data: { releaseId: '' } }), context),
    ).rejects.toThrow(/"releaseId"/);
    expect(ran).toBe(false);
  });

  it('refuses two routes for the same detail-type', () => {
    expect(() =>
      eventHandler('test', [on(ReleaseCancelled, () => 1), on(ReleaseCancelled, () => 2)]),
    ).toThrow('two routes take Release Cancelled');
  });

  it('passes SES events with their own detail', async () => {
    const handle = eventHandler('test', [onSes(['Email Sent'], (event) => event.detail.mail.messageId)]);
    const sent = anEvent(
      'Email Sent',
      {
        eventType: 'Send',
        mail: { messageId: 'm-1', timestamp: '2027-01-01T00:00:00Z', destination: ['a@b.example'] },
      },
      'aws.ses',
    );

    expect(await handle(sent, context)).toBe('m-1');
  });

  it('logs under the correlation id of the envelope, the HTTP request or the SES mail', () => {
    const detail = buildDetail(ReleaseCancelled, { releaseId: 'rel-1' }, { correlationId: 'corr-1' });

    expect(correlationIdOf(anEvent('Release Cancelled', detail))).toBe('corr-1');
    expect(correlationIdOf({ requestContext: { requestId: 'req-1' } })).toBe('req-1');
    expect(correlationIdOf({ detail: { mail: { messageId: 'm-1' } } })).toBe('m-1');
  });
});

describe('a queue route', () => {
  const record = (messageId: string, body: unknown) => ({
    messageId,
    receiptHandle: `${messageId}#1`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    eventSource: 'aws:sqs',
  });
  const sent = (messageId: string) => ({
    version: '0',
    id: `evt-${messageId}`,
    'detail-type': 'Email Sent',
    source: 'aws.ses',
    account: '000000000000',
    time: '2027-03-01T12:00:01Z',
    region: 'us-east-1',
    resources: [],
    detail: {
      eventType: 'Send',
      mail: { messageId, timestamp: '2027-03-01T12:00:01Z', destination: ['a@b.example'], tags: {} },
    },
  });

  it('hands the batch over at once and reports as failed only what the logic could not finish and what is no such event', async () => {
    const batches: string[][] = [];
    const handle = eventHandler('test', [
      onQueue('mail-settlement', SesEvent, async (events) => {
        batches.push(events.map(({ event }) => event.detail.mail.messageId));
        return [events[1].messageId];
      }),
    ]);

    const answer = await handle(
      {
        Records: [
          record('m1', sent('a')),
          record('m2', sent('b')),
          record('m3', 'not json'),
          record('m4', sent('c')),
        ],
      },
      {} as Context,
    );

    expect(batches).toEqual([['a', 'b', 'c']]);
    expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: 'm3' }, { itemIdentifier: 'm2' }] });
  });
});
