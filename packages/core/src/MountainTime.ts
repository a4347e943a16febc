/**
 * US Mountain Time (America/Denver), the clock Entrata reads every time in.
 *
 * Instants convert to exactly one Mountain wall-clock time and offset;
 * wall-clock times convert back by an explicit policy for the hour that
 * happens twice in the fall and the hour that never happens in the spring.
 * The runtime's time-zone database (Intl) is the source of truth, whatever
 * the host's own `TZ`; its rules are cached so that a conversion is plain
 * arithmetic.
 *
 * @since 0.1.0
 */
import * as DateTime from "effect/DateTime"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import {
  addDays as addCivilDays,
  daysInMonth as civilDaysInMonth,
  fieldsFromMs,
  fieldsReason,
  formatLocal,
  formatOffset as formatOffsetMs,
  MS_PER_DAY,
  MS_PER_MINUTE,
  msFromFields,
  offsetText,
  pad2,
  pad4
} from "./internal/calendar.js"
import { isParseFailure, parseDateTime } from "./internal/iso.js"
import { render } from "./internal/render.js"
import { type ZoneRules, zoneRules } from "./internal/zoneRules.js"

/**
 * The IANA name of Mountain Time.
 *
 * @since 0.1.0
 * @category constants
 */
export const TIME_ZONE = "America/Denver"

/**
 * The first year of the date-times Entrata is sent, in Mountain Time
 * (from 1900-01-01T00:00:00-07:00 on).
 *
 * @since 0.2.0
 * @category constants
 */
export const EARLIEST_YEAR = 1900

/**
 * The last year of the date-times Entrata is sent, in Mountain Time
 * (up to 2100-12-31T23:59:59-07:00).
 *
 * @since 0.2.0
 * @category constants
 */
export const LATEST_YEAR = 2100

// Midnight opening 1900 and 2101 is MST (UTC-07:00) in Denver, as the
// time-zone database has it (the tests check against Intl).
const EARLIEST_MS = Date.UTC(EARLIEST_YEAR, 0, 1, 7)
const AFTER_LATEST_MS = Date.UTC(LATEST_YEAR + 1, 0, 1, 7)

// Checked before any offset is looked up: the zone rules of far-off years
// (with odd local mean time offsets before 1883) are never learnt for them.
const inYears = (ms: number): boolean => ms >= EARLIEST_MS && ms < AFTER_LATEST_MS

// The exact bounds too: a Date is shown in UTC, whose year may differ.
const YEARS_RULE = `must be a date-time in the years ${EARLIEST_YEAR} to ${LATEST_YEAR} in Mountain Time ` +
  `(${EARLIEST_YEAR}-01-01T00:00:00-07:00 to ${LATEST_YEAR}-12-31T23:59:59-07:00)`

/**
 * An instant: a `Date`, epoch milliseconds, or an effect `DateTime`.
 *
 * @since 0.1.0
 * @category models
 */
export type Instant = Date | number | DateTime.DateTime

/**
 * How a wall-clock time that happens twice (fall back) or never (spring
 * forward) becomes an instant: `reject` fails; `earlier`, `later` and
 * `compatible` behave exactly as Temporal's options of the same names.
 *
 * @since 0.1.0
 * @category models
 */
export type Disambiguation = DateTime.Disambiguation

/**
 * A civil date.
 *
 * @since 0.2.0
 * @category models
 */
export interface CalendarDate {
  readonly year: number
  readonly month: number
  readonly day: number
}

/**
 * Civil date and time fields on a wall clock.
 *
 * @since 0.1.0
 * @category models
 */
export interface WallClock extends CalendarDate {
  readonly hours: number
  readonly minutes: number
  readonly seconds: number
}

/**
 * Date and time parts as a caller holds them, for {@link fromFields}; the
 * time of day defaults to midnight. With `offsetMinutes` they are an
 * instant written with that UTC offset, without it a wall-clock time.
 *
 * @since 0.2.0
 * @category models
 */
export interface Fields extends CalendarDate {
  readonly hours?: number | undefined
  readonly minutes?: number | undefined
  readonly seconds?: number | undefined
  readonly millis?: number | undefined
  readonly offsetMinutes?: number | undefined
}

