"""App configuration for accounts."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from django.db.models.signals import post_init, post_save, pre_save
        from social_django.models import UserSocialAuth

        from accounts import token_crypto

        # Spotify tokens are encrypted in the database and plain in memory (accounts.token_crypto).
        post_init.connect(
            token_crypto.decrypt_on_load, sender=UserSocialAuth, dispatch_uid="tokens-load"
        )
        pre_save.connect(
            token_crypto.encrypt_before_save, sender=UserSocialAuth, dispatch_uid="tokens-encrypt"
        )
        post_save.connect(
            token_crypto.decrypt_after_save, sender=UserSocialAuth, dispatch_uid="tokens-decrypt"
        )
