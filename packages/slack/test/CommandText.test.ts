import { ApplicantEvent, MountainTime } from "@entrata-events/core"
import { describe, expect, it } from "@effect/vitest"
import * as DateTime from "effect/DateTime"
import * as Either from "effect/Either"
import * as fc from "effect/FastCheck"
import {
  type Catalog,
  HELP_TEXT,
  type ParseOptions,
  parseCommandText,
  renderCommandText
} from "../src/CommandText.js"

// Saturday 2026-11-28, 12:00 MST in Denver.
const NOW = Date.parse("2026-11-28T19:00:00Z")
const CATALOG: Catalog = {
  "Call-Outgoing": "cm4callout01",
  "Call-Incoming": "cm4callin02",
  "Email-Outgoing": "cm4emailout03",
  Notes: "cm4notes04"
}
const OPTIONS: ParseOptions = { integrationId: "int_1", now: NOW, catalog: CATALOG }
const BASE = "applicant=a1 application=b2"

const parse = (text: string, options: Partial<ParseOptions> = {}) => parseCommandText(text, { ...OPTIONS, ...options })

const eventOf = (text: string, options: Partial<ParseOptions> = {}): ApplicantEvent.ApplicantEvent => {
  const parsed = parse(text, options)
  if (parsed._tag !== "Event") throw new Error(`expected an event from ${text}, got ${JSON.stringify(parsed)}`)
  return parsed.event
}

const problemsOf = (text: string, options: Partial<ParseOptions> = {}): ReadonlyArray<string> => {
  const parsed = parse(text, options)
  if (parsed._tag !== "Problems") throw new Error(`expected problems from ${text}, got ${JSON.stringify(parsed)}`)
  return parsed.problems
}

/** The event_datetime of a Notes event at `when` (written after `at=` as is). */
const at = (when: string, options: Partial<ParseOptions> = {}): string =>
  eventOf(`Notes ${BASE} at=${when}`, options).event_datetime

describe("help", () => {
  it.each(["", "   ", "help", "HELP", " Help ", "help at"])("%j is the help", (text) => {
    expect(parse(text)._tag).toBe("Help")
  })

  it("a quoted \"help\" is an event type id", () => {
    expect(eventOf(`"help" ${BASE} at=now`, { catalog: undefined }).event_type_id).toBe("help")
  })

  it("documents every key", () => {
    for (
      const key of [
        "applicant",
        "application",
        "at",
        "result",
        "subtype",
        "employee",
        "unit",
        "reasons",
        "notes",
        "title",
        "appointment",
        "from",
        "to",
        "status",
        "duration",
        "audio",
        "subject",
        "body",
        "cc",
        "bcc",
        "send",
        "email_from",
        "email_to",
        "time_from",
        "time_to",
        "event_type_id"
      ]
    ) {
      expect(HELP_TEXT).toContain(`\`${key}`)
    }
  })

  it("is mrkdwn with Slack's control characters escaped", () => {
    expect(HELP_TEXT).not.toMatch(/[<>]/)
    expect(HELP_TEXT.replace(/&(lt|gt|amp);/g, "")).not.toContain("&")
  })

  it("has examples that are valid commands", () => {
    const examples = HELP_TEXT.split("*Examples*")[1]!.trim().split("\n")
    expect(examples).toHaveLength(3)
    for (const example of examples) {
      const text = /^`\/applicant-event (.*)`$/.exec(example)![1]!
      expect(parse(text)._tag, text).toBe("Event")
    }
  })
})

describe("the example from the help", () => {
  it("records an outgoing call", () => {
    expect(
      eventOf(
        "Call-Outgoing applicant=a1b2c3 application=d4e5f6 at=today 2:30pm from=+14035551234 to=403-555-9876 " +
          "status=answered duration=5m audio=https://calls.example.com/r/1.mp3"
      )
    ).toEqual({
      integration_id: "int_1",
      applicant_id: "a1b2c3",
      application_id: "d4e5f6",
      event_type_id: "cm4callout01",
      event_datetime: "2026-11-28T14:30:00-07:00",
      call_phone_number_from: "+14035551234",
      call_phone_number_to: "+14035559876",
      call_status: "ANSWER",
      call_duration: 300,
      call_audio_link: "https://calls.example.com/r/1.mp3"
    })
  })
})

