/**
 * The deliverer: the background work that sends queued deliveries to
 * Propexo through one client (one token) and learns how Entrata decided.
 *
 * - Oldest first, and never two events of one applicant out of order: an
 *   applicant's next delivery waits until the one before is at least `sent`
 *   (or settled, or `ambiguous`). A `failed` or `ambiguous` one does not
 *   hold the next back: it may stay so for good, and the events are
 *   separate entries of the applicant's history, each with its own time.
 * - As many sends at once as `concurrency` and the quota allow, claimed
 *   (`sending`) in one commit; their answers are committed together too.
 * - `sending` is committed before the request goes out. A `sending` row
 *   found at start-up was left by a crash between that commit and the
 *   answer: it becomes `ambiguous`, never resent silently.
 * - Paced by the client's own quota pacer. A 429 or a refused connection
 *   (nothing was sent) puts the delivery back in the queue with
 *   `next_attempt_at` and pauses sending until then; a timeout, a 5xx or a
 *   connection lost after sending makes it `ambiguous`, and it is resent
 *   only with `retryAmbiguous`; sending then pauses, and resumes only once
 *   Propexo answers a harmless read, so an outage does not make the whole
 *   queue ambiguous.
 * - Learns how Entrata decided from Propexo's write logs, one request for
 *   up to 100 writes, and asks a write's own status only when the logs have
 *   not told within `writeStatusAfter`; a write still unconfirmed after
 *   `giveUpAfter` stays `sent`, no longer looked for, its history saying so.
 * - Wakes as soon as a delivery is queued; a poll is only a safety net.
 * - Stopping the layer lets every send under way finish and records its
 *   answer: no `sending` row is abandoned that could have been completed.
 * - One deliverer per integration and ledger: at start, a deliverer takes
 *   every `sending` row of its integrations for a crash's, so several on
 *   one ledger need disjoint `integrations` (as their tokens do anyway).
 *
 * @since 0.2.0
 */
import type { SqlError } from "@effect/sql/SqlError"
import type { ApplicantEvent } from "@entrata-events/core/ApplicantEvent"
import {
  ApplicantEvents,
  type ApplicantEventsError,
  type CreatedApplicantEvent
} from "@entrata-events/core/ApplicantEvents"
import { EventTypeCatalog } from "@entrata-events/propexo/EventTypeCatalog"
import { PropexoClient } from "@entrata-events/propexo/PropexoClient"
import type { PropexoError } from "@entrata-events/propexo/PropexoError"
import { WriteStatus } from "@entrata-events/propexo/WriteStatus"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberSet from "effect/FiberSet"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import { InvalidOption } from "./DeliveryError.js"
import { DeliveryLedger, type LedgerFilter, type LedgerRow } from "./DeliveryLedger.js"
import * as Confirmation from "./internal/confirmation.js"
import { checkKind } from "./internal/kind.js"
import { nextTurn } from "./internal/turn.js"
import { bodyOf } from "./internal/rows.js"

/**
 * @since 0.2.0
 * @category models
 */
export interface DelivererOptions {
  /**
   * Sends in flight at once. Default 4: enough for 150 requests a minute.
   * From 80% of a window's quota on, Propexo answers about 2 s late, so
   * spending the rest of a window takes about `0.2 × limit × 2 s / the time
   * left`: a quota of 600 per 10 s wants about 64.
   */
  readonly concurrency?: number | undefined
  /**
   * Resend a delivery whose create may have been recorded (a timeout, a
   * 5xx, a crash while sending): it may then appear twice in Entrata.
   * Default: the client's `retryAmbiguous` (`PROPEXO_RETRY_AMBIGUOUS`).
   */
  readonly retryAmbiguous?: boolean | undefined
  /** Deliver only these integrations' deliveries (the token's). Default: all. */
  readonly integrations?: ReadonlyArray<string> | undefined
  /** The longest the deliverer sleeps without looking at the ledger. Default 5 seconds. */
  readonly pollInterval?: Duration.DurationInput | undefined
  /** The first pause after Propexo could not be reached; it doubles while that lasts. Default 1 second. */
  readonly backoff?: Duration.DurationInput | undefined
  /** The longest pause. Default 1 minute. */
  readonly maxBackoff?: Duration.DurationInput | undefined
  /** How long after it was sent a write is first looked for in the write logs. Default 2 seconds. */
  readonly confirmAfter?: Duration.DurationInput | undefined
  /**
   * The gap between two reads of the write logs while writes are due and
   * nothing waits for the quota (a read happens sooner once 100 writes are
   * due since the last). Default 2 seconds.
   *
   * @since 0.2.0
   */
  readonly confirmInterval?: Duration.DurationInput | undefined
  /**
   * The gap between two reads of the write logs while creates wait for the
   * quota, and the most it grows to after reads that confirmed nothing.
   * Default 30 seconds.
   */
  readonly maxConfirmInterval?: Duration.DurationInput | undefined
  /**
   * When a write still unconfirmed is asked by its own write status (one
   * request for it alone), then again after half its age, at most hourly.
   * Default 5 minutes after it was sent.
   *
   * @since 0.2.0
   */
  readonly writeStatusAfter?: Duration.DurationInput | undefined
  /**
   * When a write still unconfirmed is no longer looked for: it stays
   * `sent`, with the reason in its history. Default 1 day after it was sent.
   *
   * @since 0.2.0
   */
  readonly giveUpAfter?: Duration.DurationInput | undefined
}

