"""Session lifetime and the list of one's own sessions.

A session ends SESSION_IDLE_TIMEOUT_MINUTES after the last request and SESSION_ABSOLUTE_TIMEOUT_HOURS
after login, whatever happens in between. Sessions started by the login page are listed under
“登录设备” (accounts.UserSession), where a person ends any of them: ending one deletes the stored
session itself, so that browser is logged out at its next request without any per-request check.
"""

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from techmarket.audit.services import audit_record, client_ip

from .models import User, UserSession

LOGIN_AT, LAST_ACTIVITY, TRACKED = "_tm_login_at", "_tm_last_activity", "_tm_tracked"


def session_started(*, request: HttpRequest, user: User) -> None:
    """Called right after login(): remember when, and list the session for its owner."""
    now = time.time()
    request.session[LOGIN_AT] = request.session[LAST_ACTIVITY] = now
    request.session[TRACKED] = True
    if request.session.session_key is None:
        request.session.save()
    UserSession.objects.update_or_create(
        session_key=request.session.session_key,
        defaults={
            "user": user,
            "ip_address": client_ip(request) or "",
            "user_agent": request.headers.get("User-Agent", "")[:200],
            "last_seen_at": timezone.now(),
        },
    )


def _store(session_key: str) -> SessionBase:
    return import_string(settings.SESSION_ENGINE + ".SessionStore")(session_key)


def session_revoke(*, user: User, session: UserSession, request: HttpRequest | None = None) -> None:
    if session.user_id != user.pk:
        raise PermissionDenied(_("只能结束自己的登录会话。"))
    with transaction.atomic():
        _store(session.session_key).delete()
        audit_record(
            actor=user,
            action="accounts.session.revoke",
            target=user,
            request=request,
            after={"ip": session.ip_address, "created_at": session.created_at},
        )
        session.delete()


def user_sessions(user: User) -> Any:
    return UserSession.objects.filter(user=user)


class SessionTimeoutMiddleware:
    """Logs out idle, too old and revoked sessions; keeps the owner's session list current."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            reason = self._expired(request)
            if reason:
                UserSession.objects.filter(session_key=request.session.session_key or "").delete()
                logout(request)
                messages.info(request, reason)
        return self.get_response(request)

    def _expired(self, request: HttpRequest) -> str:
        session, now = request.session, time.time()
        login_at, last = session.get(LOGIN_AT), session.get(LAST_ACTIVITY)
        if login_at is not None and now - login_at > settings.SESSION_ABSOLUTE_TIMEOUT_HOURS * 3600:
            return _("登录已超过 %(h)d 小时，为了安全请重新登录。") % {
                "h": settings.SESSION_ABSOLUTE_TIMEOUT_HOURS
            }
        if last is not None and now - last > settings.SESSION_IDLE_TIMEOUT_MINUTES * 60:
            return _("您已 %(m)d 分钟没有操作，为了安全已退出登录，请重新登录。") % {
                "m": settings.SESSION_IDLE_TIMEOUT_MINUTES
            }
        if request.headers.get("X-Background-Poll"):
            # A page refreshing itself (an import's progress) is not activity: it neither keeps the session
            # alive nor writes it (on SQLite a long import holds the write lock; the poll must still answer).
            return ""
        if last is None or now - last > 60:  # write at most once a minute
            session[LAST_ACTIVITY] = now
            if session.get(TRACKED):
                UserSession.objects.filter(session_key=session.session_key).update(
                    last_seen_at=timezone.now()
                )
        return ""


def stamp_login(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """Receiver of Django's user_logged_in (every login: the login page, /admin/, tests' force_login)."""
    if request is not None and hasattr(request, "session"):
        request.session[LOGIN_AT] = request.session[LAST_ACTIVITY] = time.time()
