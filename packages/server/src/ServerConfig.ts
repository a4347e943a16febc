/**
 * The service's configuration, read from the environment through Effect
 * `Config`. With nothing set, the service runs against the embedded Propexo
 * simulator with one generated API key and Slack off. It fails closed: a
 * deployment that sets some of Propexo's or the callers' variables but no
 * usable token does not start, and a real token needs `SERVER_API_KEYS`.
 *
 * | variable | meaning |
 * |---|---|
 * | `PORT` | port to listen on, default 3000 (0: any free port) |
 * | `HOST` | address to listen on, default `127.0.0.1` (`0.0.0.0` in a container) |
 * | `PROPEXO_TOKEN` | Propexo bearer token; required unless the embedded simulator runs |
 * | `PROPEXO_BASE_URL` | `production`, `sandbox` or a URL, default production; `simulator`: the embedded simulator |
 * | `PROPEXO_TIMEOUT`, `PROPEXO_RATE_LIMIT`, `PROPEXO_RATE_LIMIT_HEADROOM`, `PROPEXO_RETRY_AMBIGUOUS` | client tuning, see `@entrata-events/propexo` |
 * | `SERVER_API_KEYS` | `key=integration[+integration…]` or `key=*`, comma-separated; required with a real token; unset on the simulator: one generated key for every integration |
 * | `SERVER_HEADERS_TIMEOUT` | longest wait for a request's headers, default `10 seconds` |
 * | `SERVER_REQUEST_TIMEOUT` | longest wait for a whole request, body included, default `30 seconds` |
 * | `SERVER_KEEP_ALIVE_TIMEOUT` | how long an idle connection stays open, default `5 seconds` |
 * | `SERVER_MAX_CONNECTIONS` | open connections at most, default 1000 |
 * | `SERVER_MEMORY_LOG_INTERVAL` | how often the process's memory figures are logged, default `5 minutes` |
 * | `SLACK_SIGNING_SECRET` | turns the Slack command on |
 * | `SLACK_INTEGRATION_ID` | the integration every Slack workspace writes to |
 * | `SLACK_TEAMS` | `team_id=integration`, comma-separated: per-workspace integrations (wins over `SLACK_INTEGRATION_ID`) |
 * | `TZ_FOR_INPUT` | zone of wall-clock input, default `America/Denver` |
 *
 * The embedded simulator runs when none of `PROPEXO_TOKEN`,
 * `PROPEXO_BASE_URL` and `SERVER_API_KEYS` is set, or when
 * `PROPEXO_BASE_URL=simulator` (then without a token). Any other setting
 * without a token, or an empty one, is refused naming `PROPEXO_TOKEN`.
 *
 * {@link make} holds a configuration made in code to the same rules.
 *
 * @since 0.1.0
 */
import * as MountainTime from "@entrata-events/core/MountainTime"
import { PropexoConfig } from "@entrata-events/propexo"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Predicate from "effect/Predicate"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as ConfigErrors from "./internal/configError.js"

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
 * How the Node HTTP server guards its connections: a client that sends its
 * request too slowly is cut off, an idle connection closed, and no more
 * than `maxConnections` are open at once.
 *
 * @since 0.2.0
 * @category models
 */
export interface HttpLimits {
  /** Node's `headersTimeout`. */
  readonly headersTimeout: Duration.Duration
  /** Node's `requestTimeout`: the whole request, body included. */
  readonly requestTimeout: Duration.Duration
  /** Node's `keepAliveTimeout`. */
  readonly keepAliveTimeout: Duration.Duration
  /** `net.Server`'s `maxConnections`: connections past it are closed at once. */
  readonly maxConnections: number
}

/**
 * @since 0.1.0
 * @category models
 */
export interface ServerConfig {
  readonly port: number
  readonly host: string
  /** `None`: the embedded simulator. */
  readonly propexo: Option.Option<PropexoConfig.PropexoConfigOptions>
  /** `None`: generate one key at start-up, which only the simulator allows. */
  readonly apiKeys: Option.Option<ReadonlyArray<ApiKey>>
  /** @since 0.2.0 */
  readonly http: HttpLimits
  /** How often the memory figures are logged (and once at start-up). @since 0.2.0 */
  readonly memoryLogInterval: Duration.Duration
  readonly slack: Option.Option<{
    readonly signingSecret: Redacted.Redacted<string>
    /** Team id to integration id; `*` stands for every team. */
    readonly teams: ReadonlyMap<string, string>
  }>
  readonly timeZone: string
}

