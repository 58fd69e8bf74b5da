"""Admin for curators: the emotion → mood rules, with their coverage."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.forms.models import BaseModelFormSet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from recommendations.curation import (
    rule_coverage_after,
)
from recommendations.models import EmotionMoodRule

if TYPE_CHECKING:

    class _TrackTotal(TypedDict):
        track_total: int


# Emotion → mood rules ---------------------------------------------------------------------------


class EmotionMoodRuleForm(forms.ModelForm):
    class Meta:
        model = EmotionMoodRule
        fields = ["strategy", "emotion", "mood", "weight"]
        widgets = {"weight": forms.NumberInput(attrs={"min": 0, "max": 1, "step": 0.05})}

    def clean(self) -> dict[str, Any]:
        cleaned = cast("dict[str, Any]", super().clean())  # a ModelForm's is its cleaned_data
        if self.errors:
            return cleaned
        values = (cleaned["emotion"], cleaned["strategy"], cleaned["weight"])
        if self.instance.pk:
            problems = rule_coverage_after(changed={self.instance.pk: values})
        else:
            problems = rule_coverage_after(added=[values])
        if problems:
            raise ValidationError(problems)
        return cleaned


class EmotionMoodRuleChangelistFormSet(BaseModelFormSet):
    """The list's inline editing (mood, weight) must leave every emotion covered, all at once."""

    def clean(self) -> None:
        super().clean()
        if any(form.errors for form in self.forms):
            return
        changed: dict[int, tuple[str, str, float] | None] = {
            form.instance.pk: (
                form.instance.emotion,
                form.instance.strategy,
                form.cleaned_data.get("weight", form.instance.weight),
            )
            for form in self.forms
            if form.instance.pk and form.has_changed()
        }
        problems = rule_coverage_after(changed=changed)
        if problems:
            raise ValidationError(problems)


@admin.register(EmotionMoodRule)
class EmotionMoodRuleAdmin(admin.ModelAdmin):
    form = EmotionMoodRuleForm
    list_display = ["strategy", "emotion", "mood", "weight"]
    list_display_links = ["strategy", "emotion"]
    list_editable = ["mood", "weight"]
    list_filter = ["strategy", "emotion", "mood"]
    ordering = ["strategy", "emotion", "-weight"]
    actions = ["delete_selected_checked"]

    # A rule edit changes what past ratings mean: re-derive their evidence once it is committed.
    def _rederive_after_commit(self, request: HttpRequest) -> None:
        from feedback.tasks import rederive_rating_evidence

        if not getattr(request, "_rating_evidence_queued", False):
            request._rating_evidence_queued = True  # type: ignore[attr-defined]  # our own flag
            transaction.on_commit(rederive_rating_evidence.delay)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        self._rederive_after_commit(request)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        super().delete_model(request, obj)
        self._rederive_after_commit(request)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[EmotionMoodRule]) -> None:
        super().delete_queryset(request, queryset)
        self._rederive_after_commit(request)

    def get_changelist_formset(self, request: HttpRequest, **kwargs: Any) -> Any:
        kwargs["formset"] = EmotionMoodRuleChangelistFormSet
        return super().get_changelist_formset(request, **kwargs)

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        if request.method == "GET":
            for problem in rule_coverage_after():
                self.message_user(request, problem, messages.WARNING)
        return super().changelist_view(request, extra_context)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # replaced by the coverage-checking delete
        return actions

    @admin.action(description="Delete the selected rules", permissions=["delete"])
    def delete_selected_checked(
        self, request: HttpRequest, queryset: QuerySet[EmotionMoodRule]
    ) -> HttpResponse | None:
        problems = rule_coverage_after(changed=dict.fromkeys(queryset.values_list("pk", flat=True)))
        if problems:
            for problem in problems:
                self.message_user(request, f"Not deleted: {problem}", messages.ERROR)
            return None
        return delete_selected(self, request, queryset)

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> Any:
        rule = self.get_object(request, unquote(object_id))
        if rule is not None:
            problems = rule_coverage_after(changed={rule.pk: None})
            if problems:
                for problem in problems:
                    self.message_user(request, f"Not deleted: {problem}", messages.ERROR)
                return HttpResponseRedirect(
                    reverse("admin:recommendations_emotionmoodrule_change", args=[rule.pk])
                )
        return super().delete_view(request, object_id, extra_context)
