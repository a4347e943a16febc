import { NodeHttpClient } from "@effect/platform-node"
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as fc from "effect/FastCheck"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import express from "express"
import * as ApplicantEventsRouter from "../src/ApplicantEventsRouter.js"
import * as JobOwners from "../src/JobOwners.js"
import {
  type Answer,
  answerBodies,
  authorize,
  type Harness,
  listen,
  logLines,
  notesEvent,
  OTHER,
  request,
  servicesLayer,
  start,
  tokens
} from "./helpers.js"

const PROBLEMS = "https://entrata-events.dev/problems/"

/** A strict check of a problem document. */
const expectProblem = (answer: Answer, status: number, slug: string) => {
  expect({ status: answer.status, type: answer.json?.type }).toEqual({ status, type: `${PROBLEMS}${slug}` })
  expect(answer.headers.get("content-type")).toMatch(/^application\/problem\+json\b/)
  expect(answer.json).toMatchObject({ status, title: expect.any(String), detail: expect.any(String) })
  expect(answer.json.request_id).toBe(answer.headers.get("x-request-id"))
}

const using = async (starting: Promise<Harness>, f: (h: Harness) => Promise<void>) => {
  const harness = await starting
  try {
    await f(harness)
  } finally {
    await harness.close()
  }
}

/** Waits until `f` returns a value other than undefined (at most 5 s). */
const eventually = async <A>(f: () => A | undefined | Promise<A | undefined>): Promise<A> => {
  for (const deadline = Date.now() + 5_000; Date.now() < deadline;) {
    const value = await f()
    if (value !== undefined) return value
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  throw new Error("condition never held")
}

const parse = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe("POST /", () => {
  it("202: sends the event once, answers the exact body sent and where to follow the write", () =>
    using(start(), async (h) => {
      const answer = await h.call("/", { body: notesEvent, headers: { "x-request-id": "req-202.test" } })
      expect(answer.status).toBe(202)
      expect(answer.headers.get("content-type")).toMatch(/^application\/json\b/)
      expect(answer.headers.get("x-request-id")).toBe("req-202.test")
      const { job_id, sent, status_url } = answer.json
      expect(status_url).toBe(`/applicant-events/jobs/${job_id}`)
      expect(answer.headers.get("location")).toBe(status_url)
      // A wall-clock time in July is Mountain Daylight Time.
      expect(sent.event_datetime).toBe("2026-07-04T12:00:00-06:00")
      const [post, ...more] = await h.creates()
      expect(more).toEqual([])
      expect(JSON.parse(post!.body!)).toEqual(sent)
      expect(post!.jobId).toBe(job_id)

      // The simulator settles a job on its next tick, so the first look may still see it pending.
      const status = await eventually(async () => {
        const answer = await request(`${h.origin}${status_url}`)
        return answer.json?.write_status === "PENDING" ? undefined : answer
      })
      expect(status.status).toBe(200)
      expect(status.json).toEqual({ job_id, write_status: "SUCCESS", errors: [] })

      const lines = logLines.filter((l) => l.annotations.requestId === "req-202.test")
      expect(lines.map((l) => l.message)).toContain("answered 202")
      expect(lines.find((l) => l.message === "answered 202")?.annotations.caller).toBe("all")
    }))

  it("every line of a request carries its annotations and log span, next to the host runtime's own", async () => {
    const harness = await start()
    const hostAnnotated = Layer.scopedDiscard(Effect.annotateLogsScoped({ service: "events-host" }))
    const runtime = ManagedRuntime.make(Layer.merge(servicesLayer(harness.sandbox), hostAnnotated))
    const app = express()
    app.use("/events", ApplicantEventsRouter.createApplicantEventsRouter({ runtime, authorize }))
    const server = await listen(app)
    try {
      const answer = await request(`${server.origin}/events`, { body: notesEvent, headers: { "x-request-id": "req-lines" } })
      expect(answer.status).toBe(202)
      const lines = logLines.filter((l) => l.annotations.requestId === "req-lines")
      expect(lines.map((l) => l.message)).toContain("answered 202")
      for (const line of lines) {
        expect(line.annotations).toMatchObject({ service: "events-host", method: "POST", path: "/events", caller: "all" })
        expect(line.spans).toContain("request")
      }
    } finally {
      await server.close()
      await runtime.dispose()
      await harness.close()
    }
  })

  it("200 with ?await=true: the write's final status", () =>
    using(start(), async (h) => {
      const answer = await h.call("/?await=true", { body: notesEvent })
      expect(answer.status).toBe(200)
      expect(answer.json).toMatchObject({ write_status: "SUCCESS", sent: { notes: "Asked about parking." } })
      expect((await h.sandbox.events()).map((e) => e.notes)).toEqual(["Asked about parking."])
    }))

  it("an X-Request-Id that is not a sane token is replaced by a fresh one", () =>
    using(start(), async (h) => {
      const answer = await h.call("/", { body: {}, headers: { "x-request-id": "x".repeat(201) } })
      expect(answer.headers.get("x-request-id")).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-/)
      const spaced = await h.call("/", { body: {}, headers: { "x-request-id": "two words" } })
      expect(spaced.headers.get("x-request-id")).not.toBe("two words")
    }))
})