describe("event type", () => {
  it("is a catalog name in any case", () => {
    expect(eventOf(`call-OUTGOING ${BASE} at=now`).event_type_id).toBe("cm4callout01")
  })

  it("is a catalog id", () => {
    expect(eventOf(`cm4notes04 ${BASE} at=now`).event_type_id).toBe("cm4notes04")
  })

  it("is taken as an id when it has a digit, as ids do", () => {
    expect(eventOf(`cm9unlisted ${BASE} at=now`).event_type_id).toBe("cm9unlisted")
  })

  it("is taken as is without a catalog", () => {
    expect(eventOf(`Call-Outgoing ${BASE} at=now`, { catalog: undefined }).event_type_id).toBe("Call-Outgoing")
  })

  it("refuses a name the catalog lacks, suggesting the closest and listing all", () => {
    expect(problemsOf(`Call-Outgong ${BASE} at=now`)).toEqual([
      "unknown event type \"Call-Outgong\"; did you mean Call-Outgoing? " +
      "Known event types: Call-Outgoing, Call-Incoming, Email-Outgoing, Notes"
    ])
  })

  it("refuses names when the catalog is empty", () => {
    expect(problemsOf(`Notes ${BASE} at=now`, { catalog: new Map() })).toEqual([
      "unknown event type \"Notes\": the event type catalog is empty, so give its id"
    ])
  })

  it("accepts a Map catalog and quoted names with spaces", () => {
    const catalog = new Map([["Walk In", "wi7"]])
    expect(eventOf(`“walk in” ${BASE} at=now`, { catalog }).event_type_id).toBe("wi7")
  })

  it("may be given as event_type_id=, exactly as written", () => {
    expect(eventOf(`${BASE} at=now event_type_id=Notes`).event_type_id).toBe("Notes")
  })

  it("is given once", () => {
    expect(problemsOf(`Notes ${BASE} at=now event_type_id=x1`)).toEqual([
      "event_type_id= repeats the event type given first; give it once"
    ])
  })

  it("is required", () => {
    expect(problemsOf(`${BASE} at=now`)).toEqual([
      "the event type is missing: start with it, e.g. /applicant-event Call-Outgoing applicant=… (or give event_type_id=…)"
    ])
  })
})

describe("values", () => {
  it.each([
    ["straight double quotes", `notes="Left a voicemail"`],
    ["straight single quotes", `notes='Left a voicemail'`],
    ["curly double quotes", `notes=“Left a voicemail”`],
    ["curly single quotes", `notes=‘Left a voicemail’`],
    ["curly quotes the wrong way round", `notes=”Left a voicemail“`],
    ["closing curly quotes only", `notes=”Left a voicemail”`]
  ])("%s hold spaces", (_, notes) => {
    expect(eventOf(`Notes ${BASE} at=now ${notes}`).notes).toBe("Left a voicemail")
  })

  it.each([
    [`notes='it's done'`, "it's done"],
    [`notes=‘it’s done’`, "it’s done"],
    [`notes='say "hi" twice'`, "say \"hi\" twice"],
    [`notes=“she said "ok"”`, "she said \"ok\""],
    [`notes=a=b`, "a=b"],
    [`notes=it's`, "it's"],
    [`notes=""`, ""],
    [`notes="  spaced  "`, "  spaced  "],
    [`notes="two\nlines"`, "two\nlines"]
  ])("%s reads %j", (written, notes) => {
    expect(eventOf(`Notes ${BASE} at=now ${written}`).notes).toBe(notes)
  })

  it("undoes Slack's escaping", () => {
    const event = eventOf(
      `Notes ${BASE} at=now notes="A &amp; B &lt;3 &gt;" audio=<https://x.example/a?b=1&amp;c=2|x.example/a> ` +
        `email_cc=<mailto:jane@example.com|jane@example.com> from=<tel:+14035551234|(403) 555-1234>`
    )
    expect(event.notes).toBe("A & B <3 >")
    expect(event.call_audio_link).toBe("https://x.example/a?b=1&c=2")
    expect(event.email_cc).toBe("jane@example.com")
    expect(event.call_phone_number_from).toBe("+14035551234")
  })

  it("keeps mentions in text readable", () => {
    expect(eventOf(`Notes ${BASE} at=now notes="ask <@U024BE7LH|bob> in <#C024BE7LR|leasing> <!here>"`).notes)
      .toBe("ask @bob in #leasing @here")
  })

  it("refuses a mention for an id", () => {
    expect(problemsOf(`Notes ${BASE} at=now employee=<@U024BE7LH|bob>`)).toEqual([
      "employee: @bob is a Slack mention, not a Propexo id"
    ])
  })

  it("refuses an unclosed quote", () => {
    expect(problemsOf(`Notes ${BASE} at=now notes="Left a voicemail`)).toEqual([
      "the quote \" after notes= is never closed (a closing quote ends a value only before a space or at the end)"
    ])
  })

  it("refuses an empty unquoted value", () => {
    expect(problemsOf(`Notes ${BASE} at=now title=`)).toEqual([
      "title= has no value (write title=\"\" for an empty one)"
    ])
  })

  it("suggests quotes for words that follow a value", () => {
    expect(problemsOf(`Notes ${BASE} at=now notes=called back later title=x`)).toEqual([
      "\"back later\" is not key=value; to give notes several words, quote them: notes=\"called back later\""
    ])
  })

  it("refuses other stray words", () => {
    expect(problemsOf(`Notes ${BASE} notes="x" oops at=now`)).toEqual([
      "\"oops\" is not key=value; write field=value (see /applicant-event help)"
    ])
  })
})

