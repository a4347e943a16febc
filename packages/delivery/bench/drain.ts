/**
 * Draining a backlog at Propexo's pace: 2,000 queued events delivered
 * through a simulated quota of 600 requests per 10 s window (the
 * simulator's `--rate-limit` and `--window`, and the client's matching
 * `rateLimit`), Propexo's slow-down from 80% of the quota on included (2 s
 * per answer), jobs deciding after 1 s. Reports:
 *
 * - quota use: the requests sent in the windows the backlog filled (all of
 *   them but the last), over their quota (target: at least 0.97);
 * - the count of 429s (target: 0);
 * - confirmation requests (write logs, write status) per confirmed
 *   delivery (target: at most 0.05).
 *
 * The simulator runs in a process of its own (`pnpm sandbox`'s), so that
 * its work does not take the deliverer's CPU; every request is counted as
 * the client sends it. The events are spread over 64 applicants of one
 * integration, so that the order rule (one applicant's events one at a
 * time) lets 64 sends be in flight: with answers 2 s late past 80% of the
 * quota, fewer could not spend the rest of a window. `BENCH_EVENTS`
 * changes the backlog.
 */
import { NodeHttpClient } from "@effect/platform-node"
import * as HttpClient from "@effect/platform/HttpClient"
import { ApplicantEventsLive, PropexoConfig } from "@entrata-events/propexo"
import { Seed } from "@entrata-events/sandbox"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Redacted from "effect/Redacted"
import * as Scope from "effect/Scope"
import * as Schedule from "effect/Schedule"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { Deliverer, Deliveries, DeliveryStore } from "../src/index.js"

const EVENTS = Number(process.env.BENCH_EVENTS ?? 2_000)
const LIMIT = 600
const WINDOW = Duration.seconds(10)
const WINDOW_MS = Duration.toMillis(WINDOW)
const APPLICANTS = 64

const { DEMO, defaultSeed } = Seed
const demoApplicant = defaultSeed.applicants.find((a) => a.id === DEMO.applicantId)!
const demoApplication = defaultSeed.applications.find((a) => a.id === DEMO.applicationId)!
const id = (prefix: string, i: number) => `cm${prefix}${String(i).padStart(21, "0")}`
const applicants = Array.from({ length: APPLICANTS }, (_, i) => ({
  ...demoApplicant,
  id: id("ba", i),
  x_id: String(7_700_000 + i),
  primary_email: `bench.${i}@example.com`
}))
const seed: Seed.Seed = {
  ...defaultSeed,
  applicants: [...defaultSeed.applicants, ...applicants],
  applications: [
    ...defaultSeed.applications,
    ...applicants.map((a, i) => ({
      ...demoApplication,
      id: id("bp", i),
      x_id: String(8_800_000 + i),
      applicant_id: a.id
    }))
  ]
}

const event = (i: number) => ({
  integration_id: DEMO.integrationId,
  applicant_id: id("ba", i % APPLICANTS),
  application_id: id("bp", i % APPLICANTS),
  event_type_id: DEMO.eventTypeIds.Notes,
  event_datetime: "2026-11-28T21:30:00Z",
  notes: `Backfill ${i}`
})

const CONFIRMATION_PATHS = /^\/v1\/admin\/(logs\/writes\/|write-status\/)/

/** One request the client sent, with Propexo's status. */
interface Sent {
  readonly at: number
  readonly method: string
  readonly path: string
  readonly status: number | undefined
}

/** The simulator's CLI in a child process, on `seedFile`; answers its base URL and token. */
const simulatorProcess = (seedFile: string) =>
  Effect.acquireRelease(
    Effect.promise(async () => {
      const bin = fileURLToPath(new URL("../../sandbox/dist/bin.js", import.meta.url))
      const child = spawn(process.execPath, [
        bin,
        "--rate-limit",
        String(LIMIT),
        "--window",
        String(WINDOW_MS),
        "--job-delay",
        "1000",
        "--seed",
        seedFile
      ], { stdio: ["ignore", "pipe", "inherit"] })
      let out = ""
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk))
      while (!/PROPEXO_TOKEN=\S+/.test(out)) await new Promise((resolve) => setTimeout(resolve, 20))
      return {
        child,
        baseUrl: /PROPEXO_BASE_URL=(\S+)/.exec(out)![1]!,
        token: Redacted.make(/PROPEXO_TOKEN=(\S+)/.exec(out)![1]!)
      }
    }),
    ({ child }) => Effect.sync(() => child.kill("SIGTERM"))
  )

