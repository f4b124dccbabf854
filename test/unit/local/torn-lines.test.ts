import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DeliveryJournal } from '#infra/local/bus/journal.ts';
import { JsonLines } from '#infra/local/jsonl.ts';
import { aBusEvent } from '#test/support/events.ts';

// A torn last line (a crash mid-write) is skipped on read, and the next record appended after a
// restart starts a line of its own, so it is not skipped with the fragment (infra/local/jsonl.ts).
describe('a record appended after a torn last line', () => {
  it('survives the next read', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'rv-jsonl-')), 'store.jsonl');
    writeFileSync(file, `${JSON.stringify({ id: 'a' })}\n`);
    appendFileSync(file, '{"id":"b","subj'); // torn: the machine died mid-write

    const after = new JsonLines<{ id: string }>(file);
    expect(after.read()).toEqual([{ id: 'a' }]); // the torn line is skipped, as documented
    after.append([{ id: 'c' }], { sync: true }); // acknowledged (synced) after the restart
    after.close();

    expect(new JsonLines<{ id: string }>(file).read()).toEqual([{ id: 'a' }, { id: 'c' }]);
  });

  it('a dead letter synced after restarting on a torn dead-letter file is still there at the next start', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rv-dlq-'));
    const files = { journal: join(dir, 'journal.jsonl'), deadLetters: join(dir, 'dead-letters.jsonl') };
    writeFileSync(files.deadLetters, '{"rule":"releases-0","function":"rel'); // torn
    const first = new DeliveryJournal(files);
    first.open();
    const event = aBusEvent();
    first.deadLettered({
      rule: 'releases-0',
      function: 'releases' as never,
      attempts: 3,
      error: 'Error: boom',
      at: '2027-01-01T00:00:01.000Z',
      event,
    });
    first.close();

    const second = new DeliveryJournal(files);
    expect(second.open().deadLetters.map((letter) => letter.event.id)).toEqual(['e1']);
    second.close();
  });
});