describe("keys", () => {
  it("aliases name Propexo fields, from and to as phones for calls", () => {
    expect(
      eventOf(
        "Call-Outgoing applicant=a1 application=b2 at=now result=r1 subtype=s1 employee=e1 unit=u1 " +
          "reasons=moving notes=n title=t appointment=\"tomorrow 10am\" from=4035551234 to=+14035559876 " +
          "status=busy duration=0 audio=https://a.example/x subject=s body=b cc=c@example.com " +
          "bcc=d@example.com send=yes email_from=f@example.com email_to=g@example.com time_from=9am time_to=17:30"
      )
    ).toEqual({
      integration_id: "int_1",
      applicant_id: "a1",
      application_id: "b2",
      event_type_id: "cm4callout01",
      event_datetime: "2026-11-28T12:00:00-07:00",
      event_result_id: "r1",
      event_sub_type_id: "s1",
      employee_id: "e1",
      unit_id: "u1",
      reasons_for_event: "moving",
      notes: "n",
      title: "t",
      appointment_datetime: "2026-11-29T10:00:00-07:00",
      call_phone_number_from: "+14035551234",
      call_phone_number_to: "+14035559876",
      call_status: "BUSY",
      call_duration: 0,
      call_audio_link: "https://a.example/x",
      email_subject: "s",
      email_body: "b",
      email_cc: "c@example.com",
      email_bcc: "d@example.com",
      email_send: true,
      email_from: "f@example.com",
      email_to: "g@example.com",
      time_from: "09:00:00",
      time_to: "17:30:00"
    })
  })

  it("from and to are email addresses for types named Email…", () => {
    const event = eventOf(`Email-Outgoing ${BASE} at=now from=leasing@example.com to=jane@example.com`)
    expect([event.email_from, event.email_to, event.call_phone_number_from]).toEqual([
      "leasing@example.com",
      "jane@example.com",
      undefined
    ])
  })

  it("the type's name comes from the catalog when the id is typed", () => {
    expect(eventOf(`${BASE} at=now event_type_id=cm4emailout03 from=leasing@example.com`).email_from)
      .toBe("leasing@example.com")
  })

  it("a type typed without a catalog is its own name", () => {
    expect(eventOf(`email-incoming ${BASE} at=now from=jane@example.com`, { catalog: undefined }).email_from)
      .toBe("jane@example.com")
  })

  it("every Propexo field name works, in any case and with -", () => {
    const event = eventOf(
      "Notes Applicant_ID=a1 application-id=b2 EVENT_DATETIME=now call_phone_number_from=4035551234 call-status=ANSWER"
    )
    expect([event.applicant_id, event.application_id, event.call_phone_number_from, event.call_status]).toEqual([
      "a1",
      "b2",
      "+14035551234",
      "ANSWER"
    ])
  })

  it.each([
    ["duraton", "duration"],
    ["notez", "notes"],
    ["dur", "duration"],
    ["applicant_idd", "applicant_id"],
    ["emial_from", "email_from"]
  ])("an unknown key %s suggests %s", (key, suggestion) => {
    expect(problemsOf(`Notes ${BASE} at=now ${key}=1`)).toEqual([
      `unknown key "${key}"; did you mean ${suggestion}?`
    ])
  })

  it("integration_id cannot be typed", () => {
    expect(problemsOf(`Notes ${BASE} at=now integration_id=other`)).toEqual([
      "integration_id comes from the workspace's Propexo connection and cannot be typed"
    ])
  })

  it("refuses a key given twice, or twice under two names", () => {
    expect(problemsOf(`Call-Outgoing ${BASE} at=now notes=a notes=b duration=5 call_duration=6`)).toEqual([
      "notes is given twice",
      "call_duration and duration are the same field (call_duration); give it once"
    ])
  })

  it("refuses a value without a key", () => {
    expect(problemsOf(`Notes ${BASE} at=now =x`)).toEqual(["=x has no key before the ="])
  })
})

describe("duration", () => {
  it.each([
    ["300", 300],
    ["0", 0],
    ["90s", 90],
    ["5m", 300],
    ["5min", 300],
    ["1h", 3600],
    ["1h2m3s", 3723],
    ["1H30M", 5400],
    ["2:05", 125],
    ["1:02:05", 3725],
    ["86400", 86400]
  ])("%s is %d seconds", (written, seconds) => {
    expect(eventOf(`Notes ${BASE} at=now duration=${written}`).call_duration).toBe(seconds)
  })

  it.each(["abc", "1.5", "\"5 m\"", "-5", "2:65", "h"])("%s is refused", (written) => {
    const [problem] = problemsOf(`Notes ${BASE} at=now duration=${written}`)
    expect(problem).toMatch(/^duration=".*" is not a duration; write seconds \(300\) or 90s, 5m, 1h2m3s, 2:05$/)
  })

  it("more than a day is refused by the core's rule", () => {
    expect(problemsOf(`Notes ${BASE} at=now duration=30h`)).toEqual([
      "duration: must be an integer from 0 to 86400 seconds, got 108000"
    ])
  })
})

