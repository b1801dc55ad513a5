"""The contract form (parties, amounts, deductions and schedule as lines) and the small action forms."""

import datetime
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from techmarket.achievements.models import Achievement
from techmarket.core.forms import StyledForm
from techmarket.orgs.models import Organization
from techmarket.reference.models import Industry, Region

from . import services
from .models import ContractType, Instalment, PaymentMode, TechContract
from .sheet import _pairs

ROLES = (("seller", _("卖方")), ("buyer", _("买方")))


def _org_field(role: Any) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=format_lazy("{}{}", role, _("（平台机构）")),
        queryset=Organization.objects.none(),
        required=False,
        help_text=_("选择平台上的机构，名称、代码、类型和地区取自机构资料；不在平台的当事人在下面填写。"),
    )


def _text(label: Any, length: int) -> forms.CharField:
    return forms.CharField(label=label, required=False, max_length=length)


def _kind_field(label: Any) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label, required=False, choices=[("", "---------"), *Organization.Kind.choices]
    )


class ContractForm(StyledForm):
    title = forms.CharField(label=_("合同名称"), max_length=160)
    contract_number = forms.CharField(label=_("合同编号"), max_length=64, required=False)
    contract_type = forms.ModelChoiceField(
        label=_("合同类型"), queryset=ContractType.objects.filter(is_active=True)
    )
    signed_on = forms.DateField(label=_("签订日期"), widget=forms.DateInput(attrs={"type": "date"}))
    starts_on = forms.DateField(
        label=_("履行期限起"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(
        label=_("履行期限止"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    total_amount = forms.DecimalField(label=_("合同成交额（元）"), max_digits=16, decimal_places=2)
    deductions = forms.CharField(
        label=_("非技术性费用"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一项，写成“项目:金额”，如“设备购置:120000”。技术交易额 = 成交额 − 各项合计。"),
    )
    payment_mode = forms.ChoiceField(label=_("支付方式"), choices=PaymentMode.choices)
    schedule = forms.CharField(
        label=_("付款计划"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一期，写成“日期:金额”，如“2026-03-01:500000”。"),
    )
    industry = forms.CharField(
        label=_("应用行业代码"),
        required=False,
        max_length=5,
        help_text=_("GB/T 4754-2017，如 C26；默认取买方所属行业。"),
    )
    patent_numbers = forms.CharField(
        label=_("关联专利号"),
        required=False,
        max_length=500,
        help_text=_("多个专利号用“、”分隔，如“ZL202310123456.6、202320567890.9”；会校验格式和校验位。"),
    )
    summary = forms.CharField(
        label=_("主要技术内容"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    achievements = forms.ModelMultipleChoiceField(
        label=_("关联科技成果"),
        required=False,
        queryset=Achievement.objects.none(),
        help_text=_("卖方机构的成果（您所在机构的成果，或合同卖方的成果）；按住 Ctrl（Mac 为 ⌘）可多选。"),
    )
    owner = forms.ModelChoiceField(label=_("登记申请单位"), queryset=Organization.objects.none())
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    seller_org = _org_field(_("卖方"))
    seller_name = _text(_("卖方名称"), 128)
    seller_uscc = _text(_("卖方统一社会信用代码"), 24)
    seller_kind = _kind_field(_("卖方主体类型"))
    seller_region = _text(_("卖方所在地区代码"), 6)
    buyer_org = _org_field(_("买方"))
    buyer_name = _text(_("买方名称"), 128)
    buyer_uscc = _text(_("买方统一社会信用代码"), 24)
    buyer_kind = _kind_field(_("买方主体类型"))
    buyer_region = _text(_("买方所在地区代码"), 6)

    def __init__(
        self,
        *args: Any,
        owners: list[Organization],
        party_orgs: Any = None,
        achievements: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if achievements is not None:
            cast(forms.ModelMultipleChoiceField, self.fields["achievements"]).queryset = achievements
        owner = cast(forms.ModelChoiceField, self.fields["owner"])
        owner.queryset = Organization.objects.filter(pk__in=[o.pk for o in owners])
        if len(owners) == 1:
            owner.initial = owners[0].pk
        orgs = (
            party_orgs
            if party_orgs is not None
            else Organization.objects.filter(status=Organization.Status.APPROVED)
        )
        for role, _label in ROLES:
            field = cast(forms.ModelChoiceField, self.fields[f"{role}_org"])
            field.queryset = orgs
            field.required = party_orgs is not None

    @staticmethod
    def initial_for(contract: TechContract) -> dict[str, Any]:
        data: dict[str, Any] = {
            "title": contract.title,
            "contract_number": contract.contract_number,
            "contract_type": contract.contract_type_id,
            "signed_on": contract.signed_on,
            "starts_on": contract.starts_on,
            "ends_on": contract.ends_on,
            "total_amount": contract.total_amount,
            "deductions": "\n".join(f"{d.item}:{d.amount}" for d in contract.deductions.all()),
            "payment_mode": contract.payment_mode,
            "schedule": "\n".join(f"{i.due_on}:{i.amount}" for i in contract.schedule.all()),
            "industry": contract.industry_id or "",
            "patent_numbers": contract.patent_numbers,
            "summary": contract.summary,
            "achievements": [a.pk for a in contract.achievements.all()],
            "owner": contract.owner_id,
            "version": contract.version,
        }
        for p in contract.parties.all():
            data.update(
                {
                    f"{p.role}_org": p.organization_id,
                    f"{p.role}_name": p.name,
                    f"{p.role}_uscc": p.uscc,
                    f"{p.role}_kind": p.kind,
                    f"{p.role}_region": p.region_id or "",
                }
            )
        return data

    def _lines(self, name: str, what: str, example: str) -> list[tuple[str, Decimal]]:
        try:
            return _pairs(self.cleaned_data.get(name, "") or "", what, example)
        except ValueError as exc:
            self.add_error(name, f"{exc.args[0]}：{exc.args[1]}")
            return []

    def clean_industry(self) -> Industry | None:
        code = (self.cleaned_data.get("industry") or "").strip()
        if not code:
            return None
        from techmarket.imports.columns import normalise_industry

        industry = Industry.objects.filter(code=normalise_industry(code)).first()
        if industry is None:
            raise forms.ValidationError(_("“%(c)s”不是 GB/T 4754-2017 行业代码。") % {"c": code})
        return industry

    def service_kwargs(self) -> dict[str, Any]:
        """Arguments for services.contract_create / contract_update (the service validates them as a whole)."""
        data = self.cleaned_data
        deductions = self._lines("deductions", "项目:金额", "设备购置:120000")
        schedule: list[tuple[datetime.date, Decimal, str]] = []
        for day, amount in self._lines("schedule", "日期:金额", "2026-03-01:500000"):
            try:
                schedule.append((datetime.date.fromisoformat(day), amount, ""))
            except ValueError:
                self.add_error("schedule", _("日期“%(d)s”无效，请写成 2026-03-01。") % {"d": day})
        parties = []
        for role, _label in ROLES:
            code = (data.get(f"{role}_region") or "").strip()
            parties.append(
                services.PartyData(
                    role=role,
                    organization=data.get(f"{role}_org"),
                    name=data.get(f"{role}_name", ""),
                    uscc=data.get(f"{role}_uscc", ""),
                    kind=data.get(f"{role}_kind", ""),
                    region=Region.objects.filter(code=code).first() if code else None,
                )
            )
        return {
            "title": data["title"],
            "contract_number": data.get("contract_number", ""),
            "contract_type": data["contract_type"],
            "signed_on": data["signed_on"],
            "starts_on": data.get("starts_on"),
            "ends_on": data.get("ends_on"),
            "total_amount": data["total_amount"],
            "deductions": deductions,
            "payment_mode": data["payment_mode"],
            "schedule": schedule,
            "parties": parties,
            "industry": data.get("industry"),
            "patent_numbers": data.get("patent_numbers", ""),
            "summary": data.get("summary", ""),
            "achievements": list(data.get("achievements") or []),
        }


class ContractFilterForm(StyledForm):
    q = forms.CharField(
        label=_("关键词"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("合同名称、编号、登记号或当事人")}),
    )
    status = forms.ChoiceField(
        label=_("登记状态"), required=False, choices=[("", _("全部状态")), *TechContract.Status.choices]
    )
    type_name = forms.ChoiceField(label=_("合同类别"), required=False)
    payment_mode = forms.ChoiceField(
        label=_("支付方式"), required=False, choices=[("", _("全部支付方式")), *PaymentMode.choices]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from .selectors import type_names

        cast(forms.ChoiceField, self.fields["type_name"]).choices = [
            ("", _("全部类别")),
            *((t, t) for t in type_names()),
        ]

    def selector_filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}


class MoveForm(StyledForm):
    action = forms.CharField(widget=forms.HiddenInput)
    expected_state = forms.CharField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(label=_("意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    registration_number = forms.CharField(label=_("登记编号"), required=False, max_length=64)
    registered_on = forms.DateField(
        label=_("登记日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class PaymentForm(StyledForm):
    received_on = forms.DateField(label=_("到账日期"), widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.DecimalField(label=_("到账金额（元）"), max_digits=16, decimal_places=2)
    instalment = forms.ModelChoiceField(
        label=_("对应付款计划"), queryset=Instalment.objects.none(), required=False
    )
    note = forms.CharField(label=_("说明"), required=False, max_length=120)

    def __init__(self, *args: Any, contract: TechContract, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["instalment"]).queryset = contract.schedule.all()


class PaymentCorrectionForm(PaymentForm):
    """Correct one payment (prefix ``pay<pk>``: one form per row on the contract page)."""

    reason = forms.CharField(label=_("更正原因"), max_length=200, help_text=_("记入审计日志，如“金额录错”。"))

    def __init__(self, *args: Any, payment: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", f"pay{payment.pk}")
        kwargs.setdefault(
            "initial",
            {
                "received_on": payment.received_on,
                "amount": payment.amount,
                "instalment": payment.instalment_id,
                "note": payment.note,
            },
        )
        super().__init__(*args, contract=payment.contract, **kwargs)


class FiguresForm(StyledForm):
    start = forms.DateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    period = forms.ChoiceField(
        label=_("统计周期"),
        required=False,
        choices=[("month", _("按月")), ("quarter", _("按季度")), ("year", _("按年"))],
    )
    scope = forms.ChoiceField(
        label=_("统计范围"),
        required=False,
        choices=[("registered", _("已登记合同")), ("all", _("全部合同（含未登记）"))],
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("截止日期早于起始日期，请调换。"))
        return data
