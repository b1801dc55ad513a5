"""Delete marked-up error files and never-confirmed uploads older than IMPORT_FILE_RETENTION_HOURS.

Celery beat runs the same service hourly; without beat, run this from cron.
"""

from django.core.management.base import BaseCommand

from techmarket.imports.services import import_files_purge


class Command(BaseCommand):
    help = "删除超过保留期的导入文件（标注错误的文件、未确认的上传）。"

    def handle(self, *args: object, **options: object) -> None:
        purged = import_files_purge()
        self.stdout.write(f"purged files of {purged} import job(s)")
