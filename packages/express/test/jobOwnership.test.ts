import { describe, expect, it } from "@effect/vitest"
import * as ManagedRuntime from "effect/ManagedRuntime"
import express from "express"
import * as ApplicantEventsRouter from "../src/ApplicantEventsRouter.js"
import * as JobOwners from "../src/JobOwners.js"
import { authorize, listen, notesEvent, OTHER, request, servicesLayer, start } from "./helpers.js"

const PROBLEMS = "https://entrata-events.dev/problems/"

const otherEvent = {
  integration_id: OTHER.integrationId,
  applicant_id: OTHER.applicantId,
  application_id: OTHER.applicationId,
  event_type_id: OTHER.eventTypeIds.Notes,
  event_datetime: "2026-07-04T12:00:00-06:00"
}

const statusReads = (requests: ReadonlyArray<{ readonly path: string }>) =>
  requests.filter((r) => r.path.startsWith("/v1/admin/write-status/")).map((r) => r.path)

describe("GET /jobs/:job_id answers only for jobs this router created, to callers that may use their integration", () => {
  it("another integration's job is the same 404 as an unknown id, and Propexo is not asked", async () => {
    const h = await start()
    try {
      const created = await h.call("/", { body: notesEvent })
      expect(created.status).toBe(202)
      const { job_id, status_url } = created.json

      const foreign = await request(`${h.origin}${status_url}`, { caller: "other" })
      const unknown = await request(`${h.origin}/applicant-events/jobs/cnosuchjob000000000000000`, { caller: "other" })
      for (const answer of [foreign, unknown]) {
        expect(answer.status).toBe(404)
        expect(answer.headers.get("content-type")).toMatch(/^application\/problem\+json\b/)
        expect(answer.json.type).toBe(`${PROBLEMS}job-not-found`)
      }
      // Nothing in the answer tells the two apart.
      const { request_id: _a, ...foreignRest } = foreign.json
      const { request_id: _b, ...unknownRest } = unknown.json
      expect(foreignRest).toEqual(unknownRest)
      expect(foreign.text).not.toContain(job_id)
      expect(statusReads(await h.sandbox.requests())).toEqual([])

      // The caller that may use the integration reads it; so does the other caller, for its own job.
      const own = await request(`${h.origin}${status_url}`)
      expect(own.status).toBe(200)
      expect(own.json.job_id).toBe(job_id)
      const theirs = await h.call("/", { body: otherEvent, caller: "other" })
      expect(theirs.status).toBe(202)
      expect((await request(`${h.origin}${theirs.json.status_url}`, { caller: "other" })).status).toBe(200)
      expect(statusReads(await h.sandbox.requests())).toHaveLength(2)
    } finally {
      await h.close()
    }
  })

  it("routers given one store answer for each other's jobs; a router's default store is its own", async () => {
    const h = await start()
    const runtime = ManagedRuntime.make(servicesLayer(h.sandbox))
    const shared = JobOwners.inMemory()
    const app = express()
    app.use("/a", ApplicantEventsRouter.createApplicantEventsRouter({ runtime, authorize, jobOwners: shared }))
    app.use("/b", ApplicantEventsRouter.createApplicantEventsRouter({ runtime, authorize, jobOwners: shared }))
    app.use("/c", ApplicantEventsRouter.createApplicantEventsRouter({ runtime, authorize }))
    const server = await listen(app)
    try {
      const created = await request(`${server.origin}/a`, { body: notesEvent })
      expect(created.status).toBe(202)
      const { job_id } = created.json
      expect((await request(`${server.origin}/b/jobs/${job_id}`)).status).toBe(200)
      const elsewhere = await request(`${server.origin}/c/jobs/${job_id}`)
      expect({ status: elsewhere.status, type: elsewhere.json.type }).toEqual({
        status: 404,
        type: `${PROBLEMS}job-not-found`
      })
    } finally {
      await server.close()
      await runtime.dispose()
      await h.close()
    }
  })

  it("the in-memory store is bounded: past its capacity the oldest jobs are forgotten", async () => {
    expect(() => JobOwners.inMemory({ capacity: 0 })).toThrow(/capacity/)
    expect(() => JobOwners.inMemory({ capacity: 1.5 })).toThrow(/capacity/)
    const h = await start({ router: { jobOwners: JobOwners.inMemory({ capacity: 2 }) } })
    try {
      const jobs: Array<string> = []
      for (const notes of ["first", "second", "third"]) {
        const created = await h.call("/", { body: { ...notesEvent, notes } })
        expect(created.status).toBe(202)
        jobs.push(created.json.job_id)
      }
      const statuses = []
      for (const job_id of jobs) statuses.push((await h.call(`/jobs/${job_id}`)).status)
      expect(statuses).toEqual([404, 200, 200])
      expect(statusReads(await h.sandbox.requests())).toEqual(
        jobs.slice(1).map((job_id) => expect.stringContaining(job_id))
      )
    } finally {
      await h.close()
    }
  })
})
