/**
 * The ledger: every delivery and every transition of its status, on any
 * `@effect/sql` client. Each change is one transaction (the row and its
 * history together), published once committed.
 *
 * These are the durable operations `Deliveries` and the `Deliverer` are
 * built from; applications use `Deliveries`.
 *
 * @since 0.2.0
 */
import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import type { WriteStatusValue } from "@entrata-events/propexo/PropexoApi"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as PubSub from "effect/PubSub"
import * as Queue from "effect/Queue"
import type * as Scope from "effect/Scope"
import { type Backlog, type Delivery, DeliveryChange, type DeliveryStatus, isFinal, Transition } from "./Delivery.js"
import { PreparedInsert } from "./internal/preparedInsert.js"
import { nextTurn } from "./internal/turn.js"
import {
  COLUMNS,
  decodeRows,
  decodeTransitions,
  errorsOf,
  type Row,
  toDelivery,
  toTransition
} from "./internal/rows.js"

const ACCEPTED = "accepted"

/** The most transitions one commit takes. */
const MAX_BATCH = 256

/** A delivery's first transition: its acceptance, which its row records. */
const accepted = (row: LedgerRow): Transition =>
  new Transition(
    { from: null, to: "queued", at: DateTime.unsafeMake(row.created_at), attempt: 0, reason: ACCEPTED },
    // The fields of a decoded row.
    true
  )

/**
 * A row of the ledger as stored: times in epoch milliseconds, `body` the
 * exact JSON to send, `errors` the PMS's messages as JSON text.
 *
 * @since 0.2.0
 * @category models
 */
export interface LedgerRow extends Row {}

/**
 * A delivery to record, already validated.
 *
 * @since 0.2.0
 * @category models
 */
export interface NewDelivery {
  readonly id: string
  readonly integration_id: string
  readonly applicant_id: string
  readonly idempotency_key: string | null
  readonly body: string
  /** Epoch milliseconds. */
  readonly at: number
}

/**
 * Columns a transition may set besides the status.
 *
 * @since 0.2.0
 * @category models
 */
export interface RowUpdate {
  readonly job_id?: string | null
  readonly write_status?: WriteStatusValue | null
  readonly errors?: ReadonlyArray<string> | null
  readonly next_attempt_at?: number | null
  readonly sent_at?: number | null
}

/**
 * A change of status. It happens only if the delivery is still in `from`
 * (so two writers never both move it); `completed_at` is set when `to` is
 * final, and `next_attempt_at` defaults to `at` when `to` is `queued`.
 *
 * @since 0.2.0
 * @category models
 */
export interface TransitionRequest {
  readonly from: DeliveryStatus
  readonly to: DeliveryStatus
  /** Epoch milliseconds. */
  readonly at: number
  readonly reason: string
  /** Counts one more send: the move to `sending`. */
  readonly countAttempt?: boolean | undefined
  readonly set?: RowUpdate | undefined
}

/**
 * Which deliveries a deliverer handles: those of some integrations, or all.
 *
 * @since 0.2.0
 * @category models
 */
export interface LedgerFilter {
  readonly integrations?: ReadonlyArray<string> | undefined
}

/**
 * Where the `sent` deliveries of one integration stand, for the reads of
 * Propexo's write logs. Only those still looked for count (not those left
 * `sent` for good, see the deliverer's `giveUpAfter`).
 *
 * @since 0.2.0
 * @category models
 */
export interface AwaitingConfirmation {
  readonly integration_id: string
  /** Sent at or before the `dueBefore` asked. */
  readonly due: number
  /** Of those, sent after the `since` asked. */
  readonly fresh: number
  /** When the longest waiting of them all (due or not) was sent, epoch milliseconds. */
  readonly oldest_sent_at: number
}

/**
 * What `list` reads: newest first, older than the `before` sequence number.
 *
 * @since 0.2.0
 * @category models
 */
export interface ListRequest {
  readonly statuses?: ReadonlyArray<DeliveryStatus> | undefined
  readonly integrations?: ReadonlyArray<string> | undefined
  readonly before?: number | undefined
  readonly limit: number
}

