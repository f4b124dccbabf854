import { describe, expect, it } from 'vitest';
import { parseErn } from '#shared/ern.ts';
import { ernWebhookBody } from '#shared/webhooks.ts';
import { ernBase, ernIssues, ernMessage } from '#test/support/ern.ts';

const single = ernMessage('single', { ...ernBase, date: '2027-03-05' });

/**
 * docs/design.md#ddex-ern: XML 1.0 allows no C0 control but tab and line breaks, written as itself or
 * by a reference. A message holding one is not well-formed: refused, naming the element that holds it,
 * never kept in a title or a name the press is mailed.
 */
describe('an ERN message holding a character XML does not allow', () => {
  it('refuses a C0 control written as itself in a title, an artist’s name or a territory code, naming the element', () => {
    const inTitle = single.replace(
      '<DisplayTitleText>Night Drive</DisplayTitleText>',
      '<DisplayTitleText>Night\u0007Drive</DisplayTitleText>',
    );
    const inName = single.replace(
      '<FullName>The Midnight Echoes</FullName>',
      '<FullName>The Midnight\u001bEchoes</FullName>',
    );
    const inTerritory = single.replace(
      '<TerritoryCode>GB</TerritoryCode>',
      '<TerritoryCode>GB\u0000</TerritoryCode>',
    );
    const prefixed = inTitle.replace(/<(\/?)(?!ern:)([A-Z])/g, '<$1ern:$2');

    const issues = [inTitle, inName, inTerritory, prefixed].map(ernIssues);

    expect(issues).toEqual([
      [
        {
          path: 'NewReleaseMessage/ResourceList/SoundRecording/DisplayTitleText',
          message: 'holds U+0007, a character XML does not allow',
        },
      ],
      [
        {
          path: 'NewReleaseMessage/PartyList/Party/PartyName/FullName',
          message: 'holds U+001B, a character XML does not allow',
        },
      ],
      [
        {
          path: 'NewReleaseMessage/DealList/ReleaseDeal/Deal/DealTerms/TerritoryCode',
          message: 'holds U+0000, a character XML does not allow',
        },
      ],
      [
        {
          path: 'NewReleaseMessage/ResourceList/SoundRecording/DisplayTitleText',
          message: 'holds U+0007, a character XML does not allow',
        },
      ],
    ]);
  });

  it('refuses one in an attribute, naming it', () => {
    const xml = single.replace(
      '<DisplayArtist SequenceNumber="1">',
      '<DisplayArtist SequenceNumber="1\u0002">',
    );

    expect(ernIssues(xml)).toEqual([
      {
        path: 'NewReleaseMessage/ResourceList/SoundRecording/DisplayArtist/@SequenceNumber',
        message: 'holds U+0002, a character XML does not allow',
      },
    ]);
  });

  it('reads a tab and a line break in a title, which XML allows, and refuses them as the JSON webhook does: a title is one line', () => {
    const xml = single.replaceAll(
      '<DisplayTitleText>Night Drive</DisplayTitleText>',
      '<DisplayTitleText>Night\tDrive\n(Live)</DisplayTitleText>',
    );

    const parsed = parseErn(xml);

    if (!parsed.ok) throw parsed.error;
    expect(parsed.release.details?.title).toBe('Night\tDrive\n(Live)');
    const body = ernWebhookBody(parsed.release, 'release.scheduled');
    const oneLine =
      'must not hold control characters (U+0000-U+001F, U+007F-U+009F) or line separators (U+2028, U+2029), a tab or line break among them';
    expect(body.ok ? [] : body.error.issues).toEqual([
      { path: 'NewReleaseMessage/ReleaseList/Release/DisplayTitleText', message: oneLine },
      { path: 'NewReleaseMessage/ResourceList/SoundRecording/DisplayTitleText', message: oneLine },
    ]);
  });

  it('refuses a genre holding a control character XML allows (U+0085) or a line separator, naming its element as the JSON webhook names its field', () => {
    const oneLine =
      'must not hold control characters (U+0000-U+001F, U+007F-U+009F) or line separators (U+2028, U+2029), a tab or line break among them';
    const bodies = ['Synth\u0085pop', 'Synth\u2028pop'].map((genre) => {
      const parsed = parseErn(ernMessage('single', { ...ernBase, date: '2027-03-05', genre }));
      if (!parsed.ok) throw parsed.error;
      return ernWebhookBody(parsed.release, 'release.scheduled');
    });

    expect(bodies.map((body) => (body.ok ? [] : body.error.issues))).toEqual(
      Array(2).fill([{ path: 'NewReleaseMessage/ReleaseList/Release/Genre/GenreText', message: oneLine }]),
    );
  });
});
