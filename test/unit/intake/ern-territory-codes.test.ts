import { describe, expect, it } from 'vitest';
import { parseErn } from '#shared/ern.ts';
import { ernBase, ernIssues, ernMessage } from '#test/support/ern.ts';

const single = ernMessage('single', { ...ernBase, date: '2027-03-05' });
const countries = /<TerritoryCode>GB<\/TerritoryCode>\s*<TerritoryCode>IE<\/TerritoryCode>/g;
const emptyTerritory = 'is empty: each names a territory (an ISO 3166-1 alpha-2 code, or Worldwide)';
const dealTerms = 'NewReleaseMessage/DealList/ReleaseDeal/Deal/DealTerms';

/**
 * docs/design.md#ddex-ern: a deal's territories are each named by a code. An empty one names none, so
 * which territory the label meant is not known: it is refused, never dropped beside the codes given.
 */
describe('an ERN deal with an empty territory code', () => {
  it('refuses an empty or blank TerritoryCode beside real codes, naming it, rather than dropping it', () => {
    const empty = single.replaceAll(countries, '<TerritoryCode>GB</TerritoryCode><TerritoryCode/>');
    const blank = single.replaceAll(
      countries,
      '<TerritoryCode>GB</TerritoryCode><TerritoryCode> \n </TerritoryCode>',
    );

    const issues = [ernIssues(empty), ernIssues(blank)];

    const refusal = { path: `${dealTerms}/TerritoryCode`, message: emptyTerritory };
    expect(issues).toEqual([[refusal], [refusal]]);
  });

  it('refuses an empty TerritoryCode alone as empty, not as missing', () => {
    const alone = single.replaceAll(countries, '<TerritoryCode></TerritoryCode>');

    expect(ernIssues(alone)).toEqual([{ path: `${dealTerms}/TerritoryCode`, message: emptyTerritory }]);
  });

  it('refuses an empty ExcludedTerritoryCode, beside Worldwide or alone, naming it', () => {
    const besideWorldwide = single.replaceAll(
      countries,
      '<TerritoryCode>Worldwide</TerritoryCode><ExcludedTerritoryCode>DE</ExcludedTerritoryCode><ExcludedTerritoryCode/>',
    );
    const alone = single.replaceAll(countries, '<ExcludedTerritoryCode> </ExcludedTerritoryCode>');

    const issues = [ernIssues(besideWorldwide), ernIssues(alone)];

    const refusal = { path: `${dealTerms}/ExcludedTerritoryCode`, message: emptyTerritory };
    expect(issues).toEqual([[refusal], [refusal]]);
  });
});

/**
 * docs/design.md#ddex-ern: a takedown withdraws the release wherever its deal applies, whatever else
 * runs there. A takedown giving ExcludedTerritoryCode does not apply in those countries, where a
 * Worldwide deal may still run; the reader keeps no such "everywhere but" takedown, so it is refused
 * rather than read as a takedown everywhere (a cancellation to the press of every country).
 */
describe('an ERN takedown excluding countries', () => {
  const worldwide = single.replaceAll(countries, '<TerritoryCode>Worldwide</TerritoryCode>');
  const takedown = (territories: string) =>
    worldwide.replace(
      '</ReleaseDeal>',
      `<Deal><DealTerms>${territories}<ValidityPeriod><StartDate>2027-01-01</StartDate></ValidityPeriod><TakeDown>true</TakeDown></DealTerms></Deal></ReleaseDeal>`,
    );

  it('refuses it, naming its ExcludedTerritoryCode, rather than taking the release down in those countries too', () => {
    const alone = takedown('<ExcludedTerritoryCode>DE</ExcludedTerritoryCode>');
    const besideWorldwide = takedown(
      '<TerritoryCode>Worldwide</TerritoryCode><ExcludedTerritoryCode>DE</ExcludedTerritoryCode>',
    );

    const issues = [ernIssues(alone), ernIssues(besideWorldwide)];

    const refusal = {
      path: `${dealTerms}/ExcludedTerritoryCode`,
      message: 'is not read beside TakeDown: list the territories taken down with TerritoryCode',
    };
    expect(issues).toEqual([[refusal], [refusal]]);
  });

  it('still takes the release down in the countries a takedown lists, worldwide except them', () => {
    const parsed = parseErn(takedown('<TerritoryCode>DE</TerritoryCode>'));

    if (!parsed.ok) throw parsed.error;
    expect(parsed.release.details).toMatchObject({ territories: ['WW'], excludedTerritories: ['DE'] });
  });
});

