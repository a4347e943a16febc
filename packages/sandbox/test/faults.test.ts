import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { DEMO } from "../src/Seed.js"
import { attempt, call, create, makeSandbox, settled, validEvent } from "./helpers.js"

describe("fault injection", () => {
  it.scopedLive("answers 500, 502 or 503 in Propexo's shape without processing the request", () =>
    Effect.gen(function*() {
      const sandbox = yield* makeSandbox({ jobDelay: 0, rateLimit: 50 })
      const expected = {
        500: { code: "internal_server_error", message: "Internal server error" },
        502: { code: "bad_gateway", message: "Bad gateway" },
        503: { code: "service_unavailable", message: "Service unavailable" }
      } as const
      for (const status of [500, 502, 503] as const) {
        yield* sandbox.setFaults({ serverErrorShare: 1, serverErrorStatuses: [status] })
        const answer = yield* create(sandbox, validEvent)
        expect(answer.status).toBe(status)
        expect(answer.json).toEqual({ error: expected[status] })
        expect(answer.headers.get("x-ratelimit-remaining")).not.toBeNull()
      }
      expect(yield* sandbox.jobs).toEqual([])
      yield* sandbox.setFaults({ serverErrorShare: 1 })
      const statuses = new Set<number>()
      for (let i = 0; i < 30; i++) statuses.add((yield* call(sandbox, "GET", "/v1/event-types/")).status)
      expect([...statuses].every((s) => s === 500 || s === 502 || s === 503)).toBe(true)
    }))

  it.scopedLive("stages an outage and its end while running", () =>
    Effect.gen(function*() {
      const sandbox = yield* makeSandbox({ jobDelay: 0 })
      expect((yield* create(sandbox, validEvent)).status).toBe(200)
      yield* sandbox.setFaults({ serverErrorShare: 1, serverErrorStatuses: [503] })
      expect((yield* create(sandbox, validEvent)).status).toBe(503)
      yield* sandbox.setFaults({})
      expect((yield* create(sandbox, validEvent)).status).toBe(200)
      expect((yield* sandbox.jobs).length).toBe(2)
    }))

  it.scopedLive("adds latency before answering", () =>
    Effect.gen(function*() {
      const sandbox = yield* makeSandbox({ jobDelay: 0 })
      yield* sandbox.setFaults({ latencyMs: 150 })
      expect((yield* call(sandbox, "GET", "/v1/event-types/")).status).toBe(200)
      const [record] = yield* sandbox.requests
      expect(record?.durationMs).toBeGreaterThanOrEqual(145)
    }))

  it.scopedLive("drops the connection before reading the body: no answer, no job", () =>
    Effect.gen(function*() {
      const sandbox = yield* makeSandbox({ jobDelay: 0 })
      yield* sandbox.setFaults({ dropBeforeBodyShare: 1 })
      const failure = yield* Effect.flip(attempt(sandbox, "POST", "/v1/events/applicants/entrata/", { body: validEvent }))
      expect(String(failure)).toContain("fetch failed")
      expect(yield* sandbox.jobs).toEqual([])
      const [record] = yield* sandbox.requests
      expect(record).toMatchObject({ outcome: "dropped-before-body", body: null, status: null, token: "token-1" })
      yield* sandbox.clearFaults
      expect((yield* create(sandbox, validEvent)).status).toBe(200)
    }))

  it.scopedLive("drops the connection after processing: the job exists and its event appears", () =>
    Effect.gen(function*() {
      const sandbox = yield* makeSandbox({ jobDelay: 0 })
      yield* sandbox.setFaults({ dropAfterProcessingShare: 1 })
      const failure = yield* Effect.flip(attempt(sandbox, "POST", "/v1/events/applicants/entrata/", { body: validEvent }))
      expect(String(failure)).toContain("fetch failed")
      const [record] = yield* sandbox.requests
      expect(record).toMatchObject({ outcome: "dropped-after-processing", status: 200, body: JSON.stringify(validEvent) })
      const jobId = record?.jobId
      expect(jobId).toMatch(/^cm[a-z0-9]{23}$/)
      yield* sandbox.clearFaults
      expect((yield* settled(sandbox, jobId!)).json).toMatchObject({ write_status: "SUCCESS" })
      const events = yield* call(sandbox, "GET", `/v1/events/?applicant_id=${DEMO.applicantId}`)
      expect(events.json).toMatchObject({
        meta: { total: 1 },
        results: [{ notes: validEvent.notes, associated_applicant_ids: [DEMO.applicantId] }]
      })
    }))

  it.scopedLive("answers 200 with truncated JSON", () =>
    Effect.gen(function*() {
      const sandbox = yield* makeSandbox({ jobDelay: 0 })
      yield* sandbox.setFaults({ malformedShare: 1 })
      const answer = yield* create(sandbox, validEvent)
      expect(answer.status).toBe(200)
      expect(answer.json).toBeUndefined()
      expect(() => JSON.parse(answer.text)).toThrow()
      expect(answer.text.startsWith("{\"meta\":{\"job_id\":\"cm")).toBe(true)
      const [record] = yield* sandbox.requests
      expect(record).toMatchObject({ outcome: "malformed", status: 200 })
      expect((yield* sandbox.jobs).map((j) => j.id)).toEqual([record?.jobId])
    }))

  it.scopedLive("sets faults per token over HTTP, and a reset clears them", () =>
    Effect.gen(function*() {
      const sandbox = yield* makeSandbox({ tokens: ["alpha-token", { token: "beta-token", name: "beta" }], jobDelay: 0 })
      const set = yield* call(sandbox, "POST", "/_sandbox/faults", {
        token: null,
        body: { token: "beta", serverErrorShare: 1, serverErrorStatuses: [502] }
      })
      expect(set.json).toEqual({ global: {}, tokens: { beta: { serverErrorShare: 1, serverErrorStatuses: [502] } } })
      expect((yield* call(sandbox, "GET", "/v1/event-types/", { token: "beta-token" })).status).toBe(502)
      expect((yield* call(sandbox, "GET", "/v1/event-types/", { token: "alpha-token" })).status).toBe(200)

      const unknown = yield* call(sandbox, "POST", "/_sandbox/faults", { token: null, body: { token: "gamma" } })
      expect(unknown.status).toBe(400)
      const typo = yield* call(sandbox, "POST", "/_sandbox/faults", { token: null, body: { serverErrorRate: 1 } })
      expect(typo.status).toBe(400)

      expect((yield* call(sandbox, "POST", "/_sandbox/reset", { token: null })).status).toBe(200)
      expect((yield* call(sandbox, "GET", "/v1/event-types/", { token: "beta-token" })).status).toBe(200)
      expect(yield* sandbox.faults).toEqual({ global: {}, tokens: {} })
    }))
})
