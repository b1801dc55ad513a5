# Encryption at rest of personal and confidential fields (issue 17, level 3).

import techmarket.core.crypto
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("experts", "0003_contact_request_on_decision_base"),
    ]

    operations = [
        migrations.AlterField(
            model_name="expert",
            name="email",
            field=techmarket.core.crypto.EncryptedEmailField(
                blank=True, max_length=254, verbose_name="电子邮箱"
            ),
        ),
        migrations.AlterField(
            model_name="expert",
            name="phone",
            field=techmarket.core.crypto.EncryptedCharField(
                blank=True, max_length=20, verbose_name="联系电话"
            ),
        ),
        # rows written before: encrypted with the newest key (backwards: plaintext again)
        techmarket.core.crypto.encrypt_existing_rows("experts", "expert", ["email", "phone"]),
    ]
