import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DeliveryJournal } from '#infra/local/bus/journal.ts';
import { aBusEvent } from '#test/support/events.ts';

// docs/design.md#failures-and-retries: the local bus keeps an accepted event until every rule target
// has had it or it is dead-lettered, across a `kill -9`. An event matched by two rules: one target
// dead-letters (a function's two retries, 1.5 s locally) while the other is still being delivered (a
// queue rule's retries last hours; a long invocation); the operator redrives the dead letters
// (`POST /_local/dlq/redrive`, which journals the letter as accepted again for its one rule), and the
// local cloud is killed before the other delivery finished.
describe('the bus journal with a dead letter redriven while another rule still delivers the event', () => {
  it('resumes the other rule’s unfinished delivery after a restart', () => {
    const dir = mkdtempSync(join(tmpdir(), 'journal-redrive-'));
    const files = { journal: join(dir, 'journal.jsonl'), deadLetters: join(dir, 'dead.jsonl') };
    const event = aBusEvent({ id: 'evt-1', time: '2027-03-01T12:00:00Z', region: 'eu-west-1' });
    const journal = new DeliveryJournal(files);
    // PutEvents: accepted for both rules.
    journal.accepted([{ bus: 'backline', event, rules: ['announcer-0', 'settlement-queue-0'] }]);
    // The queue rule keeps failing (sqs.send-fail) and retries.
    journal.retrying(event, 'settlement-queue-0', 1, Date.parse('2027-03-01T12:00:01Z'));
    // The function rule runs out of retries.
    journal.deadLettered({
      rule: 'announcer-0',
      function: 'announcer',
      attempts: 3,
      error: 'Error: boom',
      at: '2027-03-01T12:00:02Z',
      event,
    });
    journal.retrying(event, 'settlement-queue-0', 2, Date.parse('2027-03-01T12:00:03Z'));
    // The operator redrives the dead letters: LocalBus.redrive journals each as accepted for its rule.
    journal.accepted([{ bus: 'backline', event, rules: ['announcer-0'] }]);
    journal.keepDeadLetters([]);
    journal.close();
    // kill -9: neither delivery finished.

    const { unfinished } = new DeliveryJournal(files).open();

    expect(unfinished.map((delivery) => [delivery.rule, delivery.attempts]).sort()).toEqual([
      ['announcer-0', 0],
      ['settlement-queue-0', 2],
    ]);
  });
});
