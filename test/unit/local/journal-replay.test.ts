import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BusEvent } from '#infra/local/bus/bus.ts';
import { DeliveryJournal } from '#infra/local/bus/journal.ts';
import { aBusEvent } from '#test/support/events.ts';

// A replay re-sends an archived event under its own id; its deliveries are journalled apart from the
// original's, so a replay finishing while the original still retries leaves the original to resume.
describe('the bus journal with a replay of an event still being delivered', () => {
  it('resumes the original delivery after a restart when only the replay finished', () => {
    const dir = mkdtempSync(join(tmpdir(), 'journal-replay-'));
    const files = { journal: join(dir, 'journal.jsonl'), deadLetters: join(dir, 'dead.jsonl') };
    const original = aBusEvent({ id: 'evt-1', time: '2027-03-01T12:00:00Z', region: 'eu-west-1' });
    const replayed: BusEvent = { ...original, 'replay-name': 'replay-1' };
    const journal = new DeliveryJournal(files);
    journal.accepted([{ bus: 'backline', event: original, rules: ['releases-0'] }]);
    journal.retrying(original, 'releases-0', 1, Date.parse('2027-03-01T12:01:00Z'));
    journal.accepted([{ bus: 'backline', event: replayed, rules: ['releases-0'] }]);
    journal.done(replayed, 'releases-0');
    journal.close();

    const { unfinished } = new DeliveryJournal(files).open();

    expect(
      unfinished.map((delivery) => [delivery.event['replay-name'] ?? 'original', delivery.attempts]),
    ).toEqual([['original', 1]]);
  });
});
