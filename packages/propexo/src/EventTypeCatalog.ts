/**
 * Propexo's event-type catalog (event types, sub-types, results), read
 * through `PropexoApi`, cached, and classified: which event types are calls,
 * which are outgoing emails.
 *
 * @since 0.1.0
 */
import type { ApplicantEventKind } from "@entrata-events/core/ApplicantEvent"
import * as Cache from "effect/Cache"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type { EventResult, EventSubType, EventType, ListMeta } from "./PropexoApi.js"
import { MAX_LIMIT } from "./PropexoApi.js"
import { PropexoClient } from "./PropexoClient.js"
import type { PropexoError } from "./PropexoError.js"

/**
 * Which part of the catalog to read: an integration, optionally one
 * property.
 *
 * @since 0.1.0
 * @category models
 */
export interface CatalogScope {
  readonly integration_id: string
  readonly property_id?: string | undefined
}

/**
 * No event type of that name in that scope. `known` lists the names there are.
 *
 * @since 0.1.0
 * @category errors
 */
export class UnknownEventType extends Schema.TaggedError<UnknownEventType>()("UnknownEventType", {
  name: Schema.String,
  known: Schema.Array(Schema.String)
}) {
  override get message(): string {
    return `No event type is named ${JSON.stringify(this.name)} here; known: ${this.known.join(", ") || "none"}`
  }
}

const squash = (s: string | null) => (s ?? "").toLowerCase().replace(/[^a-z]/g, "")

/**
 * The documented rule: an event type whose name or code, lowercased with
 * everything but letters removed, starts with `call` is a call type (all
 * five `call_*` fields required); one that contains `email` together with
 * `outgoing` or `out` after it (`Email-Outgoing`, `Outgoing Email`) is an
 * outgoing-email type (`email_from` required); anything else is `other`.
 *
 * @since 0.1.0
 * @category classification
 */
export const classify = (eventType: Pick<EventType, "name" | "code">): ApplicantEventKind => {
  const names = [squash(eventType.name), squash(eventType.code)]
  if (names.some((n) => n.startsWith("call"))) return "call"
  if (names.some((n) => /emailout|outgoingemail|outboundemail|emailsent|sentemail/.test(n))) return "outgoing-email"
  return "other"
}

/**
 * @since 0.1.0
 * @category models
 */
