"""What the test provider says about a person: the standard claims, the groups claim (as Entra ID
sends group ids), and a fault a test asks for (`people[username]["fault"]`)."""

from typing import Any

from django.conf import settings


def _person(user: Any) -> dict[str, Any]:
    return dict(settings.CONFIG["people"].get(user.username, {}))


def userinfo(claims: dict[str, Any], user: Any) -> dict[str, Any]:
    claims["given_name"] = user.first_name
    claims["family_name"] = user.last_name
    claims["name"] = f"{user.first_name} {user.last_name}".strip()
    claims["preferred_username"] = user.username
    claims["email"] = user.email
    claims["email_verified"] = True
    return claims


def id_token(id_token: dict[str, Any], user: Any, **kwargs: Any) -> dict[str, Any]:
    person = _person(user)
    id_token["groups"] = list(person.get("groups", []))
    fault = person.get("fault")
    if fault == "wrong_audience":
        id_token["aud"] = "some-other-service"
    elif fault == "wrong_issuer":
        id_token["iss"] = "https://impostor.example"
    elif fault == "expired":
        id_token["exp"] = id_token["iat"] - 3600
    elif fault == "groups_overage":
        id_token.pop("groups")
        id_token["_claim_names"] = {"groups": "src1"}
    return id_token
