/**
 * Dates and times as people type them in a command: `now`, `today 14:30`,
 * `11/28 2:30pm`, `2026-11-28 14:30 MST`, ISO 8601 instants.
 */
import * as MountainTime from "@entrata-events/core/MountainTime"
import * as Either from "effect/Either"

/**
 * What reading a time needs besides the text.
 *
 * @internal
 */
export interface WhenContext {
  /** The key as typed (`at`), for messages. */
  readonly key: string
  /** Epoch milliseconds that `now`, `today`, … refer to. */
  readonly now: number
  /** A zone the runtime knows (checked by the caller). */
  readonly timeZone: string
}

interface TimeOfDay {
  readonly hours: number
  readonly minutes: number
  readonly seconds: number
  readonly millis: number
}

const MOUNTAIN_ABBREVIATIONS: Readonly<Record<string, number | undefined>> = { mdt: -360, mst: -420 }

const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December"
]

/**
 * How to name the offset of an instant so that the name, appended to the
 * time, picks it: `MDT`/`MST` when the reading is Mountain Time's, the
 * numeric offset otherwise.
 */
const offsetName = (instant: MountainTime.Instant, timeZone: string): string => {
  const offset = MountainTime.offsetMinutes(instant, timeZone)
  if (offset === MountainTime.offsetMinutes(instant)) {
    if (offset === -360) return "MDT"
    if (offset === -420) return "MST"
  }
  return MountainTime.formatOffset(offset)
}

/** `01:30 MDT (2026-11-01T01:30:00-06:00)` */
const describeCandidate = (instant: MountainTime.Instant, timeZone: string): string => {
  const iso = MountainTime.formatIn(instant, timeZone)
  return `${iso.slice(11, 16)} ${offsetName(instant, timeZone)} (${iso})`
}

const DAY_WORDS: Readonly<Record<string, number>> = { yesterday: -1, today: 0, tomorrow: 1 }

interface Reading {
  readonly date: MountainTime.CalendarDate | undefined
  readonly time: TimeOfDay | undefined
  /** Offset in minutes, and whether it came from a Mountain abbreviation. */
  readonly zone: { readonly minutes: number; readonly abbreviation: string | undefined } | undefined
}

/**
 * Reads `[date] [time] [zone]` from lower-cased text with single spaces, or
 * says what is wrong with it.
 */
const read = (s: string, now: MountainTime.CalendarDate): Either.Either<Reading, string> => {
  let rest = s
  let date: MountainTime.CalendarDate | undefined
  let m: RegExpExecArray | null
  if ((m = /^(yesterday|today|tomorrow)(?= |$)/.exec(rest)) !== null) {
    date = MountainTime.addDays(now, DAY_WORDS[m[1]!]!)
  } else if ((m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?= |t\d|$)/.exec(rest)) !== null) {
    date = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) }
  } else if ((m = /^(\d{1,2})\/(\d{1,2})(?:\/(\d{4}|\d{2}))?(?= |$)/.exec(rest)) !== null) {
    const year = m[3] === undefined ? now.year : m[3].length === 2 ? 2000 + Number(m[3]) : Number(m[3])
    date = { year, month: Number(m[1]), day: Number(m[2]) }
  }
  if (m !== null) rest = rest.slice(m[0].length).replace(/^[ t]/, "")
  if (date !== undefined) {
    if (date.month < 1 || date.month > 12) return Either.left(`${date.month} is not a month (1 to 12)`)
    const days = MountainTime.daysInMonth(date.year, date.month)
    if (date.day < 1 || date.day > days) {
      return Either.left(`${MONTHS[date.month - 1]} ${date.year} has no day ${date.day} (it has ${days} days)`)
    }
  }

  let time: TimeOfDay | undefined
  if ((m = /^(noon|midnight)(?= |$)/.exec(rest)) !== null) {
    time = { hours: m[1] === "noon" ? 12 : 0, minutes: 0, seconds: 0, millis: 0 }
  } else if (
    (m = /^(\d{1,2})(?::(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)? ?(am|pm|a\.m\.|p\.m\.|a|p)?(?= |z|[+-]|$)/.exec(rest)) !==
      null
  ) {
    let hours = Number(m[1])
    const minutes = m[2] === undefined ? 0 : Number(m[2])
    const seconds = m[3] === undefined ? 0 : Number(m[3])
    const millis = m[4] === undefined ? 0 : Math.floor(Number(`0.${m[4]}`) * 1000)
    const meridiem = m[5]?.[0]
    if (meridiem !== undefined) {
      if (hours < 1 || hours > 12) return Either.left(`${m[1]} is not an hour on a 12-hour clock (1 to 12)`)
      hours = hours % 12 + (meridiem === "p" ? 12 : 0)
    } else if (hours > 23) {
      return Either.left(`${m[1]} is not an hour (0 to 23)`)
    }
    if (minutes > 59) return Either.left(`${m[2]} is not a minute (00 to 59)`)
    if (seconds > 59) return Either.left(`${m[3]} is not a second (00 to 59)`)
    time = { hours, minutes, seconds, millis }
  }
  if (time !== undefined && m !== null) rest = rest.slice(m[0].length).replace(/^ /, "")

  let zone: Reading["zone"]
  if ((m = /^(z|utc|gmt|mdt|mst|([+-])(\d{2})(?::?(\d{2}))?)$/.exec(rest)) !== null) {
    if (m[2] === undefined) {
      const mountain = MOUNTAIN_ABBREVIATIONS[m[1]!]
      zone = mountain === undefined
        ? { minutes: 0, abbreviation: undefined }
        : { minutes: mountain, abbreviation: m[1]!.toUpperCase() }
    } else {
      const hours = Number(m[3])
      const minutes = m[4] === undefined ? 0 : Number(m[4])
      if (hours > 23 || minutes > 59) return Either.left(`${m[1]} is not a UTC offset`)
      zone = { minutes: (m[2] === "-" ? -1 : 1) * (hours * 60 + minutes), abbreviation: undefined }
    }
    rest = ""
  }
  if (rest !== "" || (date === undefined && time === undefined)) {
    return Either.left("not a date and time I can read")
  }
  return Either.right({ date, time, zone })
}

