/**
 * The work that follows an acknowledgement (reading the catalog, creating
 * the event), started one command a turn of the event loop.
 *
 * Slack gives an acknowledgement three seconds and the follow-up thirty
 * minutes. Started at once, each command's follow-up would run before the
 * process reads the commands waiting behind it, so under a burst every
 * acknowledgement would wait for the follow-ups of all the commands ahead
 * of it. Started one a turn, a burst is acknowledged first; a follow-up
 * that has waited `maxWaitMillis` starts at the next turn regardless, so
 * none waits long even when commands never stop coming.
 */
import * as Effect from "effect/Effect"

interface Waiting {
  readonly since: number
  readonly start: () => void
}

/**
 * @internal
 */
export interface FollowUps {
  /** Completes once this follow-up's turn comes. */
  readonly turn: Effect.Effect<void>
}

/**
 * @internal
 */
export const make = (options: { readonly maxWaitMillis: number }): FollowUps => {
  const waiting: Array<Waiting> = []
  let scheduled = false

  const turn = () => {
    scheduled = false
    const now = performance.now()
    // The first one starts regardless; those behind it once they have waited long enough.
    let next = waiting.shift()
    while (next !== undefined) {
      next.start()
      next = waiting.length > 0 && now - waiting[0]!.since >= options.maxWaitMillis ? waiting.shift() : undefined
    }
    if (waiting.length > 0) schedule()
  }

  const schedule = () => {
    if (scheduled) return
    scheduled = true
    setImmediate(turn)
  }

  return {
    turn: Effect.async<void>((resume) => {
      const entry: Waiting = { since: performance.now(), start: () => resume(Effect.void) }
      waiting.push(entry)
      schedule()
      // Interrupted while waiting: its place goes to the next.
      return Effect.sync(() => {
        const index = waiting.indexOf(entry)
        if (index !== -1) waiting.splice(index, 1)
      })
    })
  }
}
