/**
 * The service end to end: started as a child process the way the README
 * runs it (`node packages/server/dist/main.js`, built by `tsc -b`), with no
 * test hooks, driven over HTTP as its users would.
 */
import { Sandbox, Seed } from "@entrata-events/sandbox"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { type ChildProcess, spawn } from "node:child_process"
import * as Crypto from "node:crypto"
import { once } from "node:events"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import * as Net from "node:net"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

const main = Path.resolve(Path.dirname(fileURLToPath(import.meta.url)), "../dist/main.js")

interface Service {
  readonly child: ChildProcess
  readonly output: () => string
  readonly errors: () => string
}

const launch = (env: Record<string, string>): Service => {
  const child = spawn(process.execPath, [main], {
    env: { PATH: process.env.PATH ?? "", PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"]
  })
  let out = ""
  let err = ""
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (out += chunk))
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (err += chunk))
  return { child, output: () => out, errors: () => err }
}

/** Waits until the service printed its sample command (its last start-up line). */
const started = async (service: Service) => {
  for (let i = 0; i < 1_200; i++) {
    const out = service.output()
    if (out.includes("Record a sample event:\ncurl")) {
      const url = /listening on (http:\/\/\S+)/.exec(out)![1]!
      const key = /generated one API key for this run: (\S+)/.exec(out)?.[1]
      const simulator = /embedded Propexo simulator at (http:\/\/\S+)/.exec(out)?.[1]
      const curl = /^curl .*$/m.exec(out)![0]
      return { url, key, simulator, curl }
    }
    if (service.child.exitCode !== null) break
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`the service did not start:\n${service.output()}\n${service.errors()}`)
}

const stop = async (service: Service) => {
  service.child.kill("SIGTERM")
  const [code, signal] = await once(service.child, "exit")
  return { code, signal }
}

