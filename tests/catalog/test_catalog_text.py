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


@pytest.mark.parametrize(
    ("text", "cleaned"),
    [
        ("第一段<br>第二段", "第一段\n第二段"),
        ("<p>一</p><p>二</p>", "一\n二"),
        ("H<sub>2</sub>O 与 <i>in vitro</i> 和 <B>加粗</B>", "H2O 与 in vitro 和 加粗"),
        (
            "英文学术季刊<Journal of Mountain Science>(简称JMS)",
            "英文学术季刊<Journal of Mountain Science>(简称JMS)",
        ),
        ("P<0.05，且 a > b", "P<0.05，且 a > b"),
        ("四库全书>本", "四库全书>本"),
    ],
)
def test_clean_markup_strips_formatting_and_keeps_text_in_angle_brackets(text, cleaned):
    from techmarket.catalog.text import clean_markup

    assert clean_markup(text, "公开摘要") == cleaned


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "<img src=x>",
        '<a href="x">链接</a>',
        "<iframe src=x>",
        '<span onclick="x()">点</span>',
        "<svg/onload=alert(1)>",
        '<p style="background:url(javascript:alert(1))">x</p>',
    ],
)
def test_clean_markup_refuses_markup_that_runs_or_loads_something(text):
    from techmarket.catalog.text import clean_markup

    with pytest.raises(ValidationError, match="不允许的 HTML 标签"):
        clean_markup(text, "公开摘要")
