import { sql, type Kysely } from 'kysely'

// Frozen in time: never edit a migration that has shipped; add a new one.
export async function up(db: Kysely<any>): Promise<void> {
  // Least privilege (SECURITY.md "Database roles"): requests are served by a role that owns nothing. What it may
  // do per table is granted after every migration run (src/platform/database/database-roles.ts); here only what
  // no role but the owner should ever have: creating objects in the schema (PUBLIC had CREATE before PostgreSQL 15).
  await sql`revoke create on schema public from public`.execute(db)

  // Revocation reaches every instance within a second, whoever revokes (the API, the CLI, an operator in SQL):
  // the database announces it, each instance LISTENs (src/api-keys/api-key-auth.plugin.ts) and forgets the key.
  // The payload is the key's id; NOTIFY is delivered when (and only if) the revoking transaction commits.
  await sql`
    create function api_key_notify_revoked() returns trigger language plpgsql as $$
    begin
      perform pg_notify('api_key_revoked', old.id::text);
      return null;
    end $$
  `.execute(db)
  await sql`
    create trigger api_key_notify_revoked after update of revoked_at on api_key
    for each row when (old.revoked_at is null and new.revoked_at is not null) execute function api_key_notify_revoked()
  `.execute(db)
  await sql`create trigger api_key_notify_deleted after delete on api_key for each row execute function api_key_notify_revoked()`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger api_key_notify_deleted on api_key`.execute(db)
  await sql`drop trigger api_key_notify_revoked on api_key`.execute(db)
  await sql`drop function api_key_notify_revoked()`.execute(db)
  // CREATE on the schema is not given back to PUBLIC: no role but the owner needs it.
}
