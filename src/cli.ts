import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { ROLES, type Role } from './core/access/principal.ts'
import { formatShanghaiInstant } from './core/calendar/civil-date.ts'
import { createApiKey, listApiKeyRecords, ORGANIZATION_CODE_PATTERN, revokeApiKeyById } from './api-keys/api-key.service.ts'
import { systemClock } from './platform/clock.ts'
import { ConfigError, loadConfig } from './platform/config/config.ts'
import { createDatabase } from './platform/database/database.ts'
import { resolveDatabaseUrl } from './platform/database/database-url.ts'
import { prepareDatabaseAs } from './prepare-database.ts'
import { runAuditVerify } from './audit/audit-verify.command.ts'
import { DomainError, NotFoundError, ValidationFailedError } from './platform/errors/domain-errors.ts'
import { fieldIssuesOf } from './core/validation/field-issue.ts'
import { roadImportSchema } from './roads/road.schema.ts'
import { importRoads } from './roads/road.service.ts'
import { RuleSetService } from './rule-sets/rule-set.service.ts'
import { uuidSchema } from './platform/http/http-schemas.ts'

const USAGE = `Usage: npm run cli -- <command>

Commands:
  api-keys create --role <${ROLES.join('|')}> [--org <organization code>] [--jurisdiction <code>] [--name <label>]
                         Creates a key and prints it as the last line (shown once).
                         A dispatch key needs --org; the organization is created on first use (in --jurisdiction).
                         --jurisdiction scopes an office key (default: the deployment's default) or an
                         auditor key (default: every jurisdiction); codes: GET /v1/jurisdictions.
  api-keys list          Lists keys with their creation dates (never the secrets).
  api-keys revoke <id>   Revokes a key (its id is the first column of \`api-keys list\`).
  migrate                Applies pending migrations and seeds reference data.
  audit verify [--public-key <file>] [--checkpoint-log <file>] [--json]
                         Verifies every case chain, state and the signed checkpoints from the database,
                         trusting only the public key (default: AUDIT_SIGNING_KEY_FILE + ".pub") and the
                         checkpoint log (default: AUDIT_CHECKPOINT_LOG). Exit 0 valid, 1 problems found.
  roads import <file>    Imports a GeoJSON FeatureCollection of roads into the register, all or nothing
                         (each feature's properties: code, name, district, class, builtOn, …); every
                         fault is printed with its path and then nothing is imported.

Uses DATABASE_URL, or the embedded PostgreSQL of \`npm start\` (started for the command if not running).`

/** sysexits(3): the command line was wrong. */
const EX_USAGE = 64
/** sysexits(3): the input data was wrong. */
const EX_DATAERR = 65

type Command =
  | { kind: 'migrate' }
  | { kind: 'create'; role: Role; organizationCode: string | undefined; jurisdictionCode: string | undefined; name: string | undefined }
  | { kind: 'list' }
  | { kind: 'revoke'; id: string }
  | { kind: 'audit-verify'; publicKeyFile: string | undefined; checkpointLog: string | undefined; json: boolean }
  | { kind: 'roads-import'; file: string }

class UsageError extends Error {}

/**
 * The whole command line is checked before any database is touched, so a typo costs nothing (no embedded
 * PostgreSQL is started for a command that cannot run) and the message names what to change.
 */
