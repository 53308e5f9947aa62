import factory

from faq.models import FaqEntry, FaqTopic, Procedure


class FaqTopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FaqTopic
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"tema-{n}")
    name_it = factory.Sequence(lambda n: f"Tema {n}")
    name_en = factory.Sequence(lambda n: f"Topic {n}")
    translation_en = "ready"


class FaqEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FaqEntry

    topic = factory.SubFactory(FaqTopicFactory)
    slug = factory.Sequence(lambda n: f"domanda-{n}")
    question_it = "Come si rinnova il permesso di soggiorno?"
    answer_it = "<p>Il permesso di soggiorno si rinnova presso l'ufficio postale con il kit.</p>"
    status = "published"


class ProcedureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Procedure

    slug = factory.Sequence(lambda n: f"procedura-{n}")
    title_it = "Rinnovo del permesso di soggiorno per lavoro subordinato"
    short_title_it = "Rinnovo lavoro"
    documents_it = "Passaporto valido\nQuattro fototessere\nContratto di lavoro"
    fees_it = "Marca da bollo da 16 euro\nContributo 70,46 euro"
    where_to_go_it = "Ufficio postale con sportello amico, poi la Questura per le impronte."
    is_published = True
