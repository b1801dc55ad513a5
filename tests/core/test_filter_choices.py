"""Every list filter offers 全部 (no filter) first, then the field's own choices, through core.forms.with_all."""

import pytest
from django.utils import translation

from techmarket.challenges.forms import ChallengeFilterForm
from techmarket.challenges.models import Challenge
from techmarket.core.forms import with_all
from techmarket.facilities.forms import FacilityFilterForm, ServiceFilterForm
from techmarket.facilities.models import Facility, FacilityService


def test_with_all_puts_the_empty_choice_first_and_keeps_the_rest_in_order():
    with translation.override("zh-hans"):
        choices = with_all(Facility.Kind.choices)
        assert choices[0][0] == "" and str(choices[0][1]) == "全部"
    with translation.override("en"):
        assert str(with_all([])[0][1]) == "All"
    assert choices[1:] == list(Facility.Kind.choices)


@pytest.mark.parametrize(
    ("form", "field", "model_choices"),
    [
        (FacilityFilterForm, "kind", Facility.Kind.choices),
        (FacilityFilterForm, "status", Facility.Status.choices),
        (ServiceFilterForm, "kind", FacilityService.Kind.choices),
        (ChallengeFilterForm, "status", Challenge.Status.choices),
    ],
)
def test_filter_forms_offer_all_then_the_model_choices(form, field, model_choices):
    choices = list(form.base_fields[field].choices)
    assert choices[0][0] == ""
    assert choices[1:] == list(model_choices)
