from typing import Any

from django.conf import settings
from django.http import HttpRequest

from techmarket.accounts import roles

from .navigation import menu


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    return {
        "site_name": settings.SITE_NAME,
        "nav_menu": menu(user),
        "is_operator": roles.is_operator(user),
        "is_bureau": roles.is_bureau(user),
    }
