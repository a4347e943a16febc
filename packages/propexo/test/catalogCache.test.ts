import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { ApplicantEvents } from "@entrata-events/core/ApplicantEvents"
import { Sandbox, Seed } from "@entrata-events/sandbox"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Schedule from "effect/Schedule"
import * as ApplicantEventsLive from "../src/ApplicantEventsLive.js"
import { EventTypeCatalog, type EventTypeCatalogOptions } from "../src/EventTypeCatalog.js"
import * as PropexoConfig from "../src/PropexoConfig.js"
import { DEMO, notesEvent } from "./helpers.js"

/** The service with these catalog options, against the simulator; no read is retried. */
const servicesWith = (sandbox: Sandbox.SandboxService, catalog: EventTypeCatalogOptions, lines: Array<string> = []) =>
  ApplicantEventsLive.layer({ catalog }).pipe(
    Layer.provide(PropexoConfig.layer({ token: sandbox.token, baseUrl: sandbox.baseUrl, readRetry: Schedule.recurs(0) })),
    Layer.provide(NodeHttpClient.layerUndici),
    Layer.provideMerge(Logger.replace(Logger.defaultLogger, Logger.make(({ message }) => lines.push(String(message)))))
  )

const catalogReads = (sandbox: Sandbox.SandboxService) =>
  Effect.map(sandbox.requests, (requests) =>
    requests.filter((r) => r.path.startsWith("/v1/event-types/")).map((r) => `${r.path.slice(16)} ${r.status}`))

const kindOf = (id: string) => Effect.flatMap(EventTypeCatalog, (catalog) => catalog.kindOf(id))

const UNKNOWN = "cmnosuchtype00000000000000"

describe("the catalog's by-id cache", () => {
  it.scopedLive("remembers an unknown event type id as unknown: asking again spends no quota until that time is over", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.make({ jobDelay: 0 })
      yield* Effect.gen(function*() {
        const events = yield* ApplicantEvents
        for (let i = 0; i < 5; i++) {
          const error = yield* Effect.flip(events.create({ ...notesEvent, event_type_id: UNKNOWN }))
          expect(error).toMatchObject({ _tag: "InvalidApplicantEvent", issues: [{ path: "event_type_id" }] })
        }
        expect(yield* catalogReads(sandbox)).toEqual([`${UNKNOWN} 404`])
        yield* Effect.sleep("400 millis")
        yield* Effect.flip(events.create({ ...notesEvent, event_type_id: UNKNOWN }))
        expect(yield* catalogReads(sandbox)).toEqual([`${UNKNOWN} 404`, `${UNKNOWN} 404`])
      }).pipe(Effect.provide(servicesWith(sandbox, { unknownTimeToLive: "300 millis" })))
      expect(yield* sandbox.requests).toHaveLength(2)
    }))

  it.scopedLive("by default for a minute: ids sent again and again cost one read each", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.make({ jobDelay: 0 })
      const ids = Array.from({ length: 5 }, (_, i) => `cmnosuchtype0000000000000${i}`)
      yield* Effect.forEach([1, 2, 3], () => Effect.forEach(ids, (id) => Effect.flip(kindOf(id)))).pipe(
        Effect.provide(servicesWith(sandbox, {}))
      )
      expect(yield* catalogReads(sandbox)).toEqual(ids.map((id) => `${id} 404`))
    }))

  it.scopedLive("does not keep other failures: the next read asks Propexo again", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.make({ jobDelay: 0 })
      yield* Effect.gen(function*() {
        yield* sandbox.setFaults({ serverErrorShare: 1, serverErrorStatuses: [503] })
        expect(yield* Effect.flip(kindOf(DEMO.eventTypeIds.Notes))).toMatchObject({ _tag: "PropexoUnavailable" })
        yield* sandbox.clearFaults
        expect(yield* kindOf(DEMO.eventTypeIds.Notes)).toBe("other")
      }).pipe(Effect.provide(servicesWith(sandbox, {})))
      const id = DEMO.eventTypeIds.Notes
      expect(yield* catalogReads(sandbox)).toEqual([`${id} 503`, `${id} 200`])
    }))

  it.scopedLive("a refresh that fails keeps serving the last good answer, for staleTimeToLive, then asks again", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.make({ jobDelay: 0 })
      const lines: Array<string> = []
      const id = DEMO.eventTypeIds["Call-Outgoing"]
      yield* Effect.gen(function*() {
        expect(yield* kindOf(id)).toBe("call")
        yield* Effect.sleep("250 millis") // past timeToLive
        yield* sandbox.setFaults({ serverErrorShare: 1, serverErrorStatuses: [502] })
        expect(yield* kindOf(id)).toBe("call")
        expect(yield* kindOf(id)).toBe("call")
        expect(yield* catalogReads(sandbox)).toEqual([`${id} 200`, `${id} 502`])
        yield* sandbox.clearFaults
        yield* Effect.sleep("350 millis") // past staleTimeToLive
        expect(yield* kindOf(id)).toBe("call")
        expect(yield* catalogReads(sandbox)).toEqual([`${id} 200`, `${id} 502`, `${id} 200`])
      }).pipe(Effect.provide(servicesWith(sandbox, { timeToLive: "200 millis", staleTimeToLive: "300 millis" }, lines)))
      expect(lines.filter((l) => l.startsWith("Serving the last good answer"))).toEqual([
        `Serving the last good answer for event type ${id}: Propexo is unavailable: HTTP 502: Bad gateway`
      ])
    }))

  it.scopedLive("a 404 on refresh is Propexo's answer, not a failure: the event type is unknown from then on", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.make({ jobDelay: 0 })
      const id = DEMO.eventTypeIds.Notes
      yield* Effect.gen(function*() {
        expect(yield* kindOf(id)).toBe("other")
        const seed = yield* sandbox.seed
        yield* sandbox.setSeed({ ...seed, event_types: seed.event_types.filter((t) => t.id !== id) })
        yield* Effect.sleep("250 millis") // past timeToLive
        expect(yield* Effect.flip(kindOf(id))).toMatchObject({ _tag: "PropexoNotFound" })
        expect(yield* Effect.flip(kindOf(id))).toMatchObject({ _tag: "PropexoNotFound" })
      }).pipe(Effect.provide(servicesWith(sandbox, { timeToLive: "200 millis" })))
      expect(yield* catalogReads(sandbox)).toEqual([`${id} 200`, `${id} 404`])
      expect(Seed.defaultSeed.event_types.some((t) => t.id === id)).toBe(true)
    }))
})
