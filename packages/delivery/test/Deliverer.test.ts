import { NodeHttpClient } from "@effect/platform-node"
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import { EventTypeCatalog } from "@entrata-events/propexo/EventTypeCatalog"
import { Sandbox } from "@entrata-events/sandbox"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Scope from "effect/Scope"
import type { PropexoConfig } from "@entrata-events/propexo"
import type { Delivery } from "../src/Delivery.js"
import { DeliveryLedger } from "../src/DeliveryLedger.js"
import {
  awaitDelivery,
  awaitSent,
  awaitStatus,
  callEvent,
  CARLOS,
  type ClientServices,
  clientLayer,
  CREATE_PATH,
  creates,
  DEMO,
  enqueue,
  envLayer,
  type EnvOptions,
  eventually,
  get,
  JANE,
  logging,
  logLines,
  noteFor,
  notesEvent,
  OTHER,
  sentNotes,
  type Services,
  start,
  statusesOf,
  tempFile
} from "./helpers.js"

/** Short pauses, so that outages end quickly in tests. */
const fast = { backoff: "50 millis", maxBackoff: "200 millis", confirmAfter: "50 millis" } as const

/** A sandbox, a ledger file, and everything on them with the deliverer running. */
const withDeliverer = <A, E>(
  f: (sandbox: Sandbox.SandboxService) => Effect.Effect<A, E, Services>,
  options: {
    readonly sandbox?: Sandbox.SandboxOptions
    readonly env?: EnvOptions
    readonly client?: Partial<PropexoConfig.PropexoConfigOptions>
    readonly http?: Layer.Layer<HttpClient.HttpClient>
  } = {}
) =>
  Effect.gen(function*() {
    const sandbox = yield* Sandbox.make({ jobDelay: 0, slowDownDelay: 0, ...options.sandbox })
    const file = yield* tempFile
    const result = yield* f(sandbox).pipe(
      Effect.provide(
        envLayer(file, clientLayer(sandbox, options.client, options.http), { deliverer: fast, ...options.env })
      ),
      Effect.provide(logging)
    )
    expect(logLines.join("\n")).not.toContain(Redacted.value(sandbox.token))
    return result
  })

/** Reads the Notes event type into the catalog's cache, so faults staged next hit the creates only. */
const warmCatalog = Effect.flatMap(EventTypeCatalog, (catalog) => catalog.kindOf(DEMO.eventTypeIds.Notes))

/** The crash's half: `sending` committed, as the deliverer does before it sends. */
const claim = () => ({ from: "queued", to: "sending", at: Date.now(), reason: "sending to Propexo", countAttempt: true }) as const

/** The body of the first create the simulator received. */
const sentBody = (requests: ReadonlyArray<Sandbox.RequestRecord>): Record<string, unknown> =>
  // The bodies the client sent: JSON objects.
  JSON.parse(creates(requests)[0]!.body!) as Record<string, unknown>

/** Whether a delivery went back from `sending` to `queued` (not sent). */
const wentBack = (delivery: Delivery) => delivery.history.some((t) => t.from === "sending" && t.to === "queued")

/** A client built once, so that its catalog cache and quota pacer outlive the environments built on it. */
const sharedClient = (layer: Layer.Layer<ClientServices>) =>
  Effect.map(Layer.build(layer), (context) => Layer.succeedContext(context))