/**
 * A wall-clock text that is not a date-time, or has a field out of range.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidWallClock extends Schema.TaggedError<InvalidWallClock>()("InvalidWallClock", {
  input: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `${render(this.input)} ${this.reason}`
  }
}

/**
 * A time zone name the runtime's time-zone database does not know.
 *
 * @since 0.1.0
 * @category errors
 */
export class UnknownTimeZone extends Schema.TaggedError<UnknownTimeZone>()("UnknownTimeZone", {
  timeZone: Schema.String
}) {
  override get message(): string {
    return `${JSON.stringify(this.timeZone)} is not an IANA time zone known to this runtime (e.g. America/Denver)`
  }
}

/**
 * A wall-clock time skipped by a spring-forward transition. `before` and
 * `after` are the instants the `earlier` and `later` policies would choose.
 *
 * @since 0.1.0
 * @category errors
 */
export class NonexistentLocalTime extends Schema.TaggedError<NonexistentLocalTime>()("NonexistentLocalTime", {
  input: Schema.String,
  timeZone: Schema.String,
  before: Schema.DateTimeUtcFromSelf,
  after: Schema.DateTimeUtcFromSelf
}) {
  /** `before` and `after`: the instants it could mean, earlier first. */
  get candidates(): readonly [DateTime.Utc, DateTime.Utc] {
    return [this.before, this.after]
  }

  override get message(): string {
    return `${formatCandidates(this)} Give the UTC offset to choose.`
  }
}

/**
 * A wall-clock time that happens twice because of a fall-back transition.
 *
 * @since 0.1.0
 * @category errors
 */
export class AmbiguousLocalTime extends Schema.TaggedError<AmbiguousLocalTime>()("AmbiguousLocalTime", {
  input: Schema.String,
  timeZone: Schema.String,
  earlier: Schema.DateTimeUtcFromSelf,
  later: Schema.DateTimeUtcFromSelf
}) {
  /** `earlier` and `later`: the instants it could mean, earlier first. */
  get candidates(): readonly [DateTime.Utc, DateTime.Utc] {
    return [this.earlier, this.later]
  }

  override get message(): string {
    const candidate = (instant: DateTime.Utc, policy: "earlier" | "later") =>
      `${formatIn(instant, this.timeZone)} (${policy})`
    return `${formatCandidates(this, { candidate })}. Give the UTC offset to choose.`
  }
}

/**
 * A wall-clock time that a clock change skips or repeats.
 *
 * @since 0.2.0
 * @category errors
 */
export type ClockChangeError = NonexistentLocalTime | AmbiguousLocalTime

/**
 * Every way turning text or fields into an instant can fail.
 *
 * @since 0.1.0
 * @category errors
 */
export type MountainTimeError = InvalidWallClock | UnknownTimeZone | ClockChangeError

/**
 * Options for reading wall-clock text or fields.
 *
 * @since 0.1.0
 * @category models
 */
export interface WallClockOptions {
  /** The IANA zone the wall clock hangs in; default `America/Denver`. */
  readonly timeZone?: string | undefined
  /** Default `reject`. */
  readonly disambiguation?: Disambiguation | undefined
}

const toMillis = (instant: Instant): number => {
  const ms = typeof instant === "number"
    ? instant
    : instant instanceof Date
    ? instant.getTime()
    : DateTime.toEpochMillis(instant)
  if (!Number.isFinite(ms)) throw new RangeError("MountainTime: invalid instant")
  return ms
}

const known = (timeZone: string, rules: ZoneRules | undefined): ZoneRules => {
  if (rules === undefined) throw new RangeError(new UnknownTimeZone({ timeZone }).message)
  return rules
}

const denver = known(TIME_ZONE, zoneRules(TIME_ZONE))

// Every function here finds a zone's rules this way, so that all of them
// accept the same zones; Denver's are at hand for the common case.
const lookup = (timeZone: string): ZoneRules | undefined => timeZone === TIME_ZONE ? denver : zoneRules(timeZone)

