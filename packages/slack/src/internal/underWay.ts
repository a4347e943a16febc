/**
 * The commands under way, from their arrival until their last follow-up
 * is posted or given up, so that a server stopping can wait for them.
 */

/**
 * @internal
 */
export interface UnderWay {
  /** Counts `work` as under way until it settles; answers what it answers. */
  readonly track: <A>(work: Promise<A>) => Promise<A>
  /** Resolves once nothing is under way, including work tracked meanwhile; at once when nothing is. */
  readonly whenIdle: () => Promise<void>
}

/**
 * @internal
 */
export const make = (): UnderWay => {
  const settling = new Set<Promise<void>>()

  const whenIdle = async (): Promise<void> => {
    while (settling.size > 0) await Promise.all(settling)
  }

  return {
    track: (work) => {
      const settled = work.then(() => {}, () => {})
      settling.add(settled)
      void settled.then(() => settling.delete(settled))
      return work
    },
    whenIdle
  }
}