const KEY = /^[A-Za-z0-9._~-]{16,256}$/
const ID = /^[A-Za-z0-9_-]{1,128}$/

/** A rule a value follows, in the shape of `Config.validate`'s argument, for schemas too. */
interface Rule<A> {
  readonly message: string
  readonly validation: (value: A) => boolean
}

const PORT: Rule<number> = {
  message: "must be a port number from 0 to 65535",
  validation: (n) => Number.isInteger(n) && n >= 0 && n <= 65_535
}

const POSITIVE_DURATION: Rule<Duration.Duration> = {
  message: "must be a positive, finite duration such as 30 seconds",
  validation: (d) => Duration.isFinite(d) && Duration.toMillis(d) > 0
}

const POSITIVE_WHOLE: Rule<number> = {
  message: "must be a positive whole number",
  validation: (n) => Number.isInteger(n) && n > 0
}

const INTEGRATION_ID: Rule<string> = { message: "must be a Propexo integration id", validation: (id) => ID.test(id) }

const API_KEY: Rule<Redacted.Redacted<string>> = {
  message: "must be 16 to 256 characters of A-Z a-z 0-9 . _ ~ -",
  validation: (key) => KEY.test(Redacted.value(key))
}

const TIME_ZONE: Rule<string> = {
  message: "must be an IANA time zone such as America/Denver",
  validation: (zone) => Either.isRight(MountainTime.validateTimeZone(zone))
}

// Node refuses to make a server whose headers may take longer than the whole request.
const headersWithinRequest = (limits: HttpLimits) =>
  Duration.lessThanOrEqualTo(limits.headersTimeout, limits.requestTimeout)

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
      return Either.left(`entry ${index + 1}: the key ${API_KEY.message}`)
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

const satisfying = <A, I>(schema: Schema.Schema<A, I>, rule: Rule<A>) =>
  schema.pipe(Schema.filter((value) => rule.validation(value) || rule.message))

// The message replaces the default one, which would print the value refused: a secret, maybe.
const Secret = Schema.RedactedFromSelf(Schema.String).annotations({
  message: () => ({ message: "must be Redacted (Redacted.make(secret)), so it is never logged", override: true })
})

const PositiveDuration = satisfying(Schema.DurationFromSelf, POSITIVE_DURATION)

const IntegrationId = satisfying(Schema.String, INTEGRATION_ID)

const ApiKeySchema = Schema.Struct({
  key: satisfying(Secret, API_KEY),
  integrations: Schema.Union(Schema.Literal("*"), Schema.Array(IntegrationId).pipe(Schema.minItems(1)))
})

const ApiKeysSchema = Schema.Array(ApiKeySchema).pipe(Schema.minItems(1))

const TeamsSchema = Schema.ReadonlyMapFromSelf({ key: Schema.String, value: IntegrationId }).pipe(
  Schema.filter((teams) => teams.size > 0 || "must map at least one team")
)

// Schema.Config prints a failed decoding as a tree over several lines; the
// parser's message says it all, on the one line a configuration error gets.
const parserMessage = (issue: ParseResult.ParseIssue): string => {
  const inner = issue._tag === "Transformation" ? issue.issue : issue
  return inner._tag === "Type" && inner.message !== undefined
    ? inner.message
    : ParseResult.TreeFormatter.formatIssueSync(inner)
}

/** A variable's text, read by `parse`, into a value of `to`. */
const fromParser = <A>(
  to: Schema.Schema<A>,
  parse: (text: string) => Either.Either<A, string>,
  write: (value: A) => string
): Schema.Schema<A, string> =>
  Schema.transformOrFail(Schema.String, to, {
    strict: true,
    decode: (text, _, ast) => Either.mapLeft(parse(text), (message) => new ParseResult.Type(ast, text, message)),
    encode: (value) => ParseResult.succeed(write(value))
  }).annotations({ message: parserMessage })

