/**
 * A small benchmark harness: every case runs in the same process, in
 * alternating rounds, and reports the median time per operation, so that
 * ratios between cases are fair on a shared machine.
 */
export interface Case {
  readonly name: string
  /** Runs the operation on input `i`; returns something so the work is not optimised away. */
  readonly run: (i: number) => unknown
}

export interface Result {
  readonly name: string
  readonly nsPerOp: number
}

let sink: unknown

export const measure = (cases: ReadonlyArray<Case>, options: { readonly ops: number; readonly rounds: number }) => {
  const samples = new Map<string, Array<number>>(cases.map((c) => [c.name, []]))
  for (const c of cases) for (let i = 0; i < options.ops; i++) sink = c.run(i)
  for (let round = 0; round < options.rounds; round++) {
    for (const c of cases) {
      const start = process.hrtime.bigint()
      for (let i = 0; i < options.ops; i++) sink = c.run(i)
      const elapsed = Number(process.hrtime.bigint() - start)
      samples.get(c.name)!.push(elapsed / options.ops)
    }
  }
  if (sink === Symbol.for("never")) console.log(sink)
  return cases.map((c): Result => {
    const sorted = samples.get(c.name)!.sort((a, b) => a - b)
    return { name: c.name, nsPerOp: sorted[Math.floor(sorted.length / 2)]! }
  })
}

export const table = (title: string, results: ReadonlyArray<Result>, baseline: string) => {
  const base = results.find((r) => r.name === baseline)!.nsPerOp
  console.log(`\n${title}`)
  for (const r of results) {
    const ratio = base / r.nsPerOp
    console.log(
      `  ${r.name.padEnd(44)} ${r.nsPerOp.toFixed(1).padStart(9)} ns/op   ${
        r.name === baseline ? "baseline" : `${ratio.toFixed(1)}x faster than baseline`
      }`
    )
  }
}
