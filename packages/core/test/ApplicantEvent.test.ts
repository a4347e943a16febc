import { describe, expect, it } from "@effect/vitest"
import * as DateTime from "effect/DateTime"
import * as Either from "effect/Either"
import * as fc from "effect/FastCheck"
import * as JSONSchema from "effect/JSONSchema"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as ApplicantEvent from "../src/ApplicantEvent.js"
import { denverReference } from "./intlReference.js"

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/** A minimal valid input; each test changes one thing about it. */
const base = {
  integration_id: "int_1",
  applicant_id: "app_1",
  application_id: "apl_1",
  event_type_id: "evt_1",
  event_datetime: "2026-01-15T09:30:00-07:00"
} as const

const decodeOk = (input: unknown): ApplicantEvent.ApplicantEvent => {
  const result = ApplicantEvent.decode(input)
  if (Either.isLeft(result)) throw new Error(`expected a valid event, got ${result.left.message}`)
  return result.right
}

const failure = (input: unknown): ApplicantEvent.InvalidApplicantEvent => {
  const result = ApplicantEvent.decode(input)
  if (Either.isRight(result)) throw new Error(`expected an invalid event, got ${JSON.stringify(result.right)}`)
  return result.left
}

const issuesOf = (input: unknown): ReadonlyArray<ApplicantEvent.FieldIssue> => failure(input).issues

type Field = keyof ApplicantEvent.ApplicantEvent

/** The one issue a single bad field yields. */
const onlyIssue = (field: Field, value: unknown): ApplicantEvent.FieldIssue => {
  const [issue, ...others] = issuesOf({ ...base, [field]: value })
  expect(others).toStrictEqual([])
  expect(issue?.path).toBe(field)
  if (issue === undefined) throw new Error("no issue")
  return issue
}

/** The wire value a single field decodes to. */
const accepts = (field: Field, value: unknown): unknown => decodeOk({ ...base, [field]: value })[field]

const decodeWire = Schema.decodeUnknownEither(ApplicantEvent.ApplicantEvent)

/** ISO 8601 text of the instant at a given offset, milliseconds kept. */
const isoAtOffset = (ms: number, offsetMinutes: number): string => {
  const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 23)
  const abs = Math.abs(offsetMinutes)
  const hh = String(Math.floor(abs / 60)).padStart(2, "0")
  const mm = String(abs % 60).padStart(2, "0")
  return `${local}${offsetMinutes < 0 ? "-" : "+"}${hh}:${mm}`
}

/** Every millisecond of the years 1900 to 2100 in Mountain Time (MST on New Year's Day). */
const IN_YEARS = { min: Date.UTC(1900, 0, 1, 7), max: Date.UTC(2101, 0, 1, 7) - 1 } as const

const INSTANT_KINDS = ["Date", "Utc", "Zoned", "Z", "offset", "wire"] as const

/**
 * The instant `ms` as a caller may give it: a `Date`, an effect `DateTime`
 * (UTC or zoned in `zone`), ISO text with `Z` or with `offset` minutes, or
 * the Mountain wire string itself.
 */
const instantAs = (
  kind: typeof INSTANT_KINDS[number],
  ms: number,
  zone: string,
  offset: number
): unknown => {
  switch (kind) {
    case "Date":
      return new Date(ms)
    case "Utc":
      return DateTime.unsafeMake(ms)
    case "Zoned":
      return DateTime.unsafeMakeZoned(ms, { timeZone: zone })
    case "Z":
      return new Date(ms).toISOString()
    case "offset":
      return isoAtOffset(ms, offset)
    case "wire":
      return denverReference(ms)
  }
}

// ---------------------------------------------------------------------------
// Field rules
// ---------------------------------------------------------------------------

