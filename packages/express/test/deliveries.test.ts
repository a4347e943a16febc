import { afterAll, describe, expect, it } from "@effect/vitest"
import * as ManagedRuntime from "effect/ManagedRuntime"
import express from "express"
import * as ApplicantEventsRouter from "../src/ApplicantEventsRouter.js"
import {
  type Answer,
  answerBodies,
  authorize,
  DEMO,
  listen,
  logLines,
  notesEvent,
  OTHER,
  request,
  servicesLayer,
  tokens
} from "./helpers.js"
import { eventually, type Ledger, withLedger } from "./ledgerHarness.js"

const PROBLEMS = "https://entrata-events.dev/problems/"

const expectProblem = (answer: Answer, status: number, slug: string) => {
  expect({ status: answer.status, type: answer.json?.type }).toEqual({ status, type: `${PROBLEMS}${slug}` })
  expect(answer.headers.get("content-type")).toMatch(/^application\/problem\+json\b/)
  expect(answer.json.request_id).toBe(answer.headers.get("x-request-id"))
}

const otherEvent = {
  integration_id: OTHER.integrationId,
  applicant_id: OTHER.applicantId,
  application_id: OTHER.applicationId,
  event_type_id: OTHER.eventTypeIds.Notes,
  event_datetime: "2026-07-04T12:00:00-06:00",
  notes: "Tom asked about the pool."
}

/** Entrata refuses it: the email is not the applicant's. */
const refusedEvent = { ...notesEvent, email_to: "someone.else@example.com" }

const DELIVERY_ID = /^dlv_[0-9a-z]{26}$/

/** The deliveries the ledger holds, through its own API rather than the router. */
const ledgerIds = async (ledger: Ledger) =>
  (await ledger.runtime.runPromise(ledger.deliveries.list({ limit: 500 }))).items.map((d) => d.id)

/** GET /:id until the delivery is in `status`. */
const reaches = (ledger: Ledger, id: string, status: string) =>
  eventually(async () => {
    const answer = await ledger.call(`/${id}`)
    return answer.json?.status === status ? answer : undefined
  })

const noDeliverer = { deliverer: false } as const

