"""The default points configuration (techmarket.finance.defaults)."""

from django.db import migrations

from techmarket.finance.defaults import DEFAULTS, ensure_default_indicators


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    ensure_default_indicators(
        apps.get_model("finance", "IndicatorGroup"), apps.get_model("finance", "Indicator")
    )


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("finance", "IndicatorGroup").objects.filter(name__in=[d[0] for d in DEFAULTS]).delete()


class Migration(migrations.Migration):
    dependencies = [("finance", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
