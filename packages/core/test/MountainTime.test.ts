import { describe, expect, it } from "@effect/vitest"
import * as DateTime from "effect/DateTime"
import * as Either from "effect/Either"
import * as fc from "effect/FastCheck"
import * as Schema from "effect/Schema"
import * as MountainTime from "../src/MountainTime.js"
import { denverReference, intlReference } from "./intlReference.js"

const referenceOffset = (ms: number) => denverReference(ms).slice(19)

/** Every offset change of America/Denver in [from, to), found by a daily scan and bisection of Intl. */
const transitions = (fromYear: number, toYear: number): Array<number> => {
  const found: Array<number> = []
  const end = Date.UTC(toYear, 0, 1)
  let t = Date.UTC(fromYear, 0, 1)
  let offset = referenceOffset(t)
  while (t < end) {
    const next = t + 86_400_000
    const nextOffset = referenceOffset(next)
    if (nextOffset !== offset) {
      let lo = t / 1000, hi = next / 1000
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2)
        if (referenceOffset(mid * 1000) === offset) lo = mid
        else hi = mid
      }
      found.push(hi * 1000)
    }
    t = next
    offset = nextOffset
  }
  return found
}

const right = <A, E>(e: Either.Either<A, E>): A => {
  if (Either.isLeft(e)) throw new Error(`expected Right, got Left: ${String(e.left)}`)
  return e.right
}

const ms = (dt: DateTime.DateTime) => DateTime.toEpochMillis(dt)

describe("MountainTime.format", () => {
  it("agrees with Intl one second either side of every transition from 1970 to 2100", () => {
    const all = transitions(1970, 2101)
    // Denver has had DST every year since 1967: two changes a year.
    expect(all.length).toBe(2 * 131)
    for (const t of all) {
      for (const d of [-1001, -1000, -1, 0, 1, 999, 1000]) {
        expect(MountainTime.format(t + d)).toBe(denverReference(t + d))
      }
    }
  })

  it("writes -07:00 in winter and -06:00 in summer around the 2026 changes", () => {
    expect(MountainTime.format(Date.UTC(2026, 2, 8, 8, 59, 59))).toBe("2026-03-08T01:59:59-07:00")
    expect(MountainTime.format(Date.UTC(2026, 2, 8, 9, 0, 0))).toBe("2026-03-08T03:00:00-06:00")
    expect(MountainTime.format(Date.UTC(2026, 10, 1, 7, 59, 59))).toBe("2026-11-01T01:59:59-06:00")
    expect(MountainTime.format(Date.UTC(2026, 10, 1, 8, 0, 0))).toBe("2026-11-01T01:00:00-07:00")
  })

  it.prop(
    "agrees with Intl on random instants from 1900 to 2200",
    { t: fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2200, 0, 1) }) },
    ({ t }) => {
      expect(MountainTime.format(t)).toBe(denverReference(t))
    },
    { fastCheck: { numRuns: 5000 } }
  )

  it.prop(
    "floors fractions of a second, before and after 1970",
    { t: fc.integer({ min: -4_000_000_000_000, max: 4_000_000_000_000 }) },
    ({ t }) => {
      expect(MountainTime.format(t)).toBe(MountainTime.format(Math.floor(t / 1000) * 1000))
    }
  )

  it("accepts a Date, epoch milliseconds and effect DateTimes alike", () => {
    const t = Date.UTC(2026, 6, 4, 18, 0, 0, 999)
    const expected = "2026-07-04T12:00:00-06:00"
    expect(MountainTime.format(t)).toBe(expected)
    expect(MountainTime.format(new Date(t))).toBe(expected)
    expect(MountainTime.format(DateTime.unsafeMake(t))).toBe(expected)
    expect(MountainTime.format(DateTime.unsafeMakeZoned(t, { timeZone: "Asia/Tokyo" }))).toBe(expected)
  })

  it("matches effect's DateTime.formatIsoOffset to the second", () => {
    const zone = DateTime.zoneUnsafeMakeNamed("America/Denver")
    for (const t of transitions(2020, 2030)) {
      const zoned = DateTime.unsafeMakeZoned(t, { timeZone: zone })
      expect(MountainTime.format(t)).toBe(DateTime.formatIsoOffset(zoned).replace(/\.\d{3}/, ""))
    }
  })

  it("refuses invalid instants as Date.prototype.toISOString does", () => {
    expect(() => MountainTime.format(new Date(Number.NaN))).toThrow(RangeError)
    expect(() => MountainTime.format(Number.POSITIVE_INFINITY)).toThrow(RangeError)
  })

  it("formats in other zones, half-hour DST included", () => {
    const t = Date.UTC(2026, 0, 15, 12, 0, 0)
    expect(MountainTime.formatIn(t, "Australia/Lord_Howe")).toBe(intlReference("Australia/Lord_Howe")(t))
    expect(MountainTime.formatIn(t, "Asia/Kolkata")).toBe("2026-01-15T17:30:00+05:30")
    expect(MountainTime.formatIn(t, "UTC")).toBe("2026-01-15T12:00:00+00:00")
  })
})

