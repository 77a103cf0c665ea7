"""The administrators' data feed tokens page: issue (shown once), revoke (confirmed), audited in
words, only for administrators and only their own authority's tokens."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.audit import event_words
from accounts.models import AuditEvent
from feed import services
from feed.models import FeedToken
from tests.feed.conftest import bearer

pytestmark = pytest.mark.django_db


def test_an_administrator_issues_a_token_that_is_shown_once_and_then_reads_the_feed(
    client_for, administrator, api
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(administrator)
    assert client.get(reverse("feed:token_issue")).status_code == 200
    response = client.post(reverse("feed:token_issue"), {"name": "  Finance   Power BI  "})
    assert response.status_code == 200
    token = response.context["token"]
    page = response.content.decode()
    assert token in page and "You will see this token only once" in page
    row = FeedToken.objects.get()
    assert row.name == "Finance Power BI" and row.authority == administrator.authority
    assert row.created_by == administrator and row.token_sha256 == services.token_digest(token)
    # The list shows its beginning only.
    listing = client.get(reverse("feed:tokens")).content.decode()
    assert "Finance Power BI" in listing and row.prefix in listing and token not in listing
    assert api.get("/api/v1/periods", **bearer(token)).status_code == 200
    event = AuditEvent.objects.get(action="feed_token.issue")
    assert event.user == administrator and event_words(event.action, event.object_repr) == "Issued a data feed token"


def test_a_token_needs_a_name(client_for, administrator) -> None:  # type: ignore[no-untyped-def]
    response = client_for(administrator).post(reverse("feed:token_issue"), {"name": "   "})
    page = response.content.decode()
    assert response.status_code == 200 and "Enter what the token is for" in page
    # drawn by the one form renderer: the title, the summary's link and the box's description
    assert "<title>Error: Issue a data feed token" in page
    assert 'href="#id_name"' in page and 'aria-describedby="id_name-hint id_name-error"' in page
    assert not FeedToken.objects.exists()


def test_revoking_asks_first_then_stops_the_token_at_once(client_for, administrator, issued, api) -> None:  # type: ignore[no-untyped-def]
    row, token = issued
    client = client_for(administrator)
    address = reverse("feed:token_revoke", args=[row.pk])
    assert "stops working at once" in client.get(address).content.decode()
    assert api.get("/api/v1/periods", **bearer(token)).status_code == 200
    response = client.post(address, {"reason": "The report is retired"})
    assert response.status_code == 302 and response["Location"] == reverse("feed:tokens")
    row.refresh_from_db()
    assert row.revoked_at is not None and row.revoked_by == administrator
    assert api.get("/api/v1/periods", **bearer(token)).status_code == 401
    event = AuditEvent.objects.get(action="feed_token.revoke")
    assert event.reason == "The report is retired" and event.user == administrator
    assert "Revoked" in client.get(reverse("feed:tokens")).content.decode()


def test_only_administrators_reach_the_token_pages(
    client_for, finance_officer, director, committee_member, issued
) -> None:  # type: ignore[no-untyped-def]
    row, _ = issued
    for user in (finance_officer, director, committee_member):
        client = client_for(user)
        for address in (
            reverse("feed:tokens"),
            reverse("feed:token_issue"),
            reverse("feed:token_revoke", args=[row.pk]),
        ):
            assert client.get(address).status_code == 403, (user.role, address)
        assert client.post(reverse("feed:token_revoke", args=[row.pk])).status_code == 403
    row.refresh_from_db()
    assert row.revoked_at is None


def test_an_administrator_never_sees_or_revokes_another_authoritys_token(
    client_for, administrator, other_issued
) -> None:  # type: ignore[no-untyped-def]
    row, _ = other_issued
    client = client_for(administrator)
    assert "Dorset report" not in client.get(reverse("feed:tokens")).content.decode()
    assert client.get(reverse("feed:token_revoke", args=[row.pk])).status_code == 404
    assert client.post(reverse("feed:token_revoke", args=[row.pk])).status_code == 404
    row.refresh_from_db()
    assert row.revoked_at is None
