from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import Authority
from accounts.services import authority_create


class Command(BaseCommand):
    help = 'Create an authority (a council) to load data into: create_authority CODE "NAME".'

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code")
        parser.add_argument("name")

    def handle(self, *args: Any, **options: Any) -> None:
        code, name = options["code"].strip(), options["name"].strip()
        if not code or not name:
            raise CommandError('Give a code and a name, e.g. create_authority NOTTS "Nottinghamshire County Council"')
        if Authority.objects.filter(code=code).exists():
            raise CommandError(f"An authority with code '{code}' already exists")
        authority = authority_create(code=code, name=name)
        self.stdout.write(f"Created authority {authority.code}: {authority.name}")