const rulesOf = (timeZone: string): ZoneRules => known(timeZone, lookup(timeZone))

/**
 * The zone name as given, when the runtime's time-zone database knows it,
 * else `UnknownTimeZone`: exactly the zones every function here accepts.
 *
 * @since 0.2.0
 * @category time zones
 */
export const validateTimeZone = (timeZone: string): Either.Either<string, UnknownTimeZone> =>
  lookup(timeZone) === undefined ? Either.left(new UnknownTimeZone({ timeZone })) : Either.right(timeZone)

/**
 * An IANA time zone name the runtime knows, as {@link validateTimeZone}
 * checks it; a refusal reads as `UnknownTimeZone`'s message.
 *
 * @since 0.2.0
 * @category schemas
 */
export const TimeZone = Schema.String.pipe(
  Schema.filter((timeZone) => lookup(timeZone) !== undefined, {
    identifier: "IanaTimeZone",
    description: "an IANA time zone known to this runtime, e.g. America/Denver",
    // Only strings reach the filter, so `String` changes nothing.
    message: (issue) => new UnknownTimeZone({ timeZone: String(issue.actual) }).message
  })
)

const formatWith = (rules: ZoneRules, ms: number): string => {
  const offset = rules.offsetAt(ms)
  return formatLocal(ms + offset) + formatOffsetMs(offset)
}

/**
 * The instant as Mountain wall-clock time with its offset,
 * `YYYY-MM-DDTHH:mm:ss-07:00` or `-06:00`, fractions of a second floored.
 * Throws a `RangeError` for an invalid `Date` or a non-finite number, as
 * `Date.prototype.toISOString` does.
 *
 * @since 0.1.0
 * @category formatting
 */
export const format = (instant: Instant): string => formatWith(denver, toMillis(instant))

/**
 * As {@link format}, in any IANA zone. Throws a `RangeError` for an unknown zone.
 *
 * @since 0.1.0
 * @category formatting
 */
export const formatIn = (instant: Instant, timeZone: string): string =>
  formatWith(rulesOf(timeZone), toMillis(instant))

/**
 * The instant's Mountain wall-clock time of day, `HH:mm:ss`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const timeOfDay = (instant: Instant): string => {
  const ms = toMillis(instant)
  return formatLocal(ms + denver.offsetAt(ms)).slice(11)
}

/**
 * The instant's wall-clock fields in `timeZone` (default Mountain Time).
 * Throws a `RangeError` for an unknown zone.
 *
 * @since 0.1.0
 * @category conversions
 */
export const wallClock = (instant: Instant, timeZone: string = TIME_ZONE): WallClock => {
  const ms = toMillis(instant)
  const rules = rulesOf(timeZone)
  return fieldsFromMs(ms + rules.offsetAt(ms))
}

/**
 * The UTC offset in force at the instant in `timeZone`, in minutes
 * (`-420` for MST, `-360` for MDT).
 *
 * @since 0.1.0
 * @category conversions
 */
export const offsetMinutes = (instant: Instant, timeZone: string = TIME_ZONE): number =>
  rulesOf(timeZone).offsetAt(toMillis(instant)) / 60_000

const resolveLocal = (
  input: string,
  rules: ZoneRules,
  local: number,
  disambiguation: Disambiguation
): Either.Either<DateTime.Utc, ClockChangeError> => {
  const before = rules.offsetAt(local - MS_PER_DAY)
  const after = rules.offsetAt(local + MS_PER_DAY)
  const fits = (offset: number) => rules.offsetAt(local - offset) === offset
  const candidates = (before === after ? [before] : [before, after])
    .filter(fits)
    .map((offset) => local - offset)
    .sort((a, b) => a - b)
  const [first, second] = candidates
  if (first !== undefined && second === undefined) return Either.right(DateTime.unsafeMake(first))
  if (first !== undefined && second !== undefined) {
    switch (disambiguation) {
      case "reject":
        return Either.left(
          new AmbiguousLocalTime({
            input,
            timeZone: rules.timeZone,
            earlier: DateTime.unsafeMake(first),
            later: DateTime.unsafeMake(second)
          })
        )
      case "later":
        return Either.right(DateTime.unsafeMake(second))
      default:
        return Either.right(DateTime.unsafeMake(first))
    }
  }
  // In a gap: `earlier` reads the time with the offset from after the gap
  // (landing before it), `later`/`compatible` with the offset from before.
  const beforeGap = local - after
  const afterGap = local - before
  switch (disambiguation) {
    case "reject":
      return Either.left(
        new NonexistentLocalTime({
          input,
          timeZone: rules.timeZone,
          before: DateTime.unsafeMake(beforeGap),
          after: DateTime.unsafeMake(afterGap)
        })
      )
    case "earlier":
      return Either.right(DateTime.unsafeMake(beforeGap))
    default:
      return Either.right(DateTime.unsafeMake(afterGap))
  }
}

