from typing import cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from techmarket.audit.services import audit_record, client_ip
from techmarket.core.forms import StyledFormMixin, attach_errors
from techmarket.core.http import local_next
from techmarket.core.ratelimit import hit
from techmarket.orgs import services as org_services

from . import personal_data, services
from .forms import ApiTokenForm, LoginForm, RegisterForm, ResendVerificationForm
from .models import ApiToken, User, UserSession
from .sessions import session_revoke, session_started, user_sessions


def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    next_url = local_next(request, "")  # only an address on this site is kept, rendered or followed
    if request.method == "POST" and form.is_valid():
        result = services.user_login_attempt(
            request=request, username=form.cleaned_data["username"], password=form.cleaned_data["password"]
        )
        if result.user is not None:
            login(request, result.user)
            session_started(request=request, user=result.user)
            audit_record(actor=result.user, action="accounts.user.login", target=result.user, request=request)
            return redirect(next_url or settings.LOGIN_REDIRECT_URL)
        form.add_error(None, result.error)
    return render(request, "accounts/login.html", {"form": form, "next": next_url})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, _("您已退出登录。"))
    return redirect("core:home")


def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("core:workspace")
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # Each registration sends a verification e-mail: cap them per address, like password resets.
        if not hit(f"register:{client_ip(request) or 'unknown'}", limit=10, window_seconds=3600):
            form.add_error(None, _("注册请求过于频繁，请一小时后再试。"))
            return render(request, "accounts/register.html", {"form": form})
        try:
            with transaction.atomic():
                user = services.user_register(
                    username=data["username"],
                    email=data["email"],
                    password=data["password1"],
                    real_name=data["real_name"],
                    phone=data.get("phone", ""),
                    request=request,
                )
                if data["mode"] == RegisterForm.MODE_CREATE:
                    org_services.organization_register(
                        acting_user=user,
                        name=data["org_name"],
                        kind=data["org_kind"],
                        uscc=data["org_uscc"],
                        region=data["org_region"],
                        industry=data.get("org_industry"),
                        tags=data.get("org_tags") or [],
                        request=request,
                    )
                elif data["mode"] == RegisterForm.MODE_JOIN:
                    org_services.join_request_create(user=user, organization=data["join_organization"])
        except services.EmailAlreadyRegistered as exc:
            services.send_already_registered_email(exc.user)
            request.session["registered_email"] = data["email"]
            return redirect("accounts:registered")
        except ValidationError as exc:
            attach_errors(form, exc, ORG_FIELDS)
        else:
            request.session["registered_email"] = user.email
            return redirect("accounts:registered")
    return render(request, "accounts/register.html", {"form": form})


# Organisation services name their fields without the registration form's "org_" prefix.
ORG_FIELDS = {name: f"org_{name}" for name in ("name", "kind", "uscc", "region", "industry", "tags")}


def registered(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/registered.html", {"email": request.session.get("registered_email", "")})


def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user = services.user_verify_email(token=token)
    except ValidationError as exc:
        return render(request, "accounts/verify_failed.html", {"errors": exc.messages}, status=400)
    messages.success(request, _("邮箱 %(email)s 验证成功，请登录。") % {"email": user.email})
    return redirect("accounts:login")


def resend_verification(request: HttpRequest) -> HttpResponse:
    form = ResendVerificationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ip = client_ip(request) or "unknown"
        if not hit(f"resend:{ip}", limit=5, window_seconds=3600):
            form.add_error(None, _("发送过于频繁，请一小时后再试。"))
        else:
            user = User.objects.filter(
                email__iexact=form.cleaned_data["email"], email_verified_at=None
            ).first()
            if user is not None:
                services.send_verification_email(user)
            # The same answer whether or not the address exists, so accounts cannot be discovered.
            messages.info(request, _("如果该邮箱已注册且尚未验证，我们已重新发送验证邮件。"))
            return redirect("accounts:login")
    return render(request, "accounts/resend_verification.html", {"form": form})


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, secret = services.api_token_create(
                user=cast(User, request.user),
                name=form.cleaned_data["name"],  # type: ignore[arg-type]
                expires_in_days=form.cleaned_data.get("expires_in_days"),
                scopes=["read", "write"] if form.cleaned_data.get("scope") == "write" else ["read"],
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            form = ApiTokenForm()
    token_list = ApiToken.objects.filter(user=request.user.pk)
    return render(request, "accounts/tokens.html", {"form": form, "tokens": token_list, "secret": secret})


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    services.api_token_revoke(token=token, acting_user=request.user)  # type: ignore[arg-type]
    messages.success(request, _("令牌“%(name)s”已吊销。") % {"name": token.name})
    return redirect("accounts:tokens")


class StyledPasswordResetForm(StyledFormMixin, PasswordResetForm):
    pass


class PasswordResetView(auth_views.PasswordResetView):
    form_class = StyledPasswordResetForm
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        ip = client_ip(self.request) or "unknown"
        if not hit(f"pwreset:{ip}", limit=5, window_seconds=3600):
            form.add_error(None, _("找回密码请求过于频繁，请一小时后再试。"))
            return self.form_invalid(form)
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        response = super().form_valid(form)
        user = form.user
        services.login_failures_clear(user=user)
        audit_record(actor=user, action="accounts.user.password_reset", target=user, request=self.request)
        return response


@login_required
def sessions(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/sessions.html",
        {"sessions": user_sessions(cast(User, request.user)), "current": request.session.session_key},
    )  # type: ignore[arg-type]


@login_required
@require_POST
def session_end(request: HttpRequest, session_id: int) -> HttpResponse:
    session = get_object_or_404(UserSession, pk=session_id, user=request.user)
    current = session.session_key == request.session.session_key
    session_revoke(user=request.user, session=session, request=request)  # type: ignore[arg-type]
    if current:
        logout(request)
        return redirect("accounts:login")
    messages.success(request, _("已结束该登录会话。"))
    return redirect("accounts:sessions")


class StyledPasswordChangeForm(StyledFormMixin, PasswordChangeForm):
    pass


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = StyledPasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("core:workspace")

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        response = super().form_valid(form)
        audit_record(
            actor=self.request.user,
            action="accounts.user.password_change",
            target=cast(User, self.request.user),
            request=self.request,
        )
        messages.success(self.request, _("密码已修改。"))
        return response


@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    """PIPL: the person's own data as a JSON download; GET shows the page, ?download=1 the file."""
    if request.GET.get("download") == "1":
        payload = personal_data.personal_data_export(cast(User, request.user))
        audit_record(
            actor=request.user,
            action="accounts.user.export_data",
            target=cast(User, request.user),
            request=request,
        )
        response = JsonResponse(payload, json_dumps_params={"ensure_ascii": False, "indent": 2})
        response["Content-Disposition"] = 'attachment; filename="my-data.json"'
        return response
    return render(request, "accounts/my_data.html")


@login_required
@require_POST
def delete_account(request: HttpRequest) -> HttpResponse:
    if request.POST.get("confirm") != request.user.get_username():
        messages.error(request, _("请输入您的用户名以确认删除。"))
        return redirect("accounts:my_data")
    user = request.user
    logout(request)
    personal_data.account_delete(user=user, request=request)  # type: ignore[arg-type]
    messages.info(request, _("您的账户和个人信息已删除。"))
    return redirect("core:home")
