/** Targets, the printed table and the JSON written to bench/results/latest.json. */
import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { LoadResult, TimedResult } from './load.ts'
import { REPO_ROOT } from './processes.ts'

/** What a run reports: ratios on the same machine in the same run, latency, timed queries, memory, errors. */
export const TARGETS = {
  ratios: { intake: 0.7, read: 0.7, assessments: 0.5 } as Record<string, number>,
  p99Ms: 100,
  slaReportMs: 300,
  listPageMs: 50,
  peakRssBytes: 200 * 1024 * 1024,
}

export interface TargetCheck {
  target: string
  actual: string
  /** null: not measured in this run (see `note`). */
  pass: boolean | null
  note?: string
}

export interface MachineInfo {
  cpuModel: string
  cores: number
  memoryBytes: number
  os: string
  node: string
  postgres: string
  date: string
  gitCommit: string | null
}

export function machineInfo(postgresVersion: string): MachineInfo {
  const cpus = os.cpus()
  let gitCommit: string | null = null
  try {
    gitCommit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  } catch {
    // not a git checkout
  }
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryBytes: os.totalmem(),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    postgres: postgresVersion,
    date: new Date().toISOString(),
    gitCommit,
  }
}

const mb = (bytes: number | null | undefined) => (bytes == null ? 'n/a' : `${(bytes / 1024 / 1024).toFixed(1)} MB`)
const fixed = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a')
const verdict = (pass: boolean | null) => (pass === null ? 'n/a' : pass ? 'PASS' : 'MISS')
const fmtCpu = (value: number | null) => (value === null ? '?' : value.toFixed(0))
const errorCount = (result: LoadResult) => result.non2xx + result.errors + result.timeouts

function ratioOf(result: LoadResult, all: LoadResult[]): number | null {
  const baseline = all.find((r) => r.name === result.baseline)
  return baseline && baseline.requestsPerSecond > 0 ? result.requestsPerSecond / baseline.requestsPerSecond : null
}

export function evaluate(load: LoadResult[], timed: TimedResult[], peakRssBytes: number | null, expected: { load: string[]; timed: string[] }): TargetCheck[] {
  const checks: TargetCheck[] = []
  for (const [name, minimum] of Object.entries(TARGETS.ratios)) {
    const result = load.find((r) => r.name === name)
    const ratio = result ? ratioOf(result, load) : null
    checks.push({
      target: `${name} req/s ≥ ${minimum.toFixed(2)} × ${result?.baseline ?? 'baseline'}`,
      actual: ratio === null ? 'not measured' : ratio.toFixed(2),
      pass: ratio === null ? null : ratio >= minimum,
    })
  }
  for (const name of expected.load) {
    const result = load.find((r) => r.name === name)
    checks.push({
      target: `${name}: p99 < ${TARGETS.p99Ms} ms at ${result?.connections ?? '?'} connections`,
      actual: result ? `${result.latencyMs.p99} ms` : 'not measured',
      pass: result ? result.latencyMs.p99 < TARGETS.p99Ms : null,
    })
  }
  for (const name of expected.timed) {
    const result = timed.find((r) => r.name === name)
    const measured = result && !result.skipped
    checks.push({
      target: `${name}: median < ${result?.targetMs ?? '?'} ms`,
      actual: measured ? `median ${fixed(result.medianMs)} ms, max ${fixed(result.maxMs)} ms` : 'not measured',
      pass: measured ? result.medianMs < result.targetMs && result.errors === 0 : null,
      ...(result?.skipped ? { note: result.skipped } : measured && result.maxMs >= result.targetMs ? { note: 'the slowest call was over the target' } : {}),
    })
  }
  checks.push({ target: `service peak RSS < ${mb(TARGETS.peakRssBytes)}`, actual: mb(peakRssBytes), pass: peakRssBytes === null ? null : peakRssBytes < TARGETS.peakRssBytes })
  const service = load.filter((r) => r.kind === 'service')
  const loadErrors = service.reduce((sum, r) => sum + errorCount(r), 0)
  const timedErrors = timed.filter((r) => !r.skipped).reduce((sum, r) => sum + r.errors, 0)
  const exhausted = service.filter((r) => r.exhausted).map((r) => r.name)
  checks.push({
    target: 'zero errors (non-2xx, socket errors, timeouts) in every service scenario and timed query',
    actual: `${loadErrors + timedErrors}`,
    pass: service.length === 0 && timed.length === 0 ? null : loadErrors + timedErrors === 0,
    ...(exhausted.length ? { note: `ran out of prepared cases: ${exhausted.join(', ')}` } : {}),
  })
  return checks
}

function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width)
}

function table(headers: string[], rows: string[][], rightAligned: number[]): string {
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => (row[i] ?? '').length)))
  const line = (cells: string[]) => cells.map((cell, i) => pad(cell, widths[i] as number, rightAligned.includes(i))).join('  ')
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n')
}

