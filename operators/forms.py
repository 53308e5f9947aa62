"""Desk forms: parse and validate what the operator sent; the services decide what is allowed."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from tickets.models import Channel, Office, Status, Ticket, Topic
from tickets.uploads import SCAN_TYPES, UploadRejected, UploadTooLarge, validate_upload

from .selectors import TicketFilters


class DeskForm(forms.Form):
    """Bootstrap Italia classes on every widget (no template tag library for it)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", f"{css} form-control-sm")


class TicketFilterForm(DeskForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    channel = forms.ChoiceField(label=_("Channel"), required=False, choices=[("", _("All"))] + Channel.choices)
    topic = forms.ModelChoiceField(
        label=_("Topic"), required=False, queryset=Topic.objects.filter(is_active=True), empty_label=_("All")
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Active"))] + Status.choices)
    language = forms.ChoiceField(label=_("Language"), required=False, choices=[("", _("All"))] + settings.LANGUAGES)
    office = forms.ModelChoiceField(
        label=_("Office"), required=False, queryset=Office.objects.filter(is_active=True), empty_label=_("All")
    )
    created_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    created_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def to_filters(self) -> TicketFilters:
        if not self.is_valid():
            return TicketFilters()
        data = self.cleaned_data
        return TicketFilters(
            channel=data["channel"],
            topic_id=data["topic"].pk if data["topic"] else None,
            status=data["status"],
            language=data["language"],
            office_id=data["office"].pk if data["office"] else None,
            created_from=data["created_from"],
            created_to=data["created_to"],
            query=data["q"].strip(),
        )


def posted_version(request) -> int | None:
    """The ticket version the operator's page showed; services refuse the action if it changed since."""
    try:
        return int(request.POST["version"])
    except (KeyError, ValueError):
        return None


class ResolveForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Ticket.Outcome.choices)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea)


class PaperMailForm(DeskForm):
    channel = forms.ChoiceField(
        label=_("Arrived by"), choices=[(Channel.FAX, Channel.FAX.label), (Channel.PAPER, Channel.PAPER.label)]
    )
    subject = forms.CharField(label=_("Subject"), max_length=255)
    text = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    first_name = forms.CharField(label=_("First name"), required=False, max_length=150)
    last_name = forms.CharField(label=_("Last name"), required=False, max_length=150)
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES, initial=settings.LANGUAGE_CODE)
    scan = forms.FileField(label=_("Scan (PDF, TIFF, PNG or JPEG)"))

    def clean_scan(self):
        """The one upload policy (tickets.uploads), narrowed to what a scan can be."""
        scan = self.cleaned_data["scan"]
        try:
            checked = validate_upload(scan.name, scan.read(), allowed=SCAN_TYPES)
        except UploadTooLarge as err:
            raise forms.ValidationError(err.message) from err
        except UploadRejected as err:
            raise forms.ValidationError([err.message, _("The scan must be a PDF, TIFF, PNG or JPEG file.")]) from err
        finally:
            scan.seek(0)
        scan.name = checked.filename
        scan.detected_type = checked.content_type
        return scan