describe("400", () => {
  it("lists every bad field at once, in Propexo's field order, and sends nothing", () =>
    using(start(), async (h) => {
      const answer = await h.call("/", {
        body: {
          ...notesEvent,
          favourite_colour: "teal",
          email_to: "not an email",
          call_duration: -1,
          event_datetime: "2026-02-30T10:00:00",
          applicant_id: " "
        }
      })
      expectProblem(answer, 400, "invalid-input")
      expect(answer.json.errors.map((e: { path: string }) => e.path)).toEqual([
        "applicant_id",
        "event_datetime",
        "call_duration",
        "email_to",
        "favourite_colour"
      ])
      expect(answer.json.errors[1].message).toMatch(/wall-clock time in America\/Denver/)
      expect(await h.sandbox.requests()).toEqual([])
    }))

  it("malformed JSON, an empty JSON body and a bad ?await are 400s too", () =>
    using(start(), async (h) => {
      expectProblem(await h.call("/", { body: "{\"integration_id\": " }), 400, "malformed-json")
      const empty = await h.call("/", { body: "" })
      expectProblem(empty, 400, "invalid-input")
      expect(empty.json.errors.map((e: { path: string }) => e.path)).toEqual([
        "integration_id",
        "applicant_id",
        "application_id",
        "event_type_id",
        "event_datetime"
      ])
      const notAnObject = await h.call("/", { body: "[1,2]" })
      expectProblem(notAnObject, 400, "invalid-input")
      expect(notAnObject.json.errors).toEqual([
        { path: "", message: "must be an object of applicant event fields, got [1,2]" }
      ])
      const badAwait = await h.call("/?await=maybe", { body: notesEvent })
      expectProblem(badAwait, 400, "invalid-input")
      expect(badAwait.json.errors).toEqual([{ path: "?await", message: "must be true or false, given once" }])
      expect(await h.sandbox.requests()).toEqual([])
    }))

  it("a wall-clock time the clocks skip or repeat names the instants it could mean", () =>
    using(start(), async (h) => {
      const answer = await h.call("/", {
        body: { ...notesEvent, event_datetime: "2026-03-08T02:30:00", appointment_datetime: "2026-11-01 01:30" }
      })
      expectProblem(answer, 400, "invalid-input")
      expect(answer.json.errors).toEqual([
        {
          path: "event_datetime",
          message: expect.stringMatching(/does not exist in America\/Denver/),
          candidates: ["2026-03-08T01:30:00-07:00", "2026-03-08T03:30:00-06:00"]
        },
        {
          path: "appointment_datetime",
          message: expect.stringMatching(/happens twice in America\/Denver/),
          candidates: ["2026-11-01T01:30:00-06:00", "2026-11-01T01:30:00-07:00"]
        }
      ])
      expect(await h.sandbox.requests()).toEqual([])
    }))

  it("the time zone and the disambiguation are the host's to choose; offsets always win", async () => {
    await using(start({ router: { disambiguation: "later" } }), async (h) => {
      const answer = await h.call("/", {
        body: { ...notesEvent, event_datetime: "2026-03-08T02:30:00", appointment_datetime: "2026-11-01T01:30:00" }
      })
      expect(answer.status).toBe(202)
      expect(answer.json.sent).toMatchObject({
        event_datetime: "2026-03-08T03:30:00-06:00",
        appointment_datetime: "2026-11-01T01:30:00-07:00"
      })
    })
    await using(start({ router: { timeZone: "America/New_York" } }), async (h) => {
      const answer = await h.call("/", { body: { ...notesEvent, appointment_datetime: "2026-12-01T09:00:00Z" } })
      expect(answer.status).toBe(202)
      expect(answer.json.sent).toMatchObject({
        event_datetime: "2026-07-04T10:00:00-06:00",
        appointment_datetime: "2026-12-01T02:00:00-07:00"
      })
    })
  })
})