describe("status", () => {
  it.each([
    ["answered", "ANSWER"],
    ["ANSWER", "ANSWER"],
    ["\"no answer\"", "NO_ANSWER"],
    ["no-answer", "NO_ANSWER"],
    ["No_Answer", "NO_ANSWER"],
    ["voicemail", "VOICEMAIL"],
    ["busy", "BUSY"],
    ["abandoned", "ABANDONED"],
    ["disconnected", "DISCONNECTED"],
    ["failed", "FAILURE_TO_CONNECT"],
    ["failure-to-connect", "FAILURE_TO_CONNECT"]
  ])("%s is %s", (written, status) => {
    expect(eventOf(`Notes ${BASE} at=now status=${written}`).call_status).toBe(status)
  })

  it("anything else is refused with the words to use", () => {
    expect(problemsOf(`Notes ${BASE} at=now status=maybe`)).toEqual([
      "status=\"maybe\" is not a call status; write one of answered, no-answer, voicemail, busy, abandoned, " +
      "disconnected, failed"
    ])
  })
})

describe("send", () => {
  it.each([["yes", true], ["YES", true], ["true", true], ["no", false], ["False", false]])("%s is %s", (w, b) => {
    expect(eventOf(`Notes ${BASE} at=now send=${w}`).email_send).toBe(b)
  })

  it("anything else is refused", () => {
    expect(problemsOf(`Notes ${BASE} at=now email_send=maybe`)).toEqual([
      "email_send=\"maybe\" is not yes or no (or true or false)"
    ])
  })
})

