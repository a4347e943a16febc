import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpApiClient from "@effect/platform/HttpApiClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import { Sandbox, Seed } from "@entrata-events/sandbox"
import * as Effect from "effect/Effect"
import * as ApplicantEvent from "@entrata-events/core/ApplicantEvent"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as PropexoApi from "../src/PropexoApi.js"
import { WriteStatus } from "../src/WriteStatus.js"
import { PropexoClient } from "../src/PropexoClient.js"
import { ApplicantEvents, makeSandbox, notesEvent, withClient } from "./helpers.js"

const { DEMO } = Seed

/** A call event as Propexo receives it. */
const wire = {
  integration_id: DEMO.integrationId,
  applicant_id: DEMO.applicantId,
  application_id: DEMO.applicationId,
  event_type_id: DEMO.eventTypeIds["Call-Incoming"],
  event_datetime: "2026-07-04T12:00:00-06:00",
  call_phone_number_from: "+14035551234",
  call_phone_number_to: "+13035550100",
  call_status: "ANSWER",
  call_duration: 312,
  call_audio_link: "https://calls.example.com/r/1"
} as const

const event = Schema.decodeUnknownSync(ApplicantEvent.ApplicantEvent)(wire)

/** A generated client for the sandbox, authenticated with `token`, its requests optionally rewritten. */
const clientFor = (
  sandbox: Sandbox.SandboxService,
  token: string,
  rewrite: (request: HttpClientRequest.HttpClientRequest) => HttpClientRequest.HttpClientRequest = (r) => r
) =>
  HttpApiClient.make(PropexoApi.PropexoApi, {
    baseUrl: sandbox.baseUrl,
    transformClient: HttpClient.mapRequest((request) => rewrite(HttpClientRequest.bearerToken(request, token)))
  }).pipe(Effect.provide(FetchHttpClient.layer))

