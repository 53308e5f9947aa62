from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    FRONT_OFFICE = "front_office", _("Front-office operator")
    BACK_OFFICE = "back_office", _("Back-office expert")
    SUPERVISOR = "supervisor", _("Supervisor")
    ADMINISTRATOR = "administrator", _("Administrator")


# Django groups with these names carry the permissions of each role (created by a migration).
ROLE_GROUPS = {role.value: role.label for role in Role}


class Operator(models.Model):
    class Presence(models.TextChoices):
        AVAILABLE = "available", _("Available")
        BUSY = "busy", _("Busy")
        AWAY = "away", _("Away")

    Role = Role

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="operator", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.FRONT_OFFICE)
    office = models.ForeignKey(
        "tickets.Office",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="operators",
        verbose_name=_("office"),
    )
    queues = models.ManyToManyField("tickets.Queue", blank=True, related_name="operators", verbose_name=_("queues"))
    topics = models.ManyToManyField(
        "tickets.Topic", blank=True, related_name="experts", verbose_name=_("topics of expertise")
    )
    languages = models.JSONField(_("languages spoken"), default=list, blank=True)
    presence = models.CharField(_("presence"), max_length=10, choices=Presence.choices, default=Presence.AWAY)
    presence_changed_at = models.DateTimeField(_("presence changed"), null=True, blank=True)
    extension = models.CharField(
        _("PBX extension or CTI user name"), max_length=100, blank=True, help_text=_("Matches the PBX's user[] field")
    )
    ui_language = models.CharField(
        _("desk language"), max_length=5, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )

    class Meta:
        verbose_name = _("operator")
        verbose_name_plural = _("operators")
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="operator_role_valid"),
            models.CheckConstraint(
                condition=Q(presence__in=["available", "busy", "away"]), name="operator_presence_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.user.get_full_name() or self.user.get_username()

    @property
    def is_supervisor(self) -> bool:
        return self.role in (Role.SUPERVISOR, Role.ADMINISTRATOR)

    @property
    def is_back_office(self) -> bool:
        return self.role == Role.BACK_OFFICE


class CannedReply(models.Model):
    """A ready answer an operator inserts into a reply, in the citizen's language (modeltranslation).

    Placeholders in the text: {citizen_name}, {reference}, {operator_name}, {office_name}.
    """

    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    topic = models.ForeignKey(
        "tickets.Topic",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="canned_replies",
        verbose_name=_("topic"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")
        ordering = ["position", "title"]

    def __str__(self) -> str:
        return self.title