/**
 * @since 0.2.0
 * @category models
 */
export interface DeliveryLedgerShape {
  /**
   * Records a new `queued` delivery, in one statement. When its idempotency
   * key is already taken in its integration, nothing is written and the
   * delivery holding it is answered instead.
   */
  readonly insert: (delivery: NewDelivery) => Effect.Effect<Option.Option<LedgerRow>, SqlError>
  readonly find: (id: string) => Effect.Effect<Option.Option<LedgerRow>, SqlError>
  readonly findByKey: (
    integration_id: string,
    idempotency_key: string
  ) => Effect.Effect<Option.Option<LedgerRow>, SqlError>
  /** A delivery with its whole history. */
  readonly get: (id: string) => Effect.Effect<Option.Option<Delivery>, SqlError>
  /**
   * At most `limit` deliveries with their histories, newest first, and the
   * `before` of the next page when there is one.
   */
  readonly list: (
    request: ListRequest
  ) => Effect.Effect<{ readonly items: ReadonlyArray<Delivery>; readonly next: number | undefined }, SqlError>
  /**
   * Moves a delivery from `request.from` to `request.to`; `None` when it was
   * no longer in `from`. Transitions asked at the same moment (sends ending
   * together) are committed in one transaction, each answered once it is
   * committed; so never call it inside a transaction of your own.
   */
  readonly transition: (id: string, request: TransitionRequest) => Effect.Effect<Option.Option<LedgerRow>, SqlError>
  /**
   * Several transitions in one transaction (one commit for a batch of
   * confirmations); answers the rows that moved.
   */
  readonly transitionAll: (
    changes: ReadonlyArray<readonly [id: string, request: TransitionRequest]>
  ) => Effect.Effect<ReadonlyArray<LedgerRow>, SqlError>
  /** Sets when a delivery still in `status` is next due, recording no transition. */
  readonly reschedule: (id: string, status: DeliveryStatus, next_attempt_at: number) => Effect.Effect<void, SqlError>
  /**
   * The oldest `queued` deliveries due at `now` (at most `limit`) whose
   * applicant has no older delivery still `queued` or `sending`: so at
   * most one per applicant.
   */
  readonly sendable: (
    now: number,
    limit: number,
    filter: LedgerFilter
  ) => Effect.Effect<ReadonlyArray<LedgerRow>, SqlError>
  /** When the next queued delivery not yet due at `now` falls due. */
  readonly nextQueuedAfter: (now: number, filter: LedgerFilter) => Effect.Effect<Option.Option<number>, SqlError>
  /**
   * `sent` deliveries due to be checked one by one at `now` (their
   * `next_attempt_at`), the longest waiting first.
   */
  readonly dueForConfirmation: (
    now: number,
    limit: number,
    filter: LedgerFilter
  ) => Effect.Effect<ReadonlyArray<LedgerRow>, SqlError>
  /** When the next `sent` delivery is due to be checked one by one. */
  readonly nextConfirmationAt: (filter: LedgerFilter) => Effect.Effect<Option.Option<number>, SqlError>
  /**
   * The `sent` deliveries still looked for, by integration: how many were
   * sent at or before `dueBefore`, how many of those after `since`, and the
   * oldest one's `sent_at`.
   */
  readonly awaitingConfirmation: (
    dueBefore: number,
    since: number,
    filter: LedgerFilter
  ) => Effect.Effect<ReadonlyArray<AwaitingConfirmation>, SqlError>
  /** The `sent` deliveries of these jobs. */
  readonly sentWithJobs: (job_ids: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<LedgerRow>, SqlError>
  /** The delivery Propexo queued as this job, whatever its status now. */
  readonly findByJob: (job_id: string) => Effect.Effect<Option.Option<LedgerRow>, SqlError>
  /** Every delivery in a status, oldest first. */
  readonly inStatus: (status: DeliveryStatus, filter: LedgerFilter) => Effect.Effect<ReadonlyArray<LedgerRow>, SqlError>
  /** How many deliveries wait in each unsettled status, and the oldest queued one's acceptance. */
  readonly backlog: Effect.Effect<Backlog, SqlError>
  /** Every committed change of status from now on, for the life of the scope. */
  readonly subscribe: Effect.Effect<Queue.Dequeue<DeliveryChange>, never, Scope.Scope>
  /**
   * A signal each time a delivery becomes `queued`; a subscriber holds at
   * most one pending signal.
   */
  readonly wakeups: Effect.Effect<Queue.Dequeue<void>, never, Scope.Scope>
}

/**
 * @since 0.2.0
 * @category tags
 */
export class DeliveryLedger extends Context.Tag("@entrata-events/delivery/DeliveryLedger")<
  DeliveryLedger,
  DeliveryLedgerShape
>() {}

/**
 * @since 0.2.0
 * @category constructors
 */
export const make: Effect.Effect<
  DeliveryLedgerShape,
  never,
  SqlClient.SqlClient | Scope.Scope
> = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const prepared = yield* Effect.serviceOption(PreparedInsert)
  const changes = yield* PubSub.unbounded<DeliveryChange>()
  const wakeups = yield* PubSub.sliding<void>(1)
  const columns = sql.literal(COLUMNS)
  const qualified = sql.literal(COLUMNS.split(", ").map((c) => `d.${c}`).join(", "))