function parseCommand(argv: string[]): Command | 'help' {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        role: { type: 'string' },
        org: { type: 'string' },
        jurisdiction: { type: 'string' },
        name: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        'public-key': { type: 'string' },
        'checkpoint-log': { type: 'string' },
        json: { type: 'boolean' },
      },
    })
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
  const { positionals, values } = parsed
  if (values.help) return 'help'
  const [area, action, ...rest] = positionals
  const noMore = (expected: number) => {
    const extra = positionals.slice(expected)
    const command = positionals.slice(0, expected).join(' ')
    if (extra.length > 0) throw new UsageError(`Unexpected argument${extra.length > 1 ? 's' : ''} after \`${command}\`: ${extra.join(' ')}`)
  }

  if (area === undefined) throw new UsageError('Name a command.')
  if (area === 'migrate') {
    noMore(1)
    return { kind: 'migrate' }
  }
  if (area === 'audit') {
    if (action !== 'verify') throw new UsageError(action === undefined ? 'audit needs a command: verify.' : `Unknown command \`audit ${action}\`: use verify.`)
    noMore(2)
    return { kind: 'audit-verify', publicKeyFile: values['public-key'], checkpointLog: values['checkpoint-log'], json: values.json === true }
  }
  if (area === 'roads') {
    if (action !== 'import') throw new UsageError(action === undefined ? 'roads needs a command: import <file>.' : `Unknown command \`roads ${action}\`: use import <file>.`)
    const file = rest[0]
    if (file === undefined) throw new UsageError('roads import needs the path of a GeoJSON FeatureCollection file.')
    noMore(3)
    return { kind: 'roads-import', file }
  }
  if (area !== 'api-keys') throw new UsageError(`Unknown command \`${area}\`.`)
  if (action === 'create') {
    noMore(2)
    const role = values.role
    if (role === undefined) throw new UsageError(`api-keys create needs --role <${ROLES.join('|')}>.`)
    if (!(ROLES as readonly string[]).includes(role)) throw new UsageError(`--role must be one of: ${ROLES.join(', ')} (got \`${role}\`).`)
    if (role === 'dispatch' && !values.org) {
      throw new UsageError('A dispatch key belongs to one organization: give its code with --org <organization code>, e.g. --org SGCC-ZZ.')
    }
    if (role !== 'dispatch' && values.org !== undefined) {
      throw new UsageError(`Only a dispatch key belongs to an organization: an ${role} key sees every organization, leave out --org.`)
    }
    if (values.org !== undefined && !ORGANIZATION_CODE_PATTERN.test(values.org)) {
      throw new UsageError(`--org \`${values.org}\` is not an organization code: 2 to 32 letters, digits, "-" or "_", starting with a letter or digit.`)
    }
    return { kind: 'create', role: role as Role, organizationCode: values.org, jurisdictionCode: values.jurisdiction, name: values.name }
  }
  if (action === 'list') {
    noMore(2)
    return { kind: 'list' }
  }
  if (action === 'revoke') {
    const id = rest[0]
    if (id === undefined) throw new UsageError('api-keys revoke needs the id of the key: the first column of `api-keys list`.')
    noMore(3)
    if (!uuidSchema.safeParse(id).success) {
      const keyOrPrefix = id.startsWith('gck_') || /^[a-z0-9]{8}$/.test(id)
      const hint = keyOrPrefix ? "that looks like the key or its prefix; give the key's id instead" : 'ids are UUIDs such as 0b6c3c9e-4f5a-4c1e-9d47-2f1a8e6b5c3d'
      throw new UsageError(`\`${id}\` is not an API key id: ${hint} (the first column of \`api-keys list\`).`)
    }
    return { kind: 'revoke', id }
  }
  throw new UsageError(action === undefined ? 'api-keys needs a command: create, list or revoke.' : `Unknown command \`api-keys ${action}\`: use create, list or revoke.`)
}

function table(rows: string[][]): string {
  return rows.map((row) => row.join('\t')).join('\n')
}

