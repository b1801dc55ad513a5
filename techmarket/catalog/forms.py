"""Form pieces shared by the catalogue apps: technical-parameter lines, action reasons, access requests."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from techmarket.core.forms import StyledForm


class ParameterLinesField(forms.CharField):
    """Technical parameters typed one per line as “指标|目标值|单位” (the same format as the Excel sheet)."""

    widget = forms.Textarea(attrs={"rows": 4, "placeholder": "-20℃ 容量保持率|≥85|%\n循环寿命|≥3000|次"})

    def to_python(self, value: Any) -> list[dict[str, str]]:  # type: ignore[override]  # parses to rows
        text = super().to_python(value) or ""
        rows = []
        for number, line in enumerate([ln for ln in text.replace("｜", "|").splitlines() if ln.strip()], start=1):
            parts = [p.strip() for p in line.split("|")]
            if len(parts) < 2 or not parts[0] or not parts[1]:
                raise ValidationError(
                    _("第 %(n)d 行“%(line)s”格式不对：请按“指标|目标值|单位”填写，单位可省略。"),
                    params={"n": number, "line": line.strip()[:40]},
                )
            rows.append({"indicator": parts[0], "target": parts[1], "unit": parts[2] if len(parts) > 2 else ""})
        return rows

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return "\n".join("|".join([r.get("indicator", ""), r.get("target", ""), r.get("unit", "")]).rstrip("|")
                             for r in value)
        return value


class ActionForm(StyledForm):
    reason = forms.CharField(label=_("原因或说明"), required=False, max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 2}))
    # The state the person saw when the page was drawn: a move made meanwhile by someone else is refused.
    expected_state = forms.CharField(required=False, max_length=32, widget=forms.HiddenInput)


class AccessRequestForm(StyledForm):
    purpose = forms.CharField(label=_("申请用途"), max_length=300,
                              help_text=_("例如：评估是否具备合作开发能力。所有者会看到这段说明。"))
    nda_accepted = forms.BooleanField(
        label=_("我代表本机构承诺：对获得的保密信息严格保密，仅用于评估合作，不向第三方披露。"))
