/**
 * `PropexoApi` implemented with HttpApiBuilder over the simulator's state:
 * the create, the catalog, write status, retry and logs, and the events
 * read side, each answering as Propexo does (its filters, order, pages and
 * error bodies).
 */
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import { HttpApiDecodeError } from "@effect/platform/HttpApiError"
import type * as HttpApp from "@effect/platform/HttpApp"
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as PropexoApi from "@entrata-events/propexo/PropexoApi"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { SandboxToken } from "../Records.js"
import { isMountainTime, offsetOf } from "./datetime.js"
import { currentExchange, now } from "./exchange.js"
import type { State } from "./state.js"
import { DATETIME_FIELDS, summary, validate, type ZodIssue } from "./validate.js"

// ---------------------------------------------------------------------------
// Propexo's refusals
// ---------------------------------------------------------------------------

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

/** The 400 Propexo gives for query and path parameters its schemas refuse. */
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
// Lists and records
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

// ---------------------------------------------------------------------------
// Handlers
// ---------------------------------------------------------------------------

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

/**
 * `PropexoApi`'s endpoints over the simulator's state; `schedule` settles a
 * queued job once its delay is over. @internal
 */
export const handlers = (state: State, schedule: (jobId: string) => void) => {
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

/**
 * Propexo validates query and path parameters too: HttpApiBuilder's decode
 * errors become Propexo's 400. @internal
 */
export const propexoErrors = (app: HttpApp.Default) =>
  Effect.catchAllCause(app, (cause) => {
    const failure = Cause.squash(cause)
    return failure instanceof HttpApiDecodeError
      ? Effect.fail(badRequestFromDecode(failure))
      : Effect.failCause(cause)
  })
