import type { EventBridgeEvent } from 'aws-lambda';
import type { BusEvent } from '#infra/local/bus/bus.ts';
import type { EventContract, EventDetail } from '#shared/events/index.ts';

/** An EventBridge event as a consumer receives it: the contract's detail-type, its main source, the detail. */
export const anEvent = <C extends EventContract>(contract: C, detail: EventDetail<C>) =>
  ({
    'detail-type': contract.detailType,
    source: contract.source,
    detail,
  }) as EventBridgeEvent<string, EventDetail<C>>;

/** An event as the local bus keeps it (journal, archive, dead letters): a Release Scheduled from intake. */
export const aBusEvent = (overrides: Partial<BusEvent> = {}): BusEvent => ({
  version: '0',
  id: 'e1',
  'detail-type': 'Release Scheduled',
  source: 'backline.intake',
  account: '000000000000',
  time: '2027-01-01T00:00:00Z',
  region: 'us-east-1',
  resources: [],
  detail: {},
  ...overrides,
});