describe("ApplicantEvent.decode", () => {
  describe("required fields", () => {
    const required = ["integration_id", "applicant_id", "application_id", "event_type_id", "event_datetime"] as const

    it("accepts the minimal event", () => {
      expect(decodeOk(base)).toStrictEqual(base)
    })

    it.each(required)("reports %s as required when missing", (field) => {
      const { [field]: _omitted, ...rest } = base
      expect(issuesOf(rest)).toStrictEqual([{ path: field, message: "is required" }])
    })

    it.each(required)("reports %s as required when undefined", (field) => {
      expect(issuesOf({ ...base, [field]: undefined })).toStrictEqual([{ path: field, message: "is required" }])
    })

    it("reports every missing required field of an empty object", () => {
      expect(issuesOf({})).toStrictEqual(required.map((path) => ({ path, message: "is required" })))
    })

    const ids = ["integration_id", "applicant_id", "application_id", "event_type_id"] as const
    const optionalIds = ["event_result_id", "event_sub_type_id", "employee_id", "unit_id"] as const

    const ID_RULE = "must be 1 to 64 characters of A-Z, a-z, 0-9, _ and -"

    it.each([...ids, ...optionalIds])("%s: rejects empty and white-space ids, trims the rest", (field) => {
      for (const blank of ["", " ", "\t\n "]) {
        expect(onlyIssue(field, blank).message).toBe(`${ID_RULE}, got ${JSON.stringify(blank)}`)
      }
      expect(onlyIssue(field, 42).message).toBe(`${ID_RULE}, got 42`)
      expect(accepts(field, "  abc_123\t")).toBe("abc_123")
      expect(accepts(field, "a")).toBe("a")
      expect(accepts(field, "cm0rxzwroikxkvltaghvnm6xx")).toBe("cm0rxzwroikxkvltaghvnm6xx")
      expect(accepts(field, "AZaz09_-")).toBe("AZaz09_-")
      expect(accepts(field, "x".repeat(64))).toBe("x".repeat(64))
    })

    it.each([...ids, ...optionalIds])("%s: refuses what could change a URL path, naming the rule", (field) => {
      for (
        const bad of ["../events/", "%2e%2e/", "a/b", "?x=1", "#x", "a\\b", "inner space", "a.b", "é", "a\u0000", "a\nb"]
      ) {
        expect(onlyIssue(field, bad).message).toBe(`${ID_RULE}, got ${JSON.stringify(bad)}`)
      }
      expect(onlyIssue(field, "x".repeat(65)).message).toBe(`${ID_RULE}, got 65 characters`)
    })

    it.each([...ids, ...optionalIds])("%s: refuses a 60,000-character id by its length, not its text", (field) => {
      const huge = "a".repeat(60_000)
      const { message } = onlyIssue(field, huge)
      expect(message).toBe(`${ID_RULE}, got 60000 characters`)
      expect(Either.isLeft(decodeWire({ ...base, [field]: huge }))).toBe(true)
    })

    it("holds ids to the same rule on the wire, untrimmed", () => {
      for (const id of ["int_1", "cm0rxzwroikxkvltaghvnm6xx", "A-z_0"]) {
        expect(Either.isRight(decodeWire({ ...base, integration_id: id })), id).toBe(true)
      }
      for (const id of ["", " int_1", "a/b", "../events/", "x".repeat(65)]) {
        const result = decodeWire({ ...base, integration_id: id })
        expect(Either.isLeft(result), id).toBe(true)
      }
    })

    it("exports the one id schema every id field uses", () => {
      expect(ApplicantEvent.Id).toBe(ApplicantEvent.PropexoId)
      expect(Schema.decodeUnknownEither(ApplicantEvent.PropexoId)("evt_1")).toStrictEqual(Either.right("evt_1"))
      const refused = Schema.decodeUnknownEither(ApplicantEvent.PropexoId)("a/b")
      expect(Either.isLeft(refused) && refused.left.message).toBe(`${ID_RULE}, got "a/b"`)
    })

    it("describes the rule in JSON Schema too, for OpenAPI descriptions", () => {
      expect(JSONSchema.make(ApplicantEvent.PropexoId)).toStrictEqual({
        $schema: "http://json-schema.org/draft-07/schema#",
        type: "string",
        minLength: 1,
        maxLength: 64,
        pattern: "^[A-Za-z0-9_-]+$"
      })
    })
  })

  describe("notes", () => {
    it("accepts 256 characters and rejects 257, naming the limit and the length", () => {
      expect(accepts("notes", "n".repeat(256))).toBe("n".repeat(256))
      expect(accepts("notes", "")).toBe("")
      expect(onlyIssue("notes", "n".repeat(257)).message).toBe(
        "must be text of at most 256 characters, got 257 characters"
      )
      expect(onlyIssue("notes", "n".repeat(1000)).message).toBe(
        "must be text of at most 256 characters, got 1000 characters"
      )
    })

    it("counts length as JavaScript (and Propexo's validator) does, in UTF-16 units", () => {
      // 128 astral characters are 256 UTF-16 units; one more unit is too many.
      expect(accepts("notes", "😀".repeat(128))).toBe("😀".repeat(128))
      expect(onlyIssue("notes", "😀".repeat(128) + "x").message).toBe(
        "must be text of at most 256 characters, got 257 characters"
      )
    })

    it("rejects non-text", () => {
      expect(onlyIssue("notes", 5).message).toBe("must be text, got 5")
      expect(onlyIssue("notes", null).message).toBe("must be text, got null")
    })

    it("keeps text fields verbatim and rejects non-text", () => {
      for (const field of ["reasons_for_event", "title", "email_body", "email_subject"] as const) {
        expect(accepts(field, "  Tour at 3, \"unit\" 12\n")).toBe("  Tour at 3, \"unit\" 12\n")
        expect(accepts(field, "")).toBe("")
        expect(onlyIssue(field, 5).message).toBe("must be text, got 5")
        expect(onlyIssue(field, ["a"]).message).toBe("must be text, got [\"a\"]")
      }
    })
  })

  describe("call_duration", () => {
    it.each([0, 1, 300, 86_400])("accepts %s", (seconds) => {
      expect(accepts("call_duration", seconds)).toBe(seconds)
    })

    it.each([
      [-1, "-1"],
      [86_401, "86401"],
      [1.5, "1.5"],
      [86_399.5, "86399.5"],
      ["300", "\"300\""],
      [null, "null"],
      [true, "true"]
    ])("rejects %j", (seconds, shown) => {
      expect(onlyIssue("call_duration", seconds).message).toBe(
        `must be an integer from 0 to 86400 seconds, got ${shown}`
      )
    })

    it.each([NaN, Infinity, -Infinity])("rejects %s", (seconds) => {
      expect(onlyIssue("call_duration", seconds).message).toMatch(
        /^must be an integer from 0 to 86400 seconds, got /
      )
    })

    it("names NaN as NaN, not null, in the message", () => {
      expect(onlyIssue("call_duration", NaN).message).toBe("must be an integer from 0 to 86400 seconds, got NaN")
    })
  })

  describe("call_status", () => {
    const statuses = ["BUSY", "ABANDONED", "DISCONNECTED", "FAILURE_TO_CONNECT", "NO_ANSWER", "ANSWER", "VOICEMAIL"]

    it.each(statuses)("accepts %s", (status) => {
      expect(accepts("call_status", status)).toBe(status)
    })

    it.each(["answer", "Answer", " ANSWER", "RINGING", "", "NO ANSWER"])("rejects %j", (status) => {
      expect(onlyIssue("call_status", status).message).toBe(
        `must be one of ${statuses.join(", ")}, got ${JSON.stringify(status)}`
      )
    })
  })

  describe("call_audio_link", () => {
    it.each([
      "https://calls.example.com/rec/123.mp3",
      "http://calls.example.com/rec?id=123#t=5",
      "https://example.com",
      "http://127.0.0.1:8080/a"
    ])("accepts %s", (url) => {
      expect(accepts("call_audio_link", url)).toBe(url)
    })

    it.each([
      "/rec/123.mp3",
      "rec/123.mp3",
      "//calls.example.com/rec.mp3",
      "ftp://calls.example.com/rec.mp3",
      "javascript:alert(1)",
      "mailto:jane@example.com",
      "file:///etc/passwd",
      "http://",
      "https:example.com", // WHATWG URL would read it as https://example.com/
      " https://calls.example.com/rec.mp3 ",
      "https://calls.example.com/a b",
      "not a url",
      ""
    ])("rejects %j", (url) => {
      expect(onlyIssue("call_audio_link", url).message).toBe(
        `must be an absolute http(s) URL, got ${JSON.stringify(url)}`
      )
    })
  })

  describe("emails", () => {
    const fields = ["email_from", "email_to", "email_cc", "email_bcc"] as const

    it.each(fields)("%s: accepts addresses and trims them", (field) => {
      expect(accepts(field, "jane@example.com")).toBe("jane@example.com")
      expect(accepts(field, "a@b.co")).toBe("a@b.co")
      expect(accepts(field, "Jane.Doe+leasing@Sub.Example.co.uk")).toBe("Jane.Doe+leasing@Sub.Example.co.uk")
      expect(accepts(field, "o'brien_1@my-property.rentals")).toBe("o'brien_1@my-property.rentals")
      expect(accepts(field, "  jane@example.com\n")).toBe("jane@example.com")
    })

    it.each(fields)("%s: rejects what is not an address", (field) => {
      for (
        const bad of [
          "jane@example", // no top-level domain
          "jane@example.c", // one-letter top-level domain
          "jane@123.456", // numeric top-level domain
          "jane doe@example.com",
          "jane@exa mple.com",
          "@example.com",
          "jane@",
          "jane",
          "jane@@example.com",
          "jane@-example.com",
          "jane@example.com.",
          "Jane <jane@example.com>",
          ".jane@example.com", // leading dot, refused by Propexo's (Zod) rule
          "jane..doe@example.com", // doubled dot, likewise
          "jane.@example.com", // trailing dot, likewise
          ""
        ]
      ) {
        expect(onlyIssue(field, bad).message).toBe(
          `must be an email address such as jane@example.com, got ${JSON.stringify(bad)}`
        )
      }
      expect(onlyIssue(field, 7).message).toBe("must be an email address such as jane@example.com, got 7")
    })
  })

  describe("phone numbers", () => {
    const fields = ["call_phone_number_from", "call_phone_number_to"] as const

    it.each([
      ["(403) 555-1234", "+14035551234"],
      ["403.555.1234", "+14035551234"],
      ["403-555-1234", "+14035551234"],
      ["4035551234", "+14035551234"],
      ["1 403 555 1234", "+14035551234"],
      ["1-403-555-1234", "+14035551234"],
      ["+1 403 555 1234", "+14035551234"],
      ["+1 (403) 555-1234", "+14035551234"],
      ["+14035551234", "+14035551234"],
      ["  +14035551234 ", "+14035551234"],
      ["+447911123456", "+447911123456"],
      ["+44 7911 123456", "+447911123456"]
    ])("normalises %j to %s", (written, e164) => {
      for (const field of fields) expect(accepts(field, written)).toBe(e164)
    })

    it.each([
      "12345",
      "555-1234",
      "055-555-1234", // area code starting 0
      "155-555-1234", // area code starting 1
      "403-055-1234", // exchange starting 0
      "403-155-1234", // exchange starting 1
      "+1 055 555 1234",
      "+1403555123", // +1 with nine national digits
      "403-555-12345", // eleven digits not starting with 1
      "2 403 555 1234",
      "+4479111234567890", // sixteen digits: longer than E.164 allows
      "+0441234567",
      "403-555-CALL",
      "call me",
      "(+1) 403 555 1234",
      "++14035551234",
      "+",
      ""
    ])("rejects %j", (written) => {
      for (const field of fields) {
        expect(onlyIssue(field, written).message).toBe(
          "must be a phone number in E.164 form (+14035551234) or a US number such as (403) 555-1234, got " +
            JSON.stringify(written)
        )
      }
    })

    it("rejects numbers given as numbers", () => {
      expect(onlyIssue("call_phone_number_to", 4035551234).message).toMatch(/got 4035551234$/)
    })
  })

  describe("time_from / time_to", () => {
    it.each([
      ["09:30", "09:30:00"],
      ["00:00", "00:00:00"],
      ["23:59", "23:59:00"],
      ["09:30:15", "09:30:15"],
      ["23:59:59", "23:59:59"],
      [" 09:30 ", "09:30:00"]
    ])("accepts %j as %s", (written, wire) => {
      expect(accepts("time_from", written)).toBe(wire)
      expect(accepts("time_to", written)).toBe(wire)
    })

    it.each(["24:00", "24:00:00", "9:30", "12:60", "12:30:60", "12", "12:3", "09:30:00.5", "9.30", "noon", ""])(
      "rejects %j",
      (written) => {
        for (const field of ["time_from", "time_to"] as const) {
          expect(onlyIssue(field, written).message).toBe(
            `must be a 24-hour time HH:mm:ss or HH:mm such as 09:30, got ${JSON.stringify(written)}`
          )
        }
      }
    )
  })

  describe("event_datetime / appointment_datetime", () => {
    const fields = ["event_datetime", "appointment_datetime"] as const

    it.each([
      ["a Date in winter", new Date("2026-01-15T16:30:00Z"), "2026-01-15T09:30:00-07:00"],
      ["a Date in summer", new Date("2026-07-04T18:00:00Z"), "2026-07-04T12:00:00-06:00"],
      ["a DateTime.Utc", DateTime.unsafeMake("2026-07-04T18:00:00Z"), "2026-07-04T12:00:00-06:00"],
      [
        "a DateTime.Zoned in Tokyo",
        DateTime.unsafeMakeZoned(Date.UTC(2026, 6, 4, 18), { timeZone: "Asia/Tokyo" }),
        "2026-07-04T12:00:00-06:00"
      ],
      [
        "a DateTime.Zoned in Denver",
        DateTime.unsafeMakeZoned(Date.UTC(2026, 0, 15, 16, 30), { timeZone: "America/Denver" }),
        "2026-01-15T09:30:00-07:00"
      ],
      ["ISO with Z", "2026-01-15T16:30:00Z", "2026-01-15T09:30:00-07:00"],
      ["ISO with +09:00", "2026-07-05T03:00:00+09:00", "2026-07-04T12:00:00-06:00"],
      ["ISO with a wrong Mountain offset", "2026-07-04T12:00:00-07:00", "2026-07-04T13:00:00-06:00"],
      ["ISO with fractional seconds", "2026-01-15T16:30:59.999Z", "2026-01-15T09:30:59-07:00"],
      ["ISO with nanoseconds", "2026-01-15T16:30:59.999999999+00:00", "2026-01-15T09:30:59-07:00"],
      ["a Date with milliseconds", new Date("2026-01-15T16:30:59.999Z"), "2026-01-15T09:30:59-07:00"],
      ["a Date before 1970 with milliseconds", new Date("1969-12-31T23:59:59.500Z"), "1969-12-31T16:59:59-07:00"],
      ["the wire form itself", "2026-11-28T14:30:00-07:00", "2026-11-28T14:30:00-07:00"]
    ])("converts %s", (_, input, wire) => {
      for (const field of fields) expect(accepts(field, input)).toBe(wire)
    })

    it.each([
      ["2026-03-08T08:59:59Z", "2026-03-08T01:59:59-07:00"],
      ["2026-03-08T09:00:00Z", "2026-03-08T03:00:00-06:00"],
      ["2026-11-01T07:59:59Z", "2026-11-01T01:59:59-06:00"],
      ["2026-11-01T08:00:00Z", "2026-11-01T01:00:00-07:00"],
      ["2026-11-01T06:59:59Z", "2026-11-01T00:59:59-06:00"],
      ["2026-11-01T09:00:00Z", "2026-11-01T02:00:00-07:00"]
    ])("switches offset exactly at the DST transition: %s -> %s", (instant, wire) => {
      for (const field of fields) {
        expect(accepts(field, instant)).toBe(wire)
        expect(accepts(field, new Date(instant))).toBe(wire)
        expect(accepts(field, DateTime.unsafeMake(instant))).toBe(wire)
      }
    })

    it("rejects a string without an offset, saying the offset is missing", () => {
      for (const field of fields) {
        const { message } = onlyIssue(field, "2026-01-15T09:30:00")
        expect(message).toContain("\"2026-01-15T09:30:00\"")
        expect(message).toContain("has no UTC offset")
      }
    })

    it.each([
      ["2026-02-30T10:00:00Z", "has day 30"],
      ["2026-13-01T10:00:00Z", "has month 13"],
      ["2026-01-15T24:00:00Z", "has hour 24"],
      ["2026-01-15T09:30:00+24:00", "not a valid UTC offset"],
      ["15/01/2026 09:30", "is not an ISO 8601 date-time"],
      ["", "is not an ISO 8601 date-time"]
    ])("rejects %j, saying why", (text, reason) => {
      for (const field of fields) {
        const { message } = onlyIssue(field, text)
        expect(message).toMatch(/^must be an ISO 8601 date-time with an offset/)
        expect(message).toContain(reason)
      }
    })

    it("rejects an invalid Date", () => {
      for (const field of fields) {
        expect(onlyIssue(field, new Date(NaN)).message).toBe(
          "must be a Date, an effect DateTime, or an ISO 8601 string with an offset, got an invalid Date"
        )
      }
    })

    it.each([1_767_225_600_000, 0, true, null, {}])("rejects %j", (value) => {
      for (const field of fields) {
        expect(onlyIssue(field, value).message).toMatch(
          /^must be a Date, an effect DateTime, or an ISO 8601 string with an offset, got /
        )
      }
    })

    it.prop(
      "agrees with Intl's America/Denver for every kind of input",
      {
        ms: fc.integer(IN_YEARS),
        kind: fc.constantFrom(...INSTANT_KINDS.filter((k) => k !== "wire")),
        zone: fc.constantFrom("Asia/Tokyo", "Europe/Berlin", "America/Denver", "Pacific/Chatham", "UTC"),
        offset: fc.integer({ min: -48, max: 56 }).map((quarters) => quarters * 15)
      },
      ({ kind, ms, offset, zone }) => {
        expect(accepts("event_datetime", instantAs(kind, ms, zone, offset))).toBe(denverReference(ms))
      },
      { fastCheck: { numRuns: 500 } }
    )

    const YEARS_RULE = "must be a date-time in the years 1900 to 2100 in Mountain Time " +
      "(1900-01-01T00:00:00-07:00 to 2100-12-31T23:59:59-07:00)"

    it.each(INSTANT_KINDS)("accepts the first and the last instant of the years 1900 to 2100 given as %s", (kind) => {
      for (const field of fields) {
        expect(accepts(field, instantAs(kind, IN_YEARS.min, "Asia/Tokyo", 540))).toBe("1900-01-01T00:00:00-07:00")
        expect(accepts(field, instantAs(kind, IN_YEARS.max, "Asia/Tokyo", 540))).toBe("2100-12-31T23:59:59-07:00")
      }
    })

    it.each(INSTANT_KINDS.filter((k) => k !== "wire"))(
      "refuses the millisecond before and the one after, given as %s, naming the range",
      (kind) => {
        for (const field of fields) {
          for (const ms of [IN_YEARS.min - 1, IN_YEARS.max + 1]) {
            const value = instantAs(kind, ms, "Asia/Tokyo", 540)
            expect(onlyIssue(field, value).message.startsWith(`${YEARS_RULE}, got `), String(value)).toBe(true)
          }
        }
      }
    )

    it.each([
      ["1899-12-31T23:59:59-07:00", "\"1899-12-31T23:59:59-07:00\""],
      ["2101-01-01T00:00:00-07:00", "\"2101-01-01T00:00:00-07:00\""],
      ["1850-06-01T12:00:00Z", "\"1850-06-01T12:00:00Z\""],
      ["0001-01-01T00:00:00+14:00", "\"0001-01-01T00:00:00+14:00\""],
      ["9999-12-31T23:59:59Z", "\"9999-12-31T23:59:59Z\""],
      [new Date("1850-06-01T12:00:00Z"), "1850-06-01T12:00:00.000Z"],
      [new Date(8.64e15), "+275760-09-13T00:00:00.000Z"],
      [new Date(-8.64e15), "-271821-04-20T00:00:00.000Z"],
      [DateTime.unsafeMake("1000-01-01T00:00:00Z"), "1000-01-01T00:00:00.000Z"],
      [
        DateTime.unsafeMakeZoned(Date.UTC(2500, 6, 4), { timeZone: "Asia/Tokyo" }),
        "2500-07-04T09:00:00.000+09:00[Asia/Tokyo]"
      ]
    ])("refuses %s far outside the years, naming the range, not an odd offset", (value, shown) => {
      for (const field of fields) expect(onlyIssue(field, value).message).toBe(`${YEARS_RULE}, got ${shown}`)
    })

    it("holds the wire form to the same years", () => {
      for (const text of ["1900-01-01T00:00:00-07:00", "2100-12-31T23:59:59-07:00", "2100-07-04T12:00:00-06:00"]) {
        expect(Either.isRight(decodeWire({ ...base, event_datetime: text })), text).toBe(true)
      }
      for (const text of ["1899-12-31T23:59:59-07:00", "2101-01-01T00:00:00-07:00", "1850-06-01T05:00:00-07:00"]) {
        const result = decodeWire({ ...base, appointment_datetime: text })
        expect(Either.isLeft(result) && result.left.message, text)
          .toContain(`${YEARS_RULE}, got ${JSON.stringify(text)}`)
      }
    })
  })

  describe("email_send", () => {
    it("accepts booleans only", () => {
      expect(accepts("email_send", true)).toBe(true)
      expect(accepts("email_send", false)).toBe(false)
      for (const value of ["true", "false", 1, 0, null, "yes"]) {
        expect(onlyIssue("email_send", value).message).toBe(`must be true or false, got ${JSON.stringify(value)}`)
      }
    })
  })

  describe("values shown in messages", () => {
    const nested = (levels: number): unknown => {
      let value: unknown = []
      for (let i = 0; i < levels; i++) value = [value]
      return value
    }

    /** Every message of the issues a field holding `value` yields, each checked to be short. */
    const messagesFor = (value: unknown): ReadonlyArray<string> =>
      ApplicantEvent.FIELDS.map((field) => {
        const { message } = onlyIssue(field, value)
        expect(message.length, field).toBeLessThan(300)
        return message
      })

    it("shows an array 5,000 levels deep, in any field, four levels deep", () => {
      const parsed: unknown = JSON.parse(`{"v":${"[".repeat(5000)}${"]".repeat(5000)}}`).v
      for (const value of [parsed, nested(5000)]) {
        for (const message of messagesFor(value)) expect(message).toMatch(/, got \[\[\[\[…\]\]\]\]$/)
      }
      expect(issuesOf(nested(5000))).toStrictEqual([
        { path: "", message: "must be an object of applicant event fields, got [[[[…]]]]" }
      ])
    })

    it("shows a 1 MB string by its first 80 characters, or by its length", () => {
      const huge = "x".repeat(1 << 20)
      const text = ["reasons_for_event", "title", "email_body", "email_subject"]
      for (const field of ApplicantEvent.FIELDS) {
        if (text.includes(field)) {
          expect(accepts(field, huge)).toBe(huge)
          continue
        }
        const { message } = onlyIssue(field, huge)
        expect(message.length, field).toBeLessThan(300)
        expect(
          message.includes(`, got "${"x".repeat(80)}"…`) || message.endsWith(", got 1048576 characters"),
          `${field}: ${message}`
        ).toBe(true)
      }
    })

    it("shows 1e400, which JSON.parse makes Infinity, as Infinity", () => {
      const input: unknown = JSON.parse(
        JSON.stringify(base).replace("{", "{\"call_duration\":1e400,\"notes\":[1e400,-1e400],")
      )
      expect(issuesOf(input)).toStrictEqual([
        { path: "notes", message: "must be text, got [Infinity,-Infinity]" },
        { path: "call_duration", message: "must be an integer from 0 to 86400 seconds, got Infinity" }
      ])
    })

    it("shows cyclic objects and arrays, with or without a prototype, to a bounded depth", () => {
      const cyclic: Record<string, unknown> = {}
      cyclic.self = cyclic
      const bare: Record<string, unknown> = Object.create(null)
      bare.self = bare
      const loop: Array<unknown> = []
      loop.push(loop)
      for (const value of [cyclic, bare]) {
        for (const message of messagesFor(value)) {
          expect(message).toMatch(/, got \{"self":\{"self":\{"self":\{…\}\}\}\}$/)
        }
      }
      for (const message of messagesFor(loop)) expect(message).toMatch(/, got \[\[\[\[…\]\]\]\]$/)
    })

    it("shows an own \"__proto__\" key as a key, and pollutes nothing", () => {
      const value: unknown = JSON.parse("{\"__proto__\":{\"polluted\":true}}")
      expect(onlyIssue("notes", value).message).toBe("must be text, got {\"__proto__\":{\"polluted\":true}}")
      expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    })

    it("runs none of the value's own code: no getter, toJSON or toString", () => {
      const hostile = {
        get boom(): never {
          throw new Error("getter ran")
        },
        toJSON(): never {
          throw new Error("toJSON ran")
        },
        toString(): never {
          throw new Error("toString ran")
        }
      }
      for (const message of messagesFor(hostile)) {
        expect(message).toMatch(/, got \{"boom":\(getter\),"toJSON":\(function\),"toString":\(function\)\}$/)
      }
      const trap = (): never => {
        throw new Error("trap ran")
      }
      const proxy = new Proxy({}, { getPrototypeOf: trap, ownKeys: trap, getOwnPropertyDescriptor: trap, has: trap })
      expect(onlyIssue("notes", proxy).message).toBe("must be text, got a value that cannot be shown")
    })

    it("cuts long arrays, objects and keys at 80 characters", () => {
      const many = Array.from({ length: 1_000_000 }, (_, i) => i)
      const wide = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`key${i}`, i]))
      const longKey = { ["k".repeat(1 << 20)]: 1 }
      expect(onlyIssue("notes", many).message).toBe(`must be text, got ${JSON.stringify(many).slice(0, 80)}…`)
      expect(onlyIssue("notes", wide).message).toBe(`must be text, got ${JSON.stringify(wide).slice(0, 80)}…`)
      expect(onlyIssue("notes", longKey).message).toBe(`must be text, got {"${"k".repeat(78)}…`)
      expect(onlyIssue("notes", new Uint8Array(1 << 20)).message).toBe("must be text, got (binary data)")
      expect(onlyIssue("notes", [new Uint8Array(1 << 20)]).message).toBe("must be text, got [(binary data)]")
    })

    it("never cuts a character in half", () => {
      const message = onlyIssue("call_status", `x${"😀".repeat(100)}`).message
      expect(message).toBe(
        `must be one of BUSY, ABANDONED, DISCONNECTED, FAILURE_TO_CONNECT, NO_ANSWER, ANSWER, VOICEMAIL, got "x${
          "😀".repeat(39)
        }"…`
      )
    })
  })

  describe("the input as a whole", () => {
    it("rejects unknown keys", () => {
      expect(issuesOf({ ...base, eventDatetime: "x", phone: "403" })).toStrictEqual([
        { path: "eventDatetime", message: "is not a field of an Entrata applicant event" },
        { path: "phone", message: "is not a field of an Entrata applicant event" }
      ])
    })

    it("rejects a \"__proto__\" key from parsed JSON as unknown", () => {
      const input: unknown = JSON.parse(JSON.stringify(base).replace("{", "{\"__proto__\":1,"))
      expect(issuesOf(input)).toStrictEqual([
        { path: "__proto__", message: "is not a field of an Entrata applicant event" }
      ])
    })

    describe("embedded in another schema", () => {
      const Wrapper = Schema.Struct({ event: ApplicantEvent.ApplicantEventInput })
      const issuesIn = (input: unknown, options?: { readonly onExcessProperty: "ignore" | "preserve" }) => {
        const result = Schema.decodeUnknownEither(Wrapper)(input, options)
        return Either.isLeft(result) ? ParseResult.ArrayFormatter.formatErrorSync(result.left) : []
      }

      it("refuses a misspelt field, decoded with default options", () => {
        expect(issuesIn({ event: { ...base, call_duraton: 60 } })).toStrictEqual([
          { _tag: "Unexpected", path: ["event", "call_duraton"], message: expect.stringMatching(/^is unexpected/) }
        ])
      })

      it("refuses it whatever the options say about excess properties", () => {
        for (const onExcessProperty of ["ignore", "preserve"] as const) {
          expect(issuesIn({ event: { ...base, call_duraton: 60 } }, { onExcessProperty }).map((i) => i.path))
            .toStrictEqual([["event", "call_duraton"]])
        }
      })

      it("leaves the embedding schema's own rule for its own keys", () => {
        const decoded = Schema.decodeUnknownEither(Wrapper)({ event: base, extra: 1 })
        expect(decoded).toStrictEqual(Either.right({ event: base }))
      })

      it("refuses it inside arrays too", () => {
        const result = Schema.decodeUnknownEither(Schema.Array(ApplicantEvent.ApplicantEventInput))([
          base,
          { ...base, eventDatetime: "x" }
        ])
        expect(Either.isLeft(result) && ParseResult.ArrayFormatter.formatErrorSync(result.left).map((i) => i.path))
          .toStrictEqual([[1, "eventDatetime"]])
      })

      it("says what it expected of a value that is not an object, briefly", () => {
        expect(issuesIn({ event: 5 })).toStrictEqual([
          { _tag: "Type", path: ["event"], message: "must be an object of applicant event fields, got 5" }
        ])
      })
    })

    it("treats keys whose value is undefined as absent", () => {
      const event = decodeOk({ ...base, notes: undefined, call_duration: undefined, unknown_key: undefined })
      expect(event).toStrictEqual(base)
      expect(Object.keys(event)).toStrictEqual(Object.keys(base))
    })

    it.each([
      [null, "null"],
      [[], "[]"],
      [[base], `${JSON.stringify([base]).slice(0, 80)}…`],
      ["event", "\"event\""],
      [42, "42"],
      [undefined, "nothing"]
    ])("gives one whole-event issue for %j", (input, shown) => {
      expect(issuesOf(input)).toStrictEqual([
        { path: "", message: `must be an object of applicant event fields, got ${shown}` }
      ])
      expect(failure(input).message).toBe(
        `Invalid applicant event: must be an object of applicant event fields, got ${shown}`
      )
    })

    it("reports every problem at once, one issue per bad field", () => {
      const { applicant_id: _missing, ...rest } = base
      const issues = issuesOf({
        ...rest,
        integration_id: " ",
        event_datetime: "2026-01-15T09:30:00",
        notes: "x".repeat(300),
        call_duration: 90_000,
        call_status: "answered",
        call_phone_number_from: "12345",
        call_audio_link: "ftp://x.example/a",
        time_to: "24:00",
        email_from: "jane@example",
        email_send: "yes",
        eventType: "Call-Outgoing"
      })
      expect(issues.map((i) => i.path).sort()).toStrictEqual(
        [
          "applicant_id",
          "integration_id",
          "event_datetime",
          "notes",
          "call_duration",
          "call_status",
          "call_phone_number_from",
          "call_audio_link",
          "time_to",
          "email_from",
          "email_send",
          "eventType"
        ].sort()
      )
    })

    const bad: ReadonlyArray<readonly [string, unknown]> = [
      ["integration_id", ""],
      ["applicant_id", undefined],
      ["application_id", 1],
      ["event_type_id", "   "],
      ["event_datetime", "2026-01-15 09:30"],
      ["event_result_id", ""],
      ["event_sub_type_id", null],
      ["employee_id", " "],
      ["unit_id", []],
      ["reasons_for_event", 1],
      ["notes", "x".repeat(257)],
      ["appointment_datetime", new Date(NaN)],
      ["time_from", "9:30"],
      ["time_to", "12:60"],
      ["title", false],
      ["call_phone_number_from", "055-555-1234"],
      ["call_phone_number_to", "+1403555123"],
      ["call_status", "busy"],
      ["call_duration", -1],
      ["call_audio_link", "/a.mp3"],
      ["email_body", {}],
      ["email_subject", 0],
      ["email_from", "jane doe@example.com"],
      ["email_to", "jane@"],
      ["email_cc", "@example.com"],
      ["email_bcc", "jane@example"],
      ["email_send", "true"],
      ["callStatus", "ANSWER"],
      ["Notes", "hi"]
    ]

    it.prop(
      "reports exactly the bad fields, whichever they are",
      { chosen: fc.subarray([...bad], { minLength: 1 }) },
      ({ chosen }) => {
        const input: Record<string, unknown> = { ...base }
        for (const [field, value] of chosen) input[field] = value
        expect(issuesOf(input).map((i) => i.path).sort()).toStrictEqual(chosen.map(([field]) => field).sort())
      },
      { fastCheck: { numRuns: 300 } }
    )
  })
})

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

