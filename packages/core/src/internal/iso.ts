import { type Fields, fieldsReason, MS_PER_HOUR, MS_PER_MINUTE } from "./calendar.js"

/**
 * A parsed ISO 8601 date-time: its civil fields, its milliseconds and, when
 * written, its UTC offset.
 *
 * @internal
 */
export interface ParsedDateTime extends Fields {
  readonly millis: number
  /** `undefined` when the text carries no offset (a wall-clock time). */
  readonly offsetMs: number | undefined
}

/** @internal */
export type ParseFailure = { readonly reason: string }

const PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(?:([Zz])|([+-])(\d{2}):?(\d{2}))?$/

/**
 * Parses `YYYY-MM-DD[THH:mm[:ss[.fff]]][Z|±HH:MM]`, with `T` or a space
 * between date and time, checking every field's range. A date without a time
 * is midnight.
 *
 * @internal
 */
export const parseDateTime = (text: string): ParsedDateTime | ParseFailure => {
  const m = PATTERN.exec(text.trim())
  if (m === null) {
    return { reason: "is not an ISO 8601 date-time such as 2026-11-28T14:30:00-07:00" }
  }
  const year = Number(m[1])
  const month = Number(m[2])
  const day = Number(m[3])
  const hours = m[4] === undefined ? 0 : Number(m[4])
  const minutes = m[5] === undefined ? 0 : Number(m[5])
  const seconds = m[6] === undefined ? 0 : Number(m[6])
  const millis = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000)
  const fields = { year, month, day, hours, minutes, seconds }
  const reason = fieldsReason(fields, millis)
  if (reason !== undefined) return { reason }
  let offsetMs: number | undefined
  if (m[8] !== undefined) {
    offsetMs = 0
  } else if (m[9] !== undefined) {
    const oh = Number(m[10])
    const om = Number(m[11])
    if (oh > 23 || om > 59) return { reason: `has offset ${m[9]}${m[10]}:${m[11]}, which is not a valid UTC offset` }
    offsetMs = (m[9] === "-" ? -1 : 1) * (oh * MS_PER_HOUR + om * MS_PER_MINUTE)
  }
  return { ...fields, millis, offsetMs }
}

/** @internal */
export const isParseFailure = (u: ParsedDateTime | ParseFailure): u is ParseFailure => "reason" in u
