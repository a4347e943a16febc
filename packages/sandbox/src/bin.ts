#!/usr/bin/env node
/**
 * `pnpm sandbox`: runs the simulator until SIGINT or SIGTERM. It prints
 * `PROPEXO_BASE_URL=…` and `PROPEXO_TOKEN=…` on their own lines (the only
 * place the token is ever printed), so a shell can `eval` or a test can
 * parse them.
 *
 * @since 0.1.0
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Console from "effect/Console"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { parseArgs } from "node:util"
import * as Sandbox from "./Sandbox.js"
import * as Seed from "./Seed.js"

const USAGE = `Usage: pnpm sandbox [options]

  --port N              port to listen on (default: a free one)
  --host ADDRESS        address to listen on (default 127.0.0.1)
  --token TOKEN         accept this bearer token (repeatable; default: one random token)
  --rate-limit N        requests per window per token (default 150)
  --window DURATION     rate-limit window, ms or e.g. "30 seconds" (default 1 minute)
  --slow-down DURATION  delay once 80% of the quota is used (default 2 seconds)
  --job-delay DURATION  how long a write stays PENDING (default 1 second)
  --seed FILE           the PMS's world as JSON (default: the built-in seed)
  --print-seed          print the built-in seed as JSON and exit
  --help                show this`

class UsageError extends Schema.TaggedError<UsageError>()("UsageError", { reason: Schema.String }) {
  override get message(): string {
    return `${this.reason}\n\n${USAGE}`
  }
}

const duration = (name: string, text: string | undefined) =>
  Effect.suspend(() => {
    if (text === undefined) return Effect.succeed(undefined)
    const decoded = /^\d+$/.test(text)
      ? Duration.millis(Number(text))
      : Duration.decodeUnknown(text).pipe((o) => o._tag === "Some" ? o.value : undefined)
    return decoded === undefined
      ? Effect.fail(new UsageError({ reason: `--${name} takes milliseconds or a duration such as "30 seconds"` }))
      : Effect.succeed(decoded)
  })

const integer = (name: string, text: string | undefined) =>
  text === undefined
    ? Effect.succeed(undefined)
    : /^\d+$/.test(text)
    ? Effect.succeed(Number(text))
    : Effect.fail(new UsageError({ reason: `--${name} takes a whole number, got ${JSON.stringify(text)}` }))

const main = Effect.gen(function*() {
  const { values } = yield* Effect.try({
    try: () =>
      parseArgs({
        options: {
          port: { type: "string" },
          host: { type: "string" },
          token: { type: "string", multiple: true },
          "rate-limit": { type: "string" },
          window: { type: "string" },
          "slow-down": { type: "string" },
          "job-delay": { type: "string" },
          seed: { type: "string" },
          "print-seed": { type: "boolean" },
          help: { type: "boolean" }
        }
      }),
    catch: (error) => new UsageError({ reason: error instanceof Error ? error.message : String(error) })
  })
  if (values.help === true) return yield* Console.log(USAGE)
  if (values["print-seed"] === true) return yield* Console.log(JSON.stringify(Seed.defaultSeed, null, 2))
  const seed = values.seed === undefined ? undefined : yield* Seed.load(values.seed)
  const sandbox = yield* Sandbox.make({
    host: values.host,
    port: yield* integer("port", values.port),
    tokens: values.token?.map(Redacted.make),
    rateLimit: yield* integer("rate-limit", values["rate-limit"]),
    window: yield* duration("window", values.window),
    slowDownDelay: yield* duration("slow-down", values["slow-down"]),
    jobDelay: yield* duration("job-delay", values["job-delay"]),
    seed
  })
  yield* Console.log(`PROPEXO_BASE_URL=${sandbox.baseUrl}`)
  yield* Console.log(`PROPEXO_TOKEN=${Redacted.value(sandbox.token)}`)
  yield* Console.error("Propexo sandbox running; inspect it under /_sandbox/. Stop it with Ctrl-C.")
  return yield* Effect.never
})

main.pipe(
  Effect.scoped,
  Effect.tapError((error) => Console.error(error.message)),
  Effect.provide(NodeFileSystem.layer),
  NodeRuntime.runMain({ disableErrorReporting: true })
)
