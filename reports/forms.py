from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from tickets.models import Channel, Office

from .aggregates import local_today
from .models import PartnerBody
from .selectors import ReportFilter

MAX_RANGE_DAYS = 3 * 366


class StyledForm(forms.Form):
    """Bootstrap Italia classes on every widget (forms render through {{ form.as_div }})."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple):
                continue
            css = "form-select form-select-sm" if isinstance(widget, forms.Select) else "form-control form-control-sm"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class ReportFilterForm(StyledForm):
    date_from = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    office = forms.ModelChoiceField(
        label=_("Office"), queryset=Office.objects.order_by("name"), required=False, empty_label=_("All offices")
    )
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[("", _("All channels")), *Channel.choices], required=False
    )

    @classmethod
    def from_request(cls, data) -> ReportFilterForm:
        today = local_today()
        initial = {"date_from": today - timedelta(days=89), "date_to": today}
        merged = {**{k: v.isoformat() for k, v in initial.items()}, **{k: v for k, v in data.items() if v}}
        return cls(merged)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end:
            if start > end:
                raise forms.ValidationError(_("The start date must come before the end date."))
            if (end - start).days > MAX_RANGE_DAYS:
                raise forms.ValidationError(_("Choose a period of at most three years."))
        return cleaned

    def to_filter(self) -> ReportFilter:
        office = self.cleaned_data.get("office")
        return ReportFilter(
            date_from=self.cleaned_data["date_from"],
            date_to=self.cleaned_data["date_to"],
            office_id=office.pk if office else None,
            channel=self.cleaned_data.get("channel") or "",
        )


class ProblemForm(StyledForm):
    # Its fields' names and ids on the desk's ticket view (one ticket per page, so one prefix).
    PREFIX = "new-problem"

    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    partner_name = forms.CharField(label=_("Partner body responsible"), max_length=200)
    partner_kind = forms.ChoiceField(label=_("Kind of body"), choices=PartnerBody.Kind.choices)


class CampaignForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    starts_on = forms.DateField(label=_("Starts on"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("Ends on"), widget=forms.DateInput(attrs={"type": "date"}))
    opens = forms.TimeField(label=_("Opens at"), widget=forms.TimeInput(attrs={"type": "time"}))
    closes = forms.TimeField(label=_("Closes at"), widget=forms.TimeInput(attrs={"type": "time"}))
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Open on"),
        coerce=int,
        choices=[
            (0, _("Monday")),
            (1, _("Tuesday")),
            (2, _("Wednesday")),
            (3, _("Thursday")),
            (4, _("Friday")),
            (5, _("Saturday")),
            (6, _("Sunday")),
        ],
        widget=forms.CheckboxSelectMultiple,
        initial=[0, 1, 2, 3, 4],
    )
    topics = forms.CharField(label=_("Topics (one per line)"), widget=forms.Textarea(attrs={"rows": 3}))
    toll_free_number = forms.CharField(label=_("Toll-free number"), required=False)
    phone_number = forms.CharField(label=_("National number"), required=False)
    whatsapp_number = forms.CharField(label=_("WhatsApp number"), required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    alarm_minutes = forms.IntegerField(label=_("Alarm after (minutes waiting)"), min_value=1, initial=15)
    faq_file = forms.FileField(label=_("FAQ in four languages (CSV or XLSX)"), required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("starts_on") and cleaned.get("ends_on") and cleaned["starts_on"] > cleaned["ends_on"]:
            self.add_error(None, _("The campaign must start before it ends."))
        if cleaned.get("opens") and cleaned.get("closes") and cleaned["opens"] >= cleaned["closes"]:
            self.add_error(None, _("Opening time must come before closing time."))
        from phonenumber_field.phonenumber import to_python

        for name in ("toll_free_number", "phone_number", "whatsapp_number"):
            value = cleaned.get(name)
            if value:
                number = to_python(value)
                if not number or not number.is_valid():
                    self.add_error(name, _("Enter a valid phone number."))
                else:
                    cleaned[name] = number.as_e164
        return cleaned


class FaqImportForm(StyledForm):
    faq_file = forms.FileField(label=_("FAQ in four languages (CSV or XLSX)"))