describe("InvalidApplicantEvent", () => {
  it("is a tagged error whose message lists every issue by field, in field order", () => {
    const error = failure({ ...base, call_duration: 90_000, call_status: "ok" })
    expect(error).toBeInstanceOf(ApplicantEvent.InvalidApplicantEvent)
    expect(error._tag).toBe("InvalidApplicantEvent")
    expect(error.message).toBe(
      "Invalid applicant event: " +
        "call_status: must be one of BUSY, ABANDONED, DISCONNECTED, FAILURE_TO_CONNECT, NO_ANSWER, ANSWER, " +
        "VOICEMAIL, got \"ok\"; " +
        "call_duration: must be an integer from 0 to 86400 seconds, got 90000"
    )
  })

  it("names call_duration and the value received", () => {
    expect(failure({ ...base, call_duration: 90_000 }).message).toBe(
      "Invalid applicant event: call_duration: must be an integer from 0 to 86400 seconds, got 90000"
    )
  })

  it("writes a missing field as required", () => {
    const { event_type_id: _missing, ...rest } = base
    expect(failure(rest).message).toBe("Invalid applicant event: event_type_id: is required")
  })
})

// ---------------------------------------------------------------------------
// Kinds
// ---------------------------------------------------------------------------

describe("ApplicantEvent.requireFieldsFor", () => {
  const callFields = [
    "call_phone_number_from",
    "call_phone_number_to",
    "call_status",
    "call_duration",
    "call_audio_link"
  ] as const
  const call = {
    call_phone_number_from: "+14035551234",
    call_phone_number_to: "+14035559876",
    call_status: "ANSWER",
    call_duration: 0,
    call_audio_link: "https://calls.example.com/1.mp3"
  } as const

  it("names every missing call_* field for call event types", () => {
    const result = ApplicantEvent.requireFieldsFor("call")(decodeOk(base))
    expect(Either.isLeft(result) && result.left.issues).toStrictEqual(
      callFields.map((path) => ({ path, message: "is required for call event types" }))
    )
  })

  it.each(callFields)("names %s alone when only it is missing", (field) => {
    const { [field]: _omitted, ...rest } = call
    const result = ApplicantEvent.requireFieldsFor("call")(decodeOk({ ...base, ...rest }))
    expect(Either.isLeft(result) && result.left.issues).toStrictEqual([
      { path: field, message: "is required for call event types" }
    ])
  })

  it("accepts a call event with every call_* field, a duration of 0 included", () => {
    const event = decodeOk({ ...base, ...call })
    expect(ApplicantEvent.requireFieldsFor("call")(event)).toStrictEqual(Either.right(event))
  })

  it("needs email_from for outgoing-email event types", () => {
    const bare = decodeOk({ ...base, email_to: "jane@example.com" })
    const result = ApplicantEvent.requireFieldsFor("outgoing-email")(bare)
    expect(Either.isLeft(result) && result.left.message).toBe(
      "Invalid applicant event: email_from: is required for outgoing-email event types"
    )
    const withFrom = decodeOk({ ...base, email_from: "leasing@example.com" })
    expect(ApplicantEvent.requireFieldsFor("outgoing-email")(withFrom)).toStrictEqual(Either.right(withFrom))
  })

  it("needs nothing for other event types", () => {
    const event = decodeOk(base)
    expect(ApplicantEvent.requireFieldsFor("other")(event)).toStrictEqual(Either.right(event))
  })
})

