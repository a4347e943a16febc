import * as ApplicantEvent from "@entrata-events/core/ApplicantEvent"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import express from "express"
import * as Zlib from "node:zlib"
import { type Answer, type Harness, notesEvent, start } from "./helpers.js"

const PROBLEMS = "https://entrata-events.dev/problems/"

const expectProblem = (answer: Answer, status: number, slug: string) => {
  expect({ status: answer.status, type: answer.json?.type }).toEqual({ status, type: `${PROBLEMS}${slug}` })
  expect(answer.headers.get("content-type")).toMatch(/^application\/problem\+json\b/)
}

const deepArray = (levels: number) => `${"[".repeat(levels)}${"]".repeat(levels)}`
const deepObject = (levels: number) => `${"{\"a\":".repeat(levels)}1${"}".repeat(levels)}`

/** `notesEvent` as JSON text with `field` set to raw JSON text. */
const withRaw = (field: string, json: string) =>
  `${JSON.stringify({ ...notesEvent, [field]: null }).replace(`"${field}":null`, `"${field}":${json}`)}`

const utf8 = (text: string) => new TextEncoder().encode(text)

/** `notesEvent` as UTF-8 bytes with `bytes` in the middle of its notes. */
const notesWithBytes = (bytes: ReadonlyArray<number>) => {
  const [before, after] = JSON.stringify({ ...notesEvent, notes: "@@" }).split("@@")
  return new Uint8Array([...utf8(before!), ...bytes, ...utf8(after!)])
}

describe("malformed bodies are 4xx problems, and the server stays up", () => {
  let h: Harness
  beforeAll(async () => {
    h = await start()
  })
  afterAll(() => h.close())

  it("an array or object 5,000 levels deep in any field, or as the body, is a 400 naming the field", async () => {
    for (const field of [...ApplicantEvent.FIELDS, "favourite_colour"]) {
      for (const deep of [deepArray(5_000), deepObject(5_000)]) {
        const answer = await h.call("/", { body: withRaw(field, deep) })
        expectProblem(answer, 400, "invalid-input")
        expect(answer.json.errors).toContainEqual({ path: field, message: expect.stringMatching(/more than 32 levels/) })
      }
    }
    const body = await h.call("/", { body: deepArray(5_000) })
    expectProblem(body, 400, "invalid-input")
    expect(body.json.errors).toEqual([{ path: "", message: expect.stringMatching(/more than 32 levels/) }])
  })

  it("a body that is not UTF-8 is a 400 that says so", async () => {
    const invalid: ReadonlyArray<ReadonlyArray<number>> = [
      [0xff], // never in UTF-8
      [0xc3], // a sequence cut short
      [0xc0, 0xaf], // an overlong "/"
      [0xed, 0xa0, 0x80] // a UTF-16 surrogate
    ]
    for (const bytes of invalid) {
      const answer = await h.call("/", { body: notesWithBytes(bytes) })
      expectProblem(answer, 400, "malformed-json")
      expect(answer.json.detail).toMatch(/not valid UTF-8/)
    }
    // The same body with the character whole is recorded.
    const whole = await h.call("/", { body: notesWithBytes([0xc3, 0xa9]) })
    expect(whole.status).toBe(202)
    expect(whole.json.sent.notes).toBe("é")
    // UTF-8 is the only charset taken.
    const utf16 = await h.call("/", { body: notesEvent, contentType: "application/json; charset=utf-16" })
    expectProblem(utf16, 415, "unsupported-media-type")
    expect(utf16.json.detail).toMatch(/UTF-8/)
    expect(await h.creates()).toHaveLength(1)
  })

  it("a body whose Content-Encoding lies is a 400 naming the encoding", async () => {
    const json = JSON.stringify(notesEvent)
    for (const encoding of ["gzip", "deflate", "br"]) {
      const answer = await h.call("/", { body: json, headers: { "content-encoding": encoding } })
      expectProblem(answer, 400, "malformed-json")
      expect(answer.json.detail).toContain(`not valid ${encoding} data`)
    }
    const truncated = Zlib.gzipSync(json).subarray(0, 20)
    expectProblem(await h.call("/", { body: truncated, headers: { "content-encoding": "gzip" } }), 400, "malformed-json")
    // Encoded as it says, it is recorded.
    const gzipped = await h.call("/", { body: Zlib.gzipSync(json), headers: { "content-encoding": "gzip" } })
    expect(gzipped.status).toBe(202)
  })

  it("1e400 (Infinity once parsed) in any field, or as the body, is a 400 naming the field", async () => {
    for (const field of ["call_duration", "event_datetime", "notes", "integration_id"]) {
      const answer = await h.call("/", { body: withRaw(field, "1e400") })
      expectProblem(answer, 400, "invalid-input")
      expect(answer.json.errors.map((e: { path: string }) => e.path)).toContain(field)
    }
    expectProblem(await h.call("/", { body: "1e400" }), 400, "invalid-input")
    expectProblem(await h.call("/", { body: "-1e400" }), 400, "invalid-input")
  })

  it("after all of them, a good event is still recorded", async () => {
    const answer = await h.call("/", { body: notesEvent })
    expect(answer.status).toBe(202)
  })
})

describe("behind the host's own parser", () => {
  it("a deep body the host parsed is refused the same way", async () => {
    const h = await start({ host: (app) => app.use(express.json({ limit: "1mb" })) })
    try {
      const answer = await h.call("/", { body: withRaw("notes", deepArray(100_000)) })
      expectProblem(answer, 400, "invalid-input")
      expect(answer.json.errors).toEqual([{ path: "notes", message: expect.stringMatching(/more than 32 levels/) }])
    } finally {
      await h.close()
    }
  })
})