/** A stand-in for Slack's response URLs: records every follow-up posted to it. */
const responseUrls = async () => {
  const received: Array<unknown> = []
  const server = Http.createServer((req, res) => {
    let body = ""
    req.setEncoding("utf8").on("data", (chunk: string) => (body += chunk)).on("end", () => {
      received.push(JSON.parse(body))
      res.end("ok")
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/commands/1`, // a TCP server's address is an AddressInfo
    received,
    close: () => new Promise((resolve) => server.close(resolve))
  }
}

const signed = (secret: string, body: string, timestamp = Math.floor(Date.now() / 1000)) => ({
  "content-type": "application/x-www-form-urlencoded",
  "x-slack-request-timestamp": String(timestamp),
  "x-slack-signature": `v0=${Crypto.createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex")}`
})

/** The form body of an `/applicant-event` command for the seed's demo applicant, at a summer wall-clock time. */
const slackCommand = (responseUrl: string, notes: string, triggerId: string) =>
  new URLSearchParams({
    command: "/applicant-event",
    text: `cmv7ypssgr27b6eu2l9he0j9r applicant=cmvy478qcf2efqg6rrjxscwa2 application=cmxfpldv1o2tj05eddvwmq5sr at="2026-07-04 09:00" notes="${notes}"`,
    team_id: "T0001",
    user_id: "U0001",
    channel_id: "C0001",
    response_url: responseUrl,
    trigger_id: triggerId,
    token: "unused"
  }).toString()

describe("the service", () => {
  it("serves the route with the printed key, the Slack command, and stops gracefully on SIGTERM", async () => {
    const slack = await responseUrls()
    const secret = "slack-signing-secret-for-tests"
    const service = launch({ SLACK_SIGNING_SECRET: secret, SLACK_INTEGRATION_ID: "cmbbv7882e3lzgdwsodofqop6" })
    try {
      const { curl, key, simulator, url } = await started(service)
      expect(key).toMatch(/^ee_[A-Za-z0-9_-]{32}$/)
      expect(simulator).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)

      const health = await fetch(`${url}/healthz`)
      expect(health.status).toBe(200)
      expect(await health.json()).toEqual({ status: "ok" })
      // The memory figures are in the log instead.
      expect(service.output()).toMatch(/message=memory .*rss_mib=\d+ heap_used_mib=\d+/)
      expect((await fetch(`${url}/readyz`)).status).toBe(200)

      // The sample command it printed works as printed.
      const body = /-d '(.*)'$/.exec(curl)![1]!
      const post = (auth: string, query = "") =>
        fetch(`${url}/applicant-events${query}`, {
          method: "POST",
          headers: { authorization: auth, "content-type": "application/json" },
          body
        })
      expect((await post("Bearer not-the-key")).status).toBe(401)
      const accepted = await post(`Bearer ${key}`)
      expect(accepted.status).toBe(202)
      const { job_id, sent } = (await accepted.json()) as { job_id: string; sent: { event_datetime: string } }
      expect(sent.event_datetime).toBe("2026-11-28T14:30:00-07:00")

      // A signed Slack command.
      const form = slackCommand(slack.url, "Slack test", "1.2.3")
      const ack = await fetch(`${url}/slack/events`, { method: "POST", headers: signed(secret, form), body: form })
      expect(ack.status).toBe(200)
      const forged = await fetch(`${url}/slack/events`, {
        method: "POST",
        headers: signed("another-secret", form),
        body: form
      })
      expect(forged.status).toBe(401)
      for (let i = 0; i < 200 && slack.received.length === 0; i++) await new Promise((r) => setTimeout(r, 50))
      expect(JSON.stringify(slack.received)).toContain("2026-07-04T09:00:00-06:00")

      // What the embedded simulator received: both events, in Mountain Time, and no forged one.
      const { requests } = (await (await fetch(`${simulator}/_sandbox/requests`)).json()) as {
        readonly requests: ReadonlyArray<{ readonly method: string; readonly body: string | null }>
      }
      const creates = requests
        .filter((r) => r.method === "POST")
        .map((r) => JSON.parse(r.body ?? "null") as { notes: string; event_datetime: string })
      expect(creates.map((c) => [c.notes, c.event_datetime])).toEqual([
        ["Called about a tour on Saturday", "2026-11-28T14:30:00-07:00"],
        ["Slack test", "2026-07-04T09:00:00-06:00"]
      ])
      expect((await fetch(`${url}/applicant-events/jobs/${job_id}`, { headers: { authorization: `Bearer ${key}` } })).status)
        .toBe(200)

      // SIGTERM while a request that waits for the write is under way: it completes, then the process exits 0.
      const inFlight = post(`Bearer ${key}`, "?await=true")
      await new Promise((resolve) => setTimeout(resolve, 150))
      const stopped = stop(service)
      const answer = await inFlight
      expect(answer.status).toBe(200)
      expect(((await answer.json()) as { write_status: string }).write_status).toBe("SUCCESS")
      expect(await stopped).toEqual({ code: 0, signal: null })
      expect(service.output() + service.errors()).not.toContain(secret)
    } finally {
      service.child.kill("SIGKILL")
      await slack.close()
    }
  }, 90_000)

  it("on SIGTERM, waits for the Slack follow-ups under way, so the person hears back", async () => {
    const slack = await responseUrls()
    const secret = "slack-signing-secret-for-tests"
    const service = launch({ SLACK_SIGNING_SECRET: secret, SLACK_INTEGRATION_ID: "cmbbv7882e3lzgdwsodofqop6" })
    try {
      const { simulator, url } = await started(service)
      // Every Propexo answer takes 1.5 s: the create is still under way when the signal comes.
      const faults = await fetch(`${simulator}/_sandbox/faults`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ latencyMs: 1_500 })
      })
      expect(faults.status).toBe(200)
      const form = slackCommand(slack.url, "Slack at shutdown", "4.5.6")
      const ack = await fetch(`${url}/slack/events`, { method: "POST", headers: signed(secret, form), body: form })
      expect(ack.status).toBe(200)
      expect(slack.received).toEqual([])
      expect(await stop(service)).toEqual({ code: 0, signal: null })
      const posted = JSON.stringify(slack.received)
      expect(posted).toContain("Queued in Entrata")
      expect(posted).toContain("2026-07-04T09:00:00-06:00")
      expect(slack.received.length).toBeGreaterThanOrEqual(2)
    } finally {
      service.child.kill("SIGKILL")
      await slack.close()
    }
  }, 90_000)

  it.each([
    [{ PORT: "abc" }, "PORT"],
    [{ PORT: "70000" }, "PORT"],
    [{ SERVER_API_KEYS: "tooshort=cmbbv7882e3lzgdwsodofqop6" }, "SERVER_API_KEYS"],
    [{ SERVER_API_KEYS: "a-long-enough-api-key-0001" }, "SERVER_API_KEYS"],
    [{ PROPEXO_TOKEN: "token", PROPEXO_BASE_URL: "not a url" }, "PROPEXO_BASE_URL"],
    [{ TZ_FOR_INPUT: "Mars/Olympus" }, "TZ_FOR_INPUT"],
    [{ SLACK_SIGNING_SECRET: "secret" }, "SLACK_SIGNING_SECRET"],
    // Fails closed: a deployment that forgot its token does not silently record nowhere.
    [{ PROPEXO_BASE_URL: "production" }, "PROPEXO_TOKEN"],
    [{ PROPEXO_BASE_URL: "https://api.propexo.com" }, "PROPEXO_TOKEN"],
    [{ SERVER_API_KEYS: "a-long-enough-api-key-0001=*" }, "PROPEXO_TOKEN"],
    [{ PROPEXO_TOKEN: "" }, "PROPEXO_TOKEN"],
    [{ PROPEXO_TOKEN: "   ", SERVER_API_KEYS: "a-long-enough-api-key-0001=*" }, "PROPEXO_TOKEN"],
    [{ PROPEXO_TOKEN: "a-real-token", PROPEXO_BASE_URL: "simulator" }, "PROPEXO_TOKEN"],
    // A real token needs the callers' keys: none is generated for a real Propexo.
    [{ PROPEXO_TOKEN: "a-real-token" }, "SERVER_API_KEYS"],
    [{ SERVER_REQUEST_TIMEOUT: "soon" }, "SERVER_REQUEST_TIMEOUT"],
    [{ SERVER_HEADERS_TIMEOUT: "40 seconds" }, "SERVER_HEADERS_TIMEOUT"],
    [{ SERVER_KEEP_ALIVE_TIMEOUT: "0 seconds" }, "SERVER_KEEP_ALIVE_TIMEOUT"],
    [{ SERVER_MAX_CONNECTIONS: "0" }, "SERVER_MAX_CONNECTIONS"],
    [{ SERVER_MEMORY_LOG_INTERVAL: "often" }, "SERVER_MEMORY_LOG_INTERVAL"]
  ])("refuses to start with %j, in one line naming %s", async (env, variable) => {
    const service = launch(env)
    const [code] = await once(service.child, "exit")
    expect(code).toBe(78)
    const lines = service.errors().trim().split("\n")
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(new RegExp(`^entrata-events: configuration error: ${variable}: `))
    expect(service.output()).toBe("")
  }, 30_000)

  it("with SERVER_API_KEYS, accepts only those keys and only for their integrations", async () => {
    const key = "integration-a-key-0123456789"
    const service = launch({
      PROPEXO_BASE_URL: "simulator",
      SERVER_API_KEYS: `${key}=cmbbv7882e3lzgdwsodofqop6,other-integration-key-9876=someotherintegration`
    })
    try {
      const { curl, url } = await started(service)
      expect(service.output()).not.toContain("generated one API key")
      const body = /-d '(.*)'$/.exec(curl)![1]!
      const post = (auth: string) =>
        fetch(`${url}/applicant-events`, {
          method: "POST",
          headers: { authorization: auth, "content-type": "application/json" },
          body
        })
      expect((await post(`Bearer ${key}`)).status).toBe(202)
      expect((await post("Bearer other-integration-key-9876")).status).toBe(403)
      expect(await stop(service)).toEqual({ code: 0, signal: null })
    } finally {
      service.child.kill("SIGKILL")
    }
  }, 60_000)

  it("with a real token and SERVER_API_KEYS, records through that Propexo, with no simulator and no generated key", async () => {
    const propexo = await Sandbox.startSandbox({ jobDelay: 0 })
    const key = "integration-a-key-0123456789"
    const service = launch({ PROPEXO_TOKEN: propexo.token, PROPEXO_BASE_URL: propexo.baseUrl, SERVER_API_KEYS: `${key}=*` })
    try {
      const { curl, key: generated, simulator, url } = await started(service)
      expect({ generated, simulator }).toEqual({ generated: undefined, simulator: undefined })
      expect(service.output()).not.toContain("generated")
      const answer = await fetch(`${url}/applicant-events`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({
          integration_id: Seed.DEMO.integrationId,
          applicant_id: Seed.DEMO.applicantId,
          application_id: Seed.DEMO.applicationId,
          event_type_id: Seed.DEMO.eventTypeIds.Notes,
          event_datetime: "2026-11-28 14:30",
          notes: "To a real Propexo"
        })
      })
      expect(answer.status).toBe(202)
      expect((await propexo.jobs()).map((j) => j.body.notes)).toEqual(["To a real Propexo"])
      expect(curl).toContain("<your API key>")
      expect(service.output() + service.errors()).not.toContain(propexo.token)
      expect(await stop(service)).toEqual({ code: 0, signal: null })
    } finally {
      service.child.kill("SIGKILL")
      await propexo.close()
    }
  }, 60_000)
})

