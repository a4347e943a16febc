/**
 * The service started from code, in this process: `Server.make` for the
 * life of a scope, `Server.start` from outside Effect. (`server.test.ts`
 * runs it as `pnpm start` does.)
 */
import { describe, expect, it } from "@effect/vitest"
import * as ConfigError from "effect/ConfigError"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Scope from "effect/Scope"
import * as ConfigErrors from "../src/internal/configError.js"
import * as Server from "../src/Server.js"
import * as ServerConfig from "../src/ServerConfig.js"

const defaults = Effect.withConfigProvider(ServerConfig.config, ConfigProvider.fromMap(new Map([["PORT", "0"]])))

describe("Server.make", () => {
  it.live("serves for the life of its scope, and stops listening when the scope closes", () =>
    Effect.gen(function*() {
      const config = yield* defaults
      const lines: Array<string> = []
      const scope = yield* Scope.make()
      const { url } = yield* Scope.extend(Server.make(config, { print: (line) => lines.push(line) }), scope)
      expect(lines[0]).toMatch(/^No PROPEXO_TOKEN set: using the embedded Propexo simulator at http:\/\/127\.0\.0\.1:\d+ /)
      expect(lines).toContain(`entrata-events listening on ${url}`)
      const health = yield* Effect.promise(() => fetch(`${url}/healthz`))
      expect(health.status).toBe(200)
      yield* Scope.close(scope, Exit.void)
      const after = yield* Effect.promise(() => fetch(`${url}/healthz`).then(() => "answered", () => "refused"))
      expect(after).toBe("refused")
    }))

  it.live("refuses a real Propexo without API keys as a ConfigError, before it prints or listens", () =>
    Effect.gen(function*() {
      const config = yield* defaults
      const lines: Array<string> = []
      const error = yield* Effect.flip(Effect.scoped(Server.make(
        { ...config, propexo: Option.some({ token: Redacted.make("a-real-token") }) },
        { print: (line) => lines.push(line) }
      )))
      expect(ConfigError.isConfigError(error) ? ConfigErrors.describe(error) : error.message).toEqual([
        "apiKeys: are required with a real Propexo: a key is generated only for the embedded simulator"
      ])
      expect(lines).toEqual([])
    }))

  it.live("refuses a grace period that is not a finite number of milliseconds, 0 or more", () =>
    Effect.gen(function*() {
      const config = yield* defaults
      const error = yield* Effect.flip(Effect.scoped(Server.make(config, { graceMillis: -1 })))
      expect(ConfigError.isConfigError(error) ? ConfigErrors.describe(error) : error.message).toEqual([
        "graceMillis: Expected a non-negative number, actual -1"
      ])
    }))

  it.live("fails with a StartError when its port is taken", () =>
    Effect.gen(function*() {
      const config = yield* defaults
      const first = yield* Server.make(config, { print: () => {} })
      const port = Number(new URL(first.url).port)
      const error = yield* Effect.flip(Effect.scoped(Server.make({ ...config, port }, { print: () => {} })))
      expect(error._tag).toBe("StartError")
      expect(error.message).toContain("EADDRINUSE")
    }).pipe(Effect.scoped))
})

describe("Server.start", () => {
  it("starts from outside Effect, and close stops it", async () => {
    const config = await Effect.runPromise(defaults)
    const server = await Server.start(config, { print: () => {} })
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200)
    await server.close()
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow()
  })
})
