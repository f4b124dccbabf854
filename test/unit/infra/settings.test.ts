import { describe, expect, it } from 'vitest';
import { placeholderSender, readSettings } from '#infra/settings.ts';

const noContext = () => undefined;
const contextOf = (values: Record<string, string>) => (key: string) => values[key];

describe('deployment settings', () => {
  it('defaults to a dev stage in London time with the placeholder sender and the API URL as base', () => {
    const settings = readSettings(noContext, {});

    expect(settings).toEqual({
      stage: 'dev',
      senderAddress: placeholderSender,
      managerTimeZone: 'Europe/London',
      publicBaseUrl: undefined,
    });
  });

  it('takes CDK context over the environment', () => {
    const env = { BACKLINE_STAGE: 'staging', BACKLINE_SENDER_ADDRESS: 'env@label.example' };

    const settings = readSettings(contextOf({ stage: 'prod', senderAddress: 'press@label.example' }), env);

    expect(settings.stage).toBe('prod');
    expect(settings.senderAddress).toBe('press@label.example');
  });

  it('reads every setting from the environment when no context is given', () => {
    const env = {
      BACKLINE_STAGE: 'staging',
      BACKLINE_SENDER_ADDRESS: 'press@label.example',
      BACKLINE_MANAGER_TIME_ZONE: 'America/New_York',
      BACKLINE_PUBLIC_BASE_URL: 'https://links.label.example',
    };

    const settings = readSettings(noContext, env);

    expect(settings).toEqual({
      stage: 'staging',
      senderAddress: 'press@label.example',
      managerTimeZone: 'America/New_York',
      publicBaseUrl: 'https://links.label.example',
    });
  });

  it('refuses to deploy a stage other than dev with the placeholder sender', () => {
    const act = () => readSettings(contextOf({ stage: 'prod' }), {});

    expect(act).toThrow(/senderAddress: is required outside stage dev/);
  });

  it('refuses a public base URL that is not https: every campaign mail names its one-click unsubscribe link, which RFC 8058 wants https', () => {
    const act = () => readSettings(contextOf({ publicBaseUrl: 'http://links.label.example' }), {});

    expect(act).toThrow(/publicBaseUrl: must be an https URL/);
  });

  it.each([
    'https://links.label.example/?utm_source=mail',
    'https://links.label.example/#top',
    'https://links.label.example?',
  ])(
    'refuses a public base URL with a query string or a fragment (%s): every link in mail is the base followed by its path',
    (url) => {
      const act = () => readSettings(contextOf({ publicBaseUrl: url }), {});

      expect(act).toThrow(/publicBaseUrl: must have no query string or fragment/);
    },
  );

  // SES v2 takes a header's value in printable ASCII only, and refuses the whole SendBulkEmail for another:
  // every campaign mail's List-Unsubscribe holds the base.
  it.each([
    ['https://presse.bücher.example', 'https://presse.xn--bcher-kva.example'],
    ['https://links.label.example/presse/actualités', 'https://links.label.example/presse/actualit%C3%A9s'],
    ['https://links.label.example/', 'https://links.label.example/'],
  ])(
    'takes a public base URL (%s) in its ASCII form, the only one a List-Unsubscribe header holds',
    (url, ascii) => {
      const settings = readSettings(contextOf({ publicBaseUrl: url }), {});

      expect(settings.publicBaseUrl).toBe(ascii);
    },
  );

  it('names the setting that is malformed', () => {
    expect(() => readSettings(contextOf({ managerTimeZone: 'Mars/Olympus' }), {})).toThrow(/managerTimeZone/);
    expect(() => readSettings(contextOf({ stage: 'Prod_1' }), {})).toThrow(/stage/);
    expect(() => readSettings(contextOf({ senderAddress: 'not-an-address' }), {})).toThrow(/senderAddress/);
    expect(() => readSettings(contextOf({ publicBaseUrl: 'links.label.example' }), {})).toThrow(
      /publicBaseUrl/,
    );
  });
});
