import * as z from '../zod.ts';
import { catalogue } from './index.ts';
import { SesEvent } from './ses.ts';

/**
 * The event catalogue as JSON Schema and an AsyncAPI 3 document, so consumers outside the code can
 * read the contracts. `npm run docs` writes them under docs/ (infra/docs.ts); a test holds them fresh.
 */
export function eventDocuments() {
  const schemas: Record<string, Record<string, unknown>> = Object.fromEntries(
    catalogue.map((contract) => [
      contract.detailType.replaceAll(' ', ''),
      {
        ...z.toJSONSchema(contract.detail, { io: 'output', unrepresentable: 'any' }),
        title: contract.detailType,
        description: contract.description,
        'x-source': contract.source,
        'x-sources': contract.sources,
        'x-schema-version': contract.schemaVersion,
        examples: [{ metadata: exampleMetadata(contract.schemaVersion), data: contract.sample }],
      },
    ]),
  );
  schemas.SesEvent = {
    ...z.toJSONSchema(SesEvent, { unrepresentable: 'any' }),
    title: 'SES event (aws.ses, default bus)',
  };

  const asyncApi = {
    asyncapi: '3.0.0',
    info: {
      title: 'Backline events',
      version: '1.0.0',
      description:
        'Events on the Backline EventBridge bus. Each `detail` is `{ metadata, data }`; delivery is at least once and unordered.',
    },
    channels: Object.fromEntries(
      catalogue.map((contract) => {
        const id = contract.detailType.replaceAll(' ', '');
        return [
          id,
          {
            address: `${contract.source}/${contract.detailType}`,
            messages: { [id]: { $ref: `#/components/messages/${id}` } },
          },
        ];
      }),
    ),
    operations: Object.fromEntries(
      catalogue.map((contract) => {
        const id = contract.detailType.replaceAll(' ', '');
        return [
          `publish${id}`,
          { action: 'send', channel: { $ref: `#/channels/${id}` }, summary: contract.description },
        ];
      }),
    ),
    components: {
      messages: Object.fromEntries(
        catalogue.map((contract) => {
          const id = contract.detailType.replaceAll(' ', '');
          return [id, { name: contract.detailType, title: contract.detailType, payload: schemas[id] }];
        }),
      ),
    },
  };
  return {
    'events.schema.json': schemas,
    'events.asyncapi.json': asyncApi,
  };
}

function exampleMetadata(schemaVersion: number) {
  return {
    eventId: '5f0e4c1a-9a52-4b7e-8c1e-2d3f4a5b6c7d',
    correlationId: '5f0e4c1a-9a52-4b7e-8c1e-2d3f4a5b6c7d',
    occurredAt: '2027-01-15T09:30:00Z',
    schemaVersion,
  };
}
