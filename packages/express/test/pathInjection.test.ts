/**
 * Ids that would change the Propexo path they go into are refused by the
 * core schema before the client builds any URL: each gets a 400 naming the
 * field, and the simulator sees nothing but catalog reads.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { type Answer, type Harness, notesEvent, start } from "./helpers.js"

const ID_RULE = "must be 1 to 64 characters of A-Z, a-z, 0-9, _ and -"

/** The id fields that go into a catalog path: `/v1/event-types/{id}` and its kin. */
const FIELDS = ["event_type_id", "event_sub_type_id", "event_result_id"] as const

const HUGE = "a".repeat(60_000)

const ATTACKS = ["../events/", "%2e%2e/", "a/b", "?x=1", HUGE] as const

const CATALOG_PATHS = /^\/v1\/(event-types|event-sub-types|event-results)\/[A-Za-z0-9_-]*$/

const label = (id: string) => id.length > 20 ? `a ${id.length}-character id` : JSON.stringify(id)

describe("ids that would change a Propexo path", () => {
  let h: Harness
  beforeAll(async () => {
    h = await start()
  })
  afterAll(() => h.close())

  const expectRefused = (answer: Answer, field: string, id: string) => {
    expect(answer.status).toBe(400)
    expect(answer.headers.get("content-type")).toMatch(/^application\/problem\+json\b/)
    expect(answer.json).toMatchObject({ type: "https://entrata-events.dev/problems/invalid-input", status: 400 })
    const shown = id.length > 64 ? `${id.length} characters` : JSON.stringify(id)
    expect(answer.json.errors).toEqual([{ path: field, message: `${ID_RULE}, got ${shown}` }])
  }

  for (const field of FIELDS) {
    for (const id of ATTACKS) {
      it(`${field} = ${label(id)} is a 400 naming ${field}`, async () => {
        const answer = await h.call("/", { body: { ...notesEvent, [field]: id } })
        expectRefused(answer, field, id)
        // The answer describes a huge id, it does not echo it.
        expect(answer.text.length).toBeLessThan(2_000)
      })
    }
  }

  it("integration_id and applicant_id are held to the same rule", async () => {
    for (const field of ["integration_id", "applicant_id"] as const) {
      for (const id of ATTACKS) expectRefused(await h.call("/", { body: { ...notesEvent, [field]: id } }), field, id)
    }
  })

  it("an id of the right alphabet that Propexo does not know is looked up in the catalog, and only there", async () => {
    const answer = await h.call("/", { body: { ...notesEvent, event_type_id: "no_such_event_type" } })
    expect(answer.status).toBeGreaterThanOrEqual(400)
    expect(answer.status).toBeLessThan(500)
    const paths = (await h.sandbox.requests()).map((r) => r.path)
    expect(paths).toContain("/v1/event-types/no_such_event_type")
  })

  it("the simulator's request log holds no request outside the catalog paths, and no create", async () => {
    const requests = await h.sandbox.requests()
    expect(requests.length).toBeGreaterThan(0)
    for (const request of requests) {
      expect(request.method, request.path).toBe("GET")
      expect(request.path).toMatch(CATALOG_PATHS)
      expect(request.query).toEqual({})
    }
    expect(await h.creates()).toEqual([])
  })
})
