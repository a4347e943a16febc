import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { DEMO, OTHER } from "../src/Seed.js"
import { call, create, CREATE, jobIdOf, makeSandbox, validEvent } from "./helpers.js"

/** The Zod issues of a 400 body, nested as Propexo documents them. */
const issuesOf = (json: unknown) =>
  (json as { error: { details: { details: { issues: Array<Record<string, unknown>> } } } }).error.details.details.issues // a 400 body

describe("Propexo's request validation", () => {
  it.scopedLive("answers 400 invalid_request with a Zod unrecognized_keys issue for unknown keys", () =>
    Effect.gen(function*() {
      const sandbox = yield* makeSandbox({ jobDelay: 0 })
      const answer = yield* create(sandbox, { ...validEvent, colour: "blue", size: 3 })
      expect(answer.status).toBe(400)
      expect(answer.headers.get("content-type")).toBe("application/json")
      expect(answer.json).toEqual({
        error: {
          code: "invalid_request",
          message: "Invalid request body: Unrecognized key(s) in object: 'colour', 'size'",
          details: {
            details: {
              issues: [{
                code: "unrecognized_keys",
                keys: ["colour", "size"],
                path: [],
                message: "Unrecognized key(s) in object: 'colour', 'size'"
              }],
              name: "ZodError"
            }
          }
        }
      })
      expect(yield* sandbox.jobs).toEqual([])
    }))

  it.scopedLive("drops unknown keys instead with ?ignore_unknown_fields=true, and still checks the known ones", () =>
    Effect.gen(function*() {
      const sandbox = yield* makeSandbox({ jobDelay: 0 })
      const withExtra = { ...validEvent, colour: "blue" }
      const answer = yield* call(sandbox, "POST", `${CREATE}?ignore_unknown_fields=true`, { body: withExtra })
      expect(answer.status).toBe(200)
      expect(answer.json).toEqual({ meta: { job_id: jobIdOf(answer) }, result: validEvent })
      expect((yield* sandbox.jobs).map((j) => j.body)).toEqual([validEvent])
      const strict = yield* call(sandbox, "POST", `${CREATE}?ignore_unknown_fields=false`, { body: withExtra })
      expect(issuesOf(strict.json)).toMatchObject([{ code: "unrecognized_keys", keys: ["colour"] }])
      const tooLong = yield* call(sandbox, "POST", `${CREATE}?ignore_unknown_fields=true`, {
        body: { ...withExtra, notes: "x".repeat(257) }
      })
      expect(issuesOf(tooLong.json)).toMatchObject([{ code: "too_big", path: ["notes"] }])
      const unclear = yield* call(sandbox, "POST", `${CREATE}?ignore_unknown_fields=yes`, { body: validEvent })
      expect(unclear.status).toBe(400)
      expect(issuesOf(unclear.json)).toMatchObject([
        { code: "invalid_enum_value", path: ["ignore_unknown_fields"], received: "yes" }
      ])
      expect(yield* sandbox.jobs).toHaveLength(1)
    }))

  it.scopedLive("reports a missing required field as invalid_type Required", () =>
    Effect.gen(function*() {
      const sandbox = yield* makeSandbox({ jobDelay: 0 })
      const { applicant_id: _, ...withoutApplicant } = validEvent
      const answer = yield* create(sandbox, withoutApplicant)
      expect(answer.status).toBe(400)
      expect(issuesOf(answer.json)).toEqual([
        { code: "invalid_type", expected: "string", received: "undefined", path: ["applicant_id"], message: "Required" }
      ])
    }))

  it.scopedLive("reports wrong types, with every issue at once", () =>
    Effect.gen(function*() {
      const sandbox = yield* makeSandbox({ jobDelay: 0 })
      const answer = yield* create(sandbox, { ...validEvent, notes: 42, email_send: "yes", event_type_id: null })
      expect(answer.status).toBe(400)
      expect(issuesOf(answer.json)).toEqual([
        {
          code: "invalid_type",
          expected: "string",
          received: "null",
          path: ["event_type_id"],
          message: "Expected string, received null"
        },
        {
          code: "invalid_type",
          expected: "string",
          received: "number",
          path: ["notes"],
          message: "Expected string, received number"
        },
        {
          code: "invalid_type",
          expected: "boolean",
          received: "string",
          path: ["email_send"],
          message: "Expected boolean, received string"
        }
      ])
    }))

  it.scopedLive("enforces notes length, call_duration, call_status, emails, URLs, times and date-times", () =>
    Effect.gen(function*() {
      const sandbox = yield* makeSandbox({ jobDelay: 0 })
      const answer = yield* create(sandbox, {
        ...validEvent,
        notes: "x".repeat(257),
        call_duration: 86_401,
        call_status: "RINGING",
        email_from: "not-an-email",
        call_audio_link: "recording.mp3",
        time_from: "9:30",
        appointment_datetime: "2026-01-15T09:30:00"
      })
      expect(answer.status).toBe(400)
      const byPath = Object.fromEntries(issuesOf(answer.json).map((i) => [String((i.path as Array<unknown>)[0]), i]))
      expect(byPath.notes).toMatchObject({ code: "too_big", maximum: 256, type: "string" })
      expect(byPath.call_duration).toMatchObject({ code: "too_big", maximum: 86_400, type: "number" })
      expect(byPath.call_status).toMatchObject({ code: "invalid_enum_value", received: "RINGING" })
      expect(byPath.email_from).toMatchObject({ code: "invalid_string", validation: "email", message: "Invalid email" })
      expect(byPath.call_audio_link).toMatchObject({ code: "invalid_string", validation: "url" })
      expect(byPath.time_from).toMatchObject({ code: "invalid_string", validation: "regex" })
      expect(byPath.appointment_datetime).toMatchObject({ code: "invalid_string", validation: "datetime" })
    }))

  it.scopedLive("takes call_duration from 0 to 86400 as integers only", () =>
    Effect.gen(function*() {
      const sandbox = yield* makeSandbox({ jobDelay: 0 })
      for (const duration of [0, 86_400]) {
        expect((yield* create(sandbox, { ...validEvent, call_duration: duration })).status).toBe(200)
      }
      const fraction = yield* create(sandbox, { ...validEvent, call_duration: 1.5 })
      expect(issuesOf(fraction.json)).toEqual([{
        code: "invalid_type",
        expected: "integer",
        received: "float",
        path: ["call_duration"],
        message: "Expected integer, received float"
      }])
      const negative = yield* create(sandbox, { ...validEvent, call_duration: -1 })
      expect(issuesOf(negative.json)[0]).toMatchObject({ code: "too_small", minimum: 0 })
    }))

  it.scopedLive("answers 400 for a body that is not JSON or not an object", () =>
    Effect.gen(function*() {
      const sandbox = yield* makeSandbox({ jobDelay: 0 })
      const broken = yield* create(sandbox, "{\"integration_id\":")
      expect(broken.status).toBe(400)
      expect(broken.json).toEqual({ error: { code: "invalid_request", message: "Request body must be valid JSON" } })
      const list = yield* create(sandbox, [validEvent])
      expect(issuesOf(list.json)).toEqual([
        { code: "invalid_type", expected: "object", received: "array", path: [], message: "Expected object, received array" }
      ])
    }))

  it.scopedLive("accepts a date-time in any offset and records whether it was Mountain Time", () =>
    Effect.gen(function*() {
      const sandbox = yield* makeSandbox({ jobDelay: 0 })
      const cases = [
        ["2026-01-15T09:30:00-07:00", true], // MST in January
        ["2026-07-15T09:30:00-06:00", true], // MDT in July
        ["2026-07-15T09:30:00-07:00", false], // the winter offset in summer
        ["2026-01-15T16:30:00Z", false],
        ["2026-01-16T01:30:00+09:00", false],
        ["2026-11-01T01:30:00-06:00", true], // the first 01:30 of the fall-back night
        ["2026-11-01T01:30:00-07:00", true] // the second one
      ] as const
      for (const [event_datetime, mountain] of cases) {
        const answer = yield* create(sandbox, { ...validEvent, event_datetime, appointment_datetime: event_datetime })
        const jobId = jobIdOf(answer)
        const [record] = (yield* sandbox.requests).filter((r) => r.jobId === jobId)
        expect(record?.mountainTime, event_datetime).toEqual({ event_datetime: mountain, appointment_datetime: mountain })
        const job = (yield* sandbox.jobs).find((j) => j.id === jobId)
        expect(job?.mountainTime.event_datetime).toBe(mountain)
      }
    }))

  it.scopedLive("echoes the accepted fields with a fresh cuid-like job id", () =>
    Effect.gen(function*() {
      const sandbox = yield* makeSandbox({ jobDelay: 0 })
      const first = yield* create(sandbox, validEvent)
      const second = yield* create(sandbox, validEvent)
      expect(first.status).toBe(200)
      expect(first.json).toEqual({ meta: { job_id: jobIdOf(first) }, result: validEvent })
      expect(jobIdOf(first)).toMatch(/^cm[a-z0-9]{23}$/)
      expect(jobIdOf(second)).not.toBe(jobIdOf(first))
    }))
})

