#!/bin/sh
# The one-shot `migrate` service of docker-compose.yml (docs/deployment.md): make the owner and
# app roles, migrate as the owner, then give the app role its rights on the tables. The web
# app, the worker and beat start only after this has finished, and connect as the app role.
set -eu
: "${PGHOST:?}" "${PGUSER:?the superuser}" "${PGPASSWORD:?}" "${OUTTURN_DB_NAME:?}"
: "${OUTTURN_DB_OWNER:?}" "${OUTTURN_DB_OWNER_PASSWORD:?}" "${OUTTURN_DB_APP:?}" "${OUTTURN_DB_APP_PASSWORD:?}"

roles() {
    psql --quiet --dbname "$OUTTURN_DB_NAME" -v step="$1" \
        -v db="$OUTTURN_DB_NAME" -v owner="$OUTTURN_DB_OWNER" -v owner_password="$OUTTURN_DB_OWNER_PASSWORD" \
        -v app="$OUTTURN_DB_APP" -v app_password="$OUTTURN_DB_APP_PASSWORD" -f deploy/db_roles.sql
}

roles roles
DATABASE_URL="postgres://$OUTTURN_DB_OWNER:$OUTTURN_DB_OWNER_PASSWORD@$PGHOST:${PGPORT:-5432}/$OUTTURN_DB_NAME" \
    python manage.py migrate --noinput
roles grants
echo "Migrated as $OUTTURN_DB_OWNER; $OUTTURN_DB_APP may read and write rows and owns nothing."
