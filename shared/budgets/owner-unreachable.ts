/** A budget view's mark that its owner's address gets no more mail (functions/office/budgets.ts `ownerUnreachable`). */
export interface OwnerUnreachableMark {
  reason: 'bounce' | 'complaint' | 'refused' | 'suppressed';
  detail?: string;
  mail: string;
  since: string;
}

const whyUnreached = {
  bounce: 'bounced',
  complaint: 'drew a complaint',
  refused: 'was refused by SES',
  suppressed: 'was not sent, the address being suppressed',
} as const;

/**
 * What `backline budget status` and the local console say of a budget whose owner is marked unreachable
 * (shown until a new owner is set, see docs/design.md#budgets): its alerts and reports reach nobody by
 * mail, so whoever reads the budget must reach the owner another way.
 */
export const ownerUnreachableText = (
  owner: { name: string; email: string },
  mark: OwnerUnreachableMark,
): string =>
  `owner unreachable since ${mark.since}: their ${mark.mail} mail ${whyUnreached[mark.reason]}${mark.detail ? ` (${mark.detail})` : ''}; ${
    // A refusal suppresses no address: later mail is still sent (docs/design.md#budgets).
    mark.reason === 'refused'
      ? `later alerts and reports to ${owner.name} <${owner.email}> are still sent, and may not reach them either: reach them another way, or set a new owner`
      : `no alert or report reaches ${owner.name} <${owner.email}> by mail until a new owner is set`
  }`;