describe("authorization", () => {
  it("401 and 403 come from authorize; an integration the caller may not use is a 403 and nothing is sent", () =>
    using(start(), async (h) => {
      const anonymous = await h.call("/", { body: notesEvent, caller: null })
      expectProblem(anonymous, 401, "unauthorized")
      expect(anonymous.headers.get("www-authenticate")).toBe("Bearer")
      expect(anonymous.json.detail).toBe("Send a bearer token.")

      const unknown = await h.call("/", { body: notesEvent, headers: { authorization: "Bearer nobody" }, caller: null })
      expectProblem(unknown, 401, "unauthorized")
      expect(unknown.headers.get("www-authenticate")).toBe("Bearer realm=\"test\"")

      const banned = await h.call("/", { body: notesEvent, caller: "banned" })
      expectProblem(banned, 403, "forbidden")
      expect(banned.json.detail).toBe("This caller is suspended.")

      const elsewhere = await h.call("/", {
        body: { ...notesEvent, integration_id: ` ${notesEvent.integration_id} ` },
        caller: "other"
      })
      expectProblem(elsewhere, 403, "integration-not-allowed")
      expect(elsewhere.json.errors).toEqual([{ path: "integration_id", message: expect.any(String) }])

      const status = await h.call("/jobs/cnosuchjob000000000000000", { caller: null })
      expectProblem(status, 401, "unauthorized")
      expect(await h.sandbox.requests()).toEqual([])

      const own = await h.call("/", {
        caller: "other",
        body: {
          integration_id: OTHER.integrationId,
          applicant_id: OTHER.applicantId,
          application_id: OTHER.applicationId,
          event_type_id: OTHER.eventTypeIds.Notes,
          event_datetime: "2026-07-04T12:00:00-06:00"
        }
      })
      expect(own.status).toBe(202)
    }))

  it("an authorize that throws anything else, or returns no grant, is a 500 that says nothing of why", () =>
    using(
      start({
        router: {
          authorize: (req) => {
            // A JavaScript host's mistake, which the types would have caught.
            if (req.get("x-mode") === "garbage") return { integrations: 42 } as unknown as ApplicantEventsRouter.Grant
            throw new Error("user database unreachable at /work/secret/db.sock")
          }
        }
      }),
      async (h) => {
        const thrown = await h.call("/", { body: notesEvent, headers: { "x-request-id": "req-500" } })
        expectProblem(thrown, 500, "internal-error")
        expect(thrown.text).not.toMatch(/database|sock/)
        expect(
          logLines.some((l) => l.annotations.requestId === "req-500" && l.level === "ERROR")
        ).toBe(true)
        expectProblem(await h.call("/", { body: notesEvent, headers: { "x-mode": "garbage" } }), 500, "internal-error")
        expect(await h.sandbox.requests()).toEqual([])
      }
    ))

  it("creating the router without authorize fails at start-up, unless allowAnonymous is set on purpose", async () => {
    const layer = servicesLayer({ baseUrl: "http://127.0.0.1:9", token: "t" })
    // What a JavaScript host, or one that casts, could pass.
    const missing = { runtime: layer } as unknown as ApplicantEventsRouter.Options
    const create = ApplicantEventsRouter.createApplicantEventsRouter
    expect(() => create(missing)).toThrow(/authorize.*allowAnonymous: true/s)
    expect(() => create({ runtime: layer, authorize, timeZone: "Mars/Olympus" })).toThrow(/time zone/)
    expect(() => create({ runtime: layer, authorize, bodyLimit: 0 })).toThrow(/bodyLimit/)
    // Text Duration cannot read, as a JavaScript host could pass it.
    const soon = "soon" as unknown as Duration.DurationInput
    expect(() => create({ runtime: layer, authorize, awaitTimeout: soon })).toThrow(/awaitTimeout/)
    expect(() => create({ runtime: layer, authorize, maxQuotaWait: soon })).toThrow(/maxQuotaWait/)
    expect(() => create({ runtime: layer, authorize, maxQuotaWait: Duration.infinity })).toThrow(/maxQuotaWait/)
    // Zero: send only when a slot is free now.
    expect(() => create({ runtime: layer, authorize, maxQuotaWait: 0 })).not.toThrow()
    await using(start({ router: { allowAnonymous: true } }), async (h) => {
      expect((await h.call("/", { body: notesEvent, caller: null })).status).toBe(202)
    })
  })
})