describe("MountainTime.timeOfDay", () => {
  it("gives the Mountain wall-clock time of day", () => {
    expect(MountainTime.timeOfDay(Date.UTC(2026, 0, 15, 16, 30, 5))).toBe("09:30:05")
    expect(MountainTime.timeOfDay(Date.UTC(2026, 6, 15, 15, 30, 5))).toBe("09:30:05")
  })
})

// [gap day, overlap day] per year, across the rule changes of 1987 and 2007.
const dstDays: ReadonlyArray<readonly [number, string, string]> = [
  [1975, "1975-02-23", "1975-10-26"],
  [1990, "1990-04-01", "1990-10-28"],
  [2006, "2006-04-02", "2006-10-29"],
  [2007, "2007-03-11", "2007-11-04"],
  [2026, "2026-03-08", "2026-11-01"],
  [2037, "2037-03-08", "2037-11-01"]
]

describe("MountainTime.fromWallClock", () => {
  describe.each(dstDays)("in %i", (_, gapDay, overlapDay) => {
    const gap = `${gapDay}T02:30:00`
    const overlap = `${overlapDay} 01:30`

    it("rejects the spring-forward gap by default, naming the instants on either side", () => {
      const e = MountainTime.fromWallClock(gap)
      expect(Either.isLeft(e) && e.left._tag).toBe("NonexistentLocalTime")
      if (Either.isLeft(e) && e.left._tag === "NonexistentLocalTime") {
        expect(MountainTime.format(e.left.before)).toBe(`${gapDay}T01:30:00-07:00`)
        expect(MountainTime.format(e.left.after)).toBe(`${gapDay}T03:30:00-06:00`)
        expect(e.left.message).toContain(`${gapDay}T01:30:00-07:00`)
        expect(e.left.message).toContain(`${gapDay}T03:30:00-06:00`)
      }
    })

    it("rejects the fall-back hour by default, naming both candidates", () => {
      const e = MountainTime.fromWallClock(overlap)
      expect(Either.isLeft(e) && e.left._tag).toBe("AmbiguousLocalTime")
      if (Either.isLeft(e) && e.left._tag === "AmbiguousLocalTime") {
        expect(MountainTime.format(e.left.earlier)).toBe(`${overlapDay}T01:30:00-06:00`)
        expect(MountainTime.format(e.left.later)).toBe(`${overlapDay}T01:30:00-07:00`)
        expect(e.left.message).toContain("happens twice")
      }
    })

    it.each(["earlier", "later", "compatible"] as const)("resolves both with %s exactly as effect's DateTime", (d) => {
      const zone = DateTime.zoneUnsafeMakeNamed("America/Denver")
      for (const wall of [gap, overlap]) {
        const [date, time] = wall.split(/[T ]/) as [string, string]
        const [year, month, day] = date.split("-").map(Number) as [number, number, number]
        const [hours, minutes] = time.split(":").map(Number) as [number, number]
        const expected = DateTime.unsafeMakeZoned({ year, month, day, hours, minutes }, {
          timeZone: zone,
          adjustForTimeZone: true,
          disambiguation: d
        })
        expect(ms(right(MountainTime.fromWallClock(wall, { disambiguation: d })))).toBe(ms(expected))
      }
    })

    it("follows Temporal: gap earlier is before the gap, later and compatible after; overlap compatible is earlier", () => {
      const fmt = (wall: string, d: MountainTime.Disambiguation) =>
        MountainTime.format(right(MountainTime.fromWallClock(wall, { disambiguation: d })))
      expect(fmt(gap, "earlier")).toBe(`${gapDay}T01:30:00-07:00`)
      expect(fmt(gap, "later")).toBe(`${gapDay}T03:30:00-06:00`)
      expect(fmt(gap, "compatible")).toBe(`${gapDay}T03:30:00-06:00`)
      expect(fmt(overlap, "earlier")).toBe(`${overlapDay}T01:30:00-06:00`)
      expect(fmt(overlap, "later")).toBe(`${overlapDay}T01:30:00-07:00`)
      expect(fmt(overlap, "compatible")).toBe(`${overlapDay}T01:30:00-06:00`)
    })
  })

  it("reads the edges of the gap and the overlap exactly", () => {
    const at = (wall: string) => MountainTime.format(right(MountainTime.fromWallClock(wall)))
    expect(at("2026-03-08T01:59:59")).toBe("2026-03-08T01:59:59-07:00")
    expect(Either.isLeft(MountainTime.fromWallClock("2026-03-08T02:00:00"))).toBe(true)
    expect(Either.isLeft(MountainTime.fromWallClock("2026-03-08T02:59:59"))).toBe(true)
    expect(at("2026-03-08T03:00:00")).toBe("2026-03-08T03:00:00-06:00")
    expect(at("2026-11-01T00:59:59")).toBe("2026-11-01T00:59:59-06:00")
    expect(Either.isLeft(MountainTime.fromWallClock("2026-11-01T01:00:00"))).toBe(true)
    expect(Either.isLeft(MountainTime.fromWallClock("2026-11-01T01:59:59"))).toBe(true)
    expect(at("2026-11-01T02:00:00")).toBe("2026-11-01T02:00:00-07:00")
  })

  it("accepts a space or T, with or without seconds, and keeps milliseconds", () => {
    const expected = Date.UTC(2026, 10, 28, 21, 30)
    expect(ms(right(MountainTime.fromWallClock("2026-11-28T14:30")))).toBe(expected)
    expect(ms(right(MountainTime.fromWallClock("2026-11-28 14:30:00")))).toBe(expected)
    expect(ms(right(MountainTime.fromWallClock("2026-11-28 14:30:00.250")))).toBe(expected + 250)
  })

  it("reads wall clocks in any IANA zone", () => {
    expect(ms(right(MountainTime.fromWallClock("2026-07-01 09:00", { timeZone: "Europe/Berlin" })))).toBe(
      Date.UTC(2026, 6, 1, 7)
    )
    const e = MountainTime.fromWallClock("2026-03-29 02:30", { timeZone: "Europe/Berlin" })
    expect(Either.isLeft(e) && e.left._tag).toBe("NonexistentLocalTime")
    const unknown = MountainTime.fromWallClock("2026-03-29 02:30", { timeZone: "Mars/Olympus_Mons" })
    expect(Either.isLeft(unknown) && unknown.left._tag).toBe("UnknownTimeZone")
  })

  it.each([
    ["2026-13-01 10:00", "month 13"],
    ["2026-00-10 10:00", "month 00"],
    ["2026-02-29 10:00", "day 29"],
    ["2026-04-31 10:00", "day 31"],
    ["2026-11-28 24:00", "hour 24"],
    ["2026-11-28 24:01", "hour 24"],
    ["2026-11-28 12:60", "minute 60"],
    ["2026-11-28 12:30:60", "second 60"],
    ["28/11/2026 12:30", "ISO 8601"],
    ["tomorrow", "ISO 8601"],
    ["", "ISO 8601"]
  ])("refuses %j with a clear reason (%s)", (wall, words) => {
    const e = MountainTime.fromWallClock(wall)
    expect(Either.isLeft(e) && e.left._tag).toBe("InvalidWallClock")
    if (Either.isLeft(e)) expect(e.left.message).toContain(words)
  })

  it("accepts 29 February in a leap year", () => {
    expect(MountainTime.format(right(MountainTime.fromWallClock("2028-02-29 10:00")))).toBe(
      "2028-02-29T10:00:00-07:00"
    )
  })

  it("refuses text with an offset, which parse() reads as an instant", () => {
    const text = "2026-11-01T01:30:00-07:00"
    expect(Either.isLeft(MountainTime.fromWallClock(text))).toBe(true)
    expect(ms(right(MountainTime.parse(text)))).toBe(Date.UTC(2026, 10, 1, 8, 30))
    expect(ms(right(MountainTime.parse("2026-11-01T08:30:00Z")))).toBe(Date.UTC(2026, 10, 1, 8, 30))
  })

  it.prop("never throws, whatever the text", { s: fc.string() }, ({ s }) => {
    expect(() => MountainTime.fromWallClock(s)).not.toThrow()
    expect(() => MountainTime.parse(s, { timeZone: s })).not.toThrow()
  })

  it.prop(
    "round-trips instant -> wall clock -> instant, one of earlier/later giving it back",
    { t: fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(2100, 0, 1) }) },
    ({ t }) => {
      const second = Math.floor(t / 1000) * 1000
      const wall = MountainTime.format(t).slice(0, 19)
      const earlier = ms(right(MountainTime.fromWallClock(wall, { disambiguation: "earlier" })))
      const later = ms(right(MountainTime.fromWallClock(wall, { disambiguation: "later" })))
      expect([earlier, later]).toContain(second)
      const strict = MountainTime.fromWallClock(wall)
      if (earlier === later) expect(ms(right(strict))).toBe(second)
      else expect(Either.isLeft(strict) && strict.left._tag).toBe("AmbiguousLocalTime")
    },
    { fastCheck: { numRuns: 3000 } }
  )

  it.prop(
    "round-trips wall clock -> instant -> wall clock outside the gaps",
    {
      year: fc.integer({ min: 1970, max: 2100 }),
      month: fc.integer({ min: 1, max: 12 }),
      day: fc.integer({ min: 1, max: 28 }),
      hours: fc.integer({ min: 0, max: 23 }),
      minutes: fc.integer({ min: 0, max: 59 }),
      seconds: fc.integer({ min: 0, max: 59 })
    },
    (f) => {
      const p2 = (n: number) => String(n).padStart(2, "0")
      const wall = `${f.year}-${p2(f.month)}-${p2(f.day)}T${p2(f.hours)}:${p2(f.minutes)}:${p2(f.seconds)}`
      const resolved = MountainTime.fromWallClock(wall, { disambiguation: "compatible" })
      const back = MountainTime.format(right(resolved)).slice(0, 19)
      const strict = MountainTime.fromWallClock(wall)
      if (Either.isLeft(strict) && strict.left._tag === "NonexistentLocalTime") {
        expect(back).not.toBe(wall)
      } else {
        expect(back).toBe(wall)
        expect(MountainTime.wallClock(right(resolved))).toEqual(f)
      }
    },
    { fastCheck: { numRuns: 3000 } }
  )
})

