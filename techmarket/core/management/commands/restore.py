"""manage.py restore <backup folder>: into an empty instance, then every table and file is checked."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from techmarket.core.backup import BackupError, Target, restore


class Command(BaseCommand):
    help = "Restore a backup made by `manage.py backup` into an empty database and media folder."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", help="a techmarket-backup-<time>/ folder")
        parser.add_argument("--database-url", help="restore into this database instead of the configured one")
        parser.add_argument("--media-root", help="restore the uploaded files here instead of MEDIA_ROOT")
        parser.add_argument("--force", action="store_true", help="write into a non-empty target")

    def handle(self, *args: Any, **options: Any) -> str:
        target = Target.from_options(options.get("database_url"), options.get("media_root"))
        try:
            report = restore(options["source"], target=target, force=options["force"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        return json.dumps(report)
