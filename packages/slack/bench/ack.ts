/**
 * How long Slack waits for the command's acknowledgement while Propexo is
 * slow: 200 signed commands, 20 at a time, through a Bolt app on 127.0.0.1,
 * with the simulator delaying every answer by 2 s. Slack gives up after
 * 3 s; the target is a p99 under 50 ms.
 *
 * Before measuring, the app serves 5 rounds of the same load (half valid,
 * half with problems) while Propexo answers at once, so that the figures
 * are those of a warm process, as in production.
 *
 * For comparison, the same load first runs with commands whose problems
 * are acknowledged without any call to Propexo: the ratio of the two p99s
 * shows how much a slow Propexo costs the acknowledgement.
 *
 * As in production, the app has its process to itself: the simulator runs
 * in a child process (`packages/sandbox/dist/bin.js`, built by `tsc -b`), and
 * so does the stand-in for Slack (the load and the response URLs), which
 * measures from sending a command to reading its acknowledgement.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { ApplicantEventsLive, PropexoConfig } from "@entrata-events/propexo"
import { type Sandbox, Seed } from "@entrata-events/sandbox"
import { type Logger, LogLevel } from "@slack/bolt"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import { fork, spawn } from "node:child_process"
import { createHmac } from "node:crypto"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as os from "node:os"
import { performance } from "node:perf_hooks"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"
import { makeExpressApp } from "../src/ApplicantEventCommand.js"

const COMMANDS = 200
const CONCURRENCY = 20
const LATENCY_MS = 2000
const TARGET_P99_MS = 50
const WARM_UP_ROUNDS = 5
const SECRET = "bench-signing-secret"
const SLACK_ROLE = "--stand-in-for-slack"
const { DEMO } = Seed
const BASE = `applicant=${DEMO.applicantId} application=${DEMO.applicationId}`

/** What the app's process tells the process standing in for Slack. */
interface Slack {
  readonly boltUrl: string
  readonly sandboxUrl: string
}

/** What the stand-in for Slack reports. */
interface Report {
  /** Acknowledgements of commands with problems, which never reach Propexo. */
  readonly baseline: ReadonlyArray<number>
  /** Acknowledgements of valid commands while Propexo is slow. */
  readonly slow: ReadonlyArray<number>
  readonly outcomes: ReadonlyArray<string>
  readonly finishedMillis: number
}

const listen = (handler: http.RequestListener) =>
  new Promise<{ readonly url: string; readonly close: () => Promise<void> }>((resolve) => {
    const server = http.createServer(handler)
    server.listen(0, "127.0.0.1", () => {
      // Listening on a TCP host and port, the address is an AddressInfo.
      const { port } = server.address() as AddressInfo
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections()
            server.close(() => done())
          })
      })
    })
  })

