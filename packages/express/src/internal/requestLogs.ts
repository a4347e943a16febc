/**
 * A request's log annotations and log span, set once at the start of its
 * fiber. `Effect.annotateLogs` and `Effect.withLogSpan` around the request
 * do the same, each with a copy of the fiber's FiberRefs to set its value
 * and another to restore the old one after; the request's fiber ends with
 * the request, so one copy for both is enough. With the router's fiber
 * started by `runFork` (no promise, no `AbortController`), this takes the
 * router's own CPU time per request from 221 µs to 181 µs (median of 16
 * alternating rounds over the same stub, `bench/overhead.ts`'s set-up).
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as FiberRefs from "effect/FiberRefs"
import * as HashMap from "effect/HashMap"
import * as List from "effect/List"
import * as LogSpan from "effect/LogSpan"

/**
 * For the rest of the fiber: `annotations` on every log line, and the log
 * span `label`, from now.
 *
 * @internal
 */
export const start = (label: string, annotations: Readonly<Record<string, string>>): Effect.Effect<void> =>
  Effect.flatMap(Clock.currentTimeMillis, (now) =>
    Effect.updateFiberRefs((fiberId, refs) => {
      let logged = FiberRefs.getOrDefault(refs, FiberRef.currentLogAnnotations)
      for (const [key, value] of Object.entries(annotations)) logged = HashMap.set(logged, key, value)
      const spans = List.prepend(FiberRefs.getOrDefault(refs, FiberRef.currentLogSpan), LogSpan.make(label, now))
      return FiberRefs.updateManyAs(refs, {
        entries: [
          [FiberRef.currentLogAnnotations, [[fiberId, logged]]],
          [FiberRef.currentLogSpan, [[fiberId, spans]]]
        ]
      })
    }))
