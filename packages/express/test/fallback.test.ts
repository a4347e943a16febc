import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import express from "express"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import * as Net from "node:net"
import * as ApplicantEventsRouter from "../src/ApplicantEventsRouter.js"
import * as Fallback from "../src/Fallback.js"
import { type Answer, authorize, type Harness, request, servicesLayer, start } from "./helpers.js"

const PROBLEMS = "https://entrata-events.dev/problems/"

const expectProblem = (answer: Answer, status: number, slug: string) => {
  expect({ status: answer.status, type: answer.json?.type }).toEqual({ status, type: `${PROBLEMS}${slug}` })
  expect(answer.headers.get("content-type")).toMatch(/^application\/problem\+json\b/)
  expect(answer.json).toMatchObject({ status, title: expect.any(String), detail: expect.any(String) })
  expect(answer.json.request_id).toBe(answer.headers.get("x-request-id"))
}

/** Sends raw bytes on a fresh connection; resolves with everything received once the server closes it. */
const raw = (port: number, text: string) =>
  new Promise<string>((resolve, reject) => {
    let received = ""
    const socket = Net.connect(port, "127.0.0.1", () => socket.write(text))
    socket.setEncoding("utf8").on("data", (chunk: string) => (received += chunk))
    socket.on("error", reject).on("close", () => resolve(received))
  })

/** The status and JSON body of a raw HTTP/1.1 answer. */
const parseRaw = (text: string) => {
  const [head = "", body = ""] = text.split("\r\n\r\n")
  const [statusLine = "", ...headers] = head.split("\r\n")
  return {
    status: Number(statusLine.split(" ")[1]),
    headers: Object.fromEntries(headers.map((h) => [h.slice(0, h.indexOf(":")).toLowerCase(), h.slice(h.indexOf(":") + 1).trim()])),
    json: JSON.parse(body)
  }
}

describe("Fallback, mounted last in a host app", () => {
  let server: Http.Server
  let origin: string
  let port: number
  let sandbox: Harness
  let router: ApplicantEventsRouter.ApplicantEventsRouter

  beforeAll(async () => {
    sandbox = await start()
    router = ApplicantEventsRouter.createApplicantEventsRouter({ runtime: servicesLayer(sandbox.sandbox), authorize })
    const app = express()
    app.route("/healthz").get((_req, res) => void res.json({ status: "ok" })).all(Fallback.methodNotAllowed("GET, HEAD"))
    app.use("/parsed", express.json({ limit: 100 }), (req, res) => void res.json(req.body))
    app.get("/broken", () => {
      throw new Error("database at /work/secret.sock is down")
    })
    app.get("/refused", (_req, _res, next) => next(Object.assign(new Error("refused"), { status: 403 })))
    app.use("/applicant-events", router)
    app.use(Fallback.notFound, Fallback.handleError)
    server = Http.createServer(app)
    server.on("clientError", Fallback.onClientError)
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    port = (server.address() as AddressInfo).port // listening on a TCP port: the address is an AddressInfo.
    origin = `http://127.0.0.1:${port}`
  })
  afterAll(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
    await router.dispose()
    await sandbox.close()
  })

  it("an unknown path, in the app or under the router, is a 404 problem, not Express's HTML page", async () => {
    for (const path of ["/nowhere", "/applicant-events/nowhere", "/%E0%A4%A"]) {
      const answer = await request(`${origin}${path}`, { headers: { "x-request-id": "req-404" } })
      expectProblem(answer, 404, "not-found")
      expect(answer.headers.get("x-request-id")).toBe("req-404")
      expect(answer.text).not.toContain("<")
    }
  })

  it("another method on a route is a 405 problem with Allow", async () => {
    const answer = await request(`${origin}/healthz`, { method: "POST", body: "{}" })
    expectProblem(answer, 405, "method-not-allowed")
    expect(answer.headers.get("allow")).toBe("GET, HEAD")
    expect((await request(`${origin}/healthz`)).status).toBe(200)
  })

  it("a malformed URL, a body the host's parser refused, a 4xx error are problems; a defect is a 500 that says nothing", async () => {
    expectProblem(await request(`${origin}/applicant-events/jobs/%E0%A4%A`), 400, "malformed-url")
    expectProblem(await request(`${origin}/parsed`, { body: "{oops" }), 400, "malformed-json")
    const large = await request(`${origin}/parsed`, { body: { text: "x".repeat(200) } })
    expectProblem(large, 413, "content-too-large")
    expect(large.json.detail).toContain("100 bytes")
    expectProblem(await request(`${origin}/refused`), 403, "bad-request")
    const broken = await request(`${origin}/broken`)
    expectProblem(broken, 500, "internal-error")
    expect(broken.text).not.toMatch(/database|secret|\/work\//)
  })

  it("a request Node's parser refuses is answered with a problem, and the connection closed", async () => {
    const garbage = parseRaw(await raw(port, "NOT HTTP AT ALL\r\n\r\n"))
    expect(garbage.status).toBe(400)
    expect(garbage.headers["content-type"]).toMatch(/^application\/problem\+json\b/)
    expect(garbage.json).toMatchObject({ type: `${PROBLEMS}bad-request`, status: 400 })
    expect(garbage.json.request_id).toBe(garbage.headers["x-request-id"])

    const huge = parseRaw(await raw(port, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`))
    expect(huge.status).toBe(431)
    expect(huge.json).toMatchObject({ type: `${PROBLEMS}header-fields-too-large`, status: 431 })
    expect((await request(`${origin}/healthz`)).status).toBe(200)
  })
})

describe("the router alone", () => {
  it("a job id that is not valid percent-encoding is a 400 problem from the router itself", async () => {
    const h = await start()
    try {
      const answer = await h.call("/jobs/%E0%A4%A")
      expectProblem(answer, 400, "malformed-url")
      expect(await h.sandbox.requests()).toEqual([])
    } finally {
      await h.close()
    }
  })
})