const main = Effect.gen(function*() {
  const dir = yield* Effect.acquireRelease(
    Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "delivery-drain-"))),
    (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
  )
  const seedFile = path.join(dir, "seed.json")
  fs.writeFileSync(seedFile, JSON.stringify(seed))
  const sandbox = yield* simulatorProcess(seedFile)
  const sent: Array<Sent> = []
  const counting = Layer.effect(
    HttpClient.HttpClient,
    Effect.map(HttpClient.HttpClient, (client) =>
      HttpClient.transform(client, (response, request) => {
        const at = Date.now()
        const pathname = new URL(request.url).pathname
        return Effect.onExit(response, (exit) =>
          Effect.sync(() => {
            const status = exit._tag === "Success" ? exit.value.status : undefined
            sent.push({ at, method: request.method, path: pathname, status })
          }))
      }))
  ).pipe(Layer.provide(NodeHttpClient.layerUndici))
  const client = yield* Layer.build(
    ApplicantEventsLive.layer().pipe(
      Layer.provide(
        PropexoConfig.layer({
          token: sandbox.token,
          baseUrl: sandbox.baseUrl,
          rateLimit: { limit: LIMIT, window: WINDOW }
        })
      ),
      Layer.provide(counting)
    )
  )
  const ledger = yield* Layer.build(
    Deliveries.layer().pipe(
      Layer.provideMerge(DeliveryStore.layer({ filename: path.join(dir, "ledger.sqlite") })),
      Layer.provideMerge(Layer.succeedContext(client))
    )
  )
  const deliveries = yield* Effect.provide(Deliveries.Deliveries, ledger)

  // The backlog, accepted while no deliverer runs (the catalog read it costs falls in an earlier window).
  for (let i = 0; i < EVENTS; i++) yield* deliveries.enqueue(event(i))
  // Start on a window boundary, so that every window but the last is the backlog's.
  yield* Effect.sleep(Duration.millis(WINDOW_MS - (Date.now() % WINDOW_MS) + 5))
  const startedAt = Date.now()
  const cpuAtStart = process.cpuUsage()
  const scope = yield* Scope.make()
  yield* Layer.buildWithScope(Deliverer.layer({ concurrency: APPLICANTS }), scope).pipe(Effect.provide(ledger))
  // Until nothing waits to be sent or confirmed.
  yield* deliveries.backlog.pipe(
    Effect.repeat({
      schedule: Schedule.spaced("100 millis"),
      until: (backlog) => backlog.queued + backlog.sending + backlog.sent === 0
    })
  )
  const settledAt = Date.now()
  const cpu = process.cpuUsage(cpuAtStart)
  yield* Scope.close(scope, Exit.void)

  const requests = sent.filter((r) => r.at >= startedAt)
  const windowOf = (r: Sent) => Math.floor((r.at - startedAt) / WINDOW_MS)
  const creates = new Set(requests.filter((r) => r.method === "POST" && r.path === "/v1/events/applicants/entrata/"))
  const fullWindows = Math.max(...[...creates].map(windowOf))
  const inFull = requests.filter((r) => windowOf(r) < fullWindows)
  const confirmations = requests.filter((r) => CONFIRMATION_PATHS.test(r.path))
  const perWindow = Array.from({ length: fullWindows + 1 }, (_, w) => requests.filter((r) => windowOf(r) === w).length)
  const backlog = yield* deliveries.backlog
  const cpuSeconds = (cpu.user + cpu.system) / 1e6

  console.log(`\nDraining ${EVENTS} queued events through a quota of ${LIMIT} per ${Duration.format(WINDOW)}`)
  console.log(
    `  settled in ${((settledAt - startedAt) / 1000).toFixed(1)} s (this process's CPU: ${cpuSeconds.toFixed(1)} s); ` +
      `requests per window: ${perWindow.join(", ")}`
  )
  console.log(
    `  quota use over the ${fullWindows} full windows: ${(inFull.length / (fullWindows * LIMIT)).toFixed(3)} ` +
      `(creates alone ${(inFull.filter((r) => creates.has(r)).length / (fullWindows * LIMIT)).toFixed(3)}) ` +
      `(target: at least 0.97)`
  )
  console.log(`  429 answers: ${requests.filter((r) => r.status === 429).length} (target: 0)`)
  console.log(
    `  confirmation requests: ${confirmations.length} for ${EVENTS} deliveries = ` +
      `${(confirmations.length / EVENTS).toFixed(3)} per confirmed delivery (target: at most 0.05)`
  )
  if (creates.size !== EVENTS || backlog.queued + backlog.sending + backlog.sent + backlog.ambiguous > 0) {
    throw new Error(`not every event was delivered once: ${creates.size} creates, backlog ${JSON.stringify(backlog)}`)
  }
}).pipe(
  Effect.scoped,
  Effect.provide(Logger.minimumLogLevel(LogLevel.Warning))
)

Effect.runPromise(main).catch((error) => {
  console.error(error)
  process.exit(1)
})