// ---------------------------------------------------------------------------
// Wire form
// ---------------------------------------------------------------------------

describe("ApplicantEvent wire form", () => {
  it("lists every field Propexo documents, in the documentation's order", () => {
    expect(ApplicantEvent.FIELDS).toStrictEqual([
      "integration_id",
      "applicant_id",
      "application_id",
      "event_type_id",
      "event_datetime",
      "event_result_id",
      "event_sub_type_id",
      "employee_id",
      "unit_id",
      "reasons_for_event",
      "notes",
      "appointment_datetime",
      "time_from",
      "time_to",
      "title",
      "call_phone_number_from",
      "call_phone_number_to",
      "call_status",
      "call_duration",
      "call_audio_link",
      "email_body",
      "email_subject",
      "email_from",
      "email_to",
      "email_cc",
      "email_bcc",
      "email_send"
    ])
  })

  it("encodes the exact JSON body, fields in the documentation's order", () => {
    const event = decodeOk({
      email_send: false,
      call_audio_link: "https://calls.example.com/rec/1.mp3",
      call_duration: 125,
      call_status: "ANSWER",
      call_phone_number_to: "(403) 555-9876",
      call_phone_number_from: "+1 403 555 1234",
      time_to: "10:00",
      time_from: "09:30",
      appointment_datetime: new Date("2026-07-04T15:30:00Z"),
      notes: "Asked about parking",
      event_datetime: DateTime.unsafeMake("2026-03-08T09:00:00Z"),
      event_type_id: " evt_call ",
      application_id: "apl_9",
      applicant_id: "app_9",
      integration_id: "int_9"
    })
    expect(ApplicantEvent.toJson(event)).toBe(
      "{\"integration_id\":\"int_9\",\"applicant_id\":\"app_9\",\"application_id\":\"apl_9\"," +
        "\"event_type_id\":\"evt_call\",\"event_datetime\":\"2026-03-08T03:00:00-06:00\"," +
        "\"notes\":\"Asked about parking\",\"appointment_datetime\":\"2026-07-04T09:30:00-06:00\"," +
        "\"time_from\":\"09:30:00\",\"time_to\":\"10:00:00\"," +
        "\"call_phone_number_from\":\"+14035551234\",\"call_phone_number_to\":\"+14035559876\"," +
        "\"call_status\":\"ANSWER\",\"call_duration\":125," +
        "\"call_audio_link\":\"https://calls.example.com/rec/1.mp3\",\"email_send\":false}"
    )
  })

  it("accepts wire strings only with Mountain Time's offset at that instant", () => {
    const wire = (event_datetime: string) => decodeWire({ ...base, event_datetime })
    expect(Either.isRight(wire("2026-07-04T12:00:00-06:00"))).toBe(true)
    expect(Either.isRight(wire("2026-01-15T09:30:00-07:00"))).toBe(true)
    // Both readings of the repeated fall-back hour are real instants.
    expect(Either.isRight(wire("2026-11-01T01:30:00-06:00"))).toBe(true)
    expect(Either.isRight(wire("2026-11-01T01:30:00-07:00"))).toBe(true)
    for (
      const text of [
        "2026-07-04T12:00:00-07:00", // summer with the winter offset
        "2026-01-15T09:30:00-06:00", // winter with the summer offset
        "2026-03-08T02:30:00-07:00", // inside the spring-forward gap
        "2026-07-04T18:00:00Z",
        "2026-07-04T12:00:00.000-06:00",
        "2026-07-04T12:00-06:00",
        "2026-07-04 12:00:00-06:00",
        "2026-07-04T12:00:00",
        "2026-07-04T12:00:00-0600"
      ]
    ) {
      const result = wire(text)
      expect(Either.isLeft(result), text).toBe(true)
      expect(Either.isLeft(result) && result.left.message).toContain(JSON.stringify(text))
    }
  })

  it("refuses input forms that only the input schema normalises", () => {
    const refused = [
      ["integration_id", " int_1 "],
      ["time_from", "09:30"],
      ["call_phone_number_from", "(403) 555-1234"],
      ["email_from", " jane@example.com"],
      ["event_datetime", new Date("2026-01-15T16:30:00Z")]
    ] as const
    for (const [field, value] of refused) {
      expect(Either.isLeft(decodeWire({ ...base, [field]: value })), field).toBe(true)
    }
  })

  it("holds phone numbers to the same rule on the wire as in input", () => {
    for (const phone of ["+11234567890", "+123456789", "+1403555123"]) {
      expect(Either.isLeft(decodeWire({ ...base, call_phone_number_from: phone })), phone).toBe(true)
      expect(Either.isLeft(ApplicantEvent.decode({ ...base, call_phone_number_from: phone })), phone).toBe(true)
    }
    for (const phone of ["+14035551234", "+447911123456"]) {
      const wireEvent = decodeWire({ ...base, call_phone_number_from: phone })
      expect(Either.isRight(wireEvent), phone).toBe(true)
      expect(ApplicantEvent.decode({ ...base, call_phone_number_from: phone })).toStrictEqual(wireEvent)
    }
  })
})

