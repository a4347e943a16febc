import { describe, expect, it, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Sandbox from "../src/Sandbox.js"
import { DEMO, defaultSeed } from "../src/Seed.js"
import { call, create, CREATE, jobIdOf, makeSandbox, roomInWindow, settled, validEvent, withContract } from "./helpers.js"

describe("the request log and /_sandbox/", () => {
  it.scopedLive("lists every request with headers but never Authorization, the raw body and the token's name", () =>
    Effect.gen(function*() {
      const sandbox = yield* makeSandbox({ tokens: [{ token: "secret-token-value", name: "ci" }], jobDelay: 0 })
      const raw = JSON.stringify(validEvent, null, 2)
      const answer = yield* create(sandbox, raw, { token: "secret-token-value", headers: { "x-trace": "abc" } })
      yield* call(sandbox, "GET", "/v1/event-types/?limit=2&property_id=p", { token: "secret-token-value" })
      const listed = yield* call(sandbox, "GET", "/_sandbox/requests", { token: null })
      expect(listed.text).not.toContain("secret-token-value")
      const { requests } = listed.json as { requests: ReadonlyArray<Sandbox.RequestRecord> } // the inspection body
      expect(requests).toEqual(yield* sandbox.requests)
      expect(requests).toHaveLength(2)
      expect(requests[0]).toMatchObject({
        seq: 1,
        method: "POST",
        path: "/v1/events/applicants/entrata/",
        query: {},
        body: raw,
        token: "ci",
        status: 200,
        outcome: "answered",
        delayed: false,
        jobId: jobIdOf(answer),
        mountainTime: { event_datetime: true }
      })
      expect(requests[0]?.headers["x-trace"]).toBe("abc")
      expect(requests[0]?.headers).not.toHaveProperty("authorization")
      expect(requests[1]).toMatchObject({ seq: 2, method: "GET", query: { limit: "2", property_id: "p" }, jobId: null })
    }))

  it.scopedLive("keeps at most maxRequests entries, the newest", () =>
    Effect.gen(function*() {
      const sandbox = yield* makeSandbox({ maxRequests: 5 })
      for (let i = 0; i < 8; i++) yield* call(sandbox, "GET", `/v1/event-results/?offset=${i}`)
      const log = yield* sandbox.requests
      expect(log.map((r) => r.seq)).toEqual([4, 5, 6, 7, 8])
      expect(log.map((r) => r.query.offset)).toEqual(["3", "4", "5", "6", "7"])
    }))

  it.scopedLive("resets jobs, events, the log and quotas", () =>
    Effect.gen(function*() {
      const sandbox = yield* makeSandbox({ jobDelay: 0, rateLimit: 10 })
      yield* settled(sandbox, jobIdOf(yield* create(sandbox, validEvent)))
      expect((yield* sandbox.events).length).toBe(1)
      yield* sandbox.reset
      expect(yield* sandbox.requests).toEqual([])
      expect(yield* sandbox.jobs).toEqual([])
      expect(yield* sandbox.events).toEqual([])
      expect((yield* sandbox.quotas)[0]?.used).toBe(0)
      const listed = yield* call(sandbox, "GET", "/_sandbox/jobs", { token: null })
      expect(listed.json).toEqual({ jobs: [] })
    }))

  it.scopedLive("replaces the seed over HTTP after validating it, and a reset restores the original", () =>
    Effect.gen(function*() {
      const sandbox = yield* makeSandbox({ jobDelay: 0 })
      const invalid = yield* call(sandbox, "PUT", "/_sandbox/seed", { token: null, body: { integrations: "none" } })
      expect(invalid.status).toBe(400)
      expect((invalid.json as { error: { code: string } }).error.code).toBe("invalid_seed")
      const smaller = { ...defaultSeed, event_types: defaultSeed.event_types.slice(0, 2) }
      expect((yield* call(sandbox, "PUT", "/_sandbox/seed", { token: null, body: smaller })).status).toBe(200)
      expect((yield* call(sandbox, "GET", "/v1/event-types/")).json).toMatchObject({ meta: { total: 2 } })
      yield* sandbox.reset
      expect((yield* call(sandbox, "GET", "/v1/event-types/")).json).toMatchObject({ meta: { total: 30 } })
      expect((yield* call(sandbox, "GET", "/_sandbox/nothing-here", { token: null })).status).toBe(404)
    }))

  it.scopedLive("serves 64 concurrent creates, each with its own job", () =>
    Effect.gen(function*() {
      const sandbox = yield* makeSandbox({ jobDelay: 0, rateLimit: 1_000 })
      yield* roomInWindow(60_000, 5_000)
      const answers = yield* Effect.forEach(
        Array.from({ length: 128 }, (_, i) => ({ ...validEvent, notes: `note ${i}` })),
        (body) => create(sandbox, body),
        { concurrency: 64 }
      )
      expect(answers.every((a) => a.status === 200)).toBe(true)
      expect(new Set(answers.map(jobIdOf)).size).toBe(128)
      const remaining = answers.map((a) => Number(a.headers.get("x-ratelimit-remaining"))).sort((a, b) => a - b)
      expect(remaining).toEqual(Array.from({ length: 128 }, (_, i) => 1_000 - 128 + i))
      for (const answer of answers) yield* settled(sandbox, jobIdOf(answer))
      const events = yield* call(sandbox, "GET", `/v1/events/?applicant_id=${DEMO.applicantId}&limit=250`)
      expect(events.json).toMatchObject({ meta: { total: 128 } })
    }))
})

describe("startSandbox", () => {
  it("runs a simulator from plain promises and stops it on close", async () => {
    const sandbox = await Sandbox.startSandbox(withContract({ jobDelay: 0, tokens: ["promise-token"] }))
    expect(sandbox.token).toBe("promise-token")
    const answer = await fetch(`${sandbox.baseUrl}${CREATE}`, {
      method: "POST",
      headers: { authorization: `Bearer ${sandbox.token}`, "content-type": "application/json" },
      body: JSON.stringify(validEvent)
    })
    expect(answer.status).toBe(200)
    expect((await sandbox.requests()).map((r) => r.status)).toEqual([200])
    await sandbox.setFaults({ serverErrorShare: 1, serverErrorStatuses: [503] })
    const failing = await fetch(`${sandbox.baseUrl}/v1/event-types/`, {
      headers: { authorization: `Bearer ${sandbox.token}` }
    })
    expect(failing.status).toBe(503)
    await sandbox.reset()
    expect(await sandbox.requests()).toEqual([])
    await sandbox.close()
    await expect(fetch(`${sandbox.baseUrl}/v1/event-types/`)).rejects.toThrow()
  })

  it("rejects options it cannot run with", async () => {
    await expect(Sandbox.startSandbox({ rateLimit: 0 })).rejects.toMatchObject({ _tag: "InvalidOptions" })
    await expect(Sandbox.startSandbox({ tokens: [{ token: "a", name: "x" }, { token: "b", name: "x" }] })).rejects.toMatchObject({
      _tag: "InvalidOptions"
    })
  })
})

layer(Sandbox.layer(withContract({ jobDelay: 0 })), { excludeTestServices: true })("Sandbox.layer", (it) => {
  it.effect("provides a running simulator on 127.0.0.1 through the Sandbox tag", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.Sandbox
      expect(sandbox.baseUrl).toBe(`http://127.0.0.1:${sandbox.port}`)
      expect(sandbox.tokens.map((t) => t.name)).toEqual(["token-1"])
      expect(String(sandbox.token)).not.toContain("sbx_")
      const answer = yield* Effect.promise(() =>
        fetch(`${sandbox.baseUrl}${CREATE}`, {
          method: "POST",
          headers: { authorization: `Bearer ${Redacted.value(sandbox.token)}` },
          body: JSON.stringify(validEvent)
        })
      )
      expect(answer.status).toBe(200)
    }))
})
