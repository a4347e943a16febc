import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Random from "effect/Random"
import type { RateLimitOptions } from "../PropexoConfig.js"

/**
 * Paces requests to Propexo's fixed-window quota (it resets on the minute):
 * a request waits for the next window once this window's budget is used.
 * The budget starts from the configured limit and is corrected by every
 * answer's `x-ratelimit-limit` and `x-ratelimit-remaining`, so another
 * process using the same token, or a contract with another limit, is
 * accounted for.
 *
 * All state changes happen inside `Effect.sync`, which no other fiber can
 * interleave with.
 *
 * @internal
 */
export interface RateLimiter {
  /** Waits until a request may go; answers the start of the window it goes in. */
  readonly acquire: Effect.Effect<number>
  /** Learns from an answer to a request sent in window `windowStart`. */
  readonly observe: (windowStart: number, limit: number | undefined, remaining: number | undefined) => Effect.Effect<void>
  /** A 429 to a request sent in window `windowStart`: that window is spent. */
  readonly exhausted: (windowStart: number) => Effect.Effect<void>
  /** When the current window ends (epoch ms). */
  readonly resetAt: Effect.Effect<number>
  readonly limit: Effect.Effect<number>
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

    const roll = (now: number) => {
      const start = Math.floor(now / windowMs) * windowMs
      if (start !== windowStart) {
        windowStart = start
        sent = 0
        reportedUsed = 0
      }
    }
    const budget = () => Math.max(1, Math.floor(limit * options.headroom))

    const tryTake = (now: number): number | undefined => {
      roll(now)
      if (Math.max(sent, reportedUsed) < budget()) {
        sent++
        return windowStart
      }
      return undefined
    }

    const waitForWindow: Effect.Effect<number> = Effect.gen(function*() {
      while (true) {
        const now = yield* Clock.currentTimeMillis
        const granted = tryTake(now)
        if (granted !== undefined) return granted
        const jitter = yield* Random.nextRange(0, maxJitterMs)
        yield* Effect.sleep(Duration.millis(windowStart + windowMs - now + jitter))
      }
    })
    // Nearly every request finds room in its window: answer that in one step.
    const acquire: Effect.Effect<number> = Effect.clockWith((clock) => {
      const granted = tryTake(clock.unsafeCurrentTimeMillis())
      return granted === undefined ? waitForWindow : Effect.succeed(granted)
    })

    return {
      acquire,
      observe: (requestWindow, reportedLimit, remaining) =>
        Effect.sync(() => {
          if (reportedLimit !== undefined && reportedLimit > 0) limit = reportedLimit
          if (requestWindow === windowStart && remaining !== undefined) {
            reportedUsed = Math.max(reportedUsed, limit - remaining)
          }
        }),
      exhausted: (requestWindow) =>
        Effect.sync(() => {
          if (requestWindow === windowStart) reportedUsed = Math.max(reportedUsed, limit)
        }),
      resetAt: Effect.map(Clock.currentTimeMillis, (now) => {
        roll(now)
        return windowStart + windowMs
      }),
      limit: Effect.sync(() => limit)
    }
  })