// ---------------------------------------------------------------------------
// Round trip
// ---------------------------------------------------------------------------

/** A field's input as a caller may write it, and the wire value it must become. */
type Case = readonly [input: unknown, wire: string | number | boolean]

const same = <A extends string | number | boolean>(arb: fc.Arbitrary<A>): fc.Arbitrary<Case> =>
  arb.map((a) => [a, a] as const)

const padding = fc.constantFrom("", " ", "\t", " \n ")

const idCase: fc.Arbitrary<Case> = fc
  .tuple(fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/), padding, padding)
  .map(([id, before, after]) => [`${before}${id}${after}`, id.trim()] as const)

const instantCase: fc.Arbitrary<Case> = fc
  .tuple(
    fc.integer(IN_YEARS),
    fc.constantFrom(...INSTANT_KINDS),
    fc.constantFrom("Asia/Tokyo", "Europe/Berlin", "America/Denver", "Australia/Lord_Howe"),
    fc.integer({ min: -48, max: 56 }).map((quarters) => quarters * 15)
  )
  .map(([ms, kind, zone, offset]) => [instantAs(kind, ms, zone, offset), denverReference(ms)] as const)

const nanpFormats: ReadonlyArray<(area: string, exchange: string, line: string) => string> = [
  (a, e, l) => `(${a}) ${e}-${l}`,
  (a, e, l) => `${a}.${e}.${l}`,
  (a, e, l) => `${a}-${e}-${l}`,
  (a, e, l) => `${a}${e}${l}`,
  (a, e, l) => `1 ${a} ${e} ${l}`,
  (a, e, l) => `+1 ${a} ${e} ${l}`,
  (a, e, l) => `+1${a}${e}${l}`
]

