from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from tickets.models import Topic
from tickets.uploads import UploadRejected, format_size, max_upload_bytes, validate_upload

from .models import Procedure
from .sanitize import sanitize_answer

MAX_FILES = 5


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Documents a citizen attaches, judged by the one upload policy (tickets.uploads) before anything is stored."""

    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        cleaned = [super(MultipleFileField, self).clean(item, initial) for item in files]
        if len(cleaned) > MAX_FILES:
            raise forms.ValidationError(_("You can attach at most %(count)d files.") % {"count": MAX_FILES})
        errors = []
        for upload in cleaned:
            try:
                validate_upload(upload.name, upload.read())
            except UploadRejected as err:
                errors.append(forms.ValidationError(err.message))
            finally:
                upload.seek(0)
        if errors:
            raise forms.ValidationError(errors)
        return cleaned


def _attachments_help() -> str:
    return _("PDF, pictures, office documents, text, audio or ZIP; at most %(count)d files of %(size)s each.") % {
        "count": MAX_FILES,
        "size": format_size(max_upload_bytes()),
    }


class PortalForm(forms.Form):
    """Bootstrap Italia classes on every widget; templates render fields with portal/_field.html."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class FeedbackForm(PortalForm):
    useful = forms.TypedChoiceField(
        label=_("Was this answer useful?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        widget=forms.RadioSelect,
        coerce=lambda value: value == "yes",
    )
    comment = forms.CharField(
        label=_("Tell us more (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Do not write personal data here: this comment is anonymous."),
    )


class StatusLookupForm(PortalForm):
    reference = forms.CharField(
        label=_("Request reference"),
        max_length=32,
        help_text=_("For example IST-2026-0001234: you find it in the acknowledgement."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}),
    )
    contact = forms.CharField(
        label=_("Email or phone number used for the request"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "email"}),
    )


class StatusMessageForm(PortalForm):
    text = forms.CharField(
        label=_("Your message"), required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 4})
    )
    attachments = MultipleFileField(label=_("Documents (optional)"), help_text=lazy(_attachments_help, str)())

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("text") or "").strip() and not cleaned.get("attachments"):
            raise forms.ValidationError(_("Write a message or attach a document."))
        return cleaned


class RequestForm(PortalForm):
    first_name = forms.CharField(
        label=_("First name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label=_("Last name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    email = forms.EmailField(
        label=_("Email"), required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    language = forms.ChoiceField(label=_("Language for our answer"), choices=settings.LANGUAGES)
    topic = forms.ChoiceField(label=_("Topic"), required=False)
    subject = forms.CharField(
        label=_("Subject"),
        max_length=200,
        help_text=_("A few words: while you type we suggest answers that may already help you."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    text = forms.CharField(label=_("Your question"), max_length=10000, widget=forms.Textarea(attrs={"rows": 6}))
    attachments = MultipleFileField(label=_("Documents (optional)"), help_text=lazy(_attachments_help, str)())
    want_appointment = forms.BooleanField(label=_("I would like an appointment at the office"), required=False)
    procedure = forms.ChoiceField(label=_("Appointment for"), required=False)
    preferred_dates = forms.CharField(
        label=_("Preferred days and times (optional)"),
        required=False,
        max_length=300,
        help_text=_("For example: mornings, not on Wednesdays."),
    )
    consent = forms.BooleanField(
        label=_("I have read the privacy notice and I agree that my data is used to answer my request."),
        error_messages={"required": _("Please confirm you have read the privacy notice.")},
    )
    # Honeypot: hidden from people (CSS and aria-hidden), filled in by bots.
    website = forms.CharField(label=_("Leave this field empty"), required=False)

    def __init__(self, *args, language: str = "it", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].initial = language
        topics = Topic.objects.filter(is_active=True, parent__isnull=True).order_by("position", "name")
        self.fields["topic"].choices = [("", _("— choose a topic —"))] + [
            (t.slug, getattr(t, f"name_{language}", "") or t.name) for t in topics
        ]
        self.procedures = {p.slug: p for p in Procedure.objects.filter(is_published=True).order_by("position")}
        self.fields["procedure"].choices = [("", _("— choose a procedure —"))] + [
            (slug, p.text_in("title", language)) for slug, p in self.procedures.items()
        ]

    def clean_phone(self):
        from channels_app.numbers import to_e164

        value = self.cleaned_data.get("phone", "").strip()
        if value and not to_e164(value):
            raise forms.ValidationError(_("This phone number is not valid; include the country code, e.g. +39."))
        return value

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("email") and not cleaned.get("phone") and not self.errors.get("phone"):
            raise forms.ValidationError(_("Give an email address or a phone number so that we can answer you."))
        if cleaned.get("want_appointment") and not cleaned.get("procedure"):
            self.add_error("procedure", _("Choose the procedure you need the appointment for."))
        return cleaned

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get("website"))

    def pipeline_data(self) -> dict:
        data = self.cleaned_data
        return {
            key: data.get(key, "")
            for key in ("first_name", "last_name", "email", "phone", "language", "topic", "subject", "text")
        }


class FaqEntryAdminForm(forms.ModelForm):
    """Admin form (the admin supplies Meta): answers are sanitized before they are saved."""

    def clean(self):
        cleaned = super().clean()
        for code, _name in settings.LANGUAGES:
            key = f"answer_{code}"
            if cleaned.get(key):
                cleaned[key] = sanitize_answer(cleaned[key])
        return cleaned