describe("PropexoApi through HttpApiClient against the sandbox", () => {
  it.scopedLive("creates an event and follows its write status to SUCCESS", () =>
    Effect.gen(function*() {
      const sandbox = yield* makeSandbox({ jobDelay: 200 })
      const client = yield* clientFor(sandbox, Redacted.value(sandbox.token))
      const created = yield* client.applicantEvents.create({ payload: event })
      expect(created.meta.job_id).toMatch(/^cm[a-z0-9]{23}$/)
      expect(created.result).toEqual(wire)
      const sent = (yield* sandbox.requests)[0]
      expect(sent?.body).toBe(JSON.stringify(wire))

      let status = yield* client.admin.writeStatus({ path: { root_job_id: created.meta.job_id } })
      expect(status).toEqual({ write_status: "PENDING", errors: [], created_record_id: null })
      while (status.write_status === "PENDING") {
        yield* Effect.sleep(10)
        status = yield* client.admin.writeStatus({ path: { root_job_id: created.meta.job_id } })
      }
      expect(status.write_status).toBe("SUCCESS")
      // Only failed writes can be retried.
      const retried = yield* Effect.flip(client.admin.retryWrite({ path: { root_job_id: created.meta.job_id } }))
      expect(retried).toMatchObject({ _tag: "PropexoApiBadRequest", status: 400 })

      const events = yield* client.events.list({ urlParams: { applicant_id: DEMO.applicantId } })
      expect(events.meta).toEqual({ orderBy: [{ created_at: "desc" }], offset: 0, limit: 100, hasMore: false, total: 1 })
      expect(events.results[0]).toMatchObject({
        x_type_id: "1",
        type_raw: "Call-Incoming",
        event_datetime: wire.event_datetime,
        associated_applicant_ids: [DEMO.applicantId],
        integration_id: DEMO.integrationId,
        property_id: DEMO.propertyId
      })
    }))

  it.scopedLive("lists and reads the catalog", () =>
    Effect.gen(function*() {
      const sandbox = yield* makeSandbox()
      const client = yield* clientFor(sandbox, Redacted.value(sandbox.token))
      const types = yield* client.eventTypes.list({ urlParams: { property_id: DEMO.propertyId, limit: 4 } })
      expect(types.meta).toEqual({ orderBy: [{ created_at: "desc" }], offset: 0, limit: 4, hasMore: true, total: 10 })
      expect(types.results.map((t) => t.name)).toEqual(["Call-Incoming", "Call-Outgoing", "Email-Incoming", "Email-Outgoing"])
      const byModels = yield* client.eventTypes.list({ urlParams: { property_id: DEMO.propertyId, models: ["resident", "lead"] } })
      expect(byModels.meta.total).toBe(10)
      const none = yield* client.eventTypes.list({ urlParams: { property_id: DEMO.propertyId, models: "resident" } })
      expect(none.meta.total).toBe(0)
      const one = yield* client.eventTypes.get({ path: { event_type_id: DEMO.eventTypeIds.Appointment } })
      expect(one.results).toMatchObject({ name: "Appointment", code: "Appointment", x_location_id: null })
      const subTypes = yield* client.eventSubTypes.list({
        urlParams: { event_type_id: DEMO.eventTypeIds.Appointment }
      })
      expect(subTypes.results.map((s) => s.name).sort()).toEqual([
        "Leasing Appointments",
        "Self-Guided Tour",
        "Tour",
        "Virtual Tour"
      ])
      const subType = yield* client.eventSubTypes.get({ path: { event_sub_type_id: DEMO.eventSubTypeIds.virtualTour } })
      expect(subType.results).toMatchObject({ x_id: "525", event_type_id: DEMO.eventTypeIds.Appointment })
      const results = yield* client.eventResults.list({ urlParams: { property_id: DEMO.propertyId, "order-by": "name:asc" } })
      expect(results.results.map((r) => r.name)).toEqual([
        "Completed",
        "Left Voicemail",
        "No Show",
        "Scheduled",
        "Spoke With Prospect"
      ])
      const result = yield* client.eventResults.get({ path: { event_result_id: DEMO.eventResultIds.noShow } })
      expect(result.results.associated_event_type_ids).toContain(DEMO.eventTypeIds.Tour)
    }))

  it.scopedLive("decodes each error status to its own tagged error", () =>
    Effect.gen(function*() {
      const sandbox = yield* makeSandbox({ tokens: ["good-token"], rateLimit: 6, window: "1 hour", slowDownDelay: 0 })
      // The quota below is counted in one window: make sure this hour has room left.
      const left = 3_600_000 - (Date.now() % 3_600_000)
      if (left < 5_000) yield* Effect.sleep(left + 5)
      const good = yield* clientFor(sandbox, "good-token")

      // Propexo refuses a body it cannot read; the typed client cannot send one, so its request is rewritten.
      const emptied = yield* clientFor(sandbox, "good-token", (r) => HttpClientRequest.bodyText(r, "{}", "application/json"))
      const badRequest = yield* Effect.flip(emptied.applicantEvents.create({ payload: event }))
      expect(badRequest).toBeInstanceOf(PropexoApi.BadRequest)
      expect(badRequest._tag).toBe("PropexoApiBadRequest")
      if (badRequest._tag !== "PropexoApiBadRequest") throw badRequest
      expect(badRequest.status).toBe(400)
      expect(badRequest.code).toBe("invalid_request")
      expect(badRequest.details).toMatchObject({
        details: {
          name: "ZodError",
          issues: expect.arrayContaining([{
            code: "invalid_type",
            expected: "string",
            received: "undefined",
            path: ["integration_id"],
            message: "Required"
          }])
        }
      })

      const wrong = yield* clientFor(sandbox, "wrong-token")
      const unauthorized = yield* Effect.flip(wrong.eventTypes.list({ urlParams: {} }))
      expect(unauthorized).toBeInstanceOf(PropexoApi.Unauthorized)
      expect(unauthorized).toMatchObject({ _tag: "PropexoApiUnauthorized", status: 401, code: "unauthorized" })

      const notFound = yield* Effect.flip(good.admin.writeStatus({ path: { root_job_id: "cmnosuchjob00000000000000" } }))
      expect(notFound).toMatchObject({ _tag: "PropexoApiNotFound", status: 404, code: "not_found" })

      yield* sandbox.setFaults({ serverErrorShare: 1, serverErrorStatuses: [502] })
      expect(yield* Effect.flip(good.eventTypes.list({ urlParams: {} }))).toMatchObject({
        _tag: "PropexoApiBadGateway",
        status: 502,
        code: "bad_gateway"
      })
      yield* sandbox.setFaults({ serverErrorShare: 1, serverErrorStatuses: [503] })
      expect(yield* Effect.flip(good.eventTypes.list({ urlParams: {} }))).toBeInstanceOf(PropexoApi.ServiceUnavailable)
      yield* sandbox.clearFaults

      // Requests so far with the good token: 1 (400), 1 (404), 2 (5xx); two more spend the quota of 6.
      yield* good.eventResults.list({ urlParams: {} })
      yield* good.eventResults.list({ urlParams: {} })
      expect(yield* Effect.flip(good.eventResults.list({ urlParams: {} }))).toMatchObject({
        _tag: "PropexoApiRateLimited",
        status: 429,
        code: "rate_limited"
      })
    }))
})

