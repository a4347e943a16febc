import { describe, expect, it } from "@effect/vitest"
import { MountainTime } from "../src/index.js"
describe("smoke", () => { it("formats", () => { expect(MountainTime.format(0)).toBe("1969-12-31T17:00:00-07:00") }) })
