import type { StoredBudget } from '#shared/db/budgets.ts';
import { budgetMailSubjectTypes, deliveryIdOf } from '#shared/db/deliveries.ts';
import {
  BudgetOwnerUnreachable,
  type EventData,
  type MailUndeliverable,
  type Metadata,
  outboxEntry,
} from '#shared/events/index.ts';
import type { OutgoingMail } from '#shared/mail/ports.ts';
import { normaliseEmail } from '#shared/outlets.ts';
import type { BudgetsDeps } from './ports.ts';

/** Why a budget mail did not reach its owner, and which mail: what the budgets and the event say. */
type Unreached = Omit<EventData<typeof BudgetOwnerUnreachable>, 'budgetIds'>;

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
  const { labelId, reason, detail, deliveryId, kind } = data;
  const address = normaliseEmail(data.address);
  return stateUnreachable(
    { labelId, address, reason, ...(detail ? { detail } : {}), deliveryId, kind },
    await ownedBy(labelId, address, deps),
    metadata.correlationId,
    deps,
  );
}

/**
 * A budget mail left out because its address is suppressed (a bounce or a complaint on other mail,
 * the press's included: docs/design.md#two-mail-streams) warns nobody: its owner is unreachable as if
 * it had bounced, and is stated so the same way, under the id the mail would have had. Once while the
 * mark stands: budgets marked for this address by another mail are told already (that mail's own
 * retries state it); a retry of this one states it again, which the store keeps once.
 */
export async function markSuppressedOwner(
  mail: OutgoingMail,
  correlationId: string,
  deps: Pick<BudgetsDeps, 'store' | 'now'>,
): Promise<{ budgetIds: string[]; stated: boolean }> {
  const { labelId, kind } = mail.identity;
  const address = normaliseEmail(mail.identity.email);
  const deliveryId = deliveryIdOf(mail.identity);
  const owned = await ownedBy(labelId, address, deps);
  if (
    owned.every(
      (budget) =>
        budget.ownerUnreachable?.address === address && budget.ownerUnreachable.deliveryId !== deliveryId,
    )
  )
    return { budgetIds: [], stated: false };
  return stateUnreachable(
    {
      labelId,
      address,
      reason: 'suppressed',
      detail: 'the address is suppressed after a bounce or a complaint',
      deliveryId,
      kind,
    },
    owned,
    correlationId,
    deps,
  );
}

/** The label's budgets a (normalised) address owns. */
const ownedBy = async (labelId: string, address: string, deps: Pick<BudgetsDeps, 'store'>) =>
  (await deps.store.labelBudgets(labelId)).filter((budget) => normaliseEmail(budget.owner.email) === address);

/** Marks the budgets the address owns, and states `Budget Owner Unreachable` once per mail. */
async function stateUnreachable(
  unreached: Unreached,
  owned: StoredBudget[],
  correlationId: string,
  deps: Pick<BudgetsDeps, 'store' | 'now'>,
): Promise<{ budgetIds: string[]; stated: boolean }> {
  const { labelId, address, reason, detail, deliveryId, kind } = unreached;
  const budgetIds = owned.map((budget) => budget.budgetId).sort();
  const mark = {
    address,
    reason,
    ...(detail ? { detail } : {}),
    deliveryId,
    kind,
    at: deps.now().toISOString(),
  };
  const stated = await deps.store.markOwnerUnreachable(
    labelId,
    budgetIds,
    mark,
    outboxEntry(
      BudgetOwnerUnreachable,
      { labelId, address, reason, ...(detail ? { detail } : {}), deliveryId, kind, budgetIds },
      { source: 'backline.budgets', labelId, correlationId },
    ),
  );
  return { budgetIds, stated };
}
