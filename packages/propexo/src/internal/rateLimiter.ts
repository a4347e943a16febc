import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as Random from "effect/Random"
import type { RateLimitOptions } from "../PropexoConfig.js"

/**
 * The pacer has no slot for the request before the caller's deadline
 * (`maxQuotaWait`); nothing was sent. `resetAt` is when its slot would have
 * been (epoch ms).
 *
 * @internal
 */
export class QuotaWaitExceeded extends Data.TaggedError("QuotaWaitExceeded")<{ readonly resetAt: number }> {}

/**
 * The latest moment (epoch ms) at which the requests of this fiber may
 * still get their slot; `undefined` for no bound. Read only when a request
 * has to wait, so a call without a bound pays nothing for it.
 *
 * @internal
 */
export const currentDeadline = FiberRef.unsafeMake<number | undefined>(undefined)

/**
 * Runs `self` with its quota waits bounded by `maxWait` from now, or by the
 * bound already in force when that one is earlier.
 *
 * @internal
 */
export const withMaxWait = (maxWait: Duration.DurationInput | undefined) =>
<A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> => {
  if (maxWait === undefined) return self
  const decoded = Duration.decodeUnknown(maxWait)
  if (decoded._tag === "None") return Effect.dieMessage("maxQuotaWait must be a duration, e.g. \"10 seconds\"")
  const millis = Duration.toMillis(decoded.value)
  return Effect.flatMap(Clock.currentTimeMillis, (now) =>
    Effect.locallyWith(
      self,
      currentDeadline,
      (outer) => outer === undefined ? now + millis : Math.min(outer, now + millis)
    ))
}

/**
 * The pacer's account of the current window, from what it sent and what
 * Propexo's answers said, without asking Propexo.
 *
 * @internal
 */
export interface Snapshot {
  readonly limit: number
  /** Requests the pacer would still send in the current window. */
  readonly remaining: number
  /** When the current window ends (epoch ms). */
  readonly resetAt: number
  /** Requests waiting for a slot in a later window. */
  readonly waiting: number
  /** When Propexo last answered, any status (epoch ms); `undefined` before its first answer. */
  readonly lastAnswerAt: number | undefined
}

/**
 * Paces requests to Propexo's fixed-window quota (it resets on the minute):
 * a request waits for a later window once this window's budget is used.
 * The budget starts from the configured limit and is corrected by every
 * answer's `x-ratelimit-limit` and `x-ratelimit-remaining`, so another
 * process using the same token, or a contract with another limit, is
 * accounted for.
 *
 * A request that has to wait reserves a slot in the first later window
 * with one free, so it knows at once when it will go (and can refuse to
 * wait that long), and requests arriving in that window cannot take the
 * slots promised to those that waited.
 *
 * All state changes happen inside synchronous steps, which no other fiber
 * can interleave with.
 *
 * @internal
 */
export interface RateLimiter {
  /**
   * Waits until a request may go; answers the start of the window it goes
   * in. Interruptible even inside an uninterruptible region, so a caller
   * that goes away while it waits sends nothing. Fails when the slot is
   * beyond {@link currentDeadline}.
   */
  readonly acquire: Effect.Effect<number, QuotaWaitExceeded>
  /** Learns from an answer to a request sent in window `windowStart`. */
  readonly observe: (windowStart: number, limit: number | undefined, remaining: number | undefined) => Effect.Effect<void>
  /** A 429 to a request sent in window `windowStart`: that window is spent. */
  readonly exhausted: (windowStart: number) => Effect.Effect<void>
  /** When the current window ends (epoch ms). */
  readonly resetAt: Effect.Effect<number>
  readonly limit: Effect.Effect<number>
  readonly snapshot: Effect.Effect<Snapshot>
}

