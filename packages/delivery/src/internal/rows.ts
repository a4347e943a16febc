import { ApplicantEvent } from "@entrata-events/core/ApplicantEvent"
import { WriteStatusValue } from "@entrata-events/propexo/PropexoApi"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { Delivery, DeliveryStatus, Transition } from "../Delivery.js"

/** The columns of `deliveries` every query reads, in the order of {@link Row}. */
export const COLUMNS =
  "seq, id, integration_id, applicant_id, idempotency_key, body, status, attempts, job_id, write_status, errors, " +
  "created_at, updated_at, next_attempt_at, sent_at, completed_at"

// SQLite answers numbers; PostgreSQL's drivers answer BIGINT as text.
const Int = Schema.Union(Schema.Number, Schema.NumberFromString)

/**
 * A row of `deliveries` as stored: times in epoch milliseconds, the body
 * and the PMS's messages as JSON text.
 *
 * @internal
 */
export const Row = Schema.Struct({
  seq: Int,
  id: Schema.String,
  integration_id: Schema.String,
  applicant_id: Schema.String,
  idempotency_key: Schema.NullOr(Schema.String),
  body: Schema.String,
  status: DeliveryStatus,
  attempts: Int,
  job_id: Schema.NullOr(Schema.String),
  write_status: Schema.NullOr(WriteStatusValue),
  errors: Schema.NullOr(Schema.String),
  created_at: Int,
  updated_at: Int,
  next_attempt_at: Schema.NullOr(Int),
  sent_at: Schema.NullOr(Int),
  completed_at: Schema.NullOr(Int)
})

/**
 * @internal
 */
export interface Row extends Schema.Schema.Type<typeof Row> {}

/**
 * A row of `delivery_transitions`.
 *
 * @internal
 */
export const TransitionRow = Schema.Struct({
  delivery_id: Schema.String,
  from_status: Schema.NullOr(DeliveryStatus),
  to_status: DeliveryStatus,
  at: Int,
  attempt: Int,
  reason: Schema.String
})

// The ledger wrote every row itself: one it cannot read is a defect, not an
// error for callers to handle.
const decodeRowsEither = Schema.decodeUnknownEither(Schema.Array(Row))
const decodeTransitionsEither = Schema.decodeUnknownEither(Schema.Array(TransitionRow))
const decodeBody = Schema.decodeUnknownEither(Schema.parseJson(ApplicantEvent))
const decodeErrors = Schema.decodeUnknownEither(Schema.parseJson(Schema.Array(Schema.String)))

/** @internal */
export const decodeRows = (rows: ReadonlyArray<unknown>): Effect.Effect<ReadonlyArray<Row>> =>
  Effect.orDie(decodeRowsEither(rows))

/** @internal */
export const decodeTransitions = (
  rows: ReadonlyArray<unknown>
): Effect.Effect<ReadonlyArray<Schema.Schema.Type<typeof TransitionRow>>> => Effect.orDie(decodeTransitionsEither(rows))

const utc = (millis: number) => DateTime.unsafeMake(millis)
const utcOrNull = (millis: number | null) => millis === null ? null : utc(millis)

/** @internal */
export const toTransition = (row: Schema.Schema.Type<typeof TransitionRow>): Transition =>
  new Transition(
    { from: row.from_status, to: row.to_status, at: utc(row.at), attempt: row.attempt, reason: row.reason },
    true
  )

/** The event a row holds. @internal */
export const bodyOf = (row: Row): Effect.Effect<ApplicantEvent> => Effect.orDie(decodeBody(row.body))

/** The PMS's messages of a row. @internal */
export const errorsOf = (row: Row): Effect.Effect<ReadonlyArray<string>> =>
  row.errors === null ? Effect.succeed([]) : Effect.orDie(decodeErrors(row.errors))

/**
 * The public form of a row and its history.
 *
 * @internal
 */
export const toDelivery = (row: Row, history: ReadonlyArray<Transition>): Effect.Effect<Delivery> =>
  Effect.all([bodyOf(row), errorsOf(row)]).pipe(
    Effect.map(([body, errors]) =>
      new Delivery(
        {
          id: row.id,
          integration_id: row.integration_id,
          applicant_id: row.applicant_id,
          status: row.status,
          attempts: row.attempts,
          job_id: row.job_id,
          write_status: row.write_status,
          errors,
          body,
          idempotency_key: row.idempotency_key,
          created_at: utc(row.created_at),
          updated_at: utc(row.updated_at),
          next_attempt_at: utcOrNull(row.next_attempt_at),
          sent_at: utcOrNull(row.sent_at),
          completed_at: utcOrNull(row.completed_at),
          history
        },
        // Every field was decoded above.
        true
      )
    )
  )
