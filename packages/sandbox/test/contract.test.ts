/**
 * The simulator against Propexo's published description: every answer of
 * every test here (and in the other test files, through `makeSandbox`) is
 * held against the OpenAPI response schema of its endpoint; these tests
 * make sure that check covers every endpoint and status, and catches a
 * broken answer. The create endpoint, absent from the file, is held against
 * its documentation page.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { answerChecker, component, createPage, isObject, type WireAnswer } from "../../propexo/test/contract.js"
import { FIELD_NAMES } from "../src/internal/validate.js"
import { DEMO, OTHER } from "../src/Seed.js"
import { call, contract, create, jobIdOf, makeSandbox, roomInWindow, settled, validEvent } from "./helpers.js"

describe("the simulator's answers against Propexo's OpenAPI description", () => {
  it.scopedLive("are checked for every endpoint and status a client meets", () =>
    Effect.gen(function*() {
      const sandbox = yield* makeSandbox({
        jobDelay: 0,
        slowDownDelay: 0,
        tokens: ["all-token", { token: "scoped-token", name: "scoped", integrations: [OTHER.integrationId] }]
      })
      const failed = jobIdOf(yield* create(sandbox, { ...validEvent, email_to: "someone.else@example.com" }))
      yield* settled(sandbox, failed)
      yield* call(sandbox, "POST", `/v1/admin/retry-write/${failed}`)
      const succeeded = jobIdOf(yield* create(sandbox, validEvent))
      yield* settled(sandbox, succeeded)
      const gets = [
        "/v1/event-types/",
        `/v1/event-types/${DEMO.eventTypeIds.Notes}`,
        "/v1/event-sub-types/?order-by=name",
        `/v1/event-sub-types/${DEMO.eventSubTypeIds.tour}`,
        "/v1/event-results/?limit=2&offset=3",
        `/v1/event-results/${DEMO.eventResultIds.noShow}`,
        `/v1/events/?applicant_id=${DEMO.applicantId}`,
        "/v1/admin/logs/writes/?status=FAILURE",
        "/v1/event-types/?limit=251",
        "/v1/events/?order-by=colour",
        "/v1/admin/logs/writes/?time_range=year",
        "/v1/event-types/nosuchtype",
        "/v1/events/applicants/entrata"
      ]
      for (const path of gets) yield* call(sandbox, "GET", path)
      yield* create(sandbox, { ...validEvent, colour: "blue" })
      yield* call(sandbox, "POST", `/v1/admin/retry-write/${succeeded}`)
      yield* call(sandbox, "GET", "/v1/event-types/", { token: "wrong" })
      yield* call(sandbox, "GET", `/v1/event-types/?integration_id=${DEMO.integrationId}`, { token: "scoped-token" })
      yield* sandbox.setFaults({ serverErrorShare: 1, serverErrorStatuses: [502] })
      yield* call(sandbox, "GET", "/v1/event-types/")
      yield* sandbox.clearFaults

      const spent = yield* makeSandbox({ rateLimit: 1, window: "1 hour", slowDownDelay: 0 })
      yield* roomInWindow(3_600_000, 5_000)
      yield* call(spent, "GET", "/v1/event-results/")
      expect((yield* call(spent, "GET", "/v1/event-results/")).status).toBe(429)

      expect(contract.checked()).toEqual([
        "GET /v1/admin/logs/writes/ 200 (openapi)",
        "GET /v1/admin/logs/writes/ 400 (openapi)",
        "GET /v1/admin/write-status/{root_job_id} 200 (openapi)",
        "GET /v1/event-results/ 200 (openapi)",
        "GET /v1/event-results/ 429 (inferred)",
        "GET /v1/event-results/{event_result_id} 200 (openapi)",
        "GET /v1/event-sub-types/ 200 (openapi)",
        "GET /v1/event-sub-types/{event_sub_type_id} 200 (openapi)",
        "GET /v1/event-types/ 200 (openapi)",
        "GET /v1/event-types/ 400 (openapi)",
        "GET /v1/event-types/ 401 (inferred)",
        "GET /v1/event-types/ 403 (inferred)",
        "GET /v1/event-types/ 502 (inferred)",
        "GET /v1/event-types/{event_type_id} 200 (openapi)",
        "GET /v1/event-types/{event_type_id} 404 (inferred)",
        "GET /v1/events/ 200 (openapi)",
        "GET /v1/events/ 400 (openapi)",
        "GET /v1/events/applicants/entrata 404 (inferred)",
        "POST /v1/admin/retry-write/{root_job_id} 200 (openapi)",
        "POST /v1/admin/retry-write/{root_job_id} 400 (openapi)",
        "POST /v1/events/applicants/entrata/ 200 (page)",
        "POST /v1/events/applicants/entrata/ 400 (inferred)"
      ])
    }))

  it.scopedLive("would catch an answer whose record lacks a field the schema requires", () =>
    Effect.gen(function*() {
      const sent: Array<WireAnswer> = []
      const sandbox = yield* makeSandbox({ onAnswer: (answer) => sent.push(answer) })
      yield* call(sandbox, "GET", `/v1/event-types/?property_id=${DEMO.propertyId}&limit=1`)
      const [answer] = sent
      expect(answer?.status).toBe(200)
      const { results: [first], ...rest } = JSON.parse(answer!.body) as { results: Array<Record<string, unknown>> } // a list answer
      const { x_location_id: _, ...withoutField } = first!
      const checker = answerChecker()
      checker.onAnswer({ ...answer!, body: JSON.stringify({ ...rest, results: [withoutField] }) })
      expect(checker.take()).toMatchObject([{ problems: ["/results/0 must have required property 'x_location_id'"] }])
      checker.onAnswer(answer!)
      expect(checker.take()).toEqual([])
    }))

  it.scopedLive("send a 400's Zod issues nested as the file's example of the error body does", () =>
    Effect.gen(function*() {
      const sandbox = yield* makeSandbox({ jobDelay: 0 })
      const example = component("errorResponse").properties
      const documented = isObject(example) && isObject(example.error) && isObject(example.error.properties) &&
          isObject(example.error.properties.details)
        ? example.error.properties.details.example
        : undefined
      const answers = [
        (yield* create(sandbox, { ...validEvent, colour: "blue" })).json,
        (yield* call(sandbox, "GET", "/v1/event-types/?limit=251")).json
      ]
      const shape = (details: unknown): unknown =>
        isObject(details) && isObject(details.details)
          ? { details: Object.keys(details.details).sort(), issues: Array.isArray(details.details.issues) }
          : details
      expect(shape(documented)).toEqual({ details: ["issues", "name"], issues: true })
      for (const answer of answers) {
        const details = isObject(answer) && isObject(answer.error) ? answer.error.details : undefined
        expect(shape(details)).toEqual(shape(documented))
        expect(isObject(details) && isObject(details.details) && details.details.name).toBe("ZodError")
      }
    }))
})

describe("the create endpoint against its documentation page", () => {
  it("accepts exactly the body fields the page lists, in its order", () => {
    expect(FIELD_NAMES).toEqual(createPage.request)
  })

  it.scopedLive("answers with the fields the page lists", () =>
    Effect.gen(function*() {
      const sandbox = yield* makeSandbox({ jobDelay: 0 })
      const answer = yield* create(sandbox, validEvent)
      expect(Object.keys(answer.json as object)).toEqual(createPage.response) // a 200 body, an object
    }))
})