const readText = (
  text: string,
  options: WallClockOptions | undefined,
  allowOffset: boolean
): Either.Either<DateTime.Utc, MountainTimeError> => {
  const timeZone = options?.timeZone ?? TIME_ZONE
  const rules = lookup(timeZone)
  if (rules === undefined) return Either.left(new UnknownTimeZone({ timeZone }))
  const parsed = parseDateTime(text)
  if (isParseFailure(parsed)) return Either.left(new InvalidWallClock({ input: text, reason: parsed.reason }))
  const local = msFromFields(parsed) + parsed.millis
  if (parsed.offsetMs !== undefined) {
    return allowOffset
      ? Either.right(DateTime.unsafeMake(local - parsed.offsetMs))
      : Either.left(
        new InvalidWallClock({
          input: text,
          reason: "carries a UTC offset, so it is an instant, not a wall-clock time (use MountainTime.parse)"
        })
      )
  }
  return resolveLocal(text, rules, local, options?.disambiguation ?? "reject")
}

/**
 * Reads a wall-clock time without offset (`2026-11-01T01:30:00`,
 * `2026-11-01 01:30`, seconds optional) in `timeZone` (default
 * America/Denver). By default a time in the spring-forward gap fails with
 * `NonexistentLocalTime` and one in the fall-back hour with
 * `AmbiguousLocalTime`, which names both candidates. Never throws.
 *
 * @since 0.1.0
 * @category parsing
 */
export const fromWallClock = (
  wall: string,
  options?: WallClockOptions
): Either.Either<DateTime.Utc, MountainTimeError> => readText(wall, options, false)

/**
 * Reads either an instant (ISO 8601 with `Z` or an offset) or a wall-clock
 * time in `timeZone`, resolved as {@link fromWallClock} does. This is what
 * adapters use for human or JSON input. Never throws.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parse = (
  text: string,
  options?: WallClockOptions
): Either.Either<DateTime.Utc, MountainTimeError> => readText(text, options, true)

// The offsets ISO 8601 text can write, ±23:59 at most, in whole minutes.
const MAX_OFFSET_MINUTES = 23 * 60 + 59

/**
 * Reads date and time parts, as {@link parse} reads text: with
 * `offsetMinutes` they are that instant; without, a wall-clock time in
 * `timeZone` resolved as {@link fromWallClock} does. A part out of range
 * fails with `InvalidWallClock` naming it and its range, as for text.
 * Never throws.
 *
 * @since 0.2.0
 * @category parsing
 */
export const fromFields = (
  fields: Fields,
  options?: WallClockOptions
): Either.Either<DateTime.Utc, MountainTimeError> => {
  const timeZone = options?.timeZone ?? TIME_ZONE
  const rules = lookup(timeZone)
  if (rules === undefined) return Either.left(new UnknownTimeZone({ timeZone }))
  const civil = {
    year: fields.year,
    month: fields.month,
    day: fields.day,
    hours: fields.hours ?? 0,
    minutes: fields.minutes ?? 0,
    seconds: fields.seconds ?? 0
  }
  const millis = fields.millis ?? 0
  const offset = fields.offsetMinutes
  const input = `${pad4(civil.year)}-${pad2(civil.month)}-${pad2(civil.day)}T` +
    `${pad2(civil.hours)}:${pad2(civil.minutes)}:${pad2(civil.seconds)}` +
    (millis === 0 ? "" : `.${String(millis).padStart(3, "0")}`)
  const reason = fieldsReason(civil, millis) ??
    (offset === undefined || (Number.isInteger(offset) && Math.abs(offset) <= MAX_OFFSET_MINUTES)
      ? undefined
      : `has offset ${offset} minutes, which is not a UTC offset (a whole number of minutes from ` +
        `-${MAX_OFFSET_MINUTES} to ${MAX_OFFSET_MINUTES})`)
  if (reason !== undefined) return Either.left(new InvalidWallClock({ input, reason }))
  const local = msFromFields(civil) + millis
  return offset === undefined
    ? resolveLocal(input, rules, local, options?.disambiguation ?? "reject")
    : Either.right(DateTime.unsafeMake(local - offset * MS_PER_MINUTE))
}

