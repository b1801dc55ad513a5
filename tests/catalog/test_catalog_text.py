import pytest
from django.core.exceptions import ValidationError

from techmarket.catalog.text import reject_html


@pytest.mark.parametrize(
    "text", ["<b>加粗</b>", "<script src=x>", "第一行<br>第二行", "<br/>", '<a href="x">链接</a>']
)
def test_tags_are_refused_with_the_field_named(text):
    with pytest.raises(ValidationError, match="“公开摘要”中含有 HTML 标签"):
        reject_html(text, "公开摘要")


@pytest.mark.parametrize("text", ["P<O.001)和下唇突度>", "数量<5且>3", "x < y", "温度≤150℃"])
def test_comparisons_in_scientific_text_are_not_mistaken_for_tags(text):
    assert reject_html(text, "公开摘要") == text