/**
 * docs/design.md#ddex-ern: a ReleaseVisibility's territories are named by codes as a deal's are, and
 * give the preview start there; an empty one is refused, never dropped beside the codes given.
 */
describe('an ERN ReleaseVisibility with an empty territory code', () => {
  const threeTerritories = ernMessage('three-territories', {
    ...ernBase,
    dateGB: '2027-03-05',
    dateDE: '2027-03-12',
    dateUS: '2027-03-19',
    preOrderDate: '2027-02-05',
  });
  const visibilityCodes =
    /(<VisibilityReference>V1<\/VisibilityReference>)\s*<TerritoryCode>GB<\/TerritoryCode>/;

  it('refuses an empty or blank TerritoryCode there, naming it, rather than dropping it', () => {
    const empty = threeTerritories.replace(
      visibilityCodes,
      '$1<TerritoryCode/><TerritoryCode>GB</TerritoryCode>',
    );
    const blank = threeTerritories.replace(
      visibilityCodes,
      '$1<TerritoryCode>GB</TerritoryCode><TerritoryCode> </TerritoryCode>',
    );

    const issues = [ernIssues(empty), ernIssues(blank)];

    const refusal = {
      path: 'NewReleaseMessage/DealList/ReleaseVisibility/TerritoryCode',
      message: emptyTerritory,
    };
    expect(issues).toEqual([[refusal], [refusal]]);
  });
});

/**
 * docs/design.md#ddex-ern: DDEX's territory codes (the AVS CurrentTerritoryCode ERN 4.3 types
 * TerritoryCode and ExcludedTerritoryCode with) name the whole world `Worldwide`; `WW` is none of them,
 * only Backline's JSON spelling. Read as worldwide in one place and not in another, it was refused
 * beside ExcludedTerritoryCode as if a country: it is refused wherever a territory code is read.
 */
describe('an ERN territory code WW', () => {
  const ww = { message: 'is WW, which is no DDEX territory code: write Worldwide for the whole world' };

  it('is refused in a deal, naming the element and saying to write Worldwide, alone or beside ExcludedTerritoryCode', () => {
    const alone = single.replaceAll(countries, '<TerritoryCode>WW</TerritoryCode>');
    const excluding = single.replaceAll(
      countries,
      '<TerritoryCode>WW</TerritoryCode><ExcludedTerritoryCode>DE</ExcludedTerritoryCode>',
    );
    const excluded = single.replaceAll(countries, '<ExcludedTerritoryCode>WW</ExcludedTerritoryCode>');

    const issues = [ernIssues(alone), ernIssues(excluding), ernIssues(excluded)];

    expect(issues).toEqual([
      [{ path: `${dealTerms}/TerritoryCode`, ...ww }],
      [{ path: `${dealTerms}/TerritoryCode`, ...ww }],
      [{ path: `${dealTerms}/ExcludedTerritoryCode`, ...ww }],
    ]);
  });

  it('is refused in a ReleaseVisibility, naming it', () => {
    const message = ernMessage('three-territories', {
      ...ernBase,
      dateGB: '2027-03-05',
      dateDE: '2027-03-12',
      dateUS: '2027-03-19',
      preOrderDate: '2027-02-05',
    }).replace(/(<VisibilityReference>V1<\/VisibilityReference>)/, '$1<TerritoryCode>WW</TerritoryCode>');

    expect(ernIssues(message)).toEqual([
      { path: 'NewReleaseMessage/DealList/ReleaseVisibility/TerritoryCode', ...ww },
    ]);
  });

  it('still reads Worldwide as the whole world', () => {
    const parsed = parseErn(single.replaceAll(countries, '<TerritoryCode>Worldwide</TerritoryCode>'));

    if (!parsed.ok) throw parsed.error;
    expect(parsed.release.details?.territories).toEqual(['WW']);
  });
});
