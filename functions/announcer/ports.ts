import { timeoutSeconds } from '#infra/function-settings.ts';
import type { ComingReleases } from '#shared/db/coming-releases.ts';
import type { ResendingClaims } from '#shared/db/deliveries.ts';
import type { LabelNames } from '#shared/db/labels.ts';
import type { MailingFacts } from '#shared/db/mailing-facts.ts';
import type { EventPublisher } from '#shared/events/publish.ts';
import { defaultMailSettings, type MailDeps, type MailSettings } from '#shared/mail/ports.ts';
import type { Outlet } from '#shared/outlets.ts';
import type { StoredRelease } from '#shared/releases.ts';

/**
 * The announcer's view of the world: the mail module's ports (claims, SES, the send rate; see
 * shared/mail/send.ts) and small ports of its own, with adapters in adapters.ts and fakes in tests.
 */

export interface OutletReader {
  /**
   * One page of every outlet, in a stable order; `next` is absent on the last page. With `genres`
   * (a release's), the page may leave out outlets that cannot match them, and only those.
   */
  page(
    cursor: string | undefined,
    limit: number,
    genres?: readonly string[],
  ): Promise<{ outlets: Outlet[]; next?: string }>;
  getMany(outletIds: readonly string[]): Promise<Map<string, Outlet>>;
  /** The outlet that holds an address (normalised), if any. */
  atAddress(email: string): Promise<Outlet | undefined>;
}

export interface RecipientLinks {
  /** With `radio`, the promo links are the release's radio edits (its promo assets if it has none). */
  forRecipient(
    outlet: Outlet,
    release: StoredRelease,
    sentAt: Date,
    options?: { radio?: boolean },
  ): Promise<{ unsubscribeUrl: string; promoLinks: { label: string; url: string }[] }>;
}

export interface AnnouncerSettings extends MailSettings {
  /**
   * Outlets read per page of the directory, and the mails a batch gathers pages for. Sending drains
   * its pipeline at the end of each batch (the batch's last marks, the next batch's first claims), so
   * batches are large: 1,000 outlets are well within one Query's 1 MB.
   */
  pageSize: number;
}

export interface AnnouncerDeps extends MailDeps {
  /** The sweep's resends store what follows them with their marks (markSentMany's asks). */
  deliveries: ResendingClaims;
  releases: ComingReleases;
  /** The release's label, whose name its mail states: read once per mailing invocation or resent group. */
  labels: LabelNames;
  outlets: OutletReader;
  links: RecipientLinks;
  events: EventPublisher;
  /** Each mailing's completion fact, stated once (shared/db/mailing-facts.ts). */
  facts: MailingFacts;
  settings: AnnouncerSettings;
}

/** The announcer's timeout bounds how long one of its claims may stay open before the sweep resends it. */
export const announcerTimeoutSeconds = timeoutSeconds.announcer;

export const defaultSettings: AnnouncerSettings = {
  ...defaultMailSettings(announcerTimeoutSeconds),
  // A mailing waits out a pause in its invocation and continues in a new one (docs/design.md#send-rate).
  whenPaused: 'wait',
  pageSize: 1_000,
};