  const inIntegrations = (filter: LedgerFilter) =>
    filter.integrations === undefined
      ? sql`1=1`
      : filter.integrations.length === 0
      ? sql`1=0`
      : sql`d.integration_id IN ${sql.in(filter.integrations)}`

  const rows = (statement: Effect.Effect<ReadonlyArray<unknown>, SqlError>) => Effect.flatMap(statement, decodeRows)
  const first = (statement: Effect.Effect<ReadonlyArray<unknown>, SqlError>) =>
    Effect.map(rows(statement), (found) => Option.fromNullable(found[0]))

  const publish = (change: DeliveryChange) =>
    Effect.zipRight(
      PubSub.publish(changes, change),
      change.status === "queued" ? PubSub.publish(wakeups, undefined) : Effect.void
    )

  const changeOf = (row: LedgerRow, from: DeliveryStatus | null, at: number, reason: string) =>
    Effect.map(errorsOf(row), (errors) =>
      new DeliveryChange(
        {
          id: row.id,
          integration_id: row.integration_id,
          applicant_id: row.applicant_id,
          from,
          status: row.status,
          at: DateTime.unsafeMake(at),
          attempt: row.attempts,
          reason,
          job_id: row.job_id,
          errors
        },
        // Every field comes from a decoded row.
        true
      ))

  const record = (
    id: string,
    from: DeliveryStatus,
    to: DeliveryStatus,
    at: number,
    attempt: number,
    reason: string
  ) =>
    sql`INSERT INTO delivery_transitions (delivery_id, from_status, to_status, at, attempt, reason)
      VALUES (${id}, ${from}, ${to}, ${at}, ${attempt}, ${reason})`

  const find = (id: string) => first(sql`SELECT ${columns} FROM deliveries WHERE id = ${id}`)

  const findByKey = (integration_id: string, idempotency_key: string) =>
    first(
      sql`SELECT ${columns} FROM deliveries
        WHERE integration_id = ${integration_id} AND idempotency_key = ${idempotency_key}`
    )

  const histories = (ids: ReadonlyArray<string>) =>
    ids.length === 0
      ? Effect.succeed(new Map<string, Array<Transition>>())
      : sql`SELECT delivery_id, from_status, to_status, at, attempt, reason FROM delivery_transitions
          WHERE delivery_id IN ${sql.in(ids)} ORDER BY seq`.pipe(
        Effect.flatMap(decodeTransitions),
        Effect.map((found) => {
          const byId = new Map<string, Array<Transition>>()
          for (const row of found) {
            const list = byId.get(row.delivery_id)
            if (list === undefined) byId.set(row.delivery_id, [toTransition(row)])
            else list.push(toTransition(row))
          }
          return byId
        })
      )

