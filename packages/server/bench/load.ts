/**
 * The service under load: 2,000 creates at concurrency 50 through the HTTP
 * route of a service started as in production (`node dist/main.js`), with
 * the simulator behind it (quota out of the way), in two rounds. Prints
 * failures, the rate, and the process's memory before, at the peak and after
 * each round: the heap should come back to where it started, and the second
 * round should not grow what the first one left.
 */
import { Sandbox } from "@entrata-events/sandbox"
import { spawn } from "node:child_process"
import { readFileSync } from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

const main = Path.resolve(Path.dirname(fileURLToPath(import.meta.url)), "../dist/main.js")
const TOTAL = Number(process.env.BENCH_TOTAL ?? 2_000)
const CONCURRENCY = 50
const KEY = "bench-api-key-0123456789abcdef"

/** Resident set size of a process, from /proc (Linux). */
const rssMiB = (pid: number) => {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((l) => l.startsWith("VmRSS:"))!
  return Number(/(\d+)/.exec(line)![1]) / 1024
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const run = async () => {
  const sandbox = await Sandbox.startSandbox({ rateLimit: 1_000_000_000, slowDownDelay: 0, jobDelay: 0, maxRequests: 100 })
  const child = spawn(process.execPath, [...(process.env.BENCH_NODE_FLAGS ?? "").split(" ").filter(Boolean), main], {
    env: {
      PATH: process.env.PATH ?? "",
      PORT: "0",
      PROPEXO_TOKEN: sandbox.token,
      PROPEXO_BASE_URL: sandbox.baseUrl,
      PROPEXO_RATE_LIMIT: "1000000000",
      SERVER_API_KEYS: `${KEY}=*`,
      SERVER_MEMORY_LOG_INTERVAL: "500 millis"
    },
    stdio: ["ignore", "pipe", "inherit"]
  })
  let out = ""
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (out += chunk))
  while (!out.includes("Record a sample event")) await sleep(50)
  const url = /listening on (http:\/\/\S+)/.exec(out)![1]!
  const body = JSON.stringify({
    integration_id: "cmbbv7882e3lzgdwsodofqop6",
    applicant_id: "cmvy478qcf2efqg6rrjxscwa2",
    application_id: "cmxfpldv1o2tj05eddvwmq5sr",
    event_type_id: "cmv7ypssgr27b6eu2l9he0j9r",
    event_datetime: "2026-11-28 14:30",
    notes: "Load test"
  })
  const post = () =>
    fetch(`${url}/applicant-events`, {
      method: "POST",
      headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
      body
    }).then(async (response) => {
      await response.arrayBuffer()
      return response.status
    }, () => 0)

  // The service logs its memory figures every 500 ms: wait for a line logged after now.
  const memory = async () => {
    const from = out.length
    let line: RegExpExecArray | null = null
    while ((line = /message=memory .*heap_used_mib=(\d+)/.exec(out.slice(from))) === null) await sleep(50)
    return { rss: rssMiB(child.pid!), heap: Number(line[1]) }
  }
  const load = async () => {
    const statuses = new Map<number, number>()
    let next = 0
    const start = performance.now()
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < TOTAL) {
        const status = await post()
        statuses.set(status, (statuses.get(status) ?? 0) + 1)
      }
    }))
    return { statuses, seconds: (performance.now() - start) / 1000 }
  }

  for (let i = 0; i < 50; i++) await post()
  await sleep(2_000)
  const before = await memory()
  let peak = before.rss
  const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(child.pid!))), 100)
  const rounds: Array<{ statuses: Map<number, number>; seconds: number; after: { rss: number; heap: number } }> = []
  for (let round = 0; round < 2; round++) {
    const result = await load()
    await sleep(5_000)
    rounds.push({ ...result, after: await memory() })
  }
  clearInterval(sampler)
  child.kill("SIGTERM")
  await new Promise((resolve) => child.once("exit", resolve))
  await sandbox.close()

  console.log(`\nserver: ${TOTAL} creates at concurrency ${CONCURRENCY} through POST /applicant-events, twice`)
  console.log(`  before: resident ${before.rss.toFixed(1)} MiB, heap used ${before.heap} MiB`)
  let failed = 0
  for (const [index, round] of rounds.entries()) {
    const ok = round.statuses.get(202) ?? 0
    failed += TOTAL - ok
    console.log(
      `  round ${index + 1}: ${ok} answered 202, ${TOTAL - ok} failed, ${(TOTAL / round.seconds).toFixed(0)} requests/s; ` +
        `5 s later resident ${round.after.rss.toFixed(1)} MiB, heap used ${round.after.heap} MiB`
    )
  }
  console.log(`  resident peak ${peak.toFixed(1)} MiB`)
  if (failed > 0) process.exitCode = 1
}

run().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
