/**
 * The simulator's HTTP side: `PropexoApi` implemented with HttpApiBuilder,
 * wrapped in what Propexo does around every request (authentication, rate
 * limits and slow-down, the request log, injected faults), and the
 * `/_sandbox/` inspection routes.
 */
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import { HttpApiDecodeError } from "@effect/platform/HttpApiError"
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServer from "@effect/platform/HttpServer"
import type * as HttpServerError from "@effect/platform/HttpServerError"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import * as PropexoApi from "@entrata-events/propexo/PropexoApi"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as FiberSet from "effect/FiberSet"
import * as Layer from "effect/Layer"
import * as ParseResult from "effect/ParseResult"
import * as Random from "effect/Random"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import type * as Http from "node:http"
import type * as Net from "node:net"
import { FaultSettings } from "../Faults.js"
import type { RequestOutcome, SandboxToken } from "../Records.js"
import * as Seed from "../Seed.js"
import { isMountainTime, offsetOf } from "./datetime.js"
import type { State } from "./state.js"
import { DATETIME_FIELDS, summary, validate, type ZodIssue } from "./validate.js"

// ---------------------------------------------------------------------------
// One exchange: what the Propexo handlers tell the wrapper about a request
// ---------------------------------------------------------------------------

interface Exchange {
  readonly token: SandboxToken
  jobId: string | null
  mountainTime: Record<string, boolean> | null
}

const CurrentExchange = FiberRef.unsafeMake<Exchange | undefined>(undefined)

const currentExchange = Effect.flatMap(
  FiberRef.get(CurrentExchange),
  (exchange) =>
    exchange === undefined
      ? Effect.dieMessage("Propexo handler ran outside an exchange")
      : Effect.succeed(exchange)
)

const now = Effect.sync(() => Date.now())

// ---------------------------------------------------------------------------
// Propexo's answers
// ---------------------------------------------------------------------------

const errorResponse = (error: PropexoApi.PropexoApiError): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.text(JSON.stringify(PropexoApi.errorBody(error)), {
    status: error.status,
    contentType: "application/json"
  })

const forbidden = (integrationId: string) =>
  new PropexoApi.Forbidden({
    code: "forbidden",
    message: `This token may not access integration ${integrationId}`
  })

const allows = (token: SandboxToken, integrationId: string): boolean =>
  token.integrations === null || token.integrations.includes(integrationId)

/**
 * A 400 for a request Propexo's Zod schemas refused, in its documented form:
 * the issues nested as `details.details.issues`, with `name: "ZodError"`.
 */
const zodError = (message: string, issues: ReadonlyArray<ZodIssue>) =>
  new PropexoApi.BadRequest({
    code: "invalid_request",
    message,
    details: { details: { issues, name: "ZodError" } }
  })

const ZOD_CODE: Record<string, string> = {
  Missing: "invalid_type",
  Unexpected: "unrecognized_keys",
  Type: "invalid_type"
}

