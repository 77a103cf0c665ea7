import getpass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import Authority, Role, User
from accounts.services import user_create


class Command(BaseCommand):
    help = "Create a user at an authority with one role; asks for the password or reads --password-file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--authority", required=True, help="authority code")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--password-file", help="file whose first line is the password")
        parser.add_argument("--email", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            authority = Authority.objects.get(code=options["authority"])
        except Authority.DoesNotExist:
            raise CommandError(f"No authority with code '{options['authority']}'") from None
        if User.objects.filter(username=options["username"]).exists():
            raise CommandError(f"A user '{options['username']}' already exists")
        if options["password_file"]:
            path = Path(options["password_file"])
            if not path.is_file():
                raise CommandError(f"{path}: no such file")
            password = path.read_text(encoding="utf-8").splitlines()[0] if path.stat().st_size else ""
        else:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The passwords do not match")
        try:
            user = user_create(
                username=options["username"],
                authority=authority,
                role=options["role"],
                password=password,
                email=options["email"],
            )
        except ValidationError as error:
            raise CommandError("Password refused: " + " ".join(error.messages)) from None
        self.stdout.write(f"Created {user.username} ({user.get_role_display()}) at {authority.name}")