describe("POST /applicant-events with deliveries", () => {
  it("answers 202 { id, status, status_url } once committed and sends nothing inline; it outlives a restart", () =>
    withLedger(noDeliverer, async (ledger) => {
      const answer = await ledger.post(notesEvent)
      expect(answer.status).toBe(202)
      expect(answer.json).toEqual({
        id: expect.stringMatching(DELIVERY_ID),
        status: "queued",
        status_url: `/applicant-events/${answer.json.id}`
      })
      expect(answer.headers.get("location")).toBe(answer.json.status_url)
      expect(answer.headers.get("idempotent-replayed")).toBeNull()
      expect(await ledger.creates()).toEqual([])
      // The answer's log line names the request and the delivery.
      expect(logLines).toContainEqual(expect.objectContaining({
        message: "answered 202",
        annotations: expect.objectContaining({
          requestId: answer.headers.get("x-request-id"),
          deliveryId: answer.json.id,
          caller: "all",
          method: "POST"
        })
      }))

      // Committed: a new process on the same file has it, with the body it will send.
      await ledger.stop()
      const again = await ledger.reopen(noDeliverer)
      const read = await request(`${again.origin}${answer.json.status_url}`)
      expect(read.status).toBe(200)
      expect(read.json).toMatchObject({
        id: answer.json.id,
        status: "queued",
        integration_id: notesEvent.integration_id,
        attempts: 0,
        job_id: null,
        write_status: null,
        errors: [],
        idempotency_key: null,
        sent_at: null,
        completed_at: null,
        status_url: answer.json.status_url
      })
      // The wall-clock time was read in the router's zone: the body holds Mountain Time with its offset.
      expect(read.json.body).toEqual({ ...notesEvent, event_datetime: "2026-07-04T12:00:00-06:00" })
      expect(read.json.history).toEqual([
        { from: null, to: "queued", at: read.json.created_at, attempt: 0, reason: "accepted" }
      ])
      await again.stop()
    }))

  it("?await=true answers 200 with the delivery once Entrata applied it: the body sent, its job, its history", () =>
    withLedger({}, async (ledger) => {
      const answer = await ledger.post(notesEvent, { query: "?await=true" })
      expect(answer.status).toBe(200)
      const delivery = answer.json
      expect(delivery).toMatchObject({
        id: expect.stringMatching(DELIVERY_ID),
        status: "succeeded",
        write_status: "SUCCESS",
        attempts: 1,
        errors: [],
        job_id: expect.any(String),
        sent_at: expect.any(String),
        completed_at: expect.any(String),
        status_url: `/applicant-events/${delivery.id}`
      })
      expect(delivery.history.map((t: { to: string }) => t.to)).toEqual(["queued", "sending", "sent", "succeeded"])
      expect(delivery.history.map((t: { reason: string }) => t.reason)).toEqual([
        "accepted",
        "sending to Propexo",
        "Propexo queued the write for Entrata",
        "Entrata applied it"
      ])
      const [create, ...more] = await ledger.creates()
      expect(more).toEqual([])
      expect(JSON.parse(create!.body!)).toEqual(delivery.body)
      expect(create!.jobId).toBe(delivery.job_id)
      // GET answers the same document.
      const read = await ledger.call(`/${delivery.id}`)
      expect(read.status).toBe(200)
      expect(read.json).toEqual(delivery)
    }))

  it("?await=true answers 200 with a failed delivery and the PMS's messages when Entrata refuses it", () =>
    withLedger({}, async (ledger) => {
      const answer = await ledger.post(refusedEvent, { query: "?await=true" })
      expect(answer.status).toBe(200)
      expect(answer.json).toMatchObject({ status: "failed", write_status: "FAILURE", job_id: expect.any(String) })
      expect(answer.json.errors.join(" ")).toMatch(/^Entrata:.*primary email/i)
      expect(answer.json.history.at(-1)).toMatchObject({ to: "failed", reason: "Entrata refused it; see errors" })
      expect((await ledger.call(`/${answer.json.id}`)).json).toEqual(answer.json)
    }))

  it("?await=true answers 202 with the delivery as it stands when it is not final within awaitTimeout", () =>
    withLedger({ deliverer: false, router: { awaitTimeout: "100 millis" } }, async (ledger) => {
      const answer = await ledger.post(notesEvent, { query: "?await=true" })
      expect(answer.status).toBe(202)
      expect(answer.json).toMatchObject({ id: expect.stringMatching(DELIVERY_ID), status: "queued", attempts: 0 })
      expect(answer.headers.get("location")).toBe(answer.json.status_url)
      const bad = await ledger.post(notesEvent, { query: "?await=yes" })
      expectProblem(bad, 400, "invalid-input")
      expect(bad.json.errors).toEqual([{ path: "?await", message: "must be true or false, given once" }])
      expect(await ledgerIds(ledger)).toEqual([answer.json.id])
    }))

  it("a refused body is a 400 naming every field, and nothing is committed", () =>
    withLedger(noDeliverer, async (ledger) => {
      const invalid = await ledger.post({ ...notesEvent, event_datetime: "tomorrow", call_duration: -1 })
      expectProblem(invalid, 400, "invalid-input")
      expect(invalid.json.errors.map((e: { path: string }) => e.path)).toEqual(["event_datetime", "call_duration"])
      // An event type the catalog does not know, checked before the delivery is accepted.
      const unknownType = await ledger.post({ ...notesEvent, event_type_id: "cmnosucheventtype00000000" })
      expectProblem(unknownType, 400, "invalid-input")
      expect(unknownType.json.errors[0].path).toBe("event_type_id")
      expectProblem(await ledger.post("{ not json"), 400, "malformed-json")
      expectProblem(await ledger.post(notesEvent, { contentType: "text/plain" }), 415, "unsupported-media-type")
      expectProblem(await ledger.post(notesEvent, { caller: "other" }), 403, "integration-not-allowed")
      expectProblem(await ledger.post(notesEvent, { caller: null }), 401, "unauthorized")
      expect(await ledgerIds(ledger)).toEqual([])
      expect(await ledger.creates()).toEqual([])
    }))
})

