"""The enterprise profile (企业画像) form: figures, products, and one certificate row per qualification tag."""

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from techmarket.core.forms import StyledForm

from .models import CertificationRecord, EnterpriseProfile, OrganizationTag, RevenueRange


class EnterpriseProfileForm(StyledForm):
    main_products = forms.CharField(
        label=_("主营产品"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("公开展示。写清产品名称和应用领域，便于匹配成果和推送政策。"),
    )
    core_capabilities = forms.CharField(
        label=_("核心技术能力"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("公开展示。"),
    )
    total_staff = forms.IntegerField(label=_("职工总数"), min_value=0, required=False)
    rd_staff_count = forms.IntegerField(label=_("研发人员数"), min_value=0, required=False)
    annual_revenue_range = forms.ChoiceField(
        label=_("年营业收入"), required=False, choices=[("", _("不填写"))] + list(RevenueRange.choices)
    )
    rd_spending_ratio = forms.DecimalField(
        label=_("研发投入占比（%）"),
        required=False,
        min_value=0,
        max_value=100,
        decimal_places=2,
        max_digits=5,
        help_text=_("研发投入占营业收入的百分比，例如 5.5 表示 5.5%。"),
    )

    founded_on = forms.DateField(
        label=_("成立日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("营业执照上的成立日期，政策按企业成立年限判断。"),
    )

    FIGURES = ("total_staff", "rd_staff_count", "annual_revenue_range", "rd_spending_ratio", "founded_on")

    def __init__(
        self,
        *args: Any,
        profile: EnterpriseProfile | None,
        certifications: list[CertificationRecord],
        tag_ids: Iterable[int] = (),
        **kwargs: Any,
    ) -> None:
        initial: dict[str, Any] = {}
        if profile is not None:
            initial = {f: getattr(profile, f) for f in ("main_products", "core_capabilities", *self.FIGURES)}
        held = {c.tag_id: c for c in certifications}
        tag_ids = set(tag_ids)
        self.tags = list(OrganizationTag.objects.all())
        for tag in self.tags:
            cert = held.get(tag.pk)
            # A tag set at registration without a certificate record yet is shown as held, ready for its number.
            initial[f"cert_{tag.pk}"] = cert is not None or tag.pk in tag_ids
            initial[f"cert_{tag.pk}_number"] = cert.certificate_number if cert else ""
            initial[f"cert_{tag.pk}_until"] = cert.valid_until if cert else None
        super().__init__(*args, initial=initial, **kwargs)
        for tag in self.tags:
            self.fields[f"cert_{tag.pk}"] = forms.BooleanField(label=tag.name, required=False)
            self.fields[f"cert_{tag.pk}_number"] = forms.CharField(
                label=_("%(tag)s证书编号") % {"tag": tag.name},
                max_length=64,
                required=False,
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
            )
            self.fields[f"cert_{tag.pk}_until"] = forms.DateField(
                label=_("%(tag)s有效期至") % {"tag": tag.name},
                required=False,
                widget=forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}),
            )

    def certificate_rows(self) -> list[tuple[OrganizationTag, Any, Any, Any]]:
        """(tag, held checkbox, number field, valid-until field) for the template's table."""
        return [
            (t, self[f"cert_{t.pk}"], self[f"cert_{t.pk}_number"], self[f"cert_{t.pk}_until"])
            for t in self.tags
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        for tag in self.tags:
            if not data.get(f"cert_{tag.pk}") and (
                data.get(f"cert_{tag.pk}_number") or data.get(f"cert_{tag.pk}_until")
            ):
                self.add_error(
                    f"cert_{tag.pk}", _("填写了“%(tag)s”的证书信息，请同时勾选该资质。") % {"tag": tag.name}
                )
        return data

    def service_data(self) -> dict[str, Any]:
        data = {f: self.cleaned_data.get(f) for f in ("main_products", "core_capabilities", *self.FIGURES)}
        data["certifications"] = [
            {
                "tag": tag,
                "certificate_number": self.cleaned_data.get(f"cert_{tag.pk}_number") or "",
                "valid_until": self.cleaned_data.get(f"cert_{tag.pk}_until"),
            }
            for tag in self.tags
            if self.cleaned_data.get(f"cert_{tag.pk}")
        ]
        return data