async function run(command: Command): Promise<number> {
  const config = loadConfig()
  const urls = await resolveDatabaseUrl(config, (message) => console.error(message))
  const { connectionString, embedded } = urls
  const database = createDatabase({ connectionString, poolMax: 2 })
  try {
    if (command.kind === 'audit-verify') {
      // Read-only: the database is verified as it is found, not migrated first.
      const options = {
        publicKeyFile: command.publicKeyFile ?? `${config.AUDIT_SIGNING_KEY_FILE}.pub`,
        checkpointLog: command.checkpointLog ?? config.AUDIT_CHECKPOINT_LOG,
        json: command.json,
      }
      return await runAuditVerify(database.db, systemClock, options, { log: (line) => console.log(line), error: (line) => console.error(line) })
    }
    // Every command works on a migrated database, so a first `api-keys create` before `npm start` works too.
    await prepareDatabaseAs(database, urls)
    switch (command.kind) {
      case 'migrate':
        console.log('Database migrated.')
        return 0
      case 'create': {
        const { key, record } = await createApiKey(database.db, {
          role: command.role,
          organizationCode: command.organizationCode,
          jurisdictionCode: command.jurisdictionCode,
          name: command.name,
        })
        const scope = record.jurisdictionCode ? ` in ${record.jurisdictionCode}` : ''
        console.log(`Created ${record.role} key ${record.id}${record.organizationCode ? ` for ${record.organizationCode}` : ''}${scope}. It is shown only once:`)
        console.log(key)
        return 0
      }
      case 'list': {
        const keys = await listApiKeyRecords(database.db)
        const header = ['ID', 'PREFIX', 'ROLE', 'ORGANIZATION', 'STATUS', 'CREATED', 'NAME']
        const rows = keys.map((key) => [
          key.id,
          key.prefix,
          key.role,
          key.organizationCode ?? '-',
          key.revokedAt ? 'revoked' : 'active',
          formatShanghaiInstant(key.createdAt),
          key.name ?? '',
        ])
        console.log(table([header, ...rows]))
        if (keys.length === 0) console.error('No API keys yet: create one with `api-keys create --role admin`.')
        return 0
      }
      case 'revoke': {
        const at = systemClock.now()
        let key
        try {
          key = await revokeApiKeyById(database.db, command.id, at)
        } catch (error) {
          if (!(error instanceof NotFoundError)) throw error
          console.error(`No API key has the id ${command.id} (see \`api-keys list\`).`)
          return 1
        }
        // Revoked by this call when its revocation time is ours; otherwise it had been revoked before.
        console.log(key.revokedAt?.getTime() === at.getTime() ? `Revoked ${command.id}.` : `${command.id} was already revoked.`)
        return 0
      }
      case 'roads-import':
        return await importRoadsFile(database.db, command.file)
      default:
        return command satisfies never
    }
  } finally {
    await database.close()
    await embedded?.stop()
  }
}

/** `roads import <file>`: the same checks and the same all-or-nothing import as POST /v1/roads/import. */
async function importRoadsFile(db: Parameters<typeof importRoads>[0]['db'], file: string): Promise<number> {
  let json: unknown
  try {
    json = JSON.parse(await readFile(file, 'utf8'))
  } catch (error) {
    console.error(`Cannot read ${file} as JSON: ${(error as Error).message}`)
    return EX_DATAERR
  }
  const parsed = roadImportSchema.safeParse(json)
  const printIssues = (issues: Array<{ path: string; message: string }>) => {
    for (const issue of issues) console.error(`  ${issue.path || '(file)'}: ${issue.message}`)
  }
  if (!parsed.success) {
    console.error(`${file} is not a road FeatureCollection; nothing was imported:`)
    printIssues(fieldIssuesOf(parsed.error))
    return EX_DATAERR
  }
  try {
    const result = await importRoads({ db, ruleSets: new RuleSetService(db, systemClock), clock: systemClock }, { principal: null, requestId: null, source: 'cli' }, parsed.data)
    console.log(`Imported ${result.imported} roads (${result.created} new, ${result.updated} replaced).`)
    return 0
  } catch (error) {
    if (!(error instanceof ValidationFailedError)) throw error
    console.error(`${error.message.split(':')[0]}:`)
    printIssues(error.errors)
    return EX_DATAERR
  }
}

async function main(argv: string[]): Promise<number> {
  let command
  try {
    command = parseCommand(argv)
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    console.error(`${error.message}\n\n${USAGE}`)
    return EX_USAGE
  }
  if (command === 'help') {
    console.log(USAGE)
    return 0
  }
  return await run(command)
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigError || error instanceof DomainError) console.error(error.message)
    else console.error(error instanceof Error ? error.message : error)
    process.exit(1)
  },
)
