import { describe, expect, it, vi } from 'vitest';
import { buildDetail, catalogue, defineEvent, MailingRequested, outboxEntry } from '#shared/events/index.ts';
import * as z from '#shared/zod.ts';

describe('the event catalogue', () => {
  it.each(catalogue.map((contract) => [contract.detailType, contract] as const))(
    "parses %s's own sample with its schema",
    (_, contract) => {
      const parsed = contract.data.safeParse(contract.sample);

      expect(parsed.error?.issues ?? []).toEqual([]);
    },
  );

  it('names every detail-type once, as a past-tense fact in Title Case, with a backline source', () => {
    const names = catalogue.map((contract) => contract.detailType);

    expect(new Set(names).size).toBe(names.length);
    for (const contract of catalogue) {
      expect(contract.detailType).toMatch(/^([A-Z][a-z]*)( [A-Z][a-z]*)*$/);
      expect(contract.source).toMatch(/^backline\.[a-z]+$/);
    }
  });

  it('builds an envelope with metadata and refuses data that breaks the schema', () => {
    const [releaseScheduled] = catalogue;

    const detail = buildDetail(releaseScheduled, releaseScheduled.sample, {
      labelId: 'lbl-1',
      webhookId: 'msg_1',
    });

    expect(detail.metadata).toMatchObject({ labelId: 'lbl-1', webhookId: 'msg_1', schemaVersion: 1 });
    expect(detail.metadata.correlationId).toBe(detail.metadata.eventId);
    expect(() => buildDetail(releaseScheduled, { releaseId: 'x' })).toThrow();
  });

  it('builds an outbox entry with its source and eventId, and refuses a source the contract does not list', () => {
    const [contract] = catalogue;

    const entry = outboxEntry(contract, contract.sample, { eventId: 'evt-1' });
    const fromAnnouncer = outboxEntry(MailingRequested, MailingRequested.sample, {
      source: 'backline.announcer',
    });

    expect(entry).toMatchObject({
      eventId: 'evt-1',
      source: contract.source,
      detailType: contract.detailType,
    });
    expect(entry.detail.metadata.eventId).toBe('evt-1');
    expect(entry.detail.data).toMatchObject({ releaseId: 'rel-2027-nightdrive' });
    expect(fromAnnouncer.source).toBe('backline.announcer');
    expect(() => outboxEntry(contract, contract.sample, { source: 'backline.announcer' })).toThrow(
      /does not come from backline.announcer/,
    );
  });

  it("builds a contract's data schema when it is first used, not when it is defined, and once", () => {
    const data = vi.fn(() => z.object({ releaseId: z.string() }));

    const contract = defineEvent({
      detailType: 'Thing Happened',
      source: 'backline.test',
      schemaVersion: 1,
      data,
    });

    expect(data).not.toHaveBeenCalled();
    expect(buildDetail(contract, { releaseId: 'rel-1' }).data).toEqual({ releaseId: 'rel-1' });
    expect(contract.event.safeParse({}).success).toBe(false);
    expect(contract.data.safeParse({ releaseId: 'rel-1' }).success).toBe(true);
    expect(data).toHaveBeenCalledTimes(1);
  });

  it('takes an event of its own detail-type only, and names the one it takes', () => {
    const contract = defineEvent({
      detailType: 'Thing Happened',
      source: 'backline.test',
      schemaVersion: 1,
      data: () => z.object({}),
    });
    const event = (detailType: unknown) => ({
      'detail-type': detailType,
      source: 'backline.test',
      detail: buildDetail(contract, {}),
    });

    const refusals = ['Thing Happened Twice', 'thing happened', 7].map(
      (detailType) => contract.event.safeParse(event(detailType)).error?.issues,
    );

    expect(contract.event.safeParse(event('Thing Happened')).success).toBe(true);
    expect(refusals).toEqual(
      [0, 1, 2].map(() => [
        expect.objectContaining({ code: 'invalid_value', path: ['detail-type'], values: ['Thing Happened'] }),
      ]),
    );
  });
});
