/**
 * Durable delivery of applicant events: `enqueue` validates an event, commits
 * it to the ledger and answers at once; the `Deliverer` sends it at
 * Propexo's pace and learns how Entrata decided. Every delivery can be read
 * back with its whole story, listed, retried, cancelled and followed.
 *
 * @since 0.2.0
 */
import type * as Migrator from "@effect/sql/Migrator"
import type * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import * as ApplicantEvent from "@entrata-events/core/ApplicantEvent"
import { EventTypeCatalog } from "@entrata-events/propexo/EventTypeCatalog"
import type { PropexoError } from "@entrata-events/propexo/PropexoError"
import * as Clock from "effect/Clock"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Runtime from "effect/Runtime"
import * as Stream from "effect/Stream"
import {
  type Backlog,
  type Delivery,
  type DeliveryChange,
  type DeliveryPage,
  type DeliveryStatus,
  type Enqueued,
  isFinal,
  RETRYABLE_STATUSES,
  STATUSES
} from "./Delivery.js"
import {
  DeliveryNotCancellable,
  DeliveryNotFound,
  DeliveryNotRetryable,
  IdempotencyKeyReused,
  InvalidOption
} from "./DeliveryError.js"
import * as DeliveryLedger from "./DeliveryLedger.js"
import * as DeliveryStore from "./DeliveryStore.js"
import { DELIVERY_ID, deliveryId } from "./internal/ids.js"
import { checkKind } from "./internal/kind.js"

/**
 * @since 0.2.0
 * @category models
 */
export interface EnqueueOptions {
  /**
   * Makes the enqueue idempotent within the event's integration: the same
   * key with the same body answers the delivery it made first; with another
   * body, `IdempotencyKeyReused`. 1 to 255 visible ASCII characters.
   */
  readonly idempotencyKey?: string | undefined
}

/**
 * What `list` returns: newest first, filtered by status and integration.
 *
 * @since 0.2.0
 * @category models
 */
export interface ListOptions {
  readonly status?: DeliveryStatus | ReadonlyArray<DeliveryStatus> | undefined
  /** The integrations whose deliveries to list; an empty list matches none. */
  readonly integration_id?: string | ReadonlyArray<string> | undefined
  /** 1 to {@link MAX_LIST_LIMIT}; default {@link DEFAULT_LIST_LIMIT}. */
  readonly limit?: number | undefined
  /** A previous page's `next_cursor`. */
  readonly cursor?: string | undefined
}

/**
 * The default page size of `list`.
 *
 * @since 0.2.0
 * @category constants
 */
export const DEFAULT_LIST_LIMIT = 50

/**
 * The largest page `list` serves.
 *
 * @since 0.2.0
 * @category constants
 */
export const MAX_LIST_LIMIT = 500

/**
 * @since 0.2.0
 * @category models
 */
export interface DeliveriesOptions {
  /**
   * How long `enqueue` waits for the event-type catalog before it accepts
   * the event unchecked (it is then checked at delivery). Default 2 seconds.
   */
  readonly catalogTimeout?: Duration.DurationInput | undefined
}

/**
 * @since 0.2.0
 * @category models
 */
