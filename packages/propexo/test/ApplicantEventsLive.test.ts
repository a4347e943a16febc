import { NodeHttpClient } from "@effect/platform-node"
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import type { ApplicantEventInput } from "@entrata-events/core/ApplicantEvent"
import { Sandbox } from "@entrata-events/sandbox"
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as Tracer from "effect/Tracer"
import * as net from "node:net"
import { readFileSync } from "node:fs"
import { classify, EventTypeCatalog } from "../src/EventTypeCatalog.js"
import { VERSION } from "../src/internal/version.js"
import * as PropexoConfig from "../src/PropexoConfig.js"
import {
  ApplicantEvents,
  callEvent,
  clientLayer,
  creates,
  DEMO,
  logLines,
  makeSandbox,
  notesEvent,
  withClient
} from "./helpers.js"

/** The error of an effect that must fail; a success fails the test. */
const fail = Effect.flip

/** Everything the tests learnt about errors, to be scanned for the token at the end. */
const seenErrors: Array<unknown> = []
const tokens: Array<string> = []

const create = (input: ApplicantEventInput, options?: { readonly awaitCompletion?: boolean }) =>
  Effect.flatMap(ApplicantEvents, (events) =>
    events.create(input, options).pipe(Effect.tapError((e) => Effect.sync(() => seenErrors.push(e)))))

const track = (sandbox: Sandbox.SandboxService) => Effect.sync(() => tokens.push(Redacted.value(sandbox.token)))

describe("ApplicantEventsLive against the simulator", () => {
  it.scopedLive("creates an event with bearer auth, JSON headers and Mountain Time on the wire", () =>
    withClient({}, (sandbox) =>
      Effect.gen(function*() {
        yield* track(sandbox)
        const created = yield* create(callEvent)
        expect(created.job_id).toMatch(/^c[a-z0-9]{20,}$/)
        expect(created.sent.event_datetime).toBe("2026-11-28T14:30:00-07:00")
        expect(created.sent.call_phone_number_from).toBe("+14035551234")
        const [post, ...more] = creates(yield* sandbox.requests)
        expect(more).toEqual([])
        expect(JSON.parse(post!.body!)).toEqual(created.sent)
        expect(post!.mountainTime).toEqual({ event_datetime: true })
        expect(post!.headers["accept"]).toBe("application/json")
        expect(post!.headers["user-agent"]).toBe(`@entrata-events/propexo/${VERSION}`)
        expect(post!.headers["authorization"]).toBeUndefined() // the simulator never logs it
        expect(post!.token).toBe(sandbox.tokens[0]!.name)
      })))

  it.scopedLive("awaits completion and reports SUCCESS once the event is on the read side", () =>
    withClient({}, (sandbox) =>
      Effect.gen(function*() {
        const created = yield* create(notesEvent, { awaitCompletion: true })
        expect(created.write_status).toBe("SUCCESS")
        const events = yield* sandbox.events
        expect(events.map((e) => e.notes)).toEqual(["Asked about parking."])
      })))

  it.scopedLive("fails a write the PMS refuses with the PMS's messages", () =>
    withClient({}, () =>
      Effect.gen(function*() {
        const error = yield* fail(create({ ...notesEvent, email_to: "someone.else@example.com" }, { awaitCompletion: true }))
        expect(error).toMatchObject({ _tag: "WriteFailed" })
        if (error._tag === "WriteFailed") expect(error.errors.join(" ")).toMatch(/primary email/i)
      })))

  it.scopedLive("stops a call event without call fields before anything is sent, catalog read once", () =>
    withClient({}, (sandbox) =>
      Effect.gen(function*() {
        const { call_audio_link: _a, call_status: _s, ...partial } = callEvent
        const error = yield* fail(create(partial))
        expect(error).toMatchObject({ _tag: "InvalidApplicantEvent" })
        if (error._tag === "InvalidApplicantEvent") {
          expect(error.issues.map((i) => i.path)).toEqual(["call_status", "call_audio_link"])
        }
        yield* create(callEvent)
        yield* create(callEvent)
        const requests = yield* sandbox.requests
        expect(creates(requests)).toHaveLength(2)
        expect(requests.filter((r) => r.path.startsWith("/v1/event-types/"))).toHaveLength(1)
      })))

  it.scopedLive("refuses an event type Propexo does not know, locally", () =>
    withClient({}, (sandbox) =>
      Effect.gen(function*() {
        const error = yield* fail(create({ ...notesEvent, event_type_id: "cmnosuchtype00000000000000" }))
        expect(error).toMatchObject({ _tag: "InvalidApplicantEvent", issues: [{ path: "event_type_id" }] })
        expect(creates(yield* sandbox.requests)).toEqual([])
      })))

  it.scopedLive("never sends an input that fails local validation", () =>
    withClient({}, (sandbox) =>
      Effect.gen(function*() {
        const error = yield* fail(create({ ...notesEvent, event_datetime: "2026-11-28 14:30", call_duration: 90_000 }))
        expect(error).toMatchObject({ _tag: "InvalidApplicantEvent" })
        expect(yield* sandbox.requests).toEqual([])
      })))

  it.scopedLive("a wrong token is PropexoUnauthorized, not retried", () =>
    Effect.gen(function*() {
      const sandbox = yield* makeSandbox({ jobDelay: 0 })
      const error = yield* fail(create(notesEvent)).pipe(
        Effect.provide(clientLayer(sandbox, { token: Redacted.make("not-the-token") }))
      )
      expect(error).toMatchObject({ _tag: "PropexoUnauthorized", status: 401 })
      expect(yield* sandbox.requests).toHaveLength(1)
    }))

  it.scopedLive("Propexo's own 400 becomes PropexoBadRequest with its issues on our field paths", () =>
    Effect.gen(function*() {
      const sandbox = yield* makeSandbox({ jobDelay: 0 })
      // An HttpClient that slips a key Propexo does not know into every create.
      const tampering = Layer.effect(
        HttpClient.HttpClient,
        Effect.map(HttpClient.HttpClient, (client) =>
          client.pipe(HttpClient.mapRequest((request) =>
            request.method === "POST" && request.body._tag === "Uint8Array"
              ? HttpClientRequest.setBody(
                request,
                HttpBody.text(
                  JSON.stringify({ ...JSON.parse(new TextDecoder().decode(request.body.body)), favourite_colour: "teal" }),
                  "application/json"
                )
              )
              : request
          )))
      ).pipe(Layer.provide(NodeHttpClient.layerUndici))
      const error = yield* fail(create(notesEvent)).pipe(Effect.provide(clientLayer(sandbox, {}, tampering)))
      expect(error).toMatchObject({
        _tag: "PropexoBadRequest",
        code: "invalid_request",
        issues: [{ path: "favourite_colour" }]
      })
      expect(String(error)).toContain("favourite_colour")
    }))
})