/** What one send came to, to be recorded. */
type Outcome =
  | { readonly _tag: "Sent"; readonly job_id: string }
  | { readonly _tag: "Refused"; readonly job_id: string; readonly errors: ReadonlyArray<string> }
  | { readonly _tag: "Rejected"; readonly reason: string }
  | { readonly _tag: "Ambiguous"; readonly reason: string }
  /** Certainly not sent: queue it again once the pause ends. */
  | { readonly _tag: "NotSent"; readonly reason: string; readonly resetAt: number | undefined }

const outcomeOfError = (error: ApplicantEventsError): Outcome => {
  switch (error._tag) {
    case "InvalidApplicantEvent":
    case "PropexoBadRequest":
    case "PropexoNotFound":
      return { _tag: "Rejected", reason: error.message }
    case "PropexoUnauthorized":
      // 403: this token may not write to the integration. 401: the token
      // itself is wrong, and nothing can be sent until it is fixed.
      return error.status === 403
        ? { _tag: "Rejected", reason: error.message }
        : { _tag: "NotSent", reason: error.message, resetAt: undefined }
    case "PropexoRateLimited":
      return { _tag: "NotSent", reason: error.message, resetAt: DateTime.toEpochMillis(error.resetAt) }
    case "WriteFailed":
      return { _tag: "Refused", job_id: error.job_id, errors: error.errors }
    case "WriteStillPending":
      return { _tag: "Sent", job_id: error.job_id }
    case "PropexoUnavailable":
    case "PropexoTimeout":
      return error.ambiguous
        ? { _tag: "Ambiguous", reason: error.message }
        : { _tag: "NotSent", reason: error.message, resetAt: undefined }
    default:
      return error.ambiguous
        ? { _tag: "Ambiguous", reason: error.message }
        : { _tag: "Rejected", reason: error.message }
  }
}

/** When a 429 says the quota is back; otherwise the pause is a backoff. */
const resetAtOf = (error: PropexoError): number | undefined =>
  error._tag === "PropexoRateLimited" ? DateTime.toEpochMillis(error.resetAt) : undefined

const outcomeOf = (exit: Exit.Exit<CreatedApplicantEvent, ApplicantEventsError>): Outcome =>
  Exit.match(exit, {
    onSuccess: (created) => ({ _tag: "Sent", job_id: created.job_id }),
    onFailure: (cause) =>
      Option.match(Cause.failureOption(cause), {
        onSome: outcomeOfError,
        onNone: () => ({
          _tag: "Ambiguous",
          reason: `the send ended without an answer (${Cause.isInterruptedOnly(cause) ? "interrupted" : "a defect"})`
        })
      })
  })

/** What the send loop does next. */
type Next =
  | { readonly _tag: "Continue" }
  /** Every send allowed is under way: the next waits for one to end. */
  | { readonly _tag: "Full" }
  | { readonly _tag: "Idle"; readonly until: number | undefined }
  | { readonly _tag: "Paused"; readonly until: number }

const proceed: Next = { _tag: "Continue" }
const full: Next = { _tag: "Full" }
const idle = (until: number | undefined): Next => ({ _tag: "Idle", until })
const paused = (until: number): Next => ({ _tag: "Paused", until })

