from typing import Any

from django.conf import settings
from django.http import HttpRequest

from techmarket.accounts import roles

from .navigation import available_sections


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    return {
        "site_name": settings.SITE_NAME,
        "nav_sections": available_sections(user),
        "is_operator": roles.is_operator(user),
        "is_bureau": roles.is_bureau(user),
    }
