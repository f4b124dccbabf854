import { TimeZone } from '#shared/events/fields.ts';
import * as z from '#shared/zod.ts';
import type { RouteAuth } from './topology.ts';

/**
 * What differs between deployments of Backline. Each setting comes from CDK context
 * (`cdk deploy -c stage=prod -c senderAddress=press@label.example`), else from the environment
 * variable next to it, else from the default. Outside stage `dev` the sender address must be given:
 * the placeholder would deploy a stack that cannot send mail.
 */
export interface Settings {
  /** Names the stack (`Backline-<stage>`) and its bus; `dev` may be destroyed, every other stage is retained. */
  stage: string;
  /** SES-verified address (or an address in a verified domain) that campaign mail is sent from. */
  senderAddress: string;
  /** IANA time zone of the manager: the daily reconciliation runs at 07:00 there. */
  managerTimeZone: string;
  /** Base of unsubscribe and promo links; by default the HTTP API's own URL. */
  publicBaseUrl?: string;
  /** Where the stack's alarms are mailed (an SNS email subscription); none = the topic only. */
  alarmEmail?: string;
}

/** API Gateway throttling of one route: steady requests per second, and the burst its bucket holds. */
export interface RouteThrottle {
  rateLimit: number;
  burstLimit: number;
}

/**
 * Per-route throttling of the HTTP API stage, by the route's auth in the topology. Each route gets its own
 * bucket (API Gateway route settings), so a flood of `GET /health` or `/p/{token}` spends only that route's
 * allowance, never the webhooks' or the manager's. Public routes are limited more tightly: anyone can call them.
 */
export const routeThrottles = {
  public: { rateLimit: 20, burstLimit: 40 },
  webhook: { rateLimit: 100, burstLimit: 200 },
  apiKey: { rateLimit: 50, burstLimit: 100 },
} as const satisfies Record<RouteAuth, RouteThrottle>;

/** The stage's default for a route without settings of its own (every topology route has its own). */
export const defaultRouteThrottle: RouteThrottle = { rateLimit: 10, burstLimit: 20 };

/**
 * SES reputation alarms, well below the rates at which SES reviews an account (5 % bounces, 0.1 % complaints).
 * CloudWatch reports them as fractions (`Reputation.BounceRate` 0.02 = 2 %).
 */
export const sesReputationAlarms = { bounceRate: 0.02, complaintRate: 0.0005 } as const;

/**
 * The HTTP API's 5xx alarm (docs/design.md#observability): more than `moreThan` 5xx answers in one
 * `periodMinutes` window. A function's own failure already pages on its first error (its Errors
 * alarm); this one counts what the gateway answered whatever the cause, its 504 after 30 s, an
 * invocation it could not make, and the 503s of writes that kept meeting concurrent writes, a few of
 * which are a client's retry doing its work.
 */
export const apiServerErrorsAlarm = { moreThan: 5, periodMinutes: 5 } as const;

export const placeholderSender = 'press@backline.example';

/**
 * Powertools' logger and metrics (with commons, which they use) reach
 * every function through the stack's own Lambda layer: one minified ESM module built by esbuild from
 * the versions the lock file installs (`infra/powertools-layer.ts`), found by Lambda in the layer's
 * `nodejs/node_modules`. Bundles import it as an external: each Powertools package below is an alias
 * of `module`, so the code imports Powertools by its own names and runs from `node_modules` locally.
 * See docs/design.md#bundles.
 */
export const powertoolsLayer = {
  /** The package the layer holds, at `nodejs/node_modules/<module>/index.mjs`. */
  module: '@backline/powertools',
  /** The Powertools packages whose imports are redirected to the layer's module (esbuild aliases). */
  packages: [
    '@aws-lambda-powertools/commons',
    '@aws-lambda-powertools/logger',
    '@aws-lambda-powertools/metrics',
  ],
} as const;

/** The context keys and environment variables the README documents. */
export const settingSources = {
  stage: { context: 'stage', env: 'BACKLINE_STAGE', fallback: 'dev' },
  senderAddress: { context: 'senderAddress', env: 'BACKLINE_SENDER_ADDRESS', fallback: placeholderSender },
  managerTimeZone: {
    context: 'managerTimeZone',
    env: 'BACKLINE_MANAGER_TIME_ZONE',
    fallback: 'Europe/London',
  },
  publicBaseUrl: { context: 'publicBaseUrl', env: 'BACKLINE_PUBLIC_BASE_URL', fallback: undefined },
  alarmEmail: { context: 'alarmEmail', env: 'BACKLINE_ALARM_EMAIL', fallback: undefined },
} as const;

const SettingsSchema = z
  .object({
    // Lower-case and short: it ends up in resource names (bus, schedule group, secrets) with their length limits.
    stage: z
      .string()
      .check(z.regex(/^[a-z][a-z0-9-]{0,15}$/, 'must be lower-case letters, digits and dashes (at most 16)')),
    senderAddress: z.email(),
    managerTimeZone: TimeZone,
    // The base of every link in mail: a campaign mail's one-click unsubscribe (List-Unsubscribe) must be
    // an https URI (RFC 8058 3.1), and Gmail and Yahoo honour no other for one-click. Each link is the
    // base followed by its path (`/u/{token}`), so a query string or a fragment in the base would end
    // up before the path and break every link.
    publicBaseUrl: z.optional(
      z
        .url({
          protocol: /^https$/,
          error: 'must be an https URL (the one-click unsubscribe link, RFC 8058)',
        })
        .check(
          z.refine((url) => !/[?#]/.test(url), {
            message:
              'must have no query string or fragment (each link in mail is the base followed by its path)',
          }),
          // In its ASCII form (WHATWG `href`: the host in punycode, the path percent-encoded): SES takes a
          // header's value in printable ASCII only, and refuses the whole SendBulkEmail for another, so an
          // international base in each List-Unsubscribe stopped every campaign mail. No slash is added.
          z.overwrite((url) => {
            // Checked only where the checks before left a URL (a refused one is reported as it was).
            const ascii = URL.canParse(url) ? new URL(url).href : url;
            return url.endsWith('/') ? ascii : ascii.replace(/\/$/, '');
          }),
        ),
    ),
    alarmEmail: z.optional(z.email()),
  })
  .check(
    z.refine((settings) => settings.stage === 'dev' || settings.senderAddress !== placeholderSender, {
      path: ['senderAddress'],
      message: `is required outside stage dev (-c senderAddress=... or BACKLINE_SENDER_ADDRESS)`,
    }),
  );

/** Reads the settings through `context(key)` (CDK's `node.tryGetContext`) and `env`, and validates them. */
export function readSettings(
  context: (key: string) => unknown,
  env: Record<string, string | undefined> = process.env,
): Settings {
  const raw = Object.fromEntries(
    Object.entries(settingSources).map(([name, source]) => {
      const fromContext = context(source.context);
      const value = typeof fromContext === 'string' && fromContext !== '' ? fromContext : env[source.env];
      return [name, value === undefined || value === '' ? source.fallback : value];
    }),
  );
  const parsed = SettingsSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Backline settings are invalid: ${problems.join('; ')}`);
  }
  return parsed.data;
}
