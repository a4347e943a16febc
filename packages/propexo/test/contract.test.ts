/**
 * The client against Propexo's published OpenAPI description (see
 * `contract.ts` and `fixtures/README.md`): every answer the file allows for
 * an endpoint the client uses decodes, every answer it forbids does not,
 * and the client's services work against a Propexo that sends the least the
 * file promises. The create endpoint, absent from the file, is held against
 * its documentation page.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpApiClient from "@effect/platform/HttpApiClient"
import { describe, expect, it } from "@effect/vitest"
import * as ApplicantEvent from "@entrata-events/core/ApplicantEvent"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as AST from "effect/SchemaAST"
import * as Schema from "effect/Schema"
import * as Http from "node:http"
import type * as Net from "node:net"
import { EventTypeCatalog } from "../src/EventTypeCatalog.js"
import * as PropexoApi from "../src/PropexoApi.js"
import { PropexoClient } from "../src/PropexoClient.js"
import { WriteStatus } from "../src/WriteStatus.js"
import {
  CREATE_PATH,
  createPage,
  type Json,
  mutations,
  operation,
  resolve as resolveObject,
  parameterNames,
  responseSchema,
  sample,
  type SampleMode,
  templateOf,
  validator
} from "./contract.js"
import { clientLayer } from "./helpers.js"

// ---------------------------------------------------------------------------
// The endpoints of PropexoApi, with what the file says of each
// ---------------------------------------------------------------------------

const names = (schema: Option.Option<Schema.Schema.AnyNoContext>): ReadonlyArray<string> =>
  Option.match(schema, {
    onNone: () => [],
    onSome: (s) => AST.getPropertySignatures(s.ast).map((p) => String(p.name))
  })

const endpoints = Object.values(PropexoApi.PropexoApi.groups).flatMap((group) =>
  Object.values(group.endpoints).map((endpoint) => {
    const template = endpoint.path.replace(/:(\w+)/g, "{$1}")
    return {
      name: `${group.identifier}.${endpoint.name}`,
      method: endpoint.method,
      template,
      inFile: operation(endpoint.method, template) !== undefined,
      decode: Schema.decodeUnknownEither(endpoint.successSchema),
      query: names(endpoint.urlParamsSchema),
      pathParams: names(endpoint.pathSchema)
    }
  })
)

const described = endpoints.flatMap((endpoint) => {
  const schema = responseSchema(endpoint.method, endpoint.template, 200)
  return endpoint.inFile && schema !== undefined ? [{ ...endpoint, schema }] : []
})

const MODES: ReadonlyArray<SampleMode> = ["minimal", "full"]

/** The single-field changes of an answer on which a reader and the schema disagree. */
const disagreements = (
  schema: Parameters<typeof mutations>[0],
  answer: Json,
  decode: (u: unknown) => Either.Either<unknown, unknown>
) => {
  const valid = validator(resolveObject(schema))
  return mutations(schema, answer).flatMap(({ label, value }) => {
    const schemaSays = valid(value).length === 0
    return schemaSays === Either.isRight(decode(value))
      ? []
      : [`${label}: the schema ${schemaSays ? "accepts it, the client refuses it" : "refuses it, the client accepts it"}`]
  })
}

