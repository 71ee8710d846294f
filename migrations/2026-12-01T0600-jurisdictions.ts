import { sql, type Kysely } from 'kysely'

// Frozen in time: never edit a migration that has shipped; add a new one.
// Jurisdictions (docs/jurisdictions.md): each city's green channel is a row here naming the rule set it uses, the
// prefix of its case numbers and its bounding box. Organizations, API keys and every case-owned row carry the
// jurisdiction, so every query can be scoped by it and the tables can later be distributed by it (README "Scaling
// out"). Rows that exist already belong to Zhangzhou, the only city before this migration.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table jurisdiction (
      code text primary key check (code ~ '^[a-z][a-z0-9_-]{1,31}$'),
      name_zh text not null,
      name_en text not null,
      case_number_prefix text not null unique check (case_number_prefix ~ '^[A-Z]{2,4}$'),
      -- WGS 84 degrees: west, south, east, north (RFC 7946 §5 order).
      bbox_west numeric(9, 6) not null,
      bbox_south numeric(9, 6) not null,
      bbox_east numeric(9, 6) not null,
      bbox_north numeric(9, 6) not null,
      time_zone text not null default 'Asia/Shanghai',
      rule_set_id text not null,
      is_default boolean not null default false,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      updated_by_key_id uuid,
      check (bbox_west < bbox_east and bbox_south < bbox_north)
    )`.execute(db)
  // The deployment's default jurisdiction: at most one.
  await sql`create unique index jurisdiction_one_default_idx on jurisdiction (is_default) where is_default`.execute(db)
  await sql`
    insert into jurisdiction (code, name_zh, name_en, case_number_prefix, bbox_west, bbox_south, bbox_east, bbox_north, rule_set_id, is_default) values
      ('zhangzhou', '漳州市', 'Zhangzhou', 'ZZ', 116.883333, 23.533333, 118.150000, 25.216667, 'zz-green-channel', true),
      ('zhongshan', '中山市', 'Zhongshan', 'ZS', 113.150000, 22.183333, 113.666667, 22.766667, 'zs-green-channel', false),
      ('yichuan', '伊川县', 'Yichuan', 'YC', 112.200000, 34.250000, 112.716667, 34.566667, 'yc-green-channel', false)`.execute(db)

  await sql`alter table organization add column jurisdiction_code text not null default 'zhangzhou' references jurisdiction (code)`.execute(db)
  await sql`create index organization_jurisdiction_idx on organization (jurisdiction_code)`.execute(db)
  // null: the key spans every jurisdiction (admin, an unscoped auditor); a dispatch key is scoped by its organization.
  await sql`alter table api_key add column jurisdiction_code text references jurisdiction (code)`.execute(db)
  // Office keys made before jurisdictions existed worked for Zhangzhou, the only city.
  await sql`update api_key set jurisdiction_code = 'zhangzhou' where role = 'office'`.execute(db)

  // The case's jurisdiction is its organization's, copied on insert (like organization_code, migration 0700) so
  // that every writer gets it; existing cases are Zhangzhou's (the column default).
  await sql`alter table "case" add column jurisdiction_code text not null default 'zhangzhou' references jurisdiction (code)`.execute(db)
  await sql`alter table "case" alter column jurisdiction_code drop default`.execute(db)
  await sql`
    create function case_fill_jurisdiction() returns trigger language plpgsql as $$
    begin
      if new.jurisdiction_code is null then
        select jurisdiction_code into new.jurisdiction_code from organization where id = new.organization_id;
      end if;
      return new;
    end
    $$`.execute(db)
  await sql`create trigger case_fill_jurisdiction before insert on "case" for each row execute function case_fill_jurisdiction()`.execute(db)
  // Every list of a scoped key walks (jurisdiction, submitted_at, id); the same key distributes the table.
  await sql`create index case_jurisdiction_submitted_idx on "case" (jurisdiction_code, submitted_at desc, id desc)`.execute(db)

  // Case-owned rows carry the case's jurisdiction too (the distribution column of a sharded deployment), copied
  // from the case on insert so that no writer has to pass it. case_event is append-only (its trigger refuses
  // updates), so existing events get it from the column default, which is right: every existing case is Zhangzhou's.
  await sql`
    create function fill_case_jurisdiction() returns trigger language plpgsql as $$
    begin
      select jurisdiction_code into new.jurisdiction_code from "case" where id = new.case_id;
      return new;
    end
    $$`.execute(db)
  for (const table of ['case_event', 'case_warning', 'case_reason_code', 'webhook_delivery']) {
    await sql`alter table ${sql.table(table)} add column jurisdiction_code text not null default 'zhangzhou'`.execute(db)
    await sql`alter table ${sql.table(table)} alter column jurisdiction_code drop default`.execute(db)
    await sql.raw(`create trigger ${table}_fill_jurisdiction before insert on ${table} for each row execute function fill_case_jurisdiction()`).execute(db)
  }
  await sql`create index case_event_jurisdiction_idx on case_event (jurisdiction_code, id)`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['case_event', 'case_warning', 'case_reason_code', 'webhook_delivery']) {
    await sql.raw(`drop trigger ${table}_fill_jurisdiction on ${table}`).execute(db)
    await sql`alter table ${sql.table(table)} drop column jurisdiction_code`.execute(db)
  }
  await sql`drop function fill_case_jurisdiction`.execute(db)
  await sql`drop trigger case_fill_jurisdiction on "case"`.execute(db)
  await sql`drop function case_fill_jurisdiction`.execute(db)
  await sql`alter table "case" drop column jurisdiction_code`.execute(db)
  await sql`alter table api_key drop column jurisdiction_code`.execute(db)
  await sql`alter table organization drop column jurisdiction_code`.execute(db)
  await sql`drop table jurisdiction`.execute(db)
}
