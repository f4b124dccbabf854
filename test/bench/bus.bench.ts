import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { LocalBus } from '#infra/local/bus/bus.ts';
import { compilePattern } from '#infra/local/bus/pattern.ts';
import { Faults } from '#infra/local/faults.ts';
import { type FunctionName, type FunctionSpec, functionEntries, functions } from '#infra/topology.ts';
import { startCloudProcess } from '#test/support/cloud-process.ts';
import { aBusEvent } from '#test/support/events.ts';

/** The local bus: pattern matching per event, and PutEvents round trips through the real SDK client. */
const event = aBusEvent({
  id: '1',
  detail: {
    metadata: { eventId: 'e' },
    data: { releaseId: 'r', territories: ['GB', 'DE'], genres: ['pop'] },
  },
});
const rules = functionEntries().flatMap(([, spec]) =>
  spec.on.flatMap((trigger) => (trigger.kind === 'event' ? [compilePattern(trigger.pattern)] : [])),
);
const rounds = 200_000;
let matched = 0;
const started = performance.now();
for (let i = 0; i < rounds; i++) for (const rule of rules) if (rule(event)) matched++;
const perEvent = ((performance.now() - started) * 1000) / rounds;
console.log(
  `matching: ${rules.length} topology rules per event, ${perEvent.toFixed(2)} µs per event (${matched / rounds} matched)`,
);

// The journal (infra/local/bus/journal.ts): PutEvents in process, with and without a data folder.
async function putEventsInProcess(journalDir?: string): Promise<number> {
  const bus = new LocalBus({
    functions: [['announcer', { ...functions.announcer }]] as [FunctionName, FunctionSpec][],
    invoke: async () => undefined,
    faults: new Faults(),
    account: '000000000000',
    region: 'us-east-1',
    retryBaseMs: 1,
    ...(journalDir
      ? {
          journalFiles: {
            journal: join(journalDir, 'deliveries.jsonl'),
            deadLetters: join(journalDir, 'dead-letters.jsonl'),
          },
        }
      : {}),
  });
  const entries = Array.from({ length: 10 }, (_, i) => ({
    EventBusName: 'backline',
    Source: 'backline.releases',
    DetailType: 'Mailing Requested',
    Detail: JSON.stringify({
      metadata: { eventId: `e${i}` },
      data: { releaseId: 'r', kind: 'announcement' },
    }),
  }));
  const calls = 500;
  const begun = performance.now();
  for (let i = 0; i < calls; i++) bus.putEvents(entries);
  await bus.whenIdle();
  const perEntry = ((performance.now() - begun) * 1000) / (calls * 10);
  bus.close();
  return perEntry;
}
const inMemory = await putEventsInProcess();
const journalled = await putEventsInProcess(mkdtempSync(join(tmpdir(), 'backline-bench-')));
console.log(
  `journal: ${inMemory.toFixed(1)} µs per delivered PutEvents entry in memory, ${journalled.toFixed(1)} µs with the journal (one fsync per call of 10, plus a done line per delivery)`,
);

const cloud = await startCloudProcess();
try {
  const client = new EventBridgeClient({
    endpoint: cloud.urls.bus,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  const calls = 500;
  const entries = Array.from({ length: 10 }, (_, i) => ({
    EventBusName: 'backline',
    Source: 'bench.local',
    DetailType: 'Nothing Listens',
    Detail: JSON.stringify({ i }),
  }));
  await client.send(new PutEventsCommand({ Entries: entries }));
  const start = performance.now();
  for (let i = 0; i < calls; i++) await client.send(new PutEventsCommand({ Entries: entries }));
  const ms = performance.now() - start;
  console.log(
    `PutEvents: ${calls} calls of 10 entries in ${ms.toFixed(0)} ms: ${(ms / calls).toFixed(2)} ms per call, ${Math.round((calls * 10 * 1000) / ms)} events/s`,
  );
} finally {
  await cloud.stop();
}
