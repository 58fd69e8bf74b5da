"""App configuration for the Spotify seam: tokens are encrypted at rest, plain in memory."""

from django.apps import AppConfig


class SpotifyConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "spotify"
    verbose_name = "Spotify"

    def ready(self) -> None:
        from django.db.models.signals import post_init, post_save, pre_save
        from social_django.models import UserSocialAuth

        from spotify import crypto

        post_init.connect(crypto.decrypt_on_load, sender=UserSocialAuth, dispatch_uid="tokens-load")
        pre_save.connect(
            crypto.encrypt_before_save, sender=UserSocialAuth, dispatch_uid="tokens-encrypt"
        )
        post_save.connect(
            crypto.decrypt_after_save, sender=UserSocialAuth, dispatch_uid="tokens-decrypt"
        )
