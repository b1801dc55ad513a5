"""Pages of the two-factor login: set up an authenticator app, confirm a login, renew recovery codes."""

import base64

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from techmarket.core.forms import StyledForm
from techmarket.core.http import local_next

from . import twofactor


class CodeForm(StyledForm):
    code = forms.CharField(
        label=gettext_lazy("验证码"),
        max_length=20,
        help_text=gettext_lazy("认证器应用显示的 6 位数字，或一个 10 位恢复码。"),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _next(request: HttpRequest) -> str:
    return local_next(request, "")


@login_required
def setup(request: HttpRequest) -> HttpResponse:
    device = twofactor.pending_totp_device(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = twofactor.totp_confirm(request=request, user=request.user, code=form.cleaned_data["code"])
        if codes is not None:
            return render(request, "accounts/two_factor_codes.html", {"codes": codes, "next": _next(request)})
        form.add_error("code", _("验证码不正确：请确认手机时间准确，并输入应用中当前显示的 6 位数字。"))
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(
        request,
        "accounts/two_factor_setup.html",
        {"form": form, "secret": secret, "uri": device.config_url, "next": _next(request)},
    )


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    if not twofactor.has_device(request.user):
        return redirect("accounts:two_factor_setup")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if twofactor.two_factor_verify(request=request, user=request.user, code=form.cleaned_data["code"]):
            return redirect(_next(request) or "core:workspace")
        form.add_error("code", _("验证码或恢复码不正确，请重试。"))
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": _next(request)})