export interface DeliveriesShape {
  /**
   * Validates the event fully (the core schema, and the fields its event
   * type's kind needs when the catalog can be read: an unknown event type
   * is refused, an unreadable catalog lets it through to be checked at
   * delivery), commits it, and only then answers `{ id, status: "queued" }`.
   */
  readonly enqueue: (
    input: ApplicantEvent.ApplicantEventInput,
    options?: EnqueueOptions
  ) => Effect.Effect<
    Enqueued,
    ApplicantEvent.InvalidApplicantEvent | IdempotencyKeyReused | InvalidOption | SqlError
  >
  /** A delivery and its whole story. */
  readonly get: (id: string) => Effect.Effect<Delivery, DeliveryNotFound | SqlError>
  /** A page of deliveries, newest first (keyset pagination: pages never shift as deliveries arrive). */
  readonly list: (options?: ListOptions) => Effect.Effect<DeliveryPage, InvalidOption | SqlError>
  /**
   * An operator's explicit resend of a `failed` or `ambiguous` delivery: it
   * is queued again (recorded as such) and sent as a new create.
   */
  readonly retry: (id: string) => Effect.Effect<Delivery, DeliveryNotFound | DeliveryNotRetryable | SqlError>
  /** Cancels a delivery while it is `queued`. */
  readonly cancel: (id: string) => Effect.Effect<Delivery, DeliveryNotFound | DeliveryNotCancellable | SqlError>
  /** The deliveries not yet sent or settled, for health checks and logs. */
  readonly backlog: Effect.Effect<Backlog, SqlError>
  /** Every change of status committed from the moment the stream runs. */
  readonly changes: Stream.Stream<DeliveryChange>
  /**
   * A delivery as it stands, then again after each of its changes; the
   * stream ends once it is final (`succeeded`, `failed`, `rejected`,
   * `cancelled`). Bound it with a timeout.
   */
  readonly watch: (id: string) => Stream.Stream<Delivery, DeliveryNotFound | SqlError>
}

/**
 * @since 0.2.0
 * @category tags
 */
export class Deliveries extends Context.Tag("@entrata-events/delivery/Deliveries")<Deliveries, DeliveriesShape>() {}

// How long enqueues skip the catalog after it failed to answer.
const CATALOG_RETRY_MILLIS = 5_000

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/
const CURSOR = /^[1-9][0-9]{0,15}$/

const list = <A extends string>(value: A | ReadonlyArray<A> | undefined): ReadonlyArray<A> | undefined =>
  value === undefined ? undefined : typeof value === "string" ? [value] : value

/**
 * @since 0.2.0
 * @category constructors
 */
