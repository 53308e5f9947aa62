from modeltranslation.translator import TranslationOptions, register

from .models import CannedReply


@register(CannedReply)
class CannedReplyTranslationOptions(TranslationOptions):
    fields = ("title", "text")
