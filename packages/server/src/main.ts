#!/usr/bin/env node
/**
 * `pnpm start`: the service as an Effect program, `Server.layerConfig()`
 * launched by `NodeRuntime.runMain`. SIGTERM or SIGINT interrupts it, and
 * the scopes' finalizers stop it gracefully (exit 0). A configuration error
 * stops start-up with one line naming the variable (exit 78, EX_CONFIG);
 * anything else that stops it, with one line saying what (exit 1).
 *
 * @since 0.1.0
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Runtime from "@effect/platform/Runtime"
import * as Cause from "effect/Cause"
import * as ConfigError from "effect/ConfigError"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as ConfigErrors from "./internal/configError.js"
import * as Server from "./Server.js"

const EX_CONFIG = 78

/** One line on stderr for what stopped the service, unless it was asked to stop. */
const report = (cause: Cause.Cause<ConfigError.ConfigError | Server.StartError>) => {
  if (Cause.isInterruptedOnly(cause)) return Effect.void
  const line = Option.match(Cause.failureOption(cause), {
    onSome: (error) =>
      ConfigError.isConfigError(error)
        ? `configuration error: ${ConfigErrors.describe(error).join("; ")}`
        : `could not start: ${error.message}`,
    onNone: () => {
      const defect = Cause.squash(cause)
      const what = Cause.isInterrupted(cause) ? "error while stopping" : "could not start"
      return `${what}: ${defect instanceof Error ? defect.message : String(defect)}`
    }
  })
  return Console.error(`entrata-events: ${line}`)
}

// EX_CONFIG for a configuration error; otherwise runMain's own: 0 once interrupted, 1 for a failure.
const teardown: Runtime.Teardown = (exit, onExit) =>
  Exit.isFailure(exit) && Option.exists(Cause.failureOption(exit.cause), ConfigError.isConfigError)
    ? onExit(EX_CONFIG)
    : Runtime.defaultTeardown(exit, onExit)

Server.layerConfig().pipe(
  Layer.launch,
  Effect.tapErrorCause(report),
  // The service prints its own lines, and logs in logfmt.
  NodeRuntime.runMain({ disableErrorReporting: true, disablePrettyLogger: true, teardown })
)
