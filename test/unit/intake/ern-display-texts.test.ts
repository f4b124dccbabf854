import { describe, expect, it } from 'vitest';
import { parseErn } from '#shared/ern.ts';
import { ernBase, ernMessage } from '#test/support/ern.ts';

const single = ernMessage('single', { ...ernBase, date: '2027-03-05' });
/** The release's (not its recording's) element, which follows its ReleaseType. */
const inRelease = (element: string) => new RegExp(`(<ReleaseType>[\\s\\S]*?)<${element}>`);

/**
 * docs/design.md#ddex-ern: ERN 4 repeats a display text for other territories and languages, each
 * applying to its ApplicableTerritoryCode. The press everywhere is told the one that applies
 * everywhere, never one meant for a single territory because it came first.
 */
describe('an ERN release whose display texts differ by territory', () => {
  it('takes the title and artist name that apply everywhere, not the first one written for Japan', () => {
    const xml = single
      .replace(
        inRelease('DisplayTitleText'),
        '$1<DisplayTitleText ApplicableTerritoryCode="JP" LanguageAndScriptCode="ja">夜のドライブ</DisplayTitleText><DisplayTitleText>',
      )
      .replace(
        inRelease('DisplayArtistName'),
        '$1<DisplayArtistName ApplicableTerritoryCode="JP">ミッドナイト・エコーズ</DisplayArtistName><DisplayArtistName>',
      )
      .replace(/(<ReleaseType>[\s\S]*?)<DisplayArtist SequenceNumber="1">[\s\S]*?<\/DisplayArtist>/, '$1');

    const parsed = parseErn(xml);

    if (!parsed.ok) throw parsed.error;
    expect(parsed.release.details).toMatchObject({
      title: 'Night Drive',
      artists: [{ name: 'The Midnight Echoes' }],
    });
  });

  it('takes the one marked IsDefault first, and one for Worldwide as applying everywhere', () => {
    const titled = (titles: string) =>
      single.replace(inRelease('DisplayTitleText'), `$1${titles}<DisplayTitleText>`);
    const marked = titled(
      '<DisplayTitleText ApplicableTerritoryCode="JP">夜のドライブ</DisplayTitleText><DisplayTitleText IsDefault="true">Night Drive (Remastered)</DisplayTitleText>',
    );
    const worldwide = titled(
      '<DisplayTitleText ApplicableTerritoryCode="JP">夜のドライブ</DisplayTitleText><DisplayTitleText ApplicableTerritoryCode="Worldwide">Night Drive (Worldwide)</DisplayTitleText>',
    );

    const titles = [marked, worldwide].map((xml) => {
      const parsed = parseErn(xml);
      if (!parsed.ok) throw parsed.error;
      return parsed.release.details?.title;
    });

    expect(titles).toEqual(['Night Drive (Remastered)', 'Night Drive (Worldwide)']);
  });

  it("takes a display artist's PartyName as a title is taken: the one marked IsDefault, else one for everywhere, not the first written for Japan", () => {
    const named = (names: string) =>
      single.replace(
        '<PartyName><FullName>The Midnight Echoes</FullName></PartyName>',
        `${names}<PartyName><FullName>The Midnight Echoes</FullName></PartyName>`,
      );
    const forJapan =
      '<PartyName ApplicableTerritoryCode="JP" LanguageAndScriptCode="ja-Jpan"><FullName>ミッドナイト・エコーズ</FullName></PartyName>';
    const everywhere = named(forJapan);
    const marked = named(
      `${forJapan}<PartyName IsDefault="true"><FullName>The Midnight Echoes (Band)</FullName></PartyName>`,
    );

    const artists = [everywhere, marked].map((xml) => {
      const parsed = parseErn(xml);
      if (!parsed.ok) throw parsed.error;
      return parsed.release.details?.artists;
    });

    expect(artists).toEqual([[{ name: 'The Midnight Echoes' }], [{ name: 'The Midnight Echoes (Band)' }]]);
  });
});