describe("at", () => {
  it.each([
    ["now", "2026-11-28T12:00:00-07:00"],
    ["NOW", "2026-11-28T12:00:00-07:00"],
    ["\"today 14:30\"", "2026-11-28T14:30:00-07:00"],
    ["today 14:30", "2026-11-28T14:30:00-07:00"],
    ["yesterday 9am", "2026-11-27T09:00:00-07:00"],
    ["tomorrow 2:15pm", "2026-11-29T14:15:00-07:00"],
    ["tomorrow 2:15 PM", "2026-11-29T14:15:00-07:00"],
    ["today 9", "2026-11-28T09:00:00-07:00"],
    ["today 12am", "2026-11-28T00:00:00-07:00"],
    ["today 12pm", "2026-11-28T12:00:00-07:00"],
    ["today 11:59:30 p.m.", "2026-11-28T23:59:30-07:00"],
    ["2:30pm", "2026-11-28T14:30:00-07:00"],
    ["2026-11-28 14:30", "2026-11-28T14:30:00-07:00"],
    ["2026-11-28T14:30", "2026-11-28T14:30:00-07:00"],
    ["11/28 2:30pm", "2026-11-28T14:30:00-07:00"],
    ["11/28/2026 noon", "2026-11-28T12:00:00-07:00"],
    ["11/28/26 midnight", "2026-11-28T00:00:00-07:00"],
    ["7/4 10am", "2026-07-04T10:00:00-06:00"],
    ["2/29/28 8am", "2028-02-29T08:00:00-07:00"],
    ["2026-11-28T14:30:00-07:00", "2026-11-28T14:30:00-07:00"],
    ["2026-11-28T21:30:00Z", "2026-11-28T14:30:00-07:00"],
    ["2026-11-28T14:30:00.999-05:00", "2026-11-28T12:30:00-07:00"],
    ["2026-11-28 14:30 -0500", "2026-11-28T12:30:00-07:00"],
    ["2026-11-28 14:30 UTC", "2026-11-28T07:30:00-07:00"],
    ["today 2:30pm MST", "2026-11-28T14:30:00-07:00"],
    ["\"7/4 10am MDT\"", "2026-07-04T10:00:00-06:00"]
  ])("at=%s is %s", (when, expected) => {
    expect(at(when)).toBe(expected)
  })

  it("today is the date in the zone, not in UTC", () => {
    // 20:00 MST on the 28th is already the 29th in UTC and in Tokyo.
    const now = Date.parse("2026-11-29T03:00:00Z")
    expect(at("\"today 9am\"", { now })).toBe("2026-11-28T09:00:00-07:00")
    expect(at("\"today 9am\"", { now, timeZone: "Asia/Tokyo" })).toBe("2026-11-28T17:00:00-07:00")
  })

  it("now may be a Date or an effect DateTime", () => {
    expect(at("now", { now: new Date(NOW) })).toBe("2026-11-28T12:00:00-07:00")
    expect(at("now", { now: DateTime.unsafeMake(NOW) })).toBe("2026-11-28T12:00:00-07:00")
    expect(at("tomorrow 8am", { now: DateTime.unsafeMakeZoned(NOW, { timeZone: "Asia/Tokyo" }) }))
      .toBe("2026-11-29T08:00:00-07:00")
  })

  it("a date without year is in the year of now", () => {
    expect(at("\"1/5 9am\"", { now: Date.parse("2027-06-01T00:00:00Z") })).toBe("2027-01-05T09:00:00-07:00")
  })

  it("reads appointment= the same way", () => {
    expect(eventOf(`Notes ${BASE} at=now appointment=tomorrow 9:30am`).appointment_datetime)
      .toBe("2026-11-29T09:30:00-07:00")
  })

  it.each([
    ["11/28", "at=\"11/28\" has no time of day; add one, e.g. at=\"11/28 2:30pm\""],
    ["today", "at=\"today\" has no time of day; add one, e.g. at=\"today 2:30pm\""],
    ["13/01 2pm", "at=\"13/01 2pm\": 13 is not a month (1 to 12)"],
    ["2/29/2027 9am", "at=\"2/29/2027 9am\": February 2027 has no day 29 (it has 28 days)"],
    ["today 24:00", "at=\"today 24:00\": 24 is not an hour (0 to 23)"],
    ["today 13pm", "at=\"today 13pm\": 13 is not an hour on a 12-hour clock (1 to 12)"],
    ["today 9:60", "at=\"today 9:60\": 60 is not a minute (00 to 59)"],
    ["next friday", "at=\"next friday\": not a date and time I can read"],
    ["2026-11-28 14:30 +25:00", "at=\"2026-11-28 14:30 +25:00\": +25:00 is not a UTC offset"]
  ])("at=%j is refused", (when, problem) => {
    const [first, ...rest] = problemsOf(`Notes ${BASE} at="${when}"`)
    expect(rest).toEqual([])
    expect(first!.startsWith(problem), first).toBe(true)
  })

  it("an unreadable time says what to write", () => {
    expect(problemsOf(`Notes ${BASE} at=soon`)).toEqual([
      "at=\"soon\": not a date and time I can read; write for example now, \"today 2:30pm\", \"11/28 14:30\", " +
      "\"2026-11-28 14:30 MST\" or 2026-11-28T14:30:00-07:00"
    ])
  })

  describe("the hour that happens twice", () => {
    it("is refused, naming both candidates and the fix", () => {
      expect(problemsOf(`Notes ${BASE} at="2026-11-01 01:30"`)).toEqual([
        "at=\"2026-11-01 01:30\" happens twice in America/Denver: 01:30 MDT (2026-11-01T01:30:00-06:00) or " +
        "01:30 MST (2026-11-01T01:30:00-07:00); write at=\"2026-11-01 01:30 MDT\" or give an explicit offset"
      ])
    })

    it("in any written form", () => {
      expect(problemsOf(`Notes ${BASE} at=11/1 1:30am`, { now: Date.parse("2026-10-30T12:00:00Z") })[0])
        .toMatch(/^at="11\/1 1:30am" happens twice in America\/Denver: .* write at="11\/1 1:30am MDT"/)
    })

    it.each([
      ["\"2026-11-01 01:30 MDT\"", "2026-11-01T01:30:00-06:00"],
      ["\"2026-11-01 01:30 MST\"", "2026-11-01T01:30:00-07:00"],
      ["2026-11-01 1:30am mst", "2026-11-01T01:30:00-07:00"],
      ["\"2026-11-01 01:30 -06:00\"", "2026-11-01T01:30:00-06:00"],
      ["2026-11-01T01:30:00-07:00", "2026-11-01T01:30:00-07:00"]
    ])("%s picks one", (when, expected) => {
      expect(at(when)).toBe(expected)
    })

    it("names offsets in other zones", () => {
      const options = { timeZone: "America/New_York" }
      expect(problemsOf(`Notes ${BASE} at="2026-11-01 01:30"`, options)).toEqual([
        "at=\"2026-11-01 01:30\" happens twice in America/New_York: 01:30 -04:00 (2026-11-01T01:30:00-04:00) or " +
        "01:30 -05:00 (2026-11-01T01:30:00-05:00); write at=\"2026-11-01 01:30 -04:00\" or give an explicit offset"
      ])
      expect(at("\"2026-11-01 01:30 -04:00\"", options)).toBe("2026-10-31T23:30:00-06:00")
    })
  })

  describe("the hour the clocks skip", () => {
    it("is refused, naming the times meant", () => {
      expect(problemsOf(`Notes ${BASE} at="2026-03-08 02:30"`)).toEqual([
        "at=\"2026-03-08 02:30\" does not exist in America/Denver: the clocks skip that hour. Did you mean " +
        "01:30 MST (2026-03-08T01:30:00-07:00) or 03:30 MDT (2026-03-08T03:30:00-06:00)? Write the time you mean"
      ])
    })

    it("is refused with a Mountain abbreviation too, which would name another time", () => {
      expect(problemsOf(`Notes ${BASE} at="2026-03-08 02:30 MST"`)).toEqual([
        "at=\"2026-03-08 02:30 MST\": Mountain Time is on MDT (-06:00) at that moment, not MST; " +
        "write MDT or leave the zone out"
      ])
    })
  })

  it("refuses MDT in winter and MST in summer", () => {
    expect(problemsOf(`Notes ${BASE} at="2026-01-15 10:00 MDT"`)).toEqual([
      "at=\"2026-01-15 10:00 MDT\": Mountain Time is on MST (-07:00) at that moment, not MDT; " +
      "write MST or leave the zone out"
    ])
    expect(problemsOf(`Notes ${BASE} at="7/4 10am MST"`)[0]).toContain("Mountain Time is on MDT (-06:00)")
  })

  it("is required", () => {
    expect(problemsOf(`Notes ${BASE}`)).toEqual([
      "at is missing: add when it happened, e.g. at=now or at=\"today 2:30pm\""
    ])
  })
})

