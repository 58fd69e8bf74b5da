"""Forms for the profile page."""

from django import forms

from accounts.models import User


class PreferencesForm(forms.ModelForm):
    """How recommendations respond by default, and what is kept of a photo."""

    class Meta:
        model = User
        fields = ["default_strategy", "image_retention"]
        widgets = {
            "default_strategy": forms.RadioSelect,
            "image_retention": forms.RadioSelect,
        }
        labels = {
            "default_strategy": "When I show a mood, by default",
            "image_retention": "After my photo is read",
        }


class ApiTokenForm(forms.Form):
    """A new personal API token: only its name is asked for."""

    name = forms.CharField(
        label="Token name",
        max_length=64,
        help_text="What will use it, e.g. “laptop script”. Only you see it.",
    )
