"""HTML forms of the capture and result pages (the photo checks themselves are in validation.py)."""

from django import forms

from emotions.models import EMOTION_CHOICES, MoodReading


class PhotoUploadForm(forms.Form):
    # Empty files pass here so that validation.py can explain what is wrong with them.
    image = forms.FileField(required=False, allow_empty_file=True)
    source = forms.ChoiceField(
        choices=[
            (MoodReading.Source.UPLOAD, "Upload"),
            (MoodReading.Source.WEBCAM, "Webcam"),
        ],
        required=False,
    )


class ManualMoodForm(forms.Form):
    emotion = forms.ChoiceField(choices=EMOTION_CHOICES)


class CorrectionForm(forms.Form):
    # Empty clears a correction.
    emotion = forms.ChoiceField(choices=[("", "—"), *EMOTION_CHOICES], required=False)


class MoodSourceForm(forms.Form):
    mood_source = forms.ChoiceField(choices=MoodReading.MoodSource.choices)
