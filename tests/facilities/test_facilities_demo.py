"""The demo builder: centres in their organisation's field, bookings in each state, and recognised centres
that meet the "3 verified, 2 transferred" bar."""

import pytest

from techmarket.demo import generator
from techmarket.demo.builders import achievements as demo_achievements
from techmarket.demo.builders import experts as demo_experts
from techmarket.demo.builders import needs as demo_needs
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

    facilities = list(Facility.objects.unscoped().select_related("owner", "industry"))
    assert {f.kind for f in facilities} == set(Facility.Kind.values)
    main_division = {s.key: s.industries[0] for s in SECTORS}
    for f in facilities:
        named = ACADEMIC_SECTORS.get(f.owner.name)
        if named:
            assert f.industry_id == main_division[named[0]], f.name
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
