/**
 * The part of Propexo's REST API this project speaks, as one
 * `@effect/platform` `HttpApi`: creating Entrata applicant events, the
 * event-type catalog, write status, retry and logs of queued writes, and
 * the events read side.
 *
 * Every record and answer that Propexo's published OpenAPI description
 * covers matches it in which fields are required, optional and nullable
 * (the contract tests hold both against the file); keys it does not name
 * are ignored. The create endpoint is not in that file: its body follows
 * its documentation page.
 *
 * The same definition serves the client (`HttpApiClient.make(PropexoApi)`)
 * and the local simulator (`@entrata-events/sandbox`), so both agree on
 * every path, parameter and body. Every error status decodes to its own
 * tagged error whose encoded form is exactly Propexo's error body,
 * `{ "error": { "code", "message", "details"? } }`.
 *
 * @since 0.1.0
 */
import * as HttpApi from "@effect/platform/HttpApi"
import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as ApplicantEvent from "@entrata-events/core/ApplicantEvent"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/**
 * Propexo's error body, as it travels on the wire (`errorResponse` in its
 * description, which gives it for 400; other statuses are assumed to share
 * it). A validation failure's `details` nests Zod's error:
 * `{ details: { issues: [...], name: "ZodError" } }`.
 *
 * @since 0.1.0
 * @category errors
 */
export const PropexoErrorBody = Schema.Struct({
  error: Schema.Struct({
    code: Schema.String,
    message: Schema.String,
    details: Schema.optionalWith(Schema.Unknown, { exact: true })
  })
}).annotations({ identifier: "PropexoErrorBody" })

/**
 * @since 0.1.0
 * @category errors
 */
export interface PropexoErrorBody extends Schema.Schema.Type<typeof PropexoErrorBody> {}

const errorFields = {
  /** Propexo's machine-readable code, e.g. `invalid_request`. */
  code: Schema.String,
  /** Propexo's own words. */
  message: Schema.String,
  /** Anything Propexo adds, e.g. `{ details: { issues: [...], name: "ZodError" } }` for a 400. */
  details: Schema.optionalWith(Schema.Unknown, { exact: true })
}

/**
 * 400: Propexo refused the request itself (a body field missing, of the
 * wrong type, or unknown). Never worth retrying unchanged.
 *
 * @since 0.1.0
 * @category errors
 */
export class BadRequest extends Schema.TaggedError<BadRequest>()("PropexoApiBadRequest", errorFields) {
  /** The HTTP status this error travels with. */
  get status(): 400 {
    return 400
  }
}

/**
 * 401: the bearer token is missing or wrong.
 *
 * @since 0.1.0
 * @category errors
 */
export class Unauthorized extends Schema.TaggedError<Unauthorized>()("PropexoApiUnauthorized", errorFields) {
  /** The HTTP status this error travels with. */
  get status(): 401 {
    return 401
  }
}

/**
 * 403: the token is valid but may not touch this integration.
 *
 * @since 0.1.0
 * @category errors
 */
export class Forbidden extends Schema.TaggedError<Forbidden>()("PropexoApiForbidden", errorFields) {
  /** The HTTP status this error travels with. */
  get status(): 403 {
    return 403
  }
}

/**
 * 404: no such record (event type, job, …) or path.
 *
 * @since 0.1.0
 * @category errors
 */
export class NotFound extends Schema.TaggedError<NotFound>()("PropexoApiNotFound", errorFields) {
  /** The HTTP status this error travels with. */
  get status(): 404 {
    return 404
  }
}

/**
 * 429: the per-minute quota is spent; it resets at the start of the next
 * window (Propexo sends no `Retry-After`).
 *
 * @since 0.1.0
 * @category errors
 */
export class RateLimited extends Schema.TaggedError<RateLimited>()("PropexoApiRateLimited", errorFields) {
  /** The HTTP status this error travels with. */
  get status(): 429 {
    return 429
  }
}

