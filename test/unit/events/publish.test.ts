import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { OutletUnsubscribed } from '#shared/events/index.ts';
import { type OutboxEntry, outboxEntry } from '#shared/events/outbox.ts';
import { PublishError, publishEvents, putEvents } from '#shared/events/publish.ts';

const bus = mockClient(EventBridgeClient);
const client = bus as unknown as EventBridgeClient;
const noWait = { sleep: async () => {} };

const events = (count: number): OutboxEntry[] =>
  Array.from({ length: count }, (_, i) =>
    outboxEntry(OutletUnsubscribed, OutletUnsubscribed.sample, { eventId: `evt-${i}` }),
  );

/** The event ids each PutEvents call carried. */
const calls = () =>
  bus
    .commandCalls(PutEventsCommand)
    .map((call) =>
      (call.args[0].input.Entries ?? []).map((entry) => JSON.parse(entry.Detail!).metadata.eventId),
    );

/** Answers each call entry by entry: the codes given for the event ids, success for the others. */
const answer = (codes: (eventId: string, call: number) => string | undefined) => {
  let call = 0;
  bus.on(PutEventsCommand).callsFake((input: { Entries: { Detail: string }[] }) => {
    call++;
    const entries = input.Entries.map((entry) => {
      const code = codes(JSON.parse(entry.Detail).metadata.eventId, call);
      return code ? { ErrorCode: code, ErrorMessage: 'refused' } : { EventId: 'ok' };
    });
    return { FailedEntryCount: entries.filter((e) => 'ErrorCode' in e).length, Entries: entries };
  });
};

beforeEach(() => bus.reset());

describe('putting events on the bus', () => {
  it('puts ten entries per call, on the bus it is given, with each event as built', async () => {
    answer(() => undefined);

    const refused = await putEvents(client, 'backline', events(23), noWait);

    expect(refused).toEqual([]);
    expect(calls().map((ids) => ids.length)).toEqual([10, 10, 3]);
    const [first] = bus.commandCalls(PutEventsCommand)[0].args[0].input.Entries ?? [];
    expect(first).toMatchObject({
      EventBusName: 'backline',
      Source: 'backline.recipients',
      DetailType: 'Outlet Unsubscribed',
    });
  });

  it('retries only the entries that failed with InternalFailure or throttling, not the whole call', async () => {
    answer((id, call) => {
      if (call === 1 && (id === 'evt-1' || id === 'evt-4')) return 'InternalFailure';
      if (call === 2 && id === 'evt-4') return 'ThrottlingException';
      return undefined;
    });

    const refused = await putEvents(client, 'backline', events(5), noWait);

    expect(refused).toEqual([]);
    expect(calls()).toEqual([['evt-0', 'evt-1', 'evt-2', 'evt-3', 'evt-4'], ['evt-1', 'evt-4'], ['evt-4']]);
  });

  it('does not retry an entry refused for good, and answers it with its code', async () => {
    answer((id) => (id === 'evt-2' ? 'MalformedDetail' : undefined));

    const refused = await putEvents(client, 'backline', events(3), noWait);

    expect(calls()).toHaveLength(1);
    expect(refused.map((r) => [r.event.eventId, r.code])).toEqual([['evt-2', 'MalformedDetail']]);
  });

  it('answers an entry the bus gave no event id for as refused for now, so it is not marked published', async () => {
    // PutEvents answers 200 with a result per entry; one without an EventId was not put.
    bus.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'ok' }, {}] });

    const refused = await putEvents(client, 'backline', events(3), noWait);

    expect(refused.map((r) => [r.event.eventId, r.code, r.final])).toEqual([
      ['evt-1', 'NoResult', false],
      ['evt-2', 'NoResult', false],
    ]);
  });

  it('gives up on an entry after a bounded number of attempts, with backoff between them', async () => {
    const waits: number[] = [];
    answer((id) => (id === 'evt-0' ? 'InternalFailure' : undefined));

    const refused = await putEvents(client, 'backline', events(2), {
      attempts: 3,
      baseDelayMs: 100,
      sleep: async (ms) => void waits.push(ms),
    });

    expect(calls()).toEqual([['evt-0', 'evt-1'], ['evt-0'], ['evt-0']]);
    expect(refused.map((r) => [r.event.eventId, r.code])).toEqual([['evt-0', 'InternalFailure']]);
    expect(waits).toHaveLength(2);
    expect(waits[0]).toBeLessThan(100);
    expect(waits[1]).toBeLessThan(200);
  });

  it('answers every entry of a call that failed as a whole, and goes on with the next ten', async () => {
    bus
      .on(PutEventsCommand)
      .rejectsOnce(Object.assign(new Error('down'), { name: 'InternalException' }))
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'ok' }] });

    const refused = await putEvents(client, 'backline', events(11), noWait);

    expect(refused.map((r) => r.code)).toEqual(Array(10).fill('InternalException'));
    expect(calls().map((ids) => ids.length)).toEqual([10, 1]);
  });

  it('throws PublishError with what was refused, for a step that publishes directly', async () => {
    answer(() => 'AccessDeniedException');

    const published = publishEvents(client, 'backline', events(1), noWait);

    await expect(published).rejects.toBeInstanceOf(PublishError);
    await expect(published).rejects.toThrow(/AccessDeniedException/);
  });
});

describe('putting large events on the bus', () => {
  /** EventBridge's size of a PutEvents entry (Source, DetailType, Detail, Resources, 14 for Time). */
  const entrySize = (entry: { Source?: string; DetailType?: string; Detail?: string; Time?: unknown }) =>
    (entry.Time === undefined ? 0 : 14) +
    Buffer.byteLength(entry.Source ?? '') +
    Buffer.byteLength(entry.DetailType ?? '') +
    Buffer.byteLength(entry.Detail ?? '');
  /** PutEvents refuses a whole call whose entries total more than 1 MB (256 KB before 2026-01-29). */
  const requestLimit = 1024 * 1024;

  /** Events of about `bytes` each, as an intake webhook of up to 256 KB makes them. */
  const largeEvents = (count: number, bytes: number): OutboxEntry[] =>
    events(count).map((event) => ({
      ...event,
      detail: { ...event.detail, data: { ...(event.detail.data as object), notes: 'x'.repeat(bytes) } },
    })) as OutboxEntry[];

  it('puts ten events of 200 KB each without refusing any, keeping every call within the 1 MB request limit', async () => {
    bus.on(PutEventsCommand).callsFake((input: { Entries: Parameters<typeof entrySize>[0][] }) => {
      const total = input.Entries.reduce((sum, entry) => sum + entrySize(entry), 0);
      if (total > requestLimit) {
        throw Object.assign(new Error('Total size of the entries in the request is over the limit.'), {
          name: 'ValidationException',
        });
      }
      return { FailedEntryCount: 0, Entries: input.Entries.map(() => ({ EventId: 'ok' })) };
    });

    const refused = await putEvents(client, 'backline', largeEvents(10, 200_000), noWait);

    expect(refused.map((r) => [r.event.eventId, r.code])).toEqual([]);
    const sizes = bus
      .commandCalls(PutEventsCommand)
      .map((call) => (call.args[0].input.Entries ?? []).reduce((sum, entry) => sum + entrySize(entry), 0));
    for (const size of sizes) expect(size).toBeLessThanOrEqual(requestLimit);
  });
});
