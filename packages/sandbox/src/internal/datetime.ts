/**
 * ISO 8601 date-times with an offset, as Propexo (Zod's `datetime({ offset:
 * true })`) accepts them, and whether one was written in Mountain Time.
 *
 * This is not the core's date-time reader, on purpose. The simulator stands
 * in for Propexo and judges what our client sends, so it reads Propexo's
 * grammar (`T` and seconds required, `±HH` allowed; no spaces, no date
 * alone), which is not the core's, and it asks the runtime's time-zone
 * database for Denver's offset directly: a judge that shared the core's
 * code would agree with the core's mistakes.
 */

const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}(?::?\d{2})?)$/

/** A date-time as written with its offset. @internal */
export interface OffsetDateTime {
  /** Epoch milliseconds of the instant. */
  readonly epochMs: number
  /** The offset as written, normalized to `±HH:MM` (`Z` is `+00:00`). */
  readonly offset: string
}

/** Reads a date-time with an offset; `undefined` when it is not one or names no real date. @internal */
export const offsetOf = (text: string): OffsetDateTime | undefined => {
  const m = ISO.exec(text)
  if (m === null) return undefined
  const [year, month, day, hours, minutes, seconds] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number
  ] // six capture groups of digits, all present when the pattern matched
  const fraction = m[7] === undefined ? 0 : Math.floor(Number(`0${m[7]}`) * 1000)
  const zone = m[8] ?? "Z"
  if (month < 1 || month > 12 || hours > 23 || minutes > 59 || seconds > 59) return undefined
  const local = Date.UTC(year, month - 1, day, hours, minutes, seconds, fraction)
  if (new Date(local).getUTCDate() !== day) return undefined
  const digits = zone === "Z" ? "+0000" : zone.replace(":", "").padEnd(5, "0")
  const sign = digits.startsWith("-") ? -1 : 1
  const offsetHours = Number(digits.slice(1, 3))
  const offsetMinutes = Number(digits.slice(3, 5))
  if (offsetHours > 23 || offsetMinutes > 59) return undefined
  return {
    epochMs: local - sign * (offsetHours * 60 + offsetMinutes) * 60_000,
    offset: `${sign < 0 ? "-" : "+"}${digits.slice(1, 3)}:${digits.slice(3, 5)}`
  }
}

const denver = new Intl.DateTimeFormat("en-US", { timeZone: "America/Denver", timeZoneName: "longOffset" })

/** Denver's offset at an instant as Intl names it: `GMT-07:00`. */
const denverOffset = (epochMs: number): string | undefined =>
  denver.formatToParts(epochMs).find((part) => part.type === "timeZoneName")?.value

/**
 * Whether a date-time's offset is America/Denver's at that instant, i.e. it
 * was written as Entrata reads it.
 *
 * @internal
 */
export const isMountainTime = (text: string): boolean => {
  const parsed = offsetOf(text)
  return parsed !== undefined && denverOffset(parsed.epochMs) === `GMT${parsed.offset}`
}
