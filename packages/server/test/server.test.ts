/**
 * The service end to end: started as a child process the way the README
 * runs it (`node packages/server/dist/main.js`, built by `tsc -b`), with no
 * test hooks, driven over HTTP as its users would.
 */
import { describe, expect, it } from "@effect/vitest"
import { type ChildProcess, spawn } from "node:child_process"
import * as Crypto from "node:crypto"
import { once } from "node:events"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
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

describe("the service", () => {
  it("serves the route with the printed key, the Slack command, and stops gracefully on SIGTERM", async () => {
    const slack = await responseUrls()
    const secret = "slack-signing-secret-for-tests"
    const service = launch({ SLACK_SIGNING_SECRET: secret, SLACK_INTEGRATION_ID: "cmbbv7882e3lzgdwsodofqop6" })
    try {
      const { curl, key, simulator, url } = await started(service)
      expect(key).toMatch(/^ee_[A-Za-z0-9_-]{32}$/)
      expect(simulator).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)

      expect((await fetch(`${url}/healthz`)).status).toBe(200)
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
      const form = new URLSearchParams({
        command: "/applicant-event",
        text: `cmv7ypssgr27b6eu2l9he0j9r applicant=cmvy478qcf2efqg6rrjxscwa2 application=cmxfpldv1o2tj05eddvwmq5sr at="2026-07-04 09:00" notes="Slack test"`,
        team_id: "T0001",
        user_id: "U0001",
        channel_id: "C0001",
        response_url: slack.url,
        trigger_id: "1.2.3",
        token: "unused"
      }).toString()
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

  it.each([
    [{ PORT: "abc" }, "PORT"],
    [{ PORT: "70000" }, "PORT"],
    [{ SERVER_API_KEYS: "tooshort=cmbbv7882e3lzgdwsodofqop6" }, "SERVER_API_KEYS"],
    [{ SERVER_API_KEYS: "a-long-enough-api-key-0001" }, "SERVER_API_KEYS"],
    [{ PROPEXO_TOKEN: "token", PROPEXO_BASE_URL: "not a url" }, "PROPEXO_BASE_URL"],
    [{ TZ_FOR_INPUT: "Mars/Olympus" }, "TZ_FOR_INPUT"],
    [{ SLACK_SIGNING_SECRET: "secret" }, "SLACK_SIGNING_SECRET"]
  ])("refuses to start with %j, in one line naming %s", async (env, variable) => {
    const service = launch(env)
    const [code] = await once(service.child, "exit")
    expect(code).not.toBe(0)
    const lines = service.errors().trim().split("\n")
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(new RegExp(`^entrata-events: configuration error: ${variable}: `))
    expect(service.output()).toBe("")
  }, 30_000)

  it("with SERVER_API_KEYS, accepts only those keys and only for their integrations", async () => {
    const key = "integration-a-key-0123456789"
    const service = launch({
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
})
