# The single industry and chain node are now in the many-to-many fields (0005).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("facilities", "0005_copy_single_fields"),
    ]

    operations = [
        migrations.RemoveField(model_name="facility", name="chain_node"),
        migrations.RemoveField(model_name="facility", name="industry"),
    ]
