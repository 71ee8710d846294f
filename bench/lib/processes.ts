/**
 * Child processes of the benchmark (the service and the baseline servers): spawn, wait until ready, sample
 * memory and CPU from /proc, and stop them — always, even when the run fails (see `stopAllChildren`).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { readdir } from 'node:fs/promises'
import { cpus } from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'

export const REPO_ROOT = new URL('../../', import.meta.url).pathname

export interface ManagedProcess {
  name: string
  pid: number
  port: number
  child: ChildProcess
  /** The last lines it printed (stdout and stderr), for error messages. */
  output: string[]
  /** Log lines at pino level warn (40) or above, counted while it ran. */
  warnLines: number
  errorLines: number
  warnSamples: string[]
  exited: Promise<number | null>
  memory: MemorySampler
}

const running = new Set<ManagedProcess>()

export { freePort } from '../../src/platform/database/embedded-postgres.ts'

export interface SpawnNodeOptions {
  name: string
  /** The node binary (default: the one running the benchmark). */
  node?: string
  /** Arguments after `node` (e.g. ['--import', 'tsx', 'src/server.ts']). */
  args: string[]
  env: Record<string, string>
  port: number
  readyPath: string
  readyTimeoutMs?: number
  /** Working directory (default: this repository). */
  cwd?: string
}

/** Spawns `node <args>` in the repository root and waits until `GET readyPath` answers 200. */
export async function spawnNode(options: SpawnNodeOptions): Promise<ManagedProcess> {
  const child = spawn(options.node ?? process.execPath, options.args, {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  if (child.pid === undefined) throw new Error(`could not start ${options.name}`)
  const managed: ManagedProcess = {
    name: options.name,
    pid: child.pid,
    port: options.port,
    child,
    output: [],
    warnLines: 0,
    errorLines: 0,
    warnSamples: [],
    exited: new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? -1 : null)))),
    memory: new MemorySampler(child.pid),
  }
  running.add(managed)
  void managed.exited.then(() => {
    running.delete(managed)
    managed.memory.stop()
  })
  const remember = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue
      managed.output.push(line)
      if (managed.output.length > 40) managed.output.shift()
      const level = /^\{"level":(\d+)/.exec(line)?.[1]
      if (level && Number(level) >= 40) {
        if (Number(level) >= 50) managed.errorLines++
        else managed.warnLines++
        if (managed.warnSamples.length < 5) managed.warnSamples.push(line.slice(0, 600))
      }
    }
  }
  child.stdout?.on('data', remember)
  child.stderr?.on('data', remember)

  const deadline = Date.now() + (options.readyTimeoutMs ?? 90_000)
  let exitCode: number | null | undefined
  void managed.exited.then((code) => {
    exitCode = code
  })
  while (Date.now() < deadline) {
    if (exitCode !== undefined) break
    try {
      const response = await fetch(`http://127.0.0.1:${options.port}${options.readyPath}`)
      await response.arrayBuffer()
      if (response.ok) {
        managed.memory.start()
        return managed
      }
    } catch {
      // not listening yet
    }
    await sleep(100)
  }
  await stopProcess(managed)
  throw new Error(
    `${options.name} did not become ready on port ${options.port}` +
      (exitCode !== undefined ? ` (it exited with ${exitCode})` : '') +
      `. Its last output:\n${managed.output.join('\n') || '(none)'}`,
  )
}

/** SIGTERM (graceful: the service drains and closes its pool), then SIGKILL after `graceMs`. */
export async function stopProcess(managed: ManagedProcess, graceMs = 15_000): Promise<void> {
  if (managed.child.exitCode !== null || managed.child.signalCode !== null) return
  managed.child.kill('SIGTERM')
  const timeout = sleep(graceMs).then(() => 'timeout' as const)
  if ((await Promise.race([managed.exited, timeout])) === 'timeout') {
    managed.child.kill('SIGKILL')
    await managed.exited
  }
}

export async function stopAllChildren(): Promise<void> {
  await Promise.all([...running].map((managed) => stopProcess(managed, 5_000)))
}

/** Last resort on a synchronous exit path: no waiting possible. */
export function killAllChildrenNow(): void {
  for (const managed of running) managed.child.kill('SIGKILL')
}

// ---- /proc sampling --------------------------------------------------------------------------------

function statusField(pid: number, field: 'VmRSS' | 'VmHWM'): number | null {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8')
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)
    return match ? Number(match[1]) * 1024 : null
  } catch {
    return null
  }
}

/** Polls VmRSS; `peakSince(mark)` gives the peak of one scenario, `highWaterMark()` the kernel's VmHWM. */
export class MemorySampler {
  #timer: NodeJS.Timeout | undefined
  #samples: Array<{ at: number; rss: number }> = []
  #peak = 0

  constructor(readonly pid: number) {}

