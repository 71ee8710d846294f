import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { createTestDatabase } from './helpers/test-app.ts'
import { jianyuan, jiuhu, shuixian } from './helpers/zhangzhou-roads.ts'

const run = promisify(execFile)
const root = new URL('..', import.meta.url).pathname

async function cli(args: string[], env: Record<string, string>) {
  const { DATABASE_URL: _unset, ...inherited } = process.env
  try {
    const { stdout, stderr } = await run('node', ['--import', 'tsx', 'src/cli.ts', ...args], { env: { ...inherited, ...env }, cwd: root })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string }
    return { code, stdout, stderr }
  }
}

t.test('npm run cli -- roads import <file>: all or nothing, faults with their paths, history with source cli', async (t) => {
  const { database, connectionString } = await createTestDatabase(t)
  const env = { DATABASE_URL: connectionString }
  const dir = mkdtempSync(path.join(tmpdir(), 'roads-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const feature = (road: { code: string; body: { geometry: unknown } & Record<string, unknown> }) => {
    const { geometry, ...properties } = road.body
    return { type: 'Feature', geometry, properties: { code: road.code, ...properties } }
  }
  const write = (name: string, content: unknown) => {
    const file = path.join(dir, name)
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content))
    return file
  }

  const bad = write('bad.geojson', {
    type: 'FeatureCollection',
    features: [
      feature(shuixian),
      {
        ...feature(jiuhu),
        geometry: {
          type: 'LineString',
          coordinates: [
            [119.5, 24.5],
            [119.6, 24.5],
          ],
        },
      },
    ],
  })
  const refused = await cli(['roads', 'import', bad], env)
  t.equal(refused.code, 65, refused.stderr)
  t.match(refused.stderr, /features\.1\.geometry\.coordinates\.0: .*outside Zhangzhou/)
  t.equal((await database.db.selectFrom('road').selectAll().execute()).length, 0, 'nothing imported')

  const notJson = await cli(['roads', 'import', write('x.geojson', '{ nope')], env)
  t.equal(notJson.code, 65)
  const wrongShape = await cli(['roads', 'import', write('y.geojson', { type: 'FeatureCollection', features: [{ type: 'Feature', geometry: null, properties: {} }] })], env)
  t.equal(wrongShape.code, 65)
  t.match(wrongShape.stderr, /features\.0\.properties\.code/)
  t.equal((await cli(['roads', 'import'], env)).code, 64, 'a missing file is a usage error')

  const good = write('good.geojson', { type: 'FeatureCollection', features: [shuixian, jiuhu, jianyuan].map(feature) })
  const imported = await cli(['roads', 'import', good], env)
  t.equal(imported.code, 0, imported.stderr)
  t.match(imported.stdout, /Imported 3 roads \(3 new, 0 replaced\)/)
  const history = await database.db.selectFrom('road_history').selectAll().orderBy('id').execute()
  t.same(
    history.map((h) => [h.road_code, h.change, h.source, h.actor_role]),
    [
      ['ZZ-LW-0001', 'created', 'cli', 'cli'],
      ['ZZ-LW-0002', 'created', 'cli', 'cli'],
      ['ZZ-XC-0003', 'created', 'cli', 'cli'],
    ],
  )
})
