"""manage.py backup <folder>: database and uploaded files, consistently (see techmarket/core/backup.py)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from techmarket.core.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database and the uploaded files into a new folder under the given one."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dest", help="folder that receives techmarket-backup-<time>/")
        parser.add_argument(
            "--method",
            choices=["pg_dump", "sqlite", "dumpdata"],
            help="default: pg_dump on PostgreSQL (dumpdata without it), the backup API on SQLite",
        )

    def handle(self, *args: Any, **options: Any) -> str:
        try:
            path = backup(options["dest"], method=options.get("method"))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stderr.write(f"backup written: {path}")
        return str(path)
