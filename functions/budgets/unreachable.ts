import type { OwnerUnreachable, StoredBudget } from '#shared/db/budgets.ts';
import { budgetMailSubjectTypes, deliveryIdOf } from '#shared/db/deliveries.ts';
import {
  BudgetOwnerMailRefused,
  BudgetOwnerSuppressed,
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
type Unreached = Omit<EventData<typeof BudgetOwnerSuppressed>, 'budgetIds'> & {
  reason: OwnerUnreachable['reason'];
};

/**
 * A budget alert or report bounced for good or drew a complaint: the owner's address is suppressed
 * (it gets no more mail, alerts included), so every budget of the label it holds is marked
 * unreachable, shown on the budget, and `Budget Owner Unreachable` tells whoever watches them, once
 * per mail however often the bounce is repeated (see docs/design.md#two-mail-streams). One SES refused
 * for good when it was sent is marked alike, and `Budget Owner Mail Refused` tells of it.
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
 * it had bounced, marked so under the id the mail would have had, and `Budget Owner Suppressed` says
 * so. Once per owner while the mark stands: the store states it only when this mail's mark was written
 * on one of the budgets (none of them marked for the address by another mail) and the mail wins the
 * owner's one item, written with the event, so two mails left out at once, each winning one budget's
 * mark first, or one after another, state it once; a retry of this one wins its own mark and item
 * again, and the store keeps the event once per mail (docs/design.md#budgets).
 */
export async function markSuppressedOwner(
  mail: OutgoingMail,
  correlationId: string,
  deps: Pick<BudgetsDeps, 'store' | 'now'>,
): Promise<{ budgetIds: string[]; stated: boolean }> {
  const { labelId, kind } = mail.identity;
  const address = normaliseEmail(mail.identity.email);
  return stateUnreachable(
    {
      labelId,
      address,
      reason: 'suppressed',
      detail: 'the address is suppressed after a bounce or a complaint',
      deliveryId: deliveryIdOf(mail.identity),
      kind,
    },
    await ownedBy(labelId, address, deps),
    correlationId,
    deps,
  );
}

/** The label's budgets a (normalised) address owns. */
const ownedBy = async (labelId: string, address: string, deps: Pick<BudgetsDeps, 'store'>) =>
  (await deps.store.labelBudgets(labelId)).filter((budget) => normaliseEmail(budget.owner.email) === address);

/**
 * Marks the budgets the address owns, and states `Budget Owner Unreachable` (a bounce or complaint),
 * `Budget Owner Mail Refused` (SES refused the mail for good)
 * or `Budget Owner Suppressed` (a mail left out) once per mail.
 */
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
  const data = { labelId, address, ...(detail ? { detail } : {}), deliveryId, kind, budgetIds };
  const meta = { source: 'backline.budgets', labelId, correlationId } as const;
  const stated = await deps.store.markOwnerUnreachable(
    labelId,
    budgetIds,
    mark,
    reason === 'suppressed'
      ? outboxEntry(BudgetOwnerSuppressed, data, meta)
      : reason === 'refused'
        ? outboxEntry(BudgetOwnerMailRefused, data, meta)
        : outboxEntry(BudgetOwnerUnreachable, { ...data, reason }, meta),
  );
  return { budgetIds, stated };
}
