/**
 * The baselines of `npm run bench`: what this machine does with the same database work and no service
 * logic (no validation, auth, rules, presentation). One mode per process, started by bench/run-bench.ts:
 *
 *   node --import tsx bench/baseline-server.ts intake    POST /cases      the same two inserts (case + case_event) in one transaction
 *   node --import tsx bench/baseline-server.ts read      GET /cases/:id   a primary-key select of one case
 *   node --import tsx bench/baseline-server.ts compute   POST /assessments a constant JSON body
 *
 * Environment: PORT, DATABASE_URL (intake, read), DATABASE_POOL_MAX (the service's pool size),
 * TEMPLATE_CASE_ID (intake: a case written by the service whose column values and first event are reused, so
 * the rows are the same size), BASELINE_BODY (compute: the JSON to return). Same logger settings as the
 * service: pino at LOG_LEVEL (warn), the same redaction.
 */
import Fastify from 'fastify'
import pg from 'pg'

const mode = process.argv[2]
const port = Number(process.env.PORT ?? 0)
const poolMax = Number(process.env.DATABASE_POOL_MAX ?? 10)

const app = Fastify({
  logger: {
    level: process.env.LOG_LEVEL ?? 'warn',
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', '*.key', 'key'], censor: '[redacted]' },
  },
})

// Dates stay the 'YYYY-MM-DD' they are (as in src/platform/database/database.ts), so a copied row is copied exactly.
pg.types.setTypeParser(1082, (value) => value)

let pool: pg.Pool | undefined
function database(): pg.Pool {
  const connectionString = process.env.DATABASE_URL
  if (!connectionString) throw new Error('DATABASE_URL is required for this baseline')
  // The service's pool settings (src/platform/database/database.ts), plain pg with its default type parsing.
  pool = new pg.Pool({
    connectionString,
    max: poolMax,
    connectionTimeoutMillis: 3_000,
    statement_timeout: 15_000,
    idleTimeoutMillis: 30_000,
    application_name: `bench-baseline-${mode}`,
  })
  pool.on('error', () => {})
  return pool
}

app.get('/health/ready', async () => {
  if (pool) await pool.query('select 1')
  return { status: 'ok' }
})

if (mode === 'intake') {
  const db = database()
  const templateId = process.env.TEMPLATE_CASE_ID
  if (!templateId) throw new Error('TEMPLATE_CASE_ID is required for the intake baseline')
  const template = (await db.query('select * from "case" where id = $1', [templateId])).rows[0]
  const event = (await db.query('select * from case_event where case_id = $1 and seq = 1', [templateId])).rows[0]
  if (!template || !event) throw new Error(`template case ${templateId} or its first event is missing`)
  const json = (value: unknown) => (value === null ? null : JSON.stringify(value))
  // Every NOT NULL column and every FK as the service fills them; values are the template's (constants).
  const caseColumns = [
    template.organization_id,
    template.route,
    template.status,
    template.rule_set_id,
    template.rule_set_version,
    json(template.decision),
    template.voltage_volts,
    template.excavation_length_meters,
    template.excavation_width_meters,
    template.emergency,
    template.road_protected,
    json(template.works),
    json(template.location),
    template.district,
    template.planned_start_date,
    template.planned_end_date,
    json(template.contact),
    json(template.commitment),
    template.formalities_due_at,
    template.created_by_key_id,
    json(template.lifecycle),
    template.due_date,
    template.due_at,
    template.current_stage,
  ]
  const insertCase = `
    insert into "case" (number, external_reference, submitted_at, updated_at,
      organization_id, route, status, rule_set_id, rule_set_version, decision,
      voltage_volts, excavation_length_meters, excavation_width_meters, emergency, road_protected,
      works, location, district, planned_start_date, planned_end_date,
      contact, commitment, formalities_due_at, created_by_key_id, lifecycle,
      due_date, due_at, current_stage)
    values ('BL-' || nextval('case_number_seq'), $1, now(), now(),
      $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25)
    returning id`
  const insertEvent = `
    insert into case_event (case_id, organization_id, seq, type, from_status, to_status, actor_key_id, actor_role,
      actor_organization_id, request_id, occurred_at, payload, prev_hash, hash)
    values ($1, $2, 1, $3, null, $4, $5, $6, $7, $8, now(), $9, null, $10)`
  const eventPayload = json(event.payload)

  app.post('/cases', async (request, reply) => {
    const externalReference = (request.body as { externalReference?: unknown } | null)?.externalReference
    const client = await db.connect()
    try {
      await client.query('begin')
      const { rows } = await client.query(insertCase, [typeof externalReference === 'string' ? externalReference : null, ...caseColumns])
      const id = rows[0].id as string
      await client.query(insertEvent, [
        id,
        event.organization_id,
        event.type,
        event.to_status,
        event.actor_key_id,
        event.actor_role,
        event.actor_organization_id,
        request.id,
        eventPayload,
        event.hash,
      ])
      await client.query('commit')
      return reply.status(201).send({ id })
    } catch (error) {
      await client.query('rollback').catch(() => {})
      throw error
    } finally {
      client.release()
    }
  })
} else if (mode === 'read') {
  const db = database()
  app.get('/cases/:id', async (request, reply) => {
    const { rows } = await db.query('select * from "case" where id = $1', [(request.params as { id: string }).id])
    if (rows.length === 0) return reply.status(404).send({ status: 404 })
    return rows[0]
  })
} else if (mode === 'compute') {
  const body = JSON.parse(process.env.BASELINE_BODY ?? '{"ok":true}') as unknown
  app.post('/assessments', async () => body)
} else {
  console.error(`usage: baseline-server.ts intake|read|compute (got ${mode ?? 'nothing'})`)
  process.exit(64)
}

const shutdown = async () => {
  await app.close()
  await pool?.end()
  process.exit(0)
}
process.once('SIGTERM', () => void shutdown())
process.once('SIGINT', () => void shutdown())

await app.listen({ port, host: '127.0.0.1' })
