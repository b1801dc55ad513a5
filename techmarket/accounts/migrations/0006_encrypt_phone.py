# Encryption at rest of personal and confidential fields (issue 17, level 3).

import techmarket.core.crypto
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_password_changed_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="phone_digest",
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=64),
        ),
        migrations.AlterField(
            model_name="user",
            name="phone",
            field=techmarket.core.crypto.EncryptedCharField(
                blank=True, max_length=20, verbose_name="手机号码"
            ),
        ),
        # rows written before: encrypted with the newest key (backwards: plaintext again)
        techmarket.core.crypto.encrypt_existing_rows(
            "accounts", "user", ["phone"], digests={"phone_digest": "phone"}
        ),
    ]