describe("MountainTime schemas", () => {
  it("offsetMinutes reports MST and MDT", () => {
    expect(MountainTime.offsetMinutes(Date.UTC(2026, 0, 1))).toBe(-420)
    expect(MountainTime.offsetMinutes(Date.UTC(2026, 6, 1))).toBe(-360)
  })

  it("instantReason explains what is missing", () => {
    expect(MountainTime.instantReason("2026-11-28T14:30:00Z")._tag).toBe("None")
    expect(MountainTime.instantReason("2026-11-28T14:30:00")).toEqual(
      expect.objectContaining({ value: expect.stringContaining("no UTC offset") })
    )
  })
})

describe("MountainTime messages about what was received", () => {
  const deep: unknown = JSON.parse(`${"[".repeat(5000)}${"]".repeat(5000)}`)
  const huge = "x".repeat(1 << 20)

  const messageOf = <A, I>(schema: Schema.Schema<A, I>, input: unknown): string => {
    const result = Schema.decodeUnknownEither(schema)(input)
    if (Either.isRight(result)) throw new Error(`expected a refusal of ${String(input)}`)
    return result.left.message
  }

  it("DateTimeString says what it wants in one bounded line, whatever it is given", () => {
    expect(messageOf(MountainTime.DateTimeString, deep)).toBe(
      "must be a Mountain Time date-time with its offset, such as 2026-11-28T14:30:00-07:00, got [[[[…]]]]"
    )
    expect(messageOf(MountainTime.DateTimeString, huge)).toBe(
      `must be a Mountain Time date-time with its offset, such as 2026-11-28T14:30:00-07:00, got "${"x".repeat(80)}"…`
    )
    expect(messageOf(MountainTime.DateTimeString, "1899-12-31T23:59:59-07:00")).toBe(
      "must be a date-time in the years 1900 to 2100 in Mountain Time " +
        "(1900-01-01T00:00:00-07:00 to 2100-12-31T23:59:59-07:00), got \"1899-12-31T23:59:59-07:00\""
    )
  })

  it("DateTimeFromInstant says what it wants in one bounded line, not Schema's tree of its union", () => {
    expect(messageOf(MountainTime.DateTimeFromInstant, deep)).toBe(
      "must be a Date, an effect DateTime, or an ISO 8601 string with an offset, got [[[[…]]]]"
    )
    expect(messageOf(MountainTime.DateTimeFromInstant, huge)).toBe(
      `must be an ISO 8601 date-time with an offset such as 2026-11-28T14:30:00-07:00, got "${"x".repeat(80)}"…: ` +
        "it is not an ISO 8601 date-time such as 2026-11-28T14:30:00-07:00"
    )
    expect(messageOf(MountainTime.DateTimeFromInstant, new Date(Date.UTC(2101, 0, 1, 7)))).toBe(
      "must be a date-time in the years 1900 to 2100 in Mountain Time " +
        "(1900-01-01T00:00:00-07:00 to 2100-12-31T23:59:59-07:00), got 2101-01-01T07:00:00.000Z"
    )
  })

  it("names the years in constants", () => {
    expect([MountainTime.EARLIEST_YEAR, MountainTime.LATEST_YEAR]).toStrictEqual([1900, 2100])
  })

  it("errors about wall-clock text show at most 80 characters of it", () => {
    for (const text of [huge, `2026-01-01T00:00${" ".repeat(1 << 20)}x`]) {
      const result = MountainTime.parse(text)
      expect(Either.isLeft(result) && result.left._tag).toBe("InvalidWallClock")
      if (Either.isLeft(result)) {
        expect(result.left.message.length).toBeLessThan(200)
        expect(result.left.message).toMatch(/…/)
      }
    }
  })
})