  const withHistories = (found: ReadonlyArray<LedgerRow>) =>
    Effect.flatMap(
      histories(found.map((row) => row.id)),
      (byId) => Effect.forEach(found, (row) => toDelivery(row, [accepted(row), ...byId.get(row.id) ?? []]))
    )

  // One statement, so one implicit transaction: enqueue's hot path. The
  // acceptance is the row itself (`created_at`); `delivery_transitions`
  // records every change after it.
  const insertStatement = (delivery: NewDelivery) =>
    delivery.idempotency_key === null
      ? Effect.as(
        sql`INSERT INTO deliveries
          (id, integration_id, applicant_id, body, status, attempts, created_at, updated_at, next_attempt_at)
          VALUES (${delivery.id}, ${delivery.integration_id}, ${delivery.applicant_id}, ${delivery.body}, 'queued', 0,
            ${delivery.at}, ${delivery.at}, ${delivery.at})`,
        true
      )
      : Effect.map(
        sql`INSERT INTO deliveries
          (id, integration_id, applicant_id, idempotency_key, body, status, attempts, created_at, updated_at,
           next_attempt_at)
          VALUES (${delivery.id}, ${delivery.integration_id}, ${delivery.applicant_id}, ${delivery.idempotency_key},
            ${delivery.body}, 'queued', 0, ${delivery.at}, ${delivery.at}, ${delivery.at})
          ON CONFLICT (integration_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
          RETURNING seq`,
        (inserted) => inserted.length > 0
      )
  // On SQLite, the store's prepared INSERT; the statement above while the
  // file is locked by a transaction, or on another dialect.
  const insertRow = Option.match(prepared, {
    onNone: () => insertStatement,
    onSome: (fast) => (delivery: NewDelivery) =>
      Effect.flatMap(
        fast.insert(delivery),
        (inserted) => inserted === undefined ? insertStatement(delivery) : Effect.succeed(inserted)
      )
  })

  const insert: DeliveryLedgerShape["insert"] = (delivery) =>
    Effect.flatMap(insertRow(delivery), (inserted) =>
      inserted
        ? Effect.as(
          publish(
            new DeliveryChange(
              {
                id: delivery.id,
                integration_id: delivery.integration_id,
                applicant_id: delivery.applicant_id,
                from: null,
                status: "queued",
                at: DateTime.unsafeMake(delivery.at),
                attempt: 0,
                reason: ACCEPTED,
                job_id: null,
                errors: []
              },
              // The fields of a delivery just written.
              true
            )
          ),
          Option.none()
        )
        // Only an idempotency key can conflict; the ids are random.
        : findByKey(delivery.integration_id, delivery.idempotency_key ?? ""))

  // The change itself, inside the caller's transaction.
  const apply = (id: string, request: TransitionRequest) => {
    const { at, from, reason, set = {}, to } = request
    const { errors, ...plain } = set
    const values: Record<string, unknown> = { ...plain, status: to, updated_at: at }
    if (errors !== undefined) values.errors = errors === null ? null : JSON.stringify(errors)
    if (isFinal(to)) values.completed_at = at
    if (to === "queued" && values.next_attempt_at === undefined) values.next_attempt_at = at
    return Effect.tap(
      first(
        sql`UPDATE deliveries
          SET ${sql.update(values)}, attempts = attempts + ${request.countAttempt === true ? 1 : 0}
          WHERE id = ${id} AND status = ${from}
          RETURNING ${columns}`
      ),
      (updated: Option.Option<LedgerRow>) =>
        Option.isSome(updated) ? record(id, from, to, at, updated.value.attempts, reason) : Effect.void
    )
  }
  const published = (row: LedgerRow, request: TransitionRequest) =>
    Effect.flatMap(changeOf(row, request.from, request.at, request.reason), publish)

