/**
 * What the simulator does around every Propexo request, as Propexo does:
 * authentication, rate limits and slow-down, injected faults, the request
 * log and `onAnswer`; and the exchange through which the handlers tell it
 * what the request did (its token, the job it queued, its date-times).
 */
import type * as HttpApp from "@effect/platform/HttpApp"
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import * as PropexoApi from "@entrata-events/propexo/PropexoApi"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as Random from "effect/Random"
import type { RequestOutcome, SandboxToken } from "../Records.js"
import type { State } from "./state.js"

// ---------------------------------------------------------------------------
// One exchange: what the Propexo handlers tell the wrapper about a request
// ---------------------------------------------------------------------------

/** What the Propexo handlers tell the wrapper about the request they answer. @internal */
export interface Exchange {
  readonly token: SandboxToken
  jobId: string | null
  mountainTime: Record<string, boolean> | null
}

/** Set by the wrapper around each Propexo request, for the handlers. */
const CurrentExchange = FiberRef.unsafeMake<Exchange | undefined>(undefined)

/** The exchange of the request being handled. @internal */
export const currentExchange = Effect.flatMap(
  FiberRef.get(CurrentExchange),
  (exchange) =>
    exchange === undefined
      ? Effect.dieMessage("Propexo handler ran outside an exchange")
      : Effect.succeed(exchange)
)

/** Wall-clock milliseconds, as the state's methods take them. @internal */
export const now = Effect.sync(() => Date.now())

// ---------------------------------------------------------------------------
// Around every Propexo request
// ---------------------------------------------------------------------------

const errorResponse = (error: PropexoApi.PropexoApiError): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.text(JSON.stringify(PropexoApi.errorBody(error)), {
    status: error.status,
    contentType: "application/json"
  })

const rateHeaders = (limit: number, remaining: number) => ({
  "x-ratelimit-limit": String(limit),
  "x-ratelimit-remaining": String(remaining)
})

const roll = (share: number | undefined): Effect.Effect<boolean> =>
  share === undefined || share <= 0 ? Effect.succeed(false) : Effect.map(Random.next, (r) => r < share)

const SERVER_ERRORS = {
  500: () => new PropexoApi.InternalServerError({ code: "internal_server_error", message: "Internal server error" }),
  502: () => new PropexoApi.BadGateway({ code: "bad_gateway", message: "Bad gateway" }),
  503: () => new PropexoApi.ServiceUnavailable({ code: "service_unavailable", message: "Service unavailable" })
} as const

const truncated = (response: HttpServerResponse.HttpServerResponse) => {
  const bytes = response.body._tag === "Uint8Array" ? response.body.body : new TextEncoder().encode("{}")
  return HttpServerResponse.uint8Array(bytes.subarray(0, Math.max(1, Math.floor(bytes.length / 2))), {
    status: 200,
    contentType: "application/json",
    headers: response.headers
  })
}

const destroyConnection = (request: HttpServerRequest.HttpServerRequest) =>
  Effect.sync(() => NodeHttpServerRequest.toIncomingMessage(request).socket.destroy())

/**
 * Answers one Propexo request as Propexo would around its handlers: the
 * bearer token, the quota and slow-down, injected faults, the request log
 * and `onAnswer`; `app` (the handlers) runs only when all of these let it.
 * @internal
 */
