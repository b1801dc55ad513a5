"""The engagement metrics join the default broker and institution schemes (weights editable in /admin/)."""

from django.db import migrations

ADD = {
    "技术转移服务机构绩效": [("engagements.deals_by_org", 50)],
    "技术经纪人工作绩效": [("engagements.led", 20), ("engagements.deals_led", 40)],
}


def add(apps, schema_editor):
    Scheme = apps.get_model("analytics", "EvaluationScheme")
    Item = apps.get_model("analytics", "EvaluationItem")
    for name, items in ADD.items():
        scheme = Scheme.objects.filter(name=name).first()
        if scheme is None:
            continue
        for metric, weight in items:
            Item.objects.get_or_create(scheme=scheme, metric=metric, defaults={"weight": weight})


class Migration(migrations.Migration):
    dependencies = [("analytics", "0003_default_schemes")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