/**
 * 500: Propexo failed. Transient as far as a client can tell.
 *
 * @since 0.1.0
 * @category errors
 */
export class InternalServerError
  extends Schema.TaggedError<InternalServerError>()("PropexoApiInternalServerError", errorFields)
{
  /** The HTTP status this error travels with. */
  get status(): 500 {
    return 500
  }
}

/**
 * 502: a gateway in front of Propexo got no good answer. Transient.
 *
 * @since 0.1.0
 * @category errors
 */
export class BadGateway extends Schema.TaggedError<BadGateway>()("PropexoApiBadGateway", errorFields) {
  /** The HTTP status this error travels with. */
  get status(): 502 {
    return 502
  }
}

/**
 * 503: Propexo is unavailable for now. Transient.
 *
 * @since 0.1.0
 * @category errors
 */
export class ServiceUnavailable
  extends Schema.TaggedError<ServiceUnavailable>()("PropexoApiServiceUnavailable", errorFields)
{
  /** The HTTP status this error travels with. */
  get status(): 503 {
    return 503
  }
}

/**
 * 504: a gateway in front of Propexo timed out. Transient.
 *
 * @since 0.1.0
 * @category errors
 */
export class GatewayTimeout extends Schema.TaggedError<GatewayTimeout>()("PropexoApiGatewayTimeout", errorFields) {
  /** The HTTP status this error travels with. */
  get status(): 504 {
    return 504
  }
}

/**
 * Any error answer Propexo gives, one class per status.
 *
 * @since 0.1.0
 * @category errors
 */
export type PropexoApiError =
  | BadRequest
  | Unauthorized
  | Forbidden
  | NotFound
  | RateLimited
  | InternalServerError
  | BadGateway
  | ServiceUnavailable
  | GatewayTimeout

/**
 * Propexo's body for an error, as it would send it.
 *
 * @since 0.1.0
 * @category errors
 */
export const errorBody = (error: PropexoApiError): PropexoErrorBody => ({
  error: error.details === undefined
    ? { code: error.code, message: error.message }
    : { code: error.code, message: error.message, details: error.details }
})

type ErrorClass<E, I> = Schema.Schema<E, I> & {
  new(props: Schema.Struct.Type<typeof errorFields>): E
}

const decodeBody = Schema.decodeUnknownEither(Schema.parseJson(PropexoErrorBody))

/**
 * The wire form of one error class at one status. It is text, not JSON, so
 * that a body that is not Propexo's (an HTML page from a gateway, an empty
 * body) still decodes to the status's error instead of a parse failure;
 * such a body becomes `code: "unexpected_body"` with the text as message.
 * Encoding gives exactly Propexo's JSON body.
 */
const wire = <E extends PropexoApiError, I>(
  status: number,
  ErrorClass: ErrorClass<E, I>
) =>
  Schema.transform(Schema.String, Schema.typeSchema(ErrorClass), {
    strict: true,
    decode: (text) =>
      Either.match(decodeBody(text), {
        onLeft: () =>
          new ErrorClass({
            code: "unexpected_body",
            message: text.trim() === "" ? `HTTP ${status} with an empty body` : text.slice(0, 1_000)
          }),
        onRight: ({ error }) => new ErrorClass(error)
      }),
    encode: (error) => JSON.stringify(errorBody(error))
  }).pipe(
    HttpApiSchema.withEncoding({ kind: "Text", contentType: "application/json" }),
    (schema) => schema.annotations(HttpApiSchema.annotations({ status }))
  )

/**
 * Wire schemas of the errors, keyed by status: each decodes any body at its
 * status and encodes to Propexo's JSON error body.
 *
 * @since 0.1.0
 * @category errors
 */
export const ErrorWire = {
  400: wire(400, BadRequest),
  401: wire(401, Unauthorized),
  403: wire(403, Forbidden),
  404: wire(404, NotFound),
  429: wire(429, RateLimited),
  500: wire(500, InternalServerError),
  502: wire(502, BadGateway),
  503: wire(503, ServiceUnavailable),
  504: wire(504, GatewayTimeout)
} as const

