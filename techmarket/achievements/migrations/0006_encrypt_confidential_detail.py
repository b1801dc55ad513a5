# Encryption at rest of personal and confidential fields (issue 17, level 3).

import techmarket.core.crypto
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("achievements", "0005_merge_kernel_and_portal"),
    ]

    operations = [
        migrations.AlterField(
            model_name="achievement",
            name="confidential_detail",
            field=techmarket.core.crypto.EncryptedTextField(
                blank=True,
                help_text="仅在您授权（签署保密确认）后对申请方机构可见。",
                max_length=20000,
                verbose_name="保密详情",
            ),
        ),
        # rows written before: encrypted with the newest key (backwards: plaintext again)
        techmarket.core.crypto.encrypt_existing_rows("achievements", "achievement", ["confidential_detail"]),
    ]
