"""Realistic demo content in four languages: names, nationalities and what citizens write."""

FIRST_NAMES = {
    "IT": ["Giulia", "Marco", "Francesca", "Luca", "Chiara", "Alessandro", "Sara", "Matteo", "Elena", "Davide"],
    "MA": ["Youssef", "Fatima", "Mohamed", "Khadija", "Hamza", "Salma"],
    "AL": ["Arben", "Elira", "Besnik", "Jonida"],
    "RO": ["Andrei", "Ioana", "Mihai", "Elena"],
    "CN": ["Wei", "Li Na", "Jun", "Mei"],
    "UA": ["Olena", "Andriy", "Iryna", "Taras"],
    "IN": ["Arjun", "Priya", "Rahul", "Ananya"],
    "PH": ["Maria", "Jose", "Angelica", "Mark"],
    "BD": ["Rahim", "Nusrat", "Karim", "Farzana"],
    "EG": ["Ahmed", "Mona", "Omar", "Nour"],
    "PE": ["Luis", "Rosa", "Carlos", "Milagros"],
    "SN": ["Mamadou", "Aminata", "Ibrahima", "Fatou"],
    "NG": ["Chinedu", "Ngozi", "Emeka", "Adaeze"],
    "BR": ["João", "Ana", "Pedro", "Juliana"],
    "US": ["Emily", "Michael", "Jessica", "David"],
    "FR": ["Camille", "Louis", "Chloé", "Hugo"],
    "ES": ["Lucía", "Javier", "Carmen", "Pablo"],
    "TN": ["Amine", "Sonia", "Karim", "Ines"],
    "CH": ["Luca", "Anna", "Noah", "Lea"],
    "AR": ["Martín", "Sofía", "Diego", "Valentina"],
}
LAST_NAMES = {
    "IT": ["Rossi", "Bianchi", "Esposito", "Romano", "Colombo", "Ricci", "Marino", "Greco", "Bruno", "Gallo"],
    "MA": ["El Amrani", "Benali", "Haddad", "Tazi"],
    "AL": ["Hoxha", "Shehu", "Kola", "Dervishi"],
    "RO": ["Popescu", "Ionescu", "Stan", "Dumitru"],
    "CN": ["Wang", "Zhang", "Chen", "Liu"],
    "UA": ["Shevchenko", "Kovalenko", "Bondarenko", "Tkachenko"],
    "IN": ["Sharma", "Patel", "Singh", "Kumar"],
    "PH": ["Santos", "Reyes", "Cruz", "Bautista"],
    "BD": ["Rahman", "Hossain", "Islam", "Ahmed"],
    "EG": ["Hassan", "Mahmoud", "Ibrahim", "Saad"],
    "PE": ["Quispe", "Flores", "Huamán", "Rojas"],
    "SN": ["Diop", "Ndiaye", "Fall", "Sarr"],
    "NG": ["Okafor", "Adeyemi", "Eze", "Okonkwo"],
    "BR": ["Silva", "Souza", "Oliveira", "Costa"],
    "US": ["Smith", "Johnson", "Brown", "Miller"],
    "FR": ["Martin", "Bernard", "Dubois", "Moreau"],
    "ES": ["García", "Fernández", "López", "Martínez"],
    "TN": ["Ben Salah", "Trabelsi", "Gharbi", "Jlassi"],
    "CH": ["Bernasconi", "Rossi", "Keller", "Pedrazzini"],
    "AR": ["González", "Rodríguez", "Pérez", "Fernández"],
}
# Language a national of each country most likely writes in, among ours.
LANGUAGE_BY_COUNTRY = {
    "IT": "it",
    "CH": "it",
    "MA": "fr",
    "SN": "fr",
    "TN": "fr",
    "FR": "fr",
    "PE": "es",
    "ES": "es",
    "AR": "es",
    "AL": "it",
    "RO": "it",
    "CN": "en",
    "UA": "en",
    "IN": "en",
    "PH": "en",
    "BD": "en",
    "EG": "en",
    "NG": "en",
    "BR": "es",
    "US": "en",
}
# Weighted to look like the published statistics of an immigration office.
NATIONALITY_WEIGHTS = {
    "IT": 18,
    "MA": 9,
    "AL": 9,
    "RO": 8,
    "CN": 6,
    "UA": 7,
    "IN": 6,
    "PH": 5,
    "BD": 5,
    "EG": 4,
    "PE": 4,
    "SN": 3,
    "NG": 3,
    "BR": 3,
    "US": 2,
    "FR": 2,
    "ES": 2,
    "TN": 3,
    "CH": 2,
    "AR": 2,
}
TOPIC_WEIGHTS = {
    "permessi-di-soggiorno": 48,
    "studio-e-lavoro": 25,
    "cittadinanza": 16,
    "ricongiungimento-familiare": 8.6,
    "matrimonio": 1.3,
    "altro": 1.1,
}
CHANNEL_WEIGHTS = {"phone": 40, "email": 22, "whatsapp": 18, "voicemail": 8, "web": 9, "fax": 1, "paper": 2}

