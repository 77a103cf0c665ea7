"""The feed, version 1, and the administrators' token pages. Each data address also answers with
a .json or .csv ending (the same as ?format=)."""

from django.urls import include, path, re_path

from feed import token_views, views

app_name = "feed"

FORMAT = r"(?:\.(?P<fmt>json|csv))?$"
PUBLISHED = r"(?P<published>[0-9]+|latest)"

api_patterns = [
    path("openapi.json", views.openapi, name="openapi"),
    re_path(r"^periods" + FORMAT, views.periods, name="periods"),
    re_path(r"^periods/" + PUBLISHED + FORMAT, views.period, name="period"),
    re_path(r"^periods/" + PUBLISHED + r"/(?P<table>[a-z]+)" + FORMAT, views.period_table, name="period_table"),
    re_path(r"^latest" + FORMAT, views.latest, name="latest"),
    re_path(r"^latest/(?P<table>[a-z]+)" + FORMAT, views.latest_table, name="latest_table"),
]

token_patterns = [
    path("", token_views.tokens, name="tokens"),
    path("issue/", token_views.token_issue, name="token_issue"),
    path("<int:token_id>/revoke/", token_views.token_revoke, name="token_revoke"),
]

urlpatterns = [
    path("api/v1/", include(api_patterns)),
    path("data-feed/tokens/", include(token_patterns)),
]
