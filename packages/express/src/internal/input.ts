/**
 * From a parsed JSON body to an applicant event: wall-clock date-times are
 * read in the router's time zone, then the core validates everything, and
 * every problem is reported at once.
 */
import * as ApplicantEvent from "@entrata-events/core/ApplicantEvent"
import * as MountainTime from "@entrata-events/core/MountainTime"
import * as Either from "effect/Either"
import { type Issue, InvalidInput } from "./failures.js"

const DATE_TIME_FIELDS = ["event_datetime", "appointment_datetime"] as const

const isRecord = (u: unknown): u is Readonly<Record<string, unknown>> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

const show = (text: string): string => JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text)

const issueOf = (path: string, error: MountainTime.MountainTimeError, timeZone: string): Issue => {
  switch (error._tag) {
    case "NonexistentLocalTime":
    case "AmbiguousLocalTime":
      return {
        path,
        message: error.message,
        candidates: error.candidates.map((instant) => MountainTime.formatIn(instant, timeZone))
      }
    case "InvalidWallClock":
      return {
        path,
        message: `must be an ISO 8601 date-time with an offset (2026-11-28T14:30:00-07:00) or a wall-clock time in ${
          timeZone
        } (2026-11-28T14:30:00), got ${show(error.input)}: it ${error.reason}`
      }
    case "UnknownTimeZone":
      // The zone was checked when the router was made.
      return { path, message: error.message }
  }
}

/**
 * How deep arrays and objects may nest in a body. An event's fields are
 * text, numbers and booleans; the bound keeps a pathological body away
 * from everything that would walk it.
 */
const MAX_DEPTH = 32

// Iterative, so that no body can exhaust the stack.
const nestedTooDeep = (value: unknown): boolean => {
  const pending: Array<readonly [unknown, number]> = [[value, 1]]
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [item, depth] = next
    if (typeof item !== "object" || item === null) continue
    if (depth > MAX_DEPTH) return true
    for (const child of Object.values(item)) pending.push([child, depth + 1])
  }
  return false
}

const TOO_DEEP = `nests arrays or objects more than ${MAX_DEPTH} levels deep`

const nestingIssues = (body: unknown): ReadonlyArray<Issue> => {
  if (!isRecord(body)) return nestedTooDeep(body) ? [{ path: "", message: TOO_DEEP }] : []
  return Object.entries(body).filter(([, value]) => nestedTooDeep(value)).map(([path]) => ({ path, message: TOO_DEEP }))
}

const order = new Map<string, number>(ApplicantEvent.FIELDS.map((field, index) => [field, index]))
const rank = (issue: Issue): number => issue.path === "" ? -1 : order.get(issue.path.split(".")[0] ?? "") ?? order.size

/**
 * The trimmed `integration_id` of a body, when it has a textual one.
 */
export const integrationOf = (body: unknown): string | undefined =>
  isRecord(body) && typeof body.integration_id === "string" ? body.integration_id.trim() : undefined

/**
 * The applicant event a JSON body describes. Date-time strings without an
 * offset are wall-clock times in `timeZone`; a time the clocks skip or
 * repeat is refused (by default) with the instants it could mean.
 */
export const toEvent = (
  body: unknown,
  options: { readonly timeZone: string; readonly disambiguation: MountainTime.Disambiguation }
): Either.Either<ApplicantEvent.ApplicantEvent, InvalidInput> => {
  const [tooDeep, ...alsoTooDeep] = nestingIssues(body)
  if (tooDeep !== undefined) return Either.left(new InvalidInput({ issues: [tooDeep, ...alsoTooDeep] }))
  let input = body
  const timeIssues: Array<Issue> = []
  if (isRecord(body)) {
    const resolved: Record<string, unknown> = { ...body }
    for (const field of DATE_TIME_FIELDS) {
      const text = body[field]
      if (typeof text !== "string") continue
      const instant = MountainTime.parse(text, options)
      if (Either.isRight(instant)) resolved[field] = instant.right
      else timeIssues.push(issueOf(field, instant.left, options.timeZone))
    }
    input = resolved
  }
  const decoded = ApplicantEvent.decode(input)
  if (Either.isRight(decoded) && timeIssues.length === 0) return Either.right(decoded.right)
  // The core's complaint about a date-time this module already explained
  // ("has no UTC offset") would only contradict the explanation.
  const explained = new Set(timeIssues.map((issue) => issue.path))
  const coreIssues = Either.isLeft(decoded) ? decoded.left.issues.filter((issue) => !explained.has(issue.path)) : []
  const [first, ...rest] = [...coreIssues, ...timeIssues].sort((a, b) => rank(a) - rank(b))
  // At least one of the two lists is non-empty here.
  return Either.left(new InvalidInput({ issues: [first!, ...rest] }))
}