  start(intervalMs = 200): void {
    this.sample()
    this.#timer = setInterval(() => this.sample(), intervalMs)
    this.#timer.unref()
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer)
    this.#timer = undefined
  }

  sample(): void {
    const rss = statusField(this.pid, 'VmRSS')
    if (rss === null) return
    this.#samples.push({ at: Date.now(), rss })
    if (this.#samples.length > 20_000) this.#samples.splice(0, 10_000)
    this.#peak = Math.max(this.#peak, rss)
  }

  current(): number | null {
    return statusField(this.pid, 'VmRSS')
  }

  peakSampled(): number {
    return this.#peak
  }

  peakSince(since: number): number {
    let peak = 0
    for (const sample of this.#samples) if (sample.at >= since) peak = Math.max(peak, sample.rss)
    return peak
  }

  /** The kernel's peak resident set size of the process over its whole life (read before it exits). */
  highWaterMark(): number | null {
    return statusField(this.pid, 'VmHWM')
  }
}

/** utime + stime of a process in seconds (Linux: 100 clock ticks per second). */
function processCpuSeconds(pid: number): number | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name may contain spaces: fields start after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return null
  }
}

/** The postmaster of a local cluster (from its data directory's postmaster.pid) and every process it started. */
async function postgresProcessTree(postmasterPid: number): Promise<number[]> {
  const pids = [postmasterPid]
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const text = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const ppid = Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[1])
      if (ppid === postmasterPid) pids.push(Number(entry))
    } catch {
      // gone
    }
  }
  return pids
}

export function postmasterPidOf(dataDirectory: string): number | null {
  try {
    const pid = Number(readFileSync(`${dataDirectory}/postmaster.pid`, 'utf8').split('\n')[0])
    return Number.isInteger(pid) && pid > 0 ? pid : null
  } catch {
    return null
  }
}

function machineCpu(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] as string
  const values = line.trim().split(/\s+/).slice(1).map(Number)
  const idle = (values[3] ?? 0) + (values[4] ?? 0)
  const total = values.reduce((sum, value) => sum + value, 0)
  return { busy: (total - idle) / 100, total: total / 100 }
}

export interface CpuShare {
  /** Percent of one core, averaged over the interval (200 = both cores of a 2-core machine). */
  serverPercent: number | null
  /** The benchmark process itself: autocannon's load generation. */
  loadGeneratorPercent: number
  /** The benchmark's PostgreSQL cluster: its postmaster and every process it started (null: not a local cluster). */
  postgresPercent: number | null
  /** The whole machine, percent of all cores. */
  machineBusyPercent: number
  /** Everything else on the machine (other programs), percent of one core: a noisy neighbour shows here. */
  otherPercent: number | null
}

/** CPU used by the server under test, the load generator and PostgreSQL between `start()` and `stop()`. */
export class CpuMeter {
  #startedAt = 0
  #server: number | null = null
  #self = process.cpuUsage()
  #postgres = new Map<number, number>()
  #machine = machineCpu()

  constructor(
    private readonly serverPid: number | null,
    private readonly postmasterPid: number | null,
  ) {}

  async #postgresPids(): Promise<number[]> {
    return this.postmasterPid ? await postgresProcessTree(this.postmasterPid) : []
  }

  async start(): Promise<void> {
    this.#startedAt = performance.now()
    this.#server = this.serverPid ? processCpuSeconds(this.serverPid) : null
    this.#self = process.cpuUsage()
    this.#postgres = new Map()
    for (const pid of await this.#postgresPids()) this.#postgres.set(pid, processCpuSeconds(pid) ?? 0)
    this.#machine = machineCpu()
  }

  async stop(): Promise<CpuShare> {
    const seconds = (performance.now() - this.#startedAt) / 1000
    const serverNow = this.serverPid ? processCpuSeconds(this.serverPid) : null
    const self = process.cpuUsage(this.#self)
    let postgres = 0
    const pids = await this.#postgresPids()
    for (const pid of pids) postgres += (processCpuSeconds(pid) ?? 0) - (this.#postgres.get(pid) ?? 0)
    const machine = machineCpu()
    const percent = (value: number) => Math.round((value / seconds) * 1000) / 10
    const serverPercent = serverNow !== null && this.#server !== null ? percent(serverNow - this.#server) : null
    const loadGeneratorPercent = percent((self.user + self.system) / 1e6)
    const postgresPercent = pids.length > 0 ? percent(postgres) : null
    const machineBusyPercent = Math.round(((machine.busy - this.#machine.busy) / Math.max(machine.total - this.#machine.total, 1e-9)) * 1000) / 10
    const otherPercent =
      serverPercent === null || postgresPercent === null
        ? null
        : Math.max(0, Math.round((machineBusyPercent * cpus().length - serverPercent - postgresPercent - loadGeneratorPercent) * 10) / 10)
    return { serverPercent, loadGeneratorPercent, postgresPercent, machineBusyPercent, otherPercent }
  }
}