describe("options", () => {
  const layer = servicesLayer({ baseUrl: "http://127.0.0.1:9", token: "t" })
  const refusal = (create: () => unknown): ApplicantEventsRouter.InvalidOptions => {
    try {
      create()
    } catch (error) {
      if (error instanceof ApplicantEventsRouter.InvalidOptions) return error
      throw error
    }
    throw new Error("the options were accepted")
  }

  it("refuses every invalid option at once, as one typed error naming each and its rule", () => {
    const error = refusal(() =>
      ApplicantEventsRouter.createApplicantEventsRouter({
        layer,
        authorize,
        timeZone: "Mars/Olympus",
        // As a caller without types may pass them.
        disambiguation: "nearest" as unknown as "reject",
        bodyLimit: 1.5,
        awaitTimeout: 0,
        maxQuotaWait: "soon" as unknown as Duration.DurationInput
      })
    )
    expect(error._tag).toBe("InvalidOptions")
    expect(error.of).toBe("createApplicantEventsRouter")
    expect(error.issues).toEqual([
      { path: "timeZone", message: "must be an IANA time zone this runtime knows, such as America/Denver" },
      { path: "disambiguation", message: "must be reject, earlier, later or compatible" },
      { path: "bodyLimit", message: "must be a positive whole number of bytes" },
      { path: "awaitTimeout", message: "must be a positive, finite duration" },
      { path: "maxQuotaWait", message: "must be a non-negative, finite duration" }
    ])
    expect(error.message).toBe(
      "createApplicantEventsRouter: options.timeZone must be an IANA time zone this runtime knows, such as " +
        "America/Denver; options.disambiguation must be reject, earlier, later or compatible; options.bodyLimit " +
        "must be a positive whole number of bytes; options.awaitTimeout must be a positive, finite duration; " +
        "options.maxQuotaWait must be a non-negative, finite duration"
    )
    const capacity = refusal(() => JobOwners.inMemory({ capacity: 0 }))
    expect(capacity.message).toBe("JobOwners.inMemory: options.capacity must be a positive whole number of jobs")
  })

  it("needs a runtime or a layer, not both", () => {
    const runtime = ManagedRuntime.make(layer)
    // As a caller without types may pass them.
    const neither = { authorize } as unknown as ApplicantEventsRouter.Options
    const both = { runtime, layer, authorize } as unknown as ApplicantEventsRouter.Options
    const notOne = { runtime: "a runtime", authorize } as unknown as ApplicantEventsRouter.Options
    expect(refusal(() => ApplicantEventsRouter.createApplicantEventsRouter(neither)).issues).toEqual([
      {
        path: "runtime",
        message: "or options.layer is required: a ManagedRuntime or a Layer providing ApplicantEvents and WriteStatus"
      }
    ])
    expect(refusal(() => ApplicantEventsRouter.createApplicantEventsRouter(both)).issues).toEqual([
      { path: "layer", message: "cannot be given with options.runtime: pass one of them" }
    ])
    expect(refusal(() => ApplicantEventsRouter.createApplicantEventsRouter(notOne)).issues).toEqual([
      { path: "runtime", message: "must be a ManagedRuntime or a Layer providing ApplicantEvents and WriteStatus" }
    ])
  })

  it("exports the router's constructor and its errors at the package root", async () => {
    const root = await import("../src/index.js")
    expect(root.createApplicantEventsRouter).toBe(ApplicantEventsRouter.createApplicantEventsRouter)
    expect(root.InvalidOptions).toBe(ApplicantEventsRouter.InvalidOptions)
  })
})

