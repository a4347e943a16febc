import { afterEach, expect } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { answerChecker } from "../../propexo/test/contract.js"
import * as Sandbox from "../src/Sandbox.js"
import { DEMO } from "../src/Seed.js"

/**
 * Every answer of the simulators these tests start, held against Propexo's
 * published OpenAPI description (and, for what it does not describe, the
 * project's inference): any test whose answers break it fails.
 */
export const contract = answerChecker()

afterEach(() => {
  expect(contract.take(), "answers that break Propexo's published contract").toEqual([])
})

/** Simulator options that hand every answer to {@link contract} too. */
export const withContract = (options: Sandbox.SandboxOptions = {}): Sandbox.SandboxOptions => ({
  ...options,
  onAnswer: (answer) => {
    contract.onAnswer(answer)
    options.onAnswer?.(answer)
  }
})

/** `Sandbox.make`, every answer checked against the contract. */
export const makeSandbox = (options: Sandbox.SandboxOptions = {}) => Sandbox.make(withContract(options))

/** An answer as plain `fetch` saw it. */
export interface Answer {
  readonly status: number
  readonly headers: Headers
  readonly text: string
  readonly json: unknown
}

export interface CallOptions {
  /** An object is sent as JSON; a string as is. */
  readonly body?: unknown
  /** Default: the sandbox's first token; `null` sends no Authorization header. */
  readonly token?: string | null
  readonly headers?: Record<string, string>
}

const parse = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** One request with plain `fetch`; fails with whatever `fetch` rejects with. */
export const attempt = (
  sandbox: Sandbox.SandboxService,
  method: string,
  path: string,
  options: CallOptions = {}
): Effect.Effect<Answer, unknown> =>
  Effect.tryPromise({
    try: async () => {
      const token = options.token === undefined ? Redacted.value(sandbox.token) : options.token
      const headers: Record<string, string> = { ...options.headers }
      if (token !== null) headers.authorization = `Bearer ${token}`
      let body: string | undefined
      if (options.body !== undefined) {
        body = typeof options.body === "string" ? options.body : JSON.stringify(options.body)
        headers["content-type"] ??= "application/json"
      }
      const response = await fetch(`${sandbox.baseUrl}${path}`, { method, headers, ...(body === undefined ? {} : { body }) })
      const text = await response.text()
      return { status: response.status, headers: response.headers, text, json: parse(text) }
    },
    catch: (error) => error
  })

/** One request that must get an answer. */
export const call = (
  sandbox: Sandbox.SandboxService,
  method: string,
  path: string,
  options: CallOptions = {}
): Effect.Effect<Answer> => Effect.orDie(attempt(sandbox, method, path, options))

export const CREATE = "/v1/events/applicants/entrata/"

/** A valid Notes event for the demo applicant. */
export const validEvent = {
  integration_id: DEMO.integrationId,
  applicant_id: DEMO.applicantId,
  application_id: DEMO.applicationId,
  event_type_id: DEMO.eventTypeIds.Notes,
  event_datetime: "2026-01-15T09:30:00-07:00",
  notes: "Asked about parking"
} as const

export const create = (sandbox: Sandbox.SandboxService, body: unknown, options: CallOptions = {}) =>
  call(sandbox, "POST", CREATE, { ...options, body })

/** The `meta.job_id` of a 200 create answer. */
export const jobIdOf = (answer: Answer): string => {
  const json = answer.json as { meta?: { job_id?: unknown } } | undefined // an answer body; checked below
  const id = json?.meta?.job_id
  if (answer.status !== 200 || typeof id !== "string") {
    throw new Error(`expected a 200 create answer, got ${answer.status} ${answer.text}`)
  }
  return id
}

/** Polls write status until the job is no longer PENDING (at most 3 s). */
export const settled = (sandbox: Sandbox.SandboxService, jobId: string): Effect.Effect<Answer> =>
  Effect.gen(function*() {
    for (let i = 0; i < 300; i++) {
      const answer = yield* call(sandbox, "GET", `/v1/admin/write-status/${jobId}`)
      if ((answer.json as { write_status?: string }).write_status !== "PENDING") return answer // a write-status body
      yield* Effect.sleep(10)
    }
    return yield* Effect.dieMessage(`job ${jobId} stayed PENDING`)
  })

/** Waits until the start of the next fixed window of `windowMs`. */
export const nextWindow = (windowMs: number) =>
  Effect.suspend(() => Effect.sleep(windowMs - (Date.now() % windowMs) + 5))

/** Makes sure at least `neededMs` are left in the current window, so a burst counts in one window. */
export const roomInWindow = (windowMs: number, neededMs: number) =>
  Effect.suspend(() => windowMs - (Date.now() % windowMs) < neededMs ? nextWindow(windowMs) : Effect.void)
