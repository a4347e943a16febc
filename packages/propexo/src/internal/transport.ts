import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Headers from "@effect/platform/Headers"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import type * as FiberId from "effect/FiberId"
import * as FiberRef from "effect/FiberRef"
import * as FiberRefs from "effect/FiberRefs"
import { pipe } from "effect/Function"
import * as Runtime from "effect/Runtime"
import type * as Tracer from "effect/Tracer"
import type { PropexoConfigShape } from "../PropexoConfig.js"
import type { QuotaWaitExceeded, RateLimiter } from "./rateLimiter.js"
import { BufferedResponse } from "./response.js"
import { VERSION } from "./version.js"

// The calls' own spans (`Propexo.<endpoint>`) carry what matters; the generic
// HTTP span would cost more CPU than the rest of a call together. And Propexo
// is a third party: it gets no trace context of ours. The request the
// underlying client sees holds the token: whatever logs it there must redact
// `authorization`, even if the caller's fiber took it off the list.
const forSending = (refs: FiberRefs.FiberRefs, fiberId: FiberId.Runtime): FiberRefs.FiberRefs => {
  const untraced = FiberRefs.updateAs(
    FiberRefs.updateAs(refs, { fiberId, fiberRef: HttpClient.currentTracerDisabledWhen, value: () => true }),
    { fiberId, fiberRef: HttpClient.currentTracerPropagation, value: false }
  )
  const redacted = FiberRefs.getOrDefault(untraced, Headers.currentRedactedNames)
  return redacted.includes("authorization")
    ? untraced
    : FiberRefs.updateAs(untraced, {
      fiberId,
      fiberRef: Headers.currentRedactedNames,
      value: [...redacted, "authorization"]
    })
}

/**
 * Runs one request in a detached fiber, without HTTP tracing, failed with
 * `onTimeout()` unless it ends within `millis`.
 *
 * `Effect.timeoutFail` forks the request and joins the child's fiber refs
 * back, and each `HttpClient.withTracer…` wraps it in `Effect.locally`: on
 * a Propexo call that costs more CPU than the rest of it together. A fiber
 * started from the caller's runtime joins nothing back, so the request must
 * hand back through its result anything the caller needs. The timer firing
 * interrupts the request, and so does interrupting the caller, unless the
 * caller is uninterruptible (a write, once sent): then the request goes on
 * to its answer or its timeout.
 */
const sendDetached = <A, E, E2>(
  self: Effect.Effect<A, E>,
  millis: number,
  onTimeout: () => E2
): Effect.Effect<A, E | E2> =>
  Effect.flatMap(Effect.runtime<never>(), (runtime) =>
    Effect.async<A, E | E2>((resume) => {
      // Interruptible even when started from a write's uninterruptible region, so the timer can hang it up.
      const fiber = Runtime.runFork(runtime)(Effect.interruptible(self), { updateRefs: forSending })
      const timer = setTimeout(() => {
        fiber.removeObserver(resume)
        fiber.unsafeInterruptAsFork(fiber.id())
        resume(Effect.fail(onTimeout()))
      }, millis)
      fiber.addObserver(resume)
      fiber.addObserver(() => clearTimeout(timer))
      return Effect.suspend(() => {
        clearTimeout(timer)
        return Fiber.interrupt(fiber)
      })
    }))

/**
 * No answer (head and body) within the per-request timeout.
 *
 * @internal
 */
export class RequestTimedOut extends Data.TaggedError("RequestTimedOut")<{}> {}

/**
 * What one call (a read or a write, all its attempts) has seen so far.
 *
 * @internal
 */
export interface Call {
  /** The call's span, which gets the attempt number and the last status. */
  readonly span: Tracer.Span
  /** Requests sent. */
  attempts: number
  /**
   * The status and buffered body of the last answer, so that an answer the
   * schema refuses can be reported with it. The body stays bytes: only a
   * failure decodes it.
   */
  last: { readonly status: number; readonly body: ArrayBuffer } | undefined
}

/**
 * The call under way in the current fiber. `PropexoClient` sets a fresh one
 * at the start of every call and the transport records each attempt in it.
 * It is set, not `Effect.locally` scoped (which costs as much as the rest of
 * the bookkeeping): a fiber makes one call at a time and each call starts by
 * replacing it, so a finished call's value left behind is never read.
 *
 * @internal
 */
export const currentCall = FiberRef.unsafeMake<Call | undefined>(undefined)