describe("Idempotency-Key", () => {
  it("the same key and body answer 200 with the existing delivery; another body is a 409; nothing new committed", () =>
    withLedger(noDeliverer, async (ledger) => {
      const key = { "idempotency-key": "call-2026-07-04-0001" }
      const first = await ledger.post(notesEvent, { headers: key })
      expect(first.status).toBe(202)
      // The same event written another way (the instant with its offset) is the same body.
      const again = await ledger.post({ ...notesEvent, event_datetime: "2026-07-04T18:00:00Z" }, { headers: key })
      expect(again.status).toBe(200)
      expect(again.headers.get("idempotent-replayed")).toBe("true")
      expect(again.json).toMatchObject({
        id: first.json.id,
        status: "queued",
        idempotency_key: key["idempotency-key"],
        status_url: first.json.status_url
      })
      const reused = await ledger.post({ ...notesEvent, notes: "Something else" }, { headers: key })
      expectProblem(reused, 409, "idempotency-key-reused")
      expect(reused.json.id).toBe(first.json.id)
      expect(reused.json.errors).toEqual([
        { path: "Idempotency-Key", message: `was used for delivery ${first.json.id}, with another body` }
      ])
      // Keys are per integration: the other integration's caller may use the same one.
      const theirs = await ledger.post(otherEvent, { headers: key, caller: "other" })
      expect(theirs.status).toBe(202)
      expect(theirs.json.id).not.toBe(first.json.id)
      expect((await ledgerIds(ledger)).sort()).toEqual([first.json.id, theirs.json.id].sort())
    }))

  it("a key that is not 1 to 255 visible ASCII characters is a 400 saying so, and nothing is committed", () =>
    withLedger(noDeliverer, async (ledger) => {
      for (const bad of ["", "has space", "x".repeat(256), "clé"]) {
        const answer = await ledger.post(notesEvent, { headers: { "idempotency-key": bad } })
        expectProblem(answer, 400, "invalid-input")
        expect(answer.json.errors).toEqual([
          { path: "Idempotency-Key", message: "must be 1 to 255 visible ASCII characters" }
        ])
      }
      expect(await ledgerIds(ledger)).toEqual([])
      expect((await ledger.post(notesEvent, { headers: { "idempotency-key": "x".repeat(255) } })).status).toBe(202)
    }))
})