/**
 * How {@link formatCandidates} shows the time and the instants it could mean.
 *
 * @since 0.2.0
 * @category models
 */
export interface CandidatesFormat {
  /** The time as its reader shows it; default its text, quoted (80 characters at most). */
  readonly input?: string | undefined
  /**
   * One of the instants, which the `policy` disambiguation would choose;
   * default {@link formatIn} in the error's zone.
   */
  readonly candidate?: ((instant: DateTime.Utc, policy: "earlier" | "later") => string) | undefined
}

/**
 * The one wording of a time a clock change skips or repeats, naming both
 * instants it could mean, earlier first: `… happens twice in
 * America/Denver: A or B`, or `… does not exist in America/Denver: the
 * clocks skip that hour. Did you mean A or B?`. Each reader adds the advice
 * that fits the way its input is written.
 *
 * @since 0.2.0
 * @category formatting
 */
export const formatCandidates = (error: ClockChangeError, options?: CandidatesFormat): string => {
  const input = options?.input ?? render(error.input)
  const candidate = options?.candidate ?? ((instant: DateTime.Utc) => formatIn(instant, error.timeZone))
  const [earlier, later] = error.candidates
  const both = `${candidate(earlier, "earlier")} or ${candidate(later, "later")}`
  return error._tag === "AmbiguousLocalTime"
    ? `${input} happens twice in ${error.timeZone}: ${both}`
    : `${input} does not exist in ${error.timeZone}: the clocks skip that hour. Did you mean ${both}?`
}

/**
 * The number of days in a month of the (proleptic Gregorian) calendar.
 *
 * @since 0.2.0
 * @category calendar
 */
export const daysInMonth = (year: number, month: number): number => civilDaysInMonth(year, month)

/**
 * The date `days` (a whole number) days after `date`, or before it when
 * `days` is negative; exact for the years −4,000,000 to 4,000,000.
 *
 * @since 0.2.0
 * @category calendar
 */
export const addDays = (date: CalendarDate, days: number): CalendarDate => {
  const { day, month, year } = addCivilDays(date.year, date.month, date.day, days)
  return { year, month, day }
}

/**
 * A UTC offset in minutes as ISO 8601 writes it (`-07:00`, `+05:30`), to
 * the second for the local mean time offsets of the 19th century
 * (`-06:59:56`). Pairs with {@link offsetMinutes}.
 *
 * @since 0.2.0
 * @category formatting
 */
export const formatOffset = (minutes: number): string => {
  if (!Number.isFinite(minutes)) throw new RangeError("MountainTime: invalid offset")
  // Whole seconds: an offset from offsetMinutes may be a fraction of a minute.
  return offsetText(Math.round(minutes * 60) * 1000)
}

const isoWithOffset = (text: string): Either.Either<number, string> => {
  const parsed = parseDateTime(text)
  if (isParseFailure(parsed)) return Either.left(parsed.reason)
  if (parsed.offsetMs === undefined) {
    return Either.left("has no UTC offset (wall-clock times are resolved with MountainTime.fromWallClock first)")
  }
  return Either.right(msFromFields(parsed) + parsed.millis - parsed.offsetMs)
}

/**
 * Why `text` is not an ISO 8601 instant with an offset (`has no UTC
 * offset`, `has month 13, …`), or `None` when it is one.
 *
 * @since 0.1.0
 * @category parsing
 */