/** The requests the embedded simulator received. */
const simulatorRequests = async (simulator: string) => {
  // The simulator's documented inspection answer.
  const { requests } = (await (await fetch(`${simulator}/_sandbox/requests`)).json()) as {
    readonly requests: ReadonlyArray<{ readonly method: string; readonly path: string }>
  }
  return requests
}

describe("the service's answers", () => {
  const keyA = "integration-a-key-0123456789"
  const keyB = "other-integration-key-9876"
  let service: Service
  let url: string
  let simulator: string
  beforeAll(async () => {
    service = launch({
      PROPEXO_BASE_URL: "simulator",
      SERVER_API_KEYS: `${keyA}=${Seed.DEMO.integrationId},${keyB}=${Seed.OTHER.integrationId}`
    })
    ;({ simulator: simulator = "", url } = await started(service))
  }, 60_000)
  afterAll(() => void service.child.kill("SIGKILL"))

  const get = (path: string, key?: string) =>
    fetch(`${url}${path}`, key === undefined ? {} : { headers: { authorization: `Bearer ${key}` } })

  const expectProblem = async (answer: Response, status: number, slug: string) => {
    expect(answer.status).toBe(status)
    expect(answer.headers.get("content-type")).toMatch(/^application\/problem\+json\b/)
    // A problem document's members; the assertions below check them.
    const body = (await answer.json()) as { type: string; status: number; request_id: string }
    expect(body).toMatchObject({ type: `https://entrata-events.dev/problems/${slug}`, status })
    expect(body.request_id).toBe(answer.headers.get("x-request-id"))
  }

  it("a job is answered only to a key of its integration: another key, or an unknown id, is a 404 that asks Propexo nothing", async () => {
    const created = await fetch(`${url}/applicant-events`, {
      method: "POST",
      headers: { authorization: `Bearer ${keyA}`, "content-type": "application/json" },
      body: JSON.stringify({
        integration_id: Seed.DEMO.integrationId,
        applicant_id: Seed.DEMO.applicantId,
        application_id: Seed.DEMO.applicationId,
        event_type_id: Seed.DEMO.eventTypeIds.Notes,
        event_datetime: "2026-11-28 14:30",
        notes: "A's event"
      })
    })
    expect(created.status).toBe(202)
    const { status_url } = (await created.json()) as { status_url: string } // a 202's documented body
    await expectProblem(await get(status_url, keyB), 404, "job-not-found")
    await expectProblem(await get("/applicant-events/jobs/cnosuchjob000000000000000", keyA), 404, "job-not-found")
    const statusReads = () => simulatorRequests(simulator).then((rs) => rs.filter((r) => r.path.includes("write-status")))
    expect(await statusReads()).toEqual([])
    expect((await get(status_url, keyA)).status).toBe(200)
    expect(await statusReads()).toHaveLength(1)
  })

  it("unknown paths, malformed URLs and other methods are problem documents, not Express's HTML", async () => {
    await expectProblem(await get("/nowhere"), 404, "not-found")
    await expectProblem(await get("/applicant-events/nowhere"), 404, "not-found")
    await expectProblem(await get("/applicant-events/jobs/%E0%A4%A", keyA), 400, "malformed-url")
    const post = await fetch(`${url}/healthz`, { method: "POST" })
    await expectProblem(post, 405, "method-not-allowed")
    expect(post.headers.get("allow")).toBe("GET, HEAD")
    await expectProblem(await fetch(`${url}/readyz`, { method: "DELETE" }), 405, "method-not-allowed")
  })
})

