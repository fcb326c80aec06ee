from django import template

from studymarket.trust.timeline_labels import action_label

register = template.Library()


@register.filter
def trust_action_label(action: str) -> str:
    return action_label(action)