describe("PropexoApi against Propexo's OpenAPI description", () => {
  it("uses only endpoints the file describes, the create apart, with its path and parameter names", () => {
    expect(endpoints.filter((e) => !e.inFile).map((e) => `${e.method} ${e.template}`)).toEqual([
      `POST ${CREATE_PATH}`
    ])
    expect(described.map((e) => e.name).sort()).toEqual([
      "admin.retryWrite",
      "admin.writeLogs",
      "admin.writeStatus",
      "eventResults.get",
      "eventResults.list",
      "eventSubTypes.get",
      "eventSubTypes.list",
      "eventTypes.get",
      "eventTypes.list",
      "events.list"
    ])
    for (const e of described) {
      expect(e.pathParams, e.name).toEqual(parameterNames(e.method, e.template, "path"))
      const documented = parameterNames(e.method, e.template, "query")
      expect(e.query.filter((name) => !documented.includes(name)), e.name).toEqual([])
    }
  })

  describe.each(described)("$method $template", (endpoint) => {
    const valid = validator(endpoint.schema)

    it.each(MODES)("decodes the %s answer built from the schema to exactly that answer", (mode) => {
      const answer = sample(endpoint.schema, mode)
      expect(valid(answer)).toEqual([])
      expect(endpoint.decode(answer)).toEqual(Either.right(answer))
    })

    it.each(MODES)("accepts exactly the changes of the %s answer that the schema accepts", (mode) => {
      const answer = sample(endpoint.schema, mode)
      expect(mutations(endpoint.schema, answer).length).toBeGreaterThan(3)
      expect(disagreements(endpoint.schema, answer, endpoint.decode)).toEqual([])
    })
  })

  it("tells a reader that ignores a required field, or refuses a null the file allows", () => {
    const schema = responseSchema("get", "/v1/admin/write-status/{root_job_id}", 200)!
    const answer = sample(schema, "minimal")
    const lenient = Schema.decodeUnknownEither(PropexoApi.WriteStatus.omit("created_record_id"))
    expect(disagreements(schema, answer, lenient)).toEqual([
      "created_record_id: dropped: the schema refuses it, the client accepts it"
    ])
    const strict = Schema.decodeUnknownEither(
      Schema.Struct({ ...PropexoApi.WriteStatus.fields, created_record_id: Schema.String })
    )
    expect(disagreements(schema, sample(schema, "full"), strict)).toEqual([
      "created_record_id: null: the schema accepts it, the client refuses it"
    ])
  })
})

// ---------------------------------------------------------------------------
// A Propexo on loopback that answers what it is told
// ---------------------------------------------------------------------------

/** A server answering each endpoint (`METHOD template`) with the JSON given, and 404 to anything else. */
const fixedPropexo = (answers: (key: string, url: URL) => Json | undefined) =>
  Effect.acquireRelease(
    Effect.async<{ readonly server: Http.Server; readonly baseUrl: string; readonly seen: Array<string> }>((resume) => {
      const seen: Array<string> = []
      const server = Http.createServer((request, response) => {
        const url = new URL(request.url ?? "/", "http://propexo.invalid")
        const template = templateOf(request.method ?? "GET", url.pathname)
        const key = `${request.method} ${template ?? url.pathname}`
        seen.push(`${request.method} ${url.pathname}${url.search}`)
        const body = answers(key, url)
        request.resume()
        response.writeHead(body === undefined ? 404 : 200, { "content-type": "application/json" })
        response.end(JSON.stringify(body ?? { error: { code: "not_found", message: key } }))
      })
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as Net.AddressInfo // listening on TCP
        resume(Effect.succeed({ server, baseUrl: `http://127.0.0.1:${port}`, seen }))
      })
    }),
    ({ server }) =>
      Effect.async<void>((resume) => {
        server.close(() => resume(Effect.void))
      })
  )

/** The answer of every described endpoint, built from its schema. */
const answersIn = (mode: SampleMode) => {
  const byKey = new Map(described.map((e) => [`${e.method} ${e.template}`, sample(e.schema, mode)]))
  return (key: string) => byKey.get(key)
}

