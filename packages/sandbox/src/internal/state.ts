/**
 * The simulator's in-memory world. Every method is synchronous: the server
 * runs on one thread, so a method runs to its end before any other request
 * touches the state, which is all the guarding plain maps need.
 */
import type * as PropexoApi from "@entrata-events/propexo/PropexoApi"
import type { NonEmptyReadonlyArray } from "effect/Array"
import * as Redacted from "effect/Redacted"
import type { FaultSettings, FaultState } from "../Faults.js"
import type {
  AnswerRecord,
  JobRecord,
  QuotaRecord,
  RequestRecord,
  SandboxToken
} from "../Records.js"
import type { Seed } from "../Seed.js"
import { cuid, sameSecret } from "./ids.js"
import { recordedEvent, refusals } from "./pms.js"

/** The simulator's resolved options. @internal */
export interface Settings {
  readonly tokens: NonEmptyReadonlyArray<SandboxToken>
  readonly rateLimit: number
  readonly windowMs: number
  readonly slowDownDelayMs: number
  readonly jobDelayMs: number
  readonly jobTtlMs: number
  readonly maxRequests: number
  readonly maxEvents: number
  readonly seed: Seed
  readonly onAnswer: ((answer: AnswerRecord) => void) | undefined
}

/** The share of the quota after which every answer is slowed down. @internal */
export const SLOW_DOWN_AT = 0.8

interface Job {
  readonly id: string
  readonly token: string
  status: PropexoApi.WriteStatusValue
  errors: ReadonlyArray<string>
  readonly body: Readonly<Record<string, unknown>>
  readonly mountainTime: Readonly<Record<string, boolean>>
  readonly attempts: number
  readonly retryOf: string | null
  readonly createdAt: number
  updatedAt: number
  eventId: string | null
  /** Its write log once it ran (a pending job has none). */
  log: PropexoApi.WriteLog | null
}

/** A request's place in its token's window. @internal */
export interface Quota {
  readonly limit: number
  readonly remaining: number
  readonly exceeded: boolean
  readonly slowed: boolean
}

const iso = (epochMs: number) => new Date(epochMs).toISOString()

/** What the write logs call a create's job (Propexo's own names are not documented). */
const JOB_TYPE = "CREATE_APPLICANT_EVENT"
const JOB_NAME = "Create Applicant Event: Entrata"

const toJobRecord = (job: Job): JobRecord => ({
  id: job.id,
  token: job.token,
  status: job.status,
  errors: job.errors,
  body: job.body,
  mountainTime: job.mountainTime,
  attempts: job.attempts,
  retryOf: job.retryOf,
  createdAt: iso(job.createdAt),
  updatedAt: iso(job.updatedAt),
  eventId: job.eventId
})

/** The simulator's world; see the module comment. @internal */
export class State {
  seed: Seed
  private readonly quotas = new Map<string, { windowStart: number; used: number }>()
  private readonly jobs = new Map<string, Job>()
  private readonly events = new Map<string, PropexoApi.EventRecord>()
  private log: Array<RequestRecord> = []
  private faults: { global: FaultSettings; byToken: Map<string, FaultSettings> } = {
    global: {},
    byToken: new Map()
  }
  private sequence = 0
  private entrataEventId = 880_000

  constructor(readonly settings: Settings) {
    this.seed = settings.seed
  }

