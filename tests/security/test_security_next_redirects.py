"""Forms that post a ``next`` address send the user back only within this site (no open redirect)."""

from django.test import RequestFactory

from techmarket.core.http import local_next


def test_local_next_keeps_site_paths_and_refuses_other_hosts():
    rf = RequestFactory()
    assert local_next(rf.post("/x/", {"next": "/events/3/"}), "/fallback/") == "/events/3/"
    for bad in ["https://evil.example/", "//evil.example/", "javascript:alert(1)", ""]:
        assert local_next(rf.post("/x/", {"next": bad}), "/fallback/") == "/fallback/"
