import { describe, expect, it } from "@effect/vitest"
import { type ChildProcess, spawn } from "node:child_process"
import { once } from "node:events"
import * as Fs from "node:fs/promises"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { defaultSeed } from "../src/Seed.js"

const packageDir = Path.resolve(Path.dirname(fileURLToPath(import.meta.url)), "..")

/** Runs `src/bin.ts` with tsx, as `pnpm sandbox` runs the built `dist/bin.js`. */
const spawnCli = (args: ReadonlyArray<string>): ChildProcess =>
  spawn(process.execPath, ["--import", "tsx", "src/bin.ts", ...args], {
    cwd: packageDir,
    env: { ...process.env, TSX_TSCONFIG_PATH: Path.join(packageDir, "test", "tsx.tsconfig.json") },
    stdio: ["ignore", "pipe", "pipe"]
  })

const collect = (stream: NodeJS.ReadableStream | null) => {
  let text = ""
  stream?.setEncoding("utf8")
  stream?.on("data", (chunk: string) => {
    text += chunk
  })
  return () => text
}

/**
 * Waits until stdout holds both variables. Starting under tsx on a loaded
 * two-core machine (the suite's other files run beside it) can take many
 * seconds, so the wait is generous.
 */
const variables = async (stdout: () => string, child: ChildProcess): Promise<Record<string, string>> => {
  for (let i = 0; i < 1_200 && child.exitCode === null; i++) {
    const found = Object.fromEntries(
      stdout().split("\n").flatMap((line) => {
        const m = /^(PROPEXO_BASE_URL|PROPEXO_TOKEN)=(.+)$/.exec(line)
        return m === null ? [] : [[m[1]!, m[2]!]]
      })
    )
    if (found.PROPEXO_BASE_URL !== undefined && found.PROPEXO_TOKEN !== undefined) return found
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`the sandbox printed no variables: ${stdout()}`)
}

describe("the CLI", () => {
  it("prints PROPEXO_BASE_URL and PROPEXO_TOKEN, serves the seed it was given, and exits 0 on SIGTERM", async () => {
    const dir = await Fs.mkdtemp(Path.join(Os.tmpdir(), "sandbox-cli-"))
    const seedFile = Path.join(dir, "seed.json")
    await Fs.writeFile(seedFile, JSON.stringify({ ...defaultSeed, event_types: defaultSeed.event_types.slice(0, 3) }))
    const child = spawnCli(["--rate-limit", "7", "--job-delay", "0", "--seed", seedFile])
    const stdout = collect(child.stdout)
    const stderr = collect(child.stderr)
    try {
      const vars = await variables(stdout, child)
      expect(vars.PROPEXO_BASE_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      expect(vars.PROPEXO_TOKEN).toMatch(/^sbx_[A-Za-z0-9_-]{32}$/)
      const answer = await fetch(`${vars.PROPEXO_BASE_URL}/v1/event-types/`, {
        headers: { authorization: `Bearer ${vars.PROPEXO_TOKEN}` }
      })
      expect(answer.headers.get("x-ratelimit-limit")).toBe("7")
      expect(((await answer.json()) as { meta: { total: number } }).meta.total).toBe(3)
    } finally {
      child.kill("SIGTERM")
    }
    const [code, signal] = await once(child, "exit")
    expect({ code, signal }).toEqual({ code: 0, signal: null })
    expect(stderr()).not.toContain("sbx_")
    await Fs.rm(dir, { recursive: true })
  }, 90_000)
})
