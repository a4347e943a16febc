/**
 * The simulator's own throughput on loopback: valid creates sent with plain
 * `fetch` (undici) at concurrency 64, next to a bare `node:http` server that
 * only parses and echoes the body, measured with the same client. The ratio
 * says what the simulator's work (auth, quota, validation, jobs, log) costs
 * on this machine. Bounded in count and time.
 */
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import { startSandbox } from "../src/Sandbox.js"
import { DEMO } from "../src/Seed.js"

const TOTAL = 5_000
const CONCURRENCY = 64
const DEADLINE_MS = 120_000

const body = (i: number) =>
  JSON.stringify({
    integration_id: DEMO.integrationId,
    applicant_id: DEMO.applicantId,
    application_id: DEMO.applicationId,
    event_type_id: DEMO.eventTypeIds.Notes,
    event_datetime: "2026-01-15T09:30:00-07:00",
    notes: `bench ${i}`
  })

const run = async (
  url: string,
  headers: Record<string, string>,
  count: number
): Promise<{ readonly sent: number; readonly failed: number; readonly ms: number }> => {
  let next = 0
  let failed = 0
  const started = performance.now()
  const worker = async () => {
    while (next < count && performance.now() - started < DEADLINE_MS) {
      const i = next++
      const response = await fetch(url, { method: "POST", headers, body: body(i) })
      await response.arrayBuffer()
      if (response.status !== 200) failed++
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker))
  return { sent: next, failed, ms: performance.now() - started }
}

const rate = ({ ms, sent }: { readonly sent: number; readonly ms: number }) => Math.round(sent / (ms / 1_000))

const bare = Http.createServer((request, response) => {
  let text = ""
  request.setEncoding("utf8")
  request.on("data", (chunk: string) => {
    text += chunk
  })
  request.on("end", () => {
    response.writeHead(200, { "content-type": "application/json" })
    response.end(JSON.stringify({ meta: { job_id: "cm0000000000000000000000" }, result: JSON.parse(text) }))
  })
})
await new Promise<void>((resolve) => bare.listen(0, "127.0.0.1", resolve))
const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/` // a TCP server's address
const plain = { "content-type": "application/json" }
let baseline = 0
try {
  await run(bareUrl, plain, 500)
  const result = await run(bareUrl, plain, TOTAL)
  baseline = rate(result)
  console.log(`node:http echo: ${result.sent} posts at concurrency ${CONCURRENCY}: ${baseline} req/s`)
} finally {
  await new Promise((resolve) => bare.close(resolve))
}

const sandbox = await startSandbox({ rateLimit: 1_000_000, jobDelay: 0, maxRequests: 1_000 })
const url = `${sandbox.baseUrl}/v1/events/applicants/entrata/`
const headers = { authorization: `Bearer ${sandbox.token}`, "content-type": "application/json" }
try {
  await run(url, headers, 500) // warm-up: JIT, connection pool
  await sandbox.reset()
  const result = await run(url, headers, TOTAL)
  console.log(
    `sandbox: ${result.sent} creates at concurrency ${CONCURRENCY}: ${rate(result)} req/s ` +
      `(${Math.round(result.ms)} ms, ${result.failed} not 200)`
  )
  console.log(`sandbox / node:http echo: ${(rate(result) / baseline).toFixed(2)}`)
  const jobs = await sandbox.jobs()
  console.log(`sandbox: ${jobs.length} jobs recorded, ${jobs.filter((j) => j.status === "SUCCESS").length} settled as SUCCESS`)
} finally {
  await sandbox.close()
}
