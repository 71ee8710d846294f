import { sql, type Kysely } from 'kysely'

// Frozen in time: never edit a migration that has shipped; add a new one.
export async function up(db: Kysely<any>): Promise<void> {
  // Signed checkpoints of the whole history (src/audit, docs/audit.md). Like case_event they are evidence: the
  // database refuses to change or remove them, and the application has no path that would.
  await db.schema
    .createTable('audit_checkpoint')
    .addColumn('sequence', 'integer', (col) => col.primaryKey().check(sql`sequence > 0`))
    .addColumn('format', 'text', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull())
    .addColumn('case_count', 'bigint', (col) => col.notNull())
    .addColumn('event_count', 'bigint', (col) => col.notNull())
    .addColumn('merkle_root', 'text', (col) => col.notNull())
    .addColumn('previous_hash', 'text')
    .addColumn('key_id', 'text', (col) => col.notNull())
    .addColumn('hash', 'text', (col) => col.notNull().unique())
    .addColumn('signature', 'text', (col) => col.notNull())
    // Not signed: cases whose chain no longer extended their previous leaf, carried forward unchanged.
    .addColumn('carried_forward', 'integer', (col) => col.notNull().defaultTo(0))
    .execute()

  // The leaves of each checkpoint, stored as changes: a row when a case is new or its head moved on. The leaves
  // of checkpoint N are, per case, its row with the greatest sequence <= N (cases are never removed).
  await db.schema
    .createTable('audit_checkpoint_leaf')
    .addColumn('case_id', 'uuid', (col) => col.notNull())
    .addColumn('sequence', 'integer', (col) => col.notNull())
    .addColumn('case_number', 'text', (col) => col.notNull())
    .addColumn('event_count', 'integer', (col) => col.notNull())
    .addColumn('head_hash', 'text', (col) => col.notNull())
    .execute()
  await sql`create unique index audit_checkpoint_leaf_case_idx on audit_checkpoint_leaf (case_id, sequence desc)`.execute(db)

  await sql`
    create function audit_checkpoint_refuse_change() returns trigger language plpgsql as $$
    begin
      raise exception '% is append-only: % is not allowed', tg_table_name, tg_op using errcode = 'P0001';
    end
    $$`.execute(db)
  for (const table of ['audit_checkpoint', 'audit_checkpoint_leaf']) {
    await sql`create trigger ${sql.raw(`${table}_append_only`)} before update or delete on ${sql.table(table)}
      for each row execute function audit_checkpoint_refuse_change()`.execute(db)
    await sql`create trigger ${sql.raw(`${table}_no_truncate`)} before truncate on ${sql.table(table)}
      for each statement execute function audit_checkpoint_refuse_change()`.execute(db)
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('audit_checkpoint_leaf').execute()
  await db.schema.dropTable('audit_checkpoint').execute()
  await sql`drop function audit_checkpoint_refuse_change`.execute(db)
}
