"""Chinese keyword search: fragments of compounds are found, characters out of order are not."""

import pytest
from django.contrib.auth.models import AnonymousUser
from factories import OrganizationFactory

from techmarket.catalog.models import ListingStatus
from techmarket.catalog.search import _tsquery, search_text
from techmarket.needs.models import Need
from techmarket.needs.selectors import need_list_visible_to


def test_search_text_is_bigrams_of_chinese_runs_and_lowercased_words():
    assert (
        search_text("磷酸铁锂", "IGBT模块 3.5kV") == "磷酸 酸铁 铁锂 | igbt 模块 3.5kv || 块 模 磷 酸 铁 锂"
    )
    assert search_text("钢") == "钢 || 钢"


def test_query_becomes_a_phrase_of_bigrams_and_a_single_character_a_lexeme():
    assert _tsquery("锂电池") == "锂电 & 电池"
    assert _tsquery("锂") == "锂"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("锂电池", {"磷酸铁锂电池正极材料低温改性"}),
        ("正极 低温", {"磷酸铁锂电池正极材料低温改性"}),
        ("锂", {"磷酸铁锂电池正极材料低温改性", "锂离子电池隔膜涂覆"}),
        ("电池隔膜", {"锂离子电池隔膜涂覆"}),
        ("IGBT", {"IGBT 功率模块银烧结封装"}),
        ("离子锂", set()),
    ],
)
def test_keyword_search_on_this_database(query, expected):
    owner = OrganizationFactory()
    for title in [
        "磷酸铁锂电池正极材料低温改性",
        "锂离子电池隔膜涂覆",
        "IGBT 功率模块银烧结封装",
        "木材阻燃",
    ]:
        need = Need(owner=owner, title=title, summary="摘要", problem="难题", status=ListingStatus.PUBLISHED)
        need.search_text = need.compute_search_text()
        need.save()
    found = {n.title for n in need_list_visible_to(AnonymousUser(), q=query)}
    assert found == expected
