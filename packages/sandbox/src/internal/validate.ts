/**
 * Propexo's own request validation of a Create Applicant Event body, as
 * Zod (which Propexo uses) reports it: every issue with its Zod `code`,
 * `path` and `message`. Deliberately not the project's strict core schema:
 * Propexo takes any ISO date-time with an offset and any phone text.
 */
import { offsetOf } from "./datetime.js"

/** One Zod issue, as Propexo puts it in `error.details.issues`. @internal */
export interface ZodIssue {
  readonly code: string
  readonly path: ReadonlyArray<string | number>
  readonly message: string
  readonly [extra: string]: unknown
}

/** The values Entrata knows for `call_status`. @internal */
export const CALL_STATUSES = [
  "BUSY",
  "ABANDONED",
  "DISCONNECTED",
  "FAILURE_TO_CONNECT",
  "NO_ANSWER",
  "ANSWER",
  "VOICEMAIL"
] as const

type Check = (value: unknown, path: string) => ReadonlyArray<ZodIssue>

const received = (value: unknown): string => {
  if (value === null) return "null"
  if (value === undefined) return "undefined"
  if (Array.isArray(value)) return "array"
  if (typeof value === "number") return Number.isNaN(value) ? "nan" : "number"
  return typeof value
}

const invalidType = (expected: string, value: unknown, path: string): ZodIssue => ({
  code: "invalid_type",
  expected,
  received: received(value),
  path: [path],
  message: value === undefined ? "Required" : `Expected ${expected}, received ${received(value)}`
})

const string = (refine: (s: string, path: string) => ReadonlyArray<ZodIssue> = () => []): Check => (value, path) =>
  typeof value === "string" ? refine(value, path) : [invalidType("string", value, path)]

const nonEmpty = string((s, path) =>
  s.length >= 1 ? [] : [{
    code: "too_small",
    minimum: 1,
    type: "string",
    inclusive: true,
    exact: false,
    path: [path],
    message: "String must contain at least 1 character(s)"
  }]
)

const maxLength = (max: number) =>
  string((s, path) =>
    s.length <= max ? [] : [{
      code: "too_big",
      maximum: max,
      type: "string",
      inclusive: true,
      exact: false,
      path: [path],
      message: `String must contain at most ${max} character(s)`
    }]
  )

const invalidString = (validation: string, message: string, path: string): ZodIssue => ({
  code: "invalid_string",
  validation,
  path: [path],
  message
})

const datetime = string((s, path) =>
  offsetOf(s) === undefined ? [invalidString("datetime", "Invalid datetime", path)] : []
)

const TIME = /^([01]\d|2[0-3]):[0-5]\d:[0-5]\d$/
const time = string((s, path) => TIME.test(s) ? [] : [invalidString("regex", "Invalid", path)])