describe("time_from and time_to", () => {
  it.each([["9:30am", "09:30:00"], ["17:00", "17:00:00"], ["9:30 am", "09:30:00"], ["noon", "12:00:00"], [
    "23:59:59",
    "23:59:59"
  ]])("%s is %s", (written, expected) => {
    expect(eventOf(`Notes ${BASE} at=now time_from=${written}`).time_from).toBe(expected)
  })

  it("refuses a date or a zone", () => {
    expect(problemsOf(`Notes ${BASE} at=now time_to="today 9am" time_from="9am MST"`)).toEqual([
      "time_to=\"today 9am\" is not a time of day; write for example 9:30am or 17:00",
      "time_from=\"9am MST\" is not a time of day; write for example 9:30am or 17:00"
    ])
  })
})

describe("validation by the core", () => {
  it("names the keys as typed", () => {
    expect(
      problemsOf(
        `Notes ${BASE} at=now from=12 Email_CC=nobody audio=not-a-link notes="${"x".repeat(300)}" employee=" "`
      )
    ).toEqual([
      "employee: must be 1 to 64 characters of A-Z, a-z, 0-9, _ and -, got \" \"",
      "notes: must be text of at most 256 characters, got 300 characters",
      "from: must be a phone number in E.164 form (+14035551234) or a US number such as (403) 555-1234, got \"12\"",
      "audio: must be an absolute http(s) URL, got \"not-a-link\"",
      "Email_CC: must be an email address such as jane@example.com, got \"nobody\""
    ])
  })

  it("names integration_id when the workspace's is unusable", () => {
    expect(problemsOf(`Notes ${BASE} at=now`, { integrationId: " " })).toEqual([
      "integration_id (from the workspace's Propexo connection): must be 1 to 64 characters of A-Z, a-z, 0-9, _ and -, got \" \""
    ])
  })
})

describe("all problems at once", () => {
  it("grammar and validation, in the order written", () => {
    expect(
      problemsOf(
        `Call-Outgong applicaton=b2 at="2026-11-01 01:30" duration=30h status=nope notes=called back later ` +
          `from=12 "stray"`
      )
    ).toEqual([
      "unknown event type \"Call-Outgong\"; did you mean Call-Outgoing? " +
      "Known event types: Call-Outgoing, Call-Incoming, Email-Outgoing, Notes",
      "unknown key \"applicaton\"; did you mean application?",
      "at=\"2026-11-01 01:30\" happens twice in America/Denver: 01:30 MDT (2026-11-01T01:30:00-06:00) or " +
      "01:30 MST (2026-11-01T01:30:00-07:00); write at=\"2026-11-01 01:30 MDT\" or give an explicit offset",
      "status=\"nope\" is not a call status; write one of answered, no-answer, voicemail, busy, abandoned, " +
      "disconnected, failed",
      "\"back later\" is not key=value; to give notes several words, quote them: notes=\"called back later\"",
      "\"stray\" is not key=value; write field=value (see /applicant-event help)",
      "applicant is missing: add applicant=ID, the Propexo applicant id",
      "application is missing: add application=ID, the Propexo application id",
      "from: must be a phone number in E.164 form (+14035551234) or a US number such as (403) 555-1234, got \"12\"",
      "duration: must be an integer from 0 to 86400 seconds, got 108000"
    ])
  })

  it("bad options are problems, never exceptions", () => {
    expect(problemsOf(`Notes ${BASE} at=now`, { timeZone: "Mars/Olympus", now: Number.NaN })).toEqual([
      "\"Mars/Olympus\" is not an IANA time zone known to this runtime (e.g. America/Denver)",
      "now (NaN) is not an instant from year 0 to 9999"
    ])
    expect(parse("help", { now: new Date(Number.NaN) })._tag).toBe("Help")
  })
})

