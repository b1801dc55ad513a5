# A facility serves several industries, disciplines and chain links: many-to-many fields next to the single
# ones, which 0005 copies over and 0006 removes.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("facilities", "0003_recognition"),
        ("reference", "0002_load_national_code_tables"),
    ]

    operations = [
        migrations.AddField(
            model_name="facility",
            name="chain_nodes",
            field=models.ManyToManyField(
                blank=True,
                help_text="可多选",
                related_name="+",
                to="reference.chainnode",
                verbose_name="产业链环节",
            ),
        ),
        migrations.AddField(
            model_name="facility",
            name="disciplines",
            field=models.ManyToManyField(
                blank=True,
                help_text="GB/T 13745 学科，可多选",
                related_name="+",
                to="reference.discipline",
                verbose_name="学科",
            ),
        ),
        migrations.AddField(
            model_name="facility",
            name="industries",
            field=models.ManyToManyField(
                blank=True,
                help_text="GB/T 4754 行业，可多选",
                related_name="+",
                to="reference.industry",
                verbose_name="服务行业",
            ),
        ),
    ]
