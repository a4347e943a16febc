/**
 * An Entrata applicant event, as Propexo's
 * `POST /v1/events/applicants/entrata/` takes it. Field names are Propexo's
 * own, snake_case, on every surface.
 *
 * `ApplicantEventInput` decodes what callers send (dates as `Date`, effect
 * `DateTime` or ISO strings with an offset; phone numbers as people write
 * them) into an `ApplicantEvent` whose values are already the wire form:
 * Mountain Time date-times, E.164 phone numbers, `HH:mm:ss` times. Encoding
 * an `ApplicantEvent` gives the exact JSON body for Propexo.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { normalizePhone } from "./internal/phone.js"
import { render } from "./internal/render.js"
import * as MountainTime from "./MountainTime.js"

/**
 * Every failure inside `schema` reads as `rule`, followed by the value
 * received (as `got` describes it; by default its bounded rendering).
 */
const rule = <S extends Schema.Schema.Any>(schema: S, text: string, got: (actual: unknown) => string = render): S =>
  schema.annotations({
    message: (issue) => ({ message: `${text}, got ${got(issue.actual)}`, override: true })
  }) as S // `annotations` returns the same schema class with new annotations; its types are unchanged.

// ---------------------------------------------------------------------------
// Wire schemas: what Propexo receives
// ---------------------------------------------------------------------------

const PROPEXO_ID_MAX_LENGTH = 64
const PROPEXO_ID = /^[A-Za-z0-9_-]+$/
const PROPEXO_ID_RULE = `must be 1 to ${PROPEXO_ID_MAX_LENGTH} characters of A-Z, a-z, 0-9, _ and -`

// A text too long to be an id is described by its length: it may be huge.
const idGot = (actual: unknown): string =>
  typeof actual === "string" && actual.length > PROPEXO_ID_MAX_LENGTH ? `${actual.length} characters` : render(actual)

/**
 * A Propexo identifier: 1 to 64 characters of `A-Z a-z 0-9 _ -`, the
 * alphabet of Propexo's ids. Ids go into URL paths (`/v1/event-types/{id}`),
 * so nothing that could change a path (`/`, `.`, `%`, `?`) is an id.
 *
 * @since 0.2.0
 * @category schemas
 */
export const PropexoId = rule(
  Schema.String.pipe(
    Schema.filter((s) => s.length <= PROPEXO_ID_MAX_LENGTH && PROPEXO_ID.test(s), {
      // What an OpenAPI description of a schema embedding the event says.
      jsonSchema: { minLength: 1, maxLength: PROPEXO_ID_MAX_LENGTH, pattern: PROPEXO_ID.source }
    })
  ),
  PROPEXO_ID_RULE,
  idGot
)

/**
 * The schema of every id field: {@link PropexoId}, under its first name.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Id = PropexoId

/**
 * The limit Propexo puts on `notes`.
 *
 * @since 0.1.0
 * @category constants
 */
export const NOTES_MAX_LENGTH = 256

/**
 * The most seconds a `call_duration` may have (a day).
 *
 * @since 0.1.0
 * @category constants
 */
export const CALL_DURATION_MAX = 86_400

/**
 * The values Entrata knows for `call_status`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const CallStatus = rule(
  Schema.Literal("BUSY", "ABANDONED", "DISCONNECTED", "FAILURE_TO_CONNECT", "NO_ANSWER", "ANSWER", "VOICEMAIL"),
  "must be one of BUSY, ABANDONED, DISCONNECTED, FAILURE_TO_CONNECT, NO_ANSWER, ANSWER, VOICEMAIL"
)

/**
 * @since 0.1.0
 * @category models
 */
export type CallStatus = Schema.Schema.Type<typeof CallStatus>

const Text = rule(Schema.String, "must be text")

const Notes = Schema.String.pipe(Schema.maxLength(NOTES_MAX_LENGTH)).annotations({
  message: (issue) => ({
    message: typeof issue.actual === "string"
      ? `must be text of at most ${NOTES_MAX_LENGTH} characters, got ${issue.actual.length} characters`
      : `must be text, got ${render(issue.actual)}`,
    override: true
  })
})

const CallDuration = rule(
  Schema.Number.pipe(Schema.int(), Schema.between(0, CALL_DURATION_MAX)),
  `must be an integer from 0 to ${CALL_DURATION_MAX} seconds`
)

