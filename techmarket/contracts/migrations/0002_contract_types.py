"""The technology-contract types of the 民法典 (技术合同章) and the 2001 认定规则, as operator-editable rows.

Source: shared/data/reference/tech_contract_types.csv (statute; 13 rows). A new 技术合同认定登记管理办法
was reported to replace the 2000/2001 rules in January 2026: operators edit these rows in the admin or
reload them with ``manage.py load_contract_types <csv>``; no code names a type.
"""

from django.db import migrations

from techmarket.contracts.defaults import ensure_default_types


def load(apps, schema_editor):
    ensure_default_types(apps.get_model("contracts", "ContractType"))


class Migration(migrations.Migration):
    dependencies = [("contracts", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
