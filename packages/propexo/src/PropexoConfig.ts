/**
 * How to reach Propexo: base URL, bearer token, timeouts, the quota to pace
 * to, and the retry policies.
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"

/**
 * Propexo's production API.
 *
 * @since 0.1.0
 * @category constants
 */
export const PRODUCTION_URL = "https://api.propexo.com"

/**
 * Propexo's sandbox API (it has no Entrata PMS; the project's simulator
 * stands in for it in tests).
 *
 * @since 0.1.0
 * @category constants
 */
export const SANDBOX_URL = "https://api.sandbox.propexo.com"

/**
 * The default retry policy of reads (catalog, write status): two retries,
 * 0.5 s doubling with jitter, no wait over 8 s.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultReadRetry: Schedule.Schedule<unknown, unknown> = Schedule.exponential("500 millis", 2).pipe(
  Schedule.jittered,
  Schedule.modifyDelay((delay) => Duration.min(delay, Duration.seconds(8))),
  Schedule.intersect(Schedule.recurs(2))
)

/**
 * @since 0.1.0
 * @category models
 */
export interface RateLimitOptions {
  /** Requests per window the contract allows; learnt from `x-ratelimit-limit` as answers arrive. Default 150. */
  readonly limit: number
  /** The quota window; Propexo's resets on the minute. Default 60 s. */
  readonly window: Duration.Duration
  /**
   * The share of the quota to use, from 0 to 1. Default 1; 0.8 keeps usage
   * under the point where Propexo delays every answer by 2 seconds.
   */
  readonly headroom: number
  /** How many times a 429 is waited out and retried before it is returned. Default 3. */
  readonly maxRateLimitedRetries: number
}

/**
 * @since 0.1.0
 * @category models
 */
export interface PropexoConfigShape {
  readonly baseUrl: URL
  readonly token: Redacted.Redacted<string>
  /** Per request. Default 30 s. */
  readonly timeout: Duration.Duration
  readonly rateLimit: RateLimitOptions
  /** Retry schedule of reads: 429, 5xx, timeouts and connection failures. */
  readonly readRetry: Schedule.Schedule<unknown, unknown>
  /** Retry schedule of creates that certainly never reached Propexo. */
  readonly connectRetry: Schedule.Schedule<unknown, unknown>
  /**
   * Retry a create whose fate is unknown (5xx, timeout, connection lost after
   * the body was sent) with `connectRetry`. Propexo has no idempotency key,
   * so this may record the event twice in Entrata. Default false.
   */
  readonly retryAmbiguous: boolean
}

/**
 * What {@link make} takes: a token, and anything else to change.
 * `baseUrl` may be `"production"`, `"sandbox"` or any URL.
 *
 * @since 0.1.0
 * @category models
 */
export interface PropexoConfigOptions {
  readonly token: Redacted.Redacted<string>
  readonly baseUrl?: "production" | "sandbox" | URL | string | undefined
  readonly timeout?: Duration.DurationInput | undefined
  readonly rateLimit?: Partial<RateLimitOptions> | undefined
  readonly readRetry?: Schedule.Schedule<unknown, unknown> | undefined
  readonly connectRetry?: Schedule.Schedule<unknown, unknown> | undefined
  readonly retryAmbiguous?: boolean | undefined
}

const resolveBaseUrl = (baseUrl: PropexoConfigOptions["baseUrl"]): URL => {
  if (baseUrl === undefined || baseUrl === "production") return new URL(PRODUCTION_URL)
  if (baseUrl === "sandbox") return new URL(SANDBOX_URL)
  const url = new URL(baseUrl)
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new TypeError(`Propexo base URL must be http(s), got ${url.protocol}`)
  }
  return url
}

/**
 * The configuration of the Propexo client.
 *
 * @since 0.1.0
 * @category tags
 */
export class PropexoConfig extends Context.Tag("@entrata-events/propexo/PropexoConfig")<
  PropexoConfig,
  PropexoConfigShape
>() {}

const BaseUrl = Schema.String.pipe(
  Schema.filter((s) => {
    try {
      resolveBaseUrl(s)
      return true
    } catch {
      return false
    }
  }, { message: () => "must be production, sandbox or an http(s) URL" })
)

/** What `make` checks of its options; the rest is typed well enough by TypeScript. */
const CheckedOptions = Schema.Struct({
  baseUrl: Schema.optional(BaseUrl),
  timeout: Schema.optional(
    Schema.DurationFromSelf.pipe(
      Schema.filter((d) => Duration.greaterThan(d, Duration.zero) && Duration.isFinite(d), {
        message: () => "must be a positive, finite duration"
      })
    )
  ),
  rateLimit: Schema.optional(Schema.Struct({
    limit: Schema.optional(Schema.Number.pipe(Schema.int(), Schema.positive({ message: () => "must be a positive integer" }))),
    headroom: Schema.optional(
      Schema.Number.pipe(Schema.filter((n) => n > 0 && n <= 1, { message: () => "must be greater than 0 and at most 1" }))
    ),
    maxRateLimitedRetries: Schema.optional(
      Schema.Number.pipe(Schema.int(), Schema.nonNegative({ message: () => "must be a whole number, 0 or more" }))
    )
  }))
})