describe("EventTypeCatalog", () => {
  it.scopedLive("resolves names case-insensitively per property, lists sub-types and results, and caches them", () =>
    withClient({}, (sandbox) =>
      Effect.gen(function*() {
        const catalog = yield* EventTypeCatalog
        const scope = { integration_id: DEMO.integrationId, property_id: DEMO.propertyId }
        const callOutgoing = yield* catalog.resolve("call-OUTGOING", scope)
        expect(callOutgoing.id).toBe(DEMO.eventTypeIds["Call-Outgoing"])
        expect(yield* catalog.kindOf(callOutgoing.id)).toBe("call")
        const unknown = yield* Effect.flip(catalog.resolve("Carrier Pigeon", scope))
        expect(unknown._tag).toBe("UnknownEventType")
        if (unknown._tag === "UnknownEventType") expect(unknown.known).toContain("Call-Outgoing")
        const subTypes = yield* catalog.eventSubTypes({ ...scope, event_type_id: DEMO.eventTypeIds.Appointment })
        expect(subTypes.map((t) => t.name).sort()).toEqual(["Leasing Appointments", "Self-Guided Tour", "Tour", "Virtual Tour"])
        expect((yield* catalog.eventResults(scope)).length).toBeGreaterThan(0)
        const before = (yield* sandbox.requests).length
        yield* catalog.eventTypes(scope)
        yield* catalog.eventSubTypes({ ...scope, event_type_id: DEMO.eventTypeIds.Appointment })
        expect((yield* sandbox.requests).length).toBe(before)
      })))

  it("classifies event types by name or code, as documented", () => {
    const kind = (name: string, code: string | null = null) => classify({ name, code })
    expect(kind("Call-Incoming")).toBe("call")
    expect(kind("Phone", "CALL_OUT")).toBe("call")
    expect(kind("Email-Outgoing")).toBe("outgoing-email")
    expect(kind("Outgoing Email")).toBe("outgoing-email")
    expect(kind("Email-Incoming")).toBe("other")
    expect(kind("Text-Outgoing")).toBe("other")
    expect(kind("Notes")).toBe("other")
  })
})