describe("MountainTime.validateTimeZone and MountainTime.TimeZone", () => {
  it("accept every zone the runtime lists, in the spelling given", () => {
    for (const zone of [...Intl.supportedValuesOf("timeZone"), "UTC", "america/denver"]) {
      expect(MountainTime.validateTimeZone(zone)).toStrictEqual(Either.right(zone))
      expect(Schema.decodeUnknownSync(MountainTime.TimeZone)(zone)).toBe(zone)
    }
  })

  it("refuse a zone the runtime does not know, with UnknownTimeZone's message", () => {
    const message = "\"Mars/Olympus\" is not an IANA time zone known to this runtime (e.g. America/Denver)"
    const refused = MountainTime.validateTimeZone("Mars/Olympus")
    expect(Either.isLeft(refused) && refused.left).toStrictEqual(
      new MountainTime.UnknownTimeZone({ timeZone: "Mars/Olympus" })
    )
    expect(Either.isLeft(refused) && refused.left.message).toBe(message)
    const decoded = Schema.decodeUnknownEither(MountainTime.TimeZone)("Mars/Olympus")
    expect(Either.isLeft(decoded) && decoded.left.message).toBe(message)
  })

  it("leave Schema's own message for a value that is not a string", () => {
    const decoded = Schema.decodeUnknownEither(MountainTime.TimeZone)(7)
    expect(Either.isLeft(decoded) && decoded.left.message).toMatch(/Expected string, actual 7$/)
  })

  it.prop(
    "accept exactly the zones the readers accept",
    { zone: fc.oneof(fc.string(), fc.constantFrom(...Intl.supportedValuesOf("timeZone"))) },
    ({ zone }) => {
      const read = MountainTime.fromWallClock("2026-01-15T12:00:00", { timeZone: zone })
      const unknown = Either.isLeft(read) && read.left._tag === "UnknownTimeZone"
      expect(Either.isLeft(MountainTime.validateTimeZone(zone))).toBe(unknown)
      expect(Schema.is(MountainTime.TimeZone)(zone)).toBe(!unknown)
    }
  )
})

