import { describe, expect, it } from "@effect/vitest"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as Effect from "effect/Effect"
import * as Fs from "node:fs/promises"
import * as Os from "node:os"
import * as Path from "node:path"
import * as Seed from "../src/Seed.js"
import { call, makeSandbox } from "./helpers.js"

const { DEMO, OTHER } = Seed

interface Page {
  readonly meta: {
    readonly orderBy: ReadonlyArray<Record<string, string>>
    readonly offset: number
    readonly limit: number
    readonly hasMore: boolean
    readonly total: number
  }
  readonly results: ReadonlyArray<Record<string, unknown>>
}

const page = (json: unknown) => json as Page // a list answer

describe("the event-type catalog", () => {
  it.scopedLive("lists a property's event types with Entrata's names and codes", () =>
    Effect.gen(function*() {
      const sandbox = yield* makeSandbox()
      const answer = yield* call(sandbox, "GET", `/v1/event-types/?property_id=${DEMO.propertyId}&order-by=x_id:asc`)
      const { meta, results } = page(answer.json)
      expect(meta).toEqual({ orderBy: [{ x_id: "asc" }], offset: 0, limit: 100, hasMore: false, total: 10 })
      expect(results.map((r) => r.name)).toEqual([
        "Call-Incoming",
        "Notes",
        "Call-Outgoing",
        "Email-Incoming",
        "Email-Outgoing",
        "Text-Incoming",
        "Text-Outgoing",
        "Appointment",
        "Tour",
        "Walk-In"
      ])
      expect(results[0]).toEqual({
        id: DEMO.eventTypeIds["Call-Incoming"],
        created_at: "2024-06-03T15:04:05.000Z",
        updated_at: "2025-01-06T08:00:00.000Z",
        last_seen: "2025-01-06T08:00:00.000Z",
        x_id: "1",
        x_property_id: "100001",
        x_location_id: null,
        code: "Call-Incoming",
        models: ["applicant", "lead"],
        name: "Call-Incoming",
        integration_id: DEMO.integrationId,
        integration_vendor: "ENTRATA",
        property_id: DEMO.propertyId
      })
      const byModel = (query: string) =>
        Effect.map(call(sandbox, "GET", `/v1/event-types/?property_id=${DEMO.propertyId}&${query}`), (a) => page(a.json).meta.total)
      expect(yield* byModel("models=lead")).toBe(10)
      expect(yield* byModel("models=resident&models=applicant")).toBe(10)
      expect(yield* byModel("models=resident")).toBe(0)
      const other = page((yield* call(sandbox, "GET", `/v1/event-types/?integration_id=${OTHER.integrationId}`)).json)
      expect(other.results.every((r) => r.code === null && r.property_id === OTHER.propertyId)).toBe(true)
    }))

  it.scopedLive("pages with limit and offset", () =>
    Effect.gen(function*() {
      const sandbox = yield* makeSandbox()
      const first = page((yield* call(sandbox, "GET", "/v1/event-types/?limit=25")).json)
      const second = page((yield* call(sandbox, "GET", "/v1/event-types/?limit=25&offset=25")).json)
      const orderBy = [{ created_at: "desc" }]
      expect(first.meta).toEqual({ orderBy, offset: 0, limit: 25, hasMore: true, total: 30 })
      expect(second.meta).toEqual({ orderBy, offset: 25, limit: 25, hasMore: false, total: 30 })
      const exact = page((yield* call(sandbox, "GET", "/v1/event-types/?limit=15&offset=15")).json)
      expect(exact.meta).toMatchObject({ hasMore: false, total: 30 })
      expect(exact.results).toHaveLength(15)
      const past = page((yield* call(sandbox, "GET", "/v1/event-types/?offset=40")).json)
      expect(past).toEqual({ meta: { orderBy, offset: 40, limit: 100, hasMore: false, total: 30 }, results: [] })
      expect(new Set([...first.results, ...second.results].map((r) => r.id)).size).toBe(30)
      const tooMany = yield* call(sandbox, "GET", "/v1/event-types/?limit=251")
      expect(tooMany.status).toBe(400)
      expect(tooMany.json).toMatchObject({
        error: { code: "invalid_request", details: { details: { name: "ZodError", issues: [{ path: ["limit"] }] } } }
      })
      const badOrder = yield* call(sandbox, "GET", "/v1/event-types/?order-by=colour:asc")
      expect(badOrder.status).toBe(400)
      const badDirection = yield* call(sandbox, "GET", "/v1/event-types/?order-by=name:up")
      expect(badDirection.json).toMatchObject({ error: { details: { details: { issues: [{ path: ["order-by"] }] } } } })
    }))

  it.scopedLive("orders by one field or several, ascending unless told, and says so in meta.orderBy", () =>
    Effect.gen(function*() {
      const sandbox = yield* makeSandbox()
      const query = `property_id=${DEMO.propertyId}&limit=3`
      const byName = page((yield* call(sandbox, "GET", `/v1/event-types/?${query}&order-by=name`)).json)
      expect(byName.meta.orderBy).toEqual([{ name: "asc" }])
      expect(byName.results.map((r) => r.name)).toEqual(["Appointment", "Call-Incoming", "Call-Outgoing"])
      const desc = page((yield* call(sandbox, "GET", `/v1/event-types/?${query}&order-by=name:desc`)).json)
      expect(desc.results.map((r) => r.name)).toEqual(["Walk-In", "Tour", "Text-Outgoing"])
      const two = page((yield* call(sandbox, "GET", "/v1/event-sub-types/?order-by=name:asc,x_property_id:desc&limit=4")).json)
      expect(two.meta.orderBy).toEqual([{ name: "asc" }, { x_property_id: "desc" }])
      expect(two.results.map((r) => [r.name, r.x_property_id])).toEqual([
        ["Leasing Appointments", "200001"],
        ["Leasing Appointments", "100002"],
        ["Leasing Appointments", "100001"],
        ["Self-Guided Tour", "200001"]
      ])
    }))

  it.scopedLive("lists Entrata's sub-types under Appointment, and results with their event types", () =>
    Effect.gen(function*() {
      const sandbox = yield* makeSandbox()
      const subTypes = page(
        (yield* call(sandbox, "GET", `/v1/event-sub-types/?event_type_id=${DEMO.eventTypeIds.Appointment}`)).json
      )
      expect(subTypes.results.map((r) => [r.x_id, r.name, r.x_event_type_id])).toEqual([
        ["453", "Leasing Appointments", "7"],
        ["454", "Tour", "7"],
        ["525", "Virtual Tour", "7"],
        ["560", "Self-Guided Tour", "7"]
      ])
      const result = yield* call(sandbox, "GET", `/v1/event-results/${DEMO.eventResultIds.leftVoicemail}`)
      expect(result.json).toMatchObject({
        meta: { orderBy: [{ created_at: "desc" }] },
        results: { name: "Left Voicemail", associated_event_type_ids: [DEMO.eventTypeIds["Call-Outgoing"]] }
      })
      expect(Object.keys((result.json as { results: object }).results)).not.toContain("code") // a by-id answer
      expect(subTypes.results.every((r) => !("code" in r) && !("models" in r))).toBe(true)
    }))

  it.scopedLive("answers one record by id, and 404 in Propexo's shape for an unknown id", () =>
    Effect.gen(function*() {
      const sandbox = yield* makeSandbox()
      const found = yield* call(sandbox, "GET", `/v1/event-types/${DEMO.eventTypeIds.Notes}`)
      expect(found.json).toMatchObject({ results: { id: DEMO.eventTypeIds.Notes, name: "Notes" } })
      const missing = yield* call(sandbox, "GET", "/v1/event-sub-types/cmnosuchsubtype0000000000")
      expect(missing.status).toBe(404)
      expect(missing.json).toEqual({
        error: { code: "not_found", message: "Event sub-type cmnosuchsubtype0000000000 not found" }
      })
    }))
})

