"""A default checklist per stage, so a fresh platform has one; operators edit it in the admin."""

from django.db import migrations

DEFAULTS = [
    ("discovery", "首次会谈已举行", True),
    ("discovery", "保密协议（NDA）已签署", True),
    ("discovery", "企业现场走访", False),
    ("verification", "样品测试完成", True),
    ("verification", "概念验证报告", True),
    ("pilot", "中试批次完成", True),
    ("pilot", "工艺验证报告", False),
    ("transaction", "技术价值评估", True),
    ("transaction", "投资意向书 / 条款清单", False),
    ("industrialisation", "首批量产交付", True),
]


def add_defaults(apps, schema_editor):
    ChecklistItem = apps.get_model("engagements", "ChecklistItem")
    for order, (stage, label, required) in enumerate(DEFAULTS, start=1):
        ChecklistItem.objects.get_or_create(
            stage=stage, label=label, defaults={"required": required, "sort_order": order}
        )


def remove_defaults(apps, schema_editor):
    ChecklistItem = apps.get_model("engagements", "ChecklistItem")
    for stage, label, _required in DEFAULTS:
        ChecklistItem.objects.filter(stage=stage, label=label).delete()


class Migration(migrations.Migration):
    dependencies = [("engagements", "0002_broker_fields")]

    operations = [migrations.RunPython(add_defaults, remove_defaults)]
