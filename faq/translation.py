from modeltranslation.translator import TranslationOptions, register

from .models import FaqEntry, FaqTopic, Procedure


@register(FaqTopic)
class FaqTopicTranslationOptions(TranslationOptions):
    fields = ("name", "description")


@register(FaqEntry)
class FaqEntryTranslationOptions(TranslationOptions):
    fields = ("question", "answer")


@register(Procedure)
class ProcedureTranslationOptions(TranslationOptions):
    fields = ("title", "short_title", "summary", "documents", "fees", "where_to_go")
