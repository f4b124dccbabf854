import type { OutboxEntry } from '#shared/events/outbox.ts';
import { normaliseEmail } from '#shared/outlets.ts';
import { describeBudgetStoreContract } from '#test/contracts/budget-store.contract.ts';
import { describeDeliveryStoreContract } from '#test/contracts/deliveries.contract.ts';
import { describeJobsContract } from '#test/contracts/jobs.contract.ts';
import { describeLabelsContract } from '#test/contracts/labels.contract.ts';
import { describeMailingFactsContract } from '#test/contracts/mailing-facts.contract.ts';
import { describeOutletDirectoryContract } from '#test/contracts/outlet-directory.contract.ts';
import { describePressNotesContract } from '#test/contracts/press-notes.contract.ts';
import { describePromoCountersContract } from '#test/contracts/promo-counters.contract.ts';
import { describeReleasesContract } from '#test/contracts/releases.contract.ts';
import { describeSuppressionListContract } from '#test/contracts/suppression-list.contract.ts';
import { describeToursContract } from '#test/contracts/tours.contract.ts';
import { describeWebhookRecordsContract } from '#test/contracts/webhook-records.contract.ts';
import { FakeDeliveries, FakeMailingFacts, FakeSuppressionList } from '#test/support/announcer-fakes.ts';
import { InMemoryBudgets } from '#test/support/budgets.ts';
import { InMemoryLabels, InMemoryWebhookRecords } from '#test/support/intake.ts';
import { InMemoryJobStore } from '#test/support/jobs.ts';
import { InMemoryOutletDirectory, InMemoryPromoCounters, type WrittenOutbox } from '#test/support/outlets.ts';
import { InMemoryReleases } from '#test/support/releases.ts';
import { InMemoryTours } from '#test/support/tours.ts';

/**
 * The in-memory fakes the unit tests use hold the same contracts as the DynamoDB stores
 * (test/integration/contracts/dynamo.test.ts runs the same suites on DynamoDB Local).
 */
const inWrittenOutbox = async (store: { outbox: WrittenOutbox }, eventId: string) =>
  store.outbox.entries.some((entry) => entry.eventId === eventId);
/** For the fakes that keep what they wrote to the outbox as a list (`outbox` or `published`). */
const holds = (entries: OutboxEntry[], eventId: string) => entries.some((entry) => entry.eventId === eventId);
const inOutboxList = async (store: { outbox: OutboxEntry[] }, eventId: string) =>
  holds(store.outbox, eventId);
const inPublished = async (store: { published: OutboxEntry[] }, eventId: string) =>
  holds(store.published, eventId);

describeOutletDirectoryContract('in memory', () => new InMemoryOutletDirectory(), inWrittenOutbox);
describePromoCountersContract('in memory', () => new InMemoryPromoCounters(), inWrittenOutbox);
describeLabelsContract('in memory', () => new InMemoryLabels());
describeWebhookRecordsContract('in memory', () => new InMemoryWebhookRecords());
describeDeliveryStoreContract('in memory', () => new FakeDeliveries(), inOutboxList);
describeMailingFactsContract(
  'in memory',
  () => {
    const published: OutboxEntry[] = [];
    return Object.assign(new FakeMailingFacts(published), { published });
  },
  inPublished,
);
describeBudgetStoreContract(
  'in memory',
  () => new InMemoryBudgets(),
  inPublished,
  (amid) => {
    const store = new InMemoryBudgets();
    const read = store.ledger.bind(store);
    store.ledger = async (labelId: string, budgetId: string, options?: { consistent?: boolean }) => {
      const ledger = await read(labelId, budgetId);
      if (options?.consistent) await amid();
      return ledger;
    };
    return store;
  },
);
describeToursContract('in memory', () => new InMemoryTours());
describePressNotesContract('in memory', () => {
  const tours = new InMemoryTours();
  const deliveries = new FakeDeliveries();
  return {
    tours,
    deliveries,
    notePressAndClaim: tours.notePressAndClaim(deliveries),
    claimAwaitingAdvance: tours.claimAwaitingAdvance(deliveries),
  };
});
describeReleasesContract(
  'in memory',
  () => new InMemoryReleases(),
  inPublished,
  async (store, change) => store.changeHeld(change),
);
describeJobsContract('in memory', () => new InMemoryJobStore(), inOutboxList);
describeSuppressionListContract('in memory', () => {
  const list = new FakeSuppressionList();
  return {
    list,
    suppress: async (email) => {
      list.suppressed.add(normaliseEmail(email));
    },
    unsubscribe: async (email) => {
      list.unsubscribed.add(normaliseEmail(email));
    },
  };
});