describe("the client against a Propexo that sends answers built from the schema", () => {
  it.scopedLive.each(MODES)("decodes the %s answer of every endpoint it uses, over HTTP", (mode) =>
    Effect.gen(function*() {
      const propexo = yield* fixedPropexo(answersIn(mode))
      const client = yield* HttpApiClient.make(PropexoApi.PropexoApi, { baseUrl: propexo.baseUrl })
      const id = "cm0000000000000000000000a"
      const calls = {
        "eventTypes.list": client.eventTypes.list({ urlParams: {} }),
        "eventTypes.get": client.eventTypes.get({ path: { event_type_id: id } }),
        "eventSubTypes.list": client.eventSubTypes.list({ urlParams: {} }),
        "eventSubTypes.get": client.eventSubTypes.get({ path: { event_sub_type_id: id } }),
        "eventResults.list": client.eventResults.list({ urlParams: {} }),
        "eventResults.get": client.eventResults.get({ path: { event_result_id: id } }),
        "admin.writeStatus": client.admin.writeStatus({ path: { root_job_id: id } }),
        "admin.retryWrite": client.admin.retryWrite({ path: { root_job_id: id } }),
        "admin.writeLogs": client.admin.writeLogs({ urlParams: {} }),
        "events.list": client.events.list({ urlParams: {} })
      } as const
      expect(Object.keys(calls).sort()).toEqual(described.map((e) => e.name).sort())
      for (const endpoint of described) {
        const call: Effect.Effect<unknown, unknown> = calls[endpoint.name as keyof typeof calls] // checked just above
        expect(yield* call, endpoint.name).toEqual(sample(endpoint.schema, mode))
      }
      expect(propexo.seen).toHaveLength(described.length)
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it.scopedLive("reads the catalog, resolves a name, and follows writes, from minimal answers only", () =>
    Effect.gen(function*() {
      const propexo = yield* fixedPropexo(answersIn("minimal"))
      const program = Effect.gen(function*() {
        const catalog = yield* EventTypeCatalog
        const writes = yield* WriteStatus
        const client = yield* PropexoClient
        // What `/readyz` asks.
        const ready = yield* client.read("listEventTypes", "event types", (api) =>
          api.eventTypes.list({ urlParams: { limit: 1 } }))
        expect(ready.meta).toEqual({ orderBy: [{}] })
        const scope = { integration_id: "integration_id" }
        expect(yield* catalog.eventTypes(scope)).toHaveLength(1)
        expect(yield* catalog.resolve("name", scope)).toMatchObject({ name: "name", code: null, last_seen: null })
        expect(yield* catalog.kindOf("cm0000000000000000000000a")).toBe("other")
        expect(yield* catalog.eventSubTypes({ ...scope, event_type_id: "t" })).toMatchObject([{ event_type_id: null }])
        expect(yield* catalog.eventResults(scope)).toMatchObject([{ associated_event_type_ids: ["associated_event_type_ids"] }])
        expect(yield* writes.awaitCompletion("job")).toEqual({ write_status: "SUCCESS", errors: ["errors"], created_record_id: null })
        // The minimal retry answer is `success: false`: nothing was queued.
        expect(yield* Effect.flip(writes.retry("job"))).toMatchObject({ _tag: "WriteNotRetried", job_id: "job", ambiguous: false })
        const logs = sample(responseSchema("get", "/v1/admin/logs/writes/", 200)!, "minimal") as {
          readonly results: { readonly logs: ReadonlyArray<Json> }
        } // the write logs' shape, as the file gives it
        expect(yield* writes.logs()).toEqual(logs.results.logs)
      })
      yield* program.pipe(Effect.provide(clientLayer({ baseUrl: propexo.baseUrl, token: Redacted.make("t") })))
      // One page each: no `hasMore`, and a page shorter than asked.
      expect(propexo.seen.filter((s) => s.startsWith("GET /v1/event-types/?"))).toHaveLength(2)
    }))

  it.scopedLive("retries a write from the full answer, and follows the new job", () =>
    Effect.gen(function*() {
      const full = answersIn("full")
      const propexo = yield* fixedPropexo((key) =>
        key === "GET /v1/admin/write-status/{root_job_id}"
          ? { write_status: "FAILURE", errors: ["Entrata: no"], created_record_id: null }
          : full(key)
      )
      const program = Effect.gen(function*() {
        const writes = yield* WriteStatus
        expect(yield* writes.retry("first")).toBe("job_id")
        const failed = yield* Effect.flip(writes.awaitCompletion("first"))
        expect(failed).toMatchObject({ _tag: "WriteFailed", job_id: "job_id", errors: ["Entrata: no"] })
      })
      yield* program.pipe(Effect.provide(clientLayer({ baseUrl: propexo.baseUrl, token: Redacted.make("t") })))
      expect(propexo.seen).toEqual(["POST /v1/admin/retry-write/first", "GET /v1/admin/write-status/job_id"])
    }))
})

// ---------------------------------------------------------------------------
// Paging
// ---------------------------------------------------------------------------

describe("paging through a list", () => {
  const record = sample(responseSchema("get", "/v1/event-types/", 200)!, "minimal") as { results: Array<Json> } // a list answer
  const eventType = record.results[0] as Record<string, Json> // an event type

  /** A list of `count` event types served `pageSize` at a time (at most what was asked), with `meta` from `metaOf`. */
  const listOf = (
    count: number,
    pageSize: number,
    metaOf: (page: { offset: number; limit: number; length: number }) => Record<string, Json>
  ) =>
  (key: string, url: URL): Json | undefined => {
    if (key !== "GET /v1/event-types/") return undefined
    const offset = Number(url.searchParams.get("offset") ?? 0)
    const limit = Math.min(pageSize, Number(url.searchParams.get("limit") ?? PropexoApi.DEFAULT_LIMIT))
    const ids = Array.from({ length: Math.max(0, Math.min(limit, count - offset)) }, (_, i) => `type-${offset + i}`)
    return { meta: { orderBy: [], ...metaOf({ offset, limit, length: ids.length }) }, results: ids.map((id) => ({ ...eventType, id })) }
  }

  const readAll = (answers: (key: string, url: URL) => Json | undefined) =>
    Effect.gen(function*() {
      const propexo = yield* fixedPropexo(answers)
      const all = yield* Effect.flatMap(EventTypeCatalog, (c) => c.eventTypes({ integration_id: "i" })).pipe(
        Effect.provide(clientLayer({ baseUrl: propexo.baseUrl, token: Redacted.make("t") }))
      )
      return { ids: all.map((t) => t.id), offsets: propexo.seen.map((s) => new URL(s.slice(4), "http://x").searchParams.get("offset")) }
    })

  it.scopedLive("without hasMore, stops at the first page shorter than the limit", () =>
    Effect.gen(function*() {
      const { ids, offsets } = yield* readAll(listOf(600, 250, () => ({})))
      expect(ids).toHaveLength(600)
      expect(new Set(ids).size).toBe(600)
      expect(offsets).toEqual(["0", "250", "500"])
      // A count that is a multiple of the page size ends on an empty page.
      expect((yield* readAll(listOf(500, 250, () => ({ hasMore: null })))).offsets).toEqual(["0", "250", "500"])
    }))

  it.scopedLive("with hasMore null, takes the limit Propexo reports, not only the one asked for", () =>
    Effect.gen(function*() {
      const { ids, offsets } = yield* readAll(listOf(230, 100, ({ limit }) => ({ limit, hasMore: null })))
      expect(ids).toHaveLength(230)
      expect(offsets).toEqual(["0", "100", "200"])
    }))

  it.scopedLive("believes hasMore when it is true or false", () =>
    Effect.gen(function*() {
      const honest = yield* readAll(listOf(300, 100, ({ length, offset }) => ({ hasMore: offset + length < 300 })))
      expect(honest.ids).toHaveLength(300)
      expect(honest.offsets).toEqual(["0", "100", "200"])
      const stops = yield* readAll(listOf(600, 250, () => ({ hasMore: false })))
      expect(stops.offsets).toEqual(["0"])
    }))
})

// ---------------------------------------------------------------------------
// The create endpoint, from its documentation page
// ---------------------------------------------------------------------------

describe("Create Applicant Event against its documentation page", () => {
  it("sends exactly the fields the page lists", () => {
    expect(createPage.request).toHaveLength(27)
    expect([...ApplicantEvent.FIELDS].sort()).toEqual([...createPage.request].sort())
  })

  it("requires of call and outgoing-email types exactly what the page says they require", () => {
    expect([...ApplicantEvent.REQUIRED_FOR_KIND.call].sort()).toEqual([...createPage.requiredFor("call")].sort())
    expect(createPage.requiredFor("call")).toHaveLength(5)
    expect(ApplicantEvent.REQUIRED_FOR_KIND["outgoing-email"]).toEqual(createPage.requiredFor("email outgoing"))
  })

  it("reads an answer with the page's fields", () => {
    const answerFields = AST.getPropertySignatures(PropexoApi.CreateApplicantEventResponse.ast).map((p) => String(p.name))
    expect(answerFields).toEqual(createPage.response)
  })
})