const CRASHED =
  "found sending at start-up: the process stopped between committing sending and recording Propexo's answer, " +
  "so it may have been created"

// A write to the ledger that fails is retried a few times before the
// deliverer gives up on it (a `sending` row left then becomes ambiguous at
// the next start).
const ledgerRetry = Schedule.exponential("100 millis").pipe(Schedule.intersect(Schedule.recurs(5)))

/**
 * Runs the deliverer for the life of the scope (see the module's
 * description). Fails when an option breaks its rule, or when the ledger
 * cannot be read at start-up.
 *
 * @since 0.2.0
 * @category constructors
 */
export const run = (
  options: DelivererOptions = {}
): Effect.Effect<
  void,
  InvalidOption | SqlError,
  DeliveryLedger | ApplicantEvents | EventTypeCatalog | WriteStatus | PropexoClient | Scope.Scope
> =>
  Effect.gen(function*() {
    const concurrency = options.concurrency ?? 4
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      return yield* new InvalidOption({ field: "concurrency", rule: "must be a positive integer" })
    }
    const ledger = yield* DeliveryLedger
    const events = yield* ApplicantEvents
    const catalog = yield* EventTypeCatalog
    const client = yield* PropexoClient
    const retryAmbiguous = options.retryAmbiguous ?? client.config.retryAmbiguous
    const filter: LedgerFilter = { integrations: options.integrations }
    const millis = (input: Duration.DurationInput | undefined, fallback: Duration.DurationInput) =>
      Duration.toMillis(Duration.decode(input ?? fallback))
    const pollMs = millis(options.pollInterval, "5 seconds")
    const backoffMs = millis(options.backoff, "1 second")
    const maxBackoffMs = millis(options.maxBackoff, "1 minute")
    const confirmAfterMs = millis(options.confirmAfter, "2 seconds")
    const writeStatusAfterMs = millis(options.writeStatusAfter, "5 minutes")
    const now = Clock.currentTimeMillis

    // Whether creates wait for their turn (found sendable, or paused by the
    // quota): the confirmation loop then spares the quota.
    let backlogged = false

    // Propexo out of reach is not one delivery's fault: sending pauses as a
    // whole, and the delivery keeps its place at the head of the queue.
    let pausedUntil = 0
    let outages = 0
    const pause = (at: number, resetAt: number | undefined) =>
      Effect.sync(() => {
        if (resetAt === undefined) outages++
        const until = resetAt ?? at + Math.min(maxBackoffMs, backoffMs * 2 ** (outages - 1))
        pausedUntil = Math.max(pausedUntil, until)
        return pausedUntil
      })
    const reached = Effect.sync(() => {
      outages = 0
    })

    // After an answer that leaves a create's fate unknown (a 5xx, a timeout),
    // Propexo is asked something harmless before the next create: during an
    // outage, one delivery becomes ambiguous, not the whole queue.
    let probeFirst = false
    const probe = client.read("probe", "event types", (api) => api.eventTypes.list({ urlParams: { limit: 1 } }))

    const requeueAmbiguous = (row: LedgerRow, at: number, until: number) =>
      retryAmbiguous
        ? ledger.transition(row.id, {
          from: "ambiguous",
          to: "queued",
          at,
          reason: "resent because retryAmbiguous is on",
          set: { next_attempt_at: until }
        })
        : Effect.void

    // A crash left these between the commit of `sending` and the answer.
    const stuck = yield* ledger.inStatus("sending", filter)
    for (const row of stuck) {
      const at = yield* now
      yield* ledger.transition(row.id, { from: "sending", to: "ambiguous", at, reason: CRASHED })
      yield* requeueAmbiguous(row, at, at)
    }
    if (stuck.length > 0) {
      yield* Effect.logWarning(`${stuck.length} deliveries were left sending by a crash; they are now ambiguous`)
    }

    // Closed after the loops stop: its sends are uninterruptible, so closing
    // it waits for each to finish and be recorded.
    const sends = yield* FiberSet.make()
    const wakeups = yield* ledger.wakeups
    // A send ended: the applicant's next delivery may now go.
    const progress = yield* Queue.sliding<void>(1)
    // A delivery became sent: its check falls due soon.
    const sentSignal = yield* Queue.sliding<void>(1)

    const record = (row: LedgerRow, outcome: Outcome) =>
      Effect.gen(function*() {
        const at = yield* now
        switch (outcome._tag) {
          case "Sent": {
            yield* reached
            yield* ledger.transition(row.id, {
              from: "sending",
              to: "sent",
              at,
              reason: `Propexo queued the write as job ${outcome.job_id}`,
              set: {
                job_id: outcome.job_id,
                write_status: "PENDING",
                sent_at: at,
                // When its own write status is asked, if the write logs have not told by then.
                next_attempt_at: at + writeStatusAfterMs
              }
            })
            return yield* sentSignal.offer(undefined)
          }
          case "Refused":
            yield* reached
            return yield* ledger.transition(row.id, {
              from: "sending",
              to: "failed",
              at,
              reason: "Entrata refused it",
              set: { job_id: outcome.job_id, write_status: "FAILURE", errors: outcome.errors }
            })
          case "Rejected":
            yield* reached
            return yield* ledger.transition(row.id, { from: "sending", to: "rejected", at, reason: outcome.reason })
          case "Ambiguous": {
            const until = yield* pause(at, undefined)
            probeFirst = true
            yield* ledger.transition(row.id, { from: "sending", to: "ambiguous", at, reason: outcome.reason })
            return yield* requeueAmbiguous(row, at, until)
          }
          case "NotSent": {
            const until = yield* pause(at, outcome.resetAt)
            yield* Effect.logWarning(`Propexo did not take the delivery; sending pauses: ${outcome.reason}`)
            return yield* ledger.transition(row.id, {
              from: "sending",
              to: "queued",
              at,
              reason: `not sent: ${outcome.reason}`,
              set: { next_attempt_at: until }
            })
          }
        }
      })

    // Sends under way (only the send loop starts one, and each ends by
    // itself), and those not yet at the quota pacer, whose slots the
    // pacer's count does not show yet.
    let inFlight = 0
    let starting = 0

    const deliver = (row: LedgerRow, event: ApplicantEvent) =>
      Effect.gen(function*() {
        // With no free slot in the quota the create fails at once, and the
        // delivery waits in `queued`, not in `sending`.
        starting--
        const exit = yield* Effect.exit(events.create(event, { maxQuotaWait: Duration.zero }))
        yield* record(row, outcomeOf(exit)).pipe(
          Effect.retry(ledgerRetry),
          Effect.catchAllCause((cause) =>
            Effect.logError("Could not record Propexo's answer; the delivery stays sending", cause)
          )
        )
      }).pipe(
        Effect.annotateLogs("delivery_id", row.id),
        Effect.withSpan("Deliverer.deliver", { attributes: { "delivery.id": row.id }, captureStackTrace: false }),
        Effect.ensuring(Effect.suspend(() => {
          inFlight--
          return progress.offer(undefined)
        })),
        Effect.uninterruptible
      )

    /** Checks an event before `sending` is committed: it may have been accepted while the catalog could not be read. */
    const check = (
      row: LedgerRow,
      event: ApplicantEvent,
      at: number
    ): Effect.Effect<"sendable" | "rejected" | PropexoError, SqlError> =>
      Effect.flatMap(Effect.either(checkKind(catalog, event)), (checked): Effect.Effect<
        "sendable" | "rejected" | PropexoError,
        SqlError
      > => {
        if (checked._tag === "Right") return Effect.succeed("sendable")
        const error = checked.left
        // Refused for this event (or this integration): the rest of the queue goes on.
        const refused = error._tag === "InvalidApplicantEvent" ||
          (error._tag === "PropexoUnauthorized" && error.status === 403)
        return refused
          ? Effect.as(
            ledger.transition(row.id, { from: "queued", to: "rejected", at, reason: error.message }),
            "rejected"
          )
          : Effect.succeed(error)
      })

    /**
     * Finds the next deliveries (as many as there are free sends and free
     * slots in the quota: a claim the pacer cannot send would only go back
     * to the queue), commits them `sending` together, and starts their sends.
     */
    const step: Effect.Effect<Next, SqlError> = Effect.uninterruptibleMask((restore) =>
      Effect.gen(function*() {
        const at = yield* now
        if (at < pausedUntil) return paused(pausedUntil)
        if (inFlight >= concurrency) return full
        // Signals sent before this search are answered by it.
        yield* wakeups.takeAll
        yield* progress.takeAll
        const quota = yield* client.quota
        // The pacer's window rolls as it is read: none left means until its end.
        if (quota.remaining === 0) return paused(DateTime.toEpochMillis(quota.resetAt))
        const room = Math.min(concurrency - inFlight, quota.remaining - starting)
        // Sends just started will take what is left.
        if (room <= 0) return full
        const found = yield* restore(ledger.sendable(at, room, filter))
        backlogged = found.length > 0
        if (found.length === 0) {
          return idle(Option.getOrUndefined(yield* restore(ledger.nextQueuedAfter(at, filter))))
        }
        if (probeFirst) {
          const answer = yield* restore(Effect.either(probe))
          if (answer._tag === "Left") {
            const error = answer.left
            yield* Effect.logWarning(`Propexo is still failing; sending stays paused: ${error.message}`)
            return paused(yield* pause(at, resetAtOf(error)))
          }
          probeFirst = false
          yield* reached
        }
        const claims: Array<readonly [LedgerRow, ApplicantEvent]> = []
        let unreadable: PropexoError | undefined
        for (const row of found) {
          const event = yield* bodyOf(row)
          const checked = yield* restore(check(row, event, at))
          if (checked === "sendable") claims.push([row, event])
          else if (checked !== "rejected") {
            unreadable = checked
            break
          }
        }
        const claimedAt = yield* now
        const claimed = yield* ledger.transitionAll(claims.map(([row]) => [row.id, {
          from: "queued",
          to: "sending",
          at: claimedAt,
          reason: "sending to Propexo",
          countAttempt: true
        }]))
        const eventOf = new Map(claims.map(([row, event]) => [row.id, event]))
        for (const row of claimed) {
          inFlight++
          starting++
          yield* FiberSet.run(sends, deliver(row, eventOf.get(row.id)!))
        }
        if (unreadable !== undefined) {
          yield* Effect.logWarning(`The event-type catalog could not be read; sending pauses: ${unreadable.message}`)
          return paused(yield* pause(at, resetAtOf(unreadable)))
        }
        return proceed
      })
    )

    const sleepUntil = (until: number) =>
      Effect.flatMap(now, (at) => Effect.sleep(Duration.millis(Math.max(0, until - at))))

    const sendLoop = Effect.gen(function*() {
      while (true) {
        const next = yield* step.pipe(
          Effect.catchAllCause((cause) =>
            Effect.zipRight(
              Effect.logError("The deliverer could not read the ledger; trying again in a second", cause),
              Effect.map(now, (at) => paused(at + 1_000))
            )
          )
        )
        if (next._tag === "Paused") yield* sleepUntil(next.until)
        else if (next._tag === "Full") yield* Effect.zipRight(progress.take, nextTurn)
        else if (next._tag === "Idle") {
          const at = yield* now
          yield* Effect.raceAll([
            wakeups.take,
            progress.take,
            sleepUntil(Math.min(next.until ?? Infinity, at + pollMs))
          ])
          // Sends that ended together (and events queued together) are then all claimed in one commit.
          yield* nextTurn
        }
      }
    })

    const confirmLoop = Confirmation.run({
      filter,
      confirmAfterMs,
      confirmIntervalMs: millis(options.confirmInterval, "2 seconds"),
      maxConfirmIntervalMs: millis(options.maxConfirmInterval, "30 seconds"),
      writeStatusAfterMs,
      giveUpAfterMs: millis(options.giveUpAfter, "1 day"),
      pollMs,
      busy: () => backlogged,
      sent: sentSignal
    })

    yield* Effect.forkScoped(Effect.annotateLogs(sendLoop, "deliverer", "send"))
    yield* Effect.forkScoped(Effect.annotateLogs(confirmLoop, "deliverer", "confirm"))
  })

/**
 * The deliverer as a layer: started when the layer is built, stopped (its
 * sends finished and recorded) when it is released. Provide it with the
 * client's layer (`ApplicantEventsLive.layer()`) and the ledger
 * (`Deliveries.layer`).
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (
  options: DelivererOptions = {}
): Layer.Layer<
  never,
  InvalidOption | SqlError,
  DeliveryLedger | ApplicantEvents | EventTypeCatalog | WriteStatus | PropexoClient
> => Layer.scopedDiscard(run(options))
