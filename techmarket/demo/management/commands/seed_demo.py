from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from techmarket.accounts.models import User
from techmarket.demo.generator import DEFAULT_PASSWORD, DEFAULT_SEED, generate


class Command(BaseCommand):
    help = "生成演示数据（固定随机种子，可重复）。已存在演示数据时只打印登录信息。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
        parser.add_argument("--password", default=DEFAULT_PASSWORD, help="所有演示账户的密码")

    def handle(self, *args: Any, **options: Any) -> None:
        if User.objects.filter(username="demo_operator").exists():
            self.stdout.write("演示数据已存在，跳过生成。")
            logins = None
        else:
            ctx = generate(
                seed=options["seed"],
                password=options["password"],
                progress=lambda label: self.stdout.write(f"  生成{label}…"),
            )
            logins = ctx.logins
            for note in ctx.notes:
                self.stdout.write(f"  {note}")
        self._print_logins(logins, options["password"])

    def _print_logins(self, logins: list[tuple[str, str, str]] | None, password: str) -> None:
        if logins is None:
            names = [
                "demo_operator",
                "demo_bureau",
                "demo_enterprise",
                "demo_staff",
                "demo_university",
                "demo_expert",
                "demo_broker",
                "demo_investor",
                "demo_pending",
            ]
            logins = []
            for user in User.objects.filter(username__in=names).prefetch_related("memberships__organization"):
                m = user.memberships.first()
                logins.append(
                    (m.get_role_display() if m else "", user.username, m.organization.name if m else "")
                )
        self.stdout.write(self.style.SUCCESS("\n演示账户（密码均为 %s）：" % password))
        for role, username, org in logins:
            self.stdout.write(f"  {role:<14} {username:<18} {org}")
        site = settings.SITE_URL.rstrip("/")
        self.stdout.write(
            f"\n打开 {site} ，用以上任一账户登录。运营后台：{site}/admin/（demo_operator 可登录）。\n"
        )
