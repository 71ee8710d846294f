import type { Kysely } from 'kysely'
import { CalendarService } from '../calendar/calendar.service.ts'
import type { Clock } from '../platform/clock.ts'
import type { Database } from '../platform/database/database.types.ts'
import { readCheckpointLog } from './audit-checkpoint-log.ts'
import { readPublicKeyFile } from './audit-signing-key.ts'
import { verifyHistory } from './audit.service.ts'

export interface AuditVerifyOptions {
  publicKeyFile: string
  checkpointLog: string
  json: boolean
}

/**
 * `npm run cli -- audit verify`: the checks of GET /v1/audit/verify, run against the database directly, trusting
 * only the public key file and the checkpoint log (not the checkpoints stored in the database, which are compared
 * with the log instead). The service need not run. Exit code 0 when valid, 1 when anything is wrong.
 */
export async function runAuditVerify(
  db: Kysely<Database>,
  clock: Clock,
  options: AuditVerifyOptions,
  out: { log: (line: string) => void; error: (line: string) => void },
): Promise<number> {
  const publicKey = await readPublicKeyFile(options.publicKeyFile)
  const entries = await readCheckpointLog(options.checkpointLog)
  if (entries.length === 0) out.error(`The checkpoint log ${options.checkpointLog} is empty or missing: only the chains and states are checked.`)
  const calendar = await new CalendarService(db, clock).calendar()
  const report = await verifyHistory({ db, calendar, publicKey, source: { kind: 'log', entries } })
  if (options.json) out.log(JSON.stringify(report, null, 2))
  else {
    for (const problem of report.problems) out.log([problem.kind, problem.caseNumber ?? '-', problem.caseId ?? '-', problem.detail].join('\t'))
    const against = report.checkpoint ? `checkpoint ${report.checkpoint.sequence} of ${report.checkpoint.createdAt}` : 'no checkpoint'
    out.log(
      `${report.valid ? 'VALID' : 'INVALID'}: ${report.checkedCases} cases, ${report.checkedEvents} events checked against ${against}; ${report.problems.length} problem${report.problems.length === 1 ? '' : 's'}.`,
    )
  }
  return report.valid ? 0 : 1
}
