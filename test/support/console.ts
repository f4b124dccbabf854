import { consolePage } from '#infra/local/console.ts';
import type { DeadLetters } from '#infra/local/dead-letters.ts';

/** An event on the backline bus as the console lists it: what it is, its label's id and its data. */
export interface ConsoleEvent {
  detailType: string;
  labelId: string;
  data: Record<string, unknown>;
}

/**
 * The local console's page at `now` (the manager in `timeZone`) over these events, put on the bus an hour
 * before, with `deadLetters` as `GET /_local/dlq` would list them (none unless given) and no schedule
 * pending, with no SES front (the page shows no mail): each view it reads from the API is answered 200
 * with `viewOf(path)` as JSON.
 */
export const consolePageOver = (
  events: ConsoleEvent[],
  viewOf: (path: string) => unknown,
  {
    now = '2027-03-01T10:00:00Z',
    timeZone = 'Europe/London',
    deadLetters = {},
  }: { now?: string; timeZone?: string; deadLetters?: Partial<DeadLetters> } = {},
) =>
  consolePage({
    clock: { now: () => new Date(now), offsetMs: () => 0 },
    managerTimeZone: timeZone,
    bus: {
      shownEvents: () =>
        events.map(
          ({ detailType, labelId, data }, i) =>
            ({
              bus: 'backline',
              event: {
                id: `evt-${i + 1}`,
                time: new Date(Date.parse(now) - 3_600_000).toISOString(),
                'detail-type': detailType,
                detail: { metadata: { labelId }, data },
              },
              invocations: [],
            }) as never,
        ),
    },
    scheduler: { pending: () => [] },
    deadLetters: async () => ({
      deadLetters: [],
      streamBatches: [],
      queueMessages: [],
      scheduleDeadLetters: [],
      outboxEntries: [],
      queueDepths: {},
      expired: { deadLetters: [], streamBatches: [], queueMessages: [], scheduleDeadLetters: [] },
      ...deadLetters,
    }),
    sesUrl: () => 'http://127.0.0.1:9',
    api: async (path) => new Response(JSON.stringify(viewOf(path)), { status: 200 }),
  });
