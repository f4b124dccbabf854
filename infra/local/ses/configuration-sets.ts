import * as z from '#shared/zod.ts';
import { alreadyExists, badRequest, notFound, parseRequest, type Route } from './http.ts';

/**
 * Configuration sets and their event destinations. Only EventBridge destinations produce
 * anything locally (events on the local default bus); others are kept and reported back.
 */

export type EventType = 'SEND' | 'DELIVERY' | 'BOUNCE' | 'COMPLAINT' | 'REJECT';

const EVENT_TYPES = [
  'SEND',
  'REJECT',
  'BOUNCE',
  'COMPLAINT',
  'DELIVERY',
  'OPEN',
  'CLICK',
  'RENDERING_FAILURE',
  'DELIVERY_DELAY',
  'SUBSCRIPTION',
] as const;

// SES publishes to the account's default bus only ("Only the default bus is supported").
const DEFAULT_BUS_ARN = /^arn:aws[a-z0-9-]*:events:[a-z0-9-]+:\d{12}:event-bus\/default$/;

const EventDestinationDefinition = z.looseObject({
  // SES leaves a destination disabled unless Enabled is true (CDK sets it to true).
  Enabled: z.optional(z.boolean()),
  MatchingEventTypes: z.array(z.enum(EVENT_TYPES)).check(z.minLength(1)),
  EventBridgeDestination: z.optional(z.object({ EventBusArn: z.string() })),
});
type EventDestinationDefinition = z.infer<typeof EventDestinationDefinition>;

const CreateConfigurationSetRequest = z.looseObject({
  ConfigurationSetName: z.string().check(z.minLength(1)),
});
const CreateEventDestinationRequest = z.object({
  EventDestinationName: z.string().check(z.minLength(1)),
  EventDestination: EventDestinationDefinition,
});
const UpdateEventDestinationRequest = z.object({ EventDestination: EventDestinationDefinition });

interface ConfigurationSet {
  name: string;
  options: Record<string, unknown>;
  destinations: Map<string, EventDestinationDefinition>;
}

export class ConfigurationSets {
  readonly #sets = new Map<string, ConfigurationSet>();

  /** The set a send names; a name that does not exist is SES's NotFoundException. */
  require(name: string): ConfigurationSet {
    const set = this.#sets.get(name);
    if (!set) throw notFound(`Configuration set <${name}> does not exist.`);
    return set;
  }

  /** Per enabled EventBridge destination of `name`, the event types it publishes. */
  eventBridgeDestinations(name: string): Set<EventType>[] {
    const set = this.#sets.get(name);
    if (!set) return [];
    return [...set.destinations.values()]
      .filter((destination) => destination.Enabled === true && destination.EventBridgeDestination)
      .map((destination) => new Set(destination.MatchingEventTypes as EventType[]));
  }

  routes(): Route[] {
    const one = /^\/v2\/email\/configuration-sets\/([^/]+)$/;
    const destinations = /^\/v2\/email\/configuration-sets\/([^/]+)\/event-destinations$/;
    const destination = /^\/v2\/email\/configuration-sets\/([^/]+)\/event-destinations\/([^/]+)$/;
    const list = () => ({ ConfigurationSets: [...this.#sets.keys()] });
    return [
      { method: 'POST', path: /^\/v2\/email\/configuration-sets$/, handle: ({ body }) => this.#create(body) },
      { method: 'GET', path: /^\/v2\/email\/configuration-sets$/, handle: list },
      { method: 'POST', path: /^\/v2\/email\/list-configuration-sets$/, handle: list },
      {
        method: 'GET',
        path: one,
        handle: ({ params }) => {
          const set = this.require(params[0]);
          return {
            SendingOptions: { SendingEnabled: true },
            Tags: [],
            ...set.options,
            ConfigurationSetName: set.name,
          };
        },
      },
      {
        method: 'DELETE',
        path: one,
        handle: ({ params }) => {
          this.require(params[0]);
          this.#sets.delete(params[0]);
          return {};
        },
      },
      {
        method: 'POST',
        path: destinations,
        handle: ({ params, body }) => {
          const set = this.require(params[0]);
          const request = parseRequest(CreateEventDestinationRequest, body);
          if (set.destinations.has(request.EventDestinationName)) {
            throw alreadyExists(`Event destination ${request.EventDestinationName} already exists.`);
          }
          set.destinations.set(request.EventDestinationName, checked(request.EventDestination));
          return {};
        },
      },
      {
        method: 'GET',
        path: destinations,
        handle: ({ params }) => ({
          EventDestinations: [...this.require(params[0]).destinations].map(([name, definition]) => ({
            Name: name,
            Enabled: definition.Enabled === true,
            ...definition,
          })),
        }),
      },
      {
        method: 'PUT',
        path: destination,
        handle: ({ params, body }) => {
          const set = this.require(params[0]);
          this.#destination(set, params[1]);
          const request = parseRequest(UpdateEventDestinationRequest, body);
          set.destinations.set(params[1], checked(request.EventDestination));
          return {};
        },
      },
      {
        method: 'DELETE',
        path: destination,
        handle: ({ params }) => {
          const set = this.require(params[0]);
          this.#destination(set, params[1]);
          set.destinations.delete(params[1]);
          return {};
        },
      },
    ];
  }

  #create(body: unknown) {
    const { ConfigurationSetName: name, ...options } = parseRequest(CreateConfigurationSetRequest, body);
    if (this.#sets.has(name)) throw alreadyExists(`Configuration set <${name}> already exists.`);
    this.#sets.set(name, { name, options, destinations: new Map() });
    return {};
  }

  #destination(set: ConfigurationSet, name: string): EventDestinationDefinition {
    const found = set.destinations.get(name);
    if (!found) throw notFound(`Event destination ${name} does not exist.`);
    return found;
  }
}

function checked(definition: EventDestinationDefinition): EventDestinationDefinition {
  const arn = definition.EventBridgeDestination?.EventBusArn;
  if (arn !== undefined && !DEFAULT_BUS_ARN.test(arn)) {
    throw badRequest(
      `EventBusArn ${arn} is not the default event bus; SES publishes only to the default bus.`,
    );
  }
  return definition;
}
