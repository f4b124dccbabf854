import type { EventBridgeEvent } from 'aws-lambda';
import type { EventContract, EventDetail } from '#shared/events/index.ts';

/** An EventBridge event as a consumer receives it: the contract's detail-type, its main source, the detail. */
export const anEvent = <C extends EventContract>(contract: C, detail: EventDetail<C>) =>
  ({
    'detail-type': contract.detailType,
    source: contract.source,
    detail,
  }) as EventBridgeEvent<string, EventDetail<C>>;
