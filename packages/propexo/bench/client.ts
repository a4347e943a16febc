/**
 * The client's cost and its use of the quota, against the simulator on
 * loopback, in one process:
 *
 * 1. time per create through `ApplicantEvents.create` next to a bare
 *    `fetch` POST of the same body to the same simulator, at concurrency 1
 *    and 64, in alternating rounds after a warm-up; the simulator runs in its own process
 *    (`pnpm sandbox`'s), so its work does not compete with the client's in
 *    one event loop;
 * 2. creates sent through a quota of 120 per 30 s window for 90 s (three
 *    whole windows): the share of the quota used and the count of 429s.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { ApplicantEvent } from "@entrata-events/core"
import { ApplicantEvents } from "@entrata-events/core/ApplicantEvents"
import { Sandbox, Seed } from "@entrata-events/sandbox"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { ApplicantEventsLive, PropexoConfig } from "../src/index.js"

const { DEMO } = Seed
const input = {
  integration_id: DEMO.integrationId,
  applicant_id: DEMO.applicantId,
  application_id: DEMO.applicationId,
  event_type_id: DEMO.eventTypeIds.Notes,
  event_datetime: "2026-11-28T21:30:00Z",
  notes: "Benchmark"
}
const decoded = ApplicantEvent.decode(input)
if (Either.isLeft(decoded)) throw decoded.left
const body = ApplicantEvent.toJson(decoded.right)

const runtimeFor = (
  sandbox: { readonly baseUrl: string; readonly token: Redacted.Redacted<string> },
  rateLimit: Partial<PropexoConfig.RateLimitOptions>
) =>
  ManagedRuntime.make(
    ApplicantEventsLive.layer().pipe(
      Layer.provide(PropexoConfig.layer({ token: sandbox.token, baseUrl: sandbox.baseUrl, rateLimit })),
      Layer.provide(NodeHttpClient.layerUndici)
    )
  )

interface Timing {
  readonly wall: number
  readonly cpu: number
}

/**
 * Runs `task` `total` times, `concurrency` at a time; answers the wall time
 * and this process's CPU time per task, in ms.
 */
const timed = async (total: number, concurrency: number, task: () => Promise<void>): Promise<Timing> => {
  let next = 0
  const start = performance.now()
  const cpuStart = process.cpuUsage()
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next++ < total) await task()
  }))
  const cpu = process.cpuUsage(cpuStart)
  return { wall: (performance.now() - start) / total, cpu: (cpu.user + cpu.system) / 1000 / total }
}

/** The simulator's CLI in a child process; answers its base URL and token. */
const simulatorProcess = Effect.acquireRelease(
  Effect.promise(async () => {
    const bin = fileURLToPath(new URL("../../sandbox/dist/bin.js", import.meta.url))
    const child = spawn(process.execPath, [bin, "--rate-limit", "1000000000", "--slow-down", "0", "--job-delay", "0"], {
      stdio: ["ignore", "pipe", "inherit"]
    })
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

const costOfTheClient = Effect.gen(function*() {
  const sandbox = yield* simulatorProcess
  const runtime = runtimeFor(sandbox, { limit: 1_000_000_000 })
  yield* Effect.addFinalizer(() => Effect.promise(() => runtime.dispose()))
  const token = Redacted.value(sandbox.token)
  const url = `${sandbox.baseUrl}/v1/events/applicants/entrata/`

  const viaClient = () =>
    runtime.runPromise(Effect.flatMap(ApplicantEvents, (events) => events.create(input))).then(() => undefined)
  const bare = async () => {
    const response = await fetch(url, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", accept: "application/json" },
      body
    })
    if (response.status !== 200) throw new Error(`bare fetch: HTTP ${response.status}`)
    await response.json()
  }

  // Both sides first run until the JIT has settled (the client's Effect code
  // needs a few thousand calls; a service makes millions), then alternate,
  // each round's order swapped so that drift of this machine's speed falls
  // on both alike. The figure is the median of the rounds' ratios.
  const WARM_UP = 3_000
  const ROUNDS = 7
  console.log(
    `\npropexo: time per create against the simulator, after ${WARM_UP} of each; median of ${ROUNDS} alternating rounds`
  )
  for (const [concurrency, total] of [[1, 1_000], [64, 3_000]] as const) {
    yield* Effect.promise(() => timed(WARM_UP, concurrency, viaClient).then(() => timed(WARM_UP, concurrency, bare)))
    const rounds: Array<{ readonly client: Timing; readonly bare: Timing }> = []
    for (let round = 0; round < ROUNDS; round++) {
      const first = round % 2 === 0 ? viaClient : bare
      const second = round % 2 === 0 ? bare : viaClient
      const a = yield* Effect.promise(() => timed(total, concurrency, first))
      const b = yield* Effect.promise(() => timed(total, concurrency, second))
      rounds.push(round % 2 === 0 ? { client: a, bare: b } : { client: b, bare: a })
    }
    const median = (f: (round: { readonly client: Timing; readonly bare: Timing }) => number) =>
      rounds.map(f).sort((x, y) => x - y)[ROUNDS >> 1]!
    const µs = (ms: number) => `${(ms * 1000).toFixed(0)} µs`
    console.log(
      `  concurrency ${String(concurrency).padStart(2)}: client ${µs(median((r) => r.client.wall))} (CPU ${
        µs(median((r) => r.client.cpu))
      }), bare fetch ${µs(median((r) => r.bare.wall))} (CPU ${µs(median((r) => r.bare.cpu))}) per create; client / bare = ${
        median((r) => r.client.wall / r.bare.wall).toFixed(3)
      } (target ≤ 1.15)`
    )
  }
})

const quotaUse = Effect.gen(function*() {
  const limit = 120
  const window = Duration.seconds(30)
  const windowMs = Duration.toMillis(window)
  const sandbox = yield* Sandbox.make({ rateLimit: limit, window, jobDelay: 0, maxRequests: 10_000 })
  const runtime = runtimeFor(sandbox, { limit, window })
  yield* Effect.addFinalizer(() => Effect.promise(() => runtime.dispose()))
  // Start on a window boundary, so the run covers exactly three windows.
  yield* Effect.sleep(Duration.millis(windowMs - (Date.now() % windowMs) + 5))
  const end = Date.now() + 3 * windowMs - 50
  let created = 0
  const worker = Effect.gen(function*() {
    const events = yield* ApplicantEvents
    while (Date.now() < end) {
      const result = yield* Effect.either(events.create(input).pipe(Effect.timeout(Duration.millis(end - Date.now()))))
      if (Either.isRight(result)) created++
    }
  })
  yield* Effect.promise(() =>
    runtime.runPromise(Effect.all(Array.from({ length: 32 }, () => worker), { concurrency: "unbounded" }))
  )
  const answers = (yield* sandbox.requests).filter((r) => r.path === "/v1/events/applicants/entrata/")
  const rejected = answers.filter((r) => r.status === 429).length
  console.log(
    `\npropexo: quota of ${limit} per 30 s window, 90 s of creates from 32 fibers: ${created} created = ${
      (created / (3 * limit)).toFixed(3)
    } of the quota (target ≥ 0.95), ${rejected} answers 429 (target 0)`
  )
})

Effect.runPromise(Effect.scoped(Effect.zipRight(costOfTheClient, process.env.BENCH_SKIP_QUOTA === "1" ? Effect.void : Effect.scoped(quotaUse)))).catch((error) => {
  console.error(error)
  process.exitCode = 1
})
