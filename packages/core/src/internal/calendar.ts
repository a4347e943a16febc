/**
 * Proleptic Gregorian calendar arithmetic on epoch milliseconds, with no
 * `Date` and no host time zone involved.
 */

/** @internal */
export const MS_PER_SECOND = 1000
/** @internal */
export const MS_PER_MINUTE = 60_000
/** @internal */
export const MS_PER_HOUR = 3_600_000
/** @internal */
export const MS_PER_DAY = 86_400_000

/** @internal */
export interface Fields {
  readonly year: number
  readonly month: number
  readonly day: number
  readonly hours: number
  readonly minutes: number
  readonly seconds: number
}

/**
 * Days since 1970-01-01 of a civil date (Howard Hinnant's `days_from_civil`).
 *
 * @internal
 */
export const daysFromCivil = (year: number, month: number, day: number): number => {
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const mp = (month + 9) % 12
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
}

/**
 * Epoch milliseconds of civil fields read as if they were UTC.
 *
 * @internal
 */
export const msFromFields = (f: Fields): number =>
  daysFromCivil(f.year, f.month, f.day) * MS_PER_DAY +
  f.hours * MS_PER_HOUR + f.minutes * MS_PER_MINUTE + f.seconds * MS_PER_SECOND

/**
 * The civil date of a day number, packed as `year * 512 + month * 32 + day`
 * so that hot paths allocate nothing (Hinnant's `civil_from_days`, in int32
 * arithmetic for the years 0 to 5 million). Unpack with `>> 9` and `& 511`.
 *
 * @internal
 */
export const civilFromDays = (days: number): number => {
  const z = days + 719468
  const era = z >= 0 ? (z / 146097) | 0 : Math.floor(z / 146097)
  const doe = z - era * 146097
  const yoe = ((doe - ((doe / 1460) | 0) + ((doe / 36524) | 0) - ((doe / 146096) | 0)) / 365) | 0
  const doy = doe - (365 * yoe + ((yoe / 4) | 0) - ((yoe / 100) | 0))
  const mp = ((5 * doy + 2) / 153) | 0
  const day = doy - (((153 * mp + 2) / 5) | 0) + 1
  const month = mp < 10 ? mp + 3 : mp - 9
  return (yoe + era * 400 + (month <= 2 ? 1 : 0)) * 512 + month * 32 + day
}

/**
 * Civil fields of epoch milliseconds read as UTC, fractions of a second
 * floored.
 *
 * @internal
 */
export const fieldsFromMs = (ms: number): Fields => {
  const days = Math.floor(ms / MS_PER_DAY)
  const secondOfDay = ((ms - days * MS_PER_DAY) / MS_PER_SECOND) | 0
  const civil = civilFromDays(days)
  return {
    year: civil >> 9,
    month: (civil & 511) >> 5,
    day: civil & 31,
    hours: (secondOfDay / 3600) | 0,
    minutes: ((secondOfDay % 3600) / 60) | 0,
    seconds: secondOfDay % 60
  }
}

/**
 * The civil date `days` days after the given one (before it when negative).
 *
 * @internal
 */
export const addDays = (year: number, month: number, day: number, days: number): Fields =>
  fieldsFromMs((daysFromCivil(year, month, day) + days) * MS_PER_DAY)

/** @internal */
export const daysInMonth = (year: number, month: number): number =>
  month === 2
    ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28)
    : month === 4 || month === 6 || month === 9 || month === 11
    ? 30
    : 31

const within = (n: number, min: number, max: number): boolean => Number.isInteger(n) && n >= min && n <= max

/**
 * Why civil fields and milliseconds name no date-time, naming the first
 * field out of range and its range, or `undefined` when they name one.
 *
 * @internal
 */
export const fieldsReason = (f: Fields, millis: number): string | undefined => {
  if (!within(f.year, 0, 9999)) return `has year ${f.year}, which is not from 0000 to 9999`
  if (!within(f.month, 1, 12)) return `has month ${pad2(f.month)}, which is not from 01 to 12`
  const monthDays = daysInMonth(f.year, f.month)
  if (!within(f.day, 1, monthDays)) {
    return `has day ${pad2(f.day)}, which is not from 01 to ${monthDays} in that month`
  }
  if (!within(f.hours, 0, 23)) return `has hour ${pad2(f.hours)}, which is not from 00 to 23`
  if (!within(f.minutes, 0, 59)) return `has minute ${pad2(f.minutes)}, which is not from 00 to 59`
  if (!within(f.seconds, 0, 59)) return `has second ${pad2(f.seconds)}, which is not from 00 to 59`
  if (!within(millis, 0, 999)) return `has millisecond ${millis}, which is not from 000 to 999`
  return undefined
}

const TWO_DIGITS: ReadonlyArray<string> = Array.from({ length: 100 }, (_, i) => i < 10 ? `0${i}` : `${i}`)

/** @internal */
export const pad2 = (n: number): string => TWO_DIGITS[n] ?? String(n).padStart(2, "0")

/** @internal */
export const pad4 = (n: number): string =>
  n >= 1000 && n <= 9999
    ? `${n}`
    : n >= 0 && n <= 9999
    ? String(n).padStart(4, "0")
    : (n < 0 ? "-" : "+") + String(Math.abs(n)).padStart(6, "0")

// "-MM-DDT" by month * 32 + day, and "HH:mm:" by minute of the day: the
// strings a formatted date-time is glued from.
const MONTH_DAY: ReadonlyArray<string> = Array.from(
  { length: 13 * 32 },
  (_, i) => `-${pad2(i >> 5)}-${pad2(i & 31)}T`
)
const HOUR_MINUTE: ReadonlyArray<string> = Array.from(
  { length: 1440 },
  (_, i) => `${pad2((i / 60) | 0)}:${pad2(i % 60)}:`
)

/**
 * `YYYY-MM-DDTHH:mm:ss` of epoch milliseconds read as UTC, fractions of a
 * second floored. The hot path of formatting: no allocation but the result.
 *
 * @internal
 */
export const formatLocal = (ms: number): string => {
  const days = Math.floor(ms / MS_PER_DAY)
  const secondOfDay = ((ms - days * MS_PER_DAY) / MS_PER_SECOND) | 0
  const civil = civilFromDays(days)
  return pad4(civil >> 9) + MONTH_DAY[civil & 511]! + HOUR_MINUTE[(secondOfDay / 60) | 0]! + TWO_DIGITS[secondOfDay % 60]!
}

/**
 * `±HH:MM` of an offset in whole seconds, or `±HH:MM:SS` for the local mean
 * time offsets of the 19th century.
 *
 * @internal
 */
export const offsetText = (offsetMs: number): string => {
  const sign = offsetMs < 0 ? "-" : "+"
  const total = Math.abs(offsetMs) / MS_PER_SECOND
  const s = total % 60
  return `${sign}${pad2((total / 3600) | 0)}:${pad2(((total % 3600) / 60) | 0)}${s === 0 ? "" : `:${pad2(s)}`}`
}

const offsets = new Map<number, string>()

/**
 * {@link offsetText} memoised, as a zone has only a handful of offsets: for
 * offsets the zone rules give, never for arbitrary input.
 *
 * @internal
 */
export const formatOffset = (offsetMs: number): string => {
  let text = offsets.get(offsetMs)
  if (text === undefined) {
    text = offsetText(offsetMs)
    offsets.set(offsetMs, text)
  }
  return text
}
