import { describe, expect, it } from "@effect/vitest"
import { PropexoClient } from "@entrata-events/propexo/PropexoClient"
import { Sandbox } from "@entrata-events/sandbox"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as ManagedRuntime from "effect/ManagedRuntime"
import express from "express"
import * as ApplicantEventsRouter from "../src/ApplicantEventsRouter.js"
import { authorize, DEMO, listen, logLines, notesEvent, request, servicesLayer, tokens } from "./helpers.js"

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Polls `f` until it answers something, for at most 10 s. */
const eventually = async <A>(f: () => A | undefined | Promise<A | undefined>): Promise<A> => {
  for (let waited = 0; waited < 10_000; waited += 10) {
    const found = await f()
    if (found !== undefined) return found
    await sleep(10)
  }
  throw new Error("gave up waiting")
}

/**
 * The simulator, the real client on a runtime this test can also ask (for
 * the pacer's state), and the router on a real Express app on loopback.
 */
const start = async (options: {
  readonly sandbox?: Sandbox.SandboxOptions
  readonly rateLimit?: { readonly limit: number; readonly window: Duration.Duration }
} = {}) => {
  const sandbox = await Sandbox.startSandbox({ jobDelay: 0, slowDownDelay: 0, window: "1 day", ...options.sandbox })
  tokens.push(sandbox.token)
  const runtime = ManagedRuntime.make(
    servicesLayer(sandbox, options.rateLimit === undefined ? {} : { rateLimit: options.rateLimit })
  )
  const app = express()
  app.use("/applicant-events", ApplicantEventsRouter.createApplicantEventsRouter({ runtime, authorize }))
  const server = await listen(app)
  const creates = async () =>
    (await sandbox.requests()).filter((r) => r.method === "POST" && r.path === "/v1/events/applicants/entrata/")
  return {
    sandbox,
    runtime,
    url: `${server.origin}/applicant-events`,
    creates,
    close: async () => {
      await server.close()
      await runtime.dispose()
      await sandbox.close()
    }
  }
}

/** The simulator counts a request against its quota as it arrives, long before it logs it. */
const requestsArrived = async (sandbox: Sandbox.SandboxHandle) => (await sandbox.quotas())[0]!.used

describe("a client that hangs up", () => {
  it("after its create reached Propexo: the create completes, once, and the log ties its job id to the request", async () => {
    const h = await start()
    try {
      const warm = await request(h.url, { body: { ...notesEvent, notes: "warm" } }) // warms the catalog cache
      expect(warm.status).toBe(202)
      await h.sandbox.setFaults({ latencyMs: 800 })
      const before = await requestsArrived(h.sandbox)
      const hangUp = new AbortController()
      const pending = request(h.url, {
        body: { ...notesEvent, notes: "abandoned" },
        headers: { "x-request-id": "req-hang-up" },
        signal: hangUp.signal
      })
      await eventually(async () => (await requestsArrived(h.sandbox)) > before ? true : undefined)
      hangUp.abort()
      await expect(pending).rejects.toThrow(/abort/i)

      const traced = await eventually(() =>
        logLines.find((l) => l.annotations.requestId === "req-hang-up" && l.annotations.jobId !== undefined)
      )
      const abandoned = (await h.creates()).filter((r) => JSON.parse(r.body!).notes === "abandoned")
      expect(abandoned.map((r) => ({ status: r.status, outcome: r.outcome, jobId: r.jobId }))).toEqual([
        { status: 200, outcome: "answered", jobId: traced.annotations.jobId }
      ])
      expect((await h.sandbox.jobs()).map((j) => j.body.notes)).toEqual(["warm", "abandoned"])
      expect(traced.level).toBe("INFO")
      expect(traced.message).toContain(`job ${String(traced.annotations.jobId)}`)
      expect(traced.annotations).toMatchObject({ requestId: "req-hang-up", integration: DEMO.integrationId })
      // The caller was gone: no answer was written for it.
      expect(logLines.some((l) => l.annotations.requestId === "req-hang-up" && l.message.startsWith("answered")))
        .toBe(false)
    } finally {
      await h.close()
    }
  })

  it("while its create waits for quota: nothing is sent, then or once the quota frees", async () => {
    const windowMs = 1_500
    const rateLimit = { limit: 2, window: Duration.millis(windowMs) }
    const h = await start({ sandbox: { rateLimit: 2, window: Duration.millis(windowMs) }, rateLimit })
    try {
      await sleep(windowMs - (Date.now() % windowMs) + 20) // at the start of a window, which the warm-up spends
      expect((await request(h.url, { body: { ...notesEvent, notes: "warm" } })).status).toBe(202)
      const hangUp = new AbortController()
      const pending = request(h.url, {
        body: { ...notesEvent, notes: "abandoned" },
        headers: { "x-request-id": "req-waiting" },
        signal: hangUp.signal
      })
      const quota = () => h.runtime.runPromise(Effect.flatMap(PropexoClient, (client) => client.quota))
      await eventually(async () => (await quota()).waiting === 1 ? true : undefined)
      hangUp.abort()
      await expect(pending).rejects.toThrow(/abort/i)
      await eventually(() =>
        logLines.find((l) => l.annotations.requestId === "req-waiting" && l.message.startsWith("interrupted"))
      )
      expect((await quota()).waiting).toBe(0)
      await sleep(windowMs + 300) // past the slot it was waiting for
      expect((await h.creates()).map((r) => JSON.parse(r.body!).notes)).toEqual(["warm"])
      expect(logLines.some((l) => l.annotations.requestId === "req-waiting" && l.annotations.jobId !== undefined))
        .toBe(false)
    } finally {
      await h.close()
    }
  })
})
