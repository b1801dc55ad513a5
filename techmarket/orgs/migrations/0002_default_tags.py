from django.db import migrations

TAGS = [
    "高新技术企业",
    "科技型中小企业",
    "专精特新中小企业",
    "专精特新“小巨人”企业",
    "瞪羚企业",
    "制造业单项冠军",
    "技术创新示范企业",
    "省级工程技术研究中心",
]


def add_tags(apps, schema_editor):
    Tag = apps.get_model("orgs", "OrganizationTag")
    for order, name in enumerate(TAGS):
        Tag.objects.get_or_create(name=name, defaults={"sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("orgs", "0001_initial")]
    operations = [migrations.RunPython(add_tags, migrations.RunPython.noop)]
