"""Region filters are chosen by name (province → prefecture → county), sent as the GB/T 2260 code under the
same ?region= parameter, so saved links and the API are unchanged; a city covers its counties."""

import re

import pytest

from techmarket.facilities.forms import FacilityFilterForm, ServiceFilterForm
from techmarket.needs.forms import NeedFilterForm
from techmarket.policies.forms import PolicyFilterForm
from techmarket.reference.forms import RegionFilterField, region_filter_choices

pytestmark = pytest.mark.django_db


def test_choices_are_names_grouped_by_prefecture_with_codes_as_values():
    choices = region_filter_choices()
    assert choices[0] == ("", "全部地区")
    assert choices[1] == ("370000", "山东省（全省）")
    groups = dict(choices[2:])
    assert groups["临沂市"][0] == ("371300", "临沂市（全市）")
    assert ("371302", "兰山区") in groups["临沂市"] and ("370102", "历下区") in groups["济南市"]
    assert len(groups) == 16 and sum(len(g) for g in groups.values()) == 16 + 136  # as the data allows


@pytest.mark.parametrize(
    "form_class", [PolicyFilterForm, FacilityFilterForm, ServiceFilterForm, NeedFilterForm]
)
def test_every_region_filter_is_a_select_by_name_keeping_the_code(form_class):
    form = form_class({"region": "371302"})
    assert isinstance(form.fields["region"], RegionFilterField)
    assert form.is_valid(), form.errors
    assert form.selector_filters()["region"] == "371302"
    html = str(form["region"])
    assert html.startswith("<select") and 'name="region"' in html
    assert re.search(r'<optgroup label="临沂市">\s*<option value="371300">临沂市（全市）</option>', html)
    assert '<option value="371302" selected>兰山区</option>' in html


def test_older_links_with_a_code_prefix_still_filter_and_nonsense_is_refused():
    assert FacilityFilterForm({"region": "3713"}).is_valid()
    assert not FacilityFilterForm({"region": "临沂"}).is_valid()
    assert not PolicyFilterForm({"region": "1234567"}).is_valid()