  // Group commit: one fiber takes every transition waiting (from the next
  // turn of the event loop on, so that sends answered together are in it)
  // and commits them in one transaction (one fsync with synchronous=FULL, against one each:
  // the drain of a backlog is bound by them). When the batch fails, each is
  // tried alone, so that one bad transition fails only its caller.
  interface Waiting {
    readonly id: string
    readonly request: TransitionRequest
    readonly done: Deferred.Deferred<Option.Option<LedgerRow>, SqlError>
  }
  const waiting = yield* Queue.unbounded<Waiting>()
  const commitBatch = (batch: ReadonlyArray<Waiting>): Effect.Effect<void> =>
    Effect.flatMap(
      Effect.exit(sql.withTransaction(Effect.forEach(batch, (w) => apply(w.id, w.request)))),
      Exit.match({
        onFailure: (cause) =>
          batch.length === 1
            ? Deferred.failCause(batch[0]!.done, cause)
            : Effect.forEach(batch, (w) => commitBatch([w]), { discard: true }),
        onSuccess: (moved) =>
          Effect.forEach(batch, (w, i) => {
            const row = moved[i] ?? Option.none()
            return Effect.zipRight(
              Option.isSome(row)
                ? Effect.catchAllCause(published(row.value, w.request), (cause) =>
                  Effect.logError("Could not publish a committed change of status", cause))
                : Effect.void,
              Deferred.succeed(w.done, row)
            )
          }, { discard: true })
      })
    )
  yield* Effect.forkScoped(Effect.forever(
    Effect.gen(function*() {
      const first = yield* Queue.take(waiting)
      yield* nextTurn
      const more = yield* Queue.takeUpTo(waiting, MAX_BATCH - 1)
      yield* commitBatch([first, ...more])
    })
  ))

  const transition: DeliveryLedgerShape["transition"] = (id, request) =>
    Effect.flatMap(
      Deferred.make<Option.Option<LedgerRow>, SqlError>(),
      (done) => Effect.zipRight(Queue.offer(waiting, { id, request, done }), Deferred.await(done))
    )

  const transitionAll: DeliveryLedgerShape["transitionAll"] = (changes) =>
    changes.length === 0 ? Effect.succeed([]) : sql.withTransaction(
      Effect.forEach(changes, ([id, request]) => Effect.map(apply(id, request), (row) => [row, request] as const))
    ).pipe(
      // Published once all are committed.
      Effect.flatMap((moved) =>
        Effect.forEach(moved, ([row, request]) =>
          Option.match(row, {
            onNone: () => Effect.succeed([]),
            onSome: (row) => Effect.as(published(row, request), [row])
          }))
      ),
      Effect.map((rows) => rows.flat())
    )

