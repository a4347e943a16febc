import * as PropexoApi from "@entrata-events/propexo/PropexoApi"
import { WriteStatus } from "@entrata-events/propexo/WriteStatus"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Queue from "effect/Queue"
import { DeliveryLedger, type LedgerFilter, type LedgerRow, type TransitionRequest } from "../DeliveryLedger.js"

/**
 * How a queued write ended, or that it has not yet.
 *
 * @internal
 */
export interface WriteOutcome {
  readonly write_status: PropexoApi.WriteStatusValue
  /** The PMS's messages. */
  readonly errors: ReadonlyArray<string>
}

/**
 * The transition that records an outcome of a `sent` delivery, or
 * `undefined` while the write is pending.
 *
 * @internal
 */
export const confirmed = (
  outcome: WriteOutcome,
  at: number,
  source: string
): Omit<TransitionRequest, "from"> | undefined => {
  switch (outcome.write_status) {
    case "SUCCESS":
    case "PARTIAL_SUCCESS":
      return {
        to: "succeeded",
        at,
        reason: `Entrata applied ${outcome.write_status === "SUCCESS" ? "it" : "part of it"} (${source})`,
        set: { write_status: outcome.write_status, errors: outcome.errors }
      }
    case "FAILURE":
      return {
        to: "failed",
        at,
        reason: `Entrata refused it (${source})`,
        set: { write_status: "FAILURE", errors: outcome.errors }
      }
    case "PENDING":
      return undefined
  }
}

/**
 * A write log's outcome. The logs know only `SUCCESS` and `FAILURE`, and
 * the PMS's messages as one text.
 */
const outcomeOfLog = (log: PropexoApi.WriteLog): WriteOutcome => ({
  write_status: log.status,
  errors: log.error === null ? [] : [log.error]
})

/** The smallest `time_range` that reaches `age` back, with some room. */
const timeRange = (age: number): typeof PropexoApi.TimeRange.Type => {
  const reach = age + 10 * 60_000
  return reach <= 3_600_000 ? "hour" : reach <= 86_400_000 ? "day" : reach <= 7 * 86_400_000 ? "week" : "month"
}

const logTime = (log: PropexoApi.WriteLog): number => {
  const time = Date.parse(log.created_at)
  return Number.isNaN(time) ? -Infinity : time
}

/**
 * How far before the oldest write looked for the first read of an
 * integration's logs reaches: the logs' times are Propexo's clock, not ours.
 */
const CLOCK_SKEW_MILLIS = 60_000
/** The most pages one read of an integration's logs takes. */
const MAX_PAGES = 20
/** The most writes asked by their own write status in one go. */
const WRITE_STATUS_BATCH = 10
/** The longest gap between two write-status checks of one stuck write. */
const MAX_WRITE_STATUS_INTERVAL_MILLIS = 3_600_000
/** After a `sent` signal, how long the loop waits for more before it looks. */
const COALESCE_MILLIS = 100

/**
 * When and how the confirmation loop looks (see the deliverer's options).
 *
 * @internal
 */
export interface ConfirmationOptions {
  readonly filter: LedgerFilter
  readonly confirmAfterMs: number
  readonly confirmIntervalMs: number
  readonly maxConfirmIntervalMs: number
  readonly writeStatusAfterMs: number
  readonly giveUpAfterMs: number
  readonly pollMs: number
  /** Whether creates are waiting for the quota: reads are then spaced out. */
  readonly busy: () => boolean
  /** A signal each time a delivery became `sent`. */
  readonly sent: Queue.Dequeue<void>
}

