import { dynamo, eventBridge } from '#shared/clients.ts';
import { config } from '#shared/config.ts';
import { dynamoComingReleases } from '#shared/db/coming-releases.ts';
import { dynamoResendingClaims } from '#shared/db/deliveries.ts';
import { dynamoLabelNames } from '#shared/db/labels.ts';
import { dynamoMailingFacts } from '#shared/db/mailing-facts.ts';
import { dynamoOutletDirectory } from '#shared/db/outlets.ts';
import { outletsById } from '#shared/db/outlets-by-id.ts';
import { publishEvents } from '#shared/events/publish.ts';
import { assetLabel, unsubscribeUrlLimit } from '#shared/mail/data.ts';
import { liveMailDeps } from '#shared/mail/ses.ts';
import { normaliseEmail } from '#shared/outlets.ts';
import type { StoredRelease } from '#shared/releases.ts';
import { promoToken, promoUrl, unsubscribeUrlWithin } from '#shared/tokens.ts';
import {
  type AnnouncerDeps,
  announcerTimeoutSeconds,
  defaultSettings,
  type OutletReader,
  type RecipientLinks,
} from './ports.ts';

export function outletReader(): OutletReader {
  let built: ReturnType<typeof dynamoOutletDirectory> | undefined;
  const directory = () => {
    built ??= dynamoOutletDirectory();
    return built;
  };
  return {
    async page(cursor, limit, genres) {
      const page = await directory().list({
        limit,
        ...(cursor ? { cursor } : {}),
        ...(genres ? { genres } : {}),
      });
      return { outlets: page.outlets, ...(page.nextCursor ? { next: page.nextCursor } : {}) };
    },
    getMany: (outletIds) => outletsById(dynamo(), config().TABLE_NAME, outletIds),
    atAddress: (email) => directory().findByEmail(email),
  };
}

/** A release's promo assets have indexes from 0 (at most 20), its radio edits from here: their access counts never meet. */
const radioEditIndexes = 100;

/** The assets a mail links to: the release's promo assets, or for radio its edits when it has any. */
function promoAssetsOf(release: StoredRelease, radio: boolean) {
  const edits = radio ? (release.details?.radioServicing?.edits ?? []) : [];
  if (edits.length > 0) {
    return edits.map((edit, at) => ({
      kind: edit.kind,
      url: edit.assetUrl,
      index: radioEditIndexes + at,
      position: at,
      expiresInDays: undefined,
      maxAccesses: undefined,
    }));
  }
  return (release.details?.promoAssets ?? []).map((asset, index) => ({ ...asset, index, position: index }));
}

/** Personal links: the signed one-click unsubscribe link and one promo link per asset. */
export const signedLinks = (): RecipientLinks => ({
  async forRecipient(outlet, release, sentAt, options = {}) {
    const baseUrl = config().PUBLIC_BASE_URL;
    const unsubscribe = await unsubscribeUrlWithin(
      baseUrl,
      {
        outletId: outlet.id,
        labelId: release.labelId,
        releaseId: release.releaseId,
        email: normaliseEmail(outlet.email),
      },
      unsubscribeUrlLimit,
    );
    const assets = promoAssetsOf(release, options.radio === true);
    const sentAtSeconds = Math.floor(sentAt.getTime() / 1000);
    const promoLinks = await Promise.all(
      assets.map(async (asset) => ({
        label: assetLabel(asset.kind, asset.position),
        url: promoUrl(
          baseUrl,
          await promoToken({
            labelId: release.labelId,
            releaseId: release.releaseId,
            outletId: outlet.id,
            assetIndex: asset.index,
            assetKind: asset.kind,
            url: asset.url,
            ...(asset.expiresInDays ? { lasts: { days: asset.expiresInDays, sentAt: sentAtSeconds } } : {}),
            ...(asset.maxAccesses ? { maxAccesses: asset.maxAccesses } : {}),
          }),
        ),
      })),
    );
    return { unsubscribeUrl: unsubscribe, promoLinks };
  },
});

export const liveDeps = (): AnnouncerDeps => ({
  ...liveMailDeps('announcer', announcerTimeoutSeconds),
  deliveries: dynamoResendingClaims(dynamo(), config().TABLE_NAME),
  releases: dynamoComingReleases(dynamo(), config().TABLE_NAME),
  labels: dynamoLabelNames(dynamo(), config().TABLE_NAME),
  outlets: outletReader(),
  links: signedLinks(),
  events: { publish: (events) => publishEvents(eventBridge(), config().EVENT_BUS_NAME, events) },
  facts: dynamoMailingFacts(dynamo(), config().TABLE_NAME),
  settings: defaultSettings,
});