describe("/readyz", () => {
  it("spends no quota: a burst of checks makes at most one Propexo request, and reports the pacer's quota", async () => {
    const service = launch({})
    try {
      const { simulator, url } = await started(service)
      const answers = await Promise.all(Array.from({ length: 20 }, () => fetch(`${url}/readyz`)))
      for (let i = 0; i < 20; i++) answers.push(await fetch(`${url}/readyz`))
      expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200))
      // Checked whole by the next assertion.
      const body = (await answers[0]!.json()) as { status: string; quota: { limit: number; resets_at: string } }
      expect(body).toEqual({ status: "ready", quota: { limit: 150, resets_at: expect.any(String) } })
      expect(Date.parse(body.quota.resets_at)).toBeGreaterThan(Date.now() - 60_000)
      expect((await simulatorRequests(simulator!)).map((r) => `${r.method} ${r.path}`)).toEqual(["GET /v1/event-types/"])
    } finally {
      service.child.kill("SIGKILL")
    }
  }, 60_000)
})

/**
 * Opens a raw connection, writes `head`, then `trickle` one byte every
 * 50 ms; resolves once the server closes the connection with what it
 * answered and how many bytes of `trickle` were never sent.
 */
const slowClient = (url: string, head: string, trickle: string) =>
  new Promise<{ readonly answer: string; readonly unsent: number }>((resolve) => {
    const { hostname, port } = new URL(url)
    let answer = ""
    let sent = 0
    let timer: ReturnType<typeof setInterval> | undefined
    const socket = Net.connect(Number(port), hostname, () => {
      socket.write(head)
      timer = setInterval(() => {
        if (sent < trickle.length) socket.write(trickle[sent++]!)
      }, 50)
    })
    socket.setEncoding("utf8").on("data", (chunk: string) => (answer += chunk))
    // Writing to a connection the server cut off may fail; the close that follows is what counts.
    socket.on("error", () => {})
    socket.on("close", () => {
      clearInterval(timer)
      resolve({ answer, unsent: trickle.length - sent })
    })
  })