describe("authentication", () => {
  it.scopedLive("answers 401 in Propexo's shape without a token, with a wrong one, or with another scheme", () =>
    Effect.gen(function*() {
      const sandbox = yield* makeSandbox({ tokens: ["right-token"], rateLimit: 5 })
      const answers = [
        yield* create(sandbox, validEvent, { token: null }),
        yield* create(sandbox, validEvent, { token: "wrong-token" }),
        yield* create(sandbox, validEvent, { token: null, headers: { authorization: "Basic cmlnaHQtdG9rZW4=" } })
      ]
      for (const answer of answers) {
        expect(answer.status).toBe(401)
        expect(answer.text).toBe("{\"error\":{\"code\":\"unauthorized\",\"message\":\"Missing or invalid bearer token\"}}")
        expect(answer.headers.get("x-ratelimit-limit")).toBe("5")
        expect(answer.headers.get("x-ratelimit-remaining")).toBe("5")
      }
      const log = yield* sandbox.requests
      expect(log.map((r) => [r.status, r.token])).toEqual([[401, null], [401, null], [401, null]])
      expect(log.every((r) => !("authorization" in r.headers))).toBe(true)
      expect((yield* create(sandbox, validEvent, { token: "right-token" })).status).toBe(200)
    }))

  it.scopedLive("answers 403 for an integration the token may not touch, 404 for an unknown integration", () =>
    Effect.gen(function*() {
      const sandbox = yield* makeSandbox({
        tokens: [{ token: "scoped", name: "scoped", integrations: [DEMO.integrationId] }],
        jobDelay: 0
      })
      const other = yield* create(sandbox, { ...validEvent, integration_id: OTHER.integrationId })
      expect(other.status).toBe(403)
      expect(other.json).toEqual({
        error: { code: "forbidden", message: `This token may not access integration ${OTHER.integrationId}` }
      })
      const unknown = yield* create(sandbox, { ...validEvent, integration_id: "cmnosuchintegration000000" })
      expect(unknown.status).toBe(404)
      expect((unknown.json as { error: { code: string } }).error.code).toBe("not_found")
      const types = yield* call(sandbox, "GET", "/v1/event-types/?limit=250")
      expect((types.json as { meta: { total: number } }).meta.total).toBe(20)
      expect((yield* call(sandbox, "GET", `/v1/event-types/?integration_id=${OTHER.integrationId}`)).status).toBe(403)
    }))
})
