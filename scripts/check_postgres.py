"""Exit 0 when the PostgreSQL server in the given URL answers, 1 otherwise (used by `make test`)."""

import sys

import psycopg

url = sys.argv[1]
server_url = url.rsplit("/", 1)[0] + "/postgres"
try:
    with psycopg.connect(server_url, connect_timeout=5) as conn:
        conn.execute("SELECT 1")
except psycopg.Error as exc:
    print(f"PostgreSQL 连接失败：{exc}".strip(), file=sys.stderr)
    sys.exit(1)
