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
import * as Option from "effect/Option"
import type * as ParseResult from "effect/ParseResult"
import * as Schedule from "effect/Schedule"
import { classify } from "./internal/classify.js"
import * as RateLimiter from "./internal/rateLimiter.js"
import * as Transport from "./internal/transport.js"
import { PropexoApi } from "./PropexoApi.js"
import { PropexoConfig, type PropexoConfigShape } from "./PropexoConfig.js"
import type { PropexoError } from "./PropexoError.js"

const makeApi = (
  httpClient: HttpClient.HttpClient.With<
    HttpClientError.HttpClientError | Transport.RequestTimedOut | RateLimiter.QuotaWaitExceeded
  >
) =>
  HttpApiClient.makeWith(PropexoApi, { httpClient })

/**
 * The generated client: one method per endpoint of `PropexoApi`
 * (`api.applicantEvents.create`, `api.eventTypes.list`, `api.admin.writeStatus`, …).
 * None of its errors holds the token: the requests they refer to were made
 * without it.
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
 * The quota pacer's last known state, as it has it without asking Propexo:
 * the limit Propexo last reported, what is left of the current window and
 * when it ends, how many requests wait for a later window, and when
 * Propexo last answered.
 *
 * @since 0.1.0
 * @category models
 */
export interface Quota {
  readonly limit: number
  readonly resetAt: DateTime.Utc
  /**
   * Requests the pacer would still send before `resetAt` (the limit, less
   * the headroom, what was sent and what Propexo reported used).
   *
   * @since 0.2.0
   */
  readonly remaining: number
  /**
   * Requests waiting for a slot in a later window.
   *
   * @since 0.2.0
   */
  readonly waiting: number
  /**
   * When Propexo last answered a request of this client (any status);
   * none before its first answer.
   *
   * @since 0.2.0
   */
  readonly lastAnswerAt: Option.Option<DateTime.Utc>
}

/**
 * Options of a write.
 *
 * @since 0.2.0
 * @category models
 */
export interface WriteOptions {
  /**
   * The longest the write may wait for the quota. When the pacer has no
   * slot for it within that time, it fails at once with
   * `PropexoRateLimited` (`ambiguous: false`, `resetAt` when the slot would
   * have been) and nothing is sent. Default: no bound.
   */
  readonly maxQuotaWait?: Duration.DurationInput | undefined
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
   *
   * Interrupting it cancels it only while it waits (for the quota, or
   * between attempts): then nothing more is sent. Once a request is on the
   * wire, the write goes on to its answer (or its timeout) and `call`'s
   * work on it, and the interruption takes effect after.
   */
  readonly write: <A>(
    name: string,
    call: (api: PropexoApiClient) => Effect.Effect<A, RawError>,
    options?: WriteOptions
  ) => Effect.Effect<A, PropexoError>
  /**
   * The quota pacer's last known state. Reading it sends nothing and spends
   * no quota (for a readiness check, say).
   */
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
 * rest of the call's bookkeeping. Waiting between attempts can always be
 * interrupted.
 */
const retryWhile = <A, E>(
  self: Effect.Effect<A, E>,
  schedule: Schedule.Schedule<unknown, unknown>,
  shouldRetry: (error: E) => boolean
): Effect.Effect<A, E> =>
  Effect.catchIf(self, shouldRetry, (first) =>
    Effect.flatMap(Schedule.driver(schedule), (driver) => {
      const next = (error: E): Effect.Effect<A, E> =>
        // The wait is interruptible even in a write's uninterruptible region.
        Effect.matchEffect(Effect.interruptible(driver.next(error)), {
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

      // Uninterruptible, but for its waits (the pacer's and the retries'),
      // which are interruptible on their own: an interruption cancels what
      // was not sent, and lets what was sent end, timeout included.
      const write: PropexoClientShape["write"] = (name, call, options) =>
        run(name, name, true, config.connectRetry, isSafeToRepeat(config.retryAmbiguous), call).pipe(
          Effect.uninterruptible,
          RateLimiter.withMaxWait(options?.maxQuotaWait)
        )

      return {
        config,
        api,
        read,
        write,
        quota: Effect.map(limiter.snapshot, (state) => ({
          limit: state.limit,
          remaining: state.remaining,
          resetAt: DateTime.unsafeMake(state.resetAt),
          waiting: state.waiting,
          lastAnswerAt: Option.map(Option.fromNullable(state.lastAnswerAt), DateTime.unsafeMake)
        }))
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
