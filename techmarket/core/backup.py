"""Backup and restore of the database and the uploaded files, consistently (manage.py backup / restore).

A backup is one directory::

    manifest.json       what was saved: engine, method, rows per table, every file with size and SHA-256
    database.dump       PostgreSQL: pg_dump --format=custom (one consistent snapshot)
    database.sqlite3    SQLite: the online backup API (one consistent snapshot, writers keep going)
    database.json       PostgreSQL without pg_dump: dumpdata inside one REPEATABLE READ transaction
    media/...           the uploaded files (MEDIA_ROOT)

The database is saved first and the files after it: uploads are stored before the rows that point to
them are committed and are never changed in place, so every file the saved rows name is in the copy
(a file uploaded meanwhile is an unreferenced extra, harmless). Restore goes into an empty instance
(another DATABASE_URL and MEDIA_ROOT, or the configured ones) and then checks every table's row count
and every file's checksum against the manifest.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import dj_database_url
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction

FORMAT = 1


class BackupError(Exception):
    """Backup or restore could not be done; the message says why and what to do."""


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def file_manifest(root: Path) -> list[dict[str, Any]]:
    if not root.exists():
        return []
    return [
        {"path": p.relative_to(root).as_posix(), "size": p.stat().st_size, "sha256": sha256(p)}
        for p in sorted(root.rglob("*"))
        if p.is_file()
    ]


def _pg_command(db: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """Connection arguments for pg_dump/pg_restore, the password through the environment."""
    args = ["--dbname", str(db["NAME"])]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            args += [flag, str(db[key])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _table_counts(cursor: Any, tables: list[str], quote: Any) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 - names from introspection
        counts[table] = int(cursor.fetchone()[0])
    return counts


def _source_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        return _table_counts(cursor, connection.introspection.table_names(cursor), connection.ops.quote_name)


def backup(dest: Path, *, method: str | None = None) -> Path:
    """Write a new backup directory under ``dest`` and return it."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = Path(dest) / f"techmarket-backup-{stamp}"
    target.mkdir(parents=True)
    vendor = connection.vendor
    if method is None:
        method = "sqlite" if vendor == "sqlite" else ("pg_dump" if shutil.which("pg_dump") else "dumpdata")
    connection.ensure_connection()
    if method == "sqlite":
        if vendor != "sqlite":
            raise BackupError("SQLite 备份只适用于 SQLite 数据库。")
        database_file = "database.sqlite3"
        out = sqlite3.connect(target / database_file)
        try:
            connection.connection.backup(out)  # the online backup API: a consistent snapshot
            tables = [
                r[0]
                for r in out.execute(
                    "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
                )
            ]
            counts = _table_counts(out.cursor(), tables, lambda n: f'"{n}"')  # counted in the snapshot itself
        finally:
            out.close()
    elif method == "pg_dump":
        database_file = "database.dump"
        args, env = _pg_command(connection.settings_dict)
        with transaction.atomic():  # counts and dump read one exported snapshot
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
            counts = _source_counts()
            result = subprocess.run(  # noqa: S603
                [  # noqa: S607
                    "pg_dump",
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",  # noqa: S603,S607
                    f"--snapshot={snapshot}",
                    "--file",
                    str(target / database_file),
                    *args,
                ],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
        if result.returncode:
            raise BackupError(f"pg_dump 失败：{result.stderr.strip()}")
    elif method == "dumpdata":
        database_file = "database.json"
        with transaction.atomic():
            if vendor == "postgresql":  # one snapshot for every table
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            counts = _source_counts()
            with (target / database_file).open("w", encoding="utf-8") as stream:
                call_command(
                    "dumpdata",
                    "--natural-foreign",
                    "--indent",
                    "0",
                    stdout=stream,
                    exclude=["contenttypes", "auth.permission"],
                )
    else:
        raise BackupError(f"未知的备份方式：{method}")
    media_root = Path(settings.MEDIA_ROOT)
    files = file_manifest(media_root)
    if media_root.exists():
        shutil.copytree(media_root, target / "media")
    else:
        (target / "media").mkdir()
    manifest = {
        "format": FORMAT,
        "created_at": datetime.now().astimezone().isoformat(),
        "engine": vendor,
        "method": method,
        "database_file": database_file,
        "tables": counts,
        "files": files,
    }
    (target / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    # files copied while being uploaded: the manifest is what the copy holds
    copied = {f["path"]: f for f in file_manifest(target / "media")}
    missing = [f["path"] for f in files if copied.get(f["path"], {}).get("sha256") != f["sha256"]]
    if missing:
        raise BackupError(f"上传文件复制不完整：{', '.join(missing[:5])}")
    return target


@dataclass
class Target:
    """Where a restore goes: a database (settings dict) and a media directory."""

    db: dict[str, Any]
    media_root: Path

    @classmethod
    def from_options(cls, database_url: str | None, media_root: str | None) -> Target:
        db = dict(dj_database_url.parse(database_url)) if database_url else dict(connection.settings_dict)
        return cls(db=db, media_root=Path(media_root) if media_root else Path(settings.MEDIA_ROOT))

    @property
    def is_default(self) -> bool:
        return self.db.get("NAME") == connection.settings_dict.get("NAME") and self.db.get(
            "HOST", ""
        ) == connection.settings_dict.get("HOST", "")

    def vendor(self) -> str:
        return "sqlite" if "sqlite" in self.db["ENGINE"] else "postgresql"


def _sqlite_target(target: Target) -> sqlite3.Connection:
    if target.is_default:
        connection.ensure_connection()
        return connection.connection
    return sqlite3.connect(target.db["NAME"])


def _pg_target(target: Target) -> Any:
    import psycopg

    db = target.db
    return psycopg.connect(
        dbname=db["NAME"],
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        autocommit=True,
    )


def target_counts(target: Target, tables: list[str]) -> dict[str, int]:
    if target.vendor() == "sqlite":
        conn = _sqlite_target(target)
        cursor = conn.cursor()
        try:
            return _table_counts(cursor, tables, lambda n: f'"{n}"')
        finally:
            cursor.close()
            if not target.is_default:
                conn.close()
    with _pg_target(target) as conn, conn.cursor() as cursor:
        return _table_counts(cursor, tables, lambda n: f'"{n}"')


def _target_is_empty(target: Target) -> bool:
    if target.vendor() == "sqlite":
        if not target.is_default and not Path(target.db["NAME"]).exists():
            return True
        conn = _sqlite_target(target)
        try:
            tables = [
                r[0]
                for r in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
                )
            ]
        finally:
            if not target.is_default:
                conn.close()
    else:
        with _pg_target(target) as conn, conn.cursor() as cursor:
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            tables = [r[0] for r in cursor.fetchall()]
    if not tables:
        return True
    return not any(target_counts(target, tables).values())


def restore(source: Path, *, target: Target, force: bool = False) -> dict[str, Any]:
    """Restore a backup into an empty instance, then check every table's rows and every file."""
    source = Path(source)
    manifest = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise BackupError("备份格式版本不符，请用相同版本的平台恢复。")
    media_has_files = target.media_root.exists() and any(p.is_file() for p in target.media_root.rglob("*"))
    if not force and (media_has_files or not _target_is_empty(target)):
        raise BackupError("目标数据库或上传文件目录不是空的。恢复只写入空实例；确需覆盖请加 --force。")
    database_file = source / manifest["database_file"]
    method = manifest["method"]
    if method == "sqlite":
        if target.vendor() != "sqlite":
            raise BackupError("SQLite 备份只能恢复到 SQLite 数据库。")
        backup_conn = sqlite3.connect(database_file)
        dest = _sqlite_target(target)
        try:
            backup_conn.backup(dest)
        finally:
            backup_conn.close()
            if not target.is_default:
                dest.close()
    elif method == "pg_dump":
        if target.vendor() != "postgresql":
            raise BackupError("pg_dump 备份只能恢复到 PostgreSQL 数据库。")
        args, env = _pg_command(target.db)
        result = subprocess.run(  # noqa: S603
            [  # noqa: S607
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",  # noqa: S603,S607
                *args,
                str(database_file),
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode:
            raise BackupError(f"pg_restore 失败：{result.stderr.strip()}")
    elif method == "dumpdata":
        if not target.is_default:
            raise BackupError("JSON 备份只能恢复到当前配置的数据库（请把 DATABASE_URL 指向新实例）。")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("loaddata", str(database_file), verbosity=0)
    else:
        raise BackupError(f"未知的备份方式：{method}")
    target.media_root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(source / "media", target.media_root, dirs_exist_ok=True)
    return verify(manifest, target)


def verify(manifest: dict[str, Any], target: Target) -> dict[str, Any]:
    """Compare the restored instance with the manifest: rows per table and every file's checksum."""
    counts = target_counts(target, list(manifest["tables"]))
    if manifest["method"] == "dumpdata":  # tables dumpdata leaves out are rebuilt by migrate
        counts = {t: n for t, n in counts.items() if t not in {"django_content_type", "auth_permission"}}
    wrong_tables = {
        t: (n, counts[t]) for t, n in manifest["tables"].items() if t in counts and counts[t] != n
    }
    restored = {f["path"]: f["sha256"] for f in file_manifest(target.media_root)}
    wrong_files = [f["path"] for f in manifest["files"] if restored.get(f["path"]) != f["sha256"]]
    if wrong_tables or wrong_files:
        raise BackupError(f"恢复后校验不一致：表 {wrong_tables}，文件 {wrong_files[:10]}")
    return {
        "tables": len(manifest["tables"]),
        "rows": sum(manifest["tables"].values()),
        "files": len(manifest["files"]),
    }