const headerNumber = (headers: Headers.Headers, name: string): number | undefined => {
  const value = headers[name]
  if (value === undefined) return undefined
  const n = Number(value)
  return Number.isFinite(n) ? n : undefined
}

const EMPTY = new ArrayBuffer(0)

/**
 * An error of the underlying client, made over again about `request` (the
 * one without the token). Its `cause` is the connection's own error, which
 * never holds the request's headers.
 */
const aboutRequest = (
  error: HttpClientError.HttpClientError,
  request: HttpClientRequest.HttpClientRequest
): HttpClientError.HttpClientError => {
  const { cause, description } = error
  const details = { cause, ...(description === undefined ? {} : { description }) }
  return error._tag === "RequestError"
    ? new HttpClientError.RequestError({ request, reason: error.reason, ...details })
    : new HttpClientError.ResponseError({
      request,
      response: new BufferedResponse(request, error.response.status, error.response.headers, EMPTY),
      reason: error.reason,
      ...details
    })
}

/**
 * The HTTP client every Propexo call goes through: base URL, `Accept` and
 * `User-Agent` on every request; one permit from the quota's pacer per
 * attempt; the whole answer, body included, within the timeout; 429s
 * waited out until the next window.
 *
 * The bearer token is added to a copy of the request handed to the
 * underlying client only: the request that errors and answers refer to
 * never holds it, so no rendering of them (`String`, `JSON.stringify`,
 * `util.inspect`, `Cause.pretty`, inside a fiber or not) can show it. In
 * the underlying client's fiber, `authorization` stays among
 * `Headers.currentRedactedNames`, for whatever logs requests there.
 *
 * @internal
 */
export const make = (
  client: HttpClient.HttpClient,
  config: PropexoConfigShape,
  limiter: RateLimiter
): HttpClient.HttpClient.With<HttpClientError.HttpClientError | RequestTimedOut | QuotaWaitExceeded> => {
  const timeoutMillis = Duration.toMillis(config.timeout)
  const baseUrl = config.baseUrl.toString().replace(/\/$/, "")
  const userAgent = `@entrata-events/propexo/${VERSION}`
  const authorize = HttpClientRequest.bearerToken(config.token)

  /** Sends `request` with the token; answers about `request` as given. */
  const send = (request: HttpClientRequest.HttpClientRequest) =>
    client.execute(authorize(request)).pipe(
      Effect.mapError((error) => aboutRequest(error, request)),
      // A body cut off half-way is a lost connection, not a malformed answer.
      // Buffered as the generated client reads it (`arrayBuffer`).
      Effect.flatMap((response) => {
        const { headers, status } = response
        return Effect.mapBoth(response.arrayBuffer, {
          onFailure: (error) => new HttpClientError.RequestError({ request, reason: "Transport", cause: error.cause }),
          onSuccess: (body) => new BufferedResponse(request, status, headers, body)
        })
      })
    )

  const attempts = (request: HttpClientRequest.HttpClientRequest) =>
    Effect.gen(function*() {
      const call = yield* FiberRef.get(currentCall)
      for (let rateLimited = 0;; rateLimited++) {
        if (call !== undefined) {
          call.span.attribute("propexo.attempt", ++call.attempts)
          call.last = undefined
        }
        const window = yield* limiter.acquire
        const response = yield* sendDetached(send(request), timeoutMillis, () => new RequestTimedOut())
        if (call !== undefined) {
          call.last = { status: response.status, body: response.body }
          call.span.attribute("http.status", response.status)
        }
        const headers = response.headers
        yield* limiter.observe(
          window,
          headerNumber(headers, "x-ratelimit-limit"),
          headerNumber(headers, "x-ratelimit-remaining")
        )
        if (response.status !== 429) return response
        yield* limiter.exhausted(window)
        if (rateLimited >= config.rateLimit.maxRateLimitedRetries) return response
        yield* Effect.logDebug("Propexo answered 429; waiting for the next quota window")
      }
    })

  return HttpClient.makeWith(
    (request: Effect.Effect<HttpClientRequest.HttpClientRequest>) => Effect.flatMap(request, attempts),
    (request) =>
      Effect.succeed(pipe(
        request,
        HttpClientRequest.prependUrl(baseUrl),
        HttpClientRequest.acceptJson,
        HttpClientRequest.setHeader("user-agent", userAgent)
      ))
  )
}
