import { functionEnvironment } from '#infra/function-settings.ts';
import type { ChangeSteps } from '#shared/db/change-steps.ts';
import type {
  Delivery,
  KeptTold,
  MailIdentity,
  MailStream,
  MailSubject,
  NewClaim,
} from '#shared/db/deliveries.ts';
import type { OutletListing, OutletsById } from '#shared/db/outlet-listing.ts';
import type { AwaitedAdvance, NotedClaims, PressNotes } from '#shared/db/press-notes.ts';
import type { Reach } from '#shared/db/subject-deliveries.ts';
import type { SuppressionList } from '#shared/db/suppression-list.ts';
import type { PressTold, TourSteps } from '#shared/db/tours.ts';
import type { MailAttachment, OutgoingMail } from '#shared/mail/ports.ts';
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

/**
 * One tour mail to one person, sent through the mail module (shared/mail): its identity (address +
 * label + subject + kind) makes it exactly once (docs/design.md#exactly-once-mail); `stream` picks
 * the SES configuration set and whether it carries one-click unsubscribe.
 */
export interface TourMail {
  stream: MailStream;
  to: { name: string; email: string };
  labelId: string;
  /** What the mail is about, from `mailSubjects` (a show, or a tour's set of announced shows). */
  subject: MailSubject;
  kind: string;
  template: string;
  data: { text: object; html: object };
  attachments?: MailAttachment[];
  /** Who the mail concerns (`{tourId, showId}`, `{tourId, country, outletId}`), kept on its delivery. */
  context: Record<string, string>;
  /** Campaign mail: the outlet it goes to, for its one-click unsubscribe link. */
  outletId?: string;
  /**
   * What a press mail states of each show it tells of (`[facts, change]` by show id), kept on its claim:
   * a step that finds the mail claimed before notes what it stated (docs/design.md#tours).
   */
  told?: KeptTold;
  /**
   * A press step's mail: its claim is written with the address's note of what it is told (`told`; none:
   * the note stands as it is), only while the show is as the step read it (`asRead`), in one write
   * (`NotePressAndClaim`, docs/design.md#tours).
   */
  noted?: Omit<NotedClaims, 'claims'> & { told?: PressTold };
  /**
   * An advance step's mail: claimed only while the show still awaits the advance from the promoter the
   * step read, in one write with the show's check (`ClaimAwaitingAdvance`, docs/design.md#tours).
   */
  awaiting?: AwaitedAdvance;
  /**
   * A press step's mail to an address whose earlier press mail of the show is claimed and still open (within
   * the stale window): claimed and held, unsent (`claimHeld`), so it cannot reach SES before that one; the
   * sweep sends it, or closes it, once stale, as the show's step would write it then (docs/design.md#tours).
   */
  held?: true;
}

/**
 * A press step's notes and claims refused: the show changed since the step read it, and the step is
 * taken again from a fresh read (docs/design.md#tours). Mails of the send claimed before that went.
 */
export class PressNotesRefused extends Error {
  constructor(showId: string) {
    super(`show ${showId} changed since its press step read it: its notes and claims were not written`);
    this.name = 'PressNotesRefused';
  }
}

/**
 * An advance step's claim refused by the show's check: the promoter submitted, or the show was given to
 * another promoter or cancelled, since the step read it. Nothing was sent; the step is ignored, no failure.
 */
export class AdvanceNotAwaited extends Error {
  constructor(showId: string) {
    super(`show ${showId} no longer awaits the advance its step read`);
    this.name = 'AdvanceNotAwaited';
  }
}

/** What a send came to (`TourMailer.send`): undefined when it threw AdvanceNotAwaited, any other error thrown. */
export const sentUnlessUnawaited = (sent: Promise<number>) =>
  sent.catch((error: unknown) => {
    if (error instanceof AdvanceNotAwaited) return undefined;
    throw error;
  });