const PhoneNumber = rule(
  Schema.String.pipe(Schema.filter((s) => normalizePhone(s) === s)),
  "must be a phone number in E.164 form such as +14035551234"
)

const absoluteHttpUrl = (s: string): boolean => {
  // WHATWG URL would also read "https:example.com" and padded text as URLs.
  if (!/^https?:\/\/\S+$/i.test(s)) return false
  try {
    const url = new URL(s)
    return (url.protocol === "https:" || url.protocol === "http:") && url.hostname !== ""
  } catch {
    return false
  }
}
const AudioLink = rule(Schema.String.pipe(Schema.filter(absoluteHttpUrl)), "must be an absolute http(s) URL")

// Zod's email rule, which Propexo validates with: no leading, trailing or
// doubled dot in the local part; a dotted domain ending in two or more letters.
const EMAIL = /^(?!\.)(?!.*\.\.)([A-Z0-9_'+\-.]*)[A-Z0-9_+-]@([A-Z0-9][A-Z0-9-]*\.)+[A-Z]{2,}$/i
const Email = rule(Schema.String.pipe(Schema.pattern(EMAIL)), "must be an email address such as jane@example.com")

const TIME = /^([01]\d|2[0-3]):([0-5]\d):([0-5]\d)$/
const TimeOfDay = rule(Schema.String.pipe(Schema.pattern(TIME)), "must be a 24-hour time HH:mm:ss such as 09:30:00")

const Flag = rule(Schema.Boolean, "must be true or false")

const wireFields = {
  integration_id: PropexoId,
  applicant_id: PropexoId,
  application_id: PropexoId,
  event_type_id: PropexoId,
  event_datetime: MountainTime.DateTimeString,
  event_result_id: Schema.optionalWith(PropexoId, { exact: true }),
  event_sub_type_id: Schema.optionalWith(PropexoId, { exact: true }),
  employee_id: Schema.optionalWith(PropexoId, { exact: true }),
  unit_id: Schema.optionalWith(PropexoId, { exact: true }),
  reasons_for_event: Schema.optionalWith(Text, { exact: true }),
  notes: Schema.optionalWith(Notes, { exact: true }),
  appointment_datetime: Schema.optionalWith(MountainTime.DateTimeString, { exact: true }),
  time_from: Schema.optionalWith(TimeOfDay, { exact: true }),
  time_to: Schema.optionalWith(TimeOfDay, { exact: true }),
  title: Schema.optionalWith(Text, { exact: true }),
  call_phone_number_from: Schema.optionalWith(PhoneNumber, { exact: true }),
  call_phone_number_to: Schema.optionalWith(PhoneNumber, { exact: true }),
  call_status: Schema.optionalWith(CallStatus, { exact: true }),
  call_duration: Schema.optionalWith(CallDuration, { exact: true }),
  call_audio_link: Schema.optionalWith(AudioLink, { exact: true }),
  email_body: Schema.optionalWith(Text, { exact: true }),
  email_subject: Schema.optionalWith(Text, { exact: true }),
  email_from: Schema.optionalWith(Email, { exact: true }),
  email_to: Schema.optionalWith(Email, { exact: true }),
  email_cc: Schema.optionalWith(Email, { exact: true }),
  email_bcc: Schema.optionalWith(Email, { exact: true }),
  email_send: Schema.optionalWith(Flag, { exact: true })
}

/**
 * A validated applicant event in Propexo's wire form. Its encoded form is
 * the JSON body of `POST /v1/events/applicants/entrata/`, byte for byte.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ApplicantEvent = Schema.Struct(wireFields).annotations({ identifier: "ApplicantEvent" })

/**
 * @since 0.1.0
 * @category models
 */
export interface ApplicantEvent extends Schema.Schema.Type<typeof ApplicantEvent> {}

/**
 * The names of every field Propexo accepts, in the documentation's order.
 *
 * @since 0.1.0
 * @category constants
 */
export const FIELDS = Object.keys(wireFields) as ReadonlyArray<keyof ApplicantEvent> // Object.keys of a literal object: exactly its keys.

// ---------------------------------------------------------------------------
// Input schemas: what callers send
// ---------------------------------------------------------------------------

const TrimmedId = rule(Schema.compose(Schema.Trim, PropexoId), PROPEXO_ID_RULE, idGot)

const PhoneInput = rule(
  Schema.transformOrFail(Schema.String, PhoneNumber, {
    strict: true,
    decode: (s, _, ast) => {
      const e164 = normalizePhone(s)
      return e164 === undefined ? ParseResult.fail(new ParseResult.Type(ast, s)) : ParseResult.succeed(e164)
    },
    encode: ParseResult.succeed
  }),
  "must be a phone number in E.164 form (+14035551234) or a US number such as (403) 555-1234"
)

const TimeInput = rule(
  Schema.transformOrFail(Schema.String, TimeOfDay, {
    strict: true,
    decode: (s, _, ast) => {
      const m = /^\s*([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?\s*$/.exec(s)
      return m === null
        ? ParseResult.fail(new ParseResult.Type(ast, s))
        : ParseResult.succeed(`${m[1]}:${m[2]}:${m[3] ?? "00"}`)
    },
    encode: ParseResult.succeed
  }),
  "must be a 24-hour time HH:mm:ss or HH:mm such as 09:30"
)

const TrimmedEmail = rule(
  Schema.compose(Schema.Trim, Email),
  "must be an email address such as jane@example.com"
)

// Only a value that is not an object at all fails the struct itself; every
// other issue belongs to a field and keeps its own message.
const notAnObject = (actual: unknown): string => `must be an object of applicant event fields, got ${render(actual)}`

/**
 * What callers send, decoding to an {@link ApplicantEvent}. Date-times
 * accept a `Date`, an effect `DateTime`, or an ISO 8601 string with `Z` or
 * an offset; wall-clock strings without an offset are refused (resolve them
 * with `MountainTime.fromWallClock` first). Phone numbers accept E.164 and
 * the common US forms; `time_from`/`time_to` accept `HH:mm`. Ids and emails
 * are trimmed. Unknown keys are refused even when the schema is embedded in
 * another one and decoded with default options.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ApplicantEventInput = Schema.Struct({
  ...wireFields,
  integration_id: TrimmedId,
  applicant_id: TrimmedId,
  application_id: TrimmedId,
  event_type_id: TrimmedId,
  event_datetime: MountainTime.DateTimeFromInstant,
  event_result_id: Schema.optionalWith(TrimmedId, { exact: true }),
  event_sub_type_id: Schema.optionalWith(TrimmedId, { exact: true }),
  employee_id: Schema.optionalWith(TrimmedId, { exact: true }),
  unit_id: Schema.optionalWith(TrimmedId, { exact: true }),
  appointment_datetime: Schema.optionalWith(MountainTime.DateTimeFromInstant, { exact: true }),
  time_from: Schema.optionalWith(TimeInput, { exact: true }),
  time_to: Schema.optionalWith(TimeInput, { exact: true }),
  call_phone_number_from: Schema.optionalWith(PhoneInput, { exact: true }),
  call_phone_number_to: Schema.optionalWith(PhoneInput, { exact: true }),
  email_from: Schema.optionalWith(TrimmedEmail, { exact: true }),
  email_to: Schema.optionalWith(TrimmedEmail, { exact: true }),
  email_cc: Schema.optionalWith(TrimmedEmail, { exact: true }),
  email_bcc: Schema.optionalWith(TrimmedEmail, { exact: true })
}).annotations({
  identifier: "ApplicantEventInput",
  // Wherever it is embedded, whatever the options it is decoded with: a
  // misspelt field (`call_duraton`) must not be dropped in silence.
  parseOptions: { onExcessProperty: "error" },
  message: (issue) => notAnObject(issue.actual)
})

/**
 * What callers may send: the encoded side of {@link ApplicantEventInput}.
 * Every `ApplicantEvent` is also a valid input.
 *
 * @since 0.1.0
 * @category models
 */
export type ApplicantEventInput = Schema.Schema.Encoded<typeof ApplicantEventInput>

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/**
 * One problem with one field, in plain words.
 *
 * @since 0.1.0
 * @category models
 */
export const FieldIssue = Schema.Struct({
  /** Dotted path of the field (`call_duration`); empty for the event as a whole. */
  path: Schema.String,
  message: Schema.String
})

/**
 * @since 0.1.0
 * @category models
 */
export interface FieldIssue extends Schema.Schema.Type<typeof FieldIssue> {}

/**
 * An applicant event that cannot be sent, with every offending field at
 * once.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidApplicantEvent extends Schema.TaggedError<InvalidApplicantEvent>()("InvalidApplicantEvent", {
  issues: Schema.NonEmptyArray(FieldIssue)
}) {
  /** Refused before anything was sent: it was certainly not recorded. */
  get ambiguous(): false {
    return false
  }

  override get message(): string {
    return `Invalid applicant event: ${
      this.issues.map((i) => i.path === "" ? i.message : `${i.path}: ${i.message}`).join("; ")
    }`
  }
}

const issueMessage = (issue: ParseResult.ArrayFormatterIssue): string => {
  switch (issue._tag) {
    case "Missing":
      return "is required"
    case "Unexpected":
      return "is not a field of an Entrata applicant event"
    default:
      return issue.message
  }
}

const toInvalid = (error: ParseResult.ParseError): InvalidApplicantEvent => {
  const [first, ...rest] = ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) => ({
    path: issue.path.map(String).join("."),
    message: issueMessage(issue)
  }))
  return new InvalidApplicantEvent({
    // Schema's own text of the error would render the input unbounded.
    issues: first === undefined ? [{ path: "", message: "is not a valid applicant event" }] : [first, ...rest]
  })
}

const isRecord = (u: unknown): u is Readonly<Record<string, unknown>> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

const decodeInput = Schema.decodeUnknownEither(ApplicantEventInput, { errors: "all" })

/**
 * Validates anything (parsed JSON, a typed object) as an applicant event,
 * reporting every problem at once. Keys whose value is `undefined` count as
 * absent, as they would in JSON.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decode = (input: unknown): Either.Either<ApplicantEvent, InvalidApplicantEvent> => {
  if (!isRecord(input)) {
    return Either.left(new InvalidApplicantEvent({ issues: [{ path: "", message: notAnObject(input) }] }))
  }
  // No prototype, so an own "__proto__" key (JSON.parse makes them) is copied
  // as a key, and reported as unknown, instead of replacing the prototype.
  const defined: Record<string, unknown> = Object.create(null)
  for (const key of Object.keys(input)) {
    if (input[key] !== undefined) defined[key] = input[key]
  }
  return Either.mapLeft(decodeInput(defined), toInvalid)
}

/**
 * The exact JSON body Propexo receives for an event.
 *
 * @since 0.1.0
 * @category encoding
 */
export const toJson = (event: ApplicantEvent): string => JSON.stringify(Schema.encodeSync(ApplicantEvent)(event))

// ---------------------------------------------------------------------------
// Kinds of event type
// ---------------------------------------------------------------------------

/**
 * What the PMS demands of an event type: call types need every `call_*`
 * field, outgoing-email types need `email_from`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ApplicantEventKind = Schema.Literal("call", "outgoing-email", "other")

/**
 * @since 0.1.0
 * @category models
 */
export type ApplicantEventKind = Schema.Schema.Type<typeof ApplicantEventKind>

/**
 * The fields an event of each kind must carry.
 *
 * @since 0.1.0
 * @category constants
 */
export const REQUIRED_FOR_KIND: { readonly [K in ApplicantEventKind]: ReadonlyArray<keyof ApplicantEvent> } = {
  call: ["call_phone_number_from", "call_phone_number_to", "call_status", "call_duration", "call_audio_link"],
  "outgoing-email": ["email_from"],
  other: []
}

/**
 * A check that an event carries the fields its kind of event type needs,
 * naming every missing one.
 *
 * @since 0.1.0
 * @category validation
 */
export const requireFieldsFor = (kind: ApplicantEventKind) =>
(event: ApplicantEvent): Either.Either<ApplicantEvent, InvalidApplicantEvent> => {
  const [first, ...rest] = REQUIRED_FOR_KIND[kind]
    .filter((field) => event[field] === undefined)
    .map((field) => ({ path: field, message: `is required for ${kind} event types` }))
  return first === undefined
    ? Either.right(event)
    : Either.left(new InvalidApplicantEvent({ issues: [first, ...rest] }))
}
