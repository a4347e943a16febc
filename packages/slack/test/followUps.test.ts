import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as FollowUps from "../src/internal/followUps.js"

/** Runs `task` once its turn comes, as the command runs its work after the acknowledgement. */
const run = <A>(followUps: FollowUps.FollowUps, task: () => Promise<A>): Promise<A> =>
  Effect.runPromise(Effect.andThen(followUps.turn, () => Effect.promise(task)))

/** One turn of the event loop: resolves from the next check phase. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve))

const recording = (followUps: FollowUps.FollowUps, count: number) => {
  const started: Array<number> = []
  const results = Array.from({ length: count }, (_, i) =>
    run(followUps, async () => {
      started.push(i)
      return i * 10
    }))
  return { results, started }
}

describe("follow-ups", () => {
  it("start one per turn of the event loop, in the order they came", async () => {
    const { results, started } = recording(FollowUps.make({ maxWaitMillis: 60_000 }), 3)
    expect(started).toEqual([])
    await turn()
    expect(started).toEqual([0])
    await turn()
    expect(started).toEqual([0, 1])
    await turn()
    expect(started).toEqual([0, 1, 2])
    expect(await Promise.all(results)).toEqual([0, 10, 20])
  })

  it("start together once they have waited maxWaitMillis", async () => {
    const { results, started } = recording(FollowUps.make({ maxWaitMillis: 0 }), 3)
    await turn()
    expect(started).toEqual([0, 1, 2])
    await Promise.all(results)
  })

  it("let requests that arrived meanwhile be read before the next one starts", async () => {
    const followUps = FollowUps.make({ maxWaitMillis: 60_000 })
    const log: Array<string> = []
    const server = http.createServer((request, response) => {
      log.push(`request ${request.url}`)
      response.end()
    })
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    // A server listening on a TCP port has an AddressInfo for its address.
    const { port } = server.address() as AddressInfo
    const agent = new http.Agent({ keepAlive: true, maxSockets: 2 })
    const get = (path: string) =>
      new Promise<void>((resolve, reject) =>
        http.get({ port, path, agent }, (response) => response.resume().on("end", resolve)).on("error", reject)
      )
    // Both connections are open before the burst, so its requests leave at once.
    await Promise.all([get("/warm"), get("/warm")])
    const burst = Promise.all([get("/a"), get("/b")])
    const work = [1, 2].map((n) =>
      run(followUps, async () => {
        log.push(`follow-up ${n}`)
        // Long enough for both requests to reach the server's socket.
        const until = performance.now() + 50
        while (performance.now() < until);
      })
    )
    await Promise.all([burst, ...work])
    agent.destroy()
    server.close()
    const [first, a, b, last] = log.slice(2)
    expect([first, last]).toEqual(["follow-up 1", "follow-up 2"])
    expect([a, b].sort()).toEqual(["request /a", "request /b"])
  })

  it("a failing follow-up rejects its own promise and not the next", async () => {
    const followUps = FollowUps.make({ maxWaitMillis: 60_000 })
    const failing = run(followUps, () => Promise.reject(new Error("boom")))
    const throwing = run(followUps, (): Promise<number> => {
      throw new Error("thrown")
    })
    const next = run(followUps, async () => 42)
    await expect(failing).rejects.toThrow("boom")
    await expect(throwing).rejects.toThrow("thrown")
    expect(await next).toBe(42)
  })
})