// ---------------------------------------------------------------------------
// Create Applicant Event
// ---------------------------------------------------------------------------

/**
 * The path of Create Applicant Event, trailing slash included.
 *
 * @since 0.1.0
 * @category paths
 */
export const CREATE_APPLICANT_EVENT_PATH = "/v1/events/applicants/entrata/"

/**
 * Propexo's 200 answer to a create: the queued write's `job_id` (the root
 * job for write status) and the accepted fields echoed. A 200 means queued,
 * not that Entrata accepted the event.
 *
 * @since 0.1.0
 * @category schemas
 */
export const CreateApplicantEventResponse = Schema.Struct({
  meta: Schema.Struct({ job_id: Schema.String }),
  result: Schema.Record({ key: Schema.String, value: Schema.Unknown })
}).annotations({ identifier: "CreateApplicantEventResponse" })

/**
 * @since 0.1.0
 * @category schemas
 */
export interface CreateApplicantEventResponse extends Schema.Schema.Type<typeof CreateApplicantEventResponse> {}

// ---------------------------------------------------------------------------
// Lists
// ---------------------------------------------------------------------------

/**
 * The largest page Propexo serves.
 *
 * @since 0.1.0
 * @category constants
 */
export const MAX_LIMIT = 250

/**
 * The page size when none is asked for.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_LIMIT = 100

/**
 * The order of a list when none is asked for.
 *
 * @since 0.2.0
 * @category constants
 */
export const DEFAULT_ORDER_BY = "created_at:desc"

const OptionalString = Schema.optionalWith(Schema.String, { exact: true })
const NullableString = Schema.NullOr(Schema.String)

const limitParam = Schema.optionalWith(
  Schema.NumberFromString.pipe(Schema.int(), Schema.between(0, MAX_LIMIT)),
  { exact: true }
)
const offsetParam = Schema.optionalWith(Schema.NumberFromString.pipe(Schema.int(), Schema.nonNegative()), {
  exact: true
})

/**
 * `order-by`: one field or several, comma-separated, each optionally
 * followed by `:asc` (the default) or `:desc`, e.g. `name` or
 * `id:asc,name:desc`.
 *
 * @since 0.2.0
 * @category schemas
 */
export const OrderBy = Schema.String.pipe(
  Schema.pattern(/^[A-Za-z_][A-Za-z0-9_]*(:(asc|desc))?(,[A-Za-z_][A-Za-z0-9_]*(:(asc|desc))?)*$/, {
    message: () => "must be field, field:asc or field:desc, comma-separated"
  })
).annotations({ identifier: "OrderBy" })

const listParams = {
  integration_id: OptionalString,
  property_id: OptionalString,
  x_id: OptionalString,
  x_property_id: OptionalString,
  /** 0 to 250, default 100. */
  limit: limitParam,
  offset: offsetParam,
  /** Default `created_at:desc`. */
  "order-by": Schema.optionalWith(OrderBy, { exact: true })
}

/**
 * The `meta` of every list and by-id answer (`ResponseMeta` in Propexo's
 * description): only `orderBy` is sure to be there, and `hasMore` may be
 * `null`. Propexo may add keys; they are kept out of the decoded value.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ListMeta = Schema.Struct({
  /** The order applied, one object per field, e.g. `[{ "created_at": "desc" }]`. */
  orderBy: Schema.Array(Schema.Record({ key: Schema.String, value: Schema.Unknown })),
  offset: Schema.optionalWith(Schema.Number, { exact: true }),
  limit: Schema.optionalWith(Schema.Number, { exact: true }),
  hasMore: Schema.optionalWith(Schema.NullOr(Schema.Boolean), { exact: true }),
  total: Schema.optionalWith(Schema.Number, { exact: true })
}).annotations({ identifier: "ListMeta" })

