import { NodeHttpClient } from "@effect/platform-node"
import * as HttpClient from "@effect/platform/HttpClient"
import { describe, expect, it } from "@effect/vitest"
import type { ApplicantEventInput } from "@entrata-events/core/ApplicantEvent"
import { Sandbox } from "@entrata-events/sandbox"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as HashMap from "effect/HashMap"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import { EventTypeCatalog } from "../src/EventTypeCatalog.js"
import { PropexoClient } from "../src/PropexoClient.js"
import { ApplicantEvents, clientLayer, creates, DEMO, notesEvent } from "./helpers.js"

/** A log line with its annotations. */
interface Line {
  readonly level: string
  readonly message: string
  readonly annotations: Readonly<Record<string, unknown>>
}

/** Runs `self` with its log lines, debug ones too, kept in `lines` with their annotations. */
const keepingLines = (lines: Array<Line>) => <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.provide(
    self,
    Layer.merge(
      Logger.replace(
        Logger.defaultLogger,
        Logger.make(({ annotations, logLevel, message }) => {
          lines.push({
            level: logLevel.label,
            message: Array.isArray(message) ? message.map(String).join(" ") : String(message),
            annotations: Object.fromEntries(HashMap.toEntries(annotations))
          })
        })
      ),
      Logger.minimumLogLevel(LogLevel.Debug)
    )
  )

/**
 * An HTTP client that records each request as it leaves and each one
 * interrupted before its answer (hung up on).
 */
const watchingRequests = () => {
  const sent: Array<string> = []
  const abandoned: Array<string> = []
  const http = Layer.effect(
    HttpClient.HttpClient,
    Effect.map(HttpClient.HttpClient, (client) =>
      client.pipe(
        HttpClient.transform((send, request) =>
          send.pipe(Effect.onInterrupt(() => Effect.sync(() => abandoned.push(`${request.method} ${request.url}`))))),
        HttpClient.tapRequest((request) => Effect.sync(() => sent.push(`${request.method} ${request.url}`)))
      ))
  ).pipe(Layer.provide(NodeHttpClient.layerUndici))
  return { abandoned, http, sent }
}

/**
 * Waits until the simulator has received `count` requests in all: it
 * counts a request against the quota as soon as it arrives, long before it
 * logs it. Its window is a day long in these tests, so the count never
 * resets under them.
 */
const arrived = (sandbox: Sandbox.SandboxService, count: number) =>
  sandbox.quotas.pipe(
    Effect.repeat({ schedule: Schedule.spaced("5 millis"), until: (quotas) => quotas[0]!.used >= count })
  )

const create = (input: ApplicantEventInput, options?: { readonly maxQuotaWait?: Duration.DurationInput }) =>
  Effect.flatMap(ApplicantEvents, (events) => events.create(input, options))

/** Starts just after a boundary of `windowMs`, so the quota cannot reset under a short test. */
const atWindowStart = (windowMs: number) => Effect.sleep(Duration.millis(windowMs - (Date.now() % windowMs) + 20))

