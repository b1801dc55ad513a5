"""The form renderer writes <select> boxes in Python: the markup must be exactly what Django's templates
produce (FormRenderer vs django.forms.renderers.DjangoTemplates)."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from techmarket.catalog import registry
from techmarket.core import renderers
from techmarket.core.forms import StyledForm

pytestmark = pytest.mark.django_db

TEMPLATES = DjangoTemplates()


def _both(form: forms.BaseForm) -> list[tuple[str, str, str]]:
    out = []
    for name in form.fields:
        form.renderer = renderers.FormRenderer()
        fast = str(form[name])
        form.renderer = TEMPLATES
        out.append((name, fast, str(form[name])))
    return out


class Tricky(StyledForm):
    plain = forms.ChoiceField(
        choices=[("", "不限"), ("a", '甲 <乙> & "丙"'), (3, 3), ("x&y", mark_safe("<b>粗</b>"))]
    )
    grouped = forms.ChoiceField(
        choices=[("", "请选择"), ("华东", [("sd", "山东"), ("js", "江苏")]), ("华北", [("bj", "北京")])]
    )
    many = forms.MultipleChoiceField(choices=[("1", "一"), ("2", "二"), ("3", "三")], required=False)
    maybe = forms.NullBooleanField(required=False)
    optional = forms.TypedChoiceField(choices=[(1, "一")], coerce=int, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plain"].widget.attrs.update({"disabled": True, "data-off": False, "data-q": 'a"b'})


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"plain": "a", "grouped": "js", "many": ["1", "3"], "maybe": "true"},
        {"plain": "x&y", "grouped": "?"},
    ],
)
def test_select_markup_is_what_the_templates_write(data):
    form = Tricky(data)
    if data:
        form.is_valid()  # errors add is-invalid and aria attributes
    for name, fast, slow in _both(form):
        assert fast == slow, name
        assert "<select" in fast or name not in {"plain", "grouped", "many", "maybe"}


def test_every_catalogue_filter_form_renders_the_same():
    types = [t for t in registry.all_types() if t.filter_form is not None]
    assert types
    for ctype in types:
        for data in (None, {"q": "锂电池", "industry": "C38", "region": "371300", "stage": "pilot"}):
            form = ctype.filter_form(data)
            if data:
                form.is_valid()
            for name, fast, slow in _both(form):
                assert fast == slow, (ctype.key, name)


def test_an_option_with_a_template_of_its_own_goes_through_the_templates():
    class OwnOption(forms.Select):
        option_template_name = "django/forms/widgets/input_option.html"

    class Form(forms.Form):
        pick = forms.ChoiceField(choices=[("a", "甲")], widget=OwnOption)

    context = Form().fields["pick"].widget.get_context("pick", "a", {"id": "id_pick"})
    assert renderers.render_select(context["widget"]) is None
    form = Form()
    ((_name, fast, slow),) = _both(form)
    assert fast == slow