describe("MountainTime.fromFields", () => {
  const text = (f: { year: number; month: number; day: number; hours: number; minutes: number; seconds: number }) => {
    const p2 = (n: number) => String(n).padStart(2, "0")
    return `${String(f.year).padStart(4, "0")}-${p2(f.month)}-${p2(f.day)}T` +
      `${p2(f.hours)}:${p2(f.minutes)}:${p2(f.seconds)}`
  }
  const outcome = (e: Either.Either<DateTime.Utc, MountainTime.MountainTimeError>) =>
    Either.isRight(e) ? ms(e.right) : `${e.left._tag}: ${e.left.message}`

  it.prop(
    "reads parts exactly as fromWallClock reads them written out, out-of-range parts and clock changes included",
    {
      f: fc.record({
        year: fc.oneof(fc.integer({ min: 0, max: 9999 }), fc.constantFrom(1975, 2007, 2026)),
        month: fc.integer({ min: 0, max: 13 }),
        day: fc.integer({ min: 0, max: 32 }),
        hours: fc.integer({ min: 0, max: 25 }),
        minutes: fc.integer({ min: 0, max: 61 }),
        seconds: fc.integer({ min: 0, max: 61 })
      }),
      disambiguation: fc.constantFrom("reject", "earlier", "later", "compatible") as fc.Arbitrary<
        MountainTime.Disambiguation
      >,
      timeZone: fc.constantFrom("America/Denver", "America/New_York", "Australia/Lord_Howe")
    },
    ({ disambiguation, f, timeZone }) => {
      const options = { timeZone, disambiguation }
      expect(outcome(MountainTime.fromFields(f, options))).toStrictEqual(
        outcome(MountainTime.fromWallClock(text(f), options))
      )
    },
    { fastCheck: { numRuns: 3000 } }
  )

  it("names both instants of the hour that happens twice and of the hour the clocks skip", () => {
    expect(outcome(MountainTime.fromFields({ year: 2026, month: 11, day: 1, hours: 1, minutes: 30 }))).toBe(
      "AmbiguousLocalTime: \"2026-11-01T01:30:00\" happens twice in America/Denver: " +
        "2026-11-01T01:30:00-06:00 (earlier) or 2026-11-01T01:30:00-07:00 (later). Give the UTC offset to choose."
    )
    expect(outcome(MountainTime.fromFields({ year: 2026, month: 3, day: 8, hours: 2, minutes: 30 }))).toBe(
      "NonexistentLocalTime: \"2026-03-08T02:30:00\" does not exist in America/Denver: the clocks skip that hour. " +
        "Did you mean 2026-03-08T01:30:00-07:00 or 2026-03-08T03:30:00-06:00? Give the UTC offset to choose."
    )
  })

  it("reads a date alone as midnight and keeps milliseconds", () => {
    expect(MountainTime.format(right(MountainTime.fromFields({ year: 2026, month: 11, day: 28 })))).toBe(
      "2026-11-28T00:00:00-07:00"
    )
    const parts = { year: 2026, month: 11, day: 28, hours: 14, minutes: 30, seconds: 5, millis: 250 }
    expect(ms(right(MountainTime.fromFields(parts)))).toBe(Date.UTC(2026, 10, 28, 21, 30, 5, 250))
    expect(ms(right(MountainTime.fromFields(parts)))).toBe(
      ms(right(MountainTime.fromWallClock("2026-11-28 14:30:05.250")))
    )
  })

  it("reads parts with an offset as that instant, whatever the zone, as parse reads text with one", () => {
    const overlap = { year: 2026, month: 11, day: 1, hours: 1, minutes: 30 }
    for (const [offsetMinutes, written] of [[-360, "-06:00"], [-420, "-07:00"], [330, "+05:30"]] as const) {
      for (const timeZone of ["America/Denver", "Europe/Berlin"]) {
        expect(ms(right(MountainTime.fromFields({ ...overlap, offsetMinutes }, { timeZone })))).toBe(
          ms(right(MountainTime.parse(`2026-11-01T01:30:00${written}`)))
        )
      }
    }
    expect(MountainTime.format(right(MountainTime.fromFields({ ...overlap, offsetMinutes: -420 })))).toBe(
      "2026-11-01T01:30:00-07:00"
    )
  })

  it.each([
    [{ year: 2026, month: 1.5, day: 1 }, "\"2026-1.5-01T00:00:00\" has month 1.5, which is not from 01 to 12"],
    [{ year: 2026, month: -1, day: 1 }, "\"2026--1-01T00:00:00\" has month -1, which is not from 01 to 12"],
    [{ year: 10000, month: 1, day: 1 }, "\"+010000-01-01T00:00:00\" has year 10000, which is not from 0000 to 9999"],
    [{ year: 2026, month: 2, day: 29 }, "\"2026-02-29T00:00:00\" has day 29, which is not from 01 to 28 in that month"],
    [
      { year: 2026, month: 2, day: 1, hours: Number.NaN },
      "\"2026-02-01TNaN:00:00\" has hour NaN, which is not from 00 to 23"
    ],
    [
      { year: 2026, month: 2, day: 1, millis: 1000 },
      "\"2026-02-01T00:00:00.1000\" has millisecond 1000, which is not from 000 to 999"
    ],
    [
      { year: 2026, month: 2, day: 1, offsetMinutes: 1440 },
      "\"2026-02-01T00:00:00\" has offset 1440 minutes, which is not a UTC offset " +
      "(a whole number of minutes from -1439 to 1439)"
    ],
    [
      { year: 2026, month: 2, day: 1, offsetMinutes: -420.5 },
      "\"2026-02-01T00:00:00\" has offset -420.5 minutes, which is not a UTC offset " +
      "(a whole number of minutes from -1439 to 1439)"
    ]
  ])("refuses %j, naming the part and its range", (fields, message) => {
    expect(outcome(MountainTime.fromFields(fields))).toBe(`InvalidWallClock: ${message}`)
  })

  it("refuses a zone the runtime does not know before reading the parts", () => {
    expect(outcome(MountainTime.fromFields({ year: 2026, month: 13, day: 1 }, { timeZone: "Mars/Olympus" }))).toBe(
      "UnknownTimeZone: \"Mars/Olympus\" is not an IANA time zone known to this runtime (e.g. America/Denver)"
    )
  })

  it.prop(
    "never throws, whatever the numbers",
    {
      f: fc.record({
        year: fc.double(),
        month: fc.double(),
        day: fc.double(),
        hours: fc.double(),
        minutes: fc.double(),
        seconds: fc.double(),
        millis: fc.double(),
        offsetMinutes: fc.double()
      })
    },
    ({ f }) => {
      expect(() => MountainTime.fromFields(f)).not.toThrow()
    }
  )
})