describe("bodies", () => {
  it("413 over the limit (64 kB by default, configurable)", async () => {
    await using(start(), async (h) => {
      const big = await h.call("/", { body: { ...notesEvent, notes: "x".repeat(65_536) } })
      expectProblem(big, 413, "content-too-large")
      expect(big.json.detail).toContain("65536 bytes")
    })
    await using(start({ router: { bodyLimit: 1_000 } }), async (h) => {
      expectProblem(await h.call("/", { body: { ...notesEvent, notes: "x".repeat(1_000) } }), 413, "content-too-large")
      // Under the limit, the same body gets as far as validation.
      expectProblem(await h.call("/", { body: { ...notesEvent, notes: "x".repeat(700) } }), 400, "invalid-input")
      expect(await h.sandbox.requests()).toEqual([])
    })
  })

  it("415 for a body that is not JSON, or not UTF-8, or in an unknown encoding", () =>
    using(start(), async (h) => {
      const text = await h.call("/", { body: JSON.stringify(notesEvent), contentType: "text/plain" })
      expectProblem(text, 415, "unsupported-media-type")
      expect(text.headers.get("accept-post")).toBe("application/json")
      expectProblem(
        await h.call("/", { body: JSON.stringify(notesEvent), contentType: "application/json; charset=latin1" }),
        415,
        "unsupported-media-type"
      )
      expectProblem(
        await h.call("/", { body: JSON.stringify(notesEvent), headers: { "content-encoding": "x-unknown" } }),
        415,
        "unsupported-media-type"
      )
      // A JSON type with a suffix is JSON.
      expect((await h.call("/", { body: notesEvent, contentType: "application/vnd.event+json" })).status).toBe(202)
    }))

  it("works behind the host's own express.json(), express.text() or express.raw()", async () => {
    const hosts: ReadonlyArray<(app: express.Express) => void> = [
      (app) => app.use(express.json()),
      (app) => app.use(express.text({ type: "application/json" })),
      (app) => app.use(express.raw({ type: "application/json" }))
    ]
    for (const host of hosts) {
      await using(start({ host }), async (h) => {
        const answer = await h.call("/", { body: notesEvent })
        expect(answer.status).toBe(202)
        expect(answer.json.sent.notes).toBe("Asked about parking.")
        const text = await h.call("/", { body: JSON.stringify(notesEvent), contentType: "text/plain" })
        expectProblem(text, 415, "unsupported-media-type")
      })
    }
    await using(start({ host: (app) => app.use(express.text({ type: "application/json" })) }), async (h) => {
      expectProblem(await h.call("/", { body: "{oops" }), 400, "malformed-json")
    })
  })
})

describe("Propexo's and Entrata's refusals", () => {
  it("422 when Propexo's own validation refuses the event, with its issues", async () => {
    // An HttpClient that slips a key Propexo does not know into every create.
    const tampering = Layer.effect(
      HttpClient.HttpClient,
      Effect.map(HttpClient.HttpClient, (client) =>
        client.pipe(HttpClient.mapRequest((request) =>
          request.method === "POST" && request.body._tag === "Uint8Array"
            ? HttpClientRequest.setBody(
              request,
              HttpBody.text(
                JSON.stringify({
                  ...JSON.parse(new TextDecoder().decode(request.body.body)),
                  favourite_colour: "teal"
                }),
                "application/json"
              )
            )
            : request
        )))
    ).pipe(Layer.provide(NodeHttpClient.layerUndici))
    await using(start({ http: tampering }), async (h) => {
      const answer = await h.call("/", { body: notesEvent })
      expectProblem(answer, 422, "rejected-by-propexo")
      expect(answer.json.errors).toEqual([{ path: "favourite_colour", message: "is not a field Propexo accepts" }])
      expect(answer.json.ambiguous).toBe(false)
      expect((await h.creates()).map((r) => r.status)).toEqual([400])
    })
  })

  it("422 when Entrata refuses an awaited write, with the PMS's messages and the job to follow", () =>
    using(start(), async (h) => {
      const answer = await h.call("/?await=true", { body: { ...notesEvent, email_to: "someone.else@example.com" } })
      expectProblem(answer, 422, "rejected-by-entrata")
      expect(answer.json.ambiguous).toBe(false)
      expect(answer.json.errors).toEqual([{ path: "", message: expect.stringMatching(/primary email/) }])
      expect(answer.json.status_url).toBe(`/applicant-events/jobs/${answer.json.job_id}`)
      const status = await request(`${h.origin}${answer.json.status_url}`)
      expect(status.json).toMatchObject({ job_id: answer.json.job_id, write_status: "FAILURE" })
      expect(status.json.errors).toEqual(answer.json.errors.map((e: { message: string }) => e.message))
    }))

  it("429 with Retry-After when Propexo's quota is spent", () =>
    using(
      start({
        // Windows align on the hour, so the quota cannot reset halfway through the test.
        sandbox: { rateLimit: 3, window: "1 hour" },
        client: { rateLimit: { window: Duration.hours(1), maxRateLimitedRetries: 0 } }
      }),
      async (h) => {
        // Another user of the same token spends the quota behind the router's back.
        for (let i = 0; i < 3; i++) {
          await fetch(`${h.sandbox.baseUrl}/v1/event-types/`, {
            headers: { authorization: `Bearer ${h.sandbox.token}` }
          })
        }
        const answer = await h.call("/", { body: notesEvent })
        expectProblem(answer, 429, "rate-limited")
        const retryAfter = Number(answer.headers.get("retry-after"))
        expect(Number.isInteger(retryAfter)).toBe(true)
        const [quota] = await h.sandbox.quotas()
        const untilReset = (Date.parse(quota!.windowEnd) - Date.now()) / 1000
        expect(Math.abs(retryAfter - untilReset)).toBeLessThan(3)
        expect(await h.creates()).toEqual([])
      }
    ))

  it("429 at once, with Retry-After and nothing sent, when the quota has no slot within maxQuotaWait", () =>
    using(
      start({
        sandbox: { rateLimit: 2, window: "1 hour" },
        client: { rateLimit: { limit: 2, window: Duration.hours(1) } },
        router: { maxQuotaWait: "100 millis" }
      }),
      async (h) => {
        // The catalog read and the create take the window's two requests.
        expect((await h.call("/", { body: notesEvent })).status).toBe(202)
        const answer = await h.call("/", { body: { ...notesEvent, notes: "over the quota" } })
        expectProblem(answer, 429, "rate-limited")
        expect(answer.json.ambiguous).toBe(false)
        expect(answer.json.detail).toMatch(/nothing was sent/)
        const retryAfter = Number(answer.headers.get("retry-after"))
        expect(Number.isInteger(retryAfter) && retryAfter >= 1).toBe(true)
        const [quota] = await h.sandbox.quotas()
        expect(Math.abs(retryAfter - (Date.parse(quota!.windowEnd) - Date.now()) / 1000)).toBeLessThan(3)
        expect((await h.sandbox.requests()).map((r) => r.status)).toEqual([200, 200])
      }
    ), 10_000)
})

