/**
 * `ServerConfig.make`: a configuration made in code is held to the rules the
 * environment's is read by, and refused as a `ConfigError` naming the field.
 */
import { describe, expect, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as ConfigErrors from "../src/internal/configError.js"
import * as ServerConfig from "../src/ServerConfig.js"

const fromEnv = (env: Record<string, string>) =>
  Effect.withConfigProvider(ServerConfig.config, ConfigProvider.fromMap(new Map(Object.entries(env))))

/** What `make` refuses, one `field: rule` line per problem. */
const refusals = (options: ServerConfig.ServerConfig) =>
  Effect.flip(ServerConfig.make(options)).pipe(Effect.map(ConfigErrors.describe))

const SECRET = "a-secret-that-must-not-be-printed"

describe("ServerConfig.make", () => {
  it.effect("accepts what the environment gives", () =>
    Effect.gen(function*() {
      const read = yield* fromEnv({
        PROPEXO_BASE_URL: "simulator",
        SERVER_API_KEYS: "integration-a-key-0123456789=cmbbv7882e3lzgdwsodofqop6+other,b-long-enough-api-key-01=*",
        SLACK_SIGNING_SECRET: SECRET,
        SLACK_TEAMS: "T0001=cmbbv7882e3lzgdwsodofqop6"
      })
      expect(yield* ServerConfig.make(read)).toEqual(read)
    }))

  it.effect("refuses a value outside its rule, naming each field", () =>
    Effect.gen(function*() {
      const read = yield* fromEnv({})
      expect(
        yield* refusals({
          ...read,
          port: 70_000,
          http: { ...read.http, headersTimeout: Duration.seconds(40), maxConnections: 0 },
          memoryLogInterval: Duration.zero,
          timeZone: "Mars/Olympus"
        })
      ).toEqual([
        "port: must be a port number from 0 to 65535",
        "http.maxConnections: must be a positive whole number",
        "memoryLogInterval: must be a positive, finite duration such as 30 seconds",
        "timeZone: must be an IANA time zone such as America/Denver"
      ])
      expect(yield* refusals({ ...read, http: { ...read.http, headersTimeout: Duration.seconds(40) } })).toEqual([
        "http.headersTimeout: must not be longer than requestTimeout"
      ])
    }))

  it.effect("refuses a real Propexo without API keys: a key is generated only for the simulator", () =>
    Effect.gen(function*() {
      const read = yield* fromEnv({})
      const propexo = Option.some({ token: Redacted.make(SECRET) })
      expect(yield* refusals({ ...read, propexo })).toEqual([
        "apiKeys: are required with a real Propexo: a key is generated only for the embedded simulator"
      ])
      const apiKeys = Option.some([{ key: Redacted.make("integration-a-key-0123456789"), integrations: "*" as const }])
      expect((yield* ServerConfig.make({ ...read, propexo, apiKeys })).propexo).toEqual(propexo)
    }))

  it.effect("refuses keys and team maps that could not be used", () =>
    Effect.gen(function*() {
      const read = yield* fromEnv({})
      expect(
        yield* refusals({
          ...read,
          apiKeys: Option.some([{ key: Redacted.make("short"), integrations: ["not an id"] }]),
          slack: Option.some({ signingSecret: Redacted.make(SECRET), teams: new Map() })
        })
      ).toEqual([
        "apiKeys.0.key: must be 16 to 256 characters of A-Z a-z 0-9 . _ ~ -",
        "apiKeys.0.integrations: Expected \"*\", actual [\"not an id\"]",
        "apiKeys.0.integrations.0: must be a Propexo integration id",
        "slack.teams: must map at least one team"
      ])
    }))

  it.effect("refuses a secret that is not Redacted without printing it", () =>
    Effect.gen(function*() {
      const read = yield* fromEnv({})
      const lines = yield* refusals({
        ...read,
        // A caller outside TypeScript can pass a plain string; the types would not let this line compile.
        slack: Option.some({ signingSecret: SECRET as unknown as Redacted.Redacted<string>, teams: new Map([["*", "x"]]) }),
        propexo: Option.some({ token: SECRET as unknown as Redacted.Redacted<string> })
      })
      expect(lines).toEqual([
        "propexo: must be Propexo's options, with the token Redacted",
        "slack.signingSecret: must be Redacted (Redacted.make(secret)), so it is never logged"
      ])
      expect(lines.join("\n")).not.toContain(SECRET)
    }))
})

describe("SERVER_API_KEYS and SLACK_TEAMS", () => {
  it("decode to what the parsers read, and encode back to the variables' text", () => {
    const keys = "integration-a-key-0123456789=a+b, b-long-enough-api-key-01=*"
    const decoded = Schema.decodeSync(ServerConfig.ApiKeysFromString)(keys)
    expect(decoded.map((k) => [Redacted.value(k.key), k.integrations])).toEqual([
      ["integration-a-key-0123456789", ["a", "b"]],
      ["b-long-enough-api-key-01", "*"]
    ])
    expect(Schema.encodeSync(ServerConfig.ApiKeysFromString)(decoded)).toBe(
      "integration-a-key-0123456789=a+b,b-long-enough-api-key-01=*"
    )
    const teams = Schema.decodeSync(ServerConfig.TeamsFromString)("T1=a, T2=b")
    expect([...teams]).toEqual([["T1", "a"], ["T2", "b"]])
    expect(Schema.encodeSync(ServerConfig.TeamsFromString)(teams)).toBe("T1=a,T2=b")
  })

  it.effect("a malformed entry is one line naming the variable, the entry and the rule", () =>
    Effect.gen(function*() {
      expect(ConfigErrors.describe(yield* Effect.flip(fromEnv({ SERVER_API_KEYS: "tooshort=a" })))).toEqual([
        "SERVER_API_KEYS: entry 1: the key must be 16 to 256 characters of A-Z a-z 0-9 . _ ~ -"
      ])
      expect(
        ConfigErrors.describe(yield* Effect.flip(fromEnv({ SLACK_SIGNING_SECRET: SECRET, SLACK_TEAMS: "T1=a,T2" })))
      ).toEqual(["SLACK_TEAMS: entry 2: write team_id=integration_id"])
    }))
})
