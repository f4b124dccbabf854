import type { EmailSentClaims } from '#shared/db/email-sent-claims.ts';
import type { WithdrawalsSettledDeps } from '#shared/mail/release-settled.ts';

/**
 * The settlement's view of the world: the claims it settles, and what asking a withdrawal's next round
 * reads and publishes through (shared/mail/release-settled.ts), with adapters in adapters.ts and the
 * announcer's fakes in tests.
 */
export interface SettlementDeps extends WithdrawalsSettledDeps {
  /** Its settlement of SES's Email Sent events records a mail that went after its claim was closed. */
  deliveries: EmailSentClaims;
}