describe("Propexo failures", () => {
  it("502 for a 5xx on the create, ambiguous", () =>
    using(start(), async (h) => {
      expect((await h.call("/", { body: notesEvent })).status).toBe(202) // warms the catalog cache
      await h.sandbox.setFaults({ serverErrorShare: 1, serverErrorStatuses: [503] })
      const answer = await h.call("/", { body: notesEvent })
      expectProblem(answer, 502, "propexo-unavailable")
      expect(answer.json.ambiguous).toBe(true)
      expect((await h.creates()).map((r) => r.status)).toEqual([200, 503])
    }))

  it("502, not 401, when Propexo refuses this server's own credentials", () =>
    using(start({ client: { token: Redacted.make("wrong-server-token") } }), async (h) => {
      const answer = await h.call("/", { body: notesEvent })
      expectProblem(answer, 502, "propexo-credentials")
      expect(answer.json.ambiguous).toBe(false)
      expect(answer.headers.get("www-authenticate")).toBeNull()
    }))

  it("502 for an answer the client cannot read, ambiguous", () =>
    using(start(), async (h) => {
      expect((await h.call("/", { body: notesEvent })).status).toBe(202)
      await h.sandbox.setFaults({ malformedShare: 1 })
      const answer = await h.call("/", { body: notesEvent })
      expectProblem(answer, 502, "propexo-unexpected-response")
      expect(answer.json.ambiguous).toBe(true)
    }))

  it("504 when Propexo does not answer within the client's timeout, ambiguous", () =>
    using(start({ client: { timeout: "200 millis" } }), async (h) => {
      expect((await h.call("/", { body: notesEvent })).status).toBe(202)
      await h.sandbox.setFaults({ latencyMs: 1_000 })
      const answer = await h.call("/", { body: notesEvent })
      expectProblem(answer, 504, "propexo-timeout")
      expect(answer.json.ambiguous).toBe(true)
    }))

  it("504 when an awaited write is still pending after awaitTimeout, with the job to follow", () =>
    using(start({ sandbox: { jobDelay: "1 minute" }, router: { awaitTimeout: "300 millis" } }), async (h) => {
      const answer = await h.call("/?await=true", { body: notesEvent })
      expectProblem(answer, 504, "write-pending")
      // Queued and not yet decided: it may still be recorded, as the error itself says.
      expect(answer.json.ambiguous).toBe(true)
      const status = await request(`${h.origin}${answer.json.status_url}`)
      expect(status.json).toEqual({ job_id: answer.json.job_id, write_status: "PENDING", errors: [] })
    }))
})

