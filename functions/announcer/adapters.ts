import { dynamo, eventBridge } from '#shared/clients.ts';
import { config } from '#shared/config.ts';
import { dynamoOutletDirectory } from '#shared/db/outlets.ts';
import { dynamoReleases } from '#shared/db/releases.ts';
import { publishEvents } from '#shared/events/publish.ts';
import { assetLabel } from '#shared/mail/data.ts';
import { liveMailDeps } from '#shared/mail/ses.ts';
import { normaliseEmail } from '#shared/outlets.ts';
import { promoExpiry, promoToken, promoUrl, unsubscribeToken, unsubscribeUrl } from '#shared/tokens.ts';
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
    async page(cursor, limit) {
      const page = await directory().list({ limit, ...(cursor ? { cursor } : {}) });
      return { outlets: page.outlets, ...(page.nextCursor ? { next: page.nextCursor } : {}) };
    },
    getMany: (outletIds) => directory().getMany(outletIds),
  };
}

/** Personal links: the signed one-click unsubscribe link and one promo link per asset. */
export const signedLinks = (): RecipientLinks => ({
  async forRecipient(outlet, release, sentAt) {
    const baseUrl = config().PUBLIC_BASE_URL;
    const unsubscribe = unsubscribeUrl(
      baseUrl,
      await unsubscribeToken({
        outletId: outlet.id,
        labelId: release.labelId,
        releaseId: release.releaseId,
        email: normaliseEmail(outlet.email),
      }),
    );
    const assets = release.details?.promoAssets ?? [];
    const promoLinks = await Promise.all(
      assets.map(async (asset, index) => ({
        label: assetLabel(asset.kind, index),
        url: promoUrl(
          baseUrl,
          await promoToken({
            labelId: release.labelId,
            releaseId: release.releaseId,
            outletId: outlet.id,
            assetIndex: index,
            assetKind: asset.kind,
            url: asset.url,
            ...(asset.expiresInDays ? { expiresAt: promoExpiry(sentAt, asset.expiresInDays) } : {}),
            ...(asset.maxAccesses ? { maxAccesses: asset.maxAccesses } : {}),
          }),
        ),
      })),
    );
    return { unsubscribeUrl: unsubscribe, promoLinks };
  },
});

export const liveDeps = (): AnnouncerDeps => ({
  ...liveMailDeps(announcerTimeoutSeconds),
  releases: dynamoReleases(dynamo(), config().TABLE_NAME),
  outlets: outletReader(),
  links: signedLinks(),
  events: { publish: (events) => publishEvents(eventBridge(), config().EVENT_BUS_NAME, events) },
  settings: defaultSettings,
});
