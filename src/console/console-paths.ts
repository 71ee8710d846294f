import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The project's root: the first folder above this module with the project's package.json (one with a version; a
 * build folder's package.json that only sets "type" is not it). The same from the sources (src/console, run with
 * tsx) and from the build (dist/src/console).
 */
function projectRoot(from: string = path.dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'package.json')
    if (existsSync(candidate) && typeof (JSON.parse(readFileSync(candidate, 'utf8')) as { version?: unknown }).version === 'string') return dir
    if (path.dirname(dir) === dir) throw new Error(`No package.json with a version above ${from}`)
  }
}

/** Where `npm run build:console` writes the web console (Vite's outDir): console/dist under the project root. */
export const CONSOLE_DIST_DIR = path.join(projectRoot(), 'console', 'dist')
