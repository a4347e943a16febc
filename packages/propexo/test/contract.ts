/**
 * Propexo's published description as a contract, for the tests of this
 * package and of the simulator: the OpenAPI 3.1 file (`fixtures/`, see the
 * README there), Ajv validators (draft 2020-12, `ajv-formats`) of its
 * response schemas, answers built from those schemas (minimal and full),
 * their single-field mutations, a checker for what the simulator sends, and
 * the field lists of the Create Applicant Event page, which the file lacks.
 *
 * Plain TypeScript on purpose (no Effect, no project imports), so that the
 * simulator's tests can use it too.
 */
import addFormats from "ajv-formats"
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js"
import { createHash } from "node:crypto"
import { readFileSync, renameSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { parse } from "yaml"

// ---------------------------------------------------------------------------
// JSON
// ---------------------------------------------------------------------------

/** A JSON value. */
export type Json = null | boolean | number | string | ReadonlyArray<Json> | JsonObject

/** A JSON object. */
export interface JsonObject {
  readonly [key: string]: Json
}

/** Whether a value is a JSON object (not an array, not null). */
export const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const objectAt = (value: unknown, path: ReadonlyArray<string>): JsonObject | undefined => {
  let at = value
  for (const key of path) at = isObject(at) ? at[key] : undefined
  return isObject(at) ? at : undefined
}

// ---------------------------------------------------------------------------
// The documents
// ---------------------------------------------------------------------------

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url))

/**
 * The file, parsed. Parsing its 1.8 MB of YAML takes seconds and every test
 * file that checks answers needs it, so the result is kept as JSON in the
 * temporary directory, keyed by the file's hash: a new revision is parsed anew.
 */
const load = (): unknown => {
  const text = readFileSync(fixture("propexo-openapi.yml"), "utf8")
  const hash = createHash("sha256").update(text).digest("hex").slice(0, 32)
  const cached = join(tmpdir(), `entrata-events-propexo-openapi-${hash}.json`)
  try {
    return JSON.parse(readFileSync(cached, "utf8"))
  } catch {
    const parsed: unknown = parse(text)
    // Written whole, then renamed: test files load this in parallel.
    const partial = `${cached}.${process.pid}.${Math.random().toString(36).slice(2)}`
    writeFileSync(partial, JSON.stringify(parsed))
    renameSync(partial, cached)
    return parsed
  }
}

const loaded = load()

/** The OpenAPI document, as parsed. */
export const openapi: JsonObject = isObject(loaded) ? loaded : {}

const schemas = objectAt(openapi, ["components", "schemas"]) ?? {}
const REF = "#/components/schemas/"
const paths = objectAt(openapi, ["paths"]) ?? {}

/** The path templates of the file, e.g. `/v1/event-types/{event_type_id}`. */
export const pathTemplates: ReadonlyArray<string> = Object.keys(paths)

/** An operation of the file (`get`, `post`, … of a path template). */
export const operation = (method: string, template: string): JsonObject | undefined =>
  objectAt(paths, [template, method.toLowerCase()])

/** The names of an operation's parameters `in` the query or the path. */
export const parameterNames = (method: string, template: string, where: "query" | "path"): ReadonlyArray<string> => {
  const parameters = operation(method, template)?.parameters
  return (Array.isArray(parameters) ? parameters : [])
    .filter((p): p is JsonObject => isObject(p) && p.in === where)
    .map((p) => String(p.name))
}

