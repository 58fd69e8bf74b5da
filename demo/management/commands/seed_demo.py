"""Create the admin and demo accounts (and, as features land, their demo data); idempotent."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.services import user_ensure_admin, user_ensure_demo
from demo import library as spotify_sandbox_demo
from demo import moods as recommendations_demo_moods
from demo import readings as emotions_demo


class Command(BaseCommand):
    help = "Create the superuser `admin` and the demo user `demo` if they are missing."

    def handle(self, *args: Any, **options: Any) -> None:
        password = self._admin_password()
        admin, admin_created = user_ensure_admin(username="admin", password=password)
        demo, demo_created = user_ensure_demo()
        for user, created in ((admin, admin_created), (demo, demo_created)):
            verb = "created" if created else "already present"
            self.stdout.write(f"user {user.username}: {verb}")
        recommendations_demo_moods.seed(stdout=self.stdout)
        spotify_sandbox_demo.seed(stdout=self.stdout)
        emotions_demo.seed(stdout=self.stdout)

    def _admin_password(self) -> str:
        password = settings.DJANGO_ADMIN_PASSWORD
        if password:
            return password
        if settings.DEBUG:
            return "admin"
        raise CommandError("Set DJANGO_ADMIN_PASSWORD: the default password is only for DEBUG.")
