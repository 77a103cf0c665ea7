"""Readable test data: an authority, its people, a year with periods and a few budget lines."""

from __future__ import annotations

import factory

from accounts.models import Authority, Role, User
from forecasting.models import BudgetLine, ServiceArea

PASSWORD = "a-long-test-password-42"


class AuthorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Authority
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"LA{n}")
    name = factory.LazyAttribute(lambda o: f"{o.code} County Council")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    authority = factory.SubFactory(AuthorityFactory)
    role = Role.FINANCE_OFFICER
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create:
            obj.save()


class ServiceAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceArea
        django_get_or_create = ("authority", "name")

    authority = factory.SubFactory(AuthorityFactory)
    name = "Children in Care"


class BudgetLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetLine

    authority = factory.SubFactory(AuthorityFactory)
    code = factory.Sequence(lambda n: f"LINE-{n}")
    name = factory.LazyAttribute(lambda o: f"Line {o.code}")
    service_area = factory.SubFactory(ServiceAreaFactory, authority=factory.SelfAttribute("..authority"))
    category = BudgetLine.Category.OTHER
    method = BudgetLine.Method.PROFILE
