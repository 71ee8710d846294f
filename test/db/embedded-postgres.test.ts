import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { mkdtemp, rm } from 'node:fs/promises'
import pg from 'pg'
import t from 'tap'
import { EmbeddedPostgresError, findRunningEmbeddedPostgres, startEmbeddedPostgres } from '../../src/platform/database/embedded-postgres.ts'

t.test('an embedded server starts on a free port, keeps its data, and is found by the CLI while it runs', async (t) => {
  const parent = await mkdtemp(path.join(os.tmpdir(), 'gc-embedded-test-'))
  t.teardown(() => rm(parent, { recursive: true, force: true }))
  const dataDir = path.join(parent, 'data')
  const first = await startEmbeddedPostgres({ dataDir, persistent: true })
  t.not(first.port, 5432, 'never the default port of a machine server')
  const running = await findRunningEmbeddedPostgres(dataDir)
  t.equal(running?.port, first.port)
  const client = new pg.Client(first.connectionString)
  await client.connect()
  await client.query('create table kept (x int); insert into kept values (42)')
  await client.end()
  await first.stop()
  t.equal(await findRunningEmbeddedPostgres(dataDir), null, 'not found once stopped')

  const second = await startEmbeddedPostgres({ dataDir, persistent: true })
  const again = new pg.Client(second.connectionString)
  await again.connect()
  t.same((await again.query('select x from kept')).rows, [{ x: 42 }], 'data survives a restart')
  await again.end()
  await second.stop()
})

t.test('a server that cannot start fails with a clear message', async (t) => {
  const blocker = net.createServer()
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
  t.teardown(() => blocker.close())
  const port = (blocker.address() as net.AddressInfo).port
  const parent = await mkdtemp(path.join(os.tmpdir(), 'gc-embedded-test-'))
  t.teardown(() => rm(parent, { recursive: true, force: true }))
  const error = await startEmbeddedPostgres({ dataDir: path.join(parent, 'data'), port, persistent: false }).catch((e: unknown) => e)
  t.ok(error instanceof EmbeddedPostgresError)
  t.match((error as Error).message, new RegExp(`Could not start the embedded PostgreSQL .*port ${port}`))
  t.match((error as Error).message, /Set DATABASE_URL/)
})