describe("reading deliveries: each caller sees only its integrations'", () => {
  it("GET /:id of another integration's delivery is the same 404 as an unknown id; so are retry and cancel", () =>
    withLedger(noDeliverer, async (ledger) => {
      const ours = (await ledger.post(notesEvent)).json
      const theirs = (await ledger.post(otherEvent, { caller: "other" })).json
      expect((await ledger.call(`/${theirs.id}`, { caller: "other" })).status).toBe(200)
      // The `*` caller sees both.
      expect((await ledger.call(`/${theirs.id}`)).status).toBe(200)

      const foreign = await ledger.call(`/${ours.id}`, { caller: "other" })
      const unknown = await ledger.call("/dlv_00000000000000000000000000", { caller: "other" })
      const malformed = await ledger.call("/not-an-id", { caller: "other" })
      for (const answer of [foreign, unknown, malformed]) expectProblem(answer, 404, "delivery-not-found")
      const { request_id: _a, ...foreignRest } = foreign.json
      const { request_id: _b, ...unknownRest } = unknown.json
      expect(foreignRest).toEqual(unknownRest)
      expect(foreign.text).not.toContain(ours.id)
      for (const action of ["retry", "cancel"]) {
        const acted = await ledger.call(`/${ours.id}/${action}`, { method: "POST", caller: "other" })
        expectProblem(acted, 404, "delivery-not-found")
      }
      // Neither action happened.
      expect((await ledger.call(`/${ours.id}`)).json.status).toBe("queued")
      expectProblem(await ledger.call(`/${ours.id}`, { caller: null }), 401, "unauthorized")
      expectProblem(await ledger.call(`/${ours.id}`, { caller: "banned" }), 403, "forbidden")
    }))

  it("GET / lists newest first, only the caller's integrations, with a next cursor", () =>
    withLedger(noDeliverer, async (ledger) => {
      const ours: Array<string> = []
      for (let n = 1; n <= 3; n++) ours.push((await ledger.post({ ...notesEvent, notes: `Note ${n}` })).json.id)
      const theirs = (await ledger.post(otherEvent, { caller: "other" })).json.id
      const idsOf = (answer: Answer) => answer.json.items.map((d: { id: string }) => d.id)

      const all = await ledger.call("/")
      expect(all.status).toBe(200)
      expect(idsOf(all)).toEqual([theirs, ...[...ours].reverse()])
      expect(all.json.next_cursor).toBeNull()
      expect(all.json.items[0]).toMatchObject({
        id: theirs,
        status_url: `/applicant-events/${theirs}`,
        body: otherEvent
      })

      // A caller limited to one integration never sees the others', whatever it asks for.
      expect(idsOf(await ledger.call("/", { caller: "other" }))).toEqual([theirs])
      const asked = await ledger.call(`/?integration_id=${DEMO.integrationId}`, { caller: "other" })
      expect(asked.status).toBe(200)
      expect(idsOf(asked)).toEqual([])
      expect(idsOf(await ledger.call(`/?integration_id=${OTHER.integrationId}`))).toEqual([theirs])

      // Pages.
      const first = await ledger.call(`/?integration_id=${DEMO.integrationId}&limit=2`)
      expect(idsOf(first)).toEqual([ours[2], ours[1]])
      expect(first.json.next_cursor).toEqual(expect.any(String))
      const second = await ledger.call(
        `/?integration_id=${DEMO.integrationId}&limit=2&cursor=${first.json.next_cursor}`
      )
      expect(idsOf(second)).toEqual([ours[0]])
      expect(second.json.next_cursor).toBeNull()

      // By status, one or several.
      await ledger.call(`/${ours[0]}/cancel`, { method: "POST" })
      expect(idsOf(await ledger.call("/?status=cancelled"))).toEqual([ours[0]])
      expect(idsOf(await ledger.call("/?status=cancelled,failed&status=succeeded"))).toEqual([ours[0]])
      expect(idsOf(await ledger.call("/?status=queued", { caller: "other" }))).toEqual([theirs])
    }))

  it("bad list parameters are a 400 naming each one and its rule", () =>
    withLedger(noDeliverer, async (ledger) => {
      const several = await ledger.call("/?stauts=failed&status=done&limit=1&limit=2")
      expectProblem(several, 400, "invalid-input")
      expect(several.json.errors).toEqual([
        { path: "?stauts", message: "is not a parameter of this list (status, integration_id, limit, cursor)" },
        {
          path: "?status",
          message:
            "must be one of queued, sending, sent, succeeded, failed, rejected, ambiguous, cancelled, got \"done\""
        },
        { path: "?limit", message: "must be given once" }
      ])
      for (const limit of ["0", "501", "ten", "1.5"]) {
        const answer = await ledger.call(`/?limit=${limit}`)
        expectProblem(answer, 400, "invalid-input")
        expect(answer.json.errors).toEqual([{ path: "?limit", message: "must be an integer from 1 to 500" }])
      }
      const cursor = await ledger.call("/?cursor=abc")
      expectProblem(cursor, 400, "invalid-input")
      expect(cursor.json.errors).toEqual([{ path: "?cursor", message: "must be a next_cursor that list returned" }])
    }))

  it("GET /jobs/:job_id answers for the jobs the deliverer created, only to callers allowed their integration", () =>
    withLedger({}, async (ledger) => {
      const done = (await ledger.post(notesEvent, { query: "?await=true" })).json
      expect(done.status).toBe("succeeded")
      const job = await ledger.call(`/jobs/${done.job_id}`)
      expect(job.status).toBe(200)
      expect(job.json).toEqual({ job_id: done.job_id, write_status: "SUCCESS", errors: [] })
      expectProblem(await ledger.call(`/jobs/${done.job_id}`, { caller: "other" }), 404, "job-not-found")
      expectProblem(await ledger.call("/jobs/cnosuchjob000000000000000"), 404, "job-not-found")
    }))
})

