import { describe, expect, it } from "@effect/vitest"
import * as Replays from "../src/internal/replays.js"

const WINDOW = 5 * 60_000

/** Replays on a clock the test moves. */
const replays = () => {
  let now = 1_000_000
  const memory = Replays.make<string>({ windowMillis: WINDOW, now: () => now })
  let calls = 0
  const once = (keys: ReadonlyArray<string>, signedAt?: number) =>
    memory.once(keys, signedAt, () => `answer ${++calls}`)
  return {
    once,
    size: memory.size,
    advance: (millis: number) => {
      now += millis
    },
    now: () => now
  }
}

describe("replays", () => {
  it("answer the first answer for any key the first request had, and run nothing else", () => {
    const r = replays()
    expect(r.once(["trigger 1", "signature 1"])).toEqual({ replay: false, answer: "answer 1" })
    expect(r.once(["trigger 1"])).toEqual({ replay: true, answer: "answer 1" })
    expect(r.once(["trigger 2", "signature 1"])).toEqual({ replay: true, answer: "answer 1" })
    expect(r.once(["trigger 2"])).toEqual({ replay: false, answer: "answer 2" })
    expect(r.once([])).toEqual({ replay: false, answer: "answer 3" })
  })

  it("forget a request once the window has passed its arrival, and free its memory", () => {
    const r = replays()
    r.once(["trigger 1", "signature 1"])
    r.advance(WINDOW - 1)
    expect(r.once(["trigger 1"]).replay).toBe(true)
    r.advance(1)
    expect(r.once(["trigger 1"])).toEqual({ replay: false, answer: "answer 2" })
    // The new "trigger 1" is remembered; the old "signature 1" is gone.
    expect(r.size()).toBe(1)
    r.advance(WINDOW)
    r.once(["trigger 3"])
    expect(r.size()).toBe(1)
  })

  it("remember a request signed ahead of time until the window has passed its timestamp", () => {
    const r = replays()
    r.once(["signature ahead"], r.now() + WINDOW)
    r.advance(2 * WINDOW - 1)
    expect(r.once(["signature ahead"]).replay).toBe(true)
    r.advance(1)
    expect(r.once(["signature ahead"]).replay).toBe(false)
  })

  it("stay bounded: an entry behind a longer-lived one is freed with it, within two windows of its arrival", () => {
    const r = replays()
    r.once(["ahead"], r.now() + WINDOW) // lives two windows
    for (let i = 0; i < 100; i++) r.once([`trigger ${i}`]) // each lives one
    r.advance(WINDOW)
    expect(r.once(["trigger 0"]).replay).toBe(false) // expired, though not yet freed
    r.advance(WINDOW)
    r.once(["last"])
    expect(r.size()).toBe(1)
  })
})