describe("MountainTime.formatCandidates", () => {
  const overlap = MountainTime.fromWallClock("2026-11-01 01:30")
  const gap = MountainTime.fromWallClock("2026-03-08 02:30", { timeZone: "America/New_York" })
  const clockChange = (e: typeof overlap): MountainTime.ClockChangeError => {
    if (Either.isLeft(e) && (e.left._tag === "AmbiguousLocalTime" || e.left._tag === "NonexistentLocalTime")) {
      return e.left
    }
    throw new Error("expected a clock change")
  }

  it("lists the candidates earlier first, as the earlier and later policies choose them", () => {
    const cases = [["2026-11-01 01:30", "America/Denver"], ["2026-03-08 02:30", "America/New_York"]] as const
    for (const [wall, timeZone] of cases) {
      const error = clockChange(MountainTime.fromWallClock(wall, { timeZone }))
      const policy = (disambiguation: MountainTime.Disambiguation) =>
        ms(right(MountainTime.fromWallClock(wall, { timeZone, disambiguation })))
      expect(error.candidates.map(ms)).toStrictEqual([policy("earlier"), policy("later")])
    }
  })

  it("words both kinds of clock change, by default in the error's zone", () => {
    expect(MountainTime.formatCandidates(clockChange(overlap))).toBe(
      "\"2026-11-01 01:30\" happens twice in America/Denver: 2026-11-01T01:30:00-06:00 or 2026-11-01T01:30:00-07:00"
    )
    expect(MountainTime.formatCandidates(clockChange(gap))).toBe(
      "\"2026-03-08 02:30\" does not exist in America/New_York: the clocks skip that hour. " +
        "Did you mean 2026-03-08T01:30:00-05:00 or 2026-03-08T03:30:00-04:00?"
    )
  })

  it("shows the input and each candidate as the caller writes them, telling which policy picks it", () => {
    const seen: Array<string> = []
    const candidate = (instant: DateTime.Utc, policy: "earlier" | "later") => {
      seen.push(policy)
      return `${MountainTime.timeOfDay(instant)} ${policy === "earlier" ? "MDT" : "MST"}`
    }
    expect(MountainTime.formatCandidates(clockChange(overlap), { input: "at=1:30am", candidate })).toBe(
      "at=1:30am happens twice in America/Denver: 01:30:00 MDT or 01:30:00 MST"
    )
    expect(seen).toStrictEqual(["earlier", "later"])
  })
})

