/**
 * The router's own cost: this process's CPU time per request through the
 * router, next to `express.json()` and a direct call, both over the same
 * stub `ApplicantEvents` (it decodes the event, as the real one does, and
 * answers at once), on the same runtime, in alternating rounds. Without
 * Propexo's client and the simulator, the difference is what the router
 * adds: authorize, the body, wall-clock times, validation, request ids,
 * log annotations, the span, the answer. The load generator runs in a
 * child process.
 *
 * `tsc -b && tsx bench/overhead.ts` (in this package); `BENCH_ROUNDS`
 * (default 12) rounds of `BENCH_REQUESTS` (default 2,000) requests per
 * case, 16 at a time. Prints the medians and the median of the rounds'
 * differences.
 */
import * as ApplicantEvent from "@entrata-events/core/ApplicantEvent"
import { ApplicantEvents, CreatedApplicantEvent } from "@entrata-events/core/ApplicantEvents"
import * as WriteStatus from "@entrata-events/propexo/WriteStatus"
import { Seed } from "@entrata-events/sandbox"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as ManagedRuntime from "effect/ManagedRuntime"
import express from "express"
import { fork } from "node:child_process"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import { fileURLToPath } from "node:url"
import { createApplicantEventsRouter } from "../src/index.js"

const REQUESTS = Number(process.env["BENCH_REQUESTS"] ?? 2_000)
const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 12)
const CONCURRENCY = 16

const event = (i: number) =>
  JSON.stringify({
    integration_id: Seed.DEMO.integrationId,
    applicant_id: Seed.DEMO.applicantId,
    application_id: Seed.DEMO.applicationId,
    event_type_id: Seed.DEMO.eventTypeIds.Notes,
    event_datetime: "2026-01-15T09:30:00-07:00",
    notes: `bench ${i}`
  })

interface Load {
  readonly url: string
  readonly requests: number
}

/** The load generator: answers the statuses other than 202 it got. */
const loadChild = () => {
  const agent = new Http.Agent({ keepAlive: true, maxSockets: CONCURRENCY })
  process.on("message", async ({ requests, url }: Load) => {
    const target = new URL(url)
    const others: Record<string, number> = {}
    let next = 0
    const post = (body: string) =>
      new Promise<void>((resolve, reject) => {
        const request = Http.request(target, {
          method: "POST",
          agent,
          headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) }
        }, (response) => {
          if (response.statusCode !== 202) others[String(response.statusCode)] = (others[String(response.statusCode)] ?? 0) + 1
          response.resume()
          response.on("end", resolve)
        })
        request.on("error", reject)
        request.end(body)
      })
    const worker = async () => {
      while (next < requests) await post(event(next++))
    }
    await Promise.all(Array.from({ length: CONCURRENCY }, worker))
    process.send?.(others)
  })
  process.on("disconnect", () => process.exit(0))
}

const main = async () => {
  let jobs = 0
  const stub = Layer.mergeAll(
    Layer.succeed(
      ApplicantEvents,
      ApplicantEvents.of({
        create: (input) =>
          Effect.map(ApplicantEvent.decode(input), (sent) => new CreatedApplicantEvent({ job_id: `cmjob${jobs++}`, sent }))
      })
    ),
    // Sound as long as nothing calls it: no request here asks for a write status.
    Layer.succeed(WriteStatus.WriteStatus, {} as WriteStatus.WriteStatusShape)
  ).pipe(Layer.provideMerge(Logger.minimumLogLevel(LogLevel.Warning)))
  const runtime = ManagedRuntime.make(stub)
  const app = express()
  app.use("/router", createApplicantEventsRouter({ runtime, authorize: () => ({ integrations: [Seed.DEMO.integrationId] }) }))
  app.post("/direct", express.json(), async (req, res) => {
    const created = await runtime.runPromise(Effect.flatMap(ApplicantEvents, (events) => events.create(req.body)))
    res.status(202).json({ job_id: created.job_id, sent: created.sent })
  })
  const server = app.listen(0, "127.0.0.1")
  await new Promise((resolve) => server.once("listening", resolve))
  // A server listening on a TCP port has an AddressInfo for its address.
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const loader = fork(fileURLToPath(import.meta.url), ["load"], { stdio: "inherit" })

  /** This process's CPU time per request, in µs. */
  const run = async (path: string, requests: number) => {
    const cpu = process.cpuUsage()
    loader.send({ url: `${origin}${path}`, requests } satisfies Load)
    const others = await new Promise<Record<string, number>>((resolve) => loader.once("message", resolve))
    if (Object.keys(others).length > 0) throw new Error(`${path} answered ${JSON.stringify(others)}`)
    const used = process.cpuUsage(cpu)
    return (used.user + used.system) / requests
  }

  await run("/router", REQUESTS)
  await run("/direct", REQUESTS)
  const router: Array<number> = []
  const direct: Array<number> = []
  for (let round = 0; round < ROUNDS; round++) {
    router.push(await run("/router", REQUESTS))
    direct.push(await run("/direct", REQUESTS))
  }
  const median = (values: ReadonlyArray<number>) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
  console.log(
    `CPU per request over a stub service, median of ${ROUNDS} rounds of ${REQUESTS}: router ${
      median(router).toFixed(0)
    } µs, express.json() + direct call ${median(direct).toFixed(0)} µs; the router's own: ${
      median(router.map((r, i) => r - direct[i]!)).toFixed(0)
    } µs`
  )
  loader.disconnect()
  server.closeAllConnections()
  server.close()
  await runtime.dispose()
}

if (process.argv[2] === "load") loadChild()
else await main()
