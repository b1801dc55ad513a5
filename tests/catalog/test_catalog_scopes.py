"""A view that forgets the visibility selector fails loudly instead of listing hidden items."""

import pytest
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from factories import OrganizationFactory, UserFactory

from techmarket.catalog.scopes import UnscopedQuery, guarded, system_context
from techmarket.needs import services
from techmarket.needs.models import Need
from techmarket.needs.selectors import need_get_visible, need_list_visible_to

pytestmark = pytest.mark.django_db


def careless_list(request):
    return HttpResponse(", ".join(n.title for n in Need.objects.all()))


def careless_detail(request, need_id):
    return HttpResponse(get_object_or_404(Need, pk=need_id).title)


def careful_list(request):
    return HttpResponse(", ".join(n.title for n in need_list_visible_to(request.user)))


urlpatterns = [
    path("careless/", careless_list),
    path("careless/<int:need_id>/", careless_detail),
    path("careful/", careful_list),
]


@pytest.fixture
def draft():
    from factories import MembershipFactory

    from techmarket.orgs.models import Role

    org, owner = OrganizationFactory(), UserFactory()
    MembershipFactory(user=owner, organization=org, role=Role.ORG_ADMIN)
    return services.need_create(
        acting_user=owner, owner=org, title="保密的草稿需求", summary="摘要", problem="难题"
    )


@pytest.mark.urls(__name__)
def test_a_view_reading_the_default_manager_raises_instead_of_leaking_drafts(client, draft):
    with pytest.raises(UnscopedQuery, match="visibility selector"):
        client.get("/careless/")
    with pytest.raises(UnscopedQuery):
        client.get(f"/careless/{draft.pk}/")
    response = client.get("/careful/")
    assert response.status_code == 200 and "保密的草稿需求" not in response.content.decode()


def test_selectors_and_explicit_unscoped_reads_pass_the_guard(draft):
    stranger = UserFactory()
    with guarded():
        with pytest.raises(UnscopedQuery):
            Need.objects.filter(pk=draft.pk).count()
        with pytest.raises(UnscopedQuery):
            Need.objects.exists()
        assert not need_list_visible_to(stranger).filter(pk=draft.pk).exists()
        assert Need.objects.unscoped().filter(pk=draft.pk).count() == 1
        with system_context():
            assert Need.objects.filter(pk=draft.pk).exists()
    # Outside a request (tasks, commands, the shell) the platform itself is acting.
    assert Need.objects.filter(pk=draft.pk).exists()


def test_a_hidden_item_is_404_through_the_selector(draft):
    from django.http import Http404

    with guarded(), pytest.raises(Http404):
        need_get_visible(UserFactory(), draft.pk)