describe("the error wire schemas", () => {
  it("encode to exactly Propexo's body, as the sandbox sends it", () => {
    const error = new PropexoApi.Forbidden({ code: "forbidden", message: "No access" })
    expect(Schema.encodeSync(PropexoApi.ErrorWire[403])(error)).toBe(
      "{\"error\":{\"code\":\"forbidden\",\"message\":\"No access\"}}"
    )
    const withDetails = new PropexoApi.BadRequest({ code: "invalid_request", message: "Bad", details: { issues: [] } })
    expect(JSON.parse(Schema.encodeSync(PropexoApi.ErrorWire[400])(withDetails))).toEqual({
      error: { code: "invalid_request", message: "Bad", details: { issues: [] } }
    })
    expect(Schema.decodeUnknownSync(PropexoApi.PropexoErrorBody)(JSON.parse(Schema.encodeSync(PropexoApi.ErrorWire[400])(withDetails))))
      .toEqual({ error: { code: "invalid_request", message: "Bad", details: { issues: [] } } })
  })

  it("decode a body that is not Propexo's to the status's error all the same", () => {
    const html = Schema.decodeUnknownSync(PropexoApi.ErrorWire[502])("<html><body>502 Bad Gateway</body></html>")
    expect(html).toBeInstanceOf(PropexoApi.BadGateway)
    expect(html).toMatchObject({ code: "unexpected_body", message: "<html><body>502 Bad Gateway</body></html>" })
    const empty = Schema.decodeUnknownSync(PropexoApi.ErrorWire[401])("")
    expect(empty).toMatchObject({ _tag: "PropexoApiUnauthorized", code: "unexpected_body", message: "HTTP 401 with an empty body" })
  })
})

describe("ids in URL paths", () => {
  it.scopedLive("reach the simulator as one percent-encoded segment, whatever they hold", () =>
    Effect.gen(function*() {
      const sandbox = yield* makeSandbox()
      const client = yield* clientFor(sandbox, Redacted.value(sandbox.token))
      const ids = ["../events/", "%2e%2e/", "a/b", "?x=1", "#x", "100%", "Zürich tour", "./", "..."]
      for (const id of ids) {
        const before = (yield* sandbox.requests).length
        const error = yield* Effect.flip(client.eventTypes.get({ path: { event_type_id: id } }))
        // The router decoded the segment back to the id: the 404 names it exactly.
        expect(error, id).toMatchObject({ _tag: "PropexoApiNotFound", message: `Event type ${id} not found` })
        const sent = (yield* sandbox.requests).slice(before)
        expect(sent.map((r) => r.path), id).toEqual([`/v1/event-types/${encodeURIComponent(id)}`])
      }
      const job = yield* Effect.flip(client.admin.writeStatus({ path: { root_job_id: "../../v1/event-types/" } }))
      expect(job).toMatchObject({ _tag: "PropexoApiNotFound", message: "Write job ../../v1/event-types/ not found" })
      const retry = yield* Effect.flip(client.admin.retryWrite({ path: { root_job_id: "x?y#z" } }))
      expect(retry).toMatchObject({ _tag: "PropexoApiNotFound", message: "Write job x?y#z not found" })
      expect((yield* sandbox.requests).slice(-2).map((r) => [r.method, r.path])).toEqual([
        ["GET", "/v1/admin/write-status/..%2F..%2Fv1%2Fevent-types%2F"],
        ["POST", "/v1/admin/retry-write/x%3Fy%23z"]
      ])
    }))

  it.scopedLive("refuse an empty id, \".\" and \"..\" (dot-segments however encoded) without a request", () =>
    Effect.gen(function*() {
      const sandbox = yield* makeSandbox()
      const client = yield* clientFor(sandbox, Redacted.value(sandbox.token))
      for (const id of ["", ".", ".."]) {
        const error = yield* Effect.flip(client.eventSubTypes.get({ path: { event_sub_type_id: id } }))
        expect(error._tag, JSON.stringify(id)).toBe("ParseError")
        expect(error.message).toContain("event_sub_type_id")
        expect(error.message).toContain("an id must not be empty, \".\" or \"..\"")
      }
      const lone = yield* Effect.flip(client.admin.writeStatus({ path: { root_job_id: "job\uD800" } }))
      expect(lone.message).toContain("not well-formed Unicode")
      expect(yield* sandbox.requests).toEqual([])
    }))

  it.scopedLive("through PropexoClient, a path id that cannot be sent is a request never sent: not ambiguous, even for a write", () =>
    withClient({}, (sandbox) =>
      Effect.gen(function*() {
        const client = yield* PropexoClient
        const error = yield* Effect.flip(
          client.write("retryWrite", (api) => api.admin.retryWrite({ path: { root_job_id: ".." } }))
        )
        expect(error).toMatchObject({ _tag: "PropexoUnexpectedResponse", status: 0, ambiguous: false })
        expect(error.message).toContain("request could not be built (root_job_id: ")
        expect(error.message).not.toContain("\n")
        expect(yield* sandbox.requests).toEqual([])
      })))
})

