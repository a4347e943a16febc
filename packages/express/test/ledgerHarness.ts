import * as Deliverer from "@entrata-events/delivery/Deliverer"
import * as Deliveries from "@entrata-events/delivery/Deliveries"
import * as DeliveryStore from "@entrata-events/delivery/DeliveryStore"
import type { PropexoConfigOptions } from "@entrata-events/propexo/PropexoConfig"
import { Sandbox } from "@entrata-events/sandbox"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Schedule from "effect/Schedule"
import express from "express"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as ApplicantEventsRouter from "../src/ApplicantEventsRouter.js"
import { type Answer, authorize, type CallInit, listen, request, servicesLayer, tokens } from "./helpers.js"

export interface LedgerOptions {
  readonly sandbox?: Sandbox.SandboxOptions
  /** `false`: no deliverer, so deliveries stay `queued`. */
  readonly deliverer?: Deliverer.DelivererOptions | false
  readonly router?: Partial<Omit<ApplicantEventsRouter.BaseOptions, "runtime" | "deliveries">>
  readonly client?: Partial<PropexoConfigOptions>
}

/** The router in deliveries mode on a ledger file, its deliverer on a simulator. */
export interface Ledger {
  readonly sandbox: Sandbox.SandboxHandle
  readonly origin: string
  readonly url: string
  /** The ledger's file, in a temporary folder of its own. */
  readonly file: string
  readonly deliveries: Deliveries.DeliveriesShape
  readonly runtime: ManagedRuntime.ManagedRuntime<Deliveries.Deliveries, unknown>
  readonly call: (path: string, init?: CallInit) => Promise<Answer>
  /** `POST /` of the event as the `all` caller, unless `init` says otherwise. */
  readonly post: (body: unknown, init?: CallInit & { readonly query?: string }) => Promise<Answer>
  /** The creates the simulator received. */
  readonly creates: () => Promise<ReadonlyArray<Sandbox.RequestRecord>>
  /** Stops the router, the deliverer and the ledger (once); the file stays, for `reopen`. */
  readonly stop: () => Promise<void>
  /** Everything again on the same file and simulator. */
  readonly reopen: (options?: LedgerOptions) => Promise<Ledger>
  readonly close: () => Promise<void>
}

const mount = async (
  sandbox: Sandbox.SandboxHandle,
  dir: string,
  options: LedgerOptions
): Promise<Ledger> => {
  const file = path.join(dir, DeliveryStore.DEFAULT_FILENAME)
  // No retries of the client's own, so that outages show at once.
  const client = servicesLayer(sandbox, { readRetry: Schedule.stop, connectRetry: Schedule.stop, ...options.client })
  const ledger = Deliveries.layer().pipe(
    Layer.provideMerge(DeliveryStore.layer({ filename: file })),
    Layer.provideMerge(client)
  )
  const live = options.deliverer === false
    ? ledger
    : Layer.provideMerge(
      Deliverer.layer({
        confirmAfter: "50 millis",
        backoff: "50 millis",
        maxBackoff: "200 millis",
        ...options.deliverer
      }),
      ledger
    )
  const runtime = ManagedRuntime.make(live)
  const deliveries = await runtime.runPromise(Deliveries.Deliveries)
  const router = ApplicantEventsRouter.createApplicantEventsRouter({
    runtime,
    deliveries,
    authorize,
    ...options.router
  })
  const app = express()
  app.use("/applicant-events", router)
  const server = await listen(app)
  const url = `${server.origin}/applicant-events`
  let stopped: Promise<void> | undefined
  const stop = () =>
    stopped ??= (async () => {
      await server.close()
      await router.dispose()
      await runtime.dispose()
    })()
  return {
    sandbox,
    origin: server.origin,
    url,
    file,
    deliveries,
    runtime,
    call: (path, init) => request(`${url}${path}`, init),
    post: (body, init = {}) => request(`${url}/${init.query ?? ""}`, { ...init, body, method: "POST" }),
    creates: async () =>
      (await sandbox.requests()).filter((r) => r.method === "POST" && r.path === "/v1/events/applicants/entrata/"),
    stop,
    reopen: (again = {}) => mount(sandbox, dir, again),
    close: async () => {
      await stop()
      await sandbox.close()
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }
}

/** A simulator, a ledger file in a temporary folder, and the router in deliveries mode on them. */
export const startLedger = async (options: LedgerOptions = {}): Promise<Ledger> => {
  const sandbox = await Sandbox.startSandbox({ jobDelay: 0, slowDownDelay: 0, ...options.sandbox })
  tokens.push(sandbox.token)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "express-deliveries-"))
  return mount(sandbox, dir, options)
}

/** Runs `f` on a ledger harness, and closes it whatever happens. */
export const withLedger = async (options: LedgerOptions, f: (ledger: Ledger) => Promise<void>) => {
  const ledger = await startLedger(options)
  try {
    await f(ledger)
  } finally {
    await ledger.close()
  }
}

/**
 * Calls `f` until it returns a value other than undefined (every 20 ms, at
 * most 20 s: a bound against hanging, not a measurement).
 */
export const eventually = async <A>(f: () => Promise<A | undefined>): Promise<A> => {
  for (const deadline = Date.now() + 20_000; Date.now() < deadline;) {
    const value = await f()
    if (value !== undefined) return value
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  throw new Error("the condition never held")
}