describe("GET /jobs/:job_id and other methods", () => {
  it("404 for a job Propexo no longer knows, or an id that cannot be one; 405 for other methods", () =>
    using(start(), async (h) => {
      const { job_id } = (await h.call("/", { body: notesEvent })).json
      // The simulator forgets every job: this router still remembers creating it, so it asks.
      await h.sandbox.reset()
      expectProblem(await h.call(`/jobs/${job_id}`), 404, "job-not-found")
      expect((await h.sandbox.requests()).map((r) => [r.path, r.status])).toEqual([[`/v1/admin/write-status/${job_id}`, 404]])
      expectProblem(await h.call("/jobs/not%20an%20id"), 404, "job-not-found")
      expect(await h.sandbox.requests()).toHaveLength(1)
      const get = await h.call("/")
      expectProblem(get, 405, "method-not-allowed")
      expect(get.headers.get("allow")).toBe("POST")
      const del = await h.call("/jobs/abc", { method: "DELETE" })
      expectProblem(del, 405, "method-not-allowed")
      expect(del.headers.get("allow")).toBe("GET, HEAD")
    }))
})

describe("runtime", () => {
  it("runs on a ManagedRuntime the host owns, which dispose leaves alone", async () => {
    const harness = await start()
    const runtime = ManagedRuntime.make(servicesLayer(harness.sandbox))
    const router = ApplicantEventsRouter.createApplicantEventsRouter({ runtime, authorize })
    const app = express()
    app.use("/events", router)
    const server = await listen(app)
    try {
      await router.dispose()
      const answer = await request(`${server.origin}/events`, { body: notesEvent })
      expect(answer.status).toBe(202)
      expect(answer.json.status_url).toBe(`/events/jobs/${answer.json.job_id}`)
    } finally {
      await server.close()
      await runtime.dispose()
      await harness.close()
    }
  })

  it("builds a layer once for every request, and releases it on dispose", async () => {
    const harness = await start()
    let built = 0
    let released = 0
    const counted = Layer.scopedDiscard(Effect.acquireRelease(
      Effect.sync(() => {
        built += 1
      }),
      () =>
        Effect.sync(() => {
          released += 1
        })
    ))
    const router = ApplicantEventsRouter.createApplicantEventsRouter({
      layer: Layer.merge(servicesLayer(harness.sandbox), counted),
      authorize
    })
    const app = express()
    app.use("/events", router)
    const server = await listen(app)
    try {
      expect(built).toBe(0)
      const answers = await Promise.all([1, 2, 3].map(() => request(`${server.origin}/events`, { body: notesEvent })))
      expect(answers.map((a) => a.status)).toEqual([202, 202, 202])
      expect([built, released]).toEqual([1, 0])
      await router.dispose()
      expect([built, released]).toEqual([1, 1])
    } finally {
      await server.close()
      await harness.close()
    }
  })

  it("a client that hangs up once its create is sent: nothing is answered, and the create completes once", async () => {
    const closes: Array<{ readonly id: string | undefined; readonly headersSent: boolean }> = []
    let sent: () => void = () => {}
    const createSent = new Promise<void>((resolve) => {
      sent = resolve
    })
    // Tells the test when the abandoned create has left for Propexo.
    const watching = Layer.effect(
      HttpClient.HttpClient,
      Effect.map(
        HttpClient.HttpClient,
        HttpClient.tapRequest((request) =>
          Effect.sync(() => {
            if (
              request.body._tag === "Uint8Array" && new TextDecoder().decode(request.body.body).includes("abandoned")
            ) sent()
          })
        )
      )
    ).pipe(Layer.provide(NodeHttpClient.layerUndici))
    await using(
      start({
        http: watching,
        host: (app) =>
          app.use((req, res, next) => {
            res.on("close", () => closes.push({ id: req.get("x-request-id"), headersSent: res.headersSent }))
            next()
          })
      }),
      async (h) => {
        const warm = await h.call("/", { body: { ...notesEvent, notes: "warm" } }) // warms the catalog cache
        expect(warm.status).toBe(202)
        await h.sandbox.setFaults({ latencyMs: 1_500 })
        const hangUp = new AbortController()
        const pending = h.call("/", {
          body: { ...notesEvent, notes: "abandoned" },
          headers: { "x-request-id": "req-hang-up" },
          signal: hangUp.signal
        })
        await createSent
        hangUp.abort()
        await expect(pending).rejects.toThrow(/abort/i)
        const interrupted = await eventually(() =>
          logLines.find((l) => l.annotations.requestId === "req-hang-up" && l.message.startsWith("interrupted"))
        )
        expect(interrupted.level).toBe("INFO")
        expect(await eventually(() => closes.find((c) => c.id === "req-hang-up"))).toEqual({
          id: "req-hang-up",
          headersSent: false
        })
        expect(logLines.some((l) => l.annotations.requestId === "req-hang-up" && l.message.startsWith("answered")))
          .toBe(false)
        // On the wire, the create is not abandoned with its caller: the simulator queues it once its latency is over.
        await sleep(1_700)
        expect((await h.sandbox.jobs()).map((j) => j.body.notes)).toEqual(["warm", "abandoned"])
      }
    )
  })

  it("100 concurrent requests: each gets its own job, its own body and its own request id", () =>
    using(start({ sandbox: { rateLimit: 100_000 }, client: { rateLimit: { limit: 100_000 } } }), async (h) => {
      const answers = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          h.call("/", { body: { ...notesEvent, notes: `note ${i}` }, headers: { "x-request-id": `req-${i}` } })
        )
      )
      expect(answers.map((a) => a.status)).toEqual(answers.map(() => 202))
      answers.forEach((answer, i) => {
        expect(answer.json.sent.notes).toBe(`note ${i}`)
        expect(answer.headers.get("x-request-id")).toBe(`req-${i}`)
      })
      expect(new Set(answers.map((a) => a.json.job_id)).size).toBe(100)
      const jobs = new Map((await h.sandbox.jobs()).map((j) => [j.id, j.body.notes]))
      answers.forEach((answer) => expect(jobs.get(answer.json.job_id)).toBe(answer.json.sent.notes))
    }))
})

