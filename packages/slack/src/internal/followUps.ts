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

interface Waiting {
  readonly since: number
  readonly start: () => void
}

/**
 * @internal
 */
export interface FollowUps {
  /** Runs `task` once its turn comes; answers what it answers. */
  readonly run: <A>(task: () => Promise<A>) => Promise<A>
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
    // A turn is scheduled only while something waits: the first shift finds it.
    do waiting.shift()!.start()
    while (waiting.length > 0 && now - waiting[0]!.since >= options.maxWaitMillis)
    if (waiting.length > 0) schedule()
  }

  const schedule = () => {
    if (scheduled) return
    scheduled = true
    setImmediate(turn)
  }

  return {
    run: (task) =>
      new Promise((resolve, reject) => {
        waiting.push({
          since: performance.now(),
          start: () => {
            try {
              task().then(resolve, reject)
            } catch (error) {
              reject(error)
            }
          }
        })
        schedule()
      })
  }
}
