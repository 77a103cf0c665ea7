"""Prepare and serve the test provider: `python -m tests.accounts.oidc_provider.serve` with
OIDC_TEST_PROVIDER_CONFIG naming its JSON settings (written by `Provider.start`)."""

import os

os.environ["DJANGO_SETTINGS_MODULE"] = "tests.accounts.oidc_provider.settings"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.servers.basehttp import run  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from oidc_provider.models import Client, ResponseType  # noqa: E402


def prepare() -> None:
    config = settings.CONFIG
    call_command("migrate", verbosity=0, interactive=False)
    call_command("creatersakey", verbosity=0)
    for username, person in config["people"].items():
        user = User.objects.create(
            username=username,
            first_name=person.get("first_name", ""),
            last_name=person.get("last_name", ""),
            email=person.get("email", f"{username}@council.example"),
        )
        user.set_password(config["password"])
        user.save()
    client = Client.objects.create(
        name="Outturn",
        client_type="confidential",
        client_id=config["client_id"],
        client_secret=config["client_secret"],
        jwt_alg="RS256",
        require_consent=False,
        reuse_consent=True,
        _redirect_uris="\n".join(config["redirect_uris"]),
        _scope="openid profile email",
    )
    client.response_types.add(ResponseType.objects.get(value="code"))


if __name__ == "__main__":
    prepare()
    run("127.0.0.1", settings.CONFIG["port"], get_wsgi_application(), threading=True)