describe("retry and cancel", () => {
  it("only a queued delivery can be cancelled, and a cancelled one is never sent; the 409 names the status", () =>
    withLedger(noDeliverer, async (ledger) => {
      const { id } = (await ledger.post(notesEvent)).json
      const retried = await ledger.call(`/${id}/retry`, { method: "POST" })
      expectProblem(retried, 409, "delivery-not-retryable")
      expect(retried.json).toMatchObject({
        id,
        delivery_status: "queued",
        detail: "This delivery is queued: only a failed or ambiguous delivery can be retried."
      })
      const cancelled = await ledger.call(`/${id}/cancel`, { method: "POST" })
      expect(cancelled.status).toBe(200)
      expect(cancelled.json).toMatchObject({ id, status: "cancelled", completed_at: expect.any(String) })
      expect(cancelled.json.history.at(-1)).toMatchObject({ from: "queued", to: "cancelled", reason: "cancelled" })
      const twice = await ledger.call(`/${id}/cancel`, { method: "POST" })
      expectProblem(twice, 409, "delivery-not-cancellable")
      expect(twice.json).toMatchObject({
        delivery_status: "cancelled",
        detail: "This delivery is cancelled: only a queued delivery can be cancelled."
      })
      expectProblem(await ledger.call(`/${id}/retry`, { method: "POST" }), 409, "delivery-not-retryable")

      // A deliverer started now sends nothing.
      await ledger.stop()
      const running = await ledger.reopen()
      const sent = (await running.post({ ...notesEvent, notes: "After the cancel" }, { query: "?await=true" })).json
      expect(sent.status).toBe("succeeded")
      // The bodies the client sent: JSON of applicant events.
      expect((await running.creates()).map((c) => JSON.parse(c.body!).notes)).toEqual(["After the cancel"])
      expect((await request(`${running.origin}/applicant-events/${id}`)).json.status).toBe("cancelled")
      await running.stop()
    }))

  it("a failed delivery can be retried: queued again, recorded, sent as a new create; it cannot be cancelled", () =>
    withLedger({}, async (ledger) => {
      const failed = (await ledger.post(refusedEvent, { query: "?await=true" })).json
      expect(failed.status).toBe("failed")
      const cancel = await ledger.call(`/${failed.id}/cancel`, { method: "POST" })
      expectProblem(cancel, 409, "delivery-not-cancellable")
      expect(cancel.json.delivery_status).toBe("failed")

      const retried = await ledger.call(`/${failed.id}/retry`, { method: "POST" })
      expect(retried.status).toBe(202)
      expect(retried.headers.get("location")).toBe(failed.status_url)
      expect(retried.json.history.at(-1)).toMatchObject({
        from: "failed",
        to: "queued",
        reason: "retried: queued to be sent again as a new create"
      })
      const again = await eventually(async () => {
        const answer = await ledger.call(`/${failed.id}`)
        return answer.json.attempts === 2 && answer.json.status === "failed" ? answer.json : undefined
      })
      expect(again.job_id).not.toBe(failed.job_id)
      expect(await ledger.creates()).toHaveLength(2)
    }))

  it("an ambiguous delivery shows the router's words, not Propexo's, and an operator's retry delivers it", () =>
    withLedger({}, async (ledger) => {
      // The catalog read once, so the faults below hit the create.
      expect((await ledger.post(notesEvent, { query: "?await=true" })).json.status).toBe("succeeded")
      await ledger.sandbox.setFaults({ serverErrorShare: 1, serverErrorStatuses: [500] })
      const { id } = (await ledger.post({ ...notesEvent, notes: "During the outage" })).json
      const ambiguous = (await reaches(ledger, id, "ambiguous")).json
      expect(ambiguous.history.at(-1)).toMatchObject({
        from: "sending",
        to: "ambiguous",
        reason: "Propexo's answer never came (a timeout, an outage, or a stop while sending): " +
          "it may have been recorded, and is not sent again unless retried"
      })
      // The ledger itself keeps Propexo's own words; the answer does not carry them.
      const recorded = await ledger.runtime.runPromise(ledger.deliveries.get(id))
      expect(recorded.history.at(-1)!.reason).toMatch(/HTTP 500/)
      expect(JSON.stringify(ambiguous)).not.toMatch(/HTTP 500/)

      await ledger.sandbox.clearFaults()
      const retried = await ledger.call(`/${id}/retry`, { method: "POST" })
      expect(retried.status).toBe(202)
      expect(retried.json.history.at(-1)).toMatchObject({ from: "ambiguous", to: "queued" })
      const done = (await reaches(ledger, id, "succeeded")).json
      expect(done.attempts).toBe(2)
    }))
})

