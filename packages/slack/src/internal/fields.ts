/**
 * The keys people type, the Propexo fields they stand for, and how each
 * field's value is written in a command.
 */
import type * as ApplicantEvent from "@entrata-events/core/ApplicantEvent"
import * as Either from "effect/Either"

/**
 * A field a command may set: every Propexo field but `integration_id`,
 * which comes from the workspace's connection, never from the person typing.
 *
 * @internal
 */
export type Field = Exclude<keyof ApplicantEvent.ApplicantEvent, "integration_id">

/**
 * How a field's value is written.
 *
 * @internal
 */
export type Kind = "id" | "text" | "when" | "time" | "phone" | "email" | "url" | "status" | "duration" | "flag"

/**
 * The kind of every field; the mapped type makes a field Propexo adds a
 * compile error here until it is given one.
 *
 * @internal
 */
export const KINDS: { readonly [F in Field]: Kind } = {
  applicant_id: "id",
  application_id: "id",
  event_type_id: "id",
  event_datetime: "when",
  event_result_id: "id",
  event_sub_type_id: "id",
  employee_id: "id",
  unit_id: "id",
  reasons_for_event: "text",
  notes: "text",
  appointment_datetime: "when",
  time_from: "time",
  time_to: "time",
  title: "text",
  call_phone_number_from: "phone",
  call_phone_number_to: "phone",
  call_status: "status",
  call_duration: "duration",
  call_audio_link: "url",
  email_body: "text",
  email_subject: "text",
  email_from: "email",
  email_to: "email",
  email_cc: "email",
  email_bcc: "email",
  email_send: "flag"
}

/**
 * The fields in Propexo's order.
 *
 * @internal
 */
export const FIELD_NAMES = Object.keys(KINDS) as ReadonlyArray<Field> // Object.keys of a literal object: exactly its keys.

const isField = (key: string): key is Field => Object.hasOwn(KINDS, key)

/**
 * Short names for fields. `from` and `to` depend on the event type: email
 * addresses for types whose name starts with "Email", phone numbers
 * otherwise.
 *
 * @internal
 */
export const ALIASES: Readonly<Record<string, Field | { readonly call: Field; readonly email: Field }>> = {
  applicant: "applicant_id",
  application: "application_id",
  at: "event_datetime",
  result: "event_result_id",
  subtype: "event_sub_type_id",
  employee: "employee_id",
  unit: "unit_id",
  reasons: "reasons_for_event",
  appointment: "appointment_datetime",
  from: { call: "call_phone_number_from", email: "email_from" },
  to: { call: "call_phone_number_to", email: "email_to" },
  status: "call_status",
  duration: "call_duration",
  audio: "call_audio_link",
  subject: "email_subject",
  body: "email_body",
  cc: "email_cc",
  bcc: "email_bcc",
  send: "email_send"
}

/**
 * Every key a command accepts, aliases first, for suggestions.
 *
 * @internal
 */
export const KEYS: ReadonlyArray<string> = [...Object.keys(ALIASES), ...FIELD_NAMES]

/**
 * Keys ignore case, and `-` stands for `_`.
 *
 * @internal
 */
export const normalizeKey = (key: string): string => key.toLowerCase().replace(/-/g, "_")

/**
 * Whether an event type's name makes `from`/`to` email addresses.
 *
 * @internal
 */
export const isEmailTypeName = (name: string): boolean => name.toLowerCase().startsWith("email")

/**
 * The field a normalized key stands for, or `undefined`.
 *
 * @internal
 */
export const fieldOf = (key: string, emailType: boolean): Field | undefined => {
  const alias = Object.hasOwn(ALIASES, key) ? ALIASES[key] : undefined
  if (alias !== undefined) return typeof alias === "string" ? alias : emailType ? alias.email : alias.call
  return isField(key) ? key : undefined
}

/**
 * The key a command writes for a field: its alias when it has one for this
 * kind of event type, its Propexo name otherwise.
 *
 * @internal
 */
export const keyOf = (field: Field, emailType: boolean): string =>
  Object.keys(ALIASES).find((key) => fieldOf(key, emailType) === field) ?? field

const DURATION_UNITS = /^(?:(\d+)h)?(?:(\d+)m(?:in)?)?(?:(\d+)s(?:ec)?)?$/

/**
 * Seconds from `300`, `90s`, `5m`, `1h2m3s` or `2:05` / `1:02:05`.
 *
 * @internal
 */
export const parseDuration = (text: string): Either.Either<number, string> => {
  const s = text.trim().toLowerCase()
  if (/^\d+$/.test(s)) return Either.right(Number(s))
  const clock = /^(?:(\d+):)?(\d+):([0-5]\d)$/.exec(s)
  if (clock !== null) return Either.right(Number(clock[1] ?? 0) * 3600 + Number(clock[2]) * 60 + Number(clock[3]))
  const units = DURATION_UNITS.exec(s)
  if (s !== "" && units !== null) {
    return Either.right(Number(units[1] ?? 0) * 3600 + Number(units[2] ?? 0) * 60 + Number(units[3] ?? 0))
  }
  return Either.left("is not a duration; write seconds (300) or 90s, 5m, 1h2m3s, 2:05")
}

const STATUS_WORDS: Readonly<Record<string, ApplicantEvent.CallStatus>> = {
  answered: "ANSWER",
  answer: "ANSWER",
  no_answer: "NO_ANSWER",
  noanswer: "NO_ANSWER",
  voicemail: "VOICEMAIL",
  busy: "BUSY",
  abandoned: "ABANDONED",
  disconnected: "DISCONNECTED",
  failed: "FAILURE_TO_CONNECT",
  failure_to_connect: "FAILURE_TO_CONNECT"
}

const STATUS_NAMES: { readonly [S in ApplicantEvent.CallStatus]: string } = {
  ANSWER: "answered",
  NO_ANSWER: "no-answer",
  VOICEMAIL: "voicemail",
  BUSY: "busy",
  ABANDONED: "abandoned",
  DISCONNECTED: "disconnected",
  FAILURE_TO_CONNECT: "failed"
}

/**
 * A call status from the words people use or Entrata's own names, in any
 * case, with spaces, `-` or `_` between words.
 *
 * @internal
 */
export const parseStatus = (text: string): Either.Either<ApplicantEvent.CallStatus, string> => {
  const word = text.trim().toLowerCase().replace(/[\s_-]+/g, "_")
  const status = Object.hasOwn(STATUS_WORDS, word) ? STATUS_WORDS[word] : undefined
  return status === undefined
    ? Either.left(`is not a call status; write one of ${Object.values(STATUS_NAMES).join(", ")}`)
    : Either.right(status)
}

/**
 * The word a command writes for a call status.
 *
 * @internal
 */
export const statusName = (status: ApplicantEvent.CallStatus): string => STATUS_NAMES[status]

/**
 * `yes`/`true` or `no`/`false`, in any case.
 *
 * @internal
 */
export const parseFlag = (text: string): Either.Either<boolean, string> => {
  const word = text.trim().toLowerCase()
  if (word === "yes" || word === "true") return Either.right(true)
  if (word === "no" || word === "false") return Either.right(false)
  return Either.left("is not yes or no (or true or false)")
}
