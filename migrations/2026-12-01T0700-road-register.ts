import { sql, type Kysely } from 'kysely'

// Frozen in time: never edit a migration that has shipped; add a new one.
// The road register (src/roads): one row per road with its GeoJSON geometry and, for the index-backed
// prefilter of road matching, its bounding box as a built-in `box` with a GiST index (no PostGIS: the
// embedded server has none; box and GiST exist on every PostgreSQL). Every change is kept in road_history
// with who, when and the road before and after, so a decision can be traced to the register as it was.
// The case keeps the road facts and the length check its route was decided on (length_check, roads).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table road (
      code text primary key,
      name text not null,
      district text not null,
      class text not null check (class in ('arterial', 'secondary', 'branch', 'other')),
      geometry jsonb not null,
      extent box not null,
      built_on date,
      reconstructed_on date,
      overhauled_on date,
      restrictions jsonb not null default '[]'::jsonb,
      version integer not null default 1,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      updated_by_key_id uuid
    )`.execute(db)
  await sql`create index road_extent_idx on road using gist (extent)`.execute(db)
  await sql`create index road_district_class_idx on road (district, class, code)`.execute(db)
  await sql`
    create table road_history (
      id bigserial primary key,
      road_code text not null,
      version integer not null,
      change text not null check (change in ('created', 'updated', 'deleted')),
      before jsonb,
      after jsonb,
      actor_key_id uuid,
      actor_role text not null,
      request_id text,
      source text not null default 'api' check (source in ('api', 'import', 'cli')),
      at timestamptz not null
    )`.execute(db)
  await sql`create index road_history_road_idx on road_history (road_code, id)`.execute(db)
  await sql`alter table "case" add column length_check jsonb, add column roads jsonb not null default '[]'::jsonb`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table "case" drop column length_check, drop column roads`.execute(db)
  await sql`drop table road_history`.execute(db)
  await sql`drop table road`.execute(db)
}
