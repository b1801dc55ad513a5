from datetime import timedelta

from django.db import migrations, models
from django.utils import timezone

import techmarket.accounts.models


def keep_existing_tokens_working_for_a_year(apps, schema_editor):
    """Tokens made before scopes could read and write: keep that, but give unlimited ones an expiry."""
    ApiToken = apps.get_model("accounts", "ApiToken")
    ApiToken.objects.update(scopes=["read", "write"])
    ApiToken.objects.filter(expires_at__isnull=True).update(expires_at=timezone.now() + timedelta(days=365))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_login_failure_per_address"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="scopes",
            field=models.JSONField(
                default=techmarket.accounts.models.default_scopes, verbose_name="权限范围"
            ),
        ),
        migrations.RunPython(keep_existing_tokens_working_for_a_year, migrations.RunPython.noop),
    ]