/** @internal */
export const make = (options: RateLimitOptions): Effect.Effect<RateLimiter> =>
  Effect.sync(() => {
    const windowMs = Duration.toMillis(options.window)
    // Waking a little after the boundary absorbs clock skew with Propexo and
    // keeps waiting fibers from all arriving in the same millisecond.
    const maxJitterMs = Math.min(250, windowMs / 20)
    let limit = options.limit
    let windowStart = Number.NEGATIVE_INFINITY
    let sent = 0
    let reportedUsed = 0
    let lastAnswerAt: number | undefined
    /** Window start → slots promised to waiting requests. */
    const reserved = new Map<number, number>()
    let waiting = 0

    const roll = (now: number) => {
      const start = Math.floor(now / windowMs) * windowMs
      if (start !== windowStart) {
        windowStart = start
        sent = 0
        reportedUsed = 0
      }
    }
    const budget = () => Math.max(1, Math.floor(limit * options.headroom))
    const free = () => budget() - Math.max(sent, reportedUsed) - (reserved.get(windowStart) ?? 0)

    const tryTake = (now: number): number | undefined => {
      roll(now)
      if (free() > 0) {
        sent++
        return windowStart
      }
      return undefined
    }

    /** The first later window with a slot nobody was promised. */
    const nextFreeWindow = (): number => {
      const most = budget()
      let start = windowStart + windowMs
      while ((reserved.get(start) ?? 0) >= most) start += windowMs
      return start
    }
    const reserve = (start: number) =>
      Effect.sync(() => {
        reserved.set(start, (reserved.get(start) ?? 0) + 1)
        waiting++
      })
    const release = (start: number) =>
      Effect.sync(() => {
        const left = (reserved.get(start) ?? 1) - 1
        if (left === 0) reserved.delete(start)
        else reserved.set(start, left)
        waiting--
      })

    const waitForSlot = (deadline: number | undefined): Effect.Effect<number, QuotaWaitExceeded> =>
      Effect.gen(function*() {
        while (true) {
          const now = yield* Clock.currentTimeMillis
          const granted = tryTake(now)
          if (granted !== undefined) return granted
          const slot = nextFreeWindow()
          if (deadline !== undefined && slot > deadline) return yield* new QuotaWaitExceeded({ resetAt: slot })
          const jitter = yield* Random.nextRange(0, maxJitterMs)
          // The slot is released on waking (and taken just after) or on interruption.
          yield* Effect.acquireUseRelease(
            reserve(slot),
            () => Effect.sleep(Duration.millis(slot - now + jitter)),
            () => release(slot)
          )
        }
      })
    // Nearly every request finds room in its window: answer that in one step.
    const acquire: Effect.Effect<number, QuotaWaitExceeded> = Effect.interruptible(
      Effect.clockWith((clock) => {
        const granted = tryTake(clock.unsafeCurrentTimeMillis())
        return granted === undefined ? Effect.flatMap(FiberRef.get(currentDeadline), waitForSlot) : Effect.succeed(granted)
      })
    )

    return {
      acquire,
      observe: (requestWindow, reportedLimit, remaining) =>
        Effect.clockWith((clock) => {
          lastAnswerAt = clock.unsafeCurrentTimeMillis()
          if (reportedLimit !== undefined && reportedLimit > 0) limit = reportedLimit
          if (requestWindow === windowStart && remaining !== undefined) {
            reportedUsed = Math.max(reportedUsed, limit - remaining)
          }
          return Effect.void
        }),
      exhausted: (requestWindow) =>
        Effect.sync(() => {
          if (requestWindow === windowStart) reportedUsed = Math.max(reportedUsed, limit)
        }),
      resetAt: Effect.map(Clock.currentTimeMillis, (now) => {
        roll(now)
        return windowStart + windowMs
      }),
      limit: Effect.sync(() => limit),
      snapshot: Effect.map(Clock.currentTimeMillis, (now): Snapshot => {
        roll(now)
        return {
          limit,
          remaining: Math.max(0, free()),
          resetAt: windowStart + windowMs,
          waiting,
          lastAnswerAt
        }
      })
    }
  })
