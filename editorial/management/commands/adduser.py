import os

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from editorial import roles


class Command(BaseCommand):
    help = "Create a user with a role, or update the role and password of an existing one."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=roles.ROLES)
        parser.add_argument("--password", help="Or set NEWSROOM_PASSWORD; without either, a new user has none.")
        parser.add_argument("--email", default="")

    def handle(self, username, role, password=None, email="", **options):
        password = password or os.environ.get("NEWSROOM_PASSWORD") or None
        User = get_user_model()
        with transaction.atomic():
            user, created = User.objects.get_or_create(username=username, defaults={"email": email})
            if password:
                try:
                    password_validation.validate_password(password, user)
                except ValidationError as exc:
                    raise CommandError("Password refused: " + " ".join(exc.messages)) from None
                user.set_password(password)
            elif created:
                user.set_unusable_password()
            if email:
                user.email = email
            user.save()
            roles.set_role(user, role)
        self.stdout.write(f"{'Created' if created else 'Updated'} {username} ({role}).")
