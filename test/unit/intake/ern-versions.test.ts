import { describe, expect, it } from 'vitest';
import { parseErn } from '#shared/ern.ts';
import { ernWebhookBody } from '#shared/webhooks.ts';
import { ernBase, ernIssues, ernMessage } from '#test/support/ern.ts';

const values = { ...ernBase, date: '2027-03-05' };
/** The release's (not its TrackRelease's) element, which follows its ReleaseType. */
const inRelease = (element: string) =>
  new RegExp(`(<ReleaseType>[\\s\\S]*?)<${element}>([\\s\\S]*?)</${element}>`);

/**
 * docs/design.md#ddex-ern: ERN 4.3.1 and 4.3.2 are read beside 4.3. Of the elements Backline reads,
 * they differ from 4.3 in the release's genre, `DisplayGenre` where 4.3 has `Genre`, and in a
 * DisplayArtist that may be a `SpecialDisplayArtist` (Various Artists) naming no party.
 */
describe('reading ERN 4.3.1 and 4.3.2 beside ERN 4.3', () => {
  it('reads an ERN 4.3.2 single, and a 4.3.1 one, to the same release as their ERN 4.3 twin, genres from DisplayGenre', () => {
    const twin = parseErn(ernMessage('single', values));

    const read = [
      parseErn(ernMessage('single-ern432', values)),
      parseErn(ernMessage('single-ern431', values)),
    ];

    if (!twin.ok) throw twin.error;
    expect(twin.release.details?.genres).toEqual(['Synthpop']);
    expect(read).toEqual([
      { ok: true, release: { ...twin.release, genresFrom: 'DisplayGenre' } },
      { ok: true, release: { ...twin.release, genresFrom: 'DisplayGenre' } },
    ]);
  });

  it("reads a 4.3.2 release's genre from its DisplayGenre, not the TrackRelease's", () => {
    const xml = ernMessage('single-ern432', { ...values, genre: 'Italo Disco' }).replace(
      /(<TrackRelease>[\s\S]*?<GenreText>)Italo Disco/,
      '$1Ambient',
    );

    const parsed = parseErn(xml);

    if (!parsed.ok) throw parsed.error;
    expect(parsed.release.details?.genres).toEqual(['Italo Disco']);
  });

  it("refuses the other version's genre element, naming it, where reading it as missing would lose the genres unsaid", () => {
    const genreIn432 = ernMessage('single-ern432', values).replace(
      inRelease('DisplayGenre'),
      '$1<Genre>$2</Genre>',
    );
    const displayGenreIn43 = ernMessage('single', values).replace(
      inRelease('Genre'),
      '$1<DisplayGenre>$2</DisplayGenre>',
    );

    const issues = [ernIssues(genreIn432), ernIssues(displayGenreIn43)];

    expect(issues).toEqual([
      [
        {
          path: 'NewReleaseMessage/ReleaseList/Release/Genre',
          message: "is not an ERN 4.3.2 element: ERN 4.3.2 gives a release's genres in DisplayGenre",
        },
      ],
      [
        {
          path: 'NewReleaseMessage/ReleaseList/Release/DisplayGenre',
          message: "is not an ERN 4.3 element: ERN 4.3 gives a release's genres in Genre",
        },
      ],
    ]);
  });

  it('names a 4.3.2 genre the webhook schema refuses by DisplayGenre/GenreText, the element it was read from', () => {
    const parsed = parseErn(ernMessage('single-ern432', { ...values, genre: 'g'.repeat(61) }));
    if (!parsed.ok) throw parsed.error;

    const checked = ernWebhookBody(parsed.release, 'release.scheduled');

    expect(checked.ok ? [] : checked.error.issues.map((issue) => issue.path)).toEqual([
      'NewReleaseMessage/ReleaseList/Release/DisplayGenre/GenreText',
    ]);
  });

  it("reads a 4.3.2 compilation whose DisplayArtist is a SpecialDisplayArtist (Various Artists) by the release's DisplayArtistName", () => {
    const xml = ernMessage('single-ern432', values)
      .replace(inRelease('DisplayArtistName'), '$1<DisplayArtistName>Various Artists</DisplayArtistName>')
      .replace(
        /(<ReleaseType>[\s\S]*?)<DisplayArtist SequenceNumber="1">[\s\S]*?<\/DisplayArtist>/,
        '$1<DisplayArtist><SpecialDisplayArtist>VariousArtists</SpecialDisplayArtist></DisplayArtist>',
      );

    const parsed = parseErn(xml);

    if (!parsed.ok) throw parsed.error;
    expect(parsed.release.artistsFrom).toBe('DisplayArtistName');
    expect(parsed.release.details?.artists).toEqual([{ name: 'Various Artists' }]);
  });
});
