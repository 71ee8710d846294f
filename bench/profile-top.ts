/**
 * Summarizes a V8 CPU profile of the service (`BENCH_CPU_PROF=1 npm run bench` writes one to bench/results/profiles/):
 * top functions by self time and by inclusive time, and self time per package / source folder.
 *
 *   node --import tsx bench/profile-top.ts <file.cpuprofile> [--window <scenario>] [--results bench/results/latest.json] [--top 30]
 *
 * `--window` keeps only the samples taken while that scenario ran (the run records each scenario's start and
 * end on the monotonic clock, the clock V8 stamps its samples with).
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'

interface CallFrame {
  functionName: string
  url: string
  lineNumber: number
  columnNumber: number
}
interface ProfileNode {
  id: number
  callFrame: CallFrame
  hitCount?: number
  children?: number[]
}
interface CpuProfile {
  nodes: ProfileNode[]
  startTime: number
  endTime: number
  samples: number[]
  timeDeltas: number[]
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { window: { type: 'string' }, results: { type: 'string', default: 'bench/results/latest.json' }, top: { type: 'string', default: '30' } },
})
const file = positionals[0]
if (!file) {
  console.error('usage: node --import tsx bench/profile-top.ts <file.cpuprofile> [--window <scenario>] [--results <latest.json>] [--top N]')
  process.exit(64)
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile
const top = Number(values.top)

let from = -Infinity
let to = Infinity
if (values.window) {
  const results = JSON.parse(readFileSync(values.results as string, 'utf8')) as { profile?: { windows: Array<{ name: string; startMonotonicUs: number; endMonotonicUs: number }> } }
  const window = results.profile?.windows.find((w) => w.name === values.window)
  if (!window) {
    console.error(`no window ${values.window} in ${values.results}; known: ${results.profile?.windows.map((w) => w.name).join(', ') ?? 'none'}`)
    process.exit(1)
  }
  from = window.startMonotonicUs
  to = window.endMonotonicUs
}

const byId = new Map(profile.nodes.map((node) => [node.id, node]))
const parent = new Map<number, number>()
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)

const ROOT = process.cwd()
function where(frame: CallFrame): string {
  const url = frame.url.replace(/^file:\/\//, '')
  if (!url) return '(native / V8)'
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (modules) return `pkg:${modules[1]}`
  if (url.startsWith('node:')) return url.split('/')[0] as string
  const relative = path.relative(ROOT, url)
  return relative.startsWith('..') ? url : path.dirname(relative)
}
function label(frame: CallFrame): string {
  const url = frame.url.replace(/^file:\/\//, '')
  const shortUrl = url ? (url.includes('node_modules/') ? url.slice(url.lastIndexOf('node_modules/') + 13) : path.relative(ROOT, url)) : ''
  return `${frame.functionName || '(anonymous)'} ${shortUrl ? `${shortUrl}:${frame.lineNumber + 1}` : ''}`.trim()
}

const selfTime = new Map<string, number>()
const inclusive = new Map<string, number>()
const byPlace = new Map<string, number>()
let total = 0
let idle = 0
let gc = 0
let time = profile.startTime
for (let i = 0; i < profile.samples.length; i++) {
  const delta = profile.timeDeltas[i] ?? 0
  time += delta
  if (time < from || time > to) continue
  const node = byId.get(profile.samples[i] as number)
  if (!node) continue
  // The time of a sample is the interval up to the next one.
  const weight = (profile.timeDeltas[i + 1] ?? delta) / 1000
  total += weight
  const name = node.callFrame.functionName
  if (name === '(idle)') {
    idle += weight
    continue
  }
  if (name === '(garbage collector)') gc += weight
  const key = label(node.callFrame)
  selfTime.set(key, (selfTime.get(key) ?? 0) + weight)
  const place = where(node.callFrame)
  byPlace.set(place, (byPlace.get(place) ?? 0) + weight)
  const seen = new Set<string>()
  for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
    const frame = (byId.get(id) as ProfileNode).callFrame
    if (frame.functionName === '(root)') break
    const k = label(frame)
    if (seen.has(k)) continue
    seen.add(k)
    inclusive.set(k, (inclusive.get(k) ?? 0) + weight)
  }
}

const busy = total - idle
const pct = (ms: number) => `${((ms / Math.max(busy, 1e-9)) * 100).toFixed(1).padStart(5)}%`
const print = (title: string, map: Map<string, number>, n: number) => {
  console.log(`\n${title}`)
  for (const [key, ms] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`  ${pct(ms)}  ${ms.toFixed(0).padStart(7)} ms  ${key}`)
}
console.log(
  `${file}${values.window ? ` — window ${values.window}` : ''}: ${(total / 1000).toFixed(1)} s sampled, busy ${(busy / 1000).toFixed(1)} s ` +
    `(${((busy / Math.max(total, 1e-9)) * 100).toFixed(0)}% of one core), GC ${pct(gc).trim()} of busy`,
)
print('self time by package / source folder (% of busy time)', byPlace, 25)
print('top functions by self time', selfTime, top)
print('top functions by inclusive time', inclusive, top)
