import shutil

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "编译翻译文件；缺少 GNU gettext (msgfmt) 时给出提示而不中断（界面仍以中文显示）。"

    def handle(self, *args: object, **options: object) -> None:
        if shutil.which("msgfmt") is None:
            self.stderr.write("未找到 msgfmt：英文界面不可用。安装：sudo apt-get install gettext")
            return
        call_command("compilemessages", ignore_patterns=[".venv", "var", "node_modules"], verbosity=0)
