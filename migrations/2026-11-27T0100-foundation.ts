import { sql, type Kysely } from 'kysely'

// Frozen in time: never edit a migration that has shipped; add a new one.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('organization')
    .addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('code', 'text', (col) => col.notNull().unique())
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute()

  await db.schema
    .createTable('api_key')
    .addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('prefix', 'text', (col) => col.notNull())
    // SHA-256 of the whole key: keys are 256-bit random, so a fast hash is as safe as a slow one.
    .addColumn('key_hash', 'text', (col) => col.notNull().unique())
    .addColumn('role', 'text', (col) => col.notNull().check(sql`role in ('dispatch', 'office', 'auditor', 'admin')`))
    .addColumn('organization_id', 'uuid', (col) => col.references('organization.id'))
    .addColumn('name', 'text')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('created_by_key_id', 'uuid')
    .addColumn('revoked_at', 'timestamptz')
    .addCheckConstraint('api_key_dispatch_has_organization', sql`role <> 'dispatch' or organization_id is not null`)
    .execute()

  await db.schema
    .createTable('rule_set')
    .addColumn('id', 'text', (col) => col.notNull())
    .addColumn('version', 'integer', (col) => col.notNull().check(sql`version > 0`))
    .addColumn('effective_from', 'date', (col) => col.notNull())
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('description', 'text')
    .addColumn('parameters', 'jsonb', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('created_by_key_id', 'uuid')
    .addPrimaryKeyConstraint('rule_set_pkey', ['id', 'version'])
    .execute()

  await db.schema
    .createTable('calendar_year')
    .addColumn('year', 'integer', (col) => col.primaryKey())
    .addColumn('holidays', sql`date[]`, (col) => col.notNull())
    .addColumn('makeup_workdays', sql`date[]`, (col) => col.notNull())
    .addColumn('source', 'text', (col) => col.notNull())
    .addColumn('fingerprint', 'text', (col) => col.notNull())
    .addColumn('loaded_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('loaded_by_key_id', 'uuid')
    .execute()

  // Human-readable case numbers (ZZ-2026-000123): a sequence never blocks concurrent intakes;
  // a rolled-back intake leaves a gap, which the event log explains.
  await sql`create sequence case_number_seq`.execute(db)

  await db.schema
    .createTable('case')
    .addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('number', 'text', (col) => col.notNull().unique())
    .addColumn('organization_id', 'uuid', (col) => col.notNull().references('organization.id'))
    .addColumn('external_reference', 'text')
    .addColumn('route', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('rule_set_id', 'text', (col) => col.notNull())
    .addColumn('rule_set_version', 'integer', (col) => col.notNull())
    .addColumn('decision', 'jsonb', (col) => col.notNull())
    .addColumn('voltage_volts', 'integer', (col) => col.notNull())
    .addColumn('excavation_length_meters', sql`numeric(10, 2)`, (col) => col.notNull())
    .addColumn('excavation_width_meters', sql`numeric(8, 2)`)
    .addColumn('emergency', 'boolean', (col) => col.notNull())
    .addColumn('road_protected', 'boolean', (col) => col.notNull())
    .addColumn('works', 'jsonb', (col) => col.notNull())
    .addColumn('location', 'jsonb', (col) => col.notNull())
    .addColumn('district', 'text', (col) => col.notNull())
    .addColumn('planned_start_date', 'date', (col) => col.notNull())
    .addColumn('planned_end_date', 'date', (col) => col.notNull())
    .addColumn('contact', 'jsonb', (col) => col.notNull())
    .addColumn('commitment', 'jsonb')
    .addColumn('filing_receipt_number', 'text', (col) => col.unique())
    .addColumn('submitted_at', 'timestamptz', (col) => col.notNull())
    .addColumn('formalities_due_at', 'timestamptz')
    .addColumn('version', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('created_by_key_id', 'uuid', (col) => col.notNull())
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addForeignKeyConstraint('case_rule_set_fkey', ['rule_set_id', 'rule_set_version'], 'rule_set', ['id', 'version'])
    .addUniqueConstraint('case_external_reference_key', ['organization_id', 'external_reference'])
    .execute()

  // Keyset pagination walks (submitted_at, id) newest first, optionally within one organization.
  await sql`create index case_submitted_idx on "case" (submitted_at desc, id desc)`.execute(db)
  await sql`create index case_org_submitted_idx on "case" (organization_id, submitted_at desc, id desc)`.execute(db)
  await sql`create index case_status_submitted_idx on "case" (status, submitted_at desc, id desc)`.execute(db)
  await sql`create index case_route_submitted_idx on "case" (route, submitted_at desc, id desc)`.execute(db)
  await sql`create index case_district_submitted_idx on "case" (district, submitted_at desc, id desc)`.execute(db)

  await db.schema
    .createTable('case_event')
    .addColumn('id', 'bigserial', (col) => col.primaryKey())
    .addColumn('case_id', 'uuid', (col) => col.notNull().references('case.id'))
    .addColumn('seq', 'integer', (col) => col.notNull())
    .addColumn('type', 'text', (col) => col.notNull())
    .addColumn('from_status', 'text')
    .addColumn('to_status', 'text')
    .addColumn('actor_key_id', 'uuid')
    .addColumn('actor_role', 'text')
    .addColumn('actor_organization_id', 'uuid')
    .addColumn('request_id', 'text')
    .addColumn('occurred_at', 'timestamptz', (col) => col.notNull())
    .addColumn('payload', 'jsonb', (col) => col.notNull())
    .addColumn('prev_hash', 'text')
    .addColumn('hash', 'text', (col) => col.notNull())
    .addUniqueConstraint('case_event_case_seq_key', ['case_id', 'seq'])
    .execute()

  // The history is evidence: the database itself refuses to rewrite it, whatever the application does.
  await sql`
    create function case_event_refuse_change() returns trigger language plpgsql as $$
    begin
      raise exception 'case_event is append-only: % is not allowed', tg_op using errcode = 'P0001';
    end
    $$`.execute(db)
  await sql`
    create trigger case_event_append_only before update or delete on case_event
    for each row execute function case_event_refuse_change()`.execute(db)
  await sql`
    create trigger case_event_no_truncate before truncate on case_event
    for each statement execute function case_event_refuse_change()`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('case_event').execute()
  await sql`drop function case_event_refuse_change`.execute(db)
  await db.schema.dropTable('case').execute()
  await sql`drop sequence case_number_seq`.execute(db)
  await db.schema.dropTable('calendar_year').execute()
  await db.schema.dropTable('rule_set').execute()
  await db.schema.dropTable('api_key').execute()
  await db.schema.dropTable('organization').execute()
}