export const make = (
  options: DeliveriesOptions = {}
): Effect.Effect<DeliveriesShape, never, DeliveryLedger.DeliveryLedger | EventTypeCatalog> =>
  Effect.gen(function*() {
    const ledger = yield* DeliveryLedger.DeliveryLedger
    const catalog = yield* EventTypeCatalog
    const catalogTimeout = Duration.decode(options.catalogTimeout ?? "2 seconds")
    const clock = yield* Effect.clock

    const replay = (row: DeliveryLedger.LedgerRow, body: string, idempotency_key: string) =>
      row.body === body
        ? Effect.succeed<Enqueued>({ id: row.id, status: row.status, replayed: true })
        : Effect.fail(new IdempotencyKeyReused({ integration_id: row.integration_id, idempotency_key, id: row.id }))

    // A catalog that cannot be read, or not in time, lets the event through:
    // the deliverer checks it again before sending. The check runs in a
    // fiber of its own, started at once: from the catalog's cache it is done
    // before `runFork` returns, and costs no timer; otherwise it is awaited
    // until `catalogTimeout`, and left to fill the cache after that. Once
    // the catalog failed, enqueues stop asking it for a while: during an
    // outage each would wait, and spend quota, for nothing.
    let catalogUnreadableUntil = 0
    const unreadable = (at: number, reason: string) =>
      Effect.zipRight(
        Effect.sync(() => {
          catalogUnreadableUntil = at + CATALOG_RETRY_MILLIS
        }),
        Effect.logDebug(`Event types are not checked at enqueue for a while: ${reason}`)
      )
    const isUnreadable = (error: ApplicantEvent.InvalidApplicantEvent | PropexoError): error is PropexoError =>
      error._tag !== "InvalidApplicantEvent"
    const fork = Runtime.runFork(yield* Effect.runtime<never>())
    /** What is left of the check once started: `undefined` when it already passed, or is skipped. */
    const checkIfReadable = (
      event: ApplicantEvent.ApplicantEvent,
      at: number
    ): Effect.Effect<void, ApplicantEvent.InvalidApplicantEvent> | undefined => {
      if (at < catalogUnreadableUntil) return undefined
      const fiber = fork(checkKind(catalog, event))
      const done = fiber.unsafePoll()
      if (done !== null && Exit.isSuccess(done)) return undefined
      const rest = done ?? Effect.flatMap(
        Effect.timeoutOption(Fiber.join(fiber), catalogTimeout),
        Option.match({
          onNone: () => unreadable(at, `the catalog did not answer within ${Duration.format(catalogTimeout)}`),
          onSome: () => Effect.void
        })
      )
      return Effect.catchIf(rest, isUnreadable, (error) => unreadable(at, error.message))
    }

    const accept = (event: ApplicantEvent.ApplicantEvent, body: string, key: string | undefined) => {
      const insert = () => {
        const id = deliveryId()
        return Effect.flatMap(
          ledger.insert({
            id,
            integration_id: event.integration_id,
            applicant_id: event.applicant_id,
            idempotency_key: key ?? null,
            body,
            at: clock.unsafeCurrentTimeMillis()
          }),
          (existing): Effect.Effect<Enqueued, IdempotencyKeyReused> =>
            // Another enqueue with the same key committed first.
            Option.isSome(existing) && key !== undefined
              ? replay(existing.value, body, key)
              : Effect.succeed({ id, status: "queued", replayed: false })
        )
      }
      const check = checkIfReadable(event, clock.unsafeCurrentTimeMillis())
      return check === undefined ? insert() : Effect.flatMap(check, insert)
    }

    // The hot path, so in as few Effect operations as it can be, and without
    // a span of its own: one costs about 45 µs of CPU here, a quarter of an
    // enqueue (the caller's span, an HTTP request's say, covers it).
    const enqueue: DeliveriesShape["enqueue"] = (input, enqueueOptions = {}) =>
      Effect.suspend((): ReturnType<DeliveriesShape["enqueue"]> => {
        const key = enqueueOptions.idempotencyKey
        if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
          return Effect.fail(
            new InvalidOption({ field: "idempotencyKey", rule: "must be 1 to 255 visible ASCII characters" })
          )
        }
        const decoded = ApplicantEvent.decode(input)
        if (Either.isLeft(decoded)) return Effect.fail(decoded.left)
        const event = decoded.right
        const body = ApplicantEvent.toJson(event)
        return key === undefined
          ? accept(event, body, undefined)
          : Effect.flatMap(
            ledger.findByKey(event.integration_id, key),
            Option.match({ onNone: () => accept(event, body, key), onSome: (row) => replay(row, body, key) })
          )
      })

    const get = (id: string) =>
      DELIVERY_ID.test(id)
        ? Effect.flatMap(
          ledger.get(id),
          Option.match({ onNone: () => Effect.fail(new DeliveryNotFound({ id })), onSome: Effect.succeed })
        )
        : Effect.fail(new DeliveryNotFound({ id }))

    const listDeliveries: DeliveriesShape["list"] = Effect.fn("Deliveries.list", {
      captureStackTrace: false
    })(function*(listOptions = {}) {
      const limit = listOptions.limit ?? DEFAULT_LIST_LIMIT
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
        return yield* new InvalidOption({ field: "limit", rule: `must be an integer from 1 to ${MAX_LIST_LIMIT}` })
      }
      const statuses = list(listOptions.status)
      const unknown = statuses?.find((status) => !STATUSES.includes(status))
      if (unknown !== undefined) {
        return yield* new InvalidOption({
          field: "status",
          rule: `must be one of ${STATUSES.join(", ")}, got ${JSON.stringify(unknown)}`
        })
      }
      const cursor = listOptions.cursor
      if (cursor !== undefined && !CURSOR.test(cursor)) {
        return yield* new InvalidOption({ field: "cursor", rule: "must be a next_cursor that list returned" })
      }
      const page = yield* ledger.list({
        statuses,
        integrations: list(listOptions.integration_id),
        before: cursor === undefined ? undefined : Number(cursor),
        limit
      })
      const next_cursor = page.next === undefined ? null : String(page.next)
      return { items: page.items, next_cursor } satisfies DeliveryPage
    })

    /**
     * Moves a delivery out of one of `allowed`, or fails with `refuse` and
     * the status it is in; re-read when another writer moved it first.
     */
    const act = <E>(
      id: string,
      allowed: ReadonlyArray<DeliveryStatus>,
      refuse: (status: DeliveryStatus) => E,
      change: (row: DeliveryLedger.LedgerRow, at: number) => Omit<DeliveryLedger.TransitionRequest, "from" | "at">
    ): Effect.Effect<Delivery, DeliveryNotFound | E | SqlError> =>
      Effect.gen(function*() {
        while (true) {
          const found = DELIVERY_ID.test(id) ? yield* ledger.find(id) : Option.none()
          if (Option.isNone(found)) return yield* Effect.fail(new DeliveryNotFound({ id }))
          const row = found.value
          if (!allowed.includes(row.status)) return yield* Effect.fail(refuse(row.status))
          const at = yield* Clock.currentTimeMillis
          const moved = yield* ledger.transition(id, { ...change(row, at), from: row.status, at })
          if (Option.isSome(moved)) return yield* get(id)
        }
      })

    return Deliveries.of({
      enqueue,
      get: (id) => Effect.withSpan(get(id), "Deliveries.get", { captureStackTrace: false }),
      list: listDeliveries,
      retry: (id) =>
        act(
          id,
          RETRYABLE_STATUSES,
          (status) => new DeliveryNotRetryable({ id, status }),
          (row, at) => ({
            to: "queued",
            reason: `retried by an operator (was ${row.status}${row.job_id === null ? "" : `, job ${row.job_id}`})`,
            set: { next_attempt_at: at, job_id: null, write_status: null, errors: null, sent_at: null }
          })
        ).pipe(Effect.withSpan("Deliveries.retry", { captureStackTrace: false })),
      cancel: (id) =>
        act(
          id,
          ["queued"],
          (status) => new DeliveryNotCancellable({ id, status }),
          () => ({ to: "cancelled", reason: "cancelled by an operator" })
        ).pipe(Effect.withSpan("Deliveries.cancel", { captureStackTrace: false })),
      backlog: ledger.backlog,
      changes: Stream.unwrapScoped(Effect.map(ledger.subscribe, (queue) => Stream.fromQueue(queue))),
      watch: (id) =>
        Stream.unwrapScoped(
          Effect.gen(function*() {
            // Subscribed before the first read, so no change falls between them.
            const queue = yield* ledger.subscribe
            const current = yield* get(id)
            const later = Stream.fromQueue(queue).pipe(
              Stream.filter((change) => change.id === id),
              Stream.mapEffect(() => get(id))
            )
            return Stream.concat(Stream.make(current), later).pipe(
              // A change committed between the subscription and the read shows twice.
              Stream.changesWith((a, b) => a.history.length === b.history.length),
              Stream.takeUntil((delivery) => isFinal(delivery.status))
            )
          })
        )
    })
  })

/**
 * `Deliveries` and the ledger under it, on the `SqlClient` in context
 * (`DeliveryStore.layer`), checking event types through the catalog.
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (
  options: DeliveriesOptions = {}
): Layer.Layer<Deliveries | DeliveryLedger.DeliveryLedger, never, SqlClient.SqlClient | EventTypeCatalog> =>
  Layer.effect(Deliveries, make(options)).pipe(Layer.provideMerge(DeliveryLedger.layer))

/**
 * {@link layer} on the store `DATABASE_URL` or `DATA_DIR` names
 * (`DeliveryStore.layerConfig`).
 *
 * @since 0.2.0
 * @category layers
 */
export const layerConfig = (
  options: DeliveriesOptions = {}
): Layer.Layer<
  Deliveries | DeliveryLedger.DeliveryLedger,
  ConfigError.ConfigError | SqlError | Migrator.MigrationError,
  EventTypeCatalog
> => layer(options).pipe(Layer.provide(DeliveryStore.layerConfig))
