import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Kysely } from 'kysely'
import type { DatabaseHandle } from './database.ts'
import type { Database } from './database.types.ts'

declare module 'fastify' {
  interface FastifyInstance {
    db: Kysely<Database>
    database: DatabaseHandle
  }
}

/** Exposes the pool and Kysely; closes the pool when the app closes (after in-flight requests end). */
async function databasePlugin(app: FastifyInstance, options: { database: DatabaseHandle; closeOnShutdown: boolean }) {
  app.decorate('database', options.database)
  app.decorate('db', options.database.db)
  if (options.closeOnShutdown) app.addHook('onClose', async () => options.database.close())
}

export default fp(databasePlugin, { name: 'database' })
