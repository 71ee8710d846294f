import { randomBytes } from 'node:crypto'
import type { Test } from 'tap'
import type { Role } from '../../src/core/access/principal.ts'
import { createApiKey } from '../../src/api-keys/api-key.service.ts'
import { buildApp } from '../../src/app.ts'
import { testConfig, type AppConfig } from '../../src/platform/config/config.ts'
import { createDatabase, type DatabaseHandle } from '../../src/platform/database/database.ts'
import { ManualClock, type Clock } from '../../src/platform/clock.ts'
import { adminQuery, withDatabase } from '../../scripts/test-database.ts'

function serverUrl(): string {
  const url = process.env.TEST_DATABASE_SERVER_URL
  if (!url || !process.env.TEST_DATABASE_TEMPLATE) {
    throw new Error('Run the tests with `npm test` (it prepares the PostgreSQL server and the template database).')
  }
  return url
}

/** A database of this test's own, cloned from the migrated template and dropped at teardown. */
export async function createTestDatabase(t: Test): Promise<{ database: DatabaseHandle; connectionString: string; name: string }> {
  const server = serverUrl()
  const name = `gc_test_${randomBytes(6).toString('hex')}`
  await adminQuery(server, `create database "${name}" template "${process.env.TEST_DATABASE_TEMPLATE}"`)
  const connectionString = withDatabase(server, name)
  const database = createDatabase({ connectionString, poolMax: 10 })
  t.teardown(async () => {
    await database.close()
    await adminQuery(server, `drop database if exists "${name}" with (force)`)
  })
  return { database, connectionString, name }
}

export interface TestApp {
  app: Awaited<ReturnType<typeof buildApp>>
  database: DatabaseHandle
  /** The test's own database, for a second instance or a raw client. */
  connectionString: string
  clock: Clock
  key(role: Role, organization?: string): Promise<string>
}

/** The real app on a real database of its own; keys are made the way the CLI makes them. */
export async function buildTestApp(t: Test, options: { clock?: Clock; config?: Partial<AppConfig> } = {}): Promise<TestApp> {
  const { database, connectionString } = await createTestDatabase(t)
  const clock = options.clock ?? new ManualClock('2026-02-12T02:00:00Z')
  const app = await buildApp({ config: testConfig(options.config), database, clock })
  await app.ready()
  t.teardown(() => app.close())
  return {
    app,
    database,
    connectionString,
    clock,
    async key(role, organization) {
      const created = await createApiKey(database.db, { role, organizationCode: organization ?? (role === 'dispatch' ? 'ORG-A' : undefined) })
      return created.key
    },
  }
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` })

/** A valid case body; override what a test is about. */
export function caseBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    voltageVolts: 10000,
    excavationLengthMeters: 30,
    works: { title: 'New 10 kV cable to the Jinfeng industrial park' },
    location: { district: 'Longwen', roadName: 'Shuixian Avenue' },
    plannedStartDate: '2026-03-02',
    plannedEndDate: '2026-03-10',
    contact: { name: 'Li Ming', phone: '0596-2345678' },
    ...overrides,
  }
}
