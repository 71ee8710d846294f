import { parseArgs } from 'node:util'
import { ROLES, type Role } from './core/access/principal.ts'
import { listApiKeys, revokeApiKey } from './api-keys/api-key.repository.ts'
import { createApiKey } from './api-keys/api-key.service.ts'
import { ConfigError, loadConfig } from './platform/config/config.ts'
import { createDatabase } from './platform/database/database.ts'
import { resolveDatabaseUrl } from './platform/database/database-url.ts'
import { prepareDatabase } from './prepare-database.ts'
import { DomainError } from './platform/errors/domain-errors.ts'

const USAGE = `Usage: npm run cli -- <command>

Commands:
  api-keys create --role <${ROLES.join('|')}> [--org <organization code>] [--name <label>]
                         Creates a key and prints it as the last line (shown once).
                         A dispatch key needs --org; the organization is created on first use.
  api-keys list          Lists keys (never the secrets).
  api-keys revoke <id>   Revokes a key.
  migrate                Applies pending migrations and seeds reference data.

Uses DATABASE_URL, or the embedded PostgreSQL of \`npm start\` (started for the command if not running).`

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { role: { type: 'string' }, org: { type: 'string' }, name: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  })
  const [area, action, target] = positionals
  if (values.help || !area) {
    console.log(USAGE)
    return values.help ? 0 : 64
  }

  const config = loadConfig()
  const { connectionString, embedded } = await resolveDatabaseUrl(config, (message) => console.error(message))
  const database = createDatabase({ connectionString, poolMax: 2 })
  try {
    // Every command works on a migrated database, so a first `api-keys create` before `npm start` works too.
    await prepareDatabase(database.db)
    if (area === 'migrate') {
      console.log('Database migrated.')
      return 0
    }
    if (area === 'api-keys' && action === 'create') {
      const role = values.role as Role | undefined
      if (!role || !ROLES.includes(role)) {
        console.error(`--role must be one of: ${ROLES.join(', ')}`)
        return 64
      }
      const { key, record } = await createApiKey(database.db, { role, organizationCode: values.org, name: values.name })
      console.log(`Created ${record.role} key ${record.id}${record.organizationCode ? ` for ${record.organizationCode}` : ''}. It is shown only once:`)
      console.log(key)
      return 0
    }
    if (area === 'api-keys' && action === 'list') {
      for (const key of await listApiKeys(database.db)) {
        console.log([key.id, key.prefix, key.role, key.organizationCode ?? '-', key.revokedAt ? 'revoked' : 'active', key.name ?? ''].join('\t'))
      }
      return 0
    }
    if (area === 'api-keys' && action === 'revoke' && target) {
      const revoked = await revokeApiKey(database.db, target, new Date())
      console.log(revoked ? `Revoked ${target}.` : `No active key ${target}.`)
      return revoked ? 0 : 1
    }
    console.error(USAGE)
    return 64
  } finally {
    await database.close()
    await embedded?.stop()
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigError || error instanceof DomainError) console.error(error.message)
    else console.error(error instanceof Error ? error.message : error)
    process.exit(1)
  },
)
