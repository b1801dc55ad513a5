"""Load or update the technology-contract types from a CSV (type,subtype,legal_basis,note).

Rows are matched on (type, subtype); rows missing from the file are deactivated (never deleted: registered
contracts keep their type), so the 2026 rules can replace the old table without a code change.
"""

import csv
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from techmarket.audit.services import audit_record
from techmarket.contracts.models import ContractType


class Command(BaseCommand):
    help = "从 CSV（type,subtype,legal_basis,note）导入或更新技术合同类型。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("csv_path")
        parser.add_argument("--keep-missing", action="store_true", help="不停用文件中没有的类型")

    def handle(self, *args: Any, csv_path: str, keep_missing: bool = False, **options: Any) -> None:
        path = Path(csv_path)
        if not path.exists():
            raise CommandError(f"文件不存在：{path}")
        with path.open(encoding="utf-8-sig") as fh:
            rows = list(csv.DictReader(fh))
        if not rows or not {"type", "subtype"} <= set(rows[0]):
            raise CommandError("CSV 需要表头 type,subtype,legal_basis,note")
        seen = []
        with transaction.atomic():
            for order, row in enumerate(rows, start=1):
                item, _created = ContractType.objects.update_or_create(
                    type_name=row["type"].strip(),
                    subtype_name=row["subtype"].strip(),
                    defaults={
                        "legal_basis": (row.get("legal_basis") or "").strip(),
                        "note": (row.get("note") or "").strip(),
                        "sort_order": order * 10,
                        "is_active": True,
                    },
                )
                seen.append(item.pk)
            retired = 0
            if not keep_missing:
                retired = ContractType.objects.exclude(pk__in=seen).update(is_active=False)
            audit_record(
                actor=None,
                action="contracts.contract_type.load",
                after={"file": path.name, "rows": len(seen), "retired": retired},
            )
        self.stdout.write(f"已载入 {len(seen)} 个合同类型，停用 {retired} 个。")
