"""Create and drop throwaway PostgreSQL databases on the local server (trust auth) for tests and
benchmarks. The server URL comes from BOUWREGIE_PG_SERVER (default postgres://postgres@127.0.0.1:5432)."""

import os
import uuid

import psycopg

SERVER = os.environ.get("BOUWREGIE_PG_SERVER", "postgres://postgres@127.0.0.1:5432")


def create_database(prefix: str = "bouwregie") -> str:
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{SERVER}/{name}"


def drop_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def kept_database(name: str) -> str:
    """The URL of the database `name`, created when missing and kept (a benchmark's data, generated once)."""
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    return f"{SERVER}/{name}"
