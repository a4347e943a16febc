import * as Effect from "effect/Effect"

/**
 * Waits for the event loop's next turn, once the I/O callbacks already
 * pending have run. A group commit waits for it before it takes its batch:
 * answers that arrived together (while a commit held the thread, say) are
 * then all in it, instead of one commit each.
 *
 * @internal
 */
export const nextTurn: Effect.Effect<void> = Effect.async<void>((resume) => {
  const handle = setImmediate(() => resume(Effect.void))
  return Effect.sync(() => clearImmediate(handle))
})
