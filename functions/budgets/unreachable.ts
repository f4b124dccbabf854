import { budgetMailSubjectTypes } from '#shared/db/deliveries.ts';
import {
  BudgetOwnerUnreachable,
  type EventData,
  type MailUndeliverable,
  type Metadata,
  outboxEntry,
} from '#shared/events/index.ts';
import { normaliseEmail } from '#shared/outlets.ts';
import type { BudgetsDeps } from './ports.ts';

/**
 * A budget alert or report bounced for good or drew a complaint: the owner's address is suppressed
 * (it gets no more mail, alerts included), so every budget of the label it holds is marked
 * unreachable, shown on the budget, and `Budget Owner Unreachable` tells whoever watches them, once
 * per mail however often the bounce is repeated (see docs/design.md#two-mail-streams).
 */
export async function markOwnerUnreachable(
  data: EventData<typeof MailUndeliverable>,
  metadata: Metadata,
  deps: Pick<BudgetsDeps, 'store' | 'now'>,
): Promise<{ budgetIds: string[]; stated: boolean }> {
  if (!budgetMailSubjectTypes.includes(data.subject[0])) return { budgetIds: [], stated: false };
  const address = normaliseEmail(data.address);
  const budgetIds = (await deps.store.labelBudgets(data.labelId))
    .filter((budget) => normaliseEmail(budget.owner.email) === address)
    .map((budget) => budget.budgetId)
    .sort();
  const mark = {
    address,
    reason: data.reason,
    ...(data.detail ? { detail: data.detail } : {}),
    deliveryId: data.deliveryId,
    kind: data.kind,
    at: deps.now().toISOString(),
  };
  const stated = await deps.store.markOwnerUnreachable(
    data.labelId,
    budgetIds,
    mark,
    outboxEntry(
      BudgetOwnerUnreachable,
      {
        labelId: data.labelId,
        address,
        reason: data.reason,
        ...(data.detail ? { detail: data.detail } : {}),
        deliveryId: data.deliveryId,
        kind: data.kind,
        budgetIds,
      },
      { source: 'backline.budgets', labelId: data.labelId, correlationId: metadata.correlationId },
    ),
  );
  return { budgetIds, stated };
}
