#!/bin/sh
# Runs once when the PostgreSQL container first initialises its data folder: creates the app
# role with a password, so the migration that would create it (without one) finds it present.
set -eu
psql -v ON_ERROR_STOP=1 -v password="$PITSTOP_APP_PASSWORD" --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<'SQL'
CREATE ROLE pitstop_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD :'password';
SQL
