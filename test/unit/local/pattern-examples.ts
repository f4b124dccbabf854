// EventBridge's documented pattern examples ("Content filtering in Amazon EventBridge event patterns",
// "Comparison operators for use in event patterns"), each with events it matches and events it does not.
// Every answer here was checked against event-ruler (the engine EventBridge's filtering is built on).

export interface Example {
  /** What the example shows, in the words of the test. */
  behaviour: string;
  pattern: Record<string, unknown>;
  /** Fields of the envelope to set; the rest come from anEvent. */
  event: Record<string, unknown>;
  matches: boolean;
}

/** A full EventBridge envelope with the given fields replaced. */
export function anEvent(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    version: '0',
    id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
    'detail-type': 'EC2 Instance State-change Notification',
    source: 'aws.ec2',
    account: '111122223333',
    time: '2017-12-22T18:43:48Z',
    region: 'us-west-1',
    resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
    detail: { 'instance-id': 'i-1234567890abcdef0', state: 'terminated' },
    ...fields,
  };
}

const detail = (fields: Record<string, unknown>) => ({ detail: fields });

export const examples: Record<string, Example[]> = {
  'exact values': [
    {
      behaviour: 'matches the source, detail-type and a detail field all equal to the pattern',
      pattern: {
        source: ['aws.ec2'],
        'detail-type': ['EC2 Instance State-change Notification'],
        detail: { state: ['terminated'] },
      },
      event: {},
      matches: true,
    },
    {
      behaviour: 'does not match when one field differs',
      pattern: { source: ['aws.ec2'], detail: { state: ['running'] } },
      event: {},
      matches: false,
    },
    {
      behaviour: 'compares strings case-sensitively',
      pattern: { detail: { state: ['Terminated'] } },
      event: {},
      matches: false,
    },
    {
      behaviour: 'matches any value of a list of values',
      pattern: { source: ['aws.ec2', 'aws.fargate'] },
      event: { source: 'aws.fargate' },
      matches: true,
    },
    {
      behaviour: 'matches a number by value, whatever its spelling',
      pattern: detail({ 'x-limit': [301.8] }),
      event: detail({ 'x-limit': 3.018e2 }),
      matches: true,
    },
    {
      behaviour: 'does not match a number with the same digits as a string',
      pattern: detail({ 'x-limit': [5] }),
      event: detail({ 'x-limit': '5' }),
      matches: false,
    },
    {
      behaviour: 'matches null and the empty string as values',
      pattern: detail({ eventVersion: [''], responseElements: [null] }),
      event: detail({ eventVersion: '', responseElements: null }),
      matches: true,
    },
    {
      behaviour: 'does not match null against a missing field',
      pattern: detail({ responseElements: [null] }),
      event: detail({ eventVersion: '' }),
      matches: false,
    },
    {
      behaviour: 'matches booleans',
      pattern: detail({ enabled: [true] }),
      event: detail({ enabled: true }),
      matches: true,
    },
    {
      behaviour: 'does not match the string "true" against true',
      pattern: detail({ enabled: [true] }),
      event: detail({ enabled: 'true' }),
      matches: false,
    },
  ],
  'nested objects and arrays': [
    {
      behaviour: 'matches when one element of an event array is in the pattern',
      pattern: {
        resources: [
          'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
          'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
        ],
      },
      event: {
        resources: [
          'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
          'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f',
        ],
      },
      matches: true,
    },
    {
      behaviour: 'does not match when no element of an event array is in the pattern',
      pattern: { resources: ['arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f'] },
      event: { resources: ['arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f'] },
      matches: false,
    },
    {
      behaviour: 'matches a nested field at the same nesting in the event',
      pattern: detail({ requestParameters: { bucketName: ['my-bucket'] } }),
      event: detail({ requestParameters: { bucketName: 'my-bucket', key: 'a.png' } }),
      matches: true,
    },
    {
      behaviour: 'matches fields of an array of objects only within one element',
      pattern: detail({ items: { sku: ['A'], quantity: [2] } }),
      event: detail({
        items: [
          { sku: 'A', quantity: 1 },
          { sku: 'B', quantity: 2 },
        ],
      }),
      matches: false,
    },
    {
      behaviour: 'matches fields of an array of objects met by the same element',
      pattern: detail({ items: { sku: ['B'], quantity: [2] } }),
      event: detail({
        items: [
          { sku: 'A', quantity: 1 },
          { sku: 'B', quantity: 2 },
        ],
      }),
      matches: true,
    },
    {
      behaviour: 'does not match a value against an object',
      pattern: detail({ state: ['running'] }),
      event: detail({ state: { name: 'running' } }),
      matches: false,
    },
  ],
  prefix: [
    {
      behaviour: 'matches a string that starts with the prefix',
      pattern: { time: [{ prefix: '2017-10-02' }] },
      event: { time: '2017-10-02T18:43:48Z' },
      matches: true,
    },
    {
      behaviour: 'does not match a string that starts otherwise',
      pattern: { time: [{ prefix: '2017-10-02' }] },
      event: { time: '2017-10-03T18:43:48Z' },
      matches: false,
    },
    {
      behaviour: 'matches a prefix in any case with equals-ignore-case',
      pattern: detail({ service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] }),
      event: detail({ service: 'eventbridge' }),
      matches: true,
    },
    {
      behaviour: 'does not match a number by its digits',
      pattern: detail({ code: [{ prefix: '12' }] }),
      event: detail({ code: 123 }),
      matches: false,
    },
  ],
  suffix: [
    {
      behaviour: 'matches a string that ends with the suffix',
      pattern: detail({ FileName: [{ suffix: '.png' }] }),
      event: detail({ FileName: 'image.png' }),
      matches: true,
    },
    {
      behaviour: 'does not match another ending',
      pattern: detail({ FileName: [{ suffix: '.png' }] }),
      event: detail({ FileName: 'image.PNG' }),
      matches: false,
    },
    {
      behaviour: 'matches a suffix in any case with equals-ignore-case',
      pattern: detail({ FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] }),
      event: detail({ FileName: 'IMAGE.PNG' }),
      matches: true,
    },
  ],
  'anything-but': [
    {
      behaviour: 'matches any other string',
      pattern: detail({ state: [{ 'anything-but': 'initializing' }] }),
      event: detail({ state: 'running' }),
      matches: true,
    },
    {
      behaviour: 'does not match the excluded string',
      pattern: detail({ state: [{ 'anything-but': 'initializing' }] }),
      event: detail({ state: 'initializing' }),
      matches: false,
    },
    {
      behaviour: 'does not match a missing field',
      pattern: detail({ state: [{ 'anything-but': 'initializing' }] }),
      event: detail({ 'instance-id': 'i-1' }),
      matches: false,
    },
    {
      behaviour: 'matches a value of another type than the excluded one',
      pattern: detail({ state: [{ 'anything-but': 'initializing' }] }),
      event: detail({ state: null }),
      matches: true,
    },
    {
      behaviour: 'matches a string that spells the excluded number, of another type',
      pattern: detail({ 'x-limit': [{ 'anything-but': 123 }] }),
      event: detail({ 'x-limit': '123' }),
      matches: true,
    },
    {
      behaviour: 'matches a number that the excluded string spells, of another type',
      pattern: detail({ 'x-limit': [{ 'anything-but': '123' }] }),
      event: detail({ 'x-limit': 123 }),
      matches: true,
    },
    {
      behaviour: 'excludes a number',
      pattern: detail({ 'x-limit': [{ 'anything-but': 123 }] }),
      event: detail({ 'x-limit': 123 }),
      matches: false,
    },
    {
      behaviour: 'excludes a list of strings',
      pattern: detail({ state: [{ 'anything-but': ['stopped', 'overloaded'] }] }),
      event: detail({ state: 'overloaded' }),
      matches: false,
    },
    {
      behaviour: 'matches a string outside the excluded list',
      pattern: detail({ state: [{ 'anything-but': ['stopped', 'overloaded'] }] }),
      event: detail({ state: 'running' }),
      matches: true,
    },
    {
      behaviour: 'excludes a list of numbers',
      pattern: detail({ 'x-limit': [{ 'anything-but': [100, 200, 300] }] }),
      event: detail({ 'x-limit': 200 }),
      matches: false,
    },
    {
      behaviour: 'matches a number outside the excluded list',
      pattern: detail({ 'x-limit': [{ 'anything-but': [100, 200, 300] }] }),
      event: detail({ 'x-limit': 250 }),
      matches: true,
    },
    {
      behaviour: 'excludes a prefix',
      pattern: detail({ state: [{ 'anything-but': { prefix: 'init' } }] }),
      event: detail({ state: 'initializing' }),
      matches: false,
    },
    {
      behaviour: 'matches a string without the excluded prefix',
      pattern: { region: [{ 'anything-but': { prefix: 'us-' } }] },
      event: { region: 'eu-west-1' },
      matches: true,
    },
    {
      behaviour: 'excludes a suffix',
      pattern: detail({ FileName: [{ 'anything-but': { suffix: '.txt' } }] }),
      event: detail({ FileName: 'notes.txt' }),
      matches: false,
    },
    {
      behaviour: 'excludes a string in any case',
      pattern: detail({ state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] }),
      event: detail({ state: 'INITIALIZING' }),
      matches: false,
    },
    {
      behaviour: 'excludes a list of strings in any case',
      pattern: detail({ state: [{ 'anything-but': { 'equals-ignore-case': ['initializing', 'stopped'] } }] }),
      event: detail({ state: 'Stopped' }),
      matches: false,
    },
    {
      behaviour: 'matches a string that is none of them in any case',
      pattern: detail({ state: [{ 'anything-but': { 'equals-ignore-case': ['initializing', 'stopped'] } }] }),
      event: detail({ state: 'running' }),
      matches: true,
    },
    {
      behaviour: 'excludes a wildcard',
      pattern: detail({ FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] }),
      event: detail({ FilePath: '/usr/lib/libc.so' }),
      matches: false,
    },
    {
      behaviour: 'matches a path outside the excluded wildcard',
      pattern: detail({ FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] }),
      event: detail({ FilePath: '/usr/bin/env' }),
      matches: true,
    },
    {
      behaviour: 'matches an array with one element that is not excluded',
      pattern: detail({ state: [{ 'anything-but': 'stopped' }] }),
      event: detail({ state: ['stopped', 'running'] }),
      matches: true,
    },
  ],
  numeric: [
    {
      behaviour: 'matches when every numeric condition holds',
      pattern: detail({
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ numeric: ['=', 3.018e2] }],
      }),
      event: detail({ 'c-count': 5, 'd-count': 7, 'x-limit': 301.8 }),
      matches: true,
    },
    {
      behaviour: 'does not match outside an open bound',
      pattern: detail({ 'c-count': [{ numeric: ['>', 0, '<=', 5] }] }),
      event: detail({ 'c-count': 0 }),
      matches: false,
    },
    {
      behaviour: 'does not match a number written as a string',
      pattern: detail({ 'd-count': [{ numeric: ['<', 10] }] }),
      event: detail({ 'd-count': '7' }),
      matches: false,
    },
    {
      behaviour: 'matches an inclusive lower bound',
      pattern: detail({ price: [{ numeric: ['>=', 9.99] }] }),
      event: detail({ price: 9.99 }),
      matches: true,
    },
  ],
  cidr: [
    {
      behaviour: 'matches an IPv4 address in the range',
      pattern: detail({ sourceIPAddress: [{ cidr: '10.0.0.0/24' }] }),
      event: detail({ sourceIPAddress: '10.0.0.7' }),
      matches: true,
    },
    {
      behaviour: 'does not match an IPv4 address outside the range',
      pattern: detail({ sourceIPAddress: [{ cidr: '10.0.0.0/24' }] }),
      event: detail({ sourceIPAddress: '10.0.1.7' }),
      matches: false,
    },
    {
      behaviour: 'matches an IPv6 address in the range, however it is abbreviated',
      pattern: detail({ sourceIPAddress: [{ cidr: '2001:db8::/64' }] }),
      event: detail({ sourceIPAddress: '2001:0DB8:0000:0000:ffff::1' }),
      matches: true,
    },
    {
      behaviour: 'does not match an IPv6 address outside the range',
      pattern: detail({ sourceIPAddress: [{ cidr: '2001:db8::/64' }] }),
      event: detail({ sourceIPAddress: '2001:db8:0:1::1' }),
      matches: false,
    },
    {
      behaviour: 'does not match a string that is not an IP address',
      pattern: detail({ sourceIPAddress: [{ cidr: '10.0.0.0/24' }] }),
      event: detail({ sourceIPAddress: 'ec2.amazonaws.com' }),
      matches: false,
    },
  ],
  exists: [
    {
      behaviour: 'matches a present field with exists true',
      pattern: detail({ state: [{ exists: true }] }),
      event: detail({ state: 'running' }),
      matches: true,
    },
    {
      behaviour: 'matches a field whose value is null with exists true',
      pattern: detail({ state: [{ exists: true }] }),
      event: detail({ state: null }),
      matches: true,
    },
    {
      behaviour: 'does not match a missing field with exists true',
      pattern: detail({ 'c-count': [{ exists: true }] }),
      event: detail({ state: 'running' }),
      matches: false,
    },
    {
      behaviour: 'matches a missing field with exists false',
      pattern: detail({ 'c-count': [{ exists: false }] }),
      event: detail({ state: ['initializing', 'running'] }),
      matches: true,
    },
    {
      behaviour: 'matches exists false when the field is an object, which is not a leaf',
      pattern: detail({ 'c-count': [{ exists: false }] }),
      event: detail({ state: ['initializing', 'running'], 'c-count': { c1: 100 } }),
      matches: true,
    },
    {
      behaviour: 'does not match exists true on an object',
      pattern: detail({ 'c-count': [{ exists: true }] }),
      event: detail({ 'c-count': { c1: 100 } }),
      matches: false,
    },
    {
      behaviour: 'does not match exists false on a present leaf',
      pattern: detail({ state: [{ exists: false }] }),
      event: detail({ state: 'running' }),
      matches: false,
    },
  ],
  'equals-ignore-case': [
    {
      behaviour: 'matches a string in any case',
      pattern: { 'detail-type': [{ 'equals-ignore-case': 'ec2 instance state-change notification' }] },
      event: {},
      matches: true,
    },
    {
      behaviour: 'does not match a different string',
      pattern: { 'detail-type': [{ 'equals-ignore-case': 'ec2 instance state change' }] },
      event: {},
      matches: false,
    },
    {
      behaviour: 'matches non-ASCII letters in any case',
      pattern: detail({ city: [{ 'equals-ignore-case': 'ÉVORA' }] }),
      event: detail({ city: 'évora' }),
      matches: true,
    },
  ],
  wildcard: [
    {
      behaviour: 'matches any characters in place of the stars',
      pattern: { 'detail-type': [{ wildcard: 'EC2 * State-change *' }] },
      event: {},
      matches: true,
    },
    {
      behaviour: 'matches an ARN with wildcards in several places',
      pattern: detail({ EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] }),
      event: detail({ EventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/backline' }),
      matches: true,
    },
    {
      behaviour: 'does not match when a literal part differs',
      pattern: detail({ EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] }),
      event: detail({ EventBusArn: 'arn:aws:events:eu-west-1:123456789012:event-bus/backline' }),
      matches: false,
    },
    {
      behaviour: 'matches across slashes',
      pattern: detail({ FilePath: [{ wildcard: 'dir/*.png' }] }),
      event: detail({ FilePath: 'dir/sub/image.png' }),
      matches: true,
    },
    {
      behaviour: 'matches a literal star written as \\*',
      pattern: detail({ note: [{ wildcard: 'five\\*' }] }),
      event: detail({ note: 'five*' }),
      matches: true,
    },
    {
      behaviour: 'does not treat an escaped star as a wildcard',
      pattern: detail({ note: [{ wildcard: 'five\\*' }] }),
      event: detail({ note: 'five stars' }),
      matches: false,
    },
  ],
  $or: [
    {
      behaviour: 'matches when any branch of a $or holds',
      pattern: detail({
        $or: [
          { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] },
          { 'd-count': [{ numeric: ['<', 10] }] },
          { 'x-limit': [{ numeric: ['=', 3.018e2] }] },
        ],
      }),
      event: detail({ 'c-count': 50, 'd-count': 50, 'x-limit': 301.8 }),
      matches: true,
    },
    {
      behaviour: 'does not match when no branch holds',
      pattern: detail({
        $or: [{ 'c-count': [{ numeric: ['>', 0, '<=', 5] }] }, { 'd-count': [{ numeric: ['<', 10] }] }],
      }),
      event: detail({ 'c-count': 50, 'd-count': 50 }),
      matches: false,
    },
    {
      behaviour: 'combines a top-level $or with the other fields as AND',
      pattern: {
        source: ['aws.cloudwatch'],
        $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
      },
      event: { source: 'aws.cloudwatch', metricName: 'WriteLatency', namespace: 'AWS/ES' },
      matches: true,
    },
    {
      behaviour: 'does not match a $or branch when the field outside it fails',
      pattern: {
        source: ['aws.cloudwatch'],
        $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
      },
      event: { source: 'aws.ec2', metricName: 'CPUUtilization', namespace: 'AWS/ES' },
      matches: false,
    },
    {
      behaviour: 'matches a $or nested in a $or',
      pattern: {
        $or: [
          { source: ['aws.s3'] },
          { $or: [{ detail: { state: ['stopped'] } }, { detail: { state: ['terminated'] } }] },
        ],
      },
      event: {},
      matches: true,
    },
  ],
};
