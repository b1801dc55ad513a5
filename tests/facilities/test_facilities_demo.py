"""The demo builder: centres in their organisation's field, bookings in each state, and recognised centres
that meet the "3 verified, 2 transferred" bar."""

import pytest

from techmarket.demo import generator
from techmarket.demo.builders import achievements as demo_achievements
from techmarket.demo.builders import experts as demo_experts
from techmarket.demo.builders import needs as demo_needs
from techmarket.demo.topics import FACTS, topics_of
from techmarket.demo.vocab import ACADEMIC_SECTORS, SECTORS
from techmarket.facilities import selectors
from techmarket.facilities.models import Booking, Facility

pytestmark = pytest.mark.django_db


def test_demo_facilities_are_coherent(monkeypatch, settings, tmp_path):
    monkeypatch.setattr(demo_needs, "NEEDS_PER_RUN", 10)
    monkeypatch.setattr(demo_achievements, "ACHIEVEMENTS_PER_RUN", 10)
    monkeypatch.setattr(demo_experts, "EXPERTS_PER_RUN", 10)
    settings.MATCHING_INDEX_DIR = tmp_path / "techmatch"
    settings.MATCHING_DENSE = False
    generator.generate(seed=generator.DEFAULT_SEED)

    facilities = list(
        Facility.objects.unscoped()
        .select_related("owner")
        .prefetch_related("industries", "disciplines", "chain_nodes__chain", "chain_nodes__parent")
    )
    assert {f.kind for f in facilities} == set(Facility.Kind.values)
    sector = {s.key: s for s in SECTORS}
    for f in facilities:
        named = ACADEMIC_SECTORS.get(f.owner.name)
        if not named:
            continue
        field = sector[named[0]]
        codes = sorted(i.pk for i in f.industries.all())
        # several fields, all of the organisation's field, its main division among them
        assert field.industries[0] in codes and set(codes) <= set(field.industries), f.name
        assert {d.pk for d in f.disciplines.all()} == set(field.disciplines), f.name
        # the chain links its field's own topics belong to, never a chain that merely shares a division
        topics = {FACTS[t.subject].chain for t in topics_of({named[0]}) if t.subject in FACTS} - {None}
        links = {(node.chain.name, node.name) for node in f.chain_nodes.all()}
        assert links <= topics, (f.name, links - topics)
        assert not (links and f.kind == Facility.Kind.INSTRUMENT), f.name
    assert any(len(f.industries.all()) > 1 for f in facilities)
    assert any(len(f.chain_nodes.all()) > 1 for f in facilities)
    recognised = [f for f in facilities if f.status == Facility.Status.RECOGNISED]
    assert recognised and all(selectors.meets_record(f) for f in recognised)
    states = set(Booking.objects.unscoped().values_list("status", flat=True))
    assert {Booking.Status.PENDING, Booking.Status.ACCEPTED, Booking.Status.DECLINED} <= states
    assert not Booking.objects.unscoped().filter(status=Booking.Status.DECLINED, decision_note="").exists()
    # A piloted verification centre has applied for recognition; the operator formed its panel.
    from techmarket.facilities.models import Recognition
    from techmarket.facilities.recognition import current_panel

    applied = Recognition.objects.unscoped().get()
    assert applied.kind == Recognition.Kind.APPLICATION and applied.status == "reviewing"
    assert (
        applied.facility.status == Facility.Status.TRIAL
        and applied.facility.kind == Facility.Kind.VERIFICATION
    )
    assert current_panel(applied) is not None
    assert current_panel(applied).get_purpose_display() == "认定评审"
