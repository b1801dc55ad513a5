from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from techmarket.core.forms import StyledForm
from techmarket.orgs.models import Organization, OrganizationTag
from techmarket.orgs.services import check_duplicate_organization
from techmarket.orgs.validators import normalize_uscc, validate_uscc
from techmarket.reference.forms import IndustryChoiceField, RegionChoiceField

phone_validator = RegexValidator(r"^1[3-9]\d{9}$", _("请输入 11 位中国大陆手机号码，例如 13800000000。"))
username_validator = RegexValidator(
    r"^[A-Za-z][A-Za-z0-9_.-]{2,29}$", _("用户名以字母开头，3–30 位，可含字母、数字、下划线、点和连字符。")
)


class LoginForm(StyledForm):
    username = forms.CharField(label=_("用户名或邮箱"), max_length=150)
    password = forms.CharField(label=_("密码"), widget=forms.PasswordInput)


class RegisterForm(StyledForm):
    MODE_CREATE, MODE_JOIN, MODE_NONE = "create", "join", "none"

    username = forms.CharField(label=_("用户名"), max_length=30, validators=[username_validator])
    real_name = forms.CharField(label=_("姓名"), max_length=64)
    email = forms.EmailField(label=_("电子邮箱"), help_text=_("用于接收验证邮件和通知。"))
    phone = forms.CharField(label=_("手机号码"), max_length=11, required=False, validators=[phone_validator])
    password1 = forms.CharField(
        label=_("密码"),
        widget=forms.PasswordInput,
        help_text=_("至少 8 位，不能全是数字，不能与用户名相近。"),
    )
    password2 = forms.CharField(label=_("确认密码"), widget=forms.PasswordInput)
    mode = forms.ChoiceField(
        label=_("所属机构"),
        choices=[
            (MODE_CREATE, _("注册新机构（提交平台审核）")),
            (MODE_JOIN, _("申请加入已注册的机构")),
            (MODE_NONE, _("暂不关联机构")),
        ],
        initial=MODE_CREATE,
        widget=forms.RadioSelect,
    )
    org_name = forms.CharField(
        label=_("机构全称"), max_length=128, required=False, help_text=_("与营业执照或法人证书一致。")
    )
    org_kind = forms.ChoiceField(
        label=_("机构类型"), choices=[("", _("请选择"))] + list(Organization.Kind.choices), required=False
    )
    org_uscc = forms.CharField(
        label=_("统一社会信用代码"), max_length=20, required=False, help_text=_("18 位，见营业执照。")
    )
    # Required when registering a new organisation (clean() says so): not "请选择（可不填）".
    org_region = RegionChoiceField(label=_("所在地区"), required=False, empty_label=_("请选择"))
    org_industry = IndustryChoiceField(label=_("所属行业"), required=False)
    org_tags = forms.ModelMultipleChoiceField(
        label=_("资质标签"),
        queryset=OrganizationTag.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    join_org = forms.CharField(
        label=_("要加入的机构"),
        max_length=128,
        required=False,
        help_text=_("填写机构全称或统一社会信用代码。"),
    )
    agree = forms.BooleanField(label=_("我已阅读并同意平台用户协议和隐私政策"))

    ORG_FIELDS = ("org_name", "org_kind", "org_uscc", "org_region")

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def clean_org_uscc(self) -> str:
        value = normalize_uscc(self.cleaned_data.get("org_uscc", ""))
        if value and self.data.get("mode") == self.MODE_CREATE:
            validate_uscc(value)
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", _("两次输入的密码不一致。"))
        elif data.get("password1"):
            probe = self._probe_user(data)
            try:
                password_validation.validate_password(data["password1"], probe)
            except ValidationError as exc:
                self.add_error("password1", exc)
        mode = data.get("mode")
        if mode == self.MODE_CREATE:
            for name in self.ORG_FIELDS:
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, _("注册新机构时必须填写此项。"))
            if data.get("org_name") and data.get("org_uscc") and "org_uscc" not in self.errors:
                try:
                    check_duplicate_organization(name=data["org_name"].strip(), uscc=data["org_uscc"])
                except ValidationError as exc:
                    for field, messages in exc.message_dict.items():
                        self.add_error(f"org_{field}", messages)
        elif mode == self.MODE_JOIN:
            key = (data.get("join_org") or "").strip()
            org = (
                Organization.objects.filter(
                    Q(name=key) | Q(uscc=normalize_uscc(key)), status=Organization.Status.APPROVED
                ).first()
                if key
                else None
            )
            if org is None:
                self.add_error("join_org", _("没有找到已通过审核的该机构，请核对全称或统一社会信用代码。"))
            data["join_organization"] = org
        return data

    @staticmethod
    def _probe_user(data: dict[str, Any]) -> Any:
        from .models import User

        return User(
            username=data.get("username", ""),
            email=data.get("email", ""),
            real_name=data.get("real_name", ""),
        )


class ResendVerificationForm(StyledForm):
    email = forms.EmailField(label=_("注册邮箱"))


class ApiTokenForm(StyledForm):
    name = forms.CharField(label=_("令牌名称"), max_length=64, help_text=_("说明用途，例如“数据同步脚本”。"))
    scope = forms.ChoiceField(
        label=_("权限范围"),
        initial="read",
        widget=forms.RadioSelect,
        required=False,
        choices=[("read", _("只读：只能查询数据")), ("write", _("读取和写入：可以创建和修改数据"))],
    )
    expires_in_days = forms.TypedChoiceField(
        label=_("有效期"),
        coerce=int,
        initial=90,
        choices=[(30, _("30 天")), (90, _("90 天")), (180, _("180 天")), (365, _("1 年"))],
    )