describe("renderCommandText", () => {
  const event = eventOf(
    `Email-Outgoing ${BASE} at="today 2:30pm" from=leasing@example.com subject="Your tour" send=no ` +
      `notes=“say "hi" &amp; &lt;wave&gt;” duration=90 status=voicemail`
  )

  it("writes friendly keys and the wire form of times", () => {
    expect(renderCommandText(event, { catalog: CATALOG })).toBe(
      "Email-Outgoing applicant=a1 application=b2 at=2026-11-28T14:30:00-07:00 notes=“say \"hi\" &amp; &lt;wave&gt;” " +
        "status=voicemail duration=90 subject=\"Your tour\" from=leasing@example.com send=no"
    )
  })

  it("writes the id without a catalog, and from/to then by their Propexo names", () => {
    expect(renderCommandText(event)).toBe(
      "cm4emailout03 applicant=a1 application=b2 at=2026-11-28T14:30:00-07:00 notes=“say \"hi\" &amp; &lt;wave&gt;” " +
        "status=voicemail duration=90 subject=\"Your tour\" email_from=leasing@example.com send=no"
    )
  })

  it("quotes an id that would read as help or key=value, or uses event_type_id=", () => {
    const base = eventOf(`Notes ${BASE} at=now`)
    expect(renderCommandText({ ...base, event_type_id: "help" }).split(" ")[0]).toBe("\"help\"")
    expect(renderCommandText({ ...base, event_type_id: "a=b" }).split(" ")[0]).toBe("\"a=b\"")
    // With a catalog, a digitless id that is no catalog id would read as an unknown name.
    expect(renderCommandText({ ...base, event_type_id: "Notes" }, { catalog: CATALOG }).split(" ")[0])
      .toBe("event_type_id=Notes")
  })

  it("reads back", () => {
    const text = renderCommandText(event, { catalog: CATALOG })
    expect(parse(text, { now: 0, timeZone: "Asia/Tokyo" })).toEqual(parse(renderCommandText(event)))
    expect(eventOf(text)).toEqual(event)
  })
})

// ---------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------

const ZONES = ["America/Denver", "Asia/Tokyo", "Europe/Berlin", "America/New_York", "Not/AZone"] as const

const anyOptions: fc.Arbitrary<ParseOptions> = fc.record({
  integrationId: fc.oneof(fc.constant("int_1"), fc.string()),
  now: fc.oneof(
    fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2200, 0, 1) }),
    fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, 8.64e15, -8.64e15, 1e20),
    fc.date({ noInvalidDate: false })
  ),
  timeZone: fc.constantFrom(...ZONES, undefined),
  catalog: fc.oneof(fc.constant(undefined), fc.constant(CATALOG), fc.dictionary(fc.string(), fc.string()))
})

const SOUP = fc.oneof(
  fc.constantFrom(
    ...["applicant", "at", "from", "to", "status", "duration", "notes", "appointment", "time_from", "integration_id"]
      .map((k) => `${k}=`),
    "\"",
    "'",
    "“",
    "”",
    "‘",
    "’",
    "<",
    ">",
    "&amp;",
    "&lt;",
    "<@U1|bob>",
    "<https://a.example|a>",
    "<mailto:a@b.example>",
    " ",
    "  ",
    "\n",
    "\u00a0",
    "=",
    "help",
    "Call-Outgoing",
    "Email-Outgoing",
    "today",
    "tomorrow",
    "2:30pm",
    "pm",
    "12",
    "MDT",
    "MST",
    "-07:00",
    "11/28",
    "2/29",
    "2026-11-01",
    "2026-03-08",
    "01:30",
    "02:30",
    "9999-12-31",
    "0000-01-01",
    "1h2m3s",
    "no-answer",
    "yes"
  ),
  fc.string({ maxLength: 6 }),
  fc.fullUnicodeString({ maxLength: 4 })
)

describe("parseCommandText never throws", () => {
  const check = (text: string, options: ParseOptions) => {
    const parsed = parseCommandText(text, options)
    expect(["Help", "Event", "Problems"]).toContain(parsed._tag)
    if (parsed._tag === "Problems") {
      expect(parsed.problems.length).toBeGreaterThan(0)
      for (const problem of parsed.problems) expect(problem).toMatch(/\S/)
    }
    if (parsed._tag === "Event") expect(Either.isRight(ApplicantEvent.decode(parsed.event))).toBe(true)
  }

  it.prop("on any string", { text: fc.string({ maxLength: 200 }), options: anyOptions }, ({ options, text }) => {
    check(text, options)
  }, { fastCheck: { numRuns: 2000 } })

  it.prop("on any Unicode", { text: fc.fullUnicodeString({ maxLength: 200 }), options: anyOptions }, ({
    options,
    text
  }) => {
    check(text, options)
  }, { fastCheck: { numRuns: 2000 } })

  it.prop(
    "on token soup",
    { pieces: fc.array(SOUP, { maxLength: 40 }), options: anyOptions },
    ({ options, pieces }) => {
      check(pieces.join(""), options)
      check(`Notes applicant=a application=b ${pieces.join("")}`, options)
    },
    { fastCheck: { numRuns: 3000 } }
  )

  it("on a long text", () => {
    check(`Notes ${"x".repeat(100_000)}=1 ${"\"".repeat(50_000)}`, OPTIONS)
    check(`Notes notes=${"<".repeat(100_000)} ${"duration=1h".repeat(10_000)}`, OPTIONS)
  })
})

