"""The one error body of the API, as rendered by core.exceptions.api_exception_handler."""

from rest_framework import serializers


class ErrorOutput(serializers.Serializer):
    """`{message, extra}`: a sentence for people and details for programs."""

    message = serializers.CharField()
    extra = serializers.DictField()