describe("interrupting a create", () => {
  it.scopedLive("once it is on the wire, it completes: one job, and one info line with its job id under the caller's annotations", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.make({ jobDelay: 0, slowDownDelay: 0, window: "1 day" })
      const lines: Array<Line> = []
      const { abandoned, http } = watchingRequests()
      yield* Effect.gen(function*() {
        yield* create(notesEvent) // warms the catalog cache: only the create meets the latency
        yield* sandbox.setFaults({ latencyMs: 400 })
        const fiber = yield* Effect.fork(
          create({ ...notesEvent, notes: "abandoned" }).pipe(
            Effect.annotateLogs({ requestId: "req-abandoned", integration: DEMO.integrationId })
          )
        )
        yield* arrived(sandbox, 3)
        const exit = yield* Fiber.interrupt(fiber)
        expect(Exit.isInterrupted(exit)).toBe(true)
      }).pipe(Effect.provide(clientLayer(sandbox, {}, http)), keepingLines(lines))
      const abandonedCreate = creates(yield* sandbox.requests).filter((r) => JSON.parse(r.body!).notes === "abandoned")
      expect(abandonedCreate.map((r) => [r.status, r.outcome])).toEqual([[200, "answered"]])
      const jobs = (yield* sandbox.jobs).filter((j) => j.body.notes === "abandoned")
      expect(jobs.map((j) => j.id)).toEqual([abandonedCreate[0]!.jobId])
      expect(abandoned).toEqual([])
      const traced = lines.filter((l) => l.annotations.jobId !== undefined)
      expect(traced).toEqual([{
        level: "INFO",
        message: `The caller went away after the event was sent; Propexo queued it as job ${jobs[0]!.id}`,
        annotations: { requestId: "req-abandoned", integration: DEMO.integrationId, jobId: jobs[0]!.id }
      }])
    }))

  it.scopedLive("a create that is not interrupted logs no such line", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.make({ jobDelay: 0 })
      const lines: Array<Line> = []
      const created = yield* create(notesEvent).pipe(
        Effect.zipLeft(Effect.logInfo("the test's own line, to show the lines are kept")),
        Effect.provide(clientLayer(sandbox)),
        keepingLines(lines)
      )
      expect(lines.map((l) => l.message)).toContain("the test's own line, to show the lines are kept")
      expect(lines.filter((l) => l.annotations.jobId !== undefined || l.message.includes(created.job_id))).toEqual([])
    }))

  it.scopedLive("the timeout still applies: interrupted on the wire, a create that gets no answer ends at its timeout", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.make({ jobDelay: 0, slowDownDelay: 0, window: "1 day" })
      const { abandoned, http } = watchingRequests()
      const exit = yield* Effect.gen(function*() {
        yield* create(notesEvent)
        yield* sandbox.setFaults({ latencyMs: 20_000 })
        const fiber = yield* Effect.fork(create(notesEvent))
        yield* arrived(sandbox, 3)
        return yield* Fiber.interrupt(fiber)
      }).pipe(Effect.provide(clientLayer(sandbox, { timeout: "300 millis" }, http)))
      expect(Exit.isInterrupted(exit)).toBe(true)
      expect(abandoned).toEqual([`POST ${sandbox.baseUrl}/v1/events/applicants/entrata/`])
    }))

  it.scopedLive("while its catalog read is under way, it is cancelled at once: the read is hung up, no create is sent", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.make({ jobDelay: 0, slowDownDelay: 0, window: "1 day" })
      const { abandoned, http, sent } = watchingRequests()
      yield* Effect.gen(function*() {
        yield* sandbox.setFaults({ latencyMs: 20_000 })
        const fiber = yield* Effect.fork(create(notesEvent))
        yield* arrived(sandbox, 1)
        const exit = yield* Fiber.interrupt(fiber)
        expect(Exit.isInterrupted(exit)).toBe(true)
      }).pipe(Effect.provide(clientLayer(sandbox, {}, http)))
      expect(sent).toEqual([`GET ${sandbox.baseUrl}/v1/event-types/${DEMO.eventTypeIds.Notes}`])
      expect(abandoned).toEqual(sent)
    }))

  it.scopedLive("while it waits for quota, it is cancelled and nothing is sent, then or later", () =>
    Effect.gen(function*() {
      const windowMs = 1_500
      const sandbox = yield* Sandbox.make({ jobDelay: 0, slowDownDelay: 0, rateLimit: 2, window: Duration.millis(windowMs) })
      yield* Effect.gen(function*() {
        const client = yield* PropexoClient
        yield* atWindowStart(windowMs)
        yield* create(notesEvent) // a catalog read and a create: the window is spent
        const fiber = yield* Effect.fork(create({ ...notesEvent, notes: "never sent" }))
        yield* client.quota.pipe(Effect.repeat({ schedule: Schedule.spaced("5 millis"), until: (q) => q.waiting === 1 }))
        const exit = yield* Fiber.interrupt(fiber)
        expect(Exit.isInterrupted(exit)).toBe(true)
        expect((yield* client.quota).waiting).toBe(0)
        // Past the slot it had: had it still been waiting, it would have gone by now.
        yield* Effect.sleep(Duration.millis(windowMs + 300))
      }).pipe(Effect.provide(clientLayer(sandbox, { rateLimit: { limit: 2, window: Duration.millis(windowMs) } })))
      const sent = creates(yield* sandbox.requests).map((r) => JSON.parse(r.body!).notes)
      expect(sent).toEqual([notesEvent.notes])
    }))

  it.scopedLive("while it waits to retry a refused connection, it is cancelled and nothing more is sent", () =>
    Effect.gen(function*() {
      const first = yield* Effect.promise(() => Sandbox.startSandbox({ jobDelay: 0, tokens: ["fixed-token-2"] }))
      const port = first.port
      const lines: Array<Line> = []
      const layer = clientLayer({ baseUrl: first.baseUrl, token: Redacted.make("fixed-token-2") }, {
        connectRetry: Schedule.spaced("1 second").pipe(Schedule.intersect(Schedule.recurs(3)))
      })
      const retried = yield* Effect.gen(function*() {
        yield* Effect.flatMap(EventTypeCatalog, (catalog) => catalog.kindOf(DEMO.eventTypeIds.Notes))
        yield* Effect.promise(() => first.close())
        const fiber = yield* Effect.fork(create(notesEvent))
        yield* Effect.sync(() => lines.some((l) => l.message.startsWith("Propexo createApplicantEvent failed"))).pipe(
          Effect.repeat({ schedule: Schedule.spaced("5 millis"), until: (failed) => failed })
        )
        const exit = yield* Fiber.interrupt(fiber)
        expect(Exit.isInterrupted(exit)).toBe(true)
        // A simulator where the refused one was: a retry would reach it.
        const second = yield* Sandbox.make({ port, jobDelay: 0, tokens: ["fixed-token-2"] })
        yield* Effect.sleep("1300 millis")
        return yield* second.requests
      }).pipe(Effect.provide(layer), keepingLines(lines))
      expect(retried).toEqual([])
      expect(lines.filter((l) => l.message.startsWith("Propexo createApplicantEvent failed"))).toEqual([{
        level: "DEBUG",
        message: "Propexo createApplicantEvent failed: Propexo is unavailable: connection failed (ECONNREFUSED) " +
          "before the request was sent",
        annotations: {}
      }])
    }))
})