  return DeliveryLedger.of({
    insert,
    find,
    findByKey,
    get: (id) =>
      Effect.flatMap(
        find(id),
        Option.match({
          onNone: () => Effect.succeedNone,
          onSome: (row) => Effect.map(withHistories([row]), (items) => Option.fromNullable(items[0]))
        })
      ),
    list: (request) => {
      const clauses = [
        request.statuses === undefined ? sql`1=1` : sql`d.status IN ${sql.in(request.statuses)}`,
        inIntegrations(request),
        request.before === undefined ? sql`1=1` : sql`d.seq < ${request.before}`
      ]
      // One row more than asked tells whether another page follows.
      return rows(
        sql`SELECT ${qualified} FROM deliveries d WHERE ${sql.and(clauses)}
          ORDER BY d.seq DESC LIMIT ${request.limit + 1}`
      ).pipe(
        Effect.flatMap((found) => {
          const page = found.slice(0, request.limit)
          const next = found.length > request.limit ? page[page.length - 1]?.seq : undefined
          return Effect.map(withHistories(page), (items) => ({ items, next }))
        })
      )
    },
    transition,
    transitionAll,
    reschedule: (id, status, next_attempt_at) =>
      Effect.asVoid(
        sql`UPDATE deliveries SET next_attempt_at = ${next_attempt_at} WHERE id = ${id} AND status = ${status}`
      ),
    sendable: (now, limit, filter) =>
      rows(
        sql`SELECT ${qualified} FROM deliveries d
          WHERE d.status = 'queued' AND d.next_attempt_at <= ${now} AND ${inIntegrations(filter)}
            AND NOT EXISTS (
              SELECT 1 FROM deliveries p
              WHERE p.applicant_id = d.applicant_id AND p.integration_id = d.integration_id AND p.seq < d.seq
                AND p.status IN ('queued', 'sending'))
          ORDER BY d.seq LIMIT ${limit}`
      ),
    nextQueuedAfter: (now, filter) =>
      Effect.map(
        sql<{ readonly at: number | string | null }>`SELECT MIN(d.next_attempt_at) AS at FROM deliveries d
          WHERE d.status = 'queued' AND d.next_attempt_at > ${now} AND ${inIntegrations(filter)}`,
        (found) => Option.map(Option.fromNullable(found[0]?.at), Number)
      ),
    dueForConfirmation: (now, limit, filter) =>
      rows(
        sql`SELECT ${qualified} FROM deliveries d
          WHERE d.status = 'sent' AND d.next_attempt_at <= ${now} AND ${inIntegrations(filter)}
          ORDER BY d.next_attempt_at LIMIT ${limit}`
      ),
    nextConfirmationAt: (filter) =>
      Effect.map(
        sql<{ readonly at: number | string | null }>`SELECT MIN(d.next_attempt_at) AS at FROM deliveries d
          WHERE d.status = 'sent' AND ${inIntegrations(filter)}`,
        (found) => Option.map(Option.fromNullable(found[0]?.at), Number)
      ),
    awaitingConfirmation: (dueBefore, since, filter) =>
      Effect.map(
        sql<{
          readonly integration_id: string
          readonly due: number | string | null
          readonly fresh: number | string | null
          readonly oldest: number | string
        }>`SELECT d.integration_id,
            SUM(CASE WHEN d.sent_at <= ${dueBefore} THEN 1 ELSE 0 END) AS due,
            SUM(CASE WHEN d.sent_at <= ${dueBefore} AND d.sent_at > ${since} THEN 1 ELSE 0 END) AS fresh,
            MIN(d.sent_at) AS oldest
          FROM deliveries d
          WHERE d.status = 'sent' AND d.next_attempt_at IS NOT NULL AND ${inIntegrations(filter)}
          GROUP BY d.integration_id`,
        (found) =>
          found.map((row) => ({
            integration_id: row.integration_id,
            due: Number(row.due ?? 0),
            fresh: Number(row.fresh ?? 0),
            oldest_sent_at: Number(row.oldest)
          }))
      ),
    sentWithJobs: (job_ids) =>
      job_ids.length === 0
        ? Effect.succeed([])
        : rows(sql`SELECT ${columns} FROM deliveries WHERE status = 'sent' AND job_id IN ${sql.in(job_ids)}`),
    findByJob: (job_id) => first(sql`SELECT ${columns} FROM deliveries WHERE job_id = ${job_id}`),
    inStatus: (status, filter) =>
      rows(
        sql`SELECT ${qualified} FROM deliveries d
          WHERE d.status = ${status} AND ${inIntegrations(filter)} ORDER BY d.seq`
      ),
    backlog: Effect.map(
      sql<{ readonly status: string; readonly n: number | string; readonly oldest: number | string }>`
        SELECT status, COUNT(*) AS n, MIN(created_at) AS oldest FROM deliveries
        WHERE status IN ('queued', 'sending', 'sent', 'ambiguous') GROUP BY status`,
      (found) => {
        const of = (status: DeliveryStatus) => found.find((row) => row.status === status)
        const count = (status: DeliveryStatus) => Number(of(status)?.n ?? 0)
        const oldest = of("queued")?.oldest
        return {
          queued: count("queued"),
          sending: count("sending"),
          sent: count("sent"),
          ambiguous: count("ambiguous"),
          oldest_queued_at: oldest === undefined ? null : DateTime.unsafeMake(Number(oldest))
        }
      }
    ),
    subscribe: PubSub.subscribe(changes),
    wakeups: PubSub.subscribe(wakeups)
  })
})

/**
 * The ledger on the `SqlClient` in context (`DeliveryStore.layer` for
 * SQLite), already migrated.
 *
 * @since 0.2.0
 * @category layers
 */
export const layer: Layer.Layer<DeliveryLedger, never, SqlClient.SqlClient> = Layer.scoped(DeliveryLedger, make)
