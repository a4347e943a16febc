/**
 * Requests per second through the router, next to a bare Express handler
 * that parses the body with `express.json()` and forwards it with `fetch`,
 * both in this process, both in front of the same simulator, in alternating
 * rounds. The simulator and the load generator run in child processes of
 * their own, so neither is measured against the servers.
 *
 * A third case, `client`, is `express.json()` and `ApplicantEvents.create`
 * on the router's own runtime, without the router: what a thin adapter is
 * measured against. Prints router / bare, and router / client (target ≥
 * 0.9: the router adds at most a tenth to the client's cost), of the mean
 * rates and of the median round, and this process's CPU time per request,
 * which a busy machine disturbs much less than the rates.
 *
 * Two more cases measure the router's `deliveries` mode, where an event
 * is committed to the delivery ledger (an SQLite file in a temporary
 * folder, `synchronous=FULL`) and answered 202 at once: `ledger` is the
 * router with `deliveries`, `enqueue` is `express.json()` and
 * `Deliveries.enqueue` on the same runtime, without the router. No
 * deliverer runs: they measure accepting, not sending. Their ratio,
 * ledger / enqueue, has a target of at least 0.9.
 *
 * `BENCH_CASES` (e.g. `ledger,enqueue`) runs some cases only.
 *
 * The router runs as in production (the real client, authorize, request
 * ids, spans), except that its log level is Warning: the bare handler logs
 * nothing either.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { ApplicantEvents } from "@entrata-events/core/ApplicantEvents"
import * as Deliveries from "@entrata-events/delivery/Deliveries"
import * as DeliveryStore from "@entrata-events/delivery/DeliveryStore"
import * as ApplicantEventsLive from "@entrata-events/propexo/ApplicantEventsLive"
import * as PropexoConfig from "@entrata-events/propexo/PropexoConfig"
import { Sandbox, Seed } from "@entrata-events/sandbox"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import express from "express"
import { type ChildProcess, fork } from "node:child_process"
import * as fs from "node:fs"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { createApplicantEventsRouter } from "../src/index.js"

const REQUESTS = Number(process.env["BENCH_REQUESTS"] ?? 3_000)
const CONCURRENCY = 64
const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 4)
const WARM_UP = 3_000
const CASES = ["router", "bare", "client", "ledger", "enqueue"] as const
type Case = typeof CASES[number]
const SELECTED = CASES.filter((name) => (process.env["BENCH_CASES"]?.split(",") ?? CASES).includes(name))

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

interface Result {
  readonly ms: number
  readonly statuses: Readonly<Record<string, number>>
}

// ---------------------------------------------------------------------------
// Child: the simulator
// ---------------------------------------------------------------------------

const sandboxChild = async () => {
  const sandbox = await Sandbox.startSandbox({ rateLimit: 1_000_000_000, slowDownDelay: 0, jobDelay: 0 })
  process.send?.({ baseUrl: sandbox.baseUrl, token: sandbox.token })
  process.on("disconnect", () => void sandbox.close().then(() => process.exit(0)))
}

// ---------------------------------------------------------------------------
// Child: the load generator (node:http with keep-alive, the cheapest client)
// ---------------------------------------------------------------------------

const loadChild = () => {
  const agent = new Http.Agent({ keepAlive: true, maxSockets: CONCURRENCY })
  const post = (url: URL, body: string) =>
    new Promise<number>((resolve, reject) => {
      const request = Http.request(url, {
        method: "POST",
        agent,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) }
      }, (response) => {
        response.resume()
        response.on("end", () => resolve(response.statusCode ?? 0))
        response.on("error", reject)
      })
      request.on("error", reject)
      request.end(body)
    })
  process.on("message", async ({ requests, url }: Load) => {
    const target = new URL(url)
    const statuses: Record<string, number> = {}
    let next = 0
    const started = performance.now()
    const worker = async () => {
      while (next < requests) {
        const status = await post(target, event(next++))
        statuses[status] = (statuses[status] ?? 0) + 1
      }
    }
    await Promise.all(Array.from({ length: CONCURRENCY }, worker))
    const result: Result = { ms: performance.now() - started, statuses }
    process.send?.(result)
  })
  process.on("disconnect", () => process.exit(0))
}

// ---------------------------------------------------------------------------
// Parent: the servers
// ---------------------------------------------------------------------------

const child = (role: string) => fork(fileURLToPath(import.meta.url), [role], { stdio: "inherit" })

const nextMessage = <A>(process: ChildProcess) => new Promise<A>((resolve) => process.once("message", resolve))

const main = async () => {
  const simulator = child("sandbox")
  const { baseUrl, token } = await nextMessage<{ baseUrl: string; token: string }>(simulator)
  const loader = child("load")

  const services =
    ApplicantEventsLive.layer().pipe(
      Layer.provide(PropexoConfig.layer({ token: Redacted.make(token), baseUrl, rateLimit: { limit: 1_000_000_000 } })),
      Layer.provide(NodeHttpClient.layerUndici),
      Layer.provide(Logger.minimumLogLevel(LogLevel.Warning))
    )
  // One runtime, so that the router and the client case share the client, its pacer and its connections.
  const runtime = ManagedRuntime.make(services)
  const router = createApplicantEventsRouter({
    runtime,
    authorize: () => ({ integrations: [Seed.DEMO.integrationId] })
  })
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "express-bench-"))
  const ledgerRuntime = ManagedRuntime.make(
    Deliveries.layer().pipe(
      Layer.provideMerge(DeliveryStore.layer({ filename: path.join(dir, DeliveryStore.DEFAULT_FILENAME) })),
      Layer.provideMerge(services)
    )
  )
  const deliveries = await ledgerRuntime.runPromise(Deliveries.Deliveries)
  const ledgerRouter = createApplicantEventsRouter({
    runtime: ledgerRuntime,
    deliveries,
    authorize: () => ({ integrations: [Seed.DEMO.integrationId] })
  })
  const app = express()
  app.use("/router", router)
  app.use("/ledger", ledgerRouter)
  app.post("/enqueue", express.json(), async (req, res) => {
    const { id, status } = await ledgerRuntime.runPromise(deliveries.enqueue(req.body))
    res.status(202).json({ id, status, status_url: `/enqueue/${id}` })
  })
  app.post("/bare", express.json(), async (req, res) => {
    const upstream = await fetch(`${baseUrl}/v1/events/applicants/entrata/`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(req.body)
    })
    const answer = await upstream.json()
    res.status(upstream.ok ? 202 : 502).json(answer)
  })
  app.post("/client", express.json(), async (req, res) => {
    const created = await runtime.runPromise(Effect.flatMap(ApplicantEvents, (events) => events.create(req.body)))
    res.status(202).json({ job_id: created.job_id, sent: created.sent })
  })
  const server = app.listen(0, "127.0.0.1")
  await new Promise((resolve) => server.once("listening", resolve))
  // A server listening on a TCP port has an AddressInfo for its address.
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  /** Requests per second, and this process's CPU time per request in ms. */
  const run = async (path: string, requests: number) => {
    const cpu = process.cpuUsage()
    loader.send({ url: `${origin}${path}`, requests } satisfies Load)
    const result = await nextMessage<Result>(loader)
    if (Object.keys(result.statuses).some((status) => status !== "202")) {
      throw new Error(`${path} answered ${JSON.stringify(result.statuses)}`)
    }
    const used = process.cpuUsage(cpu)
    return { rate: requests / (result.ms / 1_000), cpu: (used.user + used.system) / 1_000 / requests }
  }

  type Figures = { readonly rate: number; readonly cpu: number }
  const cases = SELECTED
  for (const name of cases) await run(`/${name}`, WARM_UP)
  const all: Record<Case, Array<Figures>> = { router: [], bare: [], client: [], ledger: [], enqueue: [] }
  const show = ({ cpu, rate }: Figures) => `${Math.round(rate)} req/s (${cpu.toFixed(2)} ms CPU/request)`
  const has = (...names: ReadonlyArray<Case>) => names.every((name) => cases.includes(name))
  console.log(`${ROUNDS} rounds of ${REQUESTS} requests per case, concurrency ${CONCURRENCY}`)
  for (let round = 1; round <= ROUNDS; round++) {
    // Each round starts with the next case, so none always runs first.
    const order = cases.map((_, i) => cases[(i + round) % cases.length]!)
    const results: Partial<Record<Case, Figures>> = {}
    for (const name of order) {
      const figures = await run(`/${name}`, REQUESTS)
      results[name] = figures
      all[name].push(figures)
    }
    const pairs = ([["router", "bare"], ["ledger", "enqueue"]] as const).filter((pair) => has(...pair))
    console.log(
      `round ${round}: ${cases.map((name) => `${name} ${show(results[name]!)}`).join(", ")}${
        pairs.map(([a, b]) => `; ${a}/${b} ${(results[a]!.rate / results[b]!.rate).toFixed(2)}`).join("")
      }${has("router", "client") ? `; router/client ${(results.router!.rate / results.client!.rate).toFixed(2)}` : ""}`
    )
  }
  const mean = (name: Case): Figures => ({
    rate: all[name].reduce((sum, f) => sum + f.rate, 0) / ROUNDS,
    cpu: all[name].reduce((sum, f) => sum + f.cpu, 0) / ROUNDS
  })
  /** `name`'s rate over `base`'s: of the mean rates, and in the median round. */
  const ratio = (name: Case, base: Case) => {
    const rounds = all[name].map((f, i) => f.rate / all[base][i]!.rate).sort((a, b) => a - b)
    return `${(mean(name).rate / mean(base).rate).toFixed(2)} of the mean rates, ${
      rounds[Math.floor(rounds.length / 2)]!.toFixed(2)
    } the median round`
  }
  console.log(`mean: ${cases.map((name) => `${name} ${show(mean(name))}`).join(", ")}`)
  if (has("router", "bare", "client")) {
    console.log(`router / bare: ${ratio("router", "bare")}`)
    console.log(`router / client: ${ratio("router", "client")} (target ≥ 0.9)`)
    // Rates swing with whatever else the machine runs; CPU time per request does much less.
    console.log(
      `CPU per request, bare / router: ${(mean("bare").cpu / mean("router").cpu).toFixed(2)}, ` +
        `client / router: ${(mean("client").cpu / mean("router").cpu).toFixed(2)}`
    )
  }
  if (has("ledger", "enqueue")) {
    console.log(
      `ledger / enqueue: ${ratio("ledger", "enqueue")} (target ≥ 0.9); CPU per request, enqueue / ledger: ${
        (mean("enqueue").cpu / mean("ledger").cpu).toFixed(2)
      }`
    )
  }
  loader.disconnect()
  simulator.disconnect()
  server.closeAllConnections()
  server.close()
  await router.dispose()
  await ledgerRouter.dispose()
  await runtime.dispose()
  await ledgerRuntime.dispose()
  fs.rmSync(dir, { recursive: true, force: true })
}

switch (process.argv[2]) {
  case "sandbox":
    await sandboxChild()
    break
  case "load":
    loadChild()
    break
  default:
    await main()
}