// Zod 3's email pattern.
const EMAIL = /^(?!\.)(?!.*\.\.)([A-Z0-9_'+\-.]*)[A-Z0-9_+-]@([A-Z0-9][A-Z0-9-]*\.)+[A-Z]{2,}$/i
const email = string((s, path) => EMAIL.test(s) ? [] : [invalidString("email", "Invalid email", path)])

const url = string((s, path) => {
  try {
    new URL(s)
    return []
  } catch {
    return [invalidString("url", "Invalid url", path)]
  }
})

const callStatus: Check = (value, path) =>
  typeof value === "string" && (CALL_STATUSES as ReadonlyArray<string>).includes(value) ? [] : [{
    code: "invalid_enum_value",
    options: CALL_STATUSES,
    received: value === undefined ? "undefined" : value,
    path: [path],
    message: `Invalid enum value. Expected ${CALL_STATUSES.map((s) => `'${s}'`).join(" | ")}, received '${
      String(value)
    }'`
  }]

const callDuration: Check = (value, path) => {
  if (typeof value !== "number" || Number.isNaN(value)) return [invalidType("number", value, path)]
  if (!Number.isInteger(value)) {
    return [{
      code: "invalid_type",
      expected: "integer",
      received: "float",
      path: [path],
      message: "Expected integer, received float"
    }]
  }
  if (value < 0) {
    return [{
      code: "too_small",
      minimum: 0,
      type: "number",
      inclusive: true,
      exact: false,
      path: [path],
      message: "Number must be greater than or equal to 0"
    }]
  }
  if (value > 86_400) {
    return [{
      code: "too_big",
      maximum: 86_400,
      type: "number",
      inclusive: true,
      exact: false,
      path: [path],
      message: "Number must be less than or equal to 86400"
    }]
  }
  return []
}

const boolean: Check = (value, path) => typeof value === "boolean" ? [] : [invalidType("boolean", value, path)]

const required = (check: Check) => ({ required: true, check })
const optional = (check: Check) => ({ required: false, check })

/** Propexo's body schema, in its documentation's order. */
const FIELDS: ReadonlyArray<readonly [string, { readonly required: boolean; readonly check: Check }]> = [
  ["integration_id", required(nonEmpty)],
  ["applicant_id", required(nonEmpty)],
  ["application_id", required(nonEmpty)],
  ["event_type_id", required(nonEmpty)],
  ["event_datetime", required(datetime)],
  ["event_result_id", optional(nonEmpty)],
  ["event_sub_type_id", optional(nonEmpty)],
  ["employee_id", optional(nonEmpty)],
  ["unit_id", optional(nonEmpty)],
  ["reasons_for_event", optional(string())],
  ["notes", optional(maxLength(256))],
  ["appointment_datetime", optional(datetime)],
  ["time_from", optional(time)],
  ["time_to", optional(time)],
  ["title", optional(string())],
  ["call_phone_number_from", optional(string())],
  ["call_phone_number_to", optional(string())],
  ["call_status", optional(callStatus)],
  ["call_duration", optional(callDuration)],
  ["call_audio_link", optional(url)],
  ["email_body", optional(string())],
  ["email_subject", optional(string())],
  ["email_from", optional(email)],
  ["email_to", optional(email)],
  ["email_cc", optional(email)],
  ["email_bcc", optional(email)],
  ["email_send", optional(boolean)]
]

/** The body fields Propexo accepts, in its documentation's order. @internal */
export const FIELD_NAMES: ReadonlyArray<string> = FIELDS.map(([name]) => name)

const KNOWN = new Set(FIELD_NAMES)

/** The date-time fields whose offsets the simulator records. @internal */
export const DATETIME_FIELDS = ["event_datetime", "appointment_datetime"] as const

/** A body Propexo accepts, or every issue it has. @internal */
export type Validated =
  | { readonly _tag: "Valid"; readonly body: Readonly<Record<string, unknown>> }
  | { readonly _tag: "Invalid"; readonly issues: ReadonlyArray<ZodIssue> }

/**
 * Validates a parsed JSON body as Propexo does: a strict Zod object, or with
 * `ignoreUnknown` (`?ignore_unknown_fields=true`) one that drops unknown keys.
 *
 * @internal
 */
export const validate = (body: unknown, { ignoreUnknown = false }: { readonly ignoreUnknown?: boolean } = {}): Validated => {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { _tag: "Invalid", issues: [{ ...invalidType("object", body, ""), path: [] }] }
  }
  const record = body as Readonly<Record<string, unknown>> // a non-null, non-array object
  const issues: Array<ZodIssue> = []
  for (const [name, field] of FIELDS) {
    const value = record[name]
    if (value === undefined) {
      if (field.required) issues.push(invalidType("string", value, name))
      continue
    }
    issues.push(...field.check(value, name))
  }
  const unknown = Object.keys(record).filter((key) => !KNOWN.has(key))
  if (unknown.length > 0 && ignoreUnknown) {
    return issues.length === 0
      ? { _tag: "Valid", body: Object.fromEntries(Object.entries(record).filter(([key]) => KNOWN.has(key))) }
      : { _tag: "Invalid", issues }
  }
  if (unknown.length > 0) {
    issues.push({
      code: "unrecognized_keys",
      keys: unknown,
      path: [],
      message: `Unrecognized key(s) in object: ${unknown.map((k) => `'${k}'`).join(", ")}`
    })
  }
  return issues.length === 0 ? { _tag: "Valid", body: record } : { _tag: "Invalid", issues }
}

/** Propexo's one-line summary of a failed validation. @internal */
export const summary = (issues: ReadonlyArray<ZodIssue>): string =>
  `Invalid request body: ${
    issues.map((i) => i.path.length === 0 ? i.message : `${i.path.join(".")}: ${i.message}`).join("; ")
  }`
