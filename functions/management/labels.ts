import { randomBytes, randomUUID } from 'node:crypto';
import {
  activeSecrets,
  type Label,
  type Labels,
  labelIdPattern,
  maxActiveSecrets,
  verifiesAt,
  withRevokedSecrets,
  withRotatedSecret,
} from '#shared/db/labels.ts';
import { Name, UtcInstant } from '#shared/events/fields.ts';
import {
  bodyOf,
  conflict,
  failure,
  type HttpEvent,
  type HttpResult,
  JobAccepted,
  jobLocation,
  json,
  notFound,
  writeConflict,
} from '#shared/http/index.ts';
import type { ManagementRoute } from '#shared/http/manager-api.ts';
import * as z from '#shared/zod.ts';
import { accepted, type JobRoutesDeps, startJob } from './jobs.ts';

export interface LabelRoutesDeps {
  labels: Labels;
  /** Replays run as jobs. */
  jobs: JobRoutesDeps;
  now: () => Date;
  newSecret?: () => string;
  newLabelId?: () => string;
}

/** Standard Webhooks: secrets are 24-64 random bytes, `whsec_` + base64. */
export const newWebhookSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

/** Bodies are closed: a misspelt field is a 400 naming it, not a label under a generated id (docs/design.md#routes-and-auth). */
export const NewLabel = z.lazy(() =>
  z.strictObject({
    name: Name,
    id: z.optional(
      z
        .string()
        .check(
          z.regex(
            labelIdPattern,
            'must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit',
          ),
        ),
    ),
  }),
);

export const ReplayRange = z.lazy(() =>
  z.strictObject({ from: UtcInstant, to: UtcInstant }).check(
    z.refine((range) => Date.parse(range.from) <= Date.parse(range.to), {
      message: 'must not be before from',
      path: ['to'],
      // Only two instants have an order: a `from` that is none is its own 400, not a valid `to`'s.
      when: (payload) => payload.issues.length === 0,
    }),
  ),
);

const CreatedLabel = z.lazy(() =>
  z.object({
    id: z.string(),
    name: z.string(),
    webhookSecret: z.string().check(z.describe('whsec_ + base64: shown once, never again')),
  }),
);

const LabelView = z.lazy(() =>
  z.object({
    id: z.string(),
    name: z.string(),
    createdAt: z.string(),
    secrets: z
      .array(z.object({ createdAt: z.string(), retiresAt: z.optional(z.string()) }))
      .check(
        z.describe(
          'the secrets that verify now: the current one, then those rotated out and still in their 24 hours (retiresAt); a retired or revoked one is not listed',
        ),
      ),
  }),
);

const noLabel = failure('no such label');

const labelOf = async (deps: LabelRoutesDeps, labelId: string | undefined): Promise<Label> => {
  const label = labelId ? await deps.labels.get(labelId) : undefined;
  if (!label) throw notFound('label');
  return label;
};

/** `POST /labels`: the secret is returned here and never again. */
export async function createLabel(input: z.infer<typeof NewLabel>, deps: LabelRoutesDeps) {
  const now = deps.now().toISOString();
  const label: Label = {
    labelId: input.id ?? (deps.newLabelId ?? randomUUID)(),
    name: input.name,
    createdAt: now,
    version: 1,
    secrets: [{ value: (deps.newSecret ?? newWebhookSecret)(), createdAt: now }],
  };
  if (!(await deps.labels.create(label))) throw conflict(`label ${label.labelId} already exists`);
  return { id: label.labelId, name: label.name, webhookSecret: label.secrets[0].value };
}

/**
 * `GET /labels/{labelId}`: when the secrets that verify at `now` were made and retire, never their
 * values. A rotated-out secret stays stored past its `retiresAt` until the next rotation drops it,
 * and is not listed then: it no longer verifies.
 */
export const describeLabel = (label: Label, now: Date) => ({
  id: label.labelId,
  name: label.name,
  createdAt: label.createdAt,
  secrets: label.secrets
    .filter((secret) => verifiesAt(secret, now))
    .map(({ createdAt, retiresAt }) => ({ createdAt, ...(retiresAt ? { retiresAt } : {}) })),
});

/**
 * `POST /labels/{labelId}/secrets/rotate`: a new current secret; the previous one verifies for 24 more hours.
 * At most `maxActiveSecrets` verify at once: past that, 409 until rotated-out ones are revoked or retire.
 */
export async function rotateSecret(labelId: string | undefined, deps: LabelRoutesDeps) {
  for (let attempt = 0; attempt < 3; attempt++) {
    const label = await labelOf(deps, labelId);
    const now = deps.now();
    const active = label.secrets.filter((s) => verifiesAt(s, now));
    if (activeSecrets(label, now).length >= maxActiveSecrets) {
      const nextRetirement = active
        .flatMap((s) => (s.retiresAt ? [s.retiresAt] : []))
        .sort()
        .at(0);
      throw conflict(
        `label ${label.labelId} already has ${maxActiveSecrets} active secrets (the current one and ${maxActiveSecrets - 1} rotated out); ` +
          `revoke the rotated-out ones (POST /labels/${label.labelId}/secrets/revoke) or wait until ${nextRetirement}`,
      );
    }
    const rotated = withRotatedSecret(label, (deps.newSecret ?? newWebhookSecret)(), now);
    if (await deps.labels.update(rotated)) {
      return {
        id: rotated.labelId,
        webhookSecret: rotated.secrets[0].value,
        previousSecretRetiresAt: rotated.secrets[1]?.retiresAt,
      };
    }
  }
  throw conflict('the secret was rotated concurrently; try again');
}