const phoneCase: fc.Arbitrary<Case> = fc.oneof(
  fc
    .tuple(
      fc.stringMatching(/^[2-9]\d\d$/),
      fc.stringMatching(/^[2-9]\d\d$/),
      fc.stringMatching(/^\d{4}$/),
      fc.constantFrom(...nanpFormats)
    )
    .map(([area, exchange, line, write]) => [write(area, exchange, line), `+1${area}${exchange}${line}`] as const),
  fc
    .stringMatching(/^[2-9]\d{7,14}$/)
    .map((digits) => [`+${digits.slice(0, 2)} ${digits.slice(2)}`, `+${digits}`] as const)
)

const two = (n: number) => String(n).padStart(2, "0")

const timeCase: fc.Arbitrary<Case> = fc
  .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), fc.option(fc.integer({ min: 0, max: 59 })))
  .map(([h, m, s]) => {
    const hhmm = `${two(h)}:${two(m)}`
    return [s === null ? hhmm : `${hhmm}:${two(s)}`, `${hhmm}:${two(s ?? 0)}`] as const
  })

const emailCase: fc.Arbitrary<Case> = fc
  .tuple(
    fc.stringMatching(/^[A-Za-z0-9](?:[A-Za-z0-9._+'-]{0,14}[A-Za-z0-9])?$/).filter((local) => !local.includes("..")),
    fc.array(fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?$/), { minLength: 1, maxLength: 3 }),
    fc.stringMatching(/^[a-z]{2,8}$/),
    padding
  )
  .map(([local, labels, tld, pad]) => {
    const address = `${local}@${labels.join(".")}.${tld}`
    return [`${pad}${address}${pad}`, address] as const
  })

const urlCase: fc.Arbitrary<Case> = same(
  fc
    .tuple(
      fc.constantFrom("http", "https"),
      fc.domain(),
      fc.stringMatching(/^[a-z0-9._-]{0,12}(?:\/[a-z0-9._-]{1,12}){0,3}$/)
    )
    .map(([scheme, domain, path]) => `${scheme}://${domain}/${path}`)
)

const eventCases = fc.record(
  {
    integration_id: idCase,
    applicant_id: idCase,
    application_id: idCase,
    event_type_id: idCase,
    event_datetime: instantCase,
    event_result_id: idCase,
    event_sub_type_id: idCase,
    employee_id: idCase,
    unit_id: idCase,
    reasons_for_event: same(fc.string({ maxLength: 80 })),
    notes: same(fc.string({ maxLength: 256 })),
    appointment_datetime: instantCase,
    time_from: timeCase,
    time_to: timeCase,
    title: same(fc.string({ maxLength: 80 })),
    call_phone_number_from: phoneCase,
    call_phone_number_to: phoneCase,
    call_status: same(
      fc.constantFrom("BUSY", "ABANDONED", "DISCONNECTED", "FAILURE_TO_CONNECT", "NO_ANSWER", "ANSWER", "VOICEMAIL")
    ),
    call_duration: same(fc.integer({ min: 0, max: 86_400 })),
    call_audio_link: urlCase,
    email_body: same(fc.string({ maxLength: 200 })),
    email_subject: same(fc.string({ maxLength: 80 })),
    email_from: emailCase,
    email_to: emailCase,
    email_cc: emailCase,
    email_bcc: emailCase,
    email_send: same(fc.boolean())
  },
  { requiredKeys: ["integration_id", "applicant_id", "application_id", "event_type_id", "event_datetime"] }
)

/** A valid caller input (keys in reverse order) and the wire event it must decode to. */
const validEvent = eventCases.map((cases) => {
  const entries: ReadonlyArray<readonly [string, Case]> = Object.entries(cases)
  return {
    input: Object.fromEntries(entries.map(([field, [input]]) => [field, input]).reverse()),
    wire: Object.fromEntries(entries.map(([field, [, wire]]) => [field, wire]))
  }
})

describe("ApplicantEvent round trip", () => {
  it.prop(
    "decodes a valid input to its wire values",
    { event: validEvent },
    ({ event }) => {
      expect(decodeOk(event.input)).toStrictEqual(event.wire)
    },
    { fastCheck: { numRuns: 300 } }
  )

  it.prop(
    "decoding a decoded event again yields the identical event",
    { event: validEvent },
    ({ event }) => {
      const once = decodeOk(event.input)
      expect(decodeOk(once)).toStrictEqual(once)
    },
    { fastCheck: { numRuns: 300 } }
  )

  it.prop(
    "toJson is JSON.stringify of the event, keys in the documentation's order",
    { event: validEvent },
    ({ event }) => {
      const decoded = decodeOk(event.input)
      const json = ApplicantEvent.toJson(decoded)
      expect(json).toBe(JSON.stringify(decoded))
      expect(Object.keys(JSON.parse(json))).toStrictEqual(ApplicantEvent.FIELDS.filter((f) => f in event.wire))
    },
    { fastCheck: { numRuns: 300 } }
  )

  it.prop(
    "the wire schema validates every decoded event as it is",
    { event: validEvent },
    ({ event }) => {
      const decoded = decodeOk(event.input)
      expect(decodeWire(decoded)).toStrictEqual(Either.right(decoded))
      expect(Schema.is(ApplicantEvent.ApplicantEvent)(decoded)).toBe(true)
    },
    { fastCheck: { numRuns: 300 } }
  )
})