export const aroundRequest = <R>(
  state: State,
  app: HttpApp.Default<never, R>,
  request: HttpServerRequest.HttpServerRequest
) =>
  Effect.gen(function*() {
    const startedAt = yield* now
    const url = new URL(request.url, "http://sandbox.invalid")
    const headers: Record<string, string> = {}
    for (const [name, value] of Object.entries(request.headers)) {
      if (name !== "authorization") headers[name] = value
    }
    const base = {
      seq: state.nextSequence(),
      time: new Date(startedAt).toISOString(),
      method: request.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers
    }
    let body: string | null = null
    let delayed = false
    const { onAnswer } = state.settings
    /** Hands an answer to `onAnswer` on its way out. */
    const send = (
      response: HttpServerResponse.HttpServerResponse,
      outcome: "answered" | "malformed" = "answered"
    ): HttpServerResponse.HttpServerResponse => {
      if (onAnswer !== undefined) {
        onAnswer({
          seq: base.seq,
          method: base.method,
          path: base.path,
          status: response.status,
          contentType: response.body.contentType,
          body: response.body._tag === "Uint8Array" ? new TextDecoder().decode(response.body.body) : "",
          outcome
        })
      }
      return response
    }
    const log = (
      token: SandboxToken | undefined,
      status: number | null,
      outcome: RequestOutcome,
      exchange?: Exchange
    ) =>
      Effect.map(now, (finishedAt) =>
        state.record({
          ...base,
          body,
          token: token?.name ?? null,
          status,
          outcome,
          delayed,
          durationMs: finishedAt - startedAt,
          jobId: exchange?.jobId ?? null,
          mountainTime: exchange?.mountainTime ?? null
        })
      )

    const token = state.authenticate(request.headers.authorization)
    if (token === undefined) {
      body = yield* Effect.orElseSucceed(request.text, () => "")
      yield* log(undefined, 401, "answered")
      return send(HttpServerResponse.setHeaders(
        errorResponse(
          new PropexoApi.Unauthorized({ code: "unauthorized", message: "Missing or invalid bearer token" })
        ),
        rateHeaders(state.settings.rateLimit, state.settings.rateLimit)
      ))
    }

    const quota = state.consume(token.name, startedAt)
    const headersOut: Record<string, string> = rateHeaders(quota.limit, quota.remaining)
    if (quota.exceeded) {
      body = yield* Effect.orElseSucceed(request.text, () => "")
      yield* log(token, 429, "answered")
      return send(HttpServerResponse.setHeaders(
        errorResponse(
          new PropexoApi.RateLimited({
            code: "rate_limited",
            message: `Rate limit of ${quota.limit} requests per window exceeded; it resets at the next window`
          })
        ),
        headersOut
      ))
    }

    const faults = state.faultsFor(token.name)
    if (yield* roll(faults.dropBeforeBodyShare)) {
      yield* log(token, null, "dropped-before-body")
      yield* destroyConnection(request)
      return yield* Effect.interrupt
    }
    body = yield* Effect.orElseSucceed(request.text, () => "")
    if (quota.slowed) {
      delayed = true
      headersOut["x-sandbox-delayed"] = "1"
    }
    const wait = (quota.slowed ? state.settings.slowDownDelayMs : 0) + (faults.latencyMs ?? 0)
    if (wait > 0) yield* Effect.sleep(wait)

    if (yield* roll(faults.serverErrorShare)) {
      const statuses = faults.serverErrorStatuses ?? [500, 502, 503]
      const status = statuses[Math.floor((yield* Random.next) * statuses.length)] ?? 500
      yield* log(token, status, "answered")
      return send(HttpServerResponse.setHeaders(errorResponse(SERVER_ERRORS[status]()), headersOut))
    }

    const exchange: Exchange = { token, jobId: null, mountainTime: null }
    const response = yield* app.pipe(
      Effect.locally(CurrentExchange, exchange),
      Effect.catchAllCause((cause) => {
        if (Cause.isInterruptedOnly(cause)) return Effect.interrupt
        const failure = Cause.squash(cause)
        return Effect.succeed(
          HttpServerResponse.isServerResponse(failure)
            ? failure
            : errorResponse(
              failure instanceof Error && "_tag" in failure && failure._tag === "RouteNotFound"
                ? new PropexoApi.NotFound({
                  code: "not_found",
                  message: `No route for ${request.method} ${url.pathname}`
                })
                : SERVER_ERRORS[500]()
            )
        )
      })
    )

    if (yield* roll(faults.dropAfterProcessingShare)) {
      yield* log(token, response.status, "dropped-after-processing", exchange)
      yield* destroyConnection(request)
      return yield* Effect.interrupt
    }
    if (yield* roll(faults.malformedShare)) {
      yield* log(token, 200, "malformed", exchange)
      return send(HttpServerResponse.setHeaders(truncated(response), headersOut), "malformed")
    }
    yield* log(token, response.status, "answered", exchange)
    return send(HttpServerResponse.setHeaders(response, headersOut))
  })