export const instantReason = (text: string): Option.Option<string> => Either.getLeft(isoWithOffset(text))

const isWire = (s: string): boolean => {
  const ms = isoWithOffset(s)
  return Either.isRight(ms) && inYears(ms.right) && formatWith(denver, ms.right) === s
}

const wireMessage = (actual: unknown): string => {
  const ms = typeof actual === "string" ? isoWithOffset(actual) : undefined
  return ms !== undefined && Either.isRight(ms) && !inYears(ms.right)
    ? `${YEARS_RULE}, got ${render(actual)}`
    : `must be a Mountain Time date-time with its offset, such as 2026-11-28T14:30:00-07:00, got ${render(actual)}`
}

/**
 * The wire form Entrata reads: a Mountain wall-clock time with the offset in
 * force at that instant, `YYYY-MM-DDTHH:mm:ss-07:00` or `-06:00`, in the
 * years {@link EARLIEST_YEAR} to {@link LATEST_YEAR}. A string whose offset
 * is not Mountain Time's at that instant is refused.
 *
 * @since 0.1.0
 * @category schemas
 */
export const DateTimeString = Schema.String.pipe(
  Schema.filter(isWire, {
    identifier: "MountainDateTimeString",
    description: "a Mountain Time date-time with its offset, e.g. 2026-11-28T14:30:00-07:00",
    message: (issue) => ({ message: wireMessage(issue.actual), override: true })
  })
)

/**
 * An instant as callers give it: a `Date`, an effect `DateTime`, or an ISO
 * 8601 string with `Z` or an offset.
 *
 * @since 0.1.0
 * @category schemas
 */
export const InstantInput = Schema.Union(
  Schema.DateFromSelf,
  Schema.DateTimeUtcFromSelf,
  Schema.DateTimeZonedFromSelf,
  Schema.String
)

/** The epoch milliseconds of an instant input, or why it is refused. */
const instantOf = (input: unknown): Either.Either<number, string> => {
  if (typeof input === "string") {
    const ms = isoWithOffset(input)
    if (Either.isLeft(ms)) {
      return Either.left(
        `must be an ISO 8601 date-time with an offset such as 2026-11-28T14:30:00-07:00, got ${
          render(input)
        }: it ${ms.left}`
      )
    }
    return inYears(ms.right) ? ms : Either.left(`${YEARS_RULE}, got ${render(input)}`)
  }
  const ms = input instanceof Date
    ? input.getTime()
    : DateTime.isDateTime(input)
    ? DateTime.toEpochMillis(input)
    : Number.NaN
  if (!Number.isFinite(ms)) {
    return Either.left(`must be a Date, an effect DateTime, or an ISO 8601 string with an offset, got ${render(input)}`)
  }
  return inYears(ms) ? Either.right(ms) : Either.left(`${YEARS_RULE}, got ${render(input)}`)
}

/**
 * Decodes any {@link InstantInput} in the years {@link EARLIEST_YEAR} to
 * {@link LATEST_YEAR} to its {@link DateTimeString}; encodes a wire string
 * to itself (it is a valid input). A refusal says why in one sentence that
 * names the value received.
 *
 * @since 0.1.0
 * @category schemas
 */
export const DateTimeFromInstant: Schema.Schema<string, Schema.Schema.Type<typeof InstantInput>> = Schema
  .transformOrFail(InstantInput, DateTimeString, {
    strict: true,
    decode: (input, _, ast) =>
      Either.match(instantOf(input), {
        onLeft: (reason) => ParseResult.fail(new ParseResult.Type(ast, input, reason)),
        onRight: (ms) => ParseResult.succeed(formatWith(denver, ms))
      }),
    encode: ParseResult.succeed
  })
  .annotations({
    // Also when the value is of none of the input types, whose default
    // message would be Schema's tree of the union.
    message: (issue) => ({
      message: Either.match(instantOf(issue.actual), {
        onLeft: (reason) => reason,
        onRight: () => wireMessage(issue.actual)
      }),
      override: true
    })
  })
