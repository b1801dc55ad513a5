"""Restore drill: back up the database and the uploaded files, restore into an empty second instance
(another database, another media folder) and compare every row of every table and every file."""

import hashlib
import sqlite3
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection, connections
from factories import MembershipFactory, OrganizationFactory, UserFactory

from techmarket.core import crypto
from techmarket.imports.models import ImportJob
from techmarket.needs import services as need_services
from techmarket.orgs.models import Role

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def reference_data(transactional_db):
    """Transactional tests flush the database afterwards, migration data included: load it again."""
    call_command("load_reference", verbosity=0)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


SECRET = "保密工艺窗口 860℃"


def _some_data():
    org = OrganizationFactory(name="临沂新材料研究院")
    user = UserFactory()
    MembershipFactory(user=user, organization=org, role=Role.ORG_ADMIN)
    for i in range(3):
        need_services.need_create(
            acting_user=user,
            owner=org,
            title=f"高端不锈钢表面处理工艺改进 {i}",
            summary="冷轧板表面缺陷",
            problem="漏检率高",
            cooperation_modes=["joint"],
            rd_cycle_months=12,
            confidential_detail=f"{SECRET} {i}",
            contact_phone="0539-8123456",
        )
    job = ImportJob(spec_key="needs", owner=org, original_name="需求清单.xlsx", created_by=user)
    job.file.save("需求清单.xlsx", ContentFile(b"PK\x03\x04 not really a workbook"), save=True)
    (Path(job.file.path).parent / "附件-说明.txt").write_text("合同附件", encoding="utf-8")


def _rows_everywhere(cursor, tables):
    out = {}
    for table in tables:
        cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608
        out[table] = sorted((tuple(r) for r in cursor.fetchall()), key=repr)
    return out


def _files(root: Path):
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file()
    }


@pytest.fixture
def second_instance(tmp_path):
    """An empty database of the same engine as the tests', and its URL; dropped afterwards on PostgreSQL."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}", None
        return
    import psycopg

    db = connection.settings_dict
    name = f"{db['NAME']}_restore"
    admin = psycopg.connect(
        dbname="postgres",
        host=db["HOST"] or None,
        port=db["PORT"] or None,
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        autocommit=True,
    )
    admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.execute(f'CREATE DATABASE "{name}"')
    auth = f"{db['USER']}:{db['PASSWORD']}@" if db["PASSWORD"] else f"{db['USER']}@"
    url = f"postgres://{auth}{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"

    def open_target():
        """The restored database through Django's own backend, so values load exactly as on the source."""
        wrapper = connections["default"].__class__({**db, "NAME": name}, alias="restore-drill")
        wrapper.ensure_connection()
        return wrapper

    yield url, open_target
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def test_restore_drill_brings_back_every_row_and_every_file(media, tmp_path, second_instance):
    _some_data()
    backup_dir = Path(call_command("backup", str(tmp_path / "backups")))
    assert (backup_dir / "manifest.json").exists()

    url, open_target = second_instance
    restored_media = tmp_path / "media-restored"
    call_command("restore", str(backup_dir), database_url=url, media_root=str(restored_media))

    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    # raw DB-API cursors on both sides, so values compare as stored, not as Django converts them
    before = _rows_everywhere(connection.connection.cursor(), tables)
    if open_target is None:
        target = sqlite3.connect(url.removeprefix("sqlite:///"), detect_types=sqlite3.PARSE_DECLTYPES)
        after = _rows_everywhere(target.cursor(), tables)
        target.close()
    else:
        target = open_target()
        after = _rows_everywhere(target.connection.cursor(), tables)
        target.close()
    assert sum(len(rows) for rows in before.values()) > 50  # users, needs, audit, migrations, reference codes
    assert before["needs_need"] and before["imports_importjob"]
    assert after == before
    # encrypted fields come back as the same ciphertext, readable with the same keys
    columns = [
        c.name for c in connection.introspection.get_table_description(connection.cursor(), "needs_need")
    ]
    stored = [dict(zip(columns, row, strict=True)) for row in after["needs_need"]]
    assert all(
        crypto.is_encrypted(r["confidential_detail"]) and SECRET not in r["confidential_detail"]
        for r in stored
    )
    assert all(crypto.decrypt(r["contact_phone"]) == "0539-8123456" for r in stored)
    assert sorted(crypto.decrypt(r["confidential_detail"]) for r in stored) == [
        f"{SECRET} {i}" for i in range(3)
    ]
    assert _files(restored_media) == _files(media) and len(_files(media)) == 2


def test_restore_refuses_a_target_that_is_not_empty(media, tmp_path, second_instance):
    _some_data()
    backup_dir = call_command("backup", str(tmp_path / "backups"))
    url, _open = second_instance
    call_command("restore", backup_dir, database_url=url, media_root=str(tmp_path / "m2"))
    with pytest.raises(CommandError, match="不是空的"):
        call_command("restore", backup_dir, database_url=url, media_root=str(tmp_path / "m3"))