/**
 * The confirmation loop of one deliverer: learns the outcomes of its `sent`
 * deliveries, cheaply.
 *
 * - Mostly from the write logs (`GET /v1/admin/logs/writes/`), one request
 *   per integration and 100 writes: newest first, page after page, back to
 *   the newest log the previous read saw (a job's log is written when it
 *   ends, so one that ended since then is newer), or until every write due
 *   is found. A read happens once a page's worth (100) of writes is due
 *   since the last one, or once `confirmInterval` has passed with writes
 *   due; the gap grows to `maxConfirmInterval` while creates wait for the
 *   quota (the quota goes to creates), and doubles up to it after a read
 *   that confirmed nothing (Entrata is slow).
 * - A write still unconfirmed `writeStatusAfter` after it was sent is asked
 *   by its own write status, then again after half its age, at most hourly.
 * - One still unconfirmed `giveUpAfter` after it was sent stays `sent` for
 *   good, no longer looked for, with the reason in its history: its job
 *   is unknown to Propexo, or never ends. A webhook may still settle it.
 *
 * @internal
 */
export const run = (
  options: ConfirmationOptions
): Effect.Effect<never, never, DeliveryLedger | WriteStatus> =>
  Effect.gen(function*() {
    const ledger = yield* DeliveryLedger
    const writes = yield* WriteStatus
    const { confirmAfterMs, filter } = options
    const now = Clock.currentTimeMillis

    let lastReadAt = 0
    let gapMs = options.confirmIntervalMs
    // By integration: the newest log time (Propexo's clock) the last read saw.
    const seenUntil = new Map<string, number>()

    /** Records the outcomes found for `rows`; answers how many of those due it settled. */
    const settle = (
      rows: ReadonlyArray<LedgerRow>,
      outcomeOf: (row: LedgerRow) => WriteOutcome | undefined,
      source: string,
      dueBefore: number
    ) =>
      Effect.flatMap(now, (at) => {
        const changes: Array<readonly [string, TransitionRequest]> = []
        let due = 0
        for (const row of rows) {
          const outcome = outcomeOf(row)
          const change = outcome === undefined ? undefined : confirmed(outcome, at, source)
          if (change === undefined) continue
          changes.push([row.id, { ...change, from: "sent" }])
          if ((row.sent_at ?? 0) <= dueBefore) due++
        }
        return Effect.as(ledger.transitionAll(changes), due)
      })

    /** One read of an integration's logs; answers how many deliveries it settled. */
    const readLogs = (integration_id: string, due: number, oldestSentAt: number, at: number) =>
      Effect.gen(function*() {
        const dueBefore = at - confirmAfterMs
        const since = seenUntil.get(integration_id) ?? oldestSentAt - CLOCK_SKEW_MILLIS
        const time_range = timeRange(at - since)
        let found = 0
        let newest: number | undefined
        for (let page = 0; page < MAX_PAGES; page++) {
          const logs = yield* writes.logs({
            integration_id,
            time_range,
            write_category: "events",
            limit: PropexoApi.MAX_LOG_LIMIT,
            offset: page * PropexoApi.MAX_LOG_LIMIT
          })
          if (page === 0 && logs[0] !== undefined) newest = logTime(logs[0])
          const byJob = new Map(logs.map((log) => [log.job_id, log]))
          const rows = yield* ledger.sentWithJobs([...byJob.keys()])
          found += yield* settle(rows, (row) => {
            const log = row.job_id === null ? undefined : byJob.get(row.job_id)
            return log === undefined ? undefined : outcomeOfLog(log)
          }, "write logs", dueBefore)
          const last = logs.at(-1)
          if (logs.length < PropexoApi.MAX_LOG_LIMIT || last === undefined || logTime(last) < since || found >= due) {
            break
          }
        }
        if (newest !== undefined && Number.isFinite(newest)) seenUntil.set(integration_id, Math.max(since, newest))
        return found
      })

    const readAllLogs = (at: number) =>
      Effect.gen(function*() {
        const waiting = yield* ledger.awaitingConfirmation(at - confirmAfterMs, lastReadAt, filter)
        const due = waiting.filter((w) => w.due > 0)
        const fresh = due.reduce((n, w) => n + w.fresh, 0)
        const gap = options.busy() ? options.maxConfirmIntervalMs : gapMs
        const readAt = lastReadAt + gap
        if (due.length > 0 && (fresh >= PropexoApi.MAX_LOG_LIMIT || at >= readAt)) {
          lastReadAt = at
          let found = 0
          for (const w of due) {
            found += yield* readLogs(w.integration_id, w.due, w.oldest_sent_at, at).pipe(
              Effect.catchAll((error) =>
                Effect.as(Effect.logWarning(`Could not read the write logs; trying again later: ${error.message}`), 0)
              )
            )
          }
          gapMs = found > 0 ? options.confirmIntervalMs : Math.min(options.maxConfirmIntervalMs, gapMs * 2)
          return lastReadAt + gapMs
        }
        if (due.length > 0) return readAt
        // Nothing due yet: the oldest falls due `confirmAfter` after it was sent.
        const oldest = Math.min(...waiting.map((w) => w.oldest_sent_at))
        return Number.isFinite(oldest) ? oldest + confirmAfterMs : Infinity
      })

    const GIVE_UP = `not confirmed within ${Duration.format(Duration.millis(options.giveUpAfterMs))} ` +
      "of being sent: no longer looked for (Propexo does not know its job, or it never ended); it stays sent"

    /** Asks the write status of `row`'s job, or gives up on it. */
    const checkOne = (row: LedgerRow, at: number) => {
      const sentAt = row.sent_at ?? at
      const giveUpAt = sentAt + options.giveUpAfterMs
      if (row.job_id === null || at >= giveUpAt) {
        return Effect.asVoid(
          ledger.transition(row.id, { from: "sent", to: "sent", at, reason: GIVE_UP, set: { next_attempt_at: null } })
        )
      }
      const later = Math.min(
        giveUpAt,
        at + Math.min(MAX_WRITE_STATUS_INTERVAL_MILLIS, Math.max(options.writeStatusAfterMs, (at - sentAt) / 2))
      )
      const job_id = row.job_id
      return Effect.flatMap(Effect.either(writes.get(job_id)), (answer) => {
        if (answer._tag === "Left") {
          return Effect.zipRight(
            Effect.logDebug(`Write status of job ${job_id} unknown; asking again later: ${answer.left.message}`),
            ledger.reschedule(row.id, "sent", later)
          )
        }
        const change = confirmed(answer.right, at, "write status")
        return change === undefined
          ? ledger.reschedule(row.id, "sent", later)
          : Effect.asVoid(ledger.transition(row.id, { ...change, from: "sent" }))
      })
    }

    const checkWriteStatuses = (at: number) =>
      Effect.gen(function*() {
        const stuck = yield* ledger.dueForConfirmation(at, WRITE_STATUS_BATCH, filter)
        yield* Effect.forEach(stuck, (row) => checkOne(row, at), { concurrency: 2, discard: true })
        return Option.getOrElse(yield* ledger.nextConfirmationAt(filter), () => Infinity)
      })

    const step = Effect.gen(function*() {
      yield* options.sent.takeAll
      const at = yield* now
      const nextRead = yield* readAllLogs(at)
      const nextCheck = yield* checkWriteStatuses(yield* now)
      return Math.min(nextRead, nextCheck)
    })

    while (true) {
      const next = yield* step.pipe(
        Effect.catchAllCause((cause) =>
          Effect.zipRight(
            Effect.logError("The deliverer could not confirm writes; trying again in a second", cause),
            Effect.map(now, (at) => at + 1_000)
          )
        )
      )
      const at = yield* now
      const until = Math.min(next, at + options.pollMs)
      if (until > at) {
        const woken = yield* Effect.raceFirst(
          Effect.as(options.sent.take, true),
          Effect.as(Effect.sleep(Duration.millis(until - at)), false)
        )
        // More writes are likely sent right after: look once for them all.
        if (woken) yield* Effect.sleep(Duration.millis(Math.min(COALESCE_MILLIS, Math.max(0, until - at))))
      }
    }
  })