  /** The token a bearer `Authorization` header names, if any. */
  authenticate(authorization: string | undefined): SandboxToken | undefined {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "")
    if (match === null) return undefined
    const presented = match[1] ?? ""
    return this.settings.tokens.find((t) => sameSecret(Redacted.value(t.token), presented))
  }

  /** Counts one request against a token's fixed window, aligned on multiples of its length since the epoch. */
  consume(token: string, now: number): Quota {
    const { rateLimit: limit, windowMs } = this.settings
    const windowStart = now - (now % windowMs)
    let quota = this.quotas.get(token)
    if (quota === undefined || quota.windowStart !== windowStart) {
      quota = { windowStart, used: 0 }
      this.quotas.set(token, quota)
    }
    quota.used += 1
    const exceeded = quota.used > limit
    return {
      limit,
      remaining: Math.max(0, limit - quota.used),
      exceeded,
      slowed: !exceeded && quota.used - 1 >= SLOW_DOWN_AT * limit
    }
  }

  quotaRecords(now: number): ReadonlyArray<QuotaRecord> {
    const { rateLimit: limit, windowMs } = this.settings
    const windowStart = now - (now % windowMs)
    return this.settings.tokens.map(({ name }) => {
      const quota = this.quotas.get(name)
      const used = quota !== undefined && quota.windowStart === windowStart ? quota.used : 0
      return {
        token: name,
        limit,
        used,
        remaining: Math.max(0, limit - used),
        windowStart: iso(windowStart),
        windowEnd: iso(windowStart + windowMs)
      }
    })
  }

  // -------------------------------------------------------------------------
  // Faults
  // -------------------------------------------------------------------------

  faultsFor(token: string): FaultSettings {
    return this.faults.byToken.get(token) ?? this.faults.global
  }

  setFaults(faults: FaultSettings, token: string | undefined): void {
    if (token === undefined) this.faults.global = faults
    else this.faults.byToken.set(token, faults)
  }

  clearFaults(): void {
    this.faults = { global: {}, byToken: new Map() }
  }

  faultState(): FaultState {
    return { global: this.faults.global, tokens: Object.fromEntries(this.faults.byToken) }
  }

  // -------------------------------------------------------------------------
  // Request log
  // -------------------------------------------------------------------------

  nextSequence(): number {
    return ++this.sequence
  }

  record(entry: RequestRecord): void {
    this.log.push(entry)
    const excess = this.log.length - this.settings.maxRequests
    if (excess > 0) this.log.splice(0, excess)
  }

  requests(): ReadonlyArray<RequestRecord> {
    return this.log.slice()
  }

  // -------------------------------------------------------------------------
  // Jobs and the PMS
  // -------------------------------------------------------------------------

  createJob(
    token: string,
    body: Readonly<Record<string, unknown>>,
    mountainTime: Readonly<Record<string, boolean>>,
    now: number,
    retried?: Job
  ): string {
    this.expire(now)
    const id = cuid()
    this.jobs.set(id, {
      id,
      token,
      status: "PENDING",
      errors: [],
      body,
      mountainTime,
      attempts: retried === undefined ? 1 : retried.attempts + 1,
      retryOf: retried?.id ?? null,
      createdAt: now,
      updatedAt: now,
      eventId: null,
      log: null
    })
    return id
  }

  job(id: string, now: number): JobRecord | undefined {
    this.expire(now)
    const job = this.jobs.get(id)
    return job === undefined ? undefined : toJobRecord(job)
  }

  jobRecords(now: number): ReadonlyArray<JobRecord> {
    this.expire(now)
    return Array.from(this.jobs.values(), toJobRecord)
  }

  /** Queues a new job that runs a failed job's body again; its id, or `undefined` for a job that has not failed. */
  retry(id: string, now: number): string | undefined {
    const job = this.jobs.get(id)
    if (job === undefined || job.status !== "FAILURE") return undefined
    return this.createJob(job.token, job.body, job.mountainTime, now, job)
  }

  /** Runs a pending job against the PMS: it records the event or fails with the PMS's messages. */
  settle(id: string, now: number): void {
    const job = this.jobs.get(id)
    if (job === undefined || job.status !== "PENDING") return
    const errors = refusals(this.seed, job.body)
    job.updatedAt = now
    job.errors = errors
    job.status = errors.length > 0 ? "FAILURE" : "SUCCESS"
    job.log = {
      id: cuid(),
      created_at: iso(now),
      job_id: job.id,
      job_log_id: cuid(),
      status: job.status,
      integration_id: String(job.body.integration_id),
      job_type: JOB_TYPE,
      parameters: job.body,
      error: errors.length > 0 ? errors.join("; ") : null,
      name: JOB_NAME,
      vendor: "ENTRATA"
    }
    if (errors.length > 0) return
    const event = recordedEvent(this.seed, job.body, { id: cuid(), x_id: String(++this.entrataEventId), now: iso(now) })
    job.eventId = event.id
    this.events.set(event.id, event)
    if (this.events.size > this.settings.maxEvents) {
      const oldest = this.events.keys().next()
      if (oldest.done !== true) this.events.delete(oldest.value)
    }
  }

  eventRecords(): ReadonlyArray<PropexoApi.EventRecord> {
    return Array.from(this.events.values())
  }

  /** The write log of every job that ran, one per job, most recent first. */
  writeLogs(now: number): ReadonlyArray<PropexoApi.WriteLog> {
    this.expire(now)
    const logs: Array<PropexoApi.WriteLog> = []
    for (const job of this.jobs.values()) if (job.log !== null) logs.push(job.log)
    return logs.sort((a, b) => b.created_at.localeCompare(a.created_at))
  }

  /** Forgets jobs older than the TTL; jobs are kept in creation order, so the oldest come first. */
  private expire(now: number): void {
    for (const job of this.jobs.values()) {
      if (job.createdAt + this.settings.jobTtlMs > now) return
      this.jobs.delete(job.id)
    }
  }

  reset(): void {
    this.seed = this.settings.seed
    this.quotas.clear()
    this.jobs.clear()
    this.events.clear()
    this.log = []
    this.clearFaults()
  }
}