describe("Deliverer", () => {
  it.scopedLive("delivers a queued event at once, and learns that Entrata applied it", () =>
    withDeliverer((sandbox) =>
      Effect.gen(function*() {
        const { id } = yield* enqueue(notesEvent)
        const done = yield* awaitStatus(id, "succeeded")
        expect(statusesOf(done)).toEqual(["queued", "sending", "sent", "succeeded"])
        expect(done.attempts).toBe(1)
        expect(done.write_status).toBe("SUCCESS")
        expect(done.errors).toEqual([])
        expect(done.sent_at).not.toBeNull()
        expect(done.completed_at).not.toBeNull()
        const [post, ...more] = creates(yield* sandbox.requests)
        expect(more).toEqual([])
        // The exact body the ledger shows is the one Propexo received.
        expect(JSON.parse(post!.body!)).toEqual(done.body)
        expect(post!.jobId).toBe(done.job_id)
        expect(done.history[2]).toMatchObject({ from: "sending", to: "sent", attempt: 1 })
        expect(done.history[2]!.reason).toContain(done.job_id)
        // Confirmed through the write logs, not the job's own write status.
        const requests = yield* sandbox.requests
        expect(requests.filter((r) => r.path === "/v1/admin/logs/writes/").map((r) => r.status)).toEqual([200])
        expect(requests.filter((r) => r.path.startsWith("/v1/admin/write-status/"))).toEqual([])
        expect(done.history.at(-1)!.reason).toBe("Entrata applied it (write logs)")
        expect((yield* sandbox.events).map((e) => e.notes)).toEqual(["Asked about parking."])
      }), { env: { deliverer: { ...fast, pollInterval: "1 hour" } } }))

  it.scopedLive("a write the PMS refuses ends failed, with its messages; the applicant's next event still goes", () =>
    withDeliverer(() =>
      Effect.gen(function*() {
        const { id } = yield* enqueue({ ...notesEvent, email_to: "someone.else@example.com" })
        const failed = yield* awaitStatus(id, "failed")
        expect(statusesOf(failed)).toEqual(["queued", "sending", "sent", "failed"])
        expect(failed.write_status).toBe("FAILURE")
        expect(failed.errors.join(" ")).toMatch(/primary email/i)
        expect(failed.history.at(-1)).toMatchObject({ from: "sent", reason: "Entrata refused it (write logs)" })
        // It does not hold back the applicant's next event.
        yield* awaitStatus((yield* enqueue({ ...notesEvent, notes: "Called again." })).id, "succeeded")
      })))

  it.scopedLive("a burst is confirmed from the write logs, at most 0.05 requests per delivery, none per job", () =>
    withDeliverer((sandbox) =>
      Effect.gen(function*() {
        const ids: Array<string> = []
        for (let i = 0; i < 120; i++) ids.push((yield* enqueue(noteFor(i % 2 === 0 ? JANE : CARLOS, i))).id)
        for (const id of ids) yield* awaitStatus(id, "succeeded")
        const requests = yield* sandbox.requests
        const reads = requests.filter((r) => r.path === "/v1/admin/logs/writes/")
        expect(reads.length).toBeGreaterThan(0)
        expect(reads.length / ids.length).toBeLessThanOrEqual(0.05)
        expect(reads.every((r) => r.query.integration_id === DEMO.integrationId && r.query.limit === "100")).toBe(true)
        expect(requests.filter((r) => r.path.startsWith("/v1/admin/write-status/"))).toEqual([])
      }), {
      sandbox: { rateLimit: 10_000 },
      client: { rateLimit: { limit: 10_000 } },
      env: { deliverer: { ...fast, confirmAfter: "200 millis" } }
    }))

  it.scopedLive("the write logs are read page after page, back to the oldest write looked for", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.make({ jobDelay: 0, slowDownDelay: 0, rateLimit: 10_000, maxRequests: 10_000 })
      const file = yield* tempFile
      const client = yield* sharedClient(clientLayer(sandbox, { rateLimit: { limit: 10_000 } }))
      // Sent, and not looked for yet.
      const before = yield* start(envLayer(file, client, { deliverer: { ...fast, confirmAfter: "1 hour" } }))
      const { id } = yield* before.run(enqueue(notesEvent))
      yield* before.run(awaitSent(id))
      yield* before.stop
      // Another user of the token writes 150 events after it: their logs come first.
      const body = sentBody(yield* sandbox.requests)
      for (let i = 0; i < 150; i++) {
        const answer = yield* Effect.promise(() =>
          fetch(`${sandbox.baseUrl}${CREATE_PATH}`, {
            method: "POST",
            headers: { authorization: `Bearer ${Redacted.value(sandbox.token)}`, "content-type": "application/json" },
            body: JSON.stringify({ ...body, notes: `Other ${i}` })
          })
        )
        expect(answer.status).toBe(200)
      }
      yield* eventually(sandbox.jobs, (jobs) => jobs.every((j) => j.status !== "PENDING"))
      const after = yield* start(envLayer(file, client, { deliverer: fast }))
      const done = yield* after.run(awaitStatus(id, "succeeded"))
      expect(done.history.at(-1)!.reason).toBe("Entrata applied it (write logs)")
      const reads = (yield* sandbox.requests).filter((r) => r.path === "/v1/admin/logs/writes/")
      expect(reads.map((r) => r.query.offset)).toEqual(["0", "100"])
      yield* after.stop
    }).pipe(Effect.provide(logging)))

  it.scopedLive("a write the logs do not show is asked by its own write status after writeStatusAfter", () =>
    Effect.gen(function*() {
      // An HttpClient that asks the logs of another kind of write: they never show ours.
      const blind = Layer.effect(
        HttpClient.HttpClient,
        Effect.map(HttpClient.HttpClient, (client) =>
          client.pipe(HttpClient.mapRequest((request) =>
            request.url.endsWith("/v1/admin/logs/writes/")
              ? HttpClientRequest.setUrlParam(request, "write_category", "leads")
              : request
          )))
      ).pipe(Layer.provide(NodeHttpClient.layerUndici))
      yield* withDeliverer((sandbox) =>
        Effect.gen(function*() {
          const { id } = yield* enqueue(notesEvent)
          const done = yield* awaitStatus(id, "succeeded")
          expect(done.history.at(-1)!.reason).toBe("Entrata applied it (write status)")
          const requests = yield* sandbox.requests
          expect(requests.some((r) => r.path === "/v1/admin/logs/writes/")).toBe(true)
          expect(requests.filter((r) => r.path === `/v1/admin/write-status/${done.job_id}`)).toHaveLength(1)
        }), { http: blind, env: { deliverer: { ...fast, writeStatusAfter: "300 millis" } } })
    }))

  it.scopedLive("a write never confirmed stays sent after giveUpAfter, with the reason, and is no longer looked for", () =>
    Effect.forEach(
      [
        // Entrata never decides.
        { jobDelay: "1 hour" },
        // Propexo forgets the job: its write status is a 404.
        { jobDelay: "1 hour", jobTtl: "100 millis" }
      ] as const,
      (sandboxOptions) =>
        withDeliverer((sandbox) =>
          Effect.gen(function*() {
            const { id } = yield* enqueue(notesEvent)
            const stuck = yield* awaitDelivery(id, (d) => d.history.some((t) => t.from === "sent" && t.to === "sent"))
            expect(stuck.status).toBe("sent")
            expect(stuck.next_attempt_at).toBeNull()
            expect(stuck.history.at(-1)!.reason).toMatch(/^not confirmed within 1s of being sent: no longer looked for/)
            expect((yield* sandbox.requests).some((r) => r.path.startsWith("/v1/admin/write-status/"))).toBe(true)
            // Not counted among the writes the deliverer still looks for.
            const waiting = yield* Effect.flatMap(DeliveryLedger, (ledger) =>
              ledger.awaitingConfirmation(Date.now(), 0, {}))
            expect(waiting).toEqual([])
          }), {
          sandbox: sandboxOptions,
          env: { deliverer: { ...fast, writeStatusAfter: "200 millis", giveUpAfter: "1 second" } }
        }),
      { discard: true }
    ))

  it.scopedLive("Propexo's 400, 403 or 404 ends rejected, with its reason, and is never sent again", () =>
    Effect.gen(function*() {
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
      yield* withDeliverer(() =>
        Effect.gen(function*() {
          const { id } = yield* enqueue(notesEvent)
          const rejected = yield* awaitStatus(id, "rejected")
          expect(statusesOf(rejected)).toEqual(["queued", "sending", "rejected"])
          expect(rejected.history.at(-1)!.reason).toContain("favourite_colour")
          expect(rejected.job_id).toBeNull()
        }), { http: tampering })

      // A token that may not write to the event's integration: 403.
      yield* withDeliverer((sandbox) =>
        Effect.gen(function*() {
          const { id } = yield* enqueue({ ...notesEvent, integration_id: OTHER.integrationId })
          const rejected = yield* awaitStatus(id, "rejected")
          expect(statusesOf(rejected)).toEqual(["queued", "sending", "rejected"])
          expect(rejected.history.at(-1)!.reason).toMatch(/refused the credentials \(403\)/)
          yield* awaitStatus((yield* enqueue(notesEvent)).id, "succeeded")
          expect(creates(yield* sandbox.requests).map((r) => r.status)).toEqual([403, 200])
        }), { sandbox: { tokens: [{ token: "sbx_limited_to_sunrise_0123456789", integrations: [DEMO.integrationId] }] } })

      yield* withDeliverer((sandbox) =>
        Effect.gen(function*() {
          const { id } = yield* enqueue({ ...notesEvent, integration_id: "cmnosuchintegration0000000" })
          const rejected = yield* awaitStatus(id, "rejected")
          expect(statusesOf(rejected)).toEqual(["queued", "sending", "rejected"])
          expect(rejected.history.at(-1)!.reason).toMatch(/Propexo has no/)
          // The next event goes, and the rejected one is not tried again.
          yield* awaitStatus((yield* enqueue(notesEvent)).id, "succeeded")
          expect(creates(yield* sandbox.requests)).toHaveLength(2)
        }))
    }))

  it.scopedLive("an event accepted while the catalog was down is checked before it is sent: refused, or delivered", () =>
    withDeliverer((sandbox) =>
      Effect.gen(function*() {
        yield* sandbox.setFaults({ serverErrorShare: 1, serverErrorStatuses: [503] })
        const { call_audio_link: _a, ...partial } = callEvent
        const invalid = yield* enqueue(partial)
        const valid = yield* enqueue(noteFor(CARLOS, 1))
        yield* sandbox.clearFaults
        const rejected = yield* awaitStatus(invalid.id, "rejected")
        // Refused before `sending`: it never left.
        expect(statusesOf(rejected)).toEqual(["queued", "rejected"])
        expect(rejected.attempts).toBe(0)
        expect(rejected.history.at(-1)!.reason).toContain("call_audio_link: is required for call event types")
        yield* awaitSent(valid.id)
        expect(sentNotes(yield* sandbox.requests)).toEqual(["Note 1"])
      })))

  it.scopedLive("a create whose answer was lost or late ends ambiguous, and is not resent", () =>
    Effect.forEach(
      [
        // Propexo queued it, then the connection dropped: that is why it is never resent silently.
        [{ dropAfterProcessingShare: 1 }, /may have been processed/, 1],
        // The simulator drops a request whose client hung up during its latency: nothing was queued.
        [{ latencyMs: 1_000 }, /did not answer within 300 ms/, 0]
      ] as const,
      ([faults, reason, queued]) =>
        withDeliverer((sandbox) =>
          Effect.gen(function*() {
            yield* warmCatalog
            yield* sandbox.setFaults(faults)
            const lost = yield* awaitStatus((yield* enqueue(noteFor(JANE, 1))).id, "ambiguous")
            expect(statusesOf(lost)).toEqual(["queued", "sending", "ambiguous"])
            expect(lost.history.at(-1)!.reason).toMatch(reason)
            yield* sandbox.clearFaults
            // The applicant's next event goes; the ambiguous one stays as it is.
            yield* awaitStatus((yield* enqueue(noteFor(JANE, 2))).id, "succeeded")
            expect(yield* get(lost.id)).toMatchObject({ status: "ambiguous", attempts: 1 })
            expect((yield* sandbox.jobs).filter((j) => j.body.notes === "Note 1")).toHaveLength(queued)
          }), { client: { timeout: "300 millis" } }),
      { discard: true }
    ))

  it.scopedLive("in a 5xx outage one delivery becomes ambiguous, not the queue: Propexo is probed before the next create", () =>
    withDeliverer((sandbox) =>
      Effect.gen(function*() {
        yield* warmCatalog
        yield* sandbox.setFaults({ serverErrorShare: 1, serverErrorStatuses: [503] })
        const first = yield* enqueue(noteFor(JANE, 1))
        const second = yield* enqueue(noteFor(CARLOS, 2))
        yield* awaitStatus(first.id, "ambiguous")
        // The deliverer asks a harmless question, and is answered 503 again.
        yield* eventually(sandbox.requests, (requests) =>
          requests.some((r) => r.method === "GET" && r.path === "/v1/event-types/" && r.status === 503))
        expect((yield* get(second.id)).status).toBe("queued")
        yield* sandbox.clearFaults
        const delivered = yield* awaitStatus(second.id, "succeeded")
        expect(statusesOf(delivered)).toEqual(["queued", "sending", "sent", "succeeded"])
        expect(creates(yield* sandbox.requests).map((r) => r.status)).toEqual([503, 200])
      }), { env: { deliverer: { ...fast, concurrency: 1 } } }))

  it.scopedLive("with retryAmbiguous, an ambiguous delivery is resent, and says so", () =>
    withDeliverer((sandbox) =>
      Effect.gen(function*() {
        yield* warmCatalog
        yield* sandbox.setFaults({ dropAfterProcessingShare: 1 })
        const { id } = yield* enqueue(notesEvent)
        yield* awaitDelivery(id, (d) => d.history.some((t) => t.to === "ambiguous"))
        yield* sandbox.clearFaults
        const done = yield* awaitStatus(id, "succeeded")
        expect(done.history.find((t) => t.from === "ambiguous")).toMatchObject({
          to: "queued",
          reason: "resent because retryAmbiguous is on"
        })
        expect(done.attempts).toBeGreaterThanOrEqual(2)
        // Possibly created twice: the price of retryAmbiguous.
        expect(creates(yield* sandbox.requests).length).toBe(done.attempts)
      }), { env: { deliverer: { ...fast, retryAmbiguous: true } } }))

  it.scopedLive("a delivery left sending by a crash becomes ambiguous at start-up and is never resent", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.make({ jobDelay: 0, slowDownDelay: 0 })
      const file = yield* tempFile
      const client = yield* sharedClient(clientLayer(sandbox))
      // The crash: `sending` committed, then the process died before the answer.
      const before = yield* start(envLayer(file, client, { deliverer: false }))
      const crashed = yield* before.run(enqueue(noteFor(JANE, 1)))
      const other = yield* before.run(enqueue(noteFor(CARLOS, 2)))
      yield* before.run(Effect.flatMap(DeliveryLedger, (ledger) =>
        ledger.transition(crashed.id, claim())
      ))
      yield* before.stop

      const after = yield* start(envLayer(file, client, { deliverer: fast }))
      const ambiguous = yield* after.run(get(crashed.id))
      expect(statusesOf(ambiguous)).toEqual(["queued", "sending", "ambiguous"])
      expect(ambiguous.history.at(-1)!.reason).toMatch(/found sending at start-up/)
      // The applicant's next event is not held back by it, and it is not sent.
      const next = yield* after.run(enqueue(noteFor(JANE, 3)))
      yield* after.run(awaitStatus(next.id, "succeeded"))
      yield* after.run(awaitStatus(other.id, "succeeded"))
      expect(sentNotes(yield* sandbox.requests)).toEqual(["Note 2", "Note 3"])
      yield* after.stop

      // With retryAmbiguous the same crash is resent, and the history says so.
      const resent = yield* start(envLayer(file, client, { deliverer: false }))
      const again = yield* resent.run(enqueue(noteFor(JANE, 4)))
      yield* resent.run(Effect.flatMap(DeliveryLedger, (ledger) =>
        ledger.transition(again.id, claim())
      ))
      yield* resent.stop
      const retrying = yield* start(envLayer(file, client, { deliverer: { ...fast, retryAmbiguous: true } }))
      const done = yield* retrying.run(awaitStatus(again.id, "succeeded"))
      expect(statusesOf(done)).toEqual(["queued", "sending", "ambiguous", "queued", "sending", "sent", "succeeded"])
      expect(done.attempts).toBe(2)
      yield* retrying.stop
    }).pipe(Effect.provide(logging)))

  it.scopedLive("a 429 puts the delivery back in the queue until the window resets, and it is delivered then", () =>
    Effect.gen(function*() {
      const windowMs = 5_000
      // Start just after a window boundary, so the quota cannot roll mid-test.
      yield* Effect.sleep(windowMs - (Date.now() % windowMs) + 50)
      const sandbox = yield* Sandbox.make({ jobDelay: 0, slowDownDelay: 0, rateLimit: 3, window: windowMs })
      const file = yield* tempFile
      const client = yield* sharedClient(
        clientLayer(sandbox, { rateLimit: { limit: 100, window: Duration.millis(windowMs), maxRateLimitedRetries: 0 } })
      )
      const before = yield* start(envLayer(file, client, { deliverer: false }))
      // The catalog read counts: one of three.
      const { id } = yield* before.run(enqueue(notesEvent))
      yield* before.stop
      // Another user of the token spends the rest of the window.
      for (let i = 0; i < 2; i++) {
        const answer = yield* Effect.promise(() =>
          fetch(`${sandbox.baseUrl}/v1/event-types/?limit=1`, {
            headers: { authorization: `Bearer ${Redacted.value(sandbox.token)}` }
          })
        )
        expect(answer.status).toBe(200)
      }
      const after = yield* start(envLayer(file, client, { deliverer: fast }))
      const requeued = yield* after.run(awaitDelivery(id, wentBack))
      const back = requeued.history.find((t) => t.from === "sending" && t.to === "queued")!
      expect(back.reason).toMatch(/^not sent: Propexo's quota of 3 requests is spent/)
      const done = yield* after.run(awaitStatus(id, "succeeded"))
      expect(statusesOf(done).slice(0, 6)).toEqual(["queued", "sending", "queued", "sending", "sent", "succeeded"])
      expect(done.attempts).toBe(2)
      expect(creates(yield* sandbox.requests).map((r) => r.status)).toEqual([429, 200])
      yield* after.stop
    }).pipe(Effect.provide(logging)))

  it.scopedLive("a refused connection puts the delivery back in the queue, and it is delivered once Propexo is back", () =>
    Effect.gen(function*() {
      const first = yield* Scope.make()
      const sandbox = yield* Sandbox.make({ jobDelay: 0, slowDownDelay: 0 }).pipe(Scope.extend(first))
      const file = yield* tempFile
      const client = yield* sharedClient(clientLayer(sandbox))
      const before = yield* start(envLayer(file, client, { deliverer: false }))
      const { id } = yield* before.run(enqueue(notesEvent)) // reads the catalog while Propexo is up
      yield* before.stop
      yield* Scope.close(first, Exit.void)

      const after = yield* start(envLayer(file, client, { deliverer: fast }))
      const requeued = yield* after.run(awaitDelivery(id, wentBack))
      expect(requeued.history.find((t) => t.to === "queued" && t.from === "sending")!.reason).toMatch(
        /not sent: .*ECONNREFUSED.*before the request was sent/
      )
      expect(requeued.status === "queued" || requeued.status === "sending").toBe(true)
      const back = yield* Sandbox.make({ jobDelay: 0, slowDownDelay: 0, port: sandbox.port, tokens: [sandbox.token] })
      const done = yield* after.run(awaitStatus(id, "succeeded"))
      expect(statusesOf(done).slice(-3)).toEqual(["sending", "sent", "succeeded"])
      expect(statusesOf(done).filter((s) => s === "ambiguous")).toEqual([])
      expect(creates(yield* back.requests)).toHaveLength(1)
      yield* after.stop
    }).pipe(Effect.provide(logging)))

  it.scopedLive("oldest first", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.make({ jobDelay: 0, slowDownDelay: 0 })
      const file = yield* tempFile
      const client = yield* sharedClient(clientLayer(sandbox))
      const before = yield* start(envLayer(file, client, { deliverer: false }))
      const ids: Array<string> = []
      for (let i = 0; i < 6; i++) ids.push((yield* before.run(enqueue(noteFor(i % 2 === 0 ? JANE : CARLOS, i)))).id)
      yield* before.stop
      const after = yield* start(envLayer(file, client, { deliverer: { ...fast, concurrency: 1 } }))
      for (const id of ids) yield* after.run(awaitStatus(id, "succeeded"))
      expect(sentNotes(yield* sandbox.requests)).toEqual(["Note 0", "Note 1", "Note 2", "Note 3", "Note 4", "Note 5"])
      yield* after.stop
    }).pipe(Effect.provide(logging)))

  it.scopedLive("an applicant's next event waits until the one before is sent; other applicants' go meanwhile", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.make({ jobDelay: 0, slowDownDelay: 0 })
      const file = yield* tempFile
      const client = yield* sharedClient(clientLayer(sandbox))
      const before = yield* start(envLayer(file, client, { deliverer: false }))
      const a1 = yield* before.run(enqueue(noteFor(JANE, 1)))
      const a2 = yield* before.run(enqueue(noteFor(JANE, 2)))
      const b1 = yield* before.run(enqueue(noteFor(CARLOS, 3)))
      // Jane's first waits (as after a 429) until a moment from now.
      yield* before.run(Effect.flatMap(DeliveryLedger, (ledger) => ledger.reschedule(a1.id, "queued", Date.now() + 1_000)))
      yield* before.stop
      const after = yield* start(envLayer(file, client, { deliverer: { ...fast, concurrency: 4 } }))
      for (const { id } of [a1, a2, b1]) yield* after.run(awaitStatus(id, "succeeded"))
      expect(sentNotes(yield* sandbox.requests)).toEqual(["Note 3", "Note 1", "Note 2"])
      yield* after.stop
    }).pipe(Effect.provide(logging)))

  it.scopedLive("with several sends in flight, each applicant's events reach Propexo in the order they were accepted", () =>
    withDeliverer((sandbox) =>
      Effect.gen(function*() {
        yield* sandbox.setFaults({ latencyMs: 30 })
        const priya = { applicant_id: "cmlcwbo6zoiahbaa42ve4bjbz", application_id: "cm9pt5h8tf8qihd5euienudpz" }
        const applicants = [JANE, CARLOS, priya]
        const ids: Array<string> = []
        for (let i = 0; i < 12; i++) ids.push((yield* enqueue(noteFor(applicants[i % 3]!, i))).id)
        for (const id of ids) yield* awaitSent(id)
        // The bodies the client sent: JSON of applicant events.
        const sent = creates(yield* sandbox.requests).map((r) => JSON.parse(r.body!) as { applicant_id: string; notes: string })
        expect(sent).toHaveLength(12)
        for (const applicant of applicants) {
          const notes = sent.filter((s) => s.applicant_id === applicant.applicant_id).map((s) => Number(s.notes.slice(5)))
          expect(notes).toEqual([...notes].sort((a, b) => a - b))
        }
      }), { env: { deliverer: { ...fast, concurrency: 4 } } }))

  it.scopedLive("stopping the layer finishes the send under way and records its answer", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.make({ jobDelay: 0, slowDownDelay: 0 })
      const file = yield* tempFile
      const client = yield* sharedClient(clientLayer(sandbox))
      const running = yield* start(envLayer(file, client, { deliverer: fast }))
      yield* sandbox.setFaults({ latencyMs: 500 })
      const { id } = yield* running.run(enqueue(notesEvent))
      yield* running.run(awaitStatus(id, "sending"))
      yield* running.stop
      const reopened = yield* start(envLayer(file, client, { deliverer: false }))
      const stopped = yield* reopened.run(get(id))
      expect(stopped.status).toBe("sent")
      expect(stopped.job_id).toBe(creates(yield* sandbox.requests)[0]!.jobId)
      yield* reopened.stop
    }).pipe(Effect.provide(logging)))

  it.scopedLive("refuses a concurrency that is not a positive integer", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.make({ jobDelay: 0 })
      const file = yield* tempFile
      const error = yield* Effect.flip(start(envLayer(file, clientLayer(sandbox), { deliverer: { concurrency: 0 } })))
      expect(error).toMatchObject({ _tag: "InvalidOption", field: "concurrency" })
    }).pipe(Effect.provide(logging)))
})
