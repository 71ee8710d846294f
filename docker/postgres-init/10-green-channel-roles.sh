#!/bin/sh
# Run once by the postgres image when it initialises an empty volume (/docker-entrypoint-initdb.d), as the
# image's superuser: creates the two roles of SECURITY.md "Database roles" with the passwords of .env.
#   green_channel_owner  owns the database and every table; the service migrates with it (DATABASE_MIGRATION_URL)
#   green_channel_app    serves requests (DATABASE_URL); owns nothing, gets per-table grants after each migration
# Neither is a superuser. The superuser (POSTGRES_USER) is for this script and maintenance only.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v db="$POSTGRES_DB" -v owner_password="$GREEN_CHANNEL_OWNER_PASSWORD" -v app_password="$GREEN_CHANNEL_APP_PASSWORD" <<'SQL'
create role green_channel_owner login nosuperuser nocreatedb nocreaterole nobypassrls password :'owner_password';
create role green_channel_app login nosuperuser nocreatedb nocreaterole nobypassrls password :'app_password';
-- The database owner owns schema public (PostgreSQL 15+: pg_database_owner), so the owner role may create in it.
alter database :"db" owner to green_channel_owner;
revoke all on database :"db" from public;
grant connect on database :"db" to green_channel_app;
revoke create on schema public from public;
SQL