describe("MountainTime calendar helpers", () => {
  const reference = (year: number, month: number, day: number) => {
    const d = new Date(0)
    d.setUTCFullYear(year, month - 1, day)
    return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() }
  }

  it.prop(
    "daysInMonth agrees with Date for every year 0 to 9999",
    { year: fc.integer({ min: 0, max: 9999 }), month: fc.integer({ min: 1, max: 12 }) },
    ({ month, year }) => {
      expect(MountainTime.daysInMonth(year, month)).toBe(reference(year, month + 1, 0).day)
    }
  )

  it("daysInMonth knows the leap years", () => {
    expect([2024, 2026, 1900, 2000, 0].map((year) => MountainTime.daysInMonth(year, 2))).toStrictEqual([
      29,
      28,
      28,
      29,
      29
    ])
  })

  it.prop(
    "addDays agrees with Date, across months, years and eras",
    {
      year: fc.integer({ min: 0, max: 9999 }),
      month: fc.integer({ min: 1, max: 12 }),
      day: fc.integer({ min: 1, max: 28 }),
      days: fc.integer({ min: -3000, max: 3000 })
    },
    ({ day, days, month, year }) => {
      expect(MountainTime.addDays({ year, month, day }, days)).toStrictEqual(reference(year, month, day + days))
    }
  )

  it("addDays steps over the ends of months and years", () => {
    expect(MountainTime.addDays({ year: 2026, month: 12, day: 31 }, 1)).toStrictEqual({ year: 2027, month: 1, day: 1 })
    expect(MountainTime.addDays({ year: 2028, month: 3, day: 1 }, -1)).toStrictEqual({ year: 2028, month: 2, day: 29 })
    expect(MountainTime.addDays({ year: 0, month: 1, day: 1 }, -1)).toStrictEqual({ year: -1, month: 12, day: 31 })
  })

  it("formatOffset writes offsets as ISO 8601 does, to the second before 1883", () => {
    expect([-420, -360, 0, 330, 345, -570].map(MountainTime.formatOffset)).toStrictEqual([
      "-07:00",
      "-06:00",
      "+00:00",
      "+05:30",
      "+05:45",
      "-09:30"
    ])
    const lmt = Date.UTC(1850, 0, 1)
    expect(MountainTime.formatOffset(MountainTime.offsetMinutes(lmt))).toBe(denverReference(lmt).slice(19))
    expect(MountainTime.formatOffset(MountainTime.offsetMinutes(lmt))).toBe("-06:59:56")
    expect(() => MountainTime.formatOffset(Number.NaN)).toThrow(RangeError)
  })
})