/**
 * An HTTP client that records each request as it leaves and each one
 * interrupted before its answer: the simulator never sees a request its
 * client hung up on.
 */
const watchingRequests = () => {
  const sent: Array<string> = []
  const abandoned: Array<string> = []
  const http = Layer.effect(
    HttpClient.HttpClient,
    Effect.map(HttpClient.HttpClient, (client) =>
      client.pipe(
        HttpClient.transform((send, request) =>
          send.pipe(Effect.onInterrupt(() => Effect.sync(() => abandoned.push(request.method))))),
        HttpClient.tapRequest((request) => Effect.sync(() => sent.push(request.method)))
      ))
  ).pipe(Layer.provide(NodeHttpClient.layerUndici))
  return { abandoned, http, sent }
}

describe("safe retries", () => {
  it.scopedLive("a 5xx on a create is ambiguous and not retried", () =>
    withClient({}, (sandbox) =>
      Effect.gen(function*() {
        yield* create(notesEvent) // warms the catalog cache, so only the create meets the outage
        yield* sandbox.setFaults({ serverErrorShare: 1, serverErrorStatuses: [503] })
        const error = yield* fail(create(notesEvent))
        expect(error._tag).toBe("PropexoUnavailable")
        expect(error).toMatchObject({ status: 503, ambiguous: true })
        expect(creates(yield* sandbox.requests)).toHaveLength(2)
      })))

  it.scopedLive("a timeout on a create is ambiguous and not retried", () =>
    Effect.gen(function*() {
      const sandbox = yield* makeSandbox({ jobDelay: 0 })
      const { abandoned, http, sent } = watchingRequests()
      const error = yield* Effect.gen(function*() {
        yield* create(notesEvent) // warms the catalog cache, so only the create is slow
        yield* sandbox.setFaults({ latencyMs: 1_000 })
        return yield* fail(create(notesEvent))
      }).pipe(Effect.provide(clientLayer(sandbox, { timeout: "200 millis" }, http)))
      expect(error._tag).toBe("PropexoTimeout")
      expect(error).toMatchObject({ ambiguous: true, timeoutMillis: 200 })
      expect(sent).toEqual(["GET", "POST", "POST"])
      expect(abandoned).toEqual(["POST"])
    }))

  it.scopedLive("interrupting a create once it is sent no longer hangs up its request: it completes", () =>
    Effect.gen(function*() {
      const sandbox = yield* makeSandbox({ jobDelay: 0 })
      const { abandoned, http, sent } = watchingRequests()
      yield* Effect.gen(function*() {
        yield* create(notesEvent)
        yield* sandbox.setFaults({ latencyMs: 300 })
        const fiber = yield* Effect.fork(create(notesEvent))
        while (sent.length < 3) yield* Effect.sleep("5 millis")
        const exit = yield* Fiber.interrupt(fiber)
        expect(exit._tag).toBe("Failure")
      }).pipe(Effect.provide(clientLayer(sandbox, {}, http)))
      expect(sent).toEqual(["GET", "POST", "POST"])
      expect(abandoned).toEqual([])
      expect(yield* sandbox.jobs).toHaveLength(2)
    }))

  it.scopedLive("interrupting a read hangs up its request at once", () =>
    Effect.gen(function*() {
      const sandbox = yield* makeSandbox({ jobDelay: 0 })
      const { abandoned, http, sent } = watchingRequests()
      yield* Effect.gen(function*() {
        yield* sandbox.setFaults({ latencyMs: 60_000 })
        const fiber = yield* Effect.fork(create(notesEvent))
        while (sent.length < 1) yield* Effect.sleep("5 millis")
        const exit = yield* Fiber.interrupt(fiber)
        expect(exit._tag).toBe("Failure")
      }).pipe(Effect.provide(clientLayer(sandbox, {}, http)))
      expect(sent).toEqual(["GET"])
      expect(abandoned).toEqual(["GET"])
    }))

  it.scopedLive("a connection dropped after processing is ambiguous: one job, no duplicate", () =>
    withClient({}, (sandbox) =>
      Effect.gen(function*() {
        yield* create(notesEvent)
        yield* sandbox.reset
        yield* sandbox.setFaults({ dropAfterProcessingShare: 1 })
        const error = yield* fail(create(notesEvent))
        expect(error).toMatchObject({ _tag: "PropexoUnavailable", ambiguous: true })
        expect(creates(yield* sandbox.requests)).toHaveLength(1)
        expect(yield* sandbox.jobs).toHaveLength(1)
      })))

  it.scopedLive("with retryAmbiguous, a lost first answer is retried and the event delivered exactly once", () =>
    withClient({}, (sandbox) =>
      Effect.gen(function*() {
        yield* create(notesEvent)
        yield* sandbox.reset
        yield* sandbox.setFaults({ dropBeforeBodyShare: 1 })
        const fiber = yield* Effect.fork(create(notesEvent))
        // Lift the fault once the first attempt has been dropped; the retry comes 300 ms later.
        yield* sandbox.requests.pipe(
          Effect.repeat({ schedule: Schedule.spaced("10 millis"), until: (rs) => rs.length > 0 })
        )
        yield* sandbox.clearFaults
        const created = yield* Fiber.join(fiber)
        const requests = creates(yield* sandbox.requests)
        expect(requests.map((r) => r.outcome)).toEqual(["dropped-before-body", "answered"])
        expect((yield* sandbox.jobs).map((j) => j.id)).toEqual([created.job_id])
      }), { retryAmbiguous: true, connectRetry: Schedule.spaced("300 millis").pipe(Schedule.intersect(Schedule.recurs(2))) }))

  it.scopedLive("a refused connection is certainly not processed, so a create is retried until it lands", () =>
    Effect.gen(function*() {
      const port = yield* Effect.promise(() => freePort())
      const sandboxFiber = yield* Effect.fork(
        Effect.sleep("400 millis").pipe(Effect.zipRight(makeSandbox({ port, jobDelay: 0, tokens: ["fixed-token-1"] })))
      )
      const created = yield* create(notesEvent).pipe(
        Effect.provide(
          clientLayer({ baseUrl: `http://127.0.0.1:${port}`, token: Redacted.make("fixed-token-1") }, {
            connectRetry: Schedule.spaced("200 millis").pipe(Schedule.intersect(Schedule.recurs(10))),
            readRetry: Schedule.spaced("200 millis").pipe(Schedule.intersect(Schedule.recurs(10)))
          })
        )
      )
      const sandbox = yield* Fiber.join(sandboxFiber)
      expect((yield* sandbox.jobs).map((j) => j.id)).toEqual([created.job_id])
    }))

  it.scopedLive("reads are retried through a passing outage", () =>
    withClient({}, (sandbox) =>
      Effect.gen(function*() {
        yield* sandbox.setFaults({ serverErrorShare: 1, serverErrorStatuses: [502] })
        const catalog = yield* EventTypeCatalog
        const fiber = yield* Effect.fork(catalog.eventType(DEMO.eventTypeIds.Notes))
        yield* sandbox.requests.pipe(Effect.repeat({ schedule: Schedule.spaced("10 millis"), until: (rs) => rs.length > 0 }))
        yield* sandbox.clearFaults
        const eventType = yield* Fiber.join(fiber)
        expect(eventType.name).toBe("Notes")
        expect((yield* sandbox.requests).map((r) => r.status)).toEqual([502, 200])
      }), { readRetry: Schedule.spaced("200 millis").pipe(Schedule.intersect(Schedule.recurs(2))) }))

  it.scopedLive("a malformed answer is PropexoUnexpectedResponse with its status and body", () =>
    withClient({}, (sandbox) =>
      Effect.gen(function*() {
        yield* create(notesEvent)
        yield* sandbox.setFaults({ malformedShare: 1 })
        const error = yield* fail(create(notesEvent))
        expect(error).toMatchObject({ _tag: "PropexoUnexpectedResponse", status: 200 })
        if (error._tag === "PropexoUnexpectedResponse") expect(error.body).toMatch(/^\{/)
      })))
})

describe("quota pacing", () => {
  it.scopedLive("a 429 waits for the next window and then succeeds", () =>
    withClient({ rateLimit: 3, window: "2 seconds" }, (sandbox) =>
      Effect.gen(function*() {
        const catalog = yield* EventTypeCatalog
        // Start just after a window boundary, so the quota cannot reset before the client's call.
        yield* Effect.sleep(Duration.millis(2_000 - (Date.now() % 2_000) + 20))
        // Another user of the same token spends the quota behind the client's back.
        for (let i = 0; i < 3; i++) {
          yield* Effect.promise(() =>
            fetch(`${sandbox.baseUrl}/v1/event-types/`, { headers: { authorization: `Bearer ${Redacted.value(sandbox.token)}` } })
          )
        }
        const eventType = yield* catalog.eventType(DEMO.eventTypeIds.Notes)
        expect(eventType.name).toBe("Notes")
        const statuses = (yield* sandbox.requests).map((r) => r.status)
        expect(statuses.slice(3)).toEqual([429, 200])
      }), { rateLimit: { limit: 3, window: Duration.seconds(2) } }))

  it.scopedLive("a burst learns the real quota from the headers and gets no 429 after the first window", () =>
    withClient({ rateLimit: 10, window: "1 second" }, (sandbox) =>
      Effect.gen(function*() {
        yield* create(notesEvent)
        yield* sandbox.reset
        // The client believes the quota is 150; Propexo says 10.
        yield* Effect.forEach(Array.from({ length: 40 }), () => create(notesEvent), { concurrency: 20 })
        const requests = creates(yield* sandbox.requests)
        expect(requests.filter((r) => r.status === 200)).toHaveLength(40)
        const firstWindowEnd = Math.floor(Date.parse(requests[0]!.time) / 1000) * 1000 + 1000
        const late429 = requests.filter((r) => r.status === 429 && Date.parse(r.time) >= firstWindowEnd)
        expect(late429).toEqual([])
      }), { rateLimit: { window: Duration.seconds(1), maxRateLimitedRetries: 5 } }))
})

/** A span as the recording tracer keeps it. */
interface Recorded {
  readonly name: string
  readonly spanId: string
  readonly parentId: string | undefined
  readonly kind: Tracer.SpanKind
  readonly attributes: Map<string, unknown>
  ended: boolean
}

/** A tracer that keeps every span it starts, to check names, parents and attributes. */
const recordingTracer = (spans: Array<Recorded>): Tracer.Tracer =>
  Tracer.make({
    span: (name, parent, context, links, _startTime, kind) => {
      const spanId = `span-${spans.length + 1}`
      const attributes = new Map<string, unknown>()
      const recorded: Recorded = {
        name,
        spanId,
        parentId: Option.getOrUndefined(Option.map(parent, (p) => p.spanId)),
        kind,
        attributes,
        ended: false
      }
      spans.push(recorded)
      return {
        _tag: "Span",
        name,
        spanId,
        traceId: "trace",
        parent,
        context,
        status: { _tag: "Started", startTime: 0n },
        attributes,
        links,
        sampled: true,
        kind,
        end: () => {
          recorded.ended = true
        },
        attribute: (key, value) => {
          attributes.set(key, value)
        },
        event: () => {},
        addLinks: () => {}
      }
    },
    context: (f) => f()
  })

describe("observability", () => {
  it.scopedLive("a create is a span with the job id, around the Propexo call's span with status and attempt", () =>
    withClient({}, () =>
      Effect.gen(function*() {
        yield* create(notesEvent) // warms the catalog cache
        const spans: Array<Recorded> = []
        const created = yield* create(notesEvent).pipe(Effect.withTracer(recordingTracer(spans)))
        const [outer, call, ...more] = spans
        expect(more).toEqual([])
        expect(outer).toMatchObject({ name: "ApplicantEvents.create", ended: true })
        expect(outer!.attributes.get("propexo.job_id")).toBe(created.job_id)
        expect(outer!.attributes.get("entrata.event_kind")).toBe("other")
        expect(call).toMatchObject({ name: "Propexo.createApplicantEvent", kind: "client", ended: true })
        expect(call!.parentId).toBe(outer!.spanId)
        expect(Object.fromEntries(call!.attributes)).toEqual({ "propexo.attempt": 1, "http.status": 200 })
      })))

  it.scopedLive("a read retried through an outage counts its attempts on its span", () =>
    withClient({}, (sandbox) =>
      Effect.gen(function*() {
        yield* sandbox.setFaults({ serverErrorShare: 1, serverErrorStatuses: [503] })
        const spans: Array<Recorded> = []
        const error = yield* fail(
          Effect.flatMap(EventTypeCatalog, (catalog) => catalog.eventType(DEMO.eventTypeIds.Notes)).pipe(
            Effect.withTracer(recordingTracer(spans))
          )
        )
        expect(error).toMatchObject({ _tag: "PropexoUnavailable", status: 503 })
        expect(spans.map((s) => s.name)).toEqual(["Propexo.getEventType"])
        expect(Object.fromEntries(spans[0]!.attributes)).toEqual({ "propexo.attempt": 3, "http.status": 503 })
      }), { readRetry: Schedule.recurs(2) }))
})

describe("secrets", () => {
  it("never shows the token in a log line, an error message or String(error)", () => {
    expect(tokens.length).toBeGreaterThan(0)
    expect(seenErrors.length).toBeGreaterThan(5)
    expect(logLines.length).toBeGreaterThan(0)
    const texts = [
      ...logLines,
      ...seenErrors.flatMap((e) => [String(e), e instanceof Error ? e.message : "", JSON.stringify(e)])
    ]
    for (const token of [...tokens, "not-the-token", "fixed-token-1"]) {
      for (const text of texts) expect(text).not.toContain(token)
    }
  })
})

describe("configuration", () => {
  it("the User-Agent version is package.json's", () => {
    const pkg = Schema.decodeUnknownSync(Schema.parseJson(Schema.Struct({ version: Schema.String })))(
      readFileSync(new URL("../package.json", import.meta.url), "utf8")
    )
    expect(VERSION).toBe(pkg.version)
  })

  it.effect("layerConfig fails with a ConfigError naming PROPEXO_TOKEN when it is missing", () =>
    Effect.gen(function*() {
      const result = yield* Effect.either(
        Layer.build(PropexoConfig.layerConfig()).pipe(
          Effect.scoped,
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["PROPEXO_BASE_URL", "sandbox"]])))
        )
      )
      expect(Either.isLeft(result) && String(result.left)).toContain("PROPEXO_TOKEN")
    }))

  it.effect("layer refuses options out of their rules with one ConfigError naming each, never a thrown TypeError", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        Layer.build(PropexoConfig.layer({
          token: Redacted.make("secret-token"),
          baseUrl: "ftp://propexo.example",
          timeout: "0 millis",
          rateLimit: { headroom: 1.5, limit: 0 }
        })).pipe(Effect.scoped)
      )
      const text = String(error)
      expect(text).toContain("baseUrl")
      expect(text).toContain("must be production, sandbox or an http(s) URL")
      expect(text).toContain("timeout")
      expect(text).toContain("rateLimit.headroom")
      expect(text).toContain("rateLimit.limit")
      expect(text).not.toContain("secret-token")
    }))

  it.effect("layerConfig takes any Config of the options, as PgClient's does", () =>
    Effect.gen(function*() {
      const config = yield* Effect.provide(
        PropexoConfig.PropexoConfig,
        PropexoConfig.layerConfig({
          token: Config.redacted("MY_TOKEN"),
          baseUrl: Config.succeed("sandbox"),
          rateLimit: Config.succeed({ limit: 60 })
        })
      ).pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["MY_TOKEN", "t0ken"]]))))
      expect(config.baseUrl.toString()).toBe("https://api.sandbox.propexo.com/")
      expect(config.rateLimit.limit).toBe(60)
      expect(Redacted.value(config.token)).toBe("t0ken")
    }))
})

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = net.createServer()
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port")))
    })
  })
