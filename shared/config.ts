import { NonEmpty } from './events/fields.ts';
import * as z from './zod.ts';

// One schema for the three ARNs (as `NonEmpty` for the names), rather than one built per variable at every init.
const arn = z.string().check(z.regex(/^arn:/, 'must be an ARN'));

/**
 * Backline's configuration, read and validated once from the environment. The CDK stack sets these
 * on every function; the local cloud sets them for the handlers it runs. A missing or malformed
 * variable stops the function at start with its name.
 */
const Config = z.object({
  TABLE_NAME: NonEmpty,
  EVENT_BUS_NAME: NonEmpty,
  EVENT_BUS_ARN: arn,
  SCHEDULE_GROUP: NonEmpty,
  SCHEDULER_ROLE_ARN: arn,
  /** The SQS queue one-time schedules put what they could not deliver in (docs/design.md#schedules). */
  SCHEDULE_DEAD_LETTER_ARN: arn,
  /** The configuration set of campaign mail (see infra/topology.ts `mailStreams`). */
  SES_CONFIGURATION_SET: NonEmpty,
  /** The configuration set of operational mail. */
  SES_OPERATIONAL_CONFIGURATION_SET: NonEmpty,
  /** What the stack's SES template names start with (shared/mail/template-names.ts). */
  SES_TEMPLATE_PREFIX: z.string().check(z.regex(/^[A-Za-z0-9_-]*$/, 'must be letters, digits, - or _')),
  SENDER_ADDRESS: z.email(),
  /**
   * Checked by URL's own parser, as zod's URL schema does: `z.url()` here put that schema (1.7 KB) in
   * every bundle, where only the release events need it (see docs/design.md#bundles).
   */
  PUBLIC_BASE_URL: z.string().check(z.refine((url) => URL.canParse(url), 'must be a URL')),
  API_KEY_SECRET_ID: NonEmpty,
  TOKEN_KEY_SECRET_ID: NonEmpty,
  /** The KMS key that seals label webhook secrets (its id or ARN; not a secret itself). */
  WEBHOOK_SECRETS_KEY_ID: NonEmpty,
  /**
   * An IANA time zone. ICU is asked whether it knows the zone where the zone is set (infra/settings.ts at
   * synth, the local cloud's schedules), not here: the first ICU date formatter a process builds costs
   * about 25 ms, every function's init would pay it, and only the budgets function and the office's ledger
   * route (the day of a move or a void) read the zone (their Temporal calls throw on a zone ICU does not know).
   */
  MANAGER_TIME_ZONE: z
    .string()
    .check(z.regex(/^[A-Za-z][\w+-]*(\/[\w+-]+)*$/, 'must be an IANA time zone name')),
});

export type Config = z.infer<typeof Config>;

export function readConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = Config.safeParse(env);
  if (!parsed.success) {
    // A function leaves zod's English messages out (shared/zod-messages.ts): a variable not set is said
    // so here, the others by their schema's own message or zod's code.
    const problems = parsed.error.issues.map((issue) => {
      const name = issue.path.join('.');
      const problem =
        env[name] === undefined
          ? 'is not set'
          : issue.code === 'invalid_format' || issue.code === 'custom'
            ? issue.message
            : `${issue.message} (${issue.code})`;
      return `${name}: ${problem}`;
    });
    throw new Error(`Backline configuration is incomplete: ${problems.join('; ')}`);
  }
  return parsed.data;
}

let current: Config | undefined;

/** The validated configuration of this process (read once). */
export const config = (): Config => {
  current ??= readConfig();
  return current;
};

/**
 * The variables the configuration reads. A function: computed at load, the list would be in every
 * bundle, where only the tests read it (docs/design.md#bundles).
 */
export const configKeys = () => Object.keys(Config.shape) as (keyof Config)[];
