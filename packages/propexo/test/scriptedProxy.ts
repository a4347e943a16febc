import * as Effect from "effect/Effect"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"

/** Headers of one connection, which do not pass a proxy. */
const HOP_BY_HOP = new Set(["host", "connection", "keep-alive", "transfer-encoding"])

/** An answer the proxy gives instead of forwarding. */
export interface Scripted {
  readonly status: number
  readonly body: string
  readonly contentType?: string
}

/** Decides, per request, whether to answer it itself. */
export type Script = (request: { readonly method: string; readonly path: string }) => Scripted | undefined

/**
 * A reverse proxy on 127.0.0.1 in front of the simulator, for answers the
 * simulator cannot give (a 504, an undeclared status, another shape of
 * body): requests the script leaves alone go to `target` as they came,
 * Authorization included; the others get the script's answer. Closed with
 * the scope, or before by `close`.
 */
export const scriptedProxy = (target: string) =>
  Effect.gen(function*() {
    let script: Script = () => undefined
    const server = Http.createServer((req, res) => {
      const chunks: Array<Buffer> = []
      req.on("data", (chunk: Buffer) => chunks.push(chunk))
      req.on("end", () => {
        const path = req.url ?? "/"
        const scripted = script({ method: req.method ?? "GET", path })
        if (scripted !== undefined) {
          res.writeHead(scripted.status, { "content-type": scripted.contentType ?? "application/json" })
          res.end(scripted.body)
          return
        }
        const headers: Record<string, string> = {}
        for (const [name, value] of Object.entries(req.headers)) {
          if (typeof value === "string" && !HOP_BY_HOP.has(name)) headers[name] = value
        }
        // No connection kept open to the simulator, so it can close while a request is left hanging.
        const upstream = Http.request(`${target}${path}`, { method: req.method ?? "GET", headers, agent: false }, (answer) => {
          const out: Record<string, string | Array<string>> = {}
          for (const [name, value] of Object.entries(answer.headers)) {
            if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value
          }
          res.writeHead(answer.statusCode ?? 502, out)
          answer.pipe(res)
          answer.on("error", () => res.destroy())
        })
        upstream.on("error", () => res.destroy())
        res.on("close", () => upstream.destroy())
        upstream.end(Buffer.concat(chunks))
      })
    })
    const close = Effect.async<void>((resume) => {
      if (!server.listening) return resume(Effect.void)
      server.closeAllConnections()
      server.close(() => resume(Effect.void))
    })
    yield* Effect.acquireRelease(
      Effect.async<void>((resume) => {
        server.listen(0, "127.0.0.1", () => resume(Effect.void))
      }),
      () => close
    )
    // Listening on a TCP port: the address is an AddressInfo.
    const { port } = server.address() as AddressInfo
    return {
      baseUrl: `http://127.0.0.1:${port}`,
      setScript: (next: Script) =>
        Effect.sync(() => {
          script = next
        }),
      /** Stops listening: connections to it are refused from then on. */
      close
    }
  })