/** Propexo validates query and path parameters too: its 400 body, not HttpApiBuilder's. */
const badRequestFromDecode = (error: HttpApiDecodeError) =>
  zodError(
    `Invalid request: ${error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
    error.issues.map((issue) => ({
      code: ZOD_CODE[issue._tag] ?? "custom",
      path: issue.path.map((key) => typeof key === "number" ? key : String(key)),
      message: issue.message
    }))
  )

// ---------------------------------------------------------------------------
// Handlers
// ---------------------------------------------------------------------------

type CatalogRecord = PropexoApi.EventType | PropexoApi.EventSubType | PropexoApi.EventResult

interface ListQuery {
  readonly integration_id?: string
  readonly property_id?: string
  readonly x_id?: string
  readonly x_property_id?: string
  readonly limit?: number
  readonly offset?: number
  readonly "order-by"?: string
}

type Direction = "asc" | "desc"

/** `order-by` as Propexo reads it: `field` (ascending), `field:asc` or `field:desc`, comma-separated. */
const orderOf = (orderBy: string): ReadonlyArray<readonly [string, Direction]> =>
  orderBy.split(",").map((part) => {
    const [field = "", direction] = part.split(":")
    return [field, direction === "desc" ? "desc" : "asc"] as const
  })

/** `meta.orderBy`: one object per field, e.g. `[{ "created_at": "desc" }]`. */
const orderByMeta = (order: ReadonlyArray<readonly [string, Direction]>) =>
  order.map(([field, direction]) => ({ [field]: direction }))

const DEFAULT_ORDER = orderOf(PropexoApi.DEFAULT_ORDER_BY)

/** The `meta` of a by-id answer: no paging, the default order. */
const ONE_META = { orderBy: orderByMeta(DEFAULT_ORDER) }

/** Sorts records as `order-by` asks (stable: ties keep their order); 400 for a field the records lack. */
const ordered = <A extends object>(records: ReadonlyArray<A>, orderBy: string | undefined) => {
  const order = orderBy === undefined ? DEFAULT_ORDER : orderOf(orderBy)
  const first = records[0]
  const unknown = first === undefined ? undefined : order.find(([field]) => !(field in first))
  if (unknown !== undefined) {
    return Effect.fail(
      new PropexoApi.BadRequest({
        code: "invalid_request",
        message: `Invalid request: order-by: cannot order by ${JSON.stringify(unknown[0])}`
      })
    )
  }
  // A record is a plain object and every `field` one of its keys (checked above).
  const value = (record: A, field: string) => String((record as Record<string, unknown>)[field] ?? "")
  const compare = (a: A, b: A) => {
    for (const [field, direction] of order) {
      const c = value(a, field).localeCompare(value(b, field))
      if (c !== 0) return direction === "desc" ? -c : c
    }
    return 0
  }
  return Effect.succeed({ records: records.slice().sort(compare), orderBy: orderByMeta(order) })
}

/** A page of a list: `hasMore` says whether records follow this page. */
const page = <A extends object>(records: ReadonlyArray<A>, query: ListQuery) =>
  Effect.map(ordered(records, query["order-by"]), ({ orderBy, records: sorted }) => {
    const limit = query.limit ?? PropexoApi.DEFAULT_LIMIT
    const offset = query.offset ?? 0
    const results = sorted.slice(offset, offset + limit)
    return {
      meta: { orderBy, offset, limit, hasMore: offset + results.length < sorted.length, total: sorted.length },
      results
    }
  })

const listCatalog = <A extends CatalogRecord>(
  records: ReadonlyArray<A>,
  query: ListQuery,
  only: (record: A) => boolean = () => true
) =>
  Effect.gen(function*() {
    const { token } = yield* currentExchange
    if (query.integration_id !== undefined && !allows(token, query.integration_id)) {
      return yield* forbidden(query.integration_id)
    }
    const matching = records.filter((r) =>
      allows(token, r.integration_id) &&
      (query.integration_id === undefined || r.integration_id === query.integration_id) &&
      (query.property_id === undefined || r.property_id === query.property_id) &&
      (query.x_id === undefined || r.x_id === query.x_id) &&
      (query.x_property_id === undefined || r.x_property_id === query.x_property_id) &&
      only(r)
    )
    return yield* page(matching, query)
  })

const getCatalog = <A extends CatalogRecord>(records: ReadonlyArray<A>, id: string, what: string) =>
  Effect.gen(function*() {
    const { token } = yield* currentExchange
    const record = records.find((r) => r.id === id && allows(token, r.integration_id))
    if (record === undefined) {
      return yield* new PropexoApi.NotFound({ code: "not_found", message: `${what} ${id} not found` })
    }
    return { meta: ONE_META, results: record }
  })

/** `?ignore_unknown_fields=`: `true` drops unknown body keys instead of refusing them. */
const ignoreUnknownFields = (request: HttpServerRequest.HttpServerRequest) => {
  const value = new URL(request.url, "http://sandbox.invalid").searchParams.get("ignore_unknown_fields")
  if (value === null || value === "false") return Effect.succeed(false)
  if (value === "true") return Effect.succeed(true)
  return Effect.fail(zodError("Invalid request: ignore_unknown_fields: must be true or false", [{
    code: "invalid_enum_value",
    options: ["true", "false"],
    received: value,
    path: ["ignore_unknown_fields"],
    message: `Invalid enum value. Expected 'true' | 'false', received '${value}'`
  }]))
}

const TIME_RANGE_MS = {
  hour: 3_600_000,
  day: 86_400_000,
  week: 7 * 86_400_000,
  month: 30 * 86_400_000
} as const

const handlers = (state: State, schedule: (jobId: string) => void) => {
  const create = (request: HttpServerRequest.HttpServerRequest) =>
    Effect.gen(function*() {
      const exchange = yield* currentExchange
      const ignoreUnknown = yield* ignoreUnknownFields(request)
      const text = yield* Effect.orElseSucceed(request.text, () => "")
      const parsed = yield* Effect.try({
        try: (): unknown => JSON.parse(text),
        catch: () =>
          new PropexoApi.BadRequest({ code: "invalid_request", message: "Request body must be valid JSON" })
      })
      if (typeof parsed === "object" && parsed !== null) {
        const fields = parsed as Record<string, unknown> // a non-null object, whose keys may be read
        const flags: Record<string, boolean> = {}
        for (const field of DATETIME_FIELDS) {
          const value = fields[field]
          if (typeof value === "string" && offsetOf(value) !== undefined) flags[field] = isMountainTime(value)
        }
        exchange.mountainTime = flags
      }
      const validated = validate(parsed, { ignoreUnknown })
      if (validated._tag === "Invalid") return yield* zodError(summary(validated.issues), validated.issues)
      const body = validated.body
      const integrationId = String(body.integration_id)
      if (!state.seed.integrations.some((i) => i.id === integrationId)) {
        return yield* new PropexoApi.NotFound({ code: "not_found", message: `Integration ${integrationId} not found` })
      }
      if (!allows(exchange.token, integrationId)) return yield* forbidden(integrationId)
      const jobId = state.createJob(exchange.token.name, body, exchange.mountainTime ?? {}, yield* now)
      exchange.jobId = jobId
      schedule(jobId)
      return HttpServerResponse.unsafeJson({ meta: { job_id: jobId }, result: body })
    })

  const ownJob = (id: string) =>
    Effect.gen(function*() {
      const { token } = yield* currentExchange
      const job = state.job(id, yield* now)
      if (job === undefined || !allows(token, String(job.body.integration_id))) {
        return yield* new PropexoApi.NotFound({ code: "not_found", message: `Write job ${id} not found` })
      }
      return job
    })

  return Layer.mergeAll(
    HttpApiBuilder.group(
      PropexoApi.PropexoApi,
      "applicantEvents",
      (h) => h.handleRaw("create", ({ request }) => create(request))
    ),
    HttpApiBuilder.group(PropexoApi.PropexoApi, "eventTypes", (h) =>
      h
        .handle("list", ({ urlParams }) =>
          listCatalog(
            state.seed.event_types,
            urlParams,
            (r) => urlParams.models === undefined || [urlParams.models].flat().some((m) => r.models.includes(m))
          ))
        .handle("get", ({ path }) => getCatalog(state.seed.event_types, path.event_type_id, "Event type"))),
    HttpApiBuilder.group(PropexoApi.PropexoApi, "eventSubTypes", (h) =>
      h
        .handle("list", ({ urlParams }) =>
          listCatalog(
            state.seed.event_sub_types,
            urlParams,
            (r) => urlParams.event_type_id === undefined || r.event_type_id === urlParams.event_type_id
          ))
        .handle("get", ({ path }) => getCatalog(state.seed.event_sub_types, path.event_sub_type_id, "Event sub-type"))),
    HttpApiBuilder.group(PropexoApi.PropexoApi, "eventResults", (h) =>
      h
        .handle("list", ({ urlParams }) => listCatalog(state.seed.event_results, urlParams))
        .handle("get", ({ path }) => getCatalog(state.seed.event_results, path.event_result_id, "Event result"))),
    HttpApiBuilder.group(PropexoApi.PropexoApi, "admin", (h) =>
      h
        .handle("writeStatus", ({ path }) =>
          Effect.map(ownJob(path.root_job_id), (job) => ({
            write_status: job.status,
            errors: job.errors,
            created_record_id: null
          })))
        .handle("retryWrite", ({ path }) =>
          Effect.gen(function*() {
            const job = yield* ownJob(path.root_job_id)
            const retried = state.retry(job.id, yield* now)
            if (retried === undefined) {
              return yield* new PropexoApi.BadRequest({
                code: "invalid_request",
                message: `Only failed write operations can be retried; write job ${job.id} is ${job.status}`
              })
            }
            schedule(retried)
            return { success: true, job_id: retried }
          }))
        .handle("writeLogs", ({ urlParams }) =>
          Effect.gen(function*() {
            const { token } = yield* currentExchange
            if (urlParams.integration_id !== undefined && !allows(token, urlParams.integration_id)) {
              return yield* forbidden(urlParams.integration_id)
            }
            const at = yield* now
            const since = urlParams.time_range === undefined ? -Infinity : at - TIME_RANGE_MS[urlParams.time_range]
            const logs = state.writeLogs(at).filter((log) =>
              allows(token, log.integration_id) &&
              Date.parse(log.created_at) >= since &&
              (urlParams.integration_id === undefined || log.integration_id === urlParams.integration_id) &&
              (urlParams.status === undefined || log.status === urlParams.status) &&
              // Every job the simulator runs writes an event.
              (urlParams.write_category === undefined || urlParams.write_category === "events")
            )
            const offset = urlParams.offset ?? 0
            return { results: { logs: logs.slice(offset, offset + (urlParams.limit ?? PropexoApi.MAX_LOG_LIMIT)) } }
          }))),
    HttpApiBuilder.group(PropexoApi.PropexoApi, "events", (h) =>
      h.handle("list", ({ urlParams: q }) =>
        Effect.gen(function*() {
          const { token } = yield* currentExchange
          if (q.integration_id !== undefined && !allows(token, q.integration_id)) {
            return yield* forbidden(q.integration_id)
          }
          const has = (ids: ReadonlyArray<string> | null, id: string | undefined) =>
            id === undefined || (ids ?? []).includes(id)
          const events = state.eventRecords().filter((e) =>
            allows(token, e.integration_id) &&
            (q.integration_id === undefined || e.integration_id === q.integration_id) &&
            (q.property_id === undefined || e.property_id === q.property_id) &&
            (q.x_id === undefined || e.x_id === q.x_id) &&
            (q.x_property_id === undefined || e.x_property_id === q.x_property_id) &&
            (q.x_type_id === undefined || e.x_type_id === q.x_type_id) &&
            has(e.associated_applicant_ids, q.applicant_id) &&
            has(e.associated_lead_ids, q.lead_id) &&
            has(e.associated_resident_ids, q.resident_id)
          )
          return yield* page(events, q)
        })))
  )
}

// ---------------------------------------------------------------------------
// Around every Propexo request
// ---------------------------------------------------------------------------

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

const propexo = <R>(state: State, app: HttpApp.Default<never, R>, request: HttpServerRequest.HttpServerRequest) =>
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

// ---------------------------------------------------------------------------
// /_sandbox/
// ---------------------------------------------------------------------------

const FaultsRequest = Schema.Struct({
  /** The token name whose faults to set; absent for the global faults. */
  token: Schema.optionalWith(Schema.String, { exact: true }),
  ...FaultSettings.fields
})

const adminError = (status: number, code: string, message: string) =>
  HttpServerResponse.unsafeJson({ error: { code, message } }, { status })

const ADMIN_ROUTES = [
  "GET /_sandbox/requests",
  "GET /_sandbox/jobs",
  "GET /_sandbox/events",
  "GET /_sandbox/quotas",
  "GET /_sandbox/faults",
  "POST /_sandbox/faults",
  "DELETE /_sandbox/faults",
  "GET /_sandbox/seed",
  "PUT /_sandbox/seed",
  "POST /_sandbox/reset"
]

const admin = (state: State, reset: Effect.Effect<void>) => {
  const json = (f: () => unknown) => Effect.sync(() => HttpServerResponse.unsafeJson(f()))
  const decodeFaults = Schema.decodeUnknown(Schema.parseJson(FaultsRequest), { onExcessProperty: "error" })
  const router = HttpRouter.empty.pipe(
    HttpRouter.get("/_sandbox/", json(() => ({ routes: ADMIN_ROUTES }))),
    HttpRouter.get("/_sandbox/requests", json(() => ({ requests: state.requests() }))),
    HttpRouter.get("/_sandbox/jobs", json(() => ({ jobs: state.jobRecords(Date.now()) }))),
    HttpRouter.get("/_sandbox/events", json(() => ({ events: state.eventRecords() }))),
    HttpRouter.get("/_sandbox/quotas", json(() => ({ quotas: state.quotaRecords(Date.now()) }))),
    HttpRouter.get("/_sandbox/faults", json(() => state.faultState())),
    HttpRouter.del(
      "/_sandbox/faults",
      Effect.zipRight(Effect.sync(() => state.clearFaults()), json(() => state.faultState()))
    ),
    HttpRouter.post(
      "/_sandbox/faults",
      Effect.gen(function*() {
        const request = yield* HttpServerRequest.HttpServerRequest
        const text = yield* Effect.orElseSucceed(request.text, () => "")
        const decoded = yield* Effect.either(decodeFaults(text))
        if (decoded._tag === "Left") {
          return adminError(400, "invalid_faults", ParseResult.TreeFormatter.formatErrorSync(decoded.left))
        }
        const { token, ...faults } = decoded.right
        if (token !== undefined && !state.settings.tokens.some((t) => t.name === token)) {
          return adminError(400, "unknown_token", `No sandbox token is named ${JSON.stringify(token)}`)
        }
        state.setFaults(faults, token)
        return HttpServerResponse.unsafeJson(state.faultState())
      })
    ),
    HttpRouter.get("/_sandbox/seed", json(() => state.seed)),
    HttpRouter.put(
      "/_sandbox/seed",
      Effect.gen(function*() {
        const request = yield* HttpServerRequest.HttpServerRequest
        const text = yield* Effect.orElseSucceed(request.text, () => "")
        const seed = yield* Effect.either(Seed.fromJson(text, "request body"))
        if (seed._tag === "Left") return adminError(400, "invalid_seed", seed.left.message)
        state.seed = seed.right
        return HttpServerResponse.unsafeJson({ ok: true })
      })
    ),
    HttpRouter.post("/_sandbox/reset", Effect.zipRight(reset, json(() => ({ ok: true }))))
  )
  return router.pipe(
    Effect.catchTag("RouteNotFound", (e) =>
      Effect.succeed(adminError(404, "not_found", `No sandbox route for ${e.request.method} ${e.request.url}`)))
  )
}

// ---------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------

/** Serves the simulator for the life of the scope. @internal */
export const serve = (
  state: State,
  evaluate: () => Http.Server,
  listen: Net.ListenOptions
): Effect.Effect<
  { readonly port: number; readonly reset: Effect.Effect<void> },
  HttpServerError.ServeError,
  Scope.Scope
> =>
  Effect.gen(function*() {
    const jobs = yield* FiberSet.make<void, never>()
    const runJob = yield* FiberSet.runtime(jobs)<never>()
    const schedule = (jobId: string) => {
      runJob(
        Effect.zipRight(Effect.sleep(state.settings.jobDelayMs), Effect.sync(() => state.settle(jobId, Date.now())))
      )
    }
    const reset = Effect.zipRight(FiberSet.clear(jobs), Effect.sync(() => state.reset()))
    const adminApp = admin(state, reset)

    const wrap = <R>(app: HttpApp.Default<never, R>): HttpApp.Default<never, R> =>
      Effect.flatMap(
        HttpServerRequest.HttpServerRequest,
        (request) => request.url.startsWith("/_sandbox/") ? adminApp : propexo(state, app, request)
      )

    const propexoErrors = (app: HttpApp.Default) =>
      Effect.catchAllCause(app, (cause) => {
        const failure = Cause.squash(cause)
        return failure instanceof HttpApiDecodeError
          ? Effect.fail(badRequestFromDecode(failure))
          : Effect.failCause(cause)
      })

    // What `HttpApiBuilder.serve` does, except that the wrapper goes inside
    // the served app: a server middleware only runs after the answer was
    // written, too late to add headers, log the status or drop the connection.
    const ServerLive = HttpApiBuilder.httpApp.pipe(
      Effect.map((app) => HttpServer.serve(wrap(app))),
      Layer.unwrapEffect,
      Layer.provide([HttpApiBuilder.Router.Live, HttpApiBuilder.Middleware.layer]),
      Layer.provide(HttpApiBuilder.middleware(PropexoApi.PropexoApi, propexoErrors)),
      Layer.provide(HttpApiBuilder.api(PropexoApi.PropexoApi).pipe(Layer.provide(handlers(state, schedule)))),
      Layer.provideMerge(NodeHttpServer.layer(evaluate, listen))
    )
    const context = yield* Layer.build(ServerLive)
    const address = Context.get(context, HttpServer.HttpServer).address
    const port = address._tag === "TcpAddress" ? address.port : 0
    return { port, reset }
  })