/**
 * `SERVER_API_KEYS`: the text {@link parseApiKeys} reads, as keys. A
 * failure's message names the entry and the rule it breaks.
 *
 * @since 0.2.0
 * @category schemas
 */
export const ApiKeysFromString: Schema.Schema<ReadonlyArray<ApiKey>, string> = fromParser(
  ApiKeysSchema,
  parseApiKeys,
  (keys) =>
    keys.map(({ integrations, key }) =>
      `${Redacted.value(key)}=${integrations === "*" ? "*" : integrations.join("+")}`
    ).join(",")
).annotations({ identifier: "ApiKeysFromString" })

/**
 * `SLACK_TEAMS`: the text {@link parseTeams} reads, as team id to
 * integration id.
 *
 * @since 0.2.0
 * @category schemas
 */
export const TeamsFromString: Schema.Schema<ReadonlyMap<string, string>, string> = fromParser(
  TeamsSchema,
  parseTeams,
  (teams) => Array.from(teams, ([team, integration]) => `${team}=${integration}`).join(",")
).annotations({ identifier: "TeamsFromString" })

// Checks only the token, which the server handles; `PropexoConfig.make` checks the rest when the client starts.
const PropexoOptions = Schema.declare(
  (u: unknown): u is PropexoConfig.PropexoConfigOptions =>
    Predicate.hasProperty(u, "token") && Redacted.isRedacted(u.token),
  { identifier: "PropexoConfigOptions", message: () => "must be Propexo's options, with the token Redacted" }
)

const HttpLimitsSchema = Schema.Struct({
  headersTimeout: PositiveDuration,
  requestTimeout: PositiveDuration,
  keepAliveTimeout: PositiveDuration,
  maxConnections: satisfying(Schema.Number, POSITIVE_WHOLE)
}).pipe(
  Schema.filter((limits) =>
    headersWithinRequest(limits) || { path: ["headersTimeout"], message: "must not be longer than requestTimeout" }
  )
)

const ServerConfigSchema: Schema.Schema<ServerConfig> = Schema.Struct({
  port: satisfying(Schema.Number, PORT),
  host: Schema.String,
  propexo: Schema.OptionFromSelf(PropexoOptions),
  apiKeys: Schema.OptionFromSelf(ApiKeysSchema),
  http: HttpLimitsSchema,
  memoryLogInterval: PositiveDuration,
  slack: Schema.OptionFromSelf(Schema.Struct({ signingSecret: Secret, teams: TeamsSchema })),
  timeZone: satisfying(Schema.String, TIME_ZONE)
}).pipe(
  Schema.filter((config) =>
    Option.isNone(config.propexo) || Option.isSome(config.apiKeys) || {
      path: ["apiKeys"],
      message: "are required with a real Propexo: a key is generated only for the embedded simulator"
    }
  )
)

const decode = Schema.decode(ServerConfigSchema, { errors: "all" })

