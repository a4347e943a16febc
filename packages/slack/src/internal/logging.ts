/**
 * Effect's log lines, forwarded to Bolt's logger: in the command's fibers,
 * Bolt's logger stands in for Effect's default one, so that the host reads
 * one log (Bolt's, as it configured it) in which every line of the command
 * (its own, and the Propexo client's) carries its annotations, log spans
 * and trace ids, as the Express router's lines do.
 */
import type { Logger as BoltLogger } from "@slack/bolt"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as HashMap from "effect/HashMap"
import * as HashSet from "effect/HashSet"
import * as Inspectable from "effect/Inspectable"
import * as Logger from "effect/Logger"

// Effect's own logfmt rule: a value with white space, quotes or `=` is quoted.
const BARE = /^[^\s"=]*$/

const field = (key: string, value: string): string => ` ${key}=${BARE.test(value) ? value : JSON.stringify(value)}`

/**
 * A line for Bolt: the message, then `key=value` for each log span (its
 * duration) and annotation (the trace and span ids last), then the cause,
 * if any, on the lines below.
 */
const format = ({ annotations, cause, date, message, spans }: Logger.Logger.Options<unknown>): string => {
  const parts = Array.isArray(message) ? message : [message]
  let line = parts.map((part) => Inspectable.toStringUnknown(part, 0)).join(" ")
  for (const span of spans) line += field(span.label, `${date.getTime() - span.startTime}ms`)
  // The host's annotations first, then the trace's (`effect.traceId`, …), each in a stable order.
  const keys = [...HashMap.keys(annotations)].sort((a, b) =>
    Number(a.startsWith("effect.")) - Number(b.startsWith("effect.")) || (a < b ? -1 : a > b ? 1 : 0)
  )
  for (const key of keys) line += field(key, Inspectable.toStringUnknown(HashMap.unsafeGet(annotations, key), 0))
  return Cause.isEmpty(cause) ? line : `${line}\n${Cause.pretty(cause, { renderErrorCause: true })}`
}

/**
 * An Effect `Logger` that writes each line to Bolt's logger at the
 * matching level (Fatal and Error as `error`, Warning as `warn`, Info as
 * `info`, the rest as `debug`).
 *
 * @internal
 */
export const make = (bolt: () => BoltLogger): Logger.Logger<unknown, void> =>
  Logger.withSpanAnnotations(Logger.make((options) => {
    const line = format(options)
    switch (options.logLevel._tag) {
      case "Fatal":
      case "Error":
        return bolt().error(line)
      case "Warning":
        return bolt().warn(line)
      case "Info":
        return bolt().info(line)
      default:
        return bolt().debug(line)
    }
  }))

/**
 * Runs `self` with `logger` in place of Effect's default logger; the
 * host's other loggers (a tracer's, its own) keep every line too.
 *
 * @internal
 */
export const withLogger = (logger: Logger.Logger<unknown, void>) => <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.locallyWith(
    self,
    FiberRef.currentLoggers,
    (loggers) => HashSet.add(HashSet.remove(loggers, Logger.defaultLogger), logger)
  )