export function formatReport(report: BenchReport): string {
  const out: string[] = []
  const m = report.machine
  out.push(
    `Machine: ${m.cpuModel}, ${m.cores} cores, ${mb(m.memoryBytes)} RAM; ${m.os}; Node ${m.node}; ${m.postgres}`,
    `Run ${m.date}${m.gitCommit ? ` at ${m.gitCommit}` : ''}: ${report.settings.connections} connections, ${report.settings.durationSeconds} s per scenario after ${report.settings.warmupSeconds} s warm-up; ${report.data.cases.toLocaleString('en-US')} cases in the database`,
    '',
  )
  const rows = report.load.map((r) => {
    const ratio = ratioOf(r, report.load)
    const minimum = TARGETS.ratios[r.name]
    const ratioText = ratio === null ? '' : `${ratio.toFixed(2)} (≥ ${minimum?.toFixed(2) ?? '?'}) ${verdict(minimum === undefined ? null : ratio >= minimum)}`
    const p99Verdict = r.kind === 'service' ? ` ${verdict(r.latencyMs.p99 < TARGETS.p99Ms)}` : ''
    const errors = errorCount(r)
    return [
      r.name,
      fixed(r.requestsPerSecond, 0),
      fixed(r.latencyMs.p50, 0),
      fixed(r.latencyMs.p97_5, 0),
      `${fixed(r.latencyMs.p99, 0)}${p99Verdict}`,
      `${errors}${r.kind === 'service' ? ` ${verdict(errors === 0)}` : ''}${r.exhausted ? ' (ran out of cases)' : ''}`,
      ratioText,
      `${fmtCpu(r.cpu.serverPercent)} / ${fmtCpu(r.cpu.postgresPercent)} / ${fmtCpu(r.cpu.loadGeneratorPercent)} / ${fmtCpu(r.cpu.otherPercent)}`,
      `${r.cpuMsPerRequest.server?.toFixed(2) ?? '?'} + ${r.cpuMsPerRequest.postgres?.toFixed(2) ?? '?'}`,
      mb(r.peakRssBytes),
    ]
  })
  out.push(
    table(
      ['scenario', 'req/s', 'p50 ms', 'p97.5 ms', 'p99 ms (< 100)', 'errors', 'ratio vs baseline', 'CPU % server/pg/load/other', 'CPU ms/req server+pg', 'RSS peak'],
      rows,
      [1, 2, 3, 4],
    ),
  )
  if (report.timed.length > 0) {
    out.push('')
    out.push(
      table(
        ['timed query (sequential)', 'calls', 'cold ms', 'median ms', 'max ms', 'target', 'result rows', 'verdict'],
        report.timed.map((t) =>
          t.skipped
            ? [t.name, '-', '-', '-', '-', `< ${t.targetMs} ms`, '-', `n/a: ${t.skipped}`]
            : [
                t.name,
                String(t.calls),
                fixed(t.coldMs),
                fixed(t.medianMs),
                fixed(t.maxMs),
                `< ${t.targetMs} ms`,
                String(t.resultSize ?? '-'),
                verdict(t.medianMs < t.targetMs && t.errors === 0) + (t.errors ? ` (${t.errors} errors)` : ''),
              ],
        ),
        [1, 2, 3, 4],
      ),
    )
  }
  out.push('', `Service RSS: ${mb(report.rss.serviceAtReady)} when ready; peak (VmHWM over the whole run) ${mb(report.rss.serviceHighWaterMark)}`)
  out.push('', 'Targets:')
  for (const check of report.targets) out.push(`  ${pad(verdict(check.pass), 4)}  ${check.target}: ${check.actual}${check.note ? ` — ${check.note}` : ''}`)
  if (report.notes.length > 0) {
    out.push('', 'Notes:')
    for (const note of report.notes) out.push(`  - ${note}`)
  }
  return out.join('\n')
}

export interface BenchReport {
  machine: MachineInfo
  settings: { durationSeconds: number; warmupSeconds: number; connections: number; seedCases: number; databasePoolMax: number; databaseSource: 'DATABASE_URL' | 'embedded' }
  data: { cases: number; seeded: number; seedSeconds: number | null; seedResult: unknown; readIds: number; transitionCasesPrepared: number }
  load: LoadResult[]
  timed: TimedResult[]
  rss: { serviceAtReady: number | null; serviceHighWaterMark: number | null; serviceSampledPeak: number; baselines: Record<string, number | null> }
  serverLog: { warnLines: number; errorLines: number; samples: string[] }
  targets: TargetCheck[]
  allPass: boolean
  notes: string[]
}

export function writeReport(report: BenchReport, file = path.join(REPO_ROOT, 'bench/results/latest.json')): string {
  mkdirSync(path.dirname(file), { recursive: true })
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`)
  return file
}
