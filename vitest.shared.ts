import * as path from "node:path"
import { fileURLToPath } from "node:url"
import type { UserConfig } from "vitest/config"

const root = path.dirname(fileURLToPath(import.meta.url))

/**
 * What every package's tests share: the workspace packages resolve to their
 * sources, so tests never run against a stale `dist/`.
 */
export const shared: UserConfig = {
  resolve: {
    alias: [
      {
        find: /^@entrata-events\/([a-z-]+)(\/[A-Za-z]+)?$/,
        replacement: path.join(root, "packages/$1/src$2")
      }
    ]
  },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000
  }
}