// Values the grammar can carry: ASCII, any Unicode, and runs of what the
// grammar itself reads (quotes, Slack's escapes and sequences, `=`, spaces).
const tricky = (maxLength: number) =>
  fc.array(
    fc.constantFrom("&amp;", "&lt;", "&", "<", ">", "<@U1|x>", "\"", "'", "“", "”", "‘", "’", " ", "\n", "=", "a", "help"),
    { maxLength: Math.ceil(maxLength / 5) }
  ).map((pieces) => pieces.join(""))
// The documented limit: no quote family can hold a value with each of these
// closing quotes followed by white space.
const representable = (value: string) =>
  ![/"\s/, /'\s/, /[“”]\s/, /[‘’]\s/].every((closer) => closer.test(value))
const text = (maxLength: number) =>
  fc.oneof(fc.string({ maxLength }), fc.fullUnicodeString({ maxLength }), tricky(maxLength)).filter(representable)
// Propexo ids, as the core's rule takes them: they can hold nothing the grammar reads.
const id = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/)
const instant = fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(2100, 0, 1) }).map((ms) =>
  MountainTime.format(ms)
)
const pad = (n: number) => String(n).padStart(2, "0")
const timeOfDay = fc.tuple(fc.nat(23), fc.nat(59), fc.nat(59)).map(([h, m, s]) => `${pad(h)}:${pad(m)}:${pad(s)}`)
// Addresses as the core's rule takes them (fast-check's own are mostly outside it).
const email = fc
  .tuple(
    fc.stringMatching(/^[A-Za-z0-9_'+-]{0,8}[A-Za-z0-9_+-](\.[A-Za-z0-9_'+-]{0,4}[A-Za-z0-9_+-])?$/),
    fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?$/),
    fc.stringMatching(/^[a-z]{2,6}$/)
  )
  .map(([local, domain, tld]) => `${local}@${domain}.${tld}`)
const phone = fc.oneof(fc.stringMatching(/^\+1[2-9]\d\d[2-9]\d{6}$/), fc.stringMatching(/^\+[2-9]\d{7,14}$/))

const validEvent: fc.Arbitrary<ApplicantEvent.ApplicantEvent> = fc
  .record({
    integration_id: id,
    applicant_id: id,
    application_id: id,
    event_type_id: fc.oneof(id, fc.constantFrom("help", "HELP", "Notes", "cm4notes04", "Email-x")),
    event_datetime: instant,
    event_result_id: id,
    event_sub_type_id: id,
    employee_id: id,
    unit_id: id,
    reasons_for_event: text(30),
    notes: text(256),
    appointment_datetime: instant,
    time_from: timeOfDay,
    time_to: timeOfDay,
    title: text(30),
    call_phone_number_from: phone,
    call_phone_number_to: phone,
    call_status: fc.constantFrom(
      "BUSY",
      "ABANDONED",
      "DISCONNECTED",
      "FAILURE_TO_CONNECT",
      "NO_ANSWER",
      "ANSWER",
      "VOICEMAIL"
    ),
    call_duration: fc.integer({ min: 0, max: ApplicantEvent.CALL_DURATION_MAX }),
    call_audio_link: fc.webUrl({ withQueryParameters: true, withFragments: true }),
    email_body: text(60),
    email_subject: text(30),
    email_from: email,
    email_to: email,
    email_cc: email,
    email_bcc: email,
    email_send: fc.boolean()
  }, { requiredKeys: ["integration_id", "applicant_id", "application_id", "event_type_id", "event_datetime"] })
  .map((fields) => ApplicantEvent.decode(fields))
  .filter(Either.isRight)
  .map((decoded) => decoded.right)

// Catalogs that name the event's type (or not), under names that may look
// like ids, keys, `help` or other types' names.
const catalogFor = (event: ApplicantEvent.ApplicantEvent): fc.Arbitrary<Catalog | undefined> =>
  fc.oneof(
    fc.constant(undefined),
    fc.array(
      fc.tuple(
        fc.oneof(
          text(10).filter((s) => s !== ""),
          fc.constantFrom("Email-Outgoing", "email-outgoing", "help", "x=y", event.event_type_id)
        ),
        fc.oneof(fc.constant(event.event_type_id), id)
      ),
      { maxLength: 5 }
    ).map((entries) => new Map(entries))
  )

describe("renderCommandText reads back", () => {
  it.prop(
    "as the same event, at any now and in any zone",
    {
      pair: validEvent.chain((event) => fc.tuple(fc.constant(event), catalogFor(event))),
      now: fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2100, 0, 1) }),
      timeZone: fc.constantFrom("America/Denver", "Asia/Tokyo", "Europe/Berlin")
    },
    ({ now, pair: [event, catalog], timeZone }) => {
      const text = renderCommandText(event, { catalog })
      const parsed = parseCommandText(text, { integrationId: event.integration_id, now, timeZone, catalog })
      expect(parsed._tag === "Event" ? parsed.event : parsed, text).toEqual(event)
    },
    { fastCheck: { numRuns: 1500 } }
  )
})
