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
 * Civil fields of epoch milliseconds read as UTC, fractions of a second
 * floored (Hinnant's `civil_from_days`).
 *
 * @internal
 */
export const fieldsFromMs = (ms: number): Fields => {
  const days = Math.floor(ms / MS_PER_DAY)
  const secondOfDay = Math.floor((ms - days * MS_PER_DAY) / MS_PER_SECOND)
  const z = days + 719468
  const era = Math.floor(z / 146097)
  const doe = z - era * 146097
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365)
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1
  const month = mp < 10 ? mp + 3 : mp - 9
  return {
    year: yoe + era * 400 + (month <= 2 ? 1 : 0),
    month,
    day,
    hours: Math.floor(secondOfDay / 3600),
    minutes: Math.floor((secondOfDay % 3600) / 60),
    seconds: secondOfDay % 60
  }
}

/** @internal */
export const daysInMonth = (year: number, month: number): number =>
  month === 2
    ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28)
    : month === 4 || month === 6 || month === 9 || month === 11
    ? 30
    : 31

const TWO_DIGITS: ReadonlyArray<string> = Array.from({ length: 100 }, (_, i) => i < 10 ? `0${i}` : `${i}`)

/** @internal */
export const pad2 = (n: number): string => TWO_DIGITS[n] ?? String(n).padStart(2, "0")

/** @internal */
export const pad4 = (n: number): string =>
  n >= 0 && n <= 9999 ? String(n).padStart(4, "0") : (n < 0 ? "-" : "+") + String(Math.abs(n)).padStart(6, "0")

/**
 * `±HH:MM`, or `±HH:MM:SS` for the local mean time offsets of the 19th century.
 *
 * @internal
 */
export const formatOffset = (offsetMs: number): string => {
  const sign = offsetMs < 0 ? "-" : "+"
  const total = Math.abs(offsetMs) / MS_PER_SECOND
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const s = total % 60
  return `${sign}${pad2(h)}:${pad2(m)}${s === 0 ? "" : `:${pad2(s)}`}`
}

/** @internal */
export const formatDate = (f: Fields): string => `${pad4(f.year)}-${pad2(f.month)}-${pad2(f.day)}`

/** @internal */
export const formatTime = (f: Fields): string => `${pad2(f.hours)}:${pad2(f.minutes)}:${pad2(f.seconds)}`
