import type { TourStore } from '#shared/db/tours.ts';
import type { Outlet } from '#shared/outlets.ts';
import type { StepMoment } from '#shared/tours.ts';

/** What tours needs from the world: small ports, adapters in adapters.ts, fakes in tests. */

export interface ShowStepSchedule {
  labelId: string;
  tourId: string;
  showId: string;
  moment: StepMoment;
  correlationId: string;
}

export interface ShowSchedules {
  /** Creates the step's one-time schedule in the venue's zone, or moves it (docs/design.md#schedules). */
  upsert(schedule: ShowStepSchedule): Promise<void>;
  /** Deletes it; a schedule that is not there (fired, never made) is fine. */
  delete(ref: { labelId: string; tourId: string; showId: string; step: StepMoment['step'] }): Promise<void>;
}

export interface MailAttachment {
  fileName: string;
  contentType: string;
  content: string;
}

/**
 * One tour mail to one person. Its identity (address + label + subject + kind) makes it exactly
 * once (docs/design.md#exactly-once-mail); `stream` picks the SES configuration set and whether it
 * carries one-click unsubscribe.
 */
export interface TourMail {
  stream: 'operational' | 'campaign';
  to: { name: string; email: string };
  labelId: string;
  /** What the mail is about: the tour and show (or show set), as a tuple of ids. */
  subject: readonly string[];
  kind: string;
  template: string;
  data: Record<string, unknown>;
  attachments?: MailAttachment[];
  /** Campaign mail: the outlet it goes to, for its one-click unsubscribe link. */
  outletId?: string;
}

export type MailOutcome = 'sent' | 'sent-before' | 'suppressed';

export interface TourMailer {
  /** Claims, sends and settles the mail, once per identity; throws when it could not be sent now (retry). */
  send(mail: TourMail): Promise<MailOutcome>;
}

export interface TourLinks {
  /** The promoter's advance page for a show, valid until after the show. */
  advance(claims: {
    labelId: string;
    tourId: string;
    showId: string;
    promoterId: string;
    expiresAt: number;
  }): Promise<string>;
  /** The tour manager's page for a tour, valid until after its last show. */
  tourManager(claims: { labelId: string; tourId: string; expiresAt: number }): Promise<string>;
}

/** The media directory, read page by page for a show's press. */
export interface OutletPages {
  pages(): AsyncIterable<Outlet[]>;
}

export interface ToursDeps {
  tours: TourStore;
  outlets: OutletPages;
  schedules: ShowSchedules;
  mailer: TourMailer;
  links: TourLinks;
  now: () => Date;
}
