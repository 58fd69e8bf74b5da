"""Template tag for the admin index: the counts of the last days."""

from django import template

from insights.admin_landing import LANDING_DAYS, LandingCount, admin_landing_counts

register = template.Library()


@register.simple_tag
def landing_counts() -> dict[str, int | list[LandingCount]]:
    return {"days": LANDING_DAYS, "rows": admin_landing_counts()}
