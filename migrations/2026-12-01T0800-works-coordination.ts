import { sql, type Kysely } from 'kysely'

// Frozen in time: never edit a migration that has shipped; add a new one.
// Where and when works dig (src/coordination): one footprint per open case with a works geometry, and the clashes
// found between them. No PostGIS (the embedded server has none): the prefilter is PostgreSQL's built-in `box`
// (the geometry's lon/lat bounding box) and `daterange` (the planned or approved period, inclusive) under one
// multicolumn GiST index — both types have GiST operator classes in core PostgreSQL, so no extension is needed.
// The exact test (geodesic distance within the rule set's buffer) runs in TypeScript (src/core/geo/works-clash.ts).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table works_footprint (
      case_id uuid primary key references "case" (id) on delete cascade,
      organization_id uuid not null,
      organization_code text not null,
      case_number text not null,
      route text not null,
      status text not null,
      road_name text not null,
      -- The register roads matched at intake (case.roads, migration 2026-12-01T0700): same road = a shared code.
      road_codes text[] not null default '{}',
      extent box not null,
      period daterange not null,
      geometry jsonb not null,
      updated_at timestamptz not null
    )`.execute(db)
  await sql`create index works_footprint_extent_period_idx on works_footprint using gist (extent, period)`.execute(db)
  // One row per pair, the smaller case id first: a clash is one fact shared by both cases.
  await sql`
    create table works_clash (
      case_a uuid not null references "case" (id) on delete cascade,
      case_b uuid not null references "case" (id) on delete cascade,
      distance_meters numeric(10, 2) not null,
      overlap_from date not null,
      overlap_to date not null,
      same_road boolean not null,
      status text not null default 'open' check (status in ('open', 'linked', 'dismissed')),
      decision jsonb,
      detected_at timestamptz not null,
      updated_at timestamptz not null,
      primary key (case_a, case_b),
      check (case_a < case_b)
    )`.execute(db)
  await sql`create index works_clash_case_b_idx on works_clash (case_b)`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table works_clash`.execute(db)
  await sql`drop table works_footprint`.execute(db)
}
