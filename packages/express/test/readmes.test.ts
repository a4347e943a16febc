/**
 * Every TypeScript block of every README in the repository type-checks
 * against the packages' sources, as a reader would paste it.
 *
 * Each ` ```ts ` block becomes a module of its own, written under the
 * `build/readmes/` folder of the README's package (the root README's:
 * `packages/server`, which depends on every package), so that its imports
 * resolve as that package's own code does; `@entrata-events/*` resolves to
 * the packages' `src/`. One `tsc` run per README (TypeScript 7 is a
 * native compiler, without a JavaScript API) checks its blocks with the
 * project's strict options, and each error is reported at its README line.
 *
 * Conventions for blocks that are fragments:
 *
 * - `…` where code goes (`(e) => …`) stands for the Effect the reader
 *   writes there: it is read as an `Effect<never>`. In strings and
 *   comments it is text.
 * - The names a README's blocks take as given (the host's Express `app`,
 *   the reader's `authorize`, ids, a service) are declared for them by its
 *   entry in {@link PRELUDES} below, hidden from the reader: the prose
 *   around the blocks says where they come from. A block's own
 *   declaration of such a name wins.
 * - A block whose first line is `// @readme-skip` is not checked. None is
 *   today.
 */
import { describe, expect, it } from "@effect/vitest"
import { execFile } from "node:child_process"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

const ROOT = fileURLToPath(new URL("../../..", import.meta.url))
const SKIP = "// @readme-skip"

/**
 * Per README (by its path from the root): the names its blocks take as
 * given, declared globally for them, so that a block's own declaration
 * shadows them. Types are imported from where the README's package
 * resolves them.
 */
const PRELUDES: Readonly<Record<string, string>> = {
  "README.md": `
    const integration_id: string, applicant_id: string, application_id: string, event_type_id: string`,
  "packages/express/README.md": `
    const app: import("express").Express
    const server: import("node:http").Server
    const health: import("express").RequestHandler
    const authorize: import("@entrata-events/express").ApplicantEventsRouter.Authorize
    const callers: {
      byToken(header: string | undefined): Promise<
        { readonly name: string; readonly integrationIds: Array<string>; readonly suspended: boolean } | undefined
      >
    }`,
  "packages/propexo/README.md": `
    const events: import("effect/Context").Tag.Service<
      typeof import("@entrata-events/core/ApplicantEvents").ApplicantEvents
    >
    const input: import("@entrata-events/core/ApplicantEvent").ApplicantEventInput
    const client: import("effect/Context").Tag.Service<typeof import("@entrata-events/propexo/PropexoClient").PropexoClient>
    const path: { readonly root_job_id: string }`,
  "packages/slack/README.md": `
    const command: import("@slack/bolt").SlashCommand
    const integrationId: string, signingSecret: string, botToken: string
    const connections: { get(team: string, channel: string): string | undefined }
    const authorize: import("@entrata-events/slack").ApplicantEventCommand.Authorize
    const layer: import("effect/Layer").Layer<import("@entrata-events/slack").ApplicantEventCommand.Services>`
}

/** Folders no README of ours is in. */
const IGNORED = new Set(["node_modules", "dist", "build", "coverage"])

const readmes = (dir: string): Array<string> =>
  Fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name.startsWith(".") || IGNORED.has(entry.name)) return []
    const path = Path.join(dir, entry.name)
    if (entry.isDirectory()) return readmes(path)
    return entry.name === "README.md" ? [path] : []
  })

interface Block {
  /** The README's line of the block's first line, from 1. */
  readonly line: number
  readonly code: string
}

const FENCE = /^(\s*)```(ts|typescript)\s*$/

/** The ` ```ts ` blocks of a README's text, their indentation (inside a list) removed. */
const blocksOf = (text: string): Array<Block> => {
  const lines = text.split("\n")
  const blocks: Array<Block> = []
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]!)
    if (open === null) continue
    const indent = open[1]!.length
    const start = i + 1
    let end = start
    while (end < lines.length && !/^\s*```\s*$/.test(lines[end]!)) end++
    const code = lines.slice(start, end).map((line) => line.slice(Math.min(indent, line.search(/\S|$/))))
    blocks.push({ line: start + 1, code: code.join("\n") })
    i = end
  }
  return blocks
}

/** `…` outside strings and comments becomes `elided()`. */
const withElisions = (code: string): string => {
  let out = ""
  let quote: string | undefined
  for (let i = 0; i < code.length; i++) {
    const c = code[i]!
    if (quote !== undefined) {
      out += c
      if (c === "\\") out += code[++i] ?? ""
      else if (c === quote) quote = undefined
    } else if (c === "/" && code[i + 1] === "/") {
      const eol = code.indexOf("\n", i)
      const stop = eol === -1 ? code.length : eol
      out += code.slice(i, stop)
      i = stop - 1
    } else if (c === "\"" || c === "'" || c === "`") {
      quote = c
      out += c
    } else out += c === "…" ? "elided()" : c
  }
  return out
}

