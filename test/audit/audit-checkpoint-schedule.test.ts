import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { buildApp } from '../../src/app.ts'
import { testConfig } from '../../src/platform/config/config.ts'
import { createDatabase } from '../../src/platform/database/database.ts'
import { ManualClock } from '../../src/platform/clock.ts'
import { buildTestApp } from '../helpers/test-app.ts'

/** Waits (polling) until `check` holds, up to `ms`; the condition, not the time, is what the test asserts. */
async function eventually(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const until = Date.now() + ms
  while (Date.now() < until) {
    if (await check()) return true
    await sleep(100)
  }
  return await check()
}

t.test('two instances on one database take the periodic checkpoint once per interval', async (t) => {
  const directory = mkdtempSync(path.join(tmpdir(), 'gc-audit-schedule-'))
  t.teardown(() => rmSync(directory, { recursive: true, force: true }))
  const clock = new ManualClock('2026-02-12T02:00:00Z')
  const config = {
    AUDIT_CHECKPOINT_ENABLED: true,
    AUDIT_CHECKPOINT_INTERVAL_MS: 1_000,
    AUDIT_SIGNING_KEY_FILE: path.join(directory, 'signing-key.pem'),
    AUDIT_CHECKPOINT_LOG: path.join(directory, 'checkpoints.jsonl'),
  }
  const first = await buildTestApp(t, { clock, config })
  const secondDatabase = createDatabase({ connectionString: first.connectionString, poolMax: 4 })
  const second = await buildApp({ config: testConfig(config), database: secondDatabase, clock })
  await second.ready()
  t.teardown(async () => {
    await second.close()
    await secondDatabase.close()
  })
  const db = first.database.db
  const count = async () =>
    Number(
      (
        await db
          .selectFrom('audit_checkpoint')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    )

  t.ok(await eventually(async () => (await count()) === 1, 10_000), 'the first tick takes a checkpoint')
  // Both instances tick every second (the interval's own clock, the ManualClock, stands still): none is due.
  await sleep(3_000)
  t.equal(await count(), 1, 'one checkpoint while the interval has not passed, whichever instance ticks')

  clock.advanceMs(3_600_000)
  t.ok(await eventually(async () => (await count()) === 2, 10_000), 'the next one once the interval has passed')
  await sleep(3_000)
  t.equal(await count(), 2, 'taken by one instance only')
  const rows = await db.selectFrom('audit_checkpoint').select(['sequence', 'previous_hash', 'hash']).orderBy('sequence').execute()
  t.equal(rows[1]?.previous_hash, rows[0]?.hash, 'chained')
})
