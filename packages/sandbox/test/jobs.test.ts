import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Sandbox from "../src/Sandbox.js"
import { DEMO, defaultSeed, OTHER } from "../src/Seed.js"
import { call, create, jobIdOf, makeSandbox, settled, validEvent } from "./helpers.js"

const callFields = {
  call_phone_number_from: "+14035551234",
  call_phone_number_to: "+17205550100",
  call_status: "ANSWER",
  call_duration: 125,
  call_audio_link: "https://example.com/calls/1"
} as const

const CARLOS_APPLICATION = "cmgmny7sw0h7wf4e077ktxnjp"
const BOULDER_NOTES = "cmr31k19try1em6ipt6ae7oqr"

/** Creates an event and waits for the PMS's verdict. */
const verdict = (sandbox: Sandbox.SandboxService, body: Record<string, unknown>) =>
  Effect.gen(function*() {
    const jobId = jobIdOf(yield* create(sandbox, body))
    return { jobId, status: (yield* settled(sandbox, jobId)).json }
  })

describe("write jobs", () => {
  it.scopedLive("go from PENDING to SUCCESS, and the event appears on the read side", () =>
    Effect.gen(function*() {
      const sandbox = yield* makeSandbox({ jobDelay: 800 })
      const jobId = jobIdOf(yield* create(sandbox, validEvent))
      const pending = yield* call(sandbox, "GET", `/v1/admin/write-status/${jobId}`)
      expect(pending.json).toEqual({ write_status: "PENDING", errors: [], created_record_id: null })
      const before = yield* call(sandbox, "GET", `/v1/events/?applicant_id=${DEMO.applicantId}`)
      expect(before.json).toMatchObject({ results: [] })
      expect((yield* settled(sandbox, jobId)).json).toEqual({
        write_status: "SUCCESS",
        errors: [],
        created_record_id: null
      })
      const after = yield* call(sandbox, "GET", `/v1/events/?applicant_id=${DEMO.applicantId}`)
      const at = expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
      expect(after.json).toEqual({
        meta: { orderBy: [{ created_at: "desc" }], offset: 0, limit: 100, hasMore: false, total: 1 },
        results: [{
          id: expect.stringMatching(/^cm[a-z0-9]{23}$/),
          created_at: at,
          updated_at: at,
          last_seen: at,
          x_id: expect.stringMatching(/^\d+$/),
          x_property_id: "100001",
          x_leasing_agent_id: null,
          x_type_id: "10",
          x_location_id: null,
          event_name: "Notes",
          event_datetime: validEvent.event_datetime,
          appointment_datetime: null,
          type_raw: "Notes",
          notes: validEvent.notes,
          agent_name: null,
          reasons_for_event: null,
          associated_lead_ids: null,
          associated_applicant_ids: [DEMO.applicantId],
          associated_resident_ids: null,
          integration_id: DEMO.integrationId,
          integration_vendor: "ENTRATA",
          property_id: DEMO.propertyId
        }]
      })
      const other = yield* call(sandbox, "GET", `/v1/events/?applicant_id=${OTHER.applicantId}`)
      expect(other.json).toMatchObject({ results: [] })
    }))

  it.scopedLive("fail with the PMS's message for each thing only the PMS can check", () =>
    Effect.gen(function*() {
      const sandbox = yield* makeSandbox({ jobDelay: 0 })
      const cases: ReadonlyArray<readonly [string, Record<string, unknown>, string]> = [
        [
          "email_to is not the primary email",
          { ...validEvent, email_to: "someone.else@example.com" },
          "Entrata: email_to \"someone.else@example.com\" is not the lead's primary email address \"jane.doe@example.com\""
        ],
        [
          "a call type lacks call fields",
          { ...validEvent, event_type_id: DEMO.eventTypeIds["Call-Incoming"], call_status: "ANSWER" },
          "Entrata: Call event type \"Call-Incoming\" requires call_phone_number_from, call_phone_number_to, call_status, call_duration, call_audio_link; missing call_phone_number_from, call_phone_number_to, call_duration, call_audio_link"
        ],
        [
          "an outgoing email lacks email_from",
          { ...validEvent, event_type_id: DEMO.eventTypeIds["Email-Outgoing"] },
          "Entrata: Outgoing email event type \"Email-Outgoing\" requires email_from"
        ],
        [
          "an unknown event type",
          { ...validEvent, event_type_id: OTHER.eventTypeIds.Notes },
          `Entrata: Event type "${OTHER.eventTypeIds.Notes}" (event_type_id) does not exist for this integration`
        ],
        [
          "an unknown applicant",
          { ...validEvent, applicant_id: OTHER.applicantId },
          `Entrata: Applicant "${OTHER.applicantId}" (applicant_id) does not exist for this integration`
        ],
        [
          "an unknown application",
          { ...validEvent, application_id: "cmnosuchapplication000000" },
          "Entrata: Application \"cmnosuchapplication000000\" (application_id) does not exist for this integration"
        ],
        [
          "an application of another applicant",
          { ...validEvent, application_id: CARLOS_APPLICATION },
          `Entrata: Application "${CARLOS_APPLICATION}" does not belong to applicant "${DEMO.applicantId}"`
        ],
        [
          "an event type of another property",
          { ...validEvent, event_type_id: BOULDER_NOTES },
          `Entrata: Event type "${BOULDER_NOTES}" belongs to property cmbl78oqtnn2frvebpqo8mstj, but the application belongs to property ${DEMO.propertyId}`
        ],
        [
          "an unknown sub-type",
          { ...validEvent, event_sub_type_id: "cmnosuchsubtype0000000000" },
          "Entrata: Event sub-type \"cmnosuchsubtype0000000000\" (event_sub_type_id) does not exist for this integration"
        ],
        [
          "a sub-type of another type",
          { ...validEvent, event_sub_type_id: DEMO.eventSubTypeIds.selfGuidedTour },
          "Entrata: Event sub-type \"Self-Guided Tour\" is not a sub-type of event type \"Notes\""
        ],
        [
          "an unknown result",
          { ...validEvent, event_result_id: "cmnosuchresult00000000000" },
          "Entrata: Event result \"cmnosuchresult00000000000\" (event_result_id) does not exist for this integration"
        ],
        [
          "a result of other types",
          { ...validEvent, event_result_id: DEMO.eventResultIds.noShow },
          "Entrata: Event result \"No Show\" cannot be used with event type \"Notes\""
        ],
        [
          "an unknown employee",
          { ...validEvent, employee_id: OTHER.employeeId },
          `Entrata: Employee "${OTHER.employeeId}" (employee_id) does not exist for this integration`
        ],
        [
          "an unknown unit",
          { ...validEvent, unit_id: OTHER.unitId },
          `Entrata: Unit "${OTHER.unitId}" (unit_id) does not exist for this integration`
        ]
      ]
      for (const [what, body, message] of cases) {
        const { status } = yield* verdict(sandbox, body)
        expect(status, what).toEqual({ write_status: "FAILURE", errors: [message], created_record_id: null })
      }
      expect((yield* sandbox.events).length).toBe(0)
    }))

  it.scopedLive("succeed for complete call, email and appointment events", () =>
    Effect.gen(function*() {
      const sandbox = yield* makeSandbox({ jobDelay: 0 })
      const bodies = [
        { ...validEvent, event_type_id: DEMO.eventTypeIds["Call-Outgoing"], ...callFields, event_result_id: DEMO.eventResultIds.leftVoicemail },
        {
          ...validEvent,
          event_type_id: DEMO.eventTypeIds["Email-Outgoing"],
          email_from: "morgan.reyes@sunrise-residential.example",
          email_to: "Jane.Doe@example.com",
          email_subject: "Your tour",
          email_body: "See you at 10.",
          email_send: false
        },
        {
          ...validEvent,
          event_type_id: DEMO.eventTypeIds.Appointment,
          event_sub_type_id: DEMO.eventSubTypeIds.selfGuidedTour,
          event_result_id: DEMO.eventResultIds.scheduled,
          appointment_datetime: "2026-07-04T10:00:00-06:00",
          time_from: "10:00:00",
          time_to: "10:30:00",
          employee_id: DEMO.employeeId,
          unit_id: DEMO.unitId
        }
      ]
      for (const body of bodies) {
        const { status } = yield* verdict(sandbox, body)
        expect(status).toEqual({ write_status: "SUCCESS", errors: [], created_record_id: null })
      }
      const events = yield* sandbox.events
      expect(events.map((e) => [e.x_type_id, e.event_name, e.x_leasing_agent_id, e.agent_name, e.appointment_datetime]))
        .toEqual([
          ["2", "Call-Outgoing", null, null, null],
          ["4", "Email-Outgoing", null, null, null],
          ["7", "Appointment", "5001", "Morgan Reyes", "2026-07-04T10:00:00-06:00"]
        ])
      const read = yield* call(sandbox, "GET", `/v1/events/?x_type_id=7&order-by=event_name,created_at:desc`)
      expect(read.json).toMatchObject({ meta: { orderBy: [{ event_name: "asc" }, { created_at: "desc" }], total: 1 } })
    }))

  it.scopedLive("retry-write runs a failed job's body again as a new job, and refuses a job that did not fail", () =>
    Effect.gen(function*() {
      const sandbox = yield* makeSandbox({ jobDelay: 0 })
      const body = { ...validEvent, email_to: "jane@new-domain.example" }
      const { jobId, status } = yield* verdict(sandbox, body)
      expect(status).toMatchObject({ write_status: "FAILURE" })

      const again = yield* call(sandbox, "POST", `/v1/admin/retry-write/${jobId}`)
      expect(again.json).toEqual({ success: true, job_id: expect.stringMatching(/^cm[a-z0-9]{23}$/) })
      const second = (again.json as { job_id: string }).job_id // a retry-write answer
      expect(second).not.toBe(jobId)
      expect((yield* settled(sandbox, second)).json).toMatchObject({ write_status: "FAILURE" })
      // The job that failed stays as it was.
      expect((yield* settled(sandbox, jobId)).json).toMatchObject({ write_status: "FAILURE" })

      // The applicant's primary address changes in the PMS; the same body now goes through.
      yield* sandbox.setSeed({
        ...defaultSeed,
        applicants: defaultSeed.applicants.map((a) =>
          a.id === DEMO.applicantId ? { ...a, primary_email: "jane@new-domain.example" } : a
        )
      })
      const third = ((yield* call(sandbox, "POST", `/v1/admin/retry-write/${second}`)).json as { job_id: string }).job_id // a retry-write answer
      expect((yield* settled(sandbox, third)).json).toMatchObject({ write_status: "SUCCESS" })
      const jobs = yield* sandbox.jobs
      expect(jobs.map((j) => [j.id, j.attempts, j.retryOf, j.status])).toEqual([
        [jobId, 1, null, "FAILURE"],
        [second, 2, jobId, "FAILURE"],
        [third, 3, second, "SUCCESS"]
      ])
      expect(jobs.every((j) => JSON.stringify(j.body) === JSON.stringify(body))).toBe(true)

      const succeeded = yield* call(sandbox, "POST", `/v1/admin/retry-write/${third}`)
      expect(succeeded.status).toBe(400)
      expect(succeeded.json).toEqual({
        error: {
          code: "invalid_request",
          message: `Only failed write operations can be retried; write job ${third} is SUCCESS`
        }
      })
      const other = jobIdOf(yield* create(sandbox, validEvent))
      expect((yield* call(sandbox, "POST", `/v1/admin/retry-write/${other}`)).status).toBe(400)
      const unknown = yield* call(sandbox, "POST", "/v1/admin/retry-write/cmnosuchjob00000000000000")
      expect(unknown.status).toBe(404)
      expect(unknown.json).toEqual({
        error: { code: "not_found", message: "Write job cmnosuchjob00000000000000 not found" }
      })
      expect((yield* sandbox.jobs).length).toBe(4)
    }))

  it.scopedLive("show in the write logs once they ran: one record per job, newest first, filtered", () =>
    Effect.gen(function*() {
      const sandbox = yield* makeSandbox({ jobDelay: 0 })
      const logsOf = (query: string) =>
        Effect.map(
          call(sandbox, "GET", `/v1/admin/logs/writes/${query}`),
          (answer) => (answer.json as { results: { logs: Array<Record<string, unknown>> } }).results.logs // a write-logs answer
        )
      expect(yield* logsOf("")).toEqual([])
      const good = yield* verdict(sandbox, validEvent)
      const bad = yield* verdict(sandbox, { ...validEvent, email_to: "someone.else@example.com" })
      const third = yield* verdict(sandbox, validEvent)
      const logs = yield* logsOf("")
      expect(logs.map((l) => l.job_id).sort()).toEqual([good.jobId, bad.jobId, third.jobId].sort())
      expect(logs.find((l) => l.job_id === bad.jobId)).toEqual({
        id: expect.stringMatching(/^cm[a-z0-9]{23}$/),
        created_at: expect.any(String),
        job_id: bad.jobId,
        job_log_id: expect.stringMatching(/^cm[a-z0-9]{23}$/),
        status: "FAILURE",
        integration_id: DEMO.integrationId,
        job_type: "CREATE_APPLICANT_EVENT",
        parameters: { ...validEvent, email_to: "someone.else@example.com" },
        error: "Entrata: email_to \"someone.else@example.com\" is not the lead's primary email address \"jane.doe@example.com\"",
        name: "Create Applicant Event: Entrata",
        vendor: "ENTRATA"
      })
      const times = logs.map((l) => String(l.created_at))
      expect(times).toEqual(times.slice().sort().reverse())
      expect((yield* logsOf("?status=FAILURE")).map((l) => l.job_id)).toEqual([bad.jobId])
      expect(yield* logsOf("?status=SUCCESS&limit=1")).toHaveLength(1)
      expect(yield* logsOf("?offset=2")).toHaveLength(1)
      expect(yield* logsOf("?time_range=hour&write_category=events")).toHaveLength(3)
      expect(yield* logsOf("?write_category=leads")).toEqual([])
      expect(yield* logsOf(`?integration_id=${OTHER.integrationId}`)).toEqual([])
      const tooMany = yield* call(sandbox, "GET", "/v1/admin/logs/writes/?limit=101")
      expect(tooMany.status).toBe(400)
      const badRange = yield* call(sandbox, "GET", "/v1/admin/logs/writes/?time_range=year")
      expect(badRange.status).toBe(400)
    }))

  it.scopedLive("show in the write logs only for the integrations a token may touch", () =>
    Effect.gen(function*() {
      const sandbox = yield* makeSandbox({
        jobDelay: 0,
        tokens: ["all-token", { token: "other-token", name: "other", integrations: [OTHER.integrationId] }]
      })
      yield* verdict(sandbox, validEvent)
      const mine = yield* call(sandbox, "GET", "/v1/admin/logs/writes/", { token: "other-token" })
      expect(mine.json).toEqual({ results: { logs: [] } })
      const forbidden = yield* call(sandbox, "GET", `/v1/admin/logs/writes/?integration_id=${DEMO.integrationId}`, {
        token: "other-token"
      })
      expect(forbidden.status).toBe(403)
    }))

  it.scopedLive("expire after their TTL", () =>
    Effect.gen(function*() {
      const sandbox = yield* makeSandbox({ jobDelay: 0, jobTtl: 50 })
      const jobId = jobIdOf(yield* create(sandbox, validEvent))
      expect((yield* call(sandbox, "GET", `/v1/admin/write-status/${jobId}`)).status).toBe(200)
      yield* Effect.sleep(80)
      expect((yield* call(sandbox, "GET", `/v1/admin/write-status/${jobId}`)).status).toBe(404)
      expect(yield* sandbox.jobs).toEqual([])
    }))
})
