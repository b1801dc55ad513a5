# Carries each facility's single industry and chain node over to the many-to-many fields, and gives the
# review panels of facility recognition their own purpose (认定评审 / 定期评价评审) instead of 遴选评审.

from django.db import migrations


def single_to_many(apps, schema_editor):
    Facility = apps.get_model("facilities", "Facility")
    IndustryLink = Facility.industries.through
    NodeLink = Facility.chain_nodes.through
    rows = list(Facility._base_manager.values_list("pk", "industry_id", "chain_node_id"))
    IndustryLink.objects.bulk_create(
        [IndustryLink(facility_id=pk, industry_id=code) for pk, code, _node in rows if code],
        ignore_conflicts=True,
    )
    NodeLink.objects.bulk_create(
        [NodeLink(facility_id=pk, chainnode_id=node) for pk, _code, node in rows if node],
        ignore_conflicts=True,
    )


def many_to_single(apps, schema_editor):
    """Back to one value each: the lowest code and node (the others are lost on the way back)."""
    Facility = apps.get_model("facilities", "Facility")
    IndustryLink = Facility.industries.through
    NodeLink = Facility.chain_nodes.through
    for facility in Facility._base_manager.all():
        code = (
            IndustryLink.objects.filter(facility_id=facility.pk)
            .order_by("industry_id")
            .values_list("industry_id", flat=True)
            .first()
        )
        node = (
            NodeLink.objects.filter(facility_id=facility.pk)
            .order_by("chainnode_id")
            .values_list("chainnode_id", flat=True)
            .first()
        )
        Facility._base_manager.filter(pk=facility.pk).update(industry_id=code, chain_node_id=node)


def recognition_panel_purposes(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Panel = apps.get_model("challenges", "Panel")
    Recognition = apps.get_model("facilities", "Recognition")
    kind = ContentType.objects.filter(app_label="facilities", model="recognition").first()
    if kind is None:
        return
    for purpose, round_kind in (("recognition", "application"), ("evaluation", "evaluation")):
        rounds = Recognition._base_manager.filter(kind=round_kind).values("pk")
        Panel._base_manager.filter(subject_type=kind, subject_id__in=rounds).update(purpose=purpose)


def recognition_panels_back(apps, schema_editor):
    Panel = apps.get_model("challenges", "Panel")
    Panel._base_manager.filter(purpose__in=["recognition", "evaluation"]).update(purpose="selection")


class Migration(migrations.Migration):
    dependencies = [
        ("facilities", "0004_facility_fields_plural"),
        ("challenges", "0003_panel_purpose_recognition"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(single_to_many, many_to_single),
        migrations.RunPython(recognition_panel_purposes, recognition_panels_back),
    ]
