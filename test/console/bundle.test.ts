/**
 * The console's initial JavaScript stays under 500 kB gzipped (issue 12): the entry chunk of index.html and every
 * chunk it imports statically, from Vite's manifest (console/dist/.vite/manifest.json), gzipped with node:zlib.
 * ECharts must stay in lazily loaded chunks.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import t from 'tap'
import { buildConsole, consoleBuildIsStale } from '../../scripts/build-console.ts'

const dist = path.resolve(import.meta.dirname, '../../console/dist')
const LIMIT_BYTES = 500 * 1000

interface Chunk {
  file: string
  isEntry?: boolean
  imports?: string[]
  dynamicImports?: string[]
  css?: string[]
}

t.test('the initial JavaScript is under 500 kB gzipped and ECharts is loaded lazily', async (t) => {
  if (consoleBuildIsStale()) await buildConsole()
  const manifest = JSON.parse(readFileSync(path.join(dist, '.vite/manifest.json'), 'utf8')) as Record<string, Chunk>
  const entries = Object.entries(manifest).filter(([, chunk]) => chunk.isEntry)
  t.equal(entries.length, 1, 'one entry: index.html')
  const initial = new Set<string>()
  const visit = (key: string) => {
    if (initial.has(key)) return
    initial.add(key)
    for (const imported of manifest[key]?.imports ?? []) visit(imported)
  }
  visit((entries[0] as [string, Chunk])[0])
  const files = [...initial].map((key) => (manifest[key] as Chunk).file).filter((file) => file.endsWith('.js'))
  const sizes = files.map((file) => {
    const bytes = readFileSync(path.join(dist, file))
    return { file, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length }
  })
  const gzip = sizes.reduce((sum, s) => sum + s.gzip, 0)
  const raw = sizes.reduce((sum, s) => sum + s.raw, 0)
  const lazy = Object.values(manifest)
    .filter((chunk) => chunk.file.endsWith('.js') && !files.includes(chunk.file))
    .reduce((sum, chunk) => sum + gzipSync(readFileSync(path.join(dist, chunk.file)), { level: 9 }).length, 0)
  t.comment(
    `initial JavaScript: ${files.length} chunk(s), ${(raw / 1000).toFixed(1)} kB raw, ${(gzip / 1000).toFixed(1)} kB gzipped; lazy chunks ${(lazy / 1000).toFixed(1)} kB gzipped`,
  )
  t.ok(gzip < LIMIT_BYTES, `initial JavaScript ${(gzip / 1000).toFixed(1)} kB gzipped < 500 kB`)
  const initialKeys = [...initial].join('\n')
  t.notMatch(initialKeys, /echarts/, 'no ECharts module among the initial chunks')
  for (const file of files) t.notMatch(readFileSync(path.join(dist, file), 'utf8'), /echarts\/lib|zrender/i, `${file} does not bundle ECharts`)
})