/**
 * @since 0.1.0
 * @category schemas
 */
export interface ListMeta extends Schema.Schema.Type<typeof ListMeta> {}

/**
 * A page of records: `{ meta, results: T[] }`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ListOf = <S extends Schema.Schema.Any>(item: S) =>
  Schema.Struct({ meta: ListMeta, results: Schema.Array(item) })

/**
 * One record by id: `{ meta, results: T }` (a single object, despite the
 * plural name).
 *
 * @since 0.1.0
 * @category schemas
 */
export const OneOf = <S extends Schema.Schema.Any>(item: S) => Schema.Struct({ meta: ListMeta, results: item })

// ---------------------------------------------------------------------------
// Catalog
// ---------------------------------------------------------------------------

/**
 * Query of `GET /v1/event-types/`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const EventTypeListParams = Schema.Struct({
  ...listParams,
  /** The data models the event types serve (`applicant`, `lead`, …): one, or several as repeated parameters. */
  models: Schema.optionalWith(Schema.Union(Schema.String, Schema.Array(Schema.String)), { exact: true })
})

/**
 * Query of `GET /v1/event-sub-types/`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const EventSubTypeListParams = Schema.Struct({ ...listParams, event_type_id: OptionalString })

/**
 * Query of `GET /v1/event-results/`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const EventResultListParams = Schema.Struct(listParams)

const catalogFields = {
  id: Schema.String,
  created_at: Schema.String,
  updated_at: Schema.String,
  last_seen: NullableString,
  x_id: Schema.String,
  x_property_id: Schema.String,
  x_location_id: NullableString,
  name: Schema.String,
  integration_id: Schema.String,
  integration_vendor: Schema.String,
  property_id: Schema.String
}

/**
 * An event type of one property (`Call-Incoming`, `Email-Outgoing`, …).
 * Ids differ per customer and property: resolve them, never hard-code.
 *
 * @since 0.1.0
 * @category schemas
 */
export const EventType = Schema.Struct({
  ...catalogFields,
  code: NullableString,
  models: Schema.Array(Schema.String)
}).annotations({ identifier: "EventType" })

/**
 * @since 0.1.0
 * @category schemas
 */
export interface EventType extends Schema.Schema.Type<typeof EventType> {}

/**
 * An event sub-type, e.g. `Self-Guided Tour` under `Appointment`. Unlike an
 * event type it has no `code` and no `models`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const EventSubType = Schema.Struct({
  ...catalogFields,
  event_type_id: NullableString,
  x_event_type_id: NullableString
}).annotations({ identifier: "EventSubType" })

/**
 * @since 0.1.0
 * @category schemas
 */
export interface EventSubType extends Schema.Schema.Type<typeof EventSubType> {}

/**
 * An event result, usable with the event types it lists. It has no `code`
 * and no `models`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const EventResult = Schema.Struct({
  ...catalogFields,
  associated_event_type_ids: Schema.Array(Schema.String)
}).annotations({ identifier: "EventResult" })

/**
 * @since 0.1.0
 * @category schemas
 */
export interface EventResult extends Schema.Schema.Type<typeof EventResult> {}

// ---------------------------------------------------------------------------
// Writes
// ---------------------------------------------------------------------------

/**
 * Where a queued write stands.
 *
 * @since 0.1.0
 * @category schemas
 */
export const WriteStatusValue = Schema.Literal("SUCCESS", "PARTIAL_SUCCESS", "FAILURE", "PENDING")

/**
 * @since 0.1.0
 * @category schemas
 */
export type WriteStatusValue = Schema.Schema.Type<typeof WriteStatusValue>

/**
 * Answer of `GET /v1/admin/write-status/{root_job_id}`. `errors` holds the
 * PMS's messages (sometimes stringified JSON); `created_record_id` stays
 * null for applicant events, whose Entrata id only appears after a sync.
 *
 * @since 0.1.0
 * @category schemas
 */
