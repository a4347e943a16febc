import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import { pipe } from "effect/Function"
import * as Option from "effect/Option"
import type { PropexoConfigShape } from "../PropexoConfig.js"
import type { RateLimiter } from "./rateLimiter.js"
import { VERSION } from "./version.js"

/**
 * No answer (head and body) within the per-request timeout.
 *
 * @internal
 */
export class RequestTimedOut extends Data.TaggedError("RequestTimedOut")<{}> {}

/**
 * The status and buffered body of the last answer the current fiber
 * received, so that an answer the schema refuses can be reported with it.
 * The body stays bytes: only a failure decodes it.
 *
 * @internal
 */
export const lastResponse = FiberRef.unsafeMake<
  Option.Option<{ readonly status: number; readonly body: ArrayBuffer }>
>(Option.none())

/**
 * The number of the attempt under way, for span attributes.
 *
 * @internal
 */
export const attempt = FiberRef.unsafeMake(0)

const headerNumber = (response: HttpClientResponse.HttpClientResponse, name: string): number | undefined => {
  const value = response.headers[name]
  if (value === undefined) return undefined
  const n = Number(value)
  return Number.isFinite(n) ? n : undefined
}

/**
 * The HTTP client every Propexo call goes through: base URL, bearer token,
 * `Accept` and `User-Agent` on every request; one permit from the quota's
 * pacer per attempt; the whole answer, body included, within the timeout;
 * 429s waited out until the next window.
 *
 * @internal
 */
export const make = (
  client: HttpClient.HttpClient,
  config: PropexoConfigShape,
  limiter: RateLimiter
): HttpClient.HttpClient.With<HttpClientError.HttpClientError | RequestTimedOut> => {
  const timeout = config.timeout
  return client.pipe(
    // The calls' own spans (`Propexo.<endpoint>`) carry what matters; the
    // generic HTTP span would cost more CPU than the rest of a call together.
    // And Propexo is a third party: it gets no trace context of ours.
    HttpClient.withTracerDisabledWhen(() => true),
    HttpClient.withTracerPropagation(false),
    HttpClient.mapRequest((request) =>
      pipe(
        request,
        HttpClientRequest.prependUrl(config.baseUrl.toString().replace(/\/$/, "")),
        HttpClientRequest.bearerToken(config.token),
        HttpClientRequest.acceptJson,
        HttpClientRequest.setHeader("user-agent", `@entrata-events/propexo/${VERSION}`)
      )
    ),
    HttpClient.transform((send, request) =>
      Effect.gen(function*() {
        for (let rateLimited = 0;; rateLimited++) {
          yield* FiberRef.update(attempt, (n) => n + 1)
          const window = yield* limiter.acquire
          const [response, body] = yield* send.pipe(
            // A body cut off half-way is a lost connection, not a malformed answer.
            // Buffered as the generated client reads it (`arrayBuffer`, cached).
            Effect.flatMap((response) =>
              Effect.mapBoth(response.arrayBuffer, {
                onFailure: (error) => new HttpClientError.RequestError({ request, reason: "Transport", cause: error.cause }),
                onSuccess: (body) => [response, body] as const
              })
            ),
            Effect.timeoutFail({ duration: timeout, onTimeout: () => new RequestTimedOut() })
          )
          yield* FiberRef.set(lastResponse, Option.some({ status: response.status, body }))
          yield* limiter.observe(
            window,
            headerNumber(response, "x-ratelimit-limit"),
            headerNumber(response, "x-ratelimit-remaining")
          )
          if (response.status !== 429) return response
          yield* limiter.exhausted(window)
          if (rateLimited >= config.rateLimit.maxRateLimitedRetries) return response
          yield* Effect.logDebug("Propexo answered 429; waiting for the next quota window")
        }
      })
    )
  )
}
