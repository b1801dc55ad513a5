# Encryption at rest of personal and confidential fields (issue 17, level 3).

import techmarket.core.crypto
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("needs", "0006_merge_kernel_and_portal"),
    ]

    operations = [
        migrations.AlterField(
            model_name="need",
            name="confidential_detail",
            field=techmarket.core.crypto.EncryptedTextField(
                blank=True,
                help_text="仅在您授权（签署保密确认）后对申请方机构可见。",
                max_length=20000,
                verbose_name="保密详情",
            ),
        ),
        migrations.AlterField(
            model_name="need",
            name="contact_name",
            field=techmarket.core.crypto.EncryptedCharField(blank=True, max_length=32, verbose_name="联系人"),
        ),
        migrations.AlterField(
            model_name="need",
            name="contact_phone",
            field=techmarket.core.crypto.EncryptedCharField(
                blank=True, max_length=20, verbose_name="联系电话"
            ),
        ),
        # rows written before: encrypted with the newest key (backwards: plaintext again)
        techmarket.core.crypto.encrypt_existing_rows(
            "needs", "need", ["confidential_detail", "contact_name", "contact_phone"]
        ),
    ]