export const WriteStatus = Schema.Struct({
  write_status: WriteStatusValue,
  errors: Schema.Array(Schema.String),
  created_record_id: NullableString
}).annotations({ identifier: "WriteStatus" })

/**
 * @since 0.1.0
 * @category schemas
 */
export interface WriteStatus extends Schema.Schema.Type<typeof WriteStatus> {}

/**
 * Answer of `POST /v1/admin/retry-write/{root_job_id}`: whether the retry
 * was queued, and the id of the NEW job that runs it (its write status is
 * the one to follow). Only failed writes can be retried; Propexo answers
 * 400 for any other.
 *
 * @since 0.1.0
 * @category schemas
 */
export const RetryWrite = Schema.Struct({ success: Schema.Boolean, job_id: Schema.String }).annotations({
  identifier: "RetryWrite"
})

/**
 * @since 0.1.0
 * @category schemas
 */
export interface RetryWrite extends Schema.Schema.Type<typeof RetryWrite> {}

/**
 * The largest page of write logs Propexo serves (and its default).
 *
 * @since 0.2.0
 * @category constants
 */
export const MAX_LOG_LIMIT = 100

/**
 * How far back `GET /v1/admin/logs/writes/` looks.
 *
 * @since 0.2.0
 * @category schemas
 */
export const TimeRange = Schema.Literal("hour", "day", "week", "month")

/**
 * How a write ended, in the write logs (a pending write has no log yet).
 *
 * @since 0.2.0
 * @category schemas
 */
export const WriteLogStatus = Schema.Literal("SUCCESS", "FAILURE")

/**
 * The kinds of record a write touches; applicant events are `events`.
 *
 * @since 0.2.0
 * @category schemas
 */
export const WriteCategory = Schema.Literal(
  "amenities",
  "applicants",
  "applications",
  "contracts",
  "crm_listings",
  "deposit_summaries",
  "event_types",
  "events",
  "file_types",
  "file_upload",
  "invoices",
  "leads",
  "leases",
  "listings",
  "properties",
  "purchase_orders",
  "recurring_resident_charges",
  "resident_charges",
  "resident_payments",
  "resident_pets",
  "residents",
  "service_request_vendors",
  "service_requests",
  "transactions",
  "units"
)

/**
 * Query of `GET /v1/admin/logs/writes/`.
 *
 * @since 0.2.0
 * @category schemas
 */
export const WriteLogParams = Schema.Struct({
  /** 1 to 100, default 100. */
  limit: Schema.optionalWith(Schema.NumberFromString.pipe(Schema.int(), Schema.between(1, MAX_LOG_LIMIT)), {
    exact: true
  }),
  offset: offsetParam,
  time_range: Schema.optionalWith(TimeRange, { exact: true }),
  integration_id: OptionalString,
  status: Schema.optionalWith(WriteLogStatus, { exact: true }),
  write_category: Schema.optionalWith(WriteCategory, { exact: true })
})

/**
 * @since 0.2.0
 * @category schemas
 */
export interface WriteLogParams extends Schema.Schema.Type<typeof WriteLogParams> {}

/**
 * The most recent log record of one write job.
 *
 * @since 0.2.0
 * @category schemas
 */
export const WriteLog = Schema.Struct({
  id: Schema.String,
  created_at: Schema.String,
  job_id: Schema.String,
  job_log_id: Schema.String,
  status: WriteLogStatus,
  integration_id: Schema.String,
  job_type: Schema.String,
  /** What the write was asked to do; any JSON. */
  parameters: Schema.optionalWith(Schema.Unknown, { exact: true }),
  /** The PMS's message when it failed. */
  error: NullableString,
  name: Schema.String,
  vendor: Schema.String
}).annotations({ identifier: "WriteLog" })

/**
 * @since 0.2.0
 * @category schemas
 */
export interface WriteLog extends Schema.Schema.Type<typeof WriteLog> {}

