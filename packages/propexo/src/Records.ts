/**
 * The records and answers of Propexo's API as this project reads them: the
 * create's answer, list and by-id pages, the event-type catalog, write
 * status, retry and write logs, and the events read side.
 *
 * Every record and answer that Propexo's published OpenAPI description
 * covers matches it in which fields are required, optional and nullable
 * (the contract tests hold both against the file); keys it does not name
 * are ignored. The create endpoint is not in that file: its answer follows
 * its documentation page.
 *
 * @since 0.2.0
 */
import * as Schema from "effect/Schema"

const NullableString = Schema.NullOr(Schema.String)

// ---------------------------------------------------------------------------
// Create Applicant Event
// ---------------------------------------------------------------------------

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
 * How a write ended, in the write logs (a pending write has no log yet).
 *
 * @since 0.2.0
 * @category schemas
 */
export const WriteLogStatus = Schema.Literal("SUCCESS", "FAILURE")

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
