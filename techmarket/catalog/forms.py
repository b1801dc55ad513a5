"""Form pieces shared by the catalogue apps: technical-parameter lines, action reasons, access requests."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from techmarket.core.forms import StyledForm


class ParameterRowsWidget(forms.Widget):
    """Rows of 指标 / 目标值 / 单位 inputs with add and remove buttons (a small script; without it the
    rows still post). Posts ``<name>-indicator`` etc. lists, turned into the line format the field parses;
    a plain ``<name>`` text value (API-like clients, the Excel format) is still accepted."""

    template_name = "catalog/widgets/parameter_rows.html"
    EMPTY_ROWS = 1

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        rows: list[dict[str, str]] = []
        if isinstance(value, list):
            rows = [
                {k: str(r.get(k, "")) for k in ("indicator", "target", "unit")}
                for r in value
                if isinstance(r, dict)
            ]
        elif isinstance(value, str) and value.strip():
            for line in value.replace("｜", "|").splitlines():
                parts = [p.strip() for p in line.split("|")] + ["", "", ""]
                if any(parts[:3]):
                    rows.append({"indicator": parts[0], "target": parts[1], "unit": parts[2]})
        context["widget"]["rows"] = rows or [{"indicator": "", "target": "", "unit": ""}] * self.EMPTY_ROWS
        return context

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        if f"{name}-indicator" not in data:
            return data.get(name)
        columns = [
            data.getlist(f"{name}-{k}") if hasattr(data, "getlist") else [data.get(f"{name}-{k}")]
            for k in ("indicator", "target", "unit")
        ]
        lines = []
        for cells in zip(*columns, strict=False):
            cells = tuple((c or "").replace("|", "／").replace("｜", "／").strip() for c in cells)
            if any(cells):
                lines.append("|".join(cells).rstrip("|") if cells[1] or cells[2] else f"{cells[0]}|")
        return "\n".join(lines)

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and f"{name}-indicator" not in data


class ParameterLinesField(forms.CharField):
    """Technical parameters as rows of 指标 / 目标值 / 单位 (posted as “指标|目标值|单位” lines, the same
    format as the Excel sheet)."""

    widget = ParameterRowsWidget

    def to_python(self, value: Any) -> list[dict[str, str]]:  # type: ignore[override]  # parses to rows
        text = super().to_python(value) or ""
        rows = []
        for number, line in enumerate(
            [ln for ln in text.replace("｜", "|").splitlines() if ln.strip()], start=1
        ):
            parts = [p.strip() for p in line.split("|")]
            if len(parts) < 2 or not parts[0] or not parts[1]:
                raise ValidationError(
                    _("第 %(n)d 项技术指标“%(line)s”不完整：请填写指标和目标值，单位可省略。"),
                    params={"n": number, "line": line.strip().rstrip("|")[:40]},
                )
            rows.append(
                {"indicator": parts[0], "target": parts[1], "unit": parts[2] if len(parts) > 2 else ""}
            )
        return rows

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return "\n".join(
                "|".join([r.get("indicator", ""), r.get("target", ""), r.get("unit", "")]).rstrip("|")
                for r in value
            )
        return value


class ActionForm(StyledForm):
    reason = forms.CharField(
        label=_("原因或说明"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    # The state the person saw when the page was drawn: a move made meanwhile by someone else is refused.
    expected_state = forms.CharField(required=False, max_length=32, widget=forms.HiddenInput)


class AccessRequestForm(StyledForm):
    purpose = forms.CharField(
        label=_("申请用途"),
        max_length=300,
        help_text=_("例如：评估是否具备合作开发能力。所有者会看到这段说明。"),
    )
    nda_accepted = forms.BooleanField(
        label=_("我代表本机构承诺：对获得的保密信息严格保密，仅用于评估合作，不向第三方披露。")
    )
