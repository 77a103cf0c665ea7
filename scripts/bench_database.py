"""A benchmark's own database beside the one of DATABASE_URL: made empty before it runs and
dropped after, on the same PostgreSQL server."""

from __future__ import annotations


def own_database(url: str, action: str) -> None:
    """`action` "create": drop the database of `url` if it is there and make it again, empty;
    "drop": close this process's own connections to it, then drop it."""
    import psycopg2

    if action == "drop":
        from django.db import connections

        connections.close_all()

    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    name = url.rsplit("/", 1)[1]
    connection = psycopg2.connect(admin_url)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if action == "create":
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()