describe("maxQuotaWait", () => {
  const windowMs = 2_000
  const quotaOf2 = { rateLimit: { limit: 2, window: Duration.millis(windowMs) } }
  const simulatorOf2 = { jobDelay: 0, slowDownDelay: 0, rateLimit: 2, window: Duration.millis(windowMs) }

  it.scopedLive("when no slot frees within it, the create fails at once with PropexoRateLimited and sends nothing", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.make(simulatorOf2)
      yield* Effect.gen(function*() {
        yield* atWindowStart(windowMs)
        yield* create(notesEvent)
        const before = yield* sandbox.requests
        const error = yield* Effect.flip(create(notesEvent, { maxQuotaWait: "500 millis" }))
        const [quota] = yield* sandbox.quotas
        expect(error).toMatchObject({ _tag: "PropexoRateLimited", ambiguous: false, limit: 2 })
        if (error._tag === "PropexoRateLimited") expect(error.resetAt.epochMillis).toBe(Date.parse(quota!.windowEnd))
        expect(yield* sandbox.requests).toEqual(before)
      }).pipe(Effect.provide(clientLayer(sandbox, quotaOf2)))
    }))

  it.scopedLive("when a slot frees within it, the create waits for it and succeeds", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.make(simulatorOf2)
      yield* Effect.gen(function*() {
        yield* atWindowStart(windowMs)
        yield* create(notesEvent)
        yield* create({ ...notesEvent, notes: "next window" }, { maxQuotaWait: "5 seconds" })
      }).pipe(Effect.provide(clientLayer(sandbox, quotaOf2)))
      const requests = creates(yield* sandbox.requests)
      expect(requests.map((r) => [JSON.parse(r.body!).notes, r.status])).toEqual([
        [notesEvent.notes, 200],
        ["next window", 200]
      ])
    }))

  it.scopedLive("it counts the creates already waiting: behind a queue that fills the next window, the slot is two windows on", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.make(simulatorOf2)
      yield* Effect.gen(function*() {
        const client = yield* PropexoClient
        yield* atWindowStart(windowMs)
        yield* create(notesEvent)
        const queued = yield* Effect.fork(
          Effect.all([create({ ...notesEvent, notes: "queued 1" }), create({ ...notesEvent, notes: "queued 2" })], {
            concurrency: 2
          })
        )
        yield* client.quota.pipe(Effect.repeat({ schedule: Schedule.spaced("5 millis"), until: (q) => q.waiting === 2 }))
        const { resetAt } = yield* client.quota
        const error = yield* Effect.flip(create(notesEvent, { maxQuotaWait: Duration.millis(windowMs + 500) }))
        expect(error).toMatchObject({ _tag: "PropexoRateLimited", ambiguous: false })
        if (error._tag === "PropexoRateLimited") {
          expect(error.resetAt.epochMillis).toBe(resetAt.epochMillis + windowMs)
        }
        yield* Fiber.join(queued)
      }).pipe(Effect.provide(clientLayer(sandbox, quotaOf2)))
      const requests = creates(yield* sandbox.requests)
      expect(requests.map((r) => r.status)).toEqual([200, 200, 200])
      expect(requests.map((r) => JSON.parse(r.body!).notes).slice(1).sort()).toEqual(["queued 1", "queued 2"])
    }))

  it.scopedLive("it bounds the catalog read the create needs first", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.make(simulatorOf2)
      yield* Effect.gen(function*() {
        yield* atWindowStart(windowMs)
        yield* create(notesEvent)
        const error = yield* Effect.flip(
          create({ ...notesEvent, event_type_id: DEMO.eventTypeIds["Call-Outgoing"] }, { maxQuotaWait: "200 millis" })
        )
        expect(error).toMatchObject({ _tag: "PropexoRateLimited", ambiguous: false })
      }).pipe(Effect.provide(clientLayer(sandbox, quotaOf2)))
      expect((yield* sandbox.requests).map((r) => r.method)).toEqual(["GET", "POST"])
    }))

  it.scopedLive("PropexoClient.write takes it too", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.make(simulatorOf2)
      yield* Effect.gen(function*() {
        const client = yield* PropexoClient
        yield* atWindowStart(windowMs)
        const { sent } = yield* create(notesEvent)
        const error = yield* Effect.flip(
          client.write("createApplicantEvent", (api) => api.applicantEvents.create({ payload: sent }), {
            maxQuotaWait: 0
          })
        )
        expect(error).toMatchObject({ _tag: "PropexoRateLimited", ambiguous: false })
      }).pipe(Effect.provide(clientLayer(sandbox, quotaOf2)))
      expect(creates(yield* sandbox.requests)).toHaveLength(1)
    }))
})

describe("PropexoClient.quota", () => {
  it.scopedLive("tells the pacer's last known state without sending anything", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.make({ jobDelay: 0, rateLimit: 40, window: "1 day" })
      yield* Effect.gen(function*() {
        const client = yield* PropexoClient
        const fresh = yield* client.quota
        expect(fresh).toMatchObject({ limit: 150, remaining: 150, waiting: 0 })
        expect(fresh.lastAnswerAt._tag).toBe("None")
        const before = Date.now()
        yield* create(notesEvent)
        const after = yield* client.quota
        // Propexo's headers taught it the limit, and that 2 of its 40 are used.
        expect(after).toMatchObject({ limit: 40, remaining: 38, waiting: 0 })
        expect(after.lastAnswerAt._tag).toBe("Some")
        if (after.lastAnswerAt._tag === "Some") expect(after.lastAnswerAt.value.epochMillis).toBeGreaterThanOrEqual(before)
        expect(after.resetAt.epochMillis % 60_000).toBe(0)
        expect(after.resetAt.epochMillis).toBeGreaterThan(Date.now())
      }).pipe(Effect.provide(clientLayer(sandbox)))
      expect(yield* sandbox.requests).toHaveLength(2)
    }))
})