const EXAMPLES = "now, \"today 2:30pm\", \"11/28 14:30\", \"2026-11-28 14:30 MST\" or 2026-11-28T14:30:00-07:00"

/**
 * Reads a date and time as people type it, resolving wall-clock times in
 * the context's zone and refusing, with a message naming the candidates,
 * one that happens twice or never. Never throws.
 *
 * @internal
 */
export const readWhen = (text: string, context: WhenContext): Either.Either<number, string> => {
  const typed = text.trim().replace(/\s+/g, " ")
  const shown = `${context.key}=${JSON.stringify(typed)}`
  const s = typed.toLowerCase()
  if (s === "now") return Either.right(context.now)
  const today = MountainTime.wallClock(context.now, context.timeZone)
  const reading = read(s, today)
  if (Either.isLeft(reading)) return Either.left(`${shown}: ${reading.left}; write for example ${EXAMPLES}`)
  const { date, time, zone } = reading.right
  if (time === undefined) {
    return Either.left(`${shown} has no time of day; add one, e.g. ${context.key}="${typed} 2:30pm"`)
  }
  const { day, month, year } = date ?? today
  const resolved = MountainTime.fromFields(
    { year, month, day, ...time, offsetMinutes: zone?.minutes },
    { timeZone: context.timeZone, disambiguation: "reject" }
  )
  if (Either.isRight(resolved)) {
    const ms = resolved.right.epochMillis
    if (zone?.abbreviation !== undefined) {
      const actual = MountainTime.offsetMinutes(ms)
      if (actual !== zone.minutes) {
        const other = offsetName(ms, MountainTime.TIME_ZONE)
        return Either.left(
          `${shown}: Mountain Time is on ${other} (${MountainTime.formatOffset(actual)}) at that moment, ` +
            `not ${zone.abbreviation}; write ${other} or leave the zone out`
        )
      }
    }
    return Either.right(ms)
  }
  const error = resolved.left
  const candidate = (instant: MountainTime.Instant) => describeCandidate(instant, context.timeZone)
  switch (error._tag) {
    case "AmbiguousLocalTime":
      return Either.left(
        `${MountainTime.formatCandidates(error, { input: shown, candidate })}; write ${context.key}="${typed} ${
          offsetName(error.earlier, context.timeZone)
        }" or give an explicit offset`
      )
    case "NonexistentLocalTime":
      return Either.left(`${MountainTime.formatCandidates(error, { input: shown, candidate })} Write the time you mean`)
    default:
      return Either.left(`${shown}: ${error.message}`)
  }
}

/**
 * Whether a bare word typed after `at=today` or `at=11/28` continues the
 * time (`2:30pm`, `pm`, `MST`, `-07:00`), so that `at=today 2:30 pm` needs no
 * quotes.
 *
 * @internal
 */
export const continuesWhen = (word: string): boolean =>
  /^(?:\d{1,2}(?::\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?)?(?:am|pm|a\.m\.|p\.m\.|a|p)?|am|pm|a\.m\.|p\.m\.|noon|midnight|z|utc|gmt|mdt|mst|[+-]\d{2}(?::?\d{2})?)$/i
    .test(word)

const two = (n: number): string => String(n).padStart(2, "0")

/**
 * A time of day (`9:30am`, `17:00`, `noon`) as Propexo's `HH:mm:ss`.
 *
 * @internal
 */
export const readTimeOfDay = (text: string, key: string): Either.Either<string, string> => {
  const typed = text.trim().replace(/\s+/g, " ")
  const reading = read(typed.toLowerCase(), { year: 2000, month: 1, day: 1 })
  if (Either.isRight(reading)) {
    const { date, time, zone } = reading.right
    if (date === undefined && zone === undefined && time !== undefined) {
      return Either.right(`${two(time.hours)}:${two(time.minutes)}:${two(time.seconds)}`)
    }
  }
  return Either.left(`${key}=${JSON.stringify(typed)} is not a time of day; write for example 9:30am or 17:00`)
}