export interface EventTypeCatalogOptions {
  /** How long answers are kept. Default 15 minutes. */
  readonly timeToLive?: Duration.DurationInput | undefined
  /** Replaces {@link classify}. */
  readonly classify?: ((eventType: EventType) => ApplicantEventKind) | undefined
  /** Most entries of each cache. Default 10,000. */
  readonly capacity?: number | undefined
  /**
   * How long an event type id Propexo answered 404 for is remembered as
   * unknown: asking for it again meanwhile spends no quota. Default 1 minute.
   *
   * @since 0.2.0
   */
  readonly unknownTimeToLive?: Duration.DurationInput | undefined
  /**
   * How long an event type's last good answer is served once a refresh of
   * it failed (Propexo unavailable, quota spent, no answer in time), before
   * the next read asks Propexo again. Default 1 minute.
   *
   * @since 0.2.0
   */
  readonly staleTimeToLive?: Duration.DurationInput | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface EventTypeCatalogShape {
  readonly eventType: (event_type_id: string) => Effect.Effect<EventType, PropexoError>
  readonly eventTypes: (scope: CatalogScope) => Effect.Effect<ReadonlyArray<EventType>, PropexoError>
  readonly eventSubTypes: (
    scope: CatalogScope & { readonly event_type_id?: string | undefined }
  ) => Effect.Effect<ReadonlyArray<EventSubType>, PropexoError>
  readonly eventResults: (scope: CatalogScope) => Effect.Effect<ReadonlyArray<EventResult>, PropexoError>
  /** The kind of an event type, by id. */
  readonly kindOf: (event_type_id: string) => Effect.Effect<ApplicantEventKind, PropexoError>
  /** The event type of that name (case-insensitive) in the scope. */
  readonly resolve: (name: string, scope: CatalogScope) => Effect.Effect<EventType, PropexoError | UnknownEventType>
}

interface Page<A> {
  readonly meta: ListMeta
  readonly results: ReadonlyArray<A>
}

/** A list query's parameters other than paging. */
type QueryParams = { readonly [name: string]: string }

/**
 * Every page of a list, `MAX_LIMIT` records at a time. Propexo's `hasMore`
 * is optional and may be `null`: without a `true` or `false`, a page shorter
 * than the limit (the one Propexo reports, else the one asked for) is the last.
 */
const allPages = <A>(
  page: (offset: number) => Effect.Effect<Page<A>, PropexoError>
): Effect.Effect<ReadonlyArray<A>, PropexoError> =>
  Effect.gen(function*() {
    const all: Array<A> = []
    for (let offset = 0;;) {
      const { meta, results } = yield* page(offset)
      all.push(...results)
      const more = meta.hasMore ?? results.length >= (meta.limit ?? MAX_LIMIT)
      if (!more || results.length === 0) return all
      offset += results.length
    }
  })

/** The cache key of a scope: its defined parameters, in a fixed order, as JSON. */
const keyOf = (scope: CatalogScope & { readonly event_type_id?: string | undefined }): string => {
  const params: Record<string, string> = { integration_id: scope.integration_id }
  if (scope.property_id !== undefined) params.property_id = scope.property_id
  if (scope.event_type_id !== undefined) params.event_type_id = scope.event_type_id
  return JSON.stringify(params)
}

/** An event type in the by-id cache: `stale` when a refresh failed and this is the last good answer. */
interface ById {
  readonly eventType: EventType
  readonly stale: boolean
}

/**
 * The event-type catalog.
 *
 * @since 0.1.0
 * @category tags
 */
export class EventTypeCatalog extends Context.Tag("@entrata-events/propexo/EventTypeCatalog")<
  EventTypeCatalog,
  EventTypeCatalogShape
>() {
  /**
   * @since 0.1.0
   */
  static make(
    options: EventTypeCatalogOptions = {}
  ): Effect.Effect<EventTypeCatalogShape, never, PropexoClient> {
    return Effect.gen(function*() {
      const client = yield* PropexoClient
      const ttl = Duration.decode(options.timeToLive ?? Duration.minutes(15))
      const capacity = options.capacity ?? 10_000
      // Failures are not kept: a passing outage must not poison the cache.
      const timeToLive = (exit: Exit.Exit<unknown, unknown>) => Exit.isSuccess(exit) ? ttl : Duration.zero
      const classifyWith = options.classify ?? classify
      const read = client.read

      // By id: a 404 is remembered (random ids must not spend the quota), any
      // other failure is not, and it never evicts a good answer: the last
      // one is served a while longer instead.
      const unknownTtl = Duration.decode(options.unknownTimeToLive ?? Duration.minutes(1))
      const staleTtl = Duration.decode(options.staleTimeToLive ?? Duration.minutes(1))
      const lastGood = new Map<string, EventType>()
      const remember = (id: string, eventType: EventType) => {
        lastGood.delete(id)
        lastGood.set(id, eventType)
        const [oldest] = lastGood.keys()
        if (lastGood.size > capacity && oldest !== undefined) lastGood.delete(oldest)
      }
      const byId = yield* Cache.makeWith({
        capacity,
        timeToLive: (exit: Exit.Exit<ById, PropexoError>) =>
          Exit.isSuccess(exit)
            ? exit.value.stale ? staleTtl : ttl
            : Option.exists(Cause.failureOption(exit.cause), (e) => e._tag === "PropexoNotFound")
            ? unknownTtl
            : Duration.zero,
        lookup: (event_type_id: string) =>
          read("getEventType", `event type ${event_type_id}`, (api) => api.eventTypes.get({ path: { event_type_id } }))
            .pipe(
              Effect.map((answer): ById => {
                remember(event_type_id, answer.results)
                return { eventType: answer.results, stale: false }
              }),
              Effect.catchAll((error) => {
                const last = lastGood.get(event_type_id)
                if (error._tag === "PropexoNotFound") lastGood.delete(event_type_id)
                return error._tag === "PropexoNotFound" || last === undefined
                  ? Effect.fail(error)
                  : Effect.as(
                    Effect.logWarning(`Serving the last good answer for event type ${event_type_id}: ${error.message}`),
                    { eventType: last, stale: true }
                  )
              })
            )
      })
      // One cache per list, keyed by its query (as JSON), holding every page.
      const listCache = <A>(
        page: (params: QueryParams, offset: number) => Effect.Effect<Page<A>, PropexoError>
      ) =>
        Cache.makeWith({
          capacity,
          timeToLive,
          lookup: (key: string) => allPages((offset) => page(JSON.parse(key), offset))
        })
      const types = yield* listCache((params, offset) =>
        read("listEventTypes", "event types", (api) =>
          api.eventTypes.list({ urlParams: { ...params, limit: MAX_LIMIT, offset } }))
      )
      const subTypes = yield* listCache((params, offset) =>
        read("listEventSubTypes", "event sub-types", (api) =>
          api.eventSubTypes.list({ urlParams: { ...params, limit: MAX_LIMIT, offset } }))
      )
      const results = yield* listCache((params, offset) =>
        read("listEventResults", "event results", (api) =>
          api.eventResults.list({ urlParams: { ...params, limit: MAX_LIMIT, offset } }))
      )

      // Effect's Cache serves even a failure kept for no time until its millisecond ends: drop it at once.
      const getById = (id: string) =>
        Effect.tapError(byId.get(id), (error) => error._tag === "PropexoNotFound" ? Effect.void : byId.invalidate(id))

      const eventTypes = (scope: CatalogScope) => types.get(keyOf(scope))

      return {
        eventType: (id) => Effect.map(getById(id), (known) => known.eventType),
        eventTypes,
        eventSubTypes: (scope) => subTypes.get(keyOf(scope)),
        eventResults: (scope) => results.get(keyOf(scope)),
        kindOf: (id) => Effect.map(getById(id), (known) => classifyWith(known.eventType)),
        resolve: (name, scope) =>
          Effect.flatMap(eventTypes(scope), (all) => {
            const wanted = name.trim().toLowerCase()
            const found = all.find((t) => t.name.toLowerCase() === wanted || t.code?.toLowerCase() === wanted)
            return found === undefined
              ? Effect.fail(new UnknownEventType({ name, known: [...new Set(all.map((t) => t.name))].sort() }))
              : Effect.succeed(found)
          })
      }
    })
  }

  /**
   * @since 0.1.0
   */
  static layer(options: EventTypeCatalogOptions = {}): Layer.Layer<EventTypeCatalog, never, PropexoClient> {
    return Layer.effect(EventTypeCatalog, EventTypeCatalog.make(options))
  }
}
