import fc from 'fast-check';
import { describe, it } from 'vitest';
import { type ManagementDeps, makeHandler, managementRoutes } from '#functions/management/handler.ts';
import { startJob } from '#functions/management/jobs.ts';
import { InvalidCursorError } from '#shared/db/keys.ts';
import { mailSubjects } from '#shared/db/subject-deliveries.ts';
import { aReleaseClaim, FakeDeliveries } from '#test/support/announcer-fakes.ts';
import { aLabel, InMemoryLabels } from '#test/support/intake.ts';
import { jobWorld } from '#test/support/jobs.ts';
import { anOutlet, anOutletInput } from '#test/support/outlets.ts';
import { aStoredRelease, InMemoryReleases } from '#test/support/releases.ts';
import { aRequestTo, expectEveryRouteAt4xxWorst } from '#test/support/route-fuzz.ts';

/**
 * Every route of the management function (labels, the media directory, releases, jobs), driven by the
 * route list its API document is generated from, under random and mutated requests: never a 5xx nor a
 * throw; a 4xx says what is wrong (a 400 each field and why) and changes nothing
 * (docs/design.md#routes-and-auth).
 */
async function aManagement() {
  const labels = new InMemoryLabels(aLabel({ labelId: 'acme' }));
  const world = jobWorld({ labels });
  const now = () => world.clock.now;
  world.outlets.outlets.set('out-1', anOutlet({ id: 'out-1' }));
  const job = await startJob(
    {
      kind: 'webhook-replay',
      labelId: 'acme',
      from: '2027-01-01T00:00:00.000Z',
      to: '2027-01-04T00:00:00.000Z',
    },
    [],
    {},
    world.routes,
  );
  const releases = new InMemoryReleases();
  releases.stored.set('acme/rel-1', aStoredRelease({ labelId: 'acme', releaseId: 'rel-1' }));
  const deliveries = new FakeDeliveries();
  await deliveries.claim(
    aReleaseClaim(anOutlet({ id: 'out-1' }), { labelId: 'acme', releaseId: 'rel-1' }),
    '2027-01-05T10:00:00.000Z',
  );
  let outlets = 0;
  const deps: ManagementDeps = {
    apiKey: async () => 'key',
    labels: { labels, jobs: world.routes, now },
    jobs: world.routes,
    outlets: { outlets: world.outlets, jobs: world.routes, now, newOutletId: () => `out-new-${++outlets}` },
    releases: {
      getRelease: releases.get,
      deliveries: (labelId, releaseId) => deliveries.ofSubject(labelId, mailSubjects.release(releaseId)),
      // Paged by index as a cursor, as the deliveries export's test pages them.
      deliveriesPage: async (labelId, releaseId, { limit, cursor }) => {
        if (cursor !== undefined && !/^\d+$/.test(cursor))
          throw new InvalidCursorError('cursor is not one this API returned');
        const all = await deliveries.ofSubject(labelId, mailSubjects.release(releaseId));
        const from = Number(cursor ?? 0);
        return {
          deliveries: all.slice(from, from + limit),
          ...(from + limit < all.length ? { nextCursor: String(from + limit) } : {}),
        };
      },
      promoAccesses: async () => new Map(),
      labels,
    },
  };
  return { deps, stores: [labels, world.store, world.outlets, releases, deliveries], jobId: job.jobId };
}

describe("the management function's routes under random and mutated requests", () => {
  it('answers each with a 2xx, or a 4xx saying what is wrong that changes nothing', async () => {
    // The routes and ids are the same in every world; each request is sent to a world of its own.
    const { deps: listed, jobId } = await aManagement();
    const routes = managementRoutes(listed);
    const requests = aRequestTo(routes, {
      ids: {
        labelId: ['acme', 'nope'],
        releaseId: ['rel-1'],
        outletId: ['out-1'],
        jobId: [jobId],
      },
      bodies: {
        'POST /labels': { name: 'Night Owl', id: 'night-owl' },
        'POST /labels/{labelId}/replays': { from: '2027-01-01T00:00:00Z', to: '2027-01-02T00:00:00Z' },
        'POST /media-outlets': anOutletInput({ name: 'Radio Eins', email: 'desk@eins.example' }),
        'PUT /media-outlets/{outletId}': anOutletInput({ email: 'desk@radio.example' }),
        'POST /media-outlets/import':
          'name,email,kind,genres,territories\nRadio Eins,desk@eins.example,radio,indie;pop,DE\n',
      },
    });

    await expectEveryRouteAt4xxWorst(routes, requests, fc.constant(undefined), async () => {
      const { deps, stores } = await aManagement();
      return { handler: makeHandler(deps), stores };
    });
  }, 60_000);
});