describe("WriteStatus against the simulator", () => {
  it.scopedLive("retry gives the new job's id, and awaitCompletion of the first job follows it", () =>
    withClient({}, (sandbox) =>
      Effect.gen(function*() {
        const writes = yield* WriteStatus
        const events = yield* ApplicantEvents
        const body = { ...notesEvent, email_to: "jane@new-domain.example" }
        const { job_id } = yield* events.create(body)
        expect(yield* Effect.flip(writes.awaitCompletion(job_id, { interval: "10 millis" }))).toMatchObject({
          _tag: "WriteFailed",
          job_id
        })
        // The PMS's record changes; the same body now goes through.
        const seed = yield* sandbox.seed
        yield* sandbox.setSeed({
          ...seed,
          applicants: seed.applicants.map((a) =>
            a.id === DEMO.applicantId ? { ...a, primary_email: "jane@new-domain.example" } : a
          )
        })
        const retried = yield* writes.retry(job_id)
        expect(retried).toMatch(/^cm[a-z0-9]{23}$/)
        expect(retried).not.toBe(job_id)
        expect(yield* writes.awaitCompletion(job_id, { interval: "10 millis" })).toEqual({
          write_status: "SUCCESS",
          errors: [],
          created_record_id: null
        })
        // `get` reads exactly the job asked for.
        expect((yield* writes.get(job_id)).write_status).toBe("FAILURE")
        // A second retry of the first job retries its latest attempt, which did not fail: refused, nothing doubled.
        expect(yield* Effect.flip(writes.retry(job_id))).toMatchObject({ _tag: "PropexoBadRequest", ambiguous: false })
        const jobs = yield* sandbox.jobs
        expect(jobs.map((j) => [j.id, j.retryOf])).toEqual([[job_id, null], [retried, job_id]])
        const retries = (yield* sandbox.requests).filter((r) => r.path.startsWith("/v1/admin/retry-write/"))
        expect(retries.map((r) => r.path)).toEqual([`/v1/admin/retry-write/${job_id}`, `/v1/admin/retry-write/${retried}`])
      })))

  it.scopedLive("logs confirms many writes with one request", () =>
    withClient({}, (sandbox) =>
      Effect.gen(function*() {
        const writes = yield* WriteStatus
        const events = yield* ApplicantEvents
        const ok = yield* events.create(notesEvent, { awaitCompletion: true })
        const refused = yield* events.create({ ...notesEvent, email_to: "someone.else@example.com" })
        yield* Effect.flip(writes.awaitCompletion(refused.job_id, { interval: "10 millis" }))
        const before = (yield* sandbox.requests).length
        const logs = yield* writes.logs({ integration_id: DEMO.integrationId, write_category: "events" })
        expect(new Map(logs.map((l) => [l.job_id, l.status]))).toEqual(
          new Map([[ok.job_id, "SUCCESS"], [refused.job_id, "FAILURE"]])
        )
        expect(logs.find((l) => l.status === "FAILURE")?.error).toMatch(/primary email/)
        expect(yield* writes.logs({ status: "SUCCESS", limit: 1 })).toMatchObject([{ job_id: ok.job_id }])
        const asked = (yield* sandbox.requests).slice(before)
        expect(asked.map((r) => [r.path, r.query])).toEqual([
          ["/v1/admin/logs/writes/", { integration_id: DEMO.integrationId, write_category: "events" }],
          ["/v1/admin/logs/writes/", { status: "SUCCESS", limit: "1" }]
        ])
      })))
})