const withFile = (content: string) =>
  Effect.acquireRelease(
    Effect.promise(async () => {
      const dir = await Fs.mkdtemp(Path.join(Os.tmpdir(), "sandbox-seed-"))
      const file = Path.join(dir, "seed.json")
      await Fs.writeFile(file, content)
      return { dir, file }
    }),
    ({ dir }) => Effect.promise(() => Fs.rm(dir, { recursive: true }))
  )

describe("Seed", () => {
  it.scoped("loads a seed file of the default seed's shape", () =>
    Effect.gen(function*() {
      const { file } = yield* withFile(JSON.stringify(Seed.defaultSeed))
      expect(yield* Seed.load(file)).toEqual(Seed.defaultSeed)
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("refuses a file that is not a seed, naming the file and the problem", () =>
    Effect.gen(function*() {
      const { file } = yield* withFile(JSON.stringify({ ...Seed.defaultSeed, applicants: [{ id: 1 }] }))
      const error = yield* Effect.flip(Seed.load(file))
      expect(error._tag).toBe("InvalidSeed")
      expect(error.message).toContain(`The seed ${file} cannot be used`)
      expect(error.message).toContain("applicants")
      const missing = yield* Effect.flip(Seed.load(`${file}.missing`))
      expect(missing.message).toContain(`${file}.missing`)
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.effect("refuses sub-types or results with a code, which Propexo's records do not have", () =>
    Effect.gen(function*() {
      const withCode = {
        ...Seed.defaultSeed,
        event_sub_types: Seed.defaultSeed.event_sub_types.map((t) => ({ ...t, code: t.name }))
      }
      const error = yield* Effect.flip(Seed.fromJson(JSON.stringify(withCode)))
      expect(error.message).toContain("event_sub_types")
      expect(error.message).toContain("\"code\"")
    }))

  it("keeps the demo ids consistent with the fixture", () => {
    const seed = Seed.defaultSeed
    const applicant = seed.applicants.find((a) => a.id === Seed.DEMO.applicantId)
    expect(applicant?.primary_email).toBe(Seed.DEMO.applicantEmail)
    expect(seed.applications.find((a) => a.id === Seed.DEMO.applicationId)?.applicant_id).toBe(Seed.DEMO.applicantId)
    for (const [name, id] of Object.entries(Seed.DEMO.eventTypeIds)) {
      expect(seed.event_types.find((t) => t.id === id)).toMatchObject({ name, property_id: Seed.DEMO.propertyId })
    }
    const ids = [
      ...seed.integrations,
      ...seed.properties,
      ...seed.applicants,
      ...seed.applications,
      ...seed.employees,
      ...seed.units,
      ...seed.event_types,
      ...seed.event_sub_types,
      ...seed.event_results
    ].map((r) => r.id)
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids.every((id) => /^cm[a-z0-9]{23}$/.test(id))).toBe(true)
  })
})
