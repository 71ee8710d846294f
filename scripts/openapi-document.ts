import { buildApp } from '../src/app.ts'
import { testConfig } from '../src/platform/config/config.ts'
import { createDatabase } from '../src/platform/database/database.ts'

/** The OpenAPI document as the route schemas generate it (no database connection is opened). */
export async function generateOpenApiDocument(): Promise<string> {
  const database = createDatabase({ connectionString: 'postgres://unused@127.0.0.1:1/unused' })
  const app = await buildApp({ config: testConfig(), database, closeDatabaseOnShutdown: true })
  try {
    await app.ready()
    return `${JSON.stringify(app.swagger(), null, 2)}\n`
  } finally {
    await app.close()
  }
}
