"""A few canned replies in the four languages, so a new desk has something to insert (editable in the admin)."""

from django.db import migrations

REPLIES = [
    (
        {"it": "Presa in carico", "en": "Request taken in charge", "fr": "Demande prise en charge", "es": "Solicitud en trámite"},
        {
            "it": "Gentile {citizen_name},\nla sua istanza {reference} è stata presa in carico da {operator_name}. "
            "Le risponderemo al più presto.\n\n{office_name}",
            "en": "Dear {citizen_name},\nyour request {reference} has been taken in charge by {operator_name}. "
            "We will answer you as soon as possible.\n\n{office_name}",
            "fr": "Madame, Monsieur {citizen_name},\nvotre demande {reference} a été prise en charge par "
            "{operator_name}. Nous vous répondrons dans les meilleurs délais.\n\n{office_name}",
            "es": "Estimado/a {citizen_name}:\nsu solicitud {reference} está siendo tramitada por {operator_name}. "
            "Le responderemos lo antes posible.\n\n{office_name}",
        },
    ),
    (
        {"it": "Documenti mancanti", "en": "Missing documents", "fr": "Documents manquants", "es": "Documentos que faltan"},
        {
            "it": "Gentile {citizen_name},\nper proseguire con l'istanza {reference} ci servono i documenti "
            "indicati qui sotto. Può inviarli rispondendo a questo messaggio.\n\n",
            "en": "Dear {citizen_name},\nto go on with request {reference} we need the documents listed below. "
            "You can send them by replying to this message.\n\n",
            "fr": "Madame, Monsieur {citizen_name},\npour poursuivre la demande {reference}, nous avons besoin "
            "des documents ci-dessous. Vous pouvez les envoyer en répondant à ce message.\n\n",
            "es": "Estimado/a {citizen_name}:\npara continuar con la solicitud {reference} necesitamos los "
            "documentos indicados abajo. Puede enviarlos respondiendo a este mensaje.\n\n",
        },
    ),
    (
        {"it": "Chiusura", "en": "Closing", "fr": "Clôture", "es": "Cierre"},
        {
            "it": "Le confermiamo che l'istanza {reference} è stata risolta. Se ha altre domande può scriverci "
            "di nuovo citando il riferimento.\n\nCordiali saluti,\n{operator_name} — {office_name}",
            "en": "We confirm that request {reference} has been resolved. If you have further questions, write "
            "to us again quoting the reference.\n\nKind regards,\n{operator_name} — {office_name}",
            "fr": "Nous vous confirmons que la demande {reference} a été résolue. Pour toute autre question, "
            "écrivez-nous en citant la référence.\n\nCordialement,\n{operator_name} — {office_name}",
            "es": "Le confirmamos que la solicitud {reference} ha sido resuelta. Si tiene más preguntas, "
            "escríbanos citando la referencia.\n\nAtentamente,\n{operator_name} — {office_name}",
        },
    ),
]


def create(apps, schema_editor):
    CannedReply = apps.get_model("operators", "CannedReply")
    if CannedReply.objects.exists():
        return
    for position, (titles, texts) in enumerate(REPLIES):
        fields = {"position": position, "title": titles["it"], "text": texts["it"]}
        for code in ("it", "en", "fr", "es"):
            fields[f"title_{code}"] = titles[code]
            fields[f"text_{code}"] = texts[code]
        CannedReply.objects.create(**fields)


class Migration(migrations.Migration):
    dependencies = [("operators", "0004_desk_search_indexes")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