describe("whatever is thrown at POST /", () => {
  let harness: Harness
  beforeAll(async () => {
    harness = await start()
  })
  afterAll(() => harness.close())

  const expectRefused = (answer: Answer) => {
    expect(answer.status).toBeGreaterThanOrEqual(400)
    expect(answer.status).toBeLessThan(500)
    expect(answer.headers.get("content-type")).toMatch(/^application\/problem\+json\b/)
    expect(answer.json).toMatchObject({
      type: expect.stringMatching(new RegExp(`^${PROBLEMS}`)),
      title: expect.any(String),
      status: answer.status
    })
  }

  it.live.prop("any JSON value is a 4xx problem", { value: fc.jsonValue() }, ({ value }) =>
    Effect.promise(async () => {
      expectRefused(await harness.call("/", { body: JSON.stringify(value) }))
    }), { fastCheck: { numRuns: 150 } })

  it.live.prop("any bytes are a 4xx problem", { bytes: fc.uint8Array({ maxLength: 2_048 }) }, ({ bytes }) =>
    Effect.promise(async () => {
      expectRefused(await harness.call("/", { body: bytes }))
    }), { fastCheck: { numRuns: 150 } })

  it("and none of them reached Propexo", async () => {
    expect(await harness.creates()).toEqual([])
  })
})

describe("leaks", () => {
  it("no answer carries a token, a stack trace or an internal path; no log line carries a token", () => {
    expect(answerBodies.length).toBeGreaterThan(300)
    for (const body of answerBodies) {
      for (const token of [...tokens, "wrong-server-token"]) expect(body).not.toContain(token)
      expect(body).not.toMatch(/\bat [^\s]*[/\\]/)
      expect(body).not.toContain("/work/")
      expect(body).not.toContain("node_modules")
      // Schema's tree output (its box-drawing branches, one issue per line) never reaches a caller.
      const problem = parse(body)
      if (typeof problem !== "object" || problem === null) continue
      if (!String(Reflect.get(problem, "type")).startsWith(PROBLEMS)) continue
      expect(String(Reflect.get(problem, "detail"))).not.toMatch(/[└├]─|\n/)
      const errors = Reflect.get(problem, "errors")
      for (const issue of Array.isArray(errors) ? errors : []) expect(String(issue.message)).not.toMatch(/[└├]─/)
    }
    const logs = logLines.map((l) => `${l.message} ${JSON.stringify(l.annotations)}`)
    for (const line of logs) {
      for (const token of [...tokens, "wrong-server-token"]) expect(line).not.toContain(token)
    }
  })
})