/** One request on a raw connection that asks to be closed; resolves with the answer's status line and body. */
const rawGet = (socket: Net.Socket, path: string) =>
  new Promise<{ readonly statusLine: string; readonly body: string }>((resolve) => {
    let text = ""
    socket.setEncoding("utf8").on("data", (chunk: string) => (text += chunk))
    socket.on("close", () => resolve({ statusLine: text.split("\r\n")[0] ?? "", body: text.split("\r\n\r\n")[1] ?? "" }))
    socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`)
  })

const connect = (url: string) =>
  new Promise<Net.Socket>((resolve, reject) => {
    const { hostname, port } = new URL(url)
    const socket = Net.connect(Number(port), hostname, () => resolve(socket)).once("error", reject)
  })

describe("the Node server's limits", () => {
  it("a request trickled byte by byte, body or headers, is cut off with a 408 problem, and the service stays up", async () => {
    const service = launch({ SERVER_HEADERS_TIMEOUT: "1 second", SERVER_REQUEST_TIMEOUT: "1 second" })
    try {
      const { key, url } = await started(service)
      const body = slowClient(
        url,
        `POST /applicant-events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\n` +
          "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n",
        "x".repeat(1_000)
      )
      const headers = slowClient(url, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ", "a".repeat(1_000))
      for (const { answer, unsent } of await Promise.all([body, headers])) {
        expect(unsent).toBeGreaterThan(0)
        const [head = "", json = ""] = answer.split("\r\n\r\n")
        expect(head).toMatch(/^HTTP\/1\.1 408 /)
        expect(head).toMatch(/\r\ncontent-type: application\/problem\+json/i)
        expect(JSON.parse(json)).toMatchObject({ type: "https://entrata-events.dev/problems/request-timeout", status: 408 })
      }
      expect((await fetch(`${url}/healthz`)).status).toBe(200)
    } finally {
      service.child.kill("SIGKILL")
    }
  }, 60_000)

  it("connections past SERVER_MAX_CONNECTIONS are closed at once; those within it are served", async () => {
    const service = launch({ SERVER_MAX_CONNECTIONS: "2" })
    try {
      const { url } = await started(service)
      const first = await connect(url)
      const second = await connect(url)
      const third = await connect(url)
      let received = ""
      third.setEncoding("utf8").on("data", (chunk: string) => (received += chunk))
      third.on("error", () => {})
      await once(third, "close")
      expect(received).toBe("")
      expect(await rawGet(first, "/healthz")).toEqual({ statusLine: "HTTP/1.1 200 OK", body: "{\"status\":\"ok\"}" })
      expect((await rawGet(second, "/healthz")).statusLine).toBe("HTTP/1.1 200 OK")
    } finally {
      service.child.kill("SIGKILL")
    }
  }, 60_000)
})