export interface TourMailer {
  /**
   * Claims, sends and settles each mail once per identity (a mail claimed before is skipped), a `held`
   * one claimed and held, unsent, for the sweep; the number sent now. Throws when some could not be sent in time (throttling): the event is retried;
   * AdvanceNotAwaited, once the others went, when the show's check refused an `awaiting` mail's claim.
   * `leftOutSuppressed` runs for each mail left out because its address is suppressed, as the sweep
   * runs it (shared/mail/settle.ts, `Resender`).
   */
  send(mails: TourMail[], leftOutSuppressed?: LeftOutSuppressed): Promise<number>;
  /**
   * Whether each mail (by its identity) reached SES (`reachOf`, shared/db/subject-deliveries.ts): the
   * announcement step counts one `'held'` told of its shows, a change or cancellation step told nothing
   * of them, as its late Email Sent asks for their news (docs/design.md#tours). Read in batches,
   * strongly consistent.
   */
  reached(mails: MailIdentity[]): Promise<Reach[]>;
  /**
   * What each mail's claim keeps (strongly consistent): what the mail stated (`told`), and whether a new
   * attempt spent it (`spent`); undefined for a mail not claimed (docs/design.md#tours).
   */
  claimsOf(mails: MailIdentity[]): Promise<({ told?: KeptTold; spent: boolean } | undefined)[]>;
  /**
   * Spends the identities of press mails that did not go out, before a new attempt tells their shows
   * (`MailClaims.spend`): per mail, false when it was claimed again since it was read (docs/design.md#tours).
   */
  spend(mails: NewClaim[]): Promise<boolean[]>;
  /**
   * Sends again the tour mails of `subjectType` whose claims stayed open past the stale window with
   * no sign of sending (a crash between claim and send): `rebuild` writes a group's mails again from
   * the tour as it is now, the mail to resend per delivery id, a claim it writes none for closed (see
   * shared/mail/settle.ts) unless `held` (left open: its show on hold or cancelled, for now), and `tell`: what its
   * addresses need instead, sent under its own identity; `leftOutSuppressed` as for `send`. `rebuild`
   * is given the stale boundary (a claim held at a later time stays held).
   */
  sweepStale(
    subjectType: string,
    rebuild: (
      stale: Delivery[],
      staleBefore: string,
    ) => Promise<{
      resend: Map<string, TourMail>;
      tell?: TourMail[];
      /**
       * `true`: every claim of the group, at the stale boundary (a show on hold); a map: the claims it
       * names, each at the claim time given while that is less than the stale window ago, else sent as
       * `resend` has it (docs/design.md#tours).
       */
      held?: boolean | ReadonlyMap<string, string>;
    }>,
    deadline: number,
    leftOutSuppressed?: LeftOutSuppressed,
  ): Promise<{ resent: number; closed: number }>;
}

/** A sender's leftOutSuppressed hook (shared/mail/settle.ts, `Resender`). */
type LeftOutSuppressed = (mail: OutgoingMail) => Promise<void>;

/** Suppressed addresses (operational mail and press) and unsubscribed ones (press): shared/db/suppression-list.ts. */
export type Suppressions = SuppressionList;

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

/**
 * The media directory, read page by page for a show's press (a page's cursor goes on to the next), and
 * the outlets an `Outlets Changed` names.
 */
export type OutletPages = OutletListing & OutletsById;

export interface ToursSettings {
  /** Outlets read per page of the directory for press. */
  pressPageSize: number;
  /** Pages one press invocation reads before it continues in a new one; unset: until its deadline. */
  pressPagesPerInvocation?: number;
}

export const defaultToursSettings: ToursSettings = { pressPageSize: 500 };

/** A tour mail's identity as the mail module reads it (`MailIdentity`: its recipient's address as `email`). */
export const identityOf = (mail: TourMail) => ({ ...mail, email: mail.to.email });

/** The clock's instant as ISO 8601 in UTC, the form tours compares and stores instants in. */
export const isoNow = (deps: Pick<ToursDeps, 'now'>): string => deps.now().toISOString();

const { pressPageSize, pressPagesPerInvocation } = functionEnvironment.tours;

/**
 * The settings from the function's environment (infra/function-settings.ts names the variables),
 * the defaults where unset. A malformed value (each is a whole number, 1 or more) stops the function
 * at start with its name.
 */
export function toursSettingsFrom(env: Record<string, string | undefined>): ToursSettings {
  const problems: string[] = [];
  const whole = (name: string) => {
    if (!env[name]) return undefined;
    const value = Number(env[name]);
    if (Number.isInteger(value) && value >= 1) return value;
    problems.push(`${name}: ${Number.isInteger(value) ? 'must be 1 or more' : 'must be a whole number'}`);
  };
  const size = whole(pressPageSize);
  const pages = whole(pressPagesPerInvocation);
  if (problems.length) throw new Error(`Tours settings are malformed: ${problems.join('; ')}`);
  return {
    pressPageSize: size ?? defaultToursSettings.pressPageSize,
    ...(pages ? { pressPagesPerInvocation: pages } : {}),
  };
}

export interface ToursDeps {
  tours: TourSteps & PressNotes & ChangeSteps;
  outlets: OutletPages;
  schedules: ShowSchedules;
  mailer: TourMailer;
  suppressions: Suppressions;
  links: TourLinks;
  settings: ToursSettings;
  now: () => Date;
}
