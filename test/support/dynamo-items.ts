import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';

const utf8 = (text: string) => Buffer.byteLength(text, 'utf8');

/** A number's size as DynamoDB counts it: half its significant digits, rounded up, plus one. */
const numberBytes = (text: string) => {
  const digits = text
    .replace(/^-/, '')
    .replace('.', '')
    .replace(/e.*$/i, '')
    .replace(/^0+|0+$/g, '');
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
};

function valueBytes(value: AttributeValue): number {
  if (value.S !== undefined) return utf8(value.S);
  if (value.N !== undefined) return numberBytes(value.N);
  if (value.B !== undefined) return value.B.length;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS !== undefined) return value.SS.reduce((sum, text) => sum + utf8(text), 0);
  if (value.NS !== undefined) return value.NS.reduce((sum, text) => sum + numberBytes(text), 0);
  if (value.BS !== undefined) return value.BS.reduce((sum, bytes) => sum + bytes.length, 0);
  // A list or map: 3 bytes, and 1 per element (a map's also its name).
  if (value.L !== undefined) return 3 + value.L.reduce((sum, element) => sum + 1 + valueBytes(element), 0);
  if (value.M !== undefined) {
    return (
      3 +
      Object.entries(value.M).reduce((sum, [name, element]) => sum + 1 + utf8(name) + valueBytes(element), 0)
    );
  }
  throw new Error(`no size known for ${JSON.stringify(value)}`);
}

/**
 * An item's size as DynamoDB bills it (each attribute's name and value, by the rules of its developer
 * guide's "Item sizes"), marshalled as the functions' document client marshals it (shared/clients.ts):
 * a write of up to 1 KB is one write unit, each KB more one more.
 */
export const itemBytes = (item: Record<string, unknown>): number =>
  Object.entries(marshall(item, { removeUndefinedValues: true })).reduce(
    (sum, [name, value]) => sum + utf8(name) + valueBytes(value),
    0,
  );