describe("the ledger's own failures", () => {
  it("a ledger that cannot be read or written is a 503 ledger-unavailable, its cause in the log only", () =>
    withLedger(noDeliverer, async (ledger) => {
      // A router whose deliveries outlive their ledger: its SQLite connection is closed.
      const runtime = ManagedRuntime.make(servicesLayer(ledger.sandbox))
      const router = ApplicantEventsRouter.createApplicantEventsRouter({
        runtime,
        deliveries: ledger.deliveries,
        authorize
      })
      const app = express()
      app.use("/applicant-events", router)
      const server = await listen(app)
      try {
        await ledger.stop()
        const url = `${server.origin}/applicant-events`
        for (const answer of [await request(`${url}/`, { body: notesEvent }), await request(`${url}/`)]) {
          expectProblem(answer, 503, "ledger-unavailable")
          expect(answer.json.detail).toBe("This server could not read or write its delivery ledger; try again later.")
          const line = logLines.find((l) =>
            l.annotations["requestId"] === answer.json.request_id && l.message.startsWith("answered")
          )
          expect(line).toMatchObject({
            level: "WARN",
            message: expect.stringMatching(/^answered 503 \(ledger-unavailable\): ./)
          })
        }
      } finally {
        await server.close()
        await router.dispose()
        await runtime.dispose()
      }
    }))
})

describe("the routes' methods", () => {
  it("other methods are 405 with Allow", () =>
    withLedger(noDeliverer, async (ledger) => {
      const { id } = (await ledger.post(notesEvent)).json
      const cases = [
        ["/", "PUT", "GET, HEAD, POST"],
        [`/${id}`, "DELETE", "GET, HEAD"],
        [`/${id}/retry`, "GET", "POST"],
        [`/${id}/cancel`, "PUT", "POST"],
        ["/jobs/cmjob", "POST", "GET, HEAD"]
      ] as const
      for (const [path, method, allow] of cases) {
        const answer = await ledger.call(path, { method })
        expectProblem(answer, 405, "method-not-allowed")
        expect(answer.headers.get("allow")).toBe(allow)
      }
      const head = await ledger.call(`/${id}`, { method: "HEAD" })
      expect(head.status).toBe(200)
    }))
})

afterAll(() => {
  // No answer and no log line ever carried a Propexo token.
  for (const token of tokens) {
    for (const body of answerBodies) expect(body).not.toContain(token)
    for (const line of logLines) expect(JSON.stringify(line)).not.toContain(token)
  }
})
