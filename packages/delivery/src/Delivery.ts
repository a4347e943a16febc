/**
 * A delivery: one applicant event accepted for Propexo, with where it
 * stands and how it got there.
 *
 * ```text
 * queued ──▶ sending ──▶ sent ──▶ succeeded
 *   ▲  │        │  │              └▶ failed      (the PMS refused; its messages kept)
 *   │  │        │  ├─▶ rejected                  (Propexo's or our validation: never sendable)
 *   │  │        │  ├─▶ ambiguous                 (it may have been created)
 *   │  │        └──┴─▶ queued                    (429, connection refused: not sent)
 *   │  ├─▶ rejected                            (our validation at delivery)
 *   │  └─▶ cancelled
 *   └──── failed | ambiguous                   (an operator's retry)
 * ```
 *
 * @since 0.2.0
 */
import { ApplicantEvent } from "@entrata-events/core/ApplicantEvent"
import { WriteStatusValue } from "@entrata-events/propexo/PropexoApi"
import type * as DateTime from "effect/DateTime"
import * as Schema from "effect/Schema"

/**
 * Where a delivery stands.
 *
 * - `queued`: accepted and committed, waiting for its turn (and, after a
 *   429 or an outage, for `next_attempt_at`);
 * - `sending`: committed as being sent, before the request went out;
 * - `sent`: Propexo queued the write (`job_id` known), Entrata has not
 *   decided yet (one the deliverer could not confirm within its
 *   `giveUpAfter` stays so for good, its history saying why);
 * - `succeeded`: Entrata applied it;
 * - `failed`: Entrata refused it (`errors` are its messages);
 * - `rejected`: Propexo's validation, or ours at delivery, refused it: never
 *   sendable as it is;
 * - `ambiguous`: it may have been created (a crash between `sending` and the
 *   answer, a timeout, a 5xx after sending): never resent unless an
 *   operator retries it or the deliverer runs with `retryAmbiguous`;
 * - `cancelled`: cancelled while queued; never sent.
 *
 * @since 0.2.0
 * @category models
 */
export const DeliveryStatus = Schema.Literal(
  "queued",
  "sending",
  "sent",
  "succeeded",
  "failed",
  "rejected",
  "ambiguous",
  "cancelled"
)

/**
 * @since 0.2.0
 * @category models
 */
export type DeliveryStatus = Schema.Schema.Type<typeof DeliveryStatus>

/**
 * Every status, in the order of a delivery's life.
 *
 * @since 0.2.0
 * @category constants
 */
export const STATUSES: ReadonlyArray<DeliveryStatus> = DeliveryStatus.literals

/**
 * The statuses nothing leaves on its own: Entrata decided, Propexo refused,
 * or an operator cancelled. (`ambiguous` rests too, but an operator may
 * retry it.)
 *
 * @since 0.2.0
 * @category constants
 */
export const FINAL_STATUSES: ReadonlyArray<DeliveryStatus> = ["succeeded", "failed", "rejected", "cancelled"]

/**
 * Whether a status is final (see {@link FINAL_STATUSES}).
 *
 * @since 0.2.0
 * @category predicates
 */
export const isFinal = (status: DeliveryStatus): boolean => FINAL_STATUSES.includes(status)

/**
 * The statuses an operator may retry.
 *
 * @since 0.2.0
 * @category constants
 */
export const RETRYABLE_STATUSES: ReadonlyArray<DeliveryStatus> = ["failed", "ambiguous"]

/**
 * One recorded change of status: when, at which attempt, and why. The first
 * of every delivery has `from: null` (it was accepted).
 *
 * @since 0.2.0
 * @category models
 */
export class Transition extends Schema.Class<Transition>("Transition")({
  from: Schema.NullOr(DeliveryStatus),
  to: DeliveryStatus,
  at: Schema.DateTimeUtc,
  /** The number of sends tried when it happened. */
  attempt: Schema.Int,
  reason: Schema.String
}) {}

/**
 * A delivery and its whole story. Its encoded form is plain JSON (times as
 * ISO 8601 in UTC), ready for an HTTP answer.
 *
 * @since 0.2.0
 * @category models
 */
export class Delivery extends Schema.Class<Delivery>("Delivery")({
  /** Ours: stable, URL-safe (`dlv_` and 26 lower-case letters and digits). */
  id: Schema.String,
  integration_id: Schema.String,
  applicant_id: Schema.String,
  status: DeliveryStatus,
  /** Sends tried so far (a 429 or a refused connection counts). */
  attempts: Schema.Int,
  /** Propexo's job id, once it queued the write. */
  job_id: Schema.NullOr(Schema.String),
  /** The write status Propexo last reported. */
  write_status: Schema.NullOr(WriteStatusValue),
  /** The PMS's messages, when it refused the write. */
  errors: Schema.Array(Schema.String),
  /** The exact body sent (or to be sent) to Propexo. */
  body: ApplicantEvent,
  idempotency_key: Schema.NullOr(Schema.String),
  created_at: Schema.DateTimeUtc,
  updated_at: Schema.DateTimeUtc,
  /** When a queued delivery may next be sent, or a sent one next checked. */
  next_attempt_at: Schema.NullOr(Schema.DateTimeUtc),
  /** When Propexo answered with the job id. */
  sent_at: Schema.NullOr(Schema.DateTimeUtc),
  /** When it reached a final status. */
  completed_at: Schema.NullOr(Schema.DateTimeUtc),
  /** Every transition, oldest first. */
  history: Schema.Array(Transition)
}) {}

/**
 * A change of status as it is committed, for adapters that follow
 * deliveries (`Deliveries.changes`).
 *
 * @since 0.2.0
 * @category models
 */
export class DeliveryChange extends Schema.Class<DeliveryChange>("DeliveryChange")({
  id: Schema.String,
  integration_id: Schema.String,
  applicant_id: Schema.String,
  from: Schema.NullOr(DeliveryStatus),
  status: DeliveryStatus,
  at: Schema.DateTimeUtc,
  attempt: Schema.Int,
  reason: Schema.String,
  job_id: Schema.NullOr(Schema.String),
  errors: Schema.Array(Schema.String)
}) {}

/**
 * What `enqueue` answers: the delivery's id and status. `replayed` is true
 * when an idempotency key matched an earlier delivery of the same body,
 * which is returned as it now stands.
 *
 * @since 0.2.0
 * @category models
 */
export interface Enqueued {
  readonly id: string
  readonly status: DeliveryStatus
  readonly replayed: boolean
}

/**
 * What is waiting: the deliveries not yet sent or settled, and the oldest
 * queued one's acceptance (for its age), for health checks and logs.
 *
 * @since 0.2.0
 * @category models
 */
export interface Backlog {
  readonly queued: number
  readonly sending: number
  /** Sent, Entrata's decision not yet known. */
  readonly sent: number
  readonly ambiguous: number
  readonly oldest_queued_at: DateTime.Utc | null
}

/**
 * A page of `list`: newest first; `next_cursor` fetches the next (older)
 * page, `null` on the last.
 *
 * @since 0.2.0
 * @category models
 */
export interface DeliveryPage {
  readonly items: ReadonlyArray<Delivery>
  readonly next_cursor: string | null
}
