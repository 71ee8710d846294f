import { sql, type Kysely } from 'kysely'

// Frozen in time: never edit a migration that has shipped; add a new one.
// Reading a case is the hottest query. Joining organization and rule_set on every read cost more in
// planning (0.22 ms) than in execution (0.06 ms) (bench/README.md), so the two facts a case needs from them
// — the organization's code and the rule-set version's effective date, neither of which ever changes —
// are copied onto the case row when it is inserted, by a trigger so that every writer (the service, bulk
// seeds) gets them.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table "case" add column organization_code text, add column rule_set_effective_from date`.execute(db)
  await sql`
    create function case_fill_read_columns() returns trigger language plpgsql as $$
    begin
      select code into new.organization_code from organization where id = new.organization_id;
      select effective_from into new.rule_set_effective_from from rule_set where id = new.rule_set_id and version = new.rule_set_version;
      return new;
    end
    $$`.execute(db)
  await sql`
    create trigger case_fill_read_columns before insert on "case"
    for each row execute function case_fill_read_columns()`.execute(db)
  await sql`
    update "case" c set organization_code = o.code, rule_set_effective_from = r.effective_from
    from organization o, rule_set r
    where o.id = c.organization_id and r.id = c.rule_set_id and r.version = c.rule_set_version`.execute(db)
  await sql`alter table "case" alter column organization_code set not null, alter column rule_set_effective_from set not null`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger case_fill_read_columns on "case"`.execute(db)
  await sql`drop function case_fill_read_columns`.execute(db)
  await sql`alter table "case" drop column organization_code, drop column rule_set_effective_from`.execute(db)
}
