/**
 * The service's configuration, read from the environment through Effect
 * `Config`. Every variable is optional: with none set, the service runs
 * against the embedded Propexo simulator with one generated API key and
 * Slack off.
 *
 * | variable | meaning |
 * |---|---|
 * | `PORT` | port to listen on, default 3000 (0: any free port) |
 * | `HOST` | address to listen on, default `127.0.0.1` (`0.0.0.0` in a container) |
 * | `PROPEXO_TOKEN` | Propexo bearer token; unset: the embedded simulator |
 * | `PROPEXO_BASE_URL` | `production`, `sandbox` or a URL; default production |
 * | `PROPEXO_TIMEOUT`, `PROPEXO_RATE_LIMIT`, `PROPEXO_RATE_LIMIT_HEADROOM`, `PROPEXO_RETRY_AMBIGUOUS` | client tuning, see `@entrata-events/propexo` |
 * | `SERVER_API_KEYS` | `key=integration[+integration…]` or `key=*`, comma-separated; unset: one generated key for every integration |
 * | `SLACK_SIGNING_SECRET` | turns the Slack command on |
 * | `SLACK_INTEGRATION_ID` | the integration every Slack workspace writes to |
 * | `SLACK_TEAMS` | `team_id=integration`, comma-separated: per-workspace integrations (wins over `SLACK_INTEGRATION_ID`) |
 * | `TZ_FOR_INPUT` | zone of wall-clock input, default `America/Denver` |
 *
 * @since 0.1.0
 */
import * as MountainTime from "@entrata-events/core/MountainTime"
import { PropexoConfig } from "@entrata-events/propexo"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"

/**
 * What one API key may do: write to these integrations, or to any (`*`).
 *
 * @since 0.1.0
 * @category models
 */
export interface ApiKey {
  readonly key: Redacted.Redacted<string>
  readonly integrations: "*" | ReadonlyArray<string>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface ServerConfig {
  readonly port: number
  readonly host: string
  /** `None`: no `PROPEXO_TOKEN`, so the embedded simulator. */
  readonly propexo: Option.Option<PropexoConfig.PropexoConfigOptions>
  /** `None`: generate one key at start-up. */
  readonly apiKeys: Option.Option<ReadonlyArray<ApiKey>>
  readonly slack: Option.Option<{
    readonly signingSecret: Redacted.Redacted<string>
    /** Team id to integration id; `*` stands for every team. */
    readonly teams: ReadonlyMap<string, string>
  }>
  readonly timeZone: string
}

const KEY = /^[A-Za-z0-9._~-]{16,256}$/
const ID = /^[A-Za-z0-9_-]{1,128}$/

/**
 * Reads `key=integration[+integration…]` or `key=*` entries, comma-separated.
 * Keys are 16 to 256 URL-safe characters.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseApiKeys = (text: string): Either.Either<ReadonlyArray<ApiKey>, string> => {
  const keys: Array<ApiKey> = []
  const entries = text.split(",").map((e) => e.trim()).filter((e) => e !== "")
  if (entries.length === 0) return Either.left("must list at least one key=integration entry")
  for (const [index, entry] of entries.entries()) {
    const at = entry.indexOf("=")
    const key = at < 0 ? entry : entry.slice(0, at)
    const scope = at < 0 ? "" : entry.slice(at + 1).trim()
    if (!KEY.test(key)) {
      return Either.left(`entry ${index + 1}: the key must be 16 to 256 characters of A-Z a-z 0-9 . _ ~ -`)
    }
    if (scope === "*") {
      keys.push({ key: Redacted.make(key), integrations: "*" })
      continue
    }
    const integrations = scope.split("+").map((s) => s.trim())
    if (scope === "" || !integrations.every((id) => ID.test(id))) {
      return Either.left(`entry ${index + 1}: write key=integration_id[+integration_id…] or key=*`)
    }
    keys.push({ key: Redacted.make(key), integrations })
  }
  return Either.right(keys)
}

/**
 * Reads `team_id=integration_id` entries, comma-separated.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseTeams = (text: string): Either.Either<ReadonlyMap<string, string>, string> => {
  const teams = new Map<string, string>()
  for (const [index, entry] of text.split(",").map((e) => e.trim()).filter((e) => e !== "").entries()) {
    const [team, integration, ...rest] = entry.split("=").map((s) => s.trim())
    if (team === undefined || integration === undefined || rest.length > 0 || !ID.test(team) || !ID.test(integration)) {
      return Either.left(`entry ${index + 1}: write team_id=integration_id`)
    }
    teams.set(team, integration)
  }
  return teams.size === 0 ? Either.left("must list at least one team_id=integration_id entry") : Either.right(teams)
}

// `mapOrFail` puts the variable in the error's path, so the message names it.
const fromParser = <A>(name: string, parse: (text: string) => Either.Either<A, string>): Config.Config<A> =>
  Config.string(name).pipe(
    Config.mapOrFail((text) => Either.mapLeft(parse(text), (reason) => ConfigError.InvalidData([], reason)))
  )

const port = Config.integer("PORT").pipe(
  Config.validate({ message: "must be a port number from 0 to 65535", validation: (n) => n >= 0 && n <= 65_535 }),
  Config.withDefault(3000)
)

// Without a token there is nothing else of Propexo's to read: `option` turns
// the missing token into `None`, while a malformed variable still fails.
const propexo = Config.option(PropexoConfig.fromEnv)

const slack = Config.all({
  secret: Config.option(Config.redacted("SLACK_SIGNING_SECRET")),
  teams: Config.option(fromParser("SLACK_TEAMS", parseTeams)),
  single: Config.option(Config.string("SLACK_INTEGRATION_ID").pipe(
    Config.validate({ message: "must be a Propexo integration id", validation: (id) => ID.test(id) })
  ))
}).pipe(
  Config.mapOrFail(({ secret, single, teams }) => {
    if (Option.isNone(secret)) return Either.right(Option.none())
    const mapping = Option.orElse(teams, () => Option.map(single, (id): ReadonlyMap<string, string> => new Map([["*", id]])))
    return Option.match(mapping, {
      onNone: () =>
        Either.left(
          ConfigError.InvalidData(
            ["SLACK_SIGNING_SECRET"],
            "is set, so set SLACK_INTEGRATION_ID or SLACK_TEAMS too: which integration may Slack write to?"
          )
        ),
      onSome: (teams) => Either.right(Option.some({ signingSecret: secret.value, teams }))
    })
  })
)

const timeZone = Config.string("TZ_FOR_INPUT").pipe(
  Config.validate({
    message: "must be an IANA time zone such as America/Denver",
    validation: (zone) => Either.isRight(MountainTime.fromWallClock("2026-01-15 12:00", { timeZone: zone }))
  }),
  Config.withDefault(MountainTime.TIME_ZONE)
)

/**
 * The whole configuration.
 *
 * @since 0.1.0
 * @category config
 */
export const config: Config.Config<ServerConfig> = Config.all({
  port,
  host: Config.string("HOST").pipe(Config.withDefault("127.0.0.1")),
  propexo,
  apiKeys: Config.option(fromParser("SERVER_API_KEYS", parseApiKeys)),
  slack,
  timeZone
})