const percentile = (sorted: ReadonlyArray<number>, p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN

const summary = (latencies: ReadonlyArray<number>) => {
  const sorted = [...latencies].sort((a, b) => a - b)
  return { median: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? Number.NaN }
}

/** Slack's side: signed commands sent, follow-ups received. */
const standInForSlack = async ({ boltUrl, sandboxUrl }: Slack): Promise<Report> => {
  const outcomes: Array<string> = []
  let onFollowUp = () => {}
  const slack = await listen((request, response) => {
    let body = ""
    request.setEncoding("utf8")
    request.on("data", (chunk: string) => {
      body += chunk
    })
    request.on("end", () => {
      outcomes.push(JSON.parse(body).text ?? "")
      response.writeHead(200).end("ok")
      onFollowUp()
    })
  })
  const followUps = (count: number) =>
    new Promise<void>((resolve) => {
      onFollowUp = () => {
        if (outcomes.length >= count) resolve()
      }
      onFollowUp()
    })

  // node:http with kept-alive sockets: lighter than fetch, so the client adds little to what is measured.
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY })
  const post = (url: string, body: string, headers: http.OutgoingHttpHeaders) =>
    new Promise<{ readonly status: number; readonly answer: string }>((resolve, reject) => {
      const request = http.request(url, { method: "POST", agent, headers }, (response) => {
        let answer = ""
        response.setEncoding("utf8")
        response.on("data", (chunk: string) => {
          answer += chunk
        })
        response.on("end", () => resolve({ status: response.statusCode ?? 0, answer }))
      })
      request.once("error", reject)
      request.end(body)
    })

  // Every command has its own trigger_id, or the app would answer it as a replay of the first.
  let triggers = 0
  /** Milliseconds from sending a command to reading its acknowledgement, which must contain `expected`. */
  const send = async (n: number, text: string, expected: string): Promise<number> => {
    triggers += 1
    const body = new URLSearchParams({
      team_id: "T0BENCH",
      user_id: "U0BENCH",
      channel_id: "C0BENCH",
      command: "/applicant-event",
      text,
      response_url: `${slack.url}/commands/${n}`,
      trigger_id: `${triggers}.1`
    }).toString()
    const timestamp = Math.floor(Date.now() / 1000)
    const signature = `v0=${createHmac("sha256", SECRET).update(`v0:${timestamp}:${body}`).digest("hex")}`
    const started = performance.now()
    const { answer, status } = await post(`${boltUrl}/slack/events`, body, {
      "content-type": "application/x-www-form-urlencoded",
      "x-slack-request-timestamp": String(timestamp),
      "x-slack-signature": signature
    })
    const elapsed = performance.now() - started
    if (status !== 200 || !answer.includes(expected)) throw new Error(`unexpected acknowledgement ${status}: ${answer}`)
    return elapsed
  }

  /** `COMMANDS` commands, `CONCURRENCY` at a time. */
  const load = async (text: string, expected: string) => {
    const latencies: Array<number> = []
    let next = 1
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next <= COMMANDS) latencies.push(await send(next++, text, expected))
    }))
    return latencies
  }

  const problems = `Notes ${BASE} at=25:00`
  const valid = `Notes ${BASE} at=now notes="Bench"`
  // Warm-up, while Propexo answers at once: a Bolt app serves commands for
  // days, so what counts is its steady state, not the JIT compiling it. It
  // also reads the catalog once, which is then cached.
  for (let round = 0; round < WARM_UP_ROUNDS; round++) {
    await load(problems, "Nothing was recorded")
    await load(valid, "Recording")
  }
  // A valid command has two follow-ups: queued, then recorded.
  await followUps(2 * WARM_UP_ROUNDS * COMMANDS)
  outcomes.length = 0
  // Empties the simulator's request log, so that it shows the measured creates alone.
  const reset = await fetch(`${sandboxUrl}/_sandbox/reset`, { method: "POST" })
  if (!reset.ok) throw new Error(`could not reset the simulator: ${await reset.text()}`)

  const baseline = await load(problems, "Nothing was recorded")
  const faults = await fetch(`${sandboxUrl}/_sandbox/faults`, {
    method: "POST",
    body: JSON.stringify({ latencyMs: LATENCY_MS })
  })
  if (!faults.ok) throw new Error(`could not set the simulator's latency: ${await faults.text()}`)

  const started = performance.now()
  const slow = await load(valid, "Recording")
  await followUps(2 * COMMANDS)
  const finishedMillis = performance.now() - started
  agent.destroy()
  await slack.close()
  return { baseline, slow, outcomes, finishedMillis }
}

/** The simulator in a child process, with no quota to speak of and writes applied at once. */
const startSimulator = async () => {
  const bin = fileURLToPath(new URL("bin.js", import.meta.resolve("@entrata-events/sandbox")))
  const child = spawn(process.execPath, [bin, "--rate-limit", "1000000", "--job-delay", "0", "--slow-down", "0"], {
    stdio: ["ignore", "pipe", "ignore"]
  })
  const printed = new Map<string, string>()
  for await (const line of createInterface({ input: child.stdout })) {
    const [key, ...value] = line.split("=")
    if (key !== undefined) printed.set(key, value.join("="))
    if (printed.has("PROPEXO_BASE_URL") && printed.has("PROPEXO_TOKEN")) break
  }
  const baseUrl = printed.get("PROPEXO_BASE_URL")
  const token = printed.get("PROPEXO_TOKEN")
  if (baseUrl === undefined || token === undefined) throw new Error(`the simulator did not start (${bin})`)
  return { baseUrl, token: Redacted.make(token), stop: () => child.kill() }
}

