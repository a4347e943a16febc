/**
 * The client of Propexo's API, derived from `PropexoApi` with
 * `HttpApiClient`, with bearer auth, pacing to the quota, timeouts, typed
 * errors and safe retries on every call.
 *
 * @since 0.1.0
 */
import * as HttpApiClient from "@effect/platform/HttpApiClient"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as Layer from "effect/Layer"
import type * as ParseResult from "effect/ParseResult"
import * as Schedule from "effect/Schedule"
import { classify } from "./internal/classify.js"
import * as RateLimiter from "./internal/rateLimiter.js"
import * as Transport from "./internal/transport.js"
import { PropexoApi } from "./PropexoApi.js"
import { PropexoConfig, type PropexoConfigShape } from "./PropexoConfig.js"
import type { PropexoError } from "./PropexoError.js"

const makeApi = (httpClient: HttpClient.HttpClient.With<HttpClientError.HttpClientError | Transport.RequestTimedOut>) =>
  HttpApiClient.makeWith(PropexoApi, { httpClient })

/**
 * The generated client: one method per endpoint of `PropexoApi`
 * (`api.applicantEvents.create`, `api.eventTypes.list`, `api.admin.writeStatus`, …).
 *
 * @since 0.1.0
 * @category models
 */
export type PropexoApiClient = Effect.Effect.Success<ReturnType<typeof makeApi>>

/**
 * What a call of the generated client can fail with before it is
 * classified.
 *
 * @since 0.1.0
 * @category models
 */
export type RawError = Effect.Effect.Error<ReturnType<PropexoApiClient["admin"]["writeStatus"]>> | ParseResult.ParseError

/**
 * A quota snapshot: the limit Propexo last reported and when the current
 * window ends.
 *
 * @since 0.1.0
 * @category models
 */
export interface Quota {
  readonly limit: number
  readonly resetAt: DateTime.Utc
}

/**
 * @since 0.1.0
 * @category models
 */
export interface PropexoClientShape {
  readonly config: PropexoConfigShape
  /** The generated client, already authenticated and paced; its errors are raw. */
  readonly api: PropexoApiClient
  /**
   * Runs a read: errors classified, retried on 429, 5xx, timeouts and
   * connection failures with `config.readRetry`, in a span named `Propexo.<name>`.
   */
  readonly read: <A>(
    name: string,
    what: string,
    call: (api: PropexoApiClient) => Effect.Effect<A, RawError>
  ) => Effect.Effect<A, PropexoError>
  /**
   * Runs a write: errors classified; retried only when Propexo certainly did
   * not process it (or when `config.retryAmbiguous` is set).
   */
  readonly write: <A>(
    name: string,
    call: (api: PropexoApiClient) => Effect.Effect<A, RawError>
  ) => Effect.Effect<A, PropexoError>
  readonly quota: Effect.Effect<Quota>
}

// 429s never get here unless the transport already waited out as many quota
// windows as configured, so neither policy retries them again.
const isTransient = (error: PropexoError): boolean =>
  error._tag === "PropexoUnavailable" || error._tag === "PropexoTimeout"

const isSafeToRepeat = (retryAmbiguous: boolean) => (error: PropexoError): boolean =>
  (error._tag === "PropexoUnavailable" || error._tag === "PropexoTimeout") && (retryAmbiguous || !error.ambiguous)

/**
 * `Effect.retry`, with the schedule's driver made only once `self` has
 * failed: most calls succeed at once, and the driver costs as much as the
 * rest of the call's bookkeeping.
 */
const retryWhile = <A, E>(
  self: Effect.Effect<A, E>,
  schedule: Schedule.Schedule<unknown, unknown>,
  shouldRetry: (error: E) => boolean
): Effect.Effect<A, E> =>
  Effect.catchIf(self, shouldRetry, (first) =>
    Effect.flatMap(Schedule.driver(schedule), (driver) => {
      const next = (error: E): Effect.Effect<A, E> =>
        Effect.matchEffect(driver.next(error), {
          onFailure: () => Effect.fail(error),
          onSuccess: () => Effect.catchIf(self, shouldRetry, next)
        })
      return next(first)
    }))

/**
 * The Propexo client.
 *
 * @since 0.1.0
 * @category tags
 */
export class PropexoClient extends Context.Tag("@entrata-events/propexo/PropexoClient")<
  PropexoClient,
  PropexoClientShape
>() {
  /**
   * Builds the client on any `HttpClient` (`NodeHttpClient.layerUndici` in
   * production). One quota pacer is shared by every fiber using it.
   *
   * @since 0.1.0
   */
  static readonly make: Effect.Effect<PropexoClientShape, never, PropexoConfig | HttpClient.HttpClient> = Effect.gen(
    function*() {
      const config = yield* PropexoConfig
      const limiter = yield* RateLimiter.make(config.rateLimit)
      const api = yield* makeApi(Transport.make(yield* HttpClient.HttpClient, config, limiter))
      const timeoutMillis = Duration.toMillis(config.timeout)

      const run = <A>(
        name: string,
        what: string,
        create: boolean,
        schedule: Schedule.Schedule<unknown, unknown>,
        shouldRetry: (error: PropexoError) => boolean,
        call: (api: PropexoApiClient) => Effect.Effect<A, RawError>
      ): Effect.Effect<A, PropexoError> =>
        // `useSpan`, not `withSpan`: nothing inside opens a span of its own,
        // and making this one the parent of the request would cost a third of
        // the call's bookkeeping. The transport writes the attributes.
        Effect.useSpan(`Propexo.${name}`, { kind: "client", captureStackTrace: false }, (span) => {
          const state: Transport.Call = { attempts: 0, last: undefined, span }
          const attempt = call(api).pipe(
            Effect.catchAll((raw) =>
              Effect.flatMap(Effect.all([limiter.resetAt, limiter.limit]), ([resetAt, limit]) => {
                const error = classify(raw, {
                  create,
                  what,
                  timeoutMillis,
                  resetAt,
                  limit,
                  lastResponse: state.last
                })
                return Effect.zipRight(
                  Effect.withParentSpan(Effect.logDebug(`Propexo ${name} failed: ${error.message}`), span),
                  Effect.fail(error)
                )
              })
            )
          )
          return Effect.zipRight(FiberRef.set(Transport.currentCall, state), retryWhile(attempt, schedule, shouldRetry))
        })

      const read: PropexoClientShape["read"] = (name, what, call) =>
        run(name, what, false, config.readRetry, isTransient, call)

      const write: PropexoClientShape["write"] = (name, call) =>
        run(name, name, true, config.connectRetry, isSafeToRepeat(config.retryAmbiguous), call)

      return {
        config,
        api,
        read,
        write,
        quota: Effect.map(
          Effect.all([limiter.limit, limiter.resetAt]),
          ([limit, resetAt]) => ({ limit, resetAt: DateTime.unsafeMake(resetAt) })
        )
      }
    }
  )

  /**
   * Needs `PropexoConfig` and an `HttpClient`.
   *
   * @since 0.1.0
   */
  static readonly layer: Layer.Layer<PropexoClient, never, PropexoConfig | HttpClient.HttpClient> = Layer.effect(
    PropexoClient,
    PropexoClient.make
  )
}
