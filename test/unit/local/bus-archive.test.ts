import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalBus } from '#infra/local/bus/bus.ts';
import { Faults } from '#infra/local/faults.ts';
import { aBusEvent } from '#test/support/events.ts';

// The event archive is JSON lines like the journals: a last line torn by a crash mid-append is
// skipped, and the local cloud starts again (infra/local/bus/bus.ts).
/** A data folder for the bus, and the bus started on it, the archive as the folder holds it then. */
const aDataFolder = () => {
  const dir = mkdtempSync(join(tmpdir(), 'rv-archive-'));
  const archiveFile = join(dir, 'event-archive.jsonl');
  const start = () =>
    new LocalBus({
      functions: [],
      invoke: async () => {},
      faults: new Faults(),
      account: '000000000000',
      region: 'us-east-1',
      retryBaseMs: 1,
      archiveFile,
      journalFiles: { journal: join(dir, 'deliveries.jsonl'), deadLetters: join(dir, 'dead-letters.jsonl') },
    });
  return { archiveFile, start };
};

describe('the event archive after a crash mid-append', () => {
  it('does not stop the local bus from starting again', () => {
    const { archiveFile, start } = aDataFolder();
    const whole = { bus: 'backline', event: aBusEvent() };
    appendFileSync(archiveFile, `${JSON.stringify(whole)}\n`);
    appendFileSync(archiveFile, '{"bus":"backline","event":{"version":"0","id":"e2","detail-ty'); // torn

    expect(start).not.toThrow();
  });
});

describe('the events the console shows after a restart', () => {
  it("keeps the last run's events beside this run's while together they are fewer than it keeps", async () => {
    const { archiveFile, start } = aDataFolder();
    for (const id of ['e1', 'e2', 'e3'])
      appendFileSync(archiveFile, `${JSON.stringify({ bus: 'backline', event: aBusEvent({ id }) })}\n`);
    const bus = start();

    const put = await bus.publish('backline', {
      Source: 'backline.intake',
      DetailType: 'Release Updated',
      Detail: '{}',
    });

    expect(bus.shownEvents().map((record) => record.event.id)).toEqual(['e1', 'e2', 'e3', put.event.id]);
    bus.close();
  });
});
