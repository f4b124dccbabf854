import { defineEvent, describeEvent } from './envelope.ts';
import { ReleaseDetails, sampleRelease } from './release-scheduled.ts';

export const ReleaseUpdated = defineEvent({
  detailType: 'Release Updated',
  source: 'backline.intake',
  schemaVersion: 1,
  data: () => ReleaseDetails,
});
DOCS: describeEvent(ReleaseUpdated, {
  description: 'A label changed a scheduled release; `data` is the whole release as it now stands.',
  sample: {
    ...sampleRelease,
    releaseDate: '2027-03-12',
    territories: ['GB', 'IE', 'DE'],
    radioServicing: {
      servicingDate: '2027-02-22',
      addDates: [
        { format: 'AAA', territory: 'GB', date: '2027-03-01' },
        { format: 'CHR', territory: 'DE', date: '2027-03-08' },
      ],
      edits: [{ kind: 'radio-edit', assetUrl: 'https://promo.example.com/night-drive-radio-edit' }],
    },
  },
});
