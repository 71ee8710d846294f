import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

interface ProjectPackage {
  root: string
  version: string
}

/**
 * The project's root and version: the first folder above this module with the project's package.json (one with a
 * version; a build folder's package.json that only sets "type" is not it). The same from the sources (src/…, run
 * with tsx) and from the build (dist/src/…), so the OpenAPI version and the console's folder are found alike.
 */
function findProjectPackage(from: string = path.dirname(fileURLToPath(import.meta.url))): ProjectPackage {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'package.json')
    const version = existsSync(candidate) ? (JSON.parse(readFileSync(candidate, 'utf8')) as { version?: unknown }).version : undefined
    if (typeof version === 'string') return { root: dir, version }
    if (path.dirname(dir) === dir) throw new Error(`No package.json with a version above ${from}`)
  }
}

export const projectPackage: ProjectPackage = findProjectPackage()
