from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from techmarket.api.api import api

admin.site.site_header = "科技大市场 · 运营后台"
admin.site.site_title = "科技大市场"
admin.site.index_title = "数据管理"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("techmarket.core.urls")),
    path("accounts/", include("techmarket.accounts.urls")),
    path("needs/", include("techmarket.needs.urls")),
    path("achievements/", include("techmarket.achievements.urls")),
    path("experts/", include("techmarket.experts.urls")),
    path("challenges/", include("techmarket.challenges.urls")),
    path("events/", include("techmarket.events.urls")),
    path("notifications/", include("techmarket.notifications.urls")),
    path("orgs/", include("techmarket.orgs.urls")),
    path("audit/", include("techmarket.audit.urls")),
    path("imports/", include("techmarket.imports.urls")),
    path("matching/", include("techmarket.matching.urls")),
    path("documents/", include("techmarket.documents.urls")),
    path("analytics/", include("techmarket.analytics.urls")),
    path("engagements/", include("techmarket.engagements.urls")),
    path("contracts/", include("techmarket.contracts.urls")),
    path("facilities/", include("techmarket.facilities.urls")),
    path("finance/", include("techmarket.finance.urls")),
    path("policies/", include("techmarket.policies.urls")),
    path("vouchers/", include("techmarket.vouchers.urls")),
    path("investors/", include("techmarket.investors.urls")),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler403 = "techmarket.core.views.error_403"
handler404 = "techmarket.core.views.error_404"
handler500 = "techmarket.core.views.error_500"