/**
 * Answer of `GET /v1/admin/logs/writes/`: `{ results: { logs } }`, one
 * record per job, most recent first.
 *
 * @since 0.2.0
 * @category schemas
 */
export const WriteLogs = Schema.Struct({
  results: Schema.Struct({ logs: Schema.Array(WriteLog) })
}).annotations({ identifier: "WriteLogs" })

/**
 * @since 0.2.0
 * @category schemas
 */
export interface WriteLogs extends Schema.Schema.Type<typeof WriteLogs> {}

// ---------------------------------------------------------------------------
// Events read side
// ---------------------------------------------------------------------------

/**
 * Query of `GET /v1/events/`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const EventListParams = Schema.Struct({
  applicant_id: OptionalString,
  lead_id: OptionalString,
  resident_id: OptionalString,
  integration_id: OptionalString,
  property_id: OptionalString,
  x_id: OptionalString,
  x_property_id: OptionalString,
  x_type_id: OptionalString,
  limit: limitParam,
  offset: offsetParam,
  "order-by": Schema.optionalWith(OrderBy, { exact: true })
})

const NullableIds = Schema.NullOr(Schema.Array(Schema.String))

/**
 * An event as the read side shows it once the PMS has it (`Event` in
 * Propexo's description). The fields that were sent mostly do not come
 * back: the applicant is in `associated_applicant_ids`, the event type in
 * `x_type_id` and `type_raw`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const EventRecord = Schema.Struct({
  id: Schema.String,
  created_at: Schema.String,
  updated_at: Schema.String,
  last_seen: NullableString,
  x_id: Schema.String,
  x_property_id: Schema.String,
  x_leasing_agent_id: NullableString,
  x_type_id: NullableString,
  x_location_id: NullableString,
  event_name: NullableString,
  event_datetime: NullableString,
  appointment_datetime: NullableString,
  type_raw: NullableString,
  notes: NullableString,
  agent_name: NullableString,
  reasons_for_event: NullableString,
  associated_lead_ids: NullableIds,
  associated_applicant_ids: NullableIds,
  associated_resident_ids: NullableIds,
  integration_id: Schema.String,
  integration_vendor: Schema.String,
  property_id: Schema.String
}).annotations({ identifier: "EventRecord" })

/**
 * @since 0.1.0
 * @category schemas
 */
export interface EventRecord extends Schema.Schema.Type<typeof EventRecord> {}

// ---------------------------------------------------------------------------
// The API
// ---------------------------------------------------------------------------

/**
 * An id that travels as one segment of a URL path. `HttpApiClient` puts path
 * parameters into the URL as they are, so encoding percent-encodes the id:
 * `a/b`, `?x=1` or `#x` stay one segment. The server's router decodes the
 * path itself, so decoding leaves the id as it is. An empty id, `.` and `..`
 * are refused before any request: URLs resolve `.` and `..` segments (`%2e`
 * too) as dot-segments, so no encoding can send them.
 *
 * @since 0.2.0
 * @category schemas
 */
export const PathId = Schema.transformOrFail(
  Schema.String,
  Schema.String.pipe(
    Schema.filter((id) =>
      (id !== "" && id !== "." && id !== "..") ||
      `cannot be sent in a URL path: an id must not be empty, "." or ".." (got ${JSON.stringify(id)})`
    )
  ),
  {
    strict: true,
    decode: ParseResult.succeed,
    encode: (id, _, ast) => {
      try {
        return ParseResult.succeed(encodeURIComponent(id))
      } catch {
        // encodeURIComponent throws only on a lone surrogate, which no URL can carry.
        return ParseResult.fail(new ParseResult.Type(ast, id, "cannot be sent in a URL path: not well-formed Unicode"))
      }
    }
  }
).annotations({ identifier: "PathId" })

const idParam = <Name extends string>(name: Name) => HttpApiSchema.param(name, PathId)