REQUESTS = {
    "permessi-di-soggiorno": {
        "it": (
            "Rinnovo permesso di soggiorno",
            "Buongiorno, il mio permesso di soggiorno per lavoro subordinato scade il mese prossimo. Quali documenti devo portare per il rinnovo? Grazie.",
        ),
        "en": (
            "Residence permit renewal",
            "Hello, my residence permit for employment expires next month. Which documents do I need to bring for the renewal? Thank you.",
        ),
        "fr": (
            "Renouvellement du titre de séjour",
            "Bonjour, mon titre de séjour pour travail salarié expire le mois prochain. Quels documents dois-je apporter pour le renouvellement ? Merci.",
        ),
        "es": (
            "Renovación del permiso de residencia",
            "Buenos días, mi permiso de residencia por trabajo vence el mes que viene. ¿Qué documentos tengo que llevar para renovarlo? Gracias.",
        ),
    },
    "cittadinanza": {
        "it": (
            "Domanda di cittadinanza",
            "Salve, ho presentato domanda di cittadinanza per residenza due anni fa. Come posso sapere a che punto è la mia pratica?",
        ),
        "en": (
            "Citizenship application",
            "Hi, I applied for citizenship by residence two years ago. How can I find out the status of my application?",
        ),
        "fr": (
            "Demande de citoyenneté",
            "Bonjour, j'ai déposé une demande de citoyenneté par résidence il y a deux ans. Comment savoir où en est mon dossier ?",
        ),
        "es": (
            "Solicitud de ciudadanía",
            "Hola, presenté la solicitud de ciudadanía por residencia hace dos años. ¿Cómo puedo saber en qué estado está mi expediente?",
        ),
    },
    "ricongiungimento-familiare": {
        "it": (
            "Ricongiungimento familiare",
            "Vorrei far venire in Italia mia moglie e i miei due figli. Quali requisiti di reddito e di alloggio servono?",
        ),
        "en": (
            "Family reunification",
            "I would like to bring my wife and my two children to Italy. What income and housing requirements apply?",
        ),
        "fr": (
            "Regroupement familial",
            "Je voudrais faire venir en Italie ma femme et mes deux enfants. Quelles conditions de revenus et de logement faut-il remplir ?",
        ),
        "es": (
            "Reagrupación familiar",
            "Quisiera traer a Italia a mi esposa y a mis dos hijos. ¿Qué requisitos de ingresos y de vivienda hacen falta?",
        ),
    },
    "matrimonio": {
        "it": (
            "Matrimonio con cittadino italiano",
            "Devo sposarmi con una cittadina italiana: quale nulla osta devo chiedere al mio consolato?",
        ),
        "en": (
            "Marriage to an Italian citizen",
            "I am going to marry an Italian citizen: which certificate of no impediment do I need from my consulate?",
        ),
        "fr": (
            "Mariage avec un citoyen italien",
            "Je vais me marier avec une citoyenne italienne : quel certificat de capacité matrimoniale dois-je demander à mon consulat ?",
        ),
        "es": (
            "Matrimonio con ciudadano italiano",
            "Me voy a casar con una ciudadana italiana: ¿qué certificado de capacidad matrimonial debo pedir a mi consulado?",
        ),
    },
    "studio-e-lavoro": {
        "it": (
            "Conversione permesso da studio a lavoro",
            "Ho finito il master all'università e ho un'offerta di lavoro. Posso convertire il permesso per studio in permesso per lavoro?",
        ),
        "en": (
            "Converting a study permit to work",
            "I have finished my master's degree and I have a job offer. Can I convert my study permit into a work permit?",
        ),
        "fr": (
            "Conversion du permis d'études en travail",
            "J'ai terminé mon master et j'ai une offre d'emploi. Puis-je convertir mon permis d'études en permis de travail ?",
        ),
        "es": (
            "Conversión del permiso de estudio a trabajo",
            "Terminé el máster y tengo una oferta de trabajo. ¿Puedo convertir el permiso de estudio en permiso de trabajo?",
        ),
    },
    "altro": {
        "it": ("Informazioni orari", "Buongiorno, a che ora apre lo sportello il sabato?"),
        "en": ("Opening hours", "Good morning, what time does the office open on Saturdays?"),
        "fr": ("Horaires d'ouverture", "Bonjour, à quelle heure ouvre le guichet le samedi ?"),
        "es": ("Horario de apertura", "Buenos días, ¿a qué hora abre la oficina los sábados?"),
    },
}
REPLIES = {
    "it": "Gentile utente, la ringraziamo per la richiesta. Le abbiamo inviato l'elenco dei documenti necessari.",
    "en": "Dear user, thank you for your request. We have sent you the list of documents you need.",
    "fr": "Madame, Monsieur, merci pour votre demande. Nous vous avons envoyé la liste des documents nécessaires.",
    "es": "Estimado usuario, gracias por su solicitud. Le hemos enviado la lista de los documentos necesarios.",
}
