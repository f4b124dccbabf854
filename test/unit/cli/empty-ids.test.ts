import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeApi, fakeApi } from '#test/support/fake-api.ts';

/**
 * An id given empty (a shell variable left unset: `backline release status "$LABEL" night-drive`) is
 * refused before any request, named, as `labels rotate-secret` refuses one: the path it would make
 * (`/labels//releases/night-drive`) is no route, and the CLI would blame the API's version for it.
 */

let api: FakeApi;

beforeAll(async () => {
  api = await fakeApi({});
});

afterAll(() => api.close());

describe('backline commands given an empty id', () => {
  it.each([
    [['release', 'status', '', 'night-drive'], 'labelId'],
    [['release', 'status', 'nightshift', ' '], 'releaseId'],
    [['release', 'deliveries', '', 'night-drive', '--csv'], 'labelId'],
    [['release', 'deliveries', 'nightshift', ''], 'releaseId'],
    [['tour', 'status', '', 'tour-1'], 'labelId'],
    [['tour', 'status', 'nightshift', ''], 'tourId'],
    [['budget', 'status', '', 'bud-1'], 'labelId'],
    [['budget', 'status', 'nightshift', ''], 'budgetId'],
  ])('backline %j refuses it, naming %s, and sends nothing', async (args, name) => {
    const before = api.requests.length;

    const result = await api.backline(args);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`backline: ${name}: must not be empty`);
    expect(api.requests.length).toBe(before);
  });
});