const checkOptions = Schema.decodeUnknownEither(CheckedOptions, { errors: "all", onExcessProperty: "ignore" })

/**
 * Checks the options and fills in the defaults; an option out of its rule
 * fails as a `ConfigError` naming it (e.g. `rateLimit.headroom`).
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = (options: PropexoConfigOptions): Effect.Effect<PropexoConfigShape, ConfigError.ConfigError> => {
  const checked = checkOptions({
    baseUrl: options.baseUrl,
    timeout: options.timeout === undefined ? undefined : Duration.decode(options.timeout),
    rateLimit: options.rateLimit
  })
  if (Either.isLeft(checked)) {
    const [first, ...rest] = ParseResult.ArrayFormatter.formatErrorSync(checked.left).map((issue) =>
      ConfigError.InvalidData(issue.path.map(String), issue.message)
    )
    return Effect.fail(rest.reduce(ConfigError.And, first!))
  }
  return Effect.succeed({
    baseUrl: resolveBaseUrl(options.baseUrl),
    token: options.token,
    timeout: Duration.decode(options.timeout ?? "30 seconds"),
    rateLimit: {
      limit: options.rateLimit?.limit ?? 150,
      window: options.rateLimit?.window ?? Duration.minutes(1),
      headroom: options.rateLimit?.headroom ?? 1,
      maxRateLimitedRetries: options.rateLimit?.maxRateLimitedRetries ?? 3
    },
    readRetry: options.readRetry ?? defaultReadRetry,
    connectRetry: options.connectRetry ?? defaultReadRetry,
    retryAmbiguous: options.retryAmbiguous ?? false
  })
}

/**
 * The configuration from options given in code.
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (options: PropexoConfigOptions): Layer.Layer<PropexoConfig, ConfigError.ConfigError> =>
  Layer.effect(PropexoConfig, make(options))

/**
 * The configuration from `Config`: by default {@link fromEnv}, which reads
 * `PROPEXO_TOKEN` (required), `PROPEXO_BASE_URL` (`production`, `sandbox`
 * or a URL; default production), `PROPEXO_TIMEOUT` (e.g. `30 seconds`),
 * `PROPEXO_RATE_LIMIT` (requests per minute), `PROPEXO_RATE_LIMIT_HEADROOM`
 * (0-1) and `PROPEXO_RETRY_AMBIGUOUS` (boolean). A missing token fails with
 * a `ConfigError` naming `PROPEXO_TOKEN`.
 *
 * @since 0.2.0
 * @category layers
 */
export const layerConfig = (
  config: Config.Config.Wrap<PropexoConfigOptions> = fromEnv
): Layer.Layer<PropexoConfig, ConfigError.ConfigError> =>
  Layer.effect(PropexoConfig, Effect.flatMap(Config.unwrap(config), make))

// Validated before the default applies, so an error names the variable.
const baseUrlConfig = Config.string("PROPEXO_BASE_URL").pipe(
  Config.validate({
    message: "must be production, sandbox or an http(s) URL",
    validation: (s) => {
      try {
        resolveBaseUrl(s)
        return true
      } catch {
        return false
      }
    }
  }),
  Config.withDefault("production")
)

const headroomConfig = Config.number("PROPEXO_RATE_LIMIT_HEADROOM").pipe(
  Config.validate({ message: "must be a number greater than 0 and at most 1", validation: (n) => n > 0 && n <= 1 }),
  Config.option
)

/**
 * The configuration read from the environment (see
 * {@link layerConfig}), as options to adjust before use.
 *
 * @since 0.1.0
 * @category config
 */
export const fromEnv: Config.Config<PropexoConfigOptions> = Config.all({
  token: Config.redacted("PROPEXO_TOKEN"),
  baseUrl: baseUrlConfig,
  timeout: Config.option(Config.duration("PROPEXO_TIMEOUT")),
  limit: Config.option(
    Config.integer("PROPEXO_RATE_LIMIT").pipe(
      Config.validate({ message: "must be a positive integer", validation: (n) => n > 0 })
    )
  ),
  headroom: headroomConfig,
  retryAmbiguous: Config.boolean("PROPEXO_RETRY_AMBIGUOUS").pipe(Config.withDefault(false))
}).pipe(
  Config.map(({ baseUrl, headroom, limit, retryAmbiguous, timeout, token }): PropexoConfigOptions => ({
    token,
    baseUrl,
    retryAmbiguous,
    ...(timeout._tag === "Some" ? { timeout: timeout.value } : {}),
    rateLimit: {
      ...(limit._tag === "Some" ? { limit: limit.value } : {}),
      ...(headroom._tag === "Some" ? { headroom: headroom.value } : {})
    }
  }))
)

/**
 * A token from a plain string, kept redacted from then on.
 *
 * @since 0.1.0
 * @category constructors
 */
export const token = (value: string): Redacted.Redacted<string> => Redacted.make(value)