/**
 * `POST /labels/{labelId}/secrets/revoke`: every rotated-out secret stops verifying now, without its grace
 * period (a leaked secret); the current one stays. To revoke the current secret, rotate, then revoke.
 */
export async function revokeSecrets(labelId: string | undefined, deps: LabelRoutesDeps) {
  for (let attempt = 0; attempt < 3; attempt++) {
    const label = await labelOf(deps, labelId);
    const now = deps.now();
    const revoked = withRevokedSecrets(label);
    const count = activeSecrets(label, now).length - activeSecrets(revoked, now).length;
    if (count === 0) return { id: label.labelId, revoked: 0 };
    if (await deps.labels.update(revoked)) return { id: label.labelId, revoked: count };
  }
  throw conflict('the secrets changed concurrently; try again');
}

/**
 * `POST /labels/{labelId}/replays`: starts a job that re-publishes the events of the label's webhooks
 * received in [from, to], oldest first, with their original eventIds (a replay is a redelivery;
 * consumers stay idempotent). A range may hold any number of webhooks, so it is paged by the jobs
 * function and watched at `GET /jobs/{jobId}` (see docs/design.md#jobs).
 */
export async function startReplay(
  labelId: string | undefined,
  range: z.infer<typeof ReplayRange>,
  deps: LabelRoutesDeps,
) {
  // Whether the label exists, no more: its secrets are not opened, so no KMS Decrypt (docs/design.md#secrets).
  if (!labelId || !(await deps.labels.exists(labelId))) throw notFound('label');
  return startJob(
    {
      kind: 'webhook-replay',
      labelId,
      from: range.from,
      to: range.to,
    },
    [],
    {},
    deps.jobs,
  );
}

export const labelRoutes = (deps: LabelRoutesDeps): ManagementRoute[] => [
  {
    method: 'POST',
    path: '/labels',
    handler: async (event: HttpEvent): Promise<HttpResult> =>
      json(201, await createLabel(bodyOf(NewLabel, event), deps)),
    doc: {
      summary: 'Add a label',
      description: 'Answers the webhook secret the label signs its webhooks with, once.',
      body: { schema: NewLabel },
      responses: {
        201: { description: 'the label and its webhook secret', schema: CreatedLabel },
        400: failure('a field is invalid'),
        409: failure('a label with this id exists'),
      },
    },
  },
  {
    method: 'GET',
    path: '/labels/{labelId}',
    handler: async (event: HttpEvent): Promise<HttpResult> =>
      json(200, describeLabel(await labelOf(deps, event.pathParameters?.labelId), deps.now())),
    doc: {
      summary: 'A label (never its secrets)',
      description:
        'Lists the secrets that verify now, when each was made and when a rotated-out one retires; one retired or revoked is not listed.',
      responses: { 200: { description: 'the label', schema: LabelView }, 404: noLabel },
    },
  },
  {
    method: 'POST',
    path: '/labels/{labelId}/secrets/rotate',
    handler: async (event: HttpEvent): Promise<HttpResult> =>
      json(201, await rotateSecret(event.pathParameters?.labelId, deps)),
    doc: {
      summary: "Rotate a label's webhook secret",
      description:
        'The previous secret keeps verifying for 24 hours; at most 3 verify at once. The new one verifies at once, but for a webhook signed with it within a second of a signature to the label that no secret matched: intake reads a label again for such a signature at most once a second, so that webhook is refused 401 and its retry taken.',
      responses: {
        201: {
          description: 'the new secret',
          schema: z.lazy(() =>
            z.object({
              id: z.string(),
              webhookSecret: z.string(),
              previousSecretRetiresAt: z.optional(z.string()),
            }),
          ),
        },
        404: noLabel,
        409: failure(
          '3 secrets are active already: revoke the rotated-out ones first; or another rotation or revocation came first three times: send it again',
        ),
      },
    },
  },
  {
    method: 'POST',
    path: '/labels/{labelId}/secrets/revoke',
    handler: async (event: HttpEvent): Promise<HttpResult> =>
      json(200, await revokeSecrets(event.pathParameters?.labelId, deps)),
    doc: {
      summary: 'Revoke every rotated-out webhook secret now',
      description:
        "Intake keeps a label's secrets in memory for up to 30 seconds, so a revoked secret stops verifying within 30 seconds (a newly rotated-in one verifies at once, but within a second of a signature no secret matched: see the rotation).",
      responses: {
        200: {
          description: 'how many secrets stopped working',
          schema: z.lazy(() => z.object({ id: z.string(), revoked: z.int() })),
        },
        404: noLabel,
      },
    },
  },
  {
    method: 'POST',
    path: '/labels/{labelId}/replays',
    handler: async (event: HttpEvent): Promise<HttpResult> =>
      accepted(await startReplay(event.pathParameters?.labelId, bodyOf(ReplayRange, event), deps)),
    doc: {
      summary: "Replay a label's recorded webhooks received in a time range",
      description:
        'A job: watch it at GET /jobs/{jobId} (its Location); its result is {replayed, rejectedCount, rejected}: replayed counts the webhooks put back for publishing (with their original eventIds), rejected lists those that could not be, each with its webhookId and why, and rejectedCount counts them all.',
      body: { schema: ReplayRange },
      responses: {
        202: { description: 'the job, started', schema: JobAccepted, headers: jobLocation },
        400: failure('from or to is invalid'),
        404: noLabel,
        503: writeConflict,
      },
    },
  },
];
