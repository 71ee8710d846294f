import t from 'tap'
import { ConfigError, loadConfig } from '../../src/platform/config/config.ts'

t.test('defaults', async (t) => {
  const config = loadConfig({})
  t.match(config, { PORT: 3000, HOST: '127.0.0.1', LOG_LEVEL: 'info', DATABASE_URL: undefined })
})

t.test('values are parsed and empty strings mean unset', async (t) => {
  const config = loadConfig({ PORT: '8080', HOST: '0.0.0.0', LOG_LEVEL: 'debug', DATABASE_URL: 'postgres://u@h:5432/d', DATABASE_POOL_MAX: '' })
  t.match(config, { PORT: 8080, HOST: '0.0.0.0', LOG_LEVEL: 'debug', DATABASE_URL: 'postgres://u@h:5432/d', DATABASE_POOL_MAX: 10 })
})

t.test('every bad value is reported by name, and a bad DATABASE_URL is not echoed', async (t) => {
  let error: unknown
  try {
    loadConfig({ PORT: 'eighty', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://secret@x/y', DATABASE_POOL_MAX: '0' })
  } catch (caught) {
    error = caught
  }
  t.ok(error instanceof ConfigError)
  const issues = (error as ConfigError).issues
  t.equal(issues.length, 4)
  t.match(issues.join('\n'), /PORT="eighty": PORT must be a whole number/)
  t.match(issues.join('\n'), /LOG_LEVEL="loud"/)
  t.match(issues.join('\n'), /DATABASE_URL=\(hidden\): DATABASE_URL must be a postgres/)
  t.match(issues.join('\n'), /DATABASE_POOL_MAX="0": DATABASE_POOL_MAX must be at least 1/)
  t.notMatch((error as Error).message, /secret/)
})

t.test('DATABASE_MIGRATION_URL: beside DATABASE_URL, hidden when bad, refused alone', async (t) => {
  const config = loadConfig({ DATABASE_URL: 'postgres://app:p@h/d', DATABASE_MIGRATION_URL: 'postgres://owner:p@h/d' })
  t.match(config, { DATABASE_URL: 'postgres://app:p@h/d', DATABASE_MIGRATION_URL: 'postgres://owner:p@h/d' })
  t.equal(loadConfig({ DATABASE_URL: 'postgres://app:p@h/d' }).DATABASE_MIGRATION_URL, undefined, 'unset: DATABASE_URL migrates as before')
  t.throws(() => loadConfig({ DATABASE_URL: 'postgres://app:p@h/d', DATABASE_MIGRATION_URL: 'mysql://owner:secret@h/d' }), /DATABASE_MIGRATION_URL=\(hidden\)/)
  t.throws(() => loadConfig({ DATABASE_MIGRATION_URL: 'postgres://owner:p@h/d' }), /DATABASE_MIGRATION_URL needs DATABASE_URL/)
})
