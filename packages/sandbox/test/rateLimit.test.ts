import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { call, create, makeSandbox, nextWindow, roomInWindow, validEvent } from "./helpers.js"

const limits = (answer: { headers: Headers }) => [
  answer.headers.get("x-ratelimit-limit"),
  answer.headers.get("x-ratelimit-remaining")
]

describe("rate limits", () => {
  it.scopedLive("counts down x-ratelimit-remaining on every answer, 4xx included", () =>
    Effect.gen(function*() {
      const sandbox = yield* makeSandbox({ rateLimit: 6, window: "10 seconds", slowDownDelay: 0, jobDelay: 0 })
      yield* roomInWindow(10_000, 2_000)
      const answers = [
        yield* create(sandbox, validEvent),
        yield* create(sandbox, { ...validEvent, unknown_key: 1 }),
        yield* call(sandbox, "GET", "/v1/event-types/nope"),
        yield* call(sandbox, "GET", "/v1/event-types/"),
        yield* call(sandbox, "GET", "/v1/no-such-path")
      ]
      expect(answers.map((a) => a.status)).toEqual([200, 400, 404, 200, 404])
      expect(answers.map(limits)).toEqual([["6", "5"], ["6", "4"], ["6", "3"], ["6", "2"], ["6", "1"]])
    }))

  it.scopedLive("slows down every answer once 80% of the quota is used", () =>
    Effect.gen(function*() {
      const sandbox = yield* makeSandbox({ rateLimit: 10, window: "10 seconds", slowDownDelay: 300, jobDelay: 0 })
      yield* roomInWindow(10_000, 3_000)
      const answers = []
      for (let i = 0; i < 10; i++) answers.push(yield* call(sandbox, "GET", "/v1/event-results/"))
      expect(answers.map((a) => a.headers.get("x-sandbox-delayed"))).toEqual([
        ...Array(8).fill(null),
        "1",
        "1"
      ])
      const log = yield* sandbox.requests
      expect(log.map((r) => r.delayed)).toEqual([...Array(8).fill(false), true, true])
      // The simulator's own measure: a delayed answer waited at least the delay.
      for (const record of log.slice(8)) expect(record.durationMs).toBeGreaterThanOrEqual(295)
    }))

  it.scopedLive("answers 429 rate_limited once the quota is spent, until the next window", () =>
    Effect.gen(function*() {
      const sandbox = yield* makeSandbox({ rateLimit: 3, window: "1 second", slowDownDelay: 0, jobDelay: 0 })
      yield* roomInWindow(1_000, 400)
      const statuses = []
      for (let i = 0; i < 5; i++) statuses.push(yield* create(sandbox, validEvent))
      expect(statuses.map((a) => a.status)).toEqual([200, 200, 200, 429, 429])
      const limited = statuses[3]!
      expect(limits(limited)).toEqual(["3", "0"])
      expect(limited.json).toMatchObject({ error: { code: "rate_limited" } })
      expect((yield* sandbox.jobs).length).toBe(3)
      yield* nextWindow(1_000)
      const after = yield* create(sandbox, validEvent)
      expect(after.status).toBe(200)
      expect(limits(after)).toEqual(["3", "2"])
    }))

  it.scopedLive("keeps one quota per token", () =>
    Effect.gen(function*() {
      const sandbox = yield* makeSandbox({
        tokens: ["first-token", "second-token"],
        rateLimit: 2,
        window: "10 seconds",
        slowDownDelay: 0
      })
      yield* roomInWindow(10_000, 2_000)
      const first = []
      for (let i = 0; i < 3; i++) first.push((yield* call(sandbox, "GET", "/v1/event-types/", { token: "first-token" })).status)
      const second = yield* call(sandbox, "GET", "/v1/event-types/", { token: "second-token" })
      expect(first).toEqual([200, 200, 429])
      expect(second.status).toBe(200)
      expect(limits(second)).toEqual(["2", "1"])
      const quotas = yield* sandbox.quotas
      expect(quotas.map((q) => [q.token, q.used])).toEqual([["token-1", 3], ["token-2", 1]])
      expect(quotas.map((q) => Date.parse(q.windowStart) % 10_000)).toEqual([0, 0])
    }))
})
