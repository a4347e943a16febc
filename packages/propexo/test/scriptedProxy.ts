import * as Effect from "effect/Effect"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"

/** Headers of one connection, which `fetch` sets again for its own. */
const HOP_BY_HOP = new Set(["host", "connection", "keep-alive", "content-length", "transfer-encoding"])

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
 * the scope.
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
        const body = Buffer.concat(chunks)
        fetch(`${target}${path}`, {
          method: req.method ?? "GET",
          headers,
          ...(body.length === 0 ? {} : { body })
        }).then(async (answer) => {
          const out: Record<string, string> = {}
          answer.headers.forEach((value, name) => {
            if (!HOP_BY_HOP.has(name)) out[name] = value
          })
          const bytes = Buffer.from(await answer.arrayBuffer())
          res.writeHead(answer.status, out)
          res.end(bytes)
        }, () => res.destroy())
      })
    })
    yield* Effect.acquireRelease(
      Effect.async<void>((resume) => {
        server.listen(0, "127.0.0.1", () => resume(Effect.void))
      }),
      () =>
        Effect.async<void>((resume) => {
          server.closeAllConnections()
          server.close(() => resume(Effect.void))
        })
    )
    // Listening on a TCP port: the address is an AddressInfo.
    const { port } = server.address() as AddressInfo
    return {
      baseUrl: `http://127.0.0.1:${port}`,
      setScript: (next: Script) =>
        Effect.sync(() => {
          script = next
        })
    }
  })
