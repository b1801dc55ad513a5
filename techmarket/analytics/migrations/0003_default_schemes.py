"""Three starting indicator sets; operators change the weights or add schemes in /admin/."""

from django.db import migrations

SCHEMES = [
    (
        "高校与科研机构成果转化绩效",
        "research",
        "按成果供给、转化进展和专家队伍评价高校院所；权重可在运营后台调整。",
        [
            ("achievements.published_by_org", 30),
            ("achievements.taken_up_by_org", 50),
            ("experts.by_affiliation", 20),
        ],
    ),
    (
        "技术转移服务机构绩效",
        "service",
        "按本机构技术经纪人的需求凝练与推荐工作评价；对接与合同指标上线后加入。",
        [("needs.refinements_by_org", 40), ("matching.recommendations_by_org", 60)],
    ),
    (
        "技术经纪人工作绩效",
        "broker",
        "按需求凝练、凝练被采纳和向企业推荐评价；对接与合同指标上线后加入。",
        [
            ("needs.refinements", 20),
            ("needs.refinements_accepted", 30),
            ("matching.recommendations", 30),
            ("matching.reviews", 20),
        ],
    ),
]


def create(apps, schema_editor):
    Scheme = apps.get_model("analytics", "EvaluationScheme")
    Item = apps.get_model("analytics", "EvaluationItem")
    for order, (name, subject, description, items) in enumerate(SCHEMES):
        scheme, created = Scheme.objects.get_or_create(
            name=name, defaults={"subject": subject, "description": description, "sort_order": order}
        )
        if created:
            for metric, weight in items:
                Item.objects.create(scheme=scheme, metric=metric, weight=weight)


class Migration(migrations.Migration):
    dependencies = [("analytics", "0002_evaluations")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
