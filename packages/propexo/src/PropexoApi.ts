/**
 * The part of Propexo's REST API this project speaks, as one
 * `@effect/platform` `HttpApi`: creating Entrata applicant events, the
 * event-type catalog, write status, retry and logs of queued writes, and
 * the events read side.
 *
 * This module holds the requests: paths, query and path parameters, and
 * the endpoint groups. The records and answers are in `Records`, the error
 * answers in `PropexoApiError`; both are re-exported here. The create's
 * body follows its documentation page, as the create endpoint is not in
 * Propexo's published OpenAPI description.
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
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { ErrorWire } from "./PropexoApiError.js"
import {
  CreateApplicantEventResponse,
  EventRecord,
  EventResult,
  EventSubType,
  EventType,
  ListOf,
  OneOf,
  RetryWrite,
  WriteLogs,
  WriteLogStatus,
  WriteStatus
} from "./Records.js"

/**
 * @since 0.2.0
 */
export * from "./PropexoApiError.js"

/**
 * @since 0.2.0
 */
export * from "./Records.js"

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

// ---------------------------------------------------------------------------
// Writes
// ---------------------------------------------------------------------------

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