const matchers = pathTemplates.map((template) => ({
  template,
  params: (template.match(/\{/g) ?? []).length,
  pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{[^}]+\}/g, "[^/]+")}$`)
}))

/** The template a concrete (still percent-encoded) path belongs to, a static one before one with parameters. */
export const templateOf = (method: string, path: string): string | undefined =>
  matchers
    .filter((m) => m.pattern.test(path) && operation(method, m.template) !== undefined)
    .sort((a, b) => a.params - b.params)[0]?.template

/** Follows `$ref`s into `components/schemas`. */
export const resolve = (schema: Json): JsonObject => {
  let at: Json = schema
  for (let depth = 0; isObject(at) && typeof at.$ref === "string"; depth++) {
    const name = at.$ref.replace(REF, "")
    if (depth > 20 || schemas[name] === undefined) throw new Error(`cannot resolve ${at.$ref}`)
    at = schemas[name]
  }
  if (!isObject(at)) throw new Error(`not a schema: ${JSON.stringify(at)}`)
  return at
}

/** A named component schema. */
export const component = (name: string): JsonObject => resolve({ $ref: `#/components/schemas/${name}` })

/** The JSON schema of an operation's answer at a status, if the file describes it. */
export const responseSchema = (method: string, template: string, status: number): JsonObject | undefined => {
  const responses = operation(method, template)?.responses
  const schema = objectAt(responses, [String(status), "content", "application/json", "schema"])
  return schema
}

// ---------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------

const ajv = new Ajv2020({ allErrors: true, allowUnionTypes: true })
addFormats.default(ajv)
// Annotations of the file that are no JSON Schema keywords.
ajv.addVocabulary(["example", "x-propexo", "x-fern-availability"])

/** The names of the component schemas a schema refers to, directly or not. */
const referenced = (schema: Json, into: Set<string> = new Set()): Set<string> => {
  if (Array.isArray(schema)) for (const item of schema) referenced(item, into)
  else if (isObject(schema)) {
    for (const [key, value] of Object.entries(schema)) {
      if (key === "$ref" && typeof value === "string" && value.startsWith(REF)) {
        const name = value.slice(REF.length)
        if (!into.has(name) && schemas[name] !== undefined) {
          into.add(name)
          referenced(schemas[name], into)
        }
      } else referenced(value, into)
    }
  }
  return into
}

/** A schema of the file made to stand alone: what it refers to under its own `$defs`. */
const standalone = (schema: JsonObject): JsonObject => {
  const defs = Object.fromEntries([...referenced(schema)].map((name) => [name, schemas[name] ?? {}]))
  const copy: unknown = JSON.parse(JSON.stringify({ ...schema, $defs: defs }).replaceAll(`"${REF}`, "\"#/$defs/"))
  return isObject(copy) ? copy : {}
}

const compiled = new Map<string, ValidateFunction>()

/** A validator of one schema of the file: the list of what is wrong, empty when the value is valid. */
export const validator = (schema: JsonObject): (value: unknown) => ReadonlyArray<string> => {
  const key = JSON.stringify(schema)
  let validate = compiled.get(key)
  if (validate === undefined) {
    validate = ajv.compile(standalone(schema))
    compiled.set(key, validate)
  }
  const check = validate
  return (value) =>
    check(value) ? [] : (check.errors ?? []).map((e) => `${e.instancePath || "the answer"} ${e.message ?? "is invalid"}`)
}

// ---------------------------------------------------------------------------
// Answers built from a schema
// ---------------------------------------------------------------------------

/**
 * `minimal`: only required properties, `null` wherever it is allowed, the
 * first enum value, the smallest number; `full`: every property, never
 * `null`, the last enum value, the largest number. Arrays get one item;
 * strings are the property's name (date-times and the like a valid one).
 */
export type SampleMode = "minimal" | "full"

const typesOf = (schema: JsonObject): ReadonlyArray<string> =>
  Array.isArray(schema.type) ? schema.type.map(String) : typeof schema.type === "string" ? [schema.type] : []

const FORMATTED: Readonly<Record<string, string>> = {
  "date-time": "2026-01-15T16:30:00.000Z",
  email: "jane.doe@example.com",
  uri: "https://example.com/r/1"
}

/** An answer built from a schema of the file; see {@link SampleMode}. */
export const sample = (schema: Json, mode: SampleMode, name = "value"): Json => {
  const s = resolve(schema)
  if (Array.isArray(s.anyOf) || Array.isArray(s.oneOf) || Array.isArray(s.allOf)) {
    throw new Error(`${name}: anyOf, oneOf and allOf are not supported here`)
  }
  const types = typesOf(s)
  if (types.length === 0) return mode === "minimal" ? null : { any: "json" }
  if (mode === "minimal" && types.includes("null")) return null
  if (Array.isArray(s.enum)) return (mode === "minimal" ? s.enum[0] : s.enum[s.enum.length - 1]) ?? null
  switch (types.find((t) => t !== "null")) {
    case "object": {
      const properties = isObject(s.properties) ? s.properties : {}
      const required = Array.isArray(s.required) ? s.required.map(String) : []
      const keys = mode === "minimal" ? required : Object.keys(properties)
      return Object.fromEntries(keys.map((key) => [key, sample(properties[key] ?? {}, mode, key)]))
    }
    case "array":
      return [sample(s.items ?? {}, mode, name)]
    case "string":
      return typeof s.format === "string" ? FORMATTED[s.format] ?? name : name
    case "integer":
    case "number": {
      const min = typeof s.minimum === "number" ? s.minimum : 0
      return mode === "minimal" ? min : typeof s.maximum === "number" ? s.maximum : min + 1
    }
    case "boolean":
      return mode === "full"
    default:
      throw new Error(`${name}: type ${types.join("|")} is not supported here`)
  }
}

/** One change to an answer, and where. */
export interface Mutation {
  readonly label: string
  readonly value: Json
}

/** A copy of `root` with `f` applied to the object at `path`. */
const changed = (root: Json, path: ReadonlyArray<string | number>, f: (o: Record<string, Json>) => void): Json => {
  const copy: Json = JSON.parse(JSON.stringify(root))
  let at: Json = copy
  for (const key of path) at = Array.isArray(at) ? at[Number(key)] ?? null : isObject(at) ? at[String(key)] ?? null : null
  // `at` is a plain object of the fresh copy, safe to change.
  if (isObject(at)) f(at as Record<string, Json>)
  return copy
}

/**
 * Every single change of an answer that tells whether a reader follows the
 * schema: each property of each object dropped, set to `null`, and an
 * unknown property added to each object. The schema decides which are
 * still valid; a conforming reader accepts exactly those.
 */
export const mutations = (schema: Json, value: Json): ReadonlyArray<Mutation> => {
  const out: Array<Mutation> = []
  const walk = (s: JsonObject, v: Json, path: ReadonlyArray<string | number>) => {
    const label = path.length === 0 ? "the answer" : path.join(".")
    if (Array.isArray(v)) {
      if (v.length > 0 && s.items !== undefined) walk(resolve(s.items), v[0] ?? null, [...path, 0])
      return
    }
    if (!isObject(v) || !typesOf(s).includes("object")) return
    const properties = isObject(s.properties) ? s.properties : {}
    out.push({ label: `${label}: an unknown property added`, value: changed(value, path, (o) => (o.x_not_in_the_schema = 1)) })
    for (const key of Object.keys(v)) {
      const at = path.length === 0 ? key : `${label}.${key}`
      out.push({ label: `${at}: dropped`, value: changed(value, path, (o) => delete o[key]) })
      if (v[key] !== null) out.push({ label: `${at}: null`, value: changed(value, path, (o) => (o[key] = null)) })
      const property = properties[key]
      if (property !== undefined) walk(resolve(property), v[key] ?? null, [...path, key])
    }
  }
  walk(resolve(schema), value, [])
  return out
}

// ---------------------------------------------------------------------------
// The Create Applicant Event page
// ---------------------------------------------------------------------------

const page = readFileSync(fixture("create-applicant-event-entrata.txt"), "utf8").split("\n").map((l) => l.trim())
const section = (from: string, to: string | undefined) => page.slice(page.indexOf(from) + 1, to === undefined ? undefined : page.indexOf(to))
const names = (lines: ReadonlyArray<string>) => lines.filter((l) => /^[a-z][a-z_]*$/.test(l))
const requestLines = section("This endpoint expects an object.", "Response")

/**
 * What the documentation page of `POST /v1/events/applicants/entrata/`
 * lists: the body's fields in its order, the answer's top-level fields,
 * and the fields it says call and outgoing-email event types require.
 */
export const createPage = {
  request: names(requestLines),
  response: names(section("Response", undefined)),
  requiredFor: (kind: "call" | "email outgoing") =>
    names(requestLines).filter((field) => {
      const description = requestLines[requestLines.indexOf(field) + 1] ?? ""
      return description.includes(`Required for ${kind} event types`)
    })
}

/** The path of the endpoint the file does not describe. */
export const CREATE_PATH = "/v1/events/applicants/entrata/"

// ---------------------------------------------------------------------------
// Checking what goes on the wire
// ---------------------------------------------------------------------------

/** An answer as the simulator sent it (its `onAnswer` record). */
export interface WireAnswer {
  readonly seq: number
  readonly method: string
  readonly path: string
  readonly status: number
  readonly contentType: string | undefined
  readonly body: string
  readonly outcome: "answered" | "malformed"
}

/** An answer that broke the contract, and how. */
export interface Violation {
  readonly seq: number
  readonly answer: string
  readonly problems: ReadonlyArray<string>
}

/**
 * Where an answer's shape comes from: `openapi` (the file describes that
 * status of that operation), `page` (the create's 200, from its page) or
 * `inferred` (every other error status, and every status of the create:
 * the 400 body's shape, which the file gives for 400 only).
 */
export type Source = "openapi" | "page" | "inferred"

const errorResponse = component("errorResponse")

const createAnswer = (json: unknown): ReadonlyArray<string> => {
  if (!isObject(json)) return ["the answer is not an object"]
  const keys = Object.keys(json).sort()
  const problems = keys.join() === [...createPage.response].sort().join()
    ? []
    : [`has fields ${keys.join(", ")}, the page lists ${createPage.response.join(", ")}`]
  const meta = json.meta
  if (!isObject(meta) || typeof meta.job_id !== "string") problems.push("meta.job_id is not a string")
  if (!isObject(json.result)) problems.push("result is not an object")
  return problems
}

/**
 * Holds every answer against the contract: `onAnswer` is the simulator's
 * hook; `take` hands over (and forgets) the violations seen; `checked`
 * lists what was checked, as `METHOD template status (source)`.
 */
export const answerChecker = () => {
  let violations: Array<Violation> = []
  const checked = new Set<string>()
  const onAnswer = (answer: WireAnswer): void => {
    // The malformed-JSON fault breaks the contract on purpose.
    if (answer.outcome === "malformed") return
    const template = templateOf(answer.method, answer.path)
    const described = template === undefined ? undefined : responseSchema(answer.method, template, answer.status)
    const source: Source = described !== undefined
      ? "openapi"
      : answer.path === CREATE_PATH && answer.status === 200
      ? "page"
      : "inferred"
    const name = `${answer.method} ${template ?? answer.path} ${answer.status}`
    checked.add(`${name} (${source})`)
    const problems: Array<string> = []
    if (answer.contentType?.startsWith("application/json") !== true) {
      problems.push(`content type ${answer.contentType ?? "none"}`)
    }
    let json: unknown
    try {
      json = JSON.parse(answer.body)
    } catch {
      problems.push("the body is not JSON")
    }
    if (problems.length === 0) {
      problems.push(...(source === "page" ? createAnswer(json) : validator(described ?? errorResponse)(json)))
    }
    if (problems.length > 0) {
      violations.push({ seq: answer.seq, answer: `${name}: ${answer.body.slice(0, 500)}`, problems })
    }
  }
  return {
    onAnswer,
    take: (): ReadonlyArray<Violation> => {
      const seen = violations
      violations = []
      return seen
    },
    checked: (): ReadonlyArray<string> => [...checked].sort()
  }
}
