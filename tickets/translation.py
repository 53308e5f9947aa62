from modeltranslation.translator import TranslationOptions, register

from .models import Office, Topic


@register(Topic)
class TopicTranslationOptions(TranslationOptions):
    fields = ("name",)


@register(Office)
class OfficeTranslationOptions(TranslationOptions):
    fields = ("name", "address")