const quiet: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: (...msg) => console.error(...msg),
  setLevel: () => {},
  getLevel: () => LogLevel.ERROR,
  setName: () => {}
}

const ms = (n: number) => `${n.toFixed(1)} ms`

const main = async () => {
  const simulator = await startSimulator()
  const runtime = ManagedRuntime.make(
    ApplicantEventsLive.layer().pipe(
      Layer.provide(PropexoConfig.layer({
        token: simulator.token,
        baseUrl: simulator.baseUrl,
        rateLimit: { limit: 1_000_000 }
      })),
      Layer.provide(NodeHttpClient.layerUndici)
    )
  )
  const { receiver } = makeExpressApp({
    runtime,
    authorize: () => ({ integrationId: DEMO.integrationId, propertyId: DEMO.propertyId }),
    signingSecret: Redacted.make(SECRET),
    logger: quiet
  })
  const bolt = await listen(receiver.app)
  try {
    const slack: Slack = { boltUrl: bolt.url, sandboxUrl: simulator.baseUrl }
    const report = await new Promise<Report>((resolve, reject) => {
      const child = fork(fileURLToPath(import.meta.url), [SLACK_ROLE, JSON.stringify(slack)], {
        execArgv: ["--import", "tsx"]
      })
      child.once("message", (report: Report) => resolve(report))
      child.once("exit", (code) => reject(new Error(`the stand-in for Slack exited with ${code}`)))
    })
    const slow = summary(report.slow)
    const baseline = summary(report.baseline)
    const recorded = report.outcomes.filter((o) => o.startsWith(":white_check_mark:")).length
    // The simulator's documented answer to GET /_sandbox/requests.
    const requests = (await (await fetch(`${simulator.baseUrl}/_sandbox/requests`)).json()) as {
      readonly requests: ReadonlyArray<Sandbox.RequestRecord>
    }
    const creates = requests.requests.filter((r) => r.method === "POST" && r.path === "/v1/events/applicants/entrata/")
    console.log(
      `acknowledgement latency, ${COMMANDS} commands, ${CONCURRENCY} at a time ` +
        `(${os.cpus().length} CPUs, load average ${os.loadavg()[0]!.toFixed(1)}):\n` +
        `  Propexo answering after ${LATENCY_MS} ms: median ${ms(slow.median)}, p99 ${ms(slow.p99)}, max ${
          ms(slow.max)
        }\n` +
        `  no Propexo call (problems acknowledged): median ${ms(baseline.median)}, p99 ${ms(baseline.p99)}, max ${
          ms(baseline.max)
        }\n` +
        `  target p99 < ${TARGET_P99_MS} ms: ${slow.p99 < TARGET_P99_MS ? "met" : "MISSED"}; ` +
        `p99 / target ${(slow.p99 / TARGET_P99_MS).toFixed(2)}; p99 slow Propexo / p99 no Propexo ${
          (slow.p99 / baseline.p99).toFixed(2)
        }; p99 / Slack's 3 s limit ${(slow.p99 / 3000).toFixed(3)}\n` +
        `  outcomes: ${recorded} of ${COMMANDS} recorded, all posted ${(report.finishedMillis / 1000).toFixed(2)} s ` +
        `after the first command; ${creates.length} creates at the simulator after the warm-up`
    )
  } finally {
    await bolt.close()
    await runtime.dispose()
    simulator.stop()
  }
}

const [role, data] = process.argv.slice(2)
if (role === SLACK_ROLE && data !== undefined) {
  // Only `main` forks this role, with a `Slack` as JSON.
  standInForSlack(JSON.parse(data) as Slack).then(
    (report) => process.send?.(report, () => process.exit(0)),
    (error) => {
      console.error(error)
      process.exit(1)
    }
  )
} else {
  main().catch((error) => {
    console.error(error)
    process.exitCode = 1
  })
}
