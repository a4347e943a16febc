/**
 * The commands of the last minutes, so that a signed request replayed (the
 * same `trigger_id`, or the same signature and timestamp) gets the first
 * one's answer instead of recording the event again.
 *
 * A replay carries the first request's timestamp (the signature covers
 * it), and a receiver refuses a timestamp more than the window away from
 * now: an entry is needed only until the window has passed its
 * timestamp, or its arrival when the timestamp is unknown. Entries are
 * kept in arrival order and dropped from the front once expired, so none
 * outlives its arrival by more than two windows.
 */

interface Entry<A> {
  readonly answer: A
  readonly expiresAt: number
}

/**
 * @internal
 */
export interface Replays<A> {
  /**
   * The answer remembered under one of `keys`, flagged as a replay; else
   * `first()`, remembered under every key. `signedAt` is the request's
   * timestamp in epoch milliseconds, when known.
   */
  readonly once: (
    keys: ReadonlyArray<string>,
    signedAt: number | undefined,
    first: () => A
  ) => { readonly replay: boolean; readonly answer: A }
  /** How many keys are remembered. */
  readonly size: () => number
}

/**
 * @internal
 */
export const make = <A>(options: { readonly windowMillis: number; readonly now: () => number }): Replays<A> => {
  const entries = new Map<string, Entry<A>>()

  const sweep = (now: number) => {
    for (const [key, entry] of entries) {
      if (entry.expiresAt > now) return
      entries.delete(key)
    }
  }

  return {
    once: (keys, signedAt, first) => {
      const now = options.now()
      sweep(now)
      for (const key of keys) {
        const entry = entries.get(key)
        if (entry !== undefined && entry.expiresAt > now) return { replay: true, answer: entry.answer }
      }
      const answer = first()
      const expiresAt = Math.max(now, signedAt ?? now) + options.windowMillis
      for (const key of keys) {
        // Deleted first, so that the key moves to the back: the sweep relies on arrival order.
        entries.delete(key)
        entries.set(key, { answer, expiresAt })
      }
      return { replay: false, answer }
    },
    size: () => entries.size
  }
}