/**
 * Checks a configuration made in code by the rules {@link config} applies
 * to the environment's. A value that breaks its rule, or a real Propexo
 * without `apiKeys`, fails with a `ConfigError` naming the field (`port`,
 * `http.headersTimeout`); secrets stay out of its messages.
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = (options: ServerConfig): Effect.Effect<ServerConfig, ConfigError.ConfigError> =>
  Effect.mapError(decode(options), ConfigErrors.fromParseError)

const port = Config.integer("PORT").pipe(Config.validate(PORT), Config.withDefault(3000))

const positiveDuration = (name: string, fallback: Duration.DurationInput) =>
  Config.duration(name).pipe(Config.validate(POSITIVE_DURATION), Config.withDefault(Duration.decode(fallback)))

const http: Config.Config<HttpLimits> = Config.all({
  headersTimeout: positiveDuration("SERVER_HEADERS_TIMEOUT", "10 seconds"),
  requestTimeout: positiveDuration("SERVER_REQUEST_TIMEOUT", "30 seconds"),
  keepAliveTimeout: positiveDuration("SERVER_KEEP_ALIVE_TIMEOUT", "5 seconds"),
  maxConnections: Config.integer("SERVER_MAX_CONNECTIONS").pipe(Config.validate(POSITIVE_WHOLE), Config.withDefault(1000))
}).pipe(
  Config.mapOrFail((limits) =>
    headersWithinRequest(limits)
      ? Either.right(limits)
      : Either.left(ConfigError.InvalidData(["SERVER_HEADERS_TIMEOUT"], "must not be longer than SERVER_REQUEST_TIMEOUT"))
  )
)

const slack = Config.all({
  secret: Config.option(Config.redacted("SLACK_SIGNING_SECRET")),
  teams: Config.option(Schema.Config("SLACK_TEAMS", TeamsFromString)),
  single: Config.option(Config.string("SLACK_INTEGRATION_ID").pipe(Config.validate(INTEGRATION_ID)))
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

const timeZone = Config.string("TZ_FOR_INPUT").pipe(Config.validate(TIME_ZONE), Config.withDefault(MountainTime.TIME_ZONE))

const SIMULATOR = "simulator"

const invalid = (variable: string, message: string) => Effect.fail(ConfigError.InvalidData([variable], message))

const NO_TOKEN = "is not set, so nothing would reach Entrata: set your Propexo token, or unset PROPEXO_BASE_URL " +
  "and SERVER_API_KEYS (or set PROPEXO_BASE_URL=simulator) to run the embedded simulator"

/**
 * Where events go, from `PROPEXO_TOKEN` and `PROPEXO_BASE_URL`: `None` for
 * the embedded simulator, which only the newcomer's empty environment or
 * `PROPEXO_BASE_URL=simulator` selects.
 */
const propexoTarget = (
  apiKeys: Option.Option<unknown>
): Effect.Effect<Option.Option<PropexoConfig.PropexoConfigOptions>, ConfigError.ConfigError> =>
  Effect.gen(function*() {
    const { baseUrl, token } = yield* Config.all({
      token: Config.option(Config.redacted("PROPEXO_TOKEN")),
      baseUrl: Config.option(Config.string("PROPEXO_BASE_URL"))
    })
    if (Option.isSome(token) && Redacted.value(token.value).trim() === "") {
      return yield* invalid("PROPEXO_TOKEN", "is empty; set it to your Propexo token, or unset it")
    }
    if (Option.getOrUndefined(baseUrl)?.trim() === SIMULATOR) {
      return Option.isSome(token)
        ? yield* invalid("PROPEXO_TOKEN", "is set, but PROPEXO_BASE_URL=simulator sends nothing to Propexo: unset one")
        : Option.none()
    }
    if (Option.isNone(token)) {
      return Option.isNone(baseUrl) && Option.isNone(apiKeys) ? Option.none() : yield* invalid("PROPEXO_TOKEN", NO_TOKEN)
    }
    return Option.some(yield* PropexoConfig.fromEnv)
  })

/**
 * The whole configuration, read through the current `ConfigProvider`
 * (the environment by default). It fails with a `ConfigError` naming the
 * variable for a malformed value, or for a combination that fails closed
 * (see the module's documentation).
 *
 * @since 0.1.0
 * @category config
 */
export const config: Effect.Effect<ServerConfig, ConfigError.ConfigError> = Effect.gen(function*() {
  const rest = yield* Config.all({
    port,
    host: Config.string("HOST").pipe(Config.withDefault("127.0.0.1")),
    apiKeys: Config.option(Schema.Config("SERVER_API_KEYS", ApiKeysFromString)),
    http,
    memoryLogInterval: positiveDuration("SERVER_MEMORY_LOG_INTERVAL", "5 minutes"),
    slack,
    timeZone
  })
  const propexo = yield* propexoTarget(rest.apiKeys)
  if (Option.isSome(propexo) && Option.isNone(rest.apiKeys)) {
    return yield* invalid(
      "SERVER_API_KEYS",
      "is required with a real PROPEXO_TOKEN: list your callers' keys as key=integration_id or key=*"
    )
  }
  return { ...rest, propexo }
})
