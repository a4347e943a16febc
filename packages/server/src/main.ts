#!/usr/bin/env node
/**
 * `pnpm start`: reads the configuration, starts the service, and stops it
 * gracefully on SIGTERM or SIGINT (exit 0). A configuration error stops
 * start-up with one line naming the variable (exit 78, EX_CONFIG).
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ConfigErrors from "./internal/configError.js"
import { start } from "./Server.js"
import { config } from "./ServerConfig.js"

const main = async () => {
  const read = await Effect.runPromise(Effect.either(config))
  if (Either.isLeft(read)) {
    console.error(`entrata-events: configuration error: ${ConfigErrors.describe(read.left).join("; ")}`)
    process.exit(78)
  }
  const server = await start(read.right)
  const stop = (signal: string) => {
    console.log(`${signal} received: finishing requests under way, then stopping`)
    server.close().then(() => process.exit(0), (error) => {
      console.error(`entrata-events: error while stopping: ${String(error)}`)
      process.exit(1)
    })
  }
  process.once("SIGTERM", stop)
  process.once("SIGINT", stop)
}

main().catch((error) => {
  console.error(`entrata-events: could not start: ${error instanceof Error ? error.message : String(error)}`)
  process.exit(1)
})