/** `paths` that resolve each workspace package, and its modules, to its sources. */
const workspacePaths = (from: string): Record<string, Array<string>> => {
  const paths: Record<string, Array<string>> = {}
  const packages = Path.join(ROOT, "packages")
  for (const dir of Fs.readdirSync(packages)) {
    const manifest = Path.join(packages, dir, "package.json")
    if (!Fs.existsSync(manifest)) continue
    // Every package's manifest names it.
    const { name } = JSON.parse(Fs.readFileSync(manifest, "utf8")) as { readonly name: string }
    const src = Path.relative(from, Path.join(packages, dir, "src"))
    paths[name] = [`${src}/index.ts`]
    paths[`${name}/*`] = [`${src}/*.ts`]
  }
  return paths
}

const tsc = (tsconfig: string) =>
  new Promise<string>((resolve, reject) => {
    execFile(
      Path.join(ROOT, "node_modules/.bin/tsc"),
      ["-p", tsconfig, "--pretty", "false"],
      { cwd: ROOT, maxBuffer: 16 * 2 ** 20 },
      (error, stdout, stderr) => {
        // tsc exits non-zero when it reports errors: those are the answer.
        if (error !== null && stdout.trim() === "") reject(new Error(`tsc failed: ${error.message}\n${stderr}`))
        else resolve(stdout)
      }
    )
  })

/**
 * Type-checks the blocks of the README at `readme` (a path from the root),
 * in a folder of their own under its package's `build/`; answers tsc's
 * errors, each of a block at its README line.
 */
const check = async (readme: string, blocks: ReadonlyArray<Block>): Promise<Array<string>> => {
  const packages = Path.relative(Path.join(ROOT, "packages"), Path.join(ROOT, Path.dirname(readme)))
  const owner = packages.startsWith("..") ? "server" : packages.split(Path.sep)[0]!
  const folder = Path.join(ROOT, "packages", owner, "build", "readmes", readme.replace(/[\\/.]/g, "-"))
  Fs.rmSync(folder, { recursive: true, force: true })
  Fs.mkdirSync(folder, { recursive: true })
  const files = blocks.map((block, i) => {
    const file = Path.join(folder, `block-${i + 1}.mts`)
    // `export {}` keeps a block without imports a module, whose names are its own.
    Fs.writeFileSync(file, `${withElisions(block.code)}\nexport {}\n`)
    return file
  })
  const prelude = Path.join(folder, "prelude.d.mts")
  Fs.writeFileSync(
    prelude,
    `declare global {\n  /** A block's \`…\`: the Effect the reader writes. */\n  function elided(): import("effect/Effect").Effect<never>\n${
      PRELUDES[readme] ?? ""
    }\n}\nexport {}\n`
  )
  const tsconfig = Path.join(folder, "tsconfig.json")
  Fs.writeFileSync(
    tsconfig,
    JSON.stringify({
      extends: Path.relative(folder, Path.join(ROOT, "tsconfig.base.json")),
      compilerOptions: {
        noEmit: true,
        composite: false,
        declaration: false,
        declarationMap: false,
        incremental: false,
        // A snippet shows a value it does not go on to use.
        noUnusedLocals: false,
        noUnusedParameters: false,
        paths: workspacePaths(folder)
      },
      files: [prelude, ...files]
    })
  )
  const output = await tsc(tsconfig)
  // An indented line goes on with the error before it.
  return output.split(/\n(?!\s)/).filter((error) => error.trim() !== "").map((error) => {
    const match = /^(.+?)\((\d+),(\d+)\): ([\s\S]*)$/.exec(error.trimEnd())
    const index = match === null ? -1 : files.indexOf(Path.resolve(ROOT, match[1]!))
    if (match === null || index === -1) return error.trimEnd()
    return `${readme}:${blocks[index]!.line + Number(match[2]) - 1}:${match[3]}: ${match[4]}`
  })
}

describe("READMEs", () => {
  it("every TypeScript block type-checks against the packages", async () => {
    let count = 0
    const errors: Array<string> = []
    for (const path of readmes(ROOT)) {
      const readme = Path.relative(ROOT, path)
      const blocks = blocksOf(Fs.readFileSync(path, "utf8")).filter((block) => block.code.split("\n")[0] !== SKIP)
      if (blocks.length === 0) continue
      count += blocks.length
      errors.push(...await check(readme, blocks))
    }
    // The READMEs have blocks, and the extraction finds them.
    expect(count).toBeGreaterThan(10)
    expect(errors).toEqual([])
  }, 240_000)

  it("reads the conventions, and reports an error in a block at its README line", async () => {
    const text = [
      "# A README",
      "",
      "```ts",
      "import { Fallback } from \"@entrata-events/express\"",
      "import * as Effect from \"effect/Effect\"",
      "app.use(Fallback.notFound) // the prelude's app",
      "const text: \"…\" = \"…\" // a string keeps its …",
      "const recovered: Effect.Effect<void> = Effect.fail(\"no\").pipe(Effect.catchAll(() => …))",
      "const wrong: number = \"text\"",
      "```",
      "",
      "- In a list:",
      "  ```ts",
      "  const app = 1 // its own app",
      "  const sum: number = app + 1",
      "  const wrong: string = sum",
      "  ```",
      ""
    ].join("\n")
    const blocks = blocksOf(text)
    expect(blocks.map((block) => block.line)).toEqual([4, 14])
    expect(await check("packages/express/README.md", blocks)).toEqual([
      "packages/express/README.md:9:7: error TS2322: Type 'string' is not assignable to type 'number'.",
      "packages/express/README.md:16:7: error TS2322: Type 'number' is not assignable to type 'string'."
    ])
  }, 240_000)
})