/**
 * `POST /v1/events/applicants/entrata/`.
 *
 * @since 0.1.0
 * @category groups
 */
export class ApplicantEventsGroup extends HttpApiGroup.make("applicantEvents").add(
  HttpApiEndpoint.post("create", CREATE_APPLICANT_EVENT_PATH)
    .setPayload(ApplicantEvent.ApplicantEvent)
    .addSuccess(CreateApplicantEventResponse)
) {}

/**
 * `GET /v1/event-types/` and `/{event_type_id}`.
 *
 * @since 0.1.0
 * @category groups
 */
export class EventTypesGroup extends HttpApiGroup.make("eventTypes")
  .add(HttpApiEndpoint.get("list", "/v1/event-types/").setUrlParams(EventTypeListParams).addSuccess(ListOf(EventType)))
  .add(HttpApiEndpoint.get("get")`/v1/event-types/${idParam("event_type_id")}`.addSuccess(OneOf(EventType)))
{}

/**
 * `GET /v1/event-sub-types/` and `/{event_sub_type_id}`.
 *
 * @since 0.1.0
 * @category groups
 */
export class EventSubTypesGroup extends HttpApiGroup.make("eventSubTypes")
  .add(
    HttpApiEndpoint.get("list", "/v1/event-sub-types/").setUrlParams(EventSubTypeListParams).addSuccess(
      ListOf(EventSubType)
    )
  )
  .add(HttpApiEndpoint.get("get")`/v1/event-sub-types/${idParam("event_sub_type_id")}`.addSuccess(OneOf(EventSubType)))
{}

/**
 * `GET /v1/event-results/` and `/{event_result_id}`.
 *
 * @since 0.1.0
 * @category groups
 */
export class EventResultsGroup extends HttpApiGroup.make("eventResults")
  .add(
    HttpApiEndpoint.get("list", "/v1/event-results/").setUrlParams(EventResultListParams).addSuccess(
      ListOf(EventResult)
    )
  )
  .add(HttpApiEndpoint.get("get")`/v1/event-results/${idParam("event_result_id")}`.addSuccess(OneOf(EventResult)))
{}

/**
 * Write status, retry of queued writes, and the write logs.
 *
 * @since 0.1.0
 * @category groups
 */
export class AdminGroup extends HttpApiGroup.make("admin")
  .add(HttpApiEndpoint.get("writeStatus")`/v1/admin/write-status/${idParam("root_job_id")}`.addSuccess(WriteStatus))
  .add(HttpApiEndpoint.post("retryWrite")`/v1/admin/retry-write/${idParam("root_job_id")}`.addSuccess(RetryWrite))
  .add(HttpApiEndpoint.get("writeLogs", "/v1/admin/logs/writes/").setUrlParams(WriteLogParams).addSuccess(WriteLogs))
{}

/**
 * `GET /v1/events/`: events as the PMS has them.
 *
 * @since 0.1.0
 * @category groups
 */
export class EventsGroup extends HttpApiGroup.make("events").add(
  HttpApiEndpoint.get("list", "/v1/events/").setUrlParams(EventListParams).addSuccess(ListOf(EventRecord))
) {}

/**
 * Propexo's API as far as this project uses it. Every endpoint may answer
 * any of the {@link PropexoApiError}s.
 *
 * @since 0.1.0
 * @category api
 */
export class PropexoApi extends HttpApi.make("propexo")
  .add(ApplicantEventsGroup)
  .add(EventTypesGroup)
  .add(EventSubTypesGroup)
  .add(EventResultsGroup)
  .add(AdminGroup)
  .add(EventsGroup)
  .addError(ErrorWire[400])
  .addError(ErrorWire[401])
  .addError(ErrorWire[403])
  .addError(ErrorWire[404])
  .addError(ErrorWire[429])
  .addError(ErrorWire[500])
  .addError(ErrorWire[502])
  .addError(ErrorWire[503])
  .addError(ErrorWire[504])
{}
