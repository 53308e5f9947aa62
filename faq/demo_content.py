"""Demo content of the portal: FAQ topics, entries and procedures in it/en/fr/es.

Written for the demo and the tests; figures (fees, deadlines) are those generally published
by Italian offices at the time of writing and must be checked by each office before use.
"""

# slug: (position, {language: (name, description)})
TOPICS = {
    "permessi-di-soggiorno": (
        1,
        {
            "it": ("Permessi di soggiorno", "Rilascio, rinnovo, ricevuta e conversione del permesso di soggiorno."),
            "en": ("Residence permits", "Issue, renewal, receipt and conversion of the residence permit."),
            "fr": ("Titres de séjour", "Délivrance, renouvellement, récépissé et conversion du titre de séjour."),
            "es": (
                "Permisos de residencia",
                "Expedición, renovación, resguardo y conversión del permiso de residencia.",
            ),
        },
    ),
    "cittadinanza": (
        2,
        {
            "it": ("Cittadinanza", "Cittadinanza italiana per residenza, per matrimonio e per discendenza."),
            "en": ("Citizenship", "Italian citizenship by residence, by marriage and by descent."),
            "fr": ("Citoyenneté", "Citoyenneté italienne par résidence, par mariage et par filiation."),
            "es": ("Ciudadanía", "Ciudadanía italiana por residencia, por matrimonio y por descendencia."),
        },
    ),
    "ricongiungimento-familiare": (
        3,
        {
            "it": (
                "Ricongiungimento familiare",
                "Chi può venire in Italia, il nulla osta, i requisiti di reddito e alloggio.",
            ),
            "en": (
                "Family reunification",
                "Who can join you in Italy, the clearance, income and housing requirements.",
            ),
            "fr": (
                "Regroupement familial",
                "Qui peut vous rejoindre, l'autorisation, les conditions de revenus et de logement.",
            ),
            "es": (
                "Reagrupación familiar",
                "Quién puede reunirse con usted, la autorización, los requisitos de ingresos y vivienda.",
            ),
        },
    ),
    "matrimonio": (
        4,
        {
            "it": ("Matrimonio", "Sposarsi in Italia con un cittadino straniero: documenti e passaggi."),
            "en": ("Marriage", "Getting married in Italy as or to a foreign national: documents and steps."),
            "fr": ("Mariage", "Se marier en Italie avec un ressortissant étranger : documents et étapes."),
            "es": ("Matrimonio", "Casarse en Italia con un ciudadano extranjero: documentos y pasos."),
        },
    ),
    "studio": (
        5,
        {
            "it": ("Studio", "Visto e permesso per studio, lavoro durante gli studi, dopo la laurea."),
            "en": ("Study", "Study visa and permit, working while studying, after graduation."),
            "fr": ("Études", "Visa et titre de séjour pour études, travailler pendant les études, après le diplôme."),
            "es": ("Estudios", "Visado y permiso por estudios, trabajar mientras estudia, después del título."),
        },
    ),
    "lavoro": (
        6,
        {
            "it": ("Lavoro", "Permesso per lavoro subordinato e autonomo, perdita del lavoro, conversioni."),
            "en": ("Work", "Permits for employment and self-employment, losing your job, conversions."),
            "fr": ("Travail", "Titres pour travail salarié et indépendant, perte d'emploi, conversions."),
            "es": ("Trabajo", "Permisos por trabajo por cuenta ajena y propia, pérdida del empleo, conversiones."),
        },
    ),
}

# (topic, slug, {language: (question, answer paragraphs)}); related entries by slug below.
ENTRIES = [
    # ------------------------------------------------------------------ permessi di soggiorno
    (
        "permessi-di-soggiorno",
        "quando-rinnovare-permesso",
        {
            "it": (
                "Quando devo chiedere il rinnovo del permesso di soggiorno?",
                "Il rinnovo del permesso di soggiorno va chiesto prima della scadenza, di solito almeno 60 giorni prima. "
                "Si può chiedere anche entro 60 giorni dopo la scadenza, ma un ritardo maggiore può portare al rifiuto.",
            ),
            "en": (
                "When should I apply to renew my residence permit?",
                "Apply to renew your residence permit before it expires, usually at least 60 days before. "
                "You may still apply within 60 days after the expiry date, but a longer delay can lead to a refusal.",
            ),
            "fr": (
                "Quand dois-je demander le renouvellement de mon titre de séjour ?",
                "Le renouvellement du titre de séjour se demande avant son expiration, en général au moins 60 jours avant. "
                "La demande reste possible dans les 60 jours qui suivent l'expiration, mais un retard plus long peut entraîner un refus.",
            ),
            "es": (
                "¿Cuándo tengo que pedir la renovación del permiso de residencia?",
                "La renovación del permiso de residencia se pide antes de que caduque, normalmente al menos 60 días antes. "
                "También se puede pedir dentro de los 60 días siguientes a la caducidad, pero un retraso mayor puede llevar a la denegación.",
            ),
        },
    ),
    (
        "permessi-di-soggiorno",
        "kit-postale-permesso",
        {
            "it": (
                "Dove trovo il kit per la domanda di permesso di soggiorno?",
                "Il kit si ritira gratuitamente negli uffici postali abilitati (Sportello Amico). Contiene i moduli e le istruzioni: "
                "compila i moduli, non chiudere la busta e consegnala allo sportello postale con i documenti e i pagamenti.",
            ),
            "en": (
                "Where do I get the application kit for a residence permit?",
                "The kit is free at the post offices with a Sportello Amico desk. It contains the forms and the instructions: "
                "fill in the forms, do not seal the envelope and hand it in at the post office with your documents and payments.",
            ),
            "fr": (
                "Où trouver le dossier de demande de titre de séjour ?",
                "Le dossier (kit) est gratuit dans les bureaux de poste équipés d'un guichet Sportello Amico. Il contient les formulaires et les instructions : "
                "remplissez les formulaires, ne fermez pas l'enveloppe et remettez-la au guichet avec vos documents et paiements.",
            ),
            "es": (
                "¿Dónde consigo el kit para pedir el permiso de residencia?",
                "El kit es gratuito en las oficinas de correos con ventanilla Sportello Amico. Contiene los formularios y las instrucciones: "
                "rellene los formularios, no cierre el sobre y entréguelo en la ventanilla con sus documentos y pagos.",
            ),
        },
    ),
    (
        "permessi-di-soggiorno",
        "costi-permesso-soggiorno",
        {
            "it": (
                "Quanto costa il permesso di soggiorno?",
                "Si pagano una marca da bollo da 16 euro, 30,46 euro per il permesso elettronico, 30 euro alla posta per la spedizione "
                "e un contributo di 40, 50 o 100 euro secondo la durata del permesso. I minori e alcune categorie sono esenti dal contributo.",
            ),
            "en": (
                "How much does a residence permit cost?",
                "You pay a 16-euro revenue stamp, 30.46 euros for the electronic permit, 30 euros at the post office for the mailing "
                "and a contribution of 40, 50 or 100 euros depending on how long the permit lasts. Minors and some categories do not pay the contribution.",
            ),
            "fr": (
                "Combien coûte un titre de séjour ?",
                "Il faut un timbre fiscal de 16 euros, 30,46 euros pour le titre électronique, 30 euros à la poste pour l'envoi "
                "et une contribution de 40, 50 ou 100 euros selon la durée du titre. Les mineurs et certaines catégories en sont exemptés.",
            ),
            "es": (
                "¿Cuánto cuesta el permiso de residencia?",
                "Se pagan un timbre fiscal de 16 euros, 30,46 euros por el permiso electrónico, 30 euros en correos por el envío "
                "y una contribución de 40, 50 o 100 euros según la duración del permiso. Los menores y algunas categorías están exentos.",
            ),
        },
    ),
    (
        "permessi-di-soggiorno",
        "ricevuta-postale-valore",
        {
            "it": (
                "Con la ricevuta postale posso lavorare e viaggiare?",
                "Sì: la ricevuta della domanda di rinnovo, insieme al permesso scaduto, ti permette di continuare a lavorare e di accedere ai servizi. "
                "Puoi viaggiare verso il tuo Paese d'origine con volo diretto, ma non attraversare altri Paesi Schengen.",
            ),
            "en": (
                "Can I work and travel with the post office receipt?",
                "Yes: the receipt of your renewal application, together with the expired permit, lets you keep working and use public services. "
                "You may travel to your country of origin on a direct flight, but not through other Schengen countries.",
            ),
            "fr": (
                "Puis-je travailler et voyager avec le récépissé de la poste ?",
                "Oui : le récépissé de la demande de renouvellement, avec le titre expiré, vous permet de continuer à travailler et d'accéder aux services. "
                "Vous pouvez rentrer dans votre pays d'origine par un vol direct, mais pas traverser d'autres pays Schengen.",
            ),
            "es": (
                "¿Con el resguardo de correos puedo trabajar y viajar?",
                "Sí: el resguardo de la solicitud de renovación, junto con el permiso caducado, le permite seguir trabajando y acceder a los servicios. "
                "Puede viajar a su país de origen en vuelo directo, pero no atravesar otros países Schengen.",
            ),
        },
    ),
    (
        "permessi-di-soggiorno",
        "stato-pratica-permesso",
        {
            "it": (
                "Come controllo se il mio permesso di soggiorno è pronto?",
                "Con il numero di pratica della ricevuta postale puoi controllare lo stato sul sito della Polizia di Stato. "
                "Quando il permesso è pronto ricevi anche un SMS con il giorno in cui ritirarlo in Questura.",
            ),
            "en": (
                "How do I check whether my residence permit is ready?",
                "With the file number printed on the post office receipt you can check the status on the State Police website. "
                "When the permit is ready you also receive a text message with the day to collect it at the Questura.",
            ),
            "fr": (
                "Comment savoir si mon titre de séjour est prêt ?",
                "Avec le numéro de dossier du récépissé de la poste, vous pouvez suivre l'état sur le site de la Police d'État. "
                "Quand le titre est prêt, vous recevez aussi un SMS avec le jour du retrait à la Questura.",
            ),
            "es": (
                "¿Cómo compruebo si mi permiso de residencia está listo?",
                "Con el número de expediente del resguardo de correos puede consultar el estado en la web de la Policía del Estado. "
                "Cuando el permiso está listo también recibe un SMS con el día para recogerlo en la Questura.",
            ),
        },
    ),
    (
        "permessi-di-soggiorno",
        "permesso-smarrito",
        {
            "it": (
                "Ho perso il permesso di soggiorno: cosa faccio?",
                "Denuncia subito lo smarrimento o il furto alla Polizia o ai Carabinieri. Poi chiedi il duplicato con il kit postale, "
                "allegando la copia della denuncia, il passaporto e le fototessere.",
            ),
            "en": (
                "I lost my residence permit: what should I do?",
                "Report the loss or theft at once to the Police or the Carabinieri. Then apply for a duplicate with the post office kit, "
                "enclosing a copy of the report, your passport and passport photos.",
            ),
            "fr": (
                "J'ai perdu mon titre de séjour : que faire ?",
                "Déclarez immédiatement la perte ou le vol à la Police ou aux Carabinieri. Demandez ensuite un duplicata avec le dossier de la poste, "
                "en joignant la copie de la déclaration, le passeport et des photos d'identité.",
            ),
            "es": (
                "He perdido el permiso de residencia: ¿qué hago?",
                "Denuncie enseguida la pérdida o el robo a la Policía o a los Carabinieri. Después pida el duplicado con el kit de correos, "
                "adjuntando copia de la denuncia, el pasaporte y fotos de carné.",
            ),
        },
    ),
    (
        "permessi-di-soggiorno",
        "permesso-lungo-periodo-requisiti",
        {
            "it": (
                "Chi può avere il permesso UE per soggiornanti di lungo periodo?",
                "Chi è regolarmente in Italia da almeno 5 anni, ha un reddito non inferiore all'assegno sociale, un alloggio idoneo "
                "e ha superato il test di lingua italiana di livello A2. Il permesso è a tempo indeterminato.",
            ),
            "en": (
                "Who can get the EU long-term residence permit?",
                "Anyone legally resident in Italy for at least 5 years, with an income not lower than the social allowance, suitable housing "
                "and a pass in the A2-level Italian language test. The permit has no expiry date.",
            ),
            "fr": (
                "Qui peut obtenir le titre de séjour UE de résident de longue durée ?",
                "Toute personne en séjour régulier en Italie depuis au moins 5 ans, avec un revenu au moins égal à l'allocation sociale, un logement adapté "
                "et la réussite au test d'italien de niveau A2. Ce titre est à durée indéterminée.",
            ),
            "es": (
                "¿Quién puede obtener el permiso UE de residente de larga duración?",
                "Quien reside legalmente en Italia desde hace al menos 5 años, con ingresos no inferiores a la asignación social, una vivienda adecuada "
                "y el examen de italiano de nivel A2 aprobado. El permiso es indefinido.",
            ),
        },
    ),
    (
        "permessi-di-soggiorno",
        "test-italiano-a2",
        {
            "it": (
                "Come mi iscrivo al test di lingua italiana A2?",
                "La domanda si presenta online sul portale del Ministero dell'Interno. La Prefettura ti convoca con data e luogo del test. "
                "Sono esonerati, tra gli altri, chi ha un titolo di studio italiano o un certificato di livello A2 o superiore.",
            ),
            "en": (
                "How do I sign up for the A2 Italian language test?",
                "Apply online on the Ministry of the Interior portal. The Prefettura then calls you with the date and place of the test. "
                "Among others, people with an Italian school qualification or an A2 or higher certificate do not need to take it.",
            ),
            "fr": (
                "Comment m'inscrire au test d'italien A2 ?",
                "La demande se fait en ligne sur le portail du ministère de l'Intérieur. La Prefettura vous convoque ensuite avec la date et le lieu du test. "
                "En sont dispensés notamment les titulaires d'un diplôme italien ou d'un certificat de niveau A2 ou supérieur.",
            ),
            "es": (
                "¿Cómo me inscribo en el examen de italiano A2?",
                "La solicitud se presenta en línea en el portal del Ministerio del Interior. La Prefettura le convoca con la fecha y el lugar del examen. "
                "Están exentos, entre otros, quienes tienen un título escolar italiano o un certificado de nivel A2 o superior.",
            ),
        },
    ),
    (
        "permessi-di-soggiorno",
        "impronte-questura",
        {
            "it": (
                "Perché devo andare in Questura dopo la posta?",
                "In Questura si rilevano le impronte digitali e si verificano i documenti originali. La data dell'appuntamento è scritta "
                "sulla ricevuta postale: porta il passaporto, la ricevuta e quattro fototessere.",
            ),
            "en": (
                "Why do I have to go to the Questura after the post office?",
                "At the Questura your fingerprints are taken and the original documents are checked. The appointment date is printed "
                "on the post office receipt: bring your passport, the receipt and four passport photos.",
            ),
            "fr": (
                "Pourquoi dois-je aller à la Questura après la poste ?",
                "À la Questura, on relève vos empreintes digitales et on vérifie les documents originaux. La date du rendez-vous figure "
                "sur le récépissé de la poste : apportez le passeport, le récépissé et quatre photos d'identité.",
            ),
            "es": (
                "¿Por qué tengo que ir a la Questura después de correos?",
                "En la Questura se toman las huellas dactilares y se comprueban los documentos originales. La fecha de la cita figura "
                "en el resguardo de correos: lleve el pasaporte, el resguardo y cuatro fotos de carné.",
            ),
        },
    ),
    (
        "permessi-di-soggiorno",
        "cambio-indirizzo-permesso",
        {
            "it": (
                "Ho cambiato casa: devo aggiornare il permesso di soggiorno?",
                "Sì, il cambio di domicilio va comunicato entro 15 giorni alla Questura, e la nuova residenza va chiesta al Comune. "
                "Il permesso non va rifatto: l'indirizzo viene aggiornato nei sistemi.",
            ),
            "en": (
                "I moved house: do I need to update my residence permit?",
                "Yes, tell the Questura about the change of address within 15 days, and register the new residence at the town hall. "
                "The permit itself is not reissued: the address is updated in the records.",
            ),
            "fr": (
                "J'ai déménagé : dois-je mettre à jour mon titre de séjour ?",
                "Oui, le changement d'adresse doit être signalé à la Questura dans les 15 jours, et la nouvelle résidence déclarée à la mairie. "
                "Le titre n'est pas refait : l'adresse est mise à jour dans les fichiers.",
            ),
            "es": (
                "Me he mudado: ¿tengo que actualizar el permiso de residencia?",
                "Sí, el cambio de domicilio se comunica a la Questura en 15 días, y la nueva residencia se pide en el Ayuntamiento. "
                "El permiso no se vuelve a hacer: la dirección se actualiza en los registros.",
            ),
        },
    ),
    # ------------------------------------------------------------------ cittadinanza
    (
        "cittadinanza",
        "cittadinanza-per-residenza-requisiti",
        {
            "it": (
                "Dopo quanti anni di residenza posso chiedere la cittadinanza italiana?",
                "I cittadini di Paesi extra UE possono chiederla dopo 10 anni di residenza legale in Italia, i cittadini UE dopo 4, "
                "i rifugiati e gli apolidi dopo 5. Servono anche un reddito adeguato negli ultimi anni e l'assenza di condanne penali.",
            ),
            "en": (
                "After how many years of residence can I apply for Italian citizenship?",
                "Citizens of non-EU countries can apply after 10 years of legal residence in Italy, EU citizens after 4, "
                "refugees and stateless people after 5. You also need an adequate income in recent years and no criminal convictions.",
            ),
            "fr": (
                "Après combien d'années de résidence puis-je demander la citoyenneté italienne ?",
                "Les ressortissants de pays hors UE peuvent la demander après 10 ans de résidence légale en Italie, les citoyens de l'UE après 4, "
                "les réfugiés et apatrides après 5. Il faut aussi des revenus suffisants ces dernières années et aucune condamnation pénale.",
            ),
            "es": (
                "¿Después de cuántos años de residencia puedo pedir la ciudadanía italiana?",
                "Los ciudadanos de países no comunitarios pueden pedirla tras 10 años de residencia legal en Italia, los ciudadanos de la UE tras 4, "
                "los refugiados y apátridas tras 5. También se necesitan ingresos suficientes en los últimos años y no tener condenas penales.",
            ),
        },
    ),
    (
        "cittadinanza",
        "cittadinanza-domanda-online",
        {
            "it": (
                "Come presento la domanda di cittadinanza?",
                "La domanda si presenta solo online sul portale del Ministero dell'Interno, con SPID. Si allegano atto di nascita e certificato "
                "penale del Paese d'origine, legalizzati e tradotti, il certificato di lingua B1 e la ricevuta del contributo di 250 euro.",
            ),
            "en": (
                "How do I submit the citizenship application?",
                "The application is submitted online only, on the Ministry of the Interior portal, with SPID. Attach your birth certificate and criminal "
                "record certificate from your country, legalised and translated, the B1 language certificate and the receipt of the 250-euro fee.",
            ),
            "fr": (
                "Comment déposer la demande de citoyenneté ?",
                "La demande se dépose uniquement en ligne sur le portail du ministère de l'Intérieur, avec SPID. Joignez l'acte de naissance et le casier "
                "judiciaire du pays d'origine, légalisés et traduits, le certificat de langue B1 et le reçu de la contribution de 250 euros.",
            ),
            "es": (
                "¿Cómo presento la solicitud de ciudadanía?",
                "La solicitud se presenta solo en línea en el portal del Ministerio del Interior, con SPID. Se adjuntan la partida de nacimiento y el certificado "
                "de antecedentes penales del país de origen, legalizados y traducidos, el certificado de idioma B1 y el recibo de la contribución de 250 euros.",
            ),
        },
    ),
    (
        "cittadinanza",
        "cittadinanza-tempi",
        {
            "it": (
                "Quanto tempo ci vuole per avere la cittadinanza?",
                "La legge prevede una risposta entro 24 mesi dalla domanda, prorogabili fino a 36. Puoi seguire lo stato della pratica "
                "sullo stesso portale dove l'hai presentata.",
            ),
            "en": (
                "How long does it take to get citizenship?",
                "By law the answer comes within 24 months of the application, which can be extended to 36. You can follow the status "
                "on the same portal where you applied.",
            ),
            "fr": (
                "Combien de temps faut-il pour obtenir la citoyenneté ?",
                "La loi prévoit une réponse dans les 24 mois suivant la demande, prolongeables jusqu'à 36. Vous pouvez suivre l'état du dossier "
                "sur le même portail que celui de la demande.",
            ),
            "es": (
                "¿Cuánto tiempo se tarda en obtener la ciudadanía?",
                "La ley prevé una respuesta en 24 meses desde la solicitud, prorrogables hasta 36. Puede seguir el estado del expediente "
                "en el mismo portal donde la presentó.",
            ),
        },
    ),
    (
        "cittadinanza",
        "cittadinanza-per-matrimonio",
        {
            "it": (
                "Posso diventare cittadino italiano sposando un italiano?",
                "Sì: dopo 2 anni di residenza legale in Italia dal matrimonio, o 3 anni se vivete all'estero. I termini si dimezzano "
                "se avete figli. Il matrimonio deve essere trascritto in Italia e durare fino alla decisione.",
            ),
            "en": (
                "Can I become an Italian citizen by marrying an Italian?",
                "Yes: after 2 years of legal residence in Italy from the marriage, or 3 years if you live abroad. The periods are halved "
                "if you have children. The marriage must be registered in Italy and last until the decision.",
            ),
            "fr": (
                "Puis-je devenir citoyen italien en épousant un Italien ?",
                "Oui : après 2 ans de résidence légale en Italie depuis le mariage, ou 3 ans si vous vivez à l'étranger. Les délais sont réduits de moitié "
                "si vous avez des enfants. Le mariage doit être transcrit en Italie et durer jusqu'à la décision.",
            ),
            "es": (
                "¿Puedo ser ciudadano italiano casándome con un italiano?",
                "Sí: tras 2 años de residencia legal en Italia desde el matrimonio, o 3 años si viven en el extranjero. Los plazos se reducen a la mitad "
                "si tienen hijos. El matrimonio debe estar inscrito en Italia y durar hasta la decisión.",
            ),
        },
    ),
    (
        "cittadinanza",
        "cittadinanza-giuramento",
        {
            "it": (
                "Cosa succede dopo il decreto di cittadinanza?",
                "Il Comune di residenza ti convoca per il giuramento, che va prestato entro 6 mesi dalla notifica del decreto. "
                "Dal giorno dopo il giuramento sei cittadino italiano e puoi chiedere carta d'identità e passaporto.",
            ),
            "en": (
                "What happens after the citizenship decree?",
                "Your town hall calls you to take the oath, which must be sworn within 6 months of being notified of the decree. "
                "From the day after the oath you are an Italian citizen and can apply for an identity card and a passport.",
            ),
            "fr": (
                "Que se passe-t-il après le décret de citoyenneté ?",
                "La mairie de résidence vous convoque pour le serment, à prêter dans les 6 mois suivant la notification du décret. "
                "Dès le lendemain du serment, vous êtes citoyen italien et pouvez demander carte d'identité et passeport.",
            ),
            "es": (
                "¿Qué pasa después del decreto de ciudadanía?",
                "El Ayuntamiento de residencia le convoca para el juramento, que debe prestarse en 6 meses desde la notificación del decreto. "
                "Desde el día siguiente al juramento es ciudadano italiano y puede pedir el documento de identidad y el pasaporte.",
            ),
        },
    ),
    (
        "cittadinanza",
        "cittadinanza-figli-minori",
        {
            "it": (
                "I miei figli diventano italiani con me?",
                "I figli minorenni che vivono stabilmente con il genitore diventano cittadini italiani insieme a lui. "
                "I figli maggiorenni devono presentare una domanda propria.",
            ),
            "en": (
                "Do my children become Italian with me?",
                "Children under 18 who live permanently with the parent become Italian citizens together with the parent. "
                "Children who are adults must apply on their own.",
            ),
            "fr": (
                "Mes enfants deviennent-ils italiens avec moi ?",
                "Les enfants mineurs qui vivent de façon stable avec le parent deviennent citoyens italiens en même temps que lui. "
                "Les enfants majeurs doivent présenter leur propre demande.",
            ),
            "es": (
                "¿Mis hijos se vuelven italianos conmigo?",
                "Los hijos menores de edad que viven de forma estable con el progenitor se vuelven ciudadanos italianos junto con él. "
                "Los hijos mayores de edad deben presentar su propia solicitud.",
            ),
        },
    ),
    (
        "cittadinanza",
        "cittadinanza-nati-in-italia",
        {
            "it": (
                "Sono nato in Italia da genitori stranieri: posso essere italiano?",
                "Sì, se hai vissuto in Italia legalmente e senza interruzioni fino ai 18 anni puoi dichiarare di voler diventare cittadino "
                "entro il compimento dei 19 anni, presso l'ufficio di stato civile del Comune.",
            ),
            "en": (
                "I was born in Italy to foreign parents: can I be Italian?",
                "Yes, if you lived in Italy legally and without interruption until you turned 18, you can declare that you want to become a citizen "
                "before your 19th birthday, at the registry office of your town hall.",
            ),
            "fr": (
                "Je suis né en Italie de parents étrangers : puis-je être italien ?",
                "Oui, si vous avez vécu en Italie légalement et sans interruption jusqu'à 18 ans, vous pouvez déclarer vouloir devenir citoyen "
                "avant vos 19 ans, auprès de l'état civil de la mairie.",
            ),
            "es": (
                "Nací en Italia de padres extranjeros: ¿puedo ser italiano?",
                "Sí, si ha vivido en Italia legalmente y sin interrupciones hasta los 18 años, puede declarar que quiere ser ciudadano "
                "antes de cumplir 19 años, en el registro civil del Ayuntamiento.",
            ),
        },
    ),
    # ------------------------------------------------------------------ ricongiungimento
    (
        "ricongiungimento-familiare",
        "ricongiungimento-chi",
        {
            "it": (
                "Quali familiari posso far venire in Italia con il ricongiungimento?",
                "Il coniuge non separato e maggiorenne, i figli minori, i figli maggiorenni a carico che non possono mantenersi per motivi di salute "
                "e i genitori a carico se non hanno altri figli nel Paese d'origine o se hanno più di 65 anni.",
            ),
            "en": (
                "Which family members can join me in Italy through family reunification?",
                "Your spouse (not legally separated and over 18), your children under 18, adult dependent children who cannot support themselves "
                "for health reasons, and dependent parents who have no other children in their country or are over 65.",
            ),
            "fr": (
                "Quels membres de ma famille peuvent me rejoindre par le regroupement familial ?",
                "Le conjoint non séparé et majeur, les enfants mineurs, les enfants majeurs à charge qui ne peuvent subvenir à leurs besoins pour raisons de santé, "
                "et les parents à charge sans autres enfants dans le pays d'origine ou âgés de plus de 65 ans.",
            ),
            "es": (
                "¿Qué familiares pueden venir a Italia con la reagrupación familiar?",
                "El cónyuge no separado y mayor de edad, los hijos menores, los hijos mayores a cargo que no pueden mantenerse por motivos de salud "
                "y los padres a cargo si no tienen otros hijos en su país o tienen más de 65 años.",
            ),
        },
    ),
    (
        "ricongiungimento-familiare",
        "ricongiungimento-reddito",
        {
            "it": (
                "Che reddito serve per il ricongiungimento familiare?",
                "Il reddito annuo deve essere almeno pari all'assegno sociale, aumentato della metà per ogni familiare da ricongiungere. "
                "Per due o più figli sotto i 14 anni si usa il doppio dell'assegno sociale.",
            ),
            "en": (
                "What income do I need for family reunification?",
                "Your yearly income must be at least the social allowance, plus half of it for each family member joining you. "
                "For two or more children under 14, twice the social allowance is required.",
            ),
            "fr": (
                "Quels revenus faut-il pour le regroupement familial ?",
                "Le revenu annuel doit être au moins égal à l'allocation sociale, augmentée de la moitié pour chaque membre de la famille à faire venir. "
                "Pour deux enfants ou plus de moins de 14 ans, il faut le double de l'allocation sociale.",
            ),
            "es": (
                "¿Qué ingresos hacen falta para la reagrupación familiar?",
                "Los ingresos anuales deben ser al menos iguales a la asignación social, aumentada en la mitad por cada familiar que se reagrupa. "
                "Para dos o más hijos menores de 14 años se exige el doble de la asignación social.",
            ),
        },
    ),
    (
        "ricongiungimento-familiare",
        "ricongiungimento-alloggio",
        {
            "it": (
                "Quale certificato serve per l'alloggio?",
                "Serve il certificato di idoneità alloggiativa rilasciato dal Comune, che attesta che la casa rispetta i requisiti igienico-sanitari "
                "e ha spazio sufficiente per le persone che ci vivranno. Per un figlio sotto i 14 anni basta il consenso del proprietario.",
            ),
            "en": (
                "Which housing certificate do I need?",
                "You need the housing suitability certificate issued by the town hall, stating that the home meets health standards "
                "and has enough room for the people who will live there. For one child under 14, the owner's consent is enough.",
            ),
            "fr": (
                "Quel certificat faut-il pour le logement ?",
                "Il faut le certificat d'aptitude du logement délivré par la mairie, qui atteste que le logement respecte les normes sanitaires "
                "et qu'il est assez grand pour les personnes qui y vivront. Pour un enfant de moins de 14 ans, l'accord du propriétaire suffit.",
            ),
            "es": (
                "¿Qué certificado hace falta para la vivienda?",
                "Se necesita el certificado de idoneidad de la vivienda expedido por el Ayuntamiento, que acredita que la casa cumple los requisitos sanitarios "
                "y tiene espacio suficiente para quienes vivirán en ella. Para un hijo menor de 14 años basta el consentimiento del propietario.",
            ),
        },
    ),
    (
        "ricongiungimento-familiare",
        "ricongiungimento-nulla-osta-tempi",
        {
            "it": (
                "In quanto tempo arriva il nulla osta al ricongiungimento?",
                "Lo Sportello Unico per l'Immigrazione della Prefettura deve decidere entro 90 giorni. Il nulla osta vale 6 mesi: "
                "in questo tempo il familiare chiede il visto all'ambasciata italiana.",
            ),
            "en": (
                "How long does the family reunification clearance take?",
                "The Prefettura's Single Immigration Desk must decide within 90 days. The clearance (nulla osta) is valid for 6 months: "
                "within that time your relative applies for the visa at the Italian embassy.",
            ),
            "fr": (
                "En combien de temps arrive l'autorisation de regroupement familial ?",
                "Le guichet unique de l'immigration de la Prefettura doit décider dans les 90 jours. L'autorisation (nulla osta) est valable 6 mois : "
                "pendant ce délai, le membre de la famille demande le visa à l'ambassade d'Italie.",
            ),
            "es": (
                "¿En cuánto tiempo llega la autorización de reagrupación familiar?",
                "La Ventanilla Única de Inmigración de la Prefettura debe decidir en 90 días. La autorización (nulla osta) vale 6 meses: "
                "en ese plazo el familiar pide el visado en la embajada italiana.",
            ),
        },
    ),
    (
        "ricongiungimento-familiare",
        "ricongiungimento-arrivo-italia",
        {
            "it": (
                "Il mio familiare è arrivato in Italia: cosa deve fare?",
                "Entro 8 giorni dall'ingresso deve presentarsi allo Sportello Unico della Prefettura per firmare il contratto di soggiorno "
                "e ritirare il kit per il permesso di soggiorno per motivi familiari.",
            ),
            "en": (
                "My relative has arrived in Italy: what must they do?",
                "Within 8 days of entering Italy they must go to the Prefettura's Single Desk to sign the residence agreement "
                "and collect the kit for the residence permit for family reasons.",
            ),
            "fr": (
                "Mon proche est arrivé en Italie : que doit-il faire ?",
                "Dans les 8 jours suivant l'entrée, il doit se présenter au guichet unique de la Prefettura pour signer le contrat de séjour "
                "et retirer le dossier du titre de séjour pour motifs familiaux.",
            ),
            "es": (
                "Mi familiar ha llegado a Italia: ¿qué tiene que hacer?",
                "En 8 días desde la entrada debe presentarse en la Ventanilla Única de la Prefettura para firmar el contrato de residencia "
                "y recoger el kit del permiso de residencia por motivos familiares.",
            ),
        },
    ),
    (
        "ricongiungimento-familiare",
        "coesione-familiare",
        {
            "it": (
                "Mio marito è già in Italia con un visto turistico: può restare?",
                "Se è entrato regolarmente e il visto non è scaduto, può chiedere un permesso per coesione familiare, "
                "se tu hai i requisiti di reddito e alloggio del ricongiungimento. La domanda si fa con il kit postale.",
            ),
            "en": (
                "My husband is already in Italy on a tourist visa: can he stay?",
                "If he entered legally and the visa has not expired, he can apply for a permit for family cohesion, "
                "provided you meet the income and housing requirements of reunification. Apply with the post office kit.",
            ),
            "fr": (
                "Mon mari est déjà en Italie avec un visa touristique : peut-il rester ?",
                "S'il est entré régulièrement et que le visa n'a pas expiré, il peut demander un titre pour cohésion familiale, "
                "si vous remplissez les conditions de revenus et de logement du regroupement. La demande se fait avec le dossier de la poste.",
            ),
            "es": (
                "Mi marido ya está en Italia con un visado de turista: ¿puede quedarse?",
                "Si entró legalmente y el visado no ha caducado, puede pedir un permiso por cohesión familiar, "
                "si usted cumple los requisitos de ingresos y vivienda de la reagrupación. Se pide con el kit de correos.",
            ),
        },
    ),
    (
        "ricongiungimento-familiare",
        "ricongiungimento-documenti-paese",
        {
            "it": (
                "Quali documenti del Paese d'origine servono per provare la parentela?",
                "Certificati di matrimonio e di nascita rilasciati dalle autorità del Paese d'origine, tradotti in italiano e legalizzati "
                "(o con apostille). L'ambasciata italiana li controlla quando il familiare chiede il visto.",
            ),
            "en": (
                "Which documents from the home country prove the family relationship?",
                "Marriage and birth certificates issued by the authorities of the home country, translated into Italian and legalised "
                "(or apostilled). The Italian embassy checks them when your relative applies for the visa.",
            ),
            "fr": (
                "Quels documents du pays d'origine prouvent le lien de parenté ?",
                "Les actes de mariage et de naissance délivrés par les autorités du pays d'origine, traduits en italien et légalisés "
                "(ou apostillés). L'ambassade d'Italie les contrôle lors de la demande de visa.",
            ),
            "es": (
                "¿Qué documentos del país de origen prueban el parentesco?",
                "Los certificados de matrimonio y de nacimiento expedidos por las autoridades del país de origen, traducidos al italiano y legalizados "
                "(o con apostilla). La embajada italiana los comprueba cuando el familiar pide el visado.",
            ),
        },
    ),
    # ------------------------------------------------------------------ matrimonio
    (
        "matrimonio",
        "matrimonio-nulla-osta-consolato",
        {
            "it": (
                "Sono straniero e voglio sposarmi in Italia: quali documenti servono?",
                "Serve il nulla osta al matrimonio rilasciato dal tuo consolato in Italia o dalle autorità del tuo Paese, legalizzato, "
                "che dichiara che non ci sono impedimenti. Servono anche il passaporto e, se richiesto dal Comune, il certificato di nascita.",
            ),
            "en": (
                "I am a foreign national and want to marry in Italy: which documents do I need?",
                "You need the certificate of no impediment (nulla osta) issued by your consulate in Italy or by your country's authorities, legalised, "
                "stating that nothing prevents the marriage. You also need your passport and, if the town hall asks, your birth certificate.",
            ),
            "fr": (
                "Je suis étranger et je veux me marier en Italie : quels documents faut-il ?",
                "Il faut le certificat de capacité à mariage (nulla osta) délivré par votre consulat en Italie ou par les autorités de votre pays, légalisé, "
                "qui atteste qu'il n'y a pas d'empêchement. Il faut aussi le passeport et, si la mairie le demande, l'acte de naissance.",
            ),
            "es": (
                "Soy extranjero y quiero casarme en Italia: ¿qué documentos necesito?",
                "Necesita el certificado de capacidad matrimonial (nulla osta) expedido por su consulado en Italia o por las autoridades de su país, legalizado, "
                "que declara que no hay impedimentos. También el pasaporte y, si el Ayuntamiento lo pide, la partida de nacimiento.",
            ),
        },
    ),
    (
        "matrimonio",
        "matrimonio-pubblicazioni",
        {
            "it": (
                "Cosa sono le pubblicazioni di matrimonio?",
                "Sono l'annuncio del matrimonio all'albo online del Comune, per almeno 8 giorni. Il matrimonio si può celebrare "
                "dal quarto giorno dopo la fine delle pubblicazioni ed entro 180 giorni.",
            ),
            "en": (
                "What are the marriage banns?",
                "They are the public notice of the marriage on the town hall's online board, for at least 8 days. The wedding can take place "
                "from the fourth day after the banns end and within 180 days.",
            ),
            "fr": (
                "Que sont les publications de mariage ?",
                "C'est l'annonce du mariage sur le tableau d'affichage en ligne de la mairie, pendant au moins 8 jours. Le mariage peut être célébré "
                "à partir du quatrième jour après la fin des publications et dans les 180 jours.",
            ),
            "es": (
                "¿Qué son las amonestaciones de matrimonio?",
                "Son el anuncio del matrimonio en el tablón en línea del Ayuntamiento, durante al menos 8 días. La boda puede celebrarse "
                "a partir del cuarto día después del fin de las amonestaciones y dentro de 180 días.",
            ),
        },
    ),
    (
        "matrimonio",
        "matrimonio-senza-permesso",
        {
            "it": (
                "Posso sposarmi in Italia se non ho il permesso di soggiorno?",
                "Sì: la Corte costituzionale ha stabilito che il permesso di soggiorno non può essere richiesto per sposarsi. "
                "Il Comune chiede il passaporto e il nulla osta al matrimonio.",
            ),
            "en": (
                "Can I marry in Italy without a residence permit?",
                "Yes: the Constitutional Court ruled that a residence permit cannot be required to get married. "
                "The town hall asks for your passport and the certificate of no impediment.",
            ),
            "fr": (
                "Puis-je me marier en Italie sans titre de séjour ?",
                "Oui : la Cour constitutionnelle a jugé que le titre de séjour ne peut pas être exigé pour se marier. "
                "La mairie demande le passeport et le certificat de capacité à mariage.",
            ),
            "es": (
                "¿Puedo casarme en Italia sin permiso de residencia?",
                "Sí: el Tribunal Constitucional estableció que no se puede exigir el permiso de residencia para casarse. "
                "El Ayuntamiento pide el pasaporte y el certificado de capacidad matrimonial.",
            ),
        },
    ),
    (
        "matrimonio",
        "matrimonio-interprete",
        {
            "it": (
                "Serve un interprete alla celebrazione del matrimonio?",
                "Sì, se uno degli sposi non capisce l'italiano. L'interprete è scelto dagli sposi, deve essere maggiorenne "
                "e giura davanti all'ufficiale di stato civile; non può essere uno dei testimoni.",
            ),
            "en": (
                "Do we need an interpreter at the wedding?",
                "Yes, if one of you does not understand Italian. The couple chooses the interpreter, who must be an adult "
                "and takes an oath before the registrar; the interpreter cannot be one of the witnesses.",
            ),
            "fr": (
                "Faut-il un interprète lors de la célébration du mariage ?",
                "Oui, si l'un des époux ne comprend pas l'italien. L'interprète est choisi par les époux, doit être majeur "
                "et prête serment devant l'officier d'état civil ; il ne peut pas être témoin.",
            ),
            "es": (
                "¿Hace falta un intérprete en la boda?",
                "Sí, si uno de los contrayentes no entiende el italiano. El intérprete lo eligen los novios, debe ser mayor de edad "
                "y presta juramento ante el funcionario del registro civil; no puede ser uno de los testigos.",
            ),
        },
    ),
    (
        "matrimonio",
        "matrimonio-permesso-familiare",
        {
            "it": (
                "Dopo il matrimonio con un italiano che permesso posso avere?",
                "Il coniuge straniero di un cittadino italiano residente in Italia ha diritto alla carta di soggiorno per familiari "
                "di cittadini dell'Unione, valida 5 anni. La domanda si presenta con il kit postale o in Questura.",
            ),
            "en": (
                "After marrying an Italian, which permit can I get?",
                "The foreign spouse of an Italian citizen living in Italy is entitled to the residence card for family members "
                "of EU citizens, valid for 5 years. Apply with the post office kit or at the Questura.",
            ),
            "fr": (
                "Après le mariage avec un Italien, quel titre puis-je obtenir ?",
                "Le conjoint étranger d'un citoyen italien résidant en Italie a droit à la carte de séjour de membre de la famille "
                "d'un citoyen de l'Union, valable 5 ans. La demande se fait avec le dossier de la poste ou à la Questura.",
            ),
            "es": (
                "Después de casarme con un italiano, ¿qué permiso puedo tener?",
                "El cónyuge extranjero de un ciudadano italiano residente en Italia tiene derecho a la tarjeta de residencia de familiar "
                "de ciudadano de la Unión, válida 5 años. Se pide con el kit de correos o en la Questura.",
            ),
        },
    ),
    (
        "matrimonio",
        "matrimonio-estero-trascrizione",
        {
            "it": (
                "Ci siamo sposati all'estero: come si registra il matrimonio in Italia?",
                "Il cittadino italiano chiede la trascrizione al consolato italiano o direttamente al Comune di residenza, "
                "presentando l'atto di matrimonio straniero tradotto e legalizzato.",
            ),
            "en": (
                "We married abroad: how is the marriage registered in Italy?",
                "The Italian spouse asks the Italian consulate, or directly the town hall of residence, to register it, "
                "presenting the foreign marriage certificate translated and legalised.",
            ),
            "fr": (
                "Nous nous sommes mariés à l'étranger : comment enregistrer le mariage en Italie ?",
                "Le conjoint italien demande la transcription au consulat d'Italie ou directement à la mairie de résidence, "
                "en présentant l'acte de mariage étranger traduit et légalisé.",
            ),
            "es": (
                "Nos casamos en el extranjero: ¿cómo se inscribe el matrimonio en Italia?",
                "El cónyuge italiano pide la inscripción al consulado italiano o directamente al Ayuntamiento de residencia, "
                "presentando el certificado de matrimonio extranjero traducido y legalizado.",
            ),
        },
    ),
    # ------------------------------------------------------------------ studio
    (
        "studio",
        "studio-permesso-otto-giorni",
        {
            "it": (
                "Sono arrivato con un visto per studio: entro quando chiedo il permesso?",
                "Entro 8 giorni lavorativi dall'ingresso in Italia, con il kit postale. Allega l'iscrizione all'università o al corso, "
                "l'assicurazione sanitaria e la prova dei mezzi economici.",
            ),
            "en": (
                "I arrived with a study visa: by when must I apply for the permit?",
                "Within 8 working days of entering Italy, with the post office kit. Enclose your university or course enrolment, "
                "health insurance and proof of financial means.",
            ),
            "fr": (
                "Je suis arrivé avec un visa d'études : quand demander le titre de séjour ?",
                "Dans les 8 jours ouvrables suivant l'entrée en Italie, avec le dossier de la poste. Joignez l'inscription à l'université ou au cours, "
                "l'assurance maladie et la preuve des ressources.",
            ),
            "es": (
                "He llegado con un visado de estudios: ¿hasta cuándo puedo pedir el permiso?",
                "En 8 días hábiles desde la entrada en Italia, con el kit de correos. Adjunte la matrícula en la universidad o el curso, "
                "el seguro médico y la prueba de medios económicos.",
            ),
        },
    ),
    (
        "studio",
        "studio-lavorare",
        {
            "it": (
                "Con il permesso per studio posso lavorare?",
                "Sì, puoi lavorare fino a 20 ore a settimana, per un massimo di 1.040 ore all'anno. "
                "Il lavoro non deve impedire la frequenza del corso.",
            ),
            "en": (
                "Can I work with a study permit?",
                "Yes, you may work up to 20 hours a week, for at most 1,040 hours a year. "
                "Work must not prevent you from attending your course.",
            ),
            "fr": (
                "Puis-je travailler avec un titre de séjour pour études ?",
                "Oui, vous pouvez travailler jusqu'à 20 heures par semaine, avec un maximum de 1 040 heures par an. "
                "Le travail ne doit pas empêcher de suivre le cours.",
            ),
            "es": (
                "¿Con el permiso por estudios puedo trabajar?",
                "Sí, puede trabajar hasta 20 horas por semana, con un máximo de 1.040 horas al año. "
                "El trabajo no debe impedir la asistencia al curso.",
            ),
        },
    ),
    (
        "studio",
        "studio-rinnovo-esami",
        {
            "it": (
                "Per rinnovare il permesso per studio servono esami superati?",
                "Sì: al rinnovo si dimostra il profitto negli studi, di norma almeno un esame superato nel primo anno e due negli anni successivi. "
                "Serve un certificato dell'università con gli esami sostenuti.",
            ),
            "en": (
                "Do I need passed exams to renew my study permit?",
                "Yes: on renewal you show progress in your studies, normally at least one exam passed in the first year and two in later years. "
                "You need a university certificate listing the exams taken.",
            ),
            "fr": (
                "Faut-il des examens réussis pour renouveler le titre pour études ?",
                "Oui : au renouvellement, il faut prouver la progression des études, en général au moins un examen réussi la première année et deux les années suivantes. "
                "Il faut une attestation de l'université avec les examens passés.",
            ),
            "es": (
                "¿Para renovar el permiso por estudios hacen falta exámenes aprobados?",
                "Sí: en la renovación se demuestra el aprovechamiento, normalmente al menos un examen aprobado el primer año y dos en los siguientes. "
                "Se necesita un certificado de la universidad con los exámenes realizados.",
            ),
        },
    ),
    (
        "studio",
        "studio-dopo-laurea",
        {
            "it": (
                "Dopo la laurea posso restare in Italia a cercare lavoro?",
                "Sì: chi ha conseguito in Italia una laurea, un master o un dottorato può chiedere un permesso per attesa occupazione "
                "di 12 mesi, oppure convertire direttamente il permesso per studio in permesso per lavoro.",
            ),
            "en": (
                "After graduating, can I stay in Italy to look for work?",
                "Yes: anyone who obtained a degree, a master's or a PhD in Italy can ask for a 12-month job-seeking permit, "
                "or convert the study permit straight into a work permit.",
            ),
            "fr": (
                "Après le diplôme, puis-je rester en Italie pour chercher du travail ?",
                "Oui : les diplômés d'une licence, d'un master ou d'un doctorat obtenu en Italie peuvent demander un titre de recherche d'emploi "
                "de 12 mois, ou convertir directement le titre pour études en titre pour travail.",
            ),
            "es": (
                "Después del título, ¿puedo quedarme en Italia a buscar trabajo?",
                "Sí: quien ha obtenido en Italia un grado, un máster o un doctorado puede pedir un permiso de búsqueda de empleo "
                "de 12 meses, o convertir directamente el permiso por estudios en permiso por trabajo.",
            ),
        },
    ),
    (
        "studio",
        "studio-conversione-lavoro",
        {
            "it": (
                "Come converto il permesso per studio in permesso per lavoro?",
                "Il datore di lavoro o tu stesso presentate la domanda online allo Sportello Unico per l'Immigrazione, "
                "con il contratto di lavoro. Per chi si è laureato in Italia la conversione non dipende dalle quote del decreto flussi.",
            ),
            "en": (
                "How do I convert a study permit into a work permit?",
                "You or your employer apply online to the Single Immigration Desk, with the employment contract. "
                "For people who graduated in Italy the conversion does not depend on the yearly entry quotas.",
            ),
            "fr": (
                "Comment convertir le titre pour études en titre pour travail ?",
                "Vous ou votre employeur déposez la demande en ligne auprès du guichet unique de l'immigration, avec le contrat de travail. "
                "Pour les diplômés en Italie, la conversion ne dépend pas des quotas annuels d'entrée.",
            ),
            "es": (
                "¿Cómo convierto el permiso por estudios en permiso por trabajo?",
                "Usted o su empleador presentan la solicitud en línea a la Ventanilla Única de Inmigración, con el contrato de trabajo. "
                "Para quien se ha titulado en Italia la conversión no depende de los cupos anuales de entrada.",
            ),
        },
    ),
    (
        "studio",
        "studio-assicurazione-sanitaria",
        {
            "it": (
                "Gli studenti stranieri devono avere un'assicurazione sanitaria?",
                "Sì: serve una polizza privata valida in Italia oppure l'iscrizione volontaria al Servizio sanitario nazionale, "
                "con un contributo annuo ridotto per gli studenti, da pagare prima della domanda di permesso.",
            ),
            "en": (
                "Do foreign students need health insurance?",
                "Yes: you need a private policy valid in Italy or voluntary registration with the National Health Service, "
                "with a reduced yearly fee for students, paid before applying for the permit.",
            ),
            "fr": (
                "Les étudiants étrangers doivent-ils avoir une assurance maladie ?",
                "Oui : il faut une assurance privée valable en Italie ou l'inscription volontaire au Service sanitaire national, "
                "avec une contribution annuelle réduite pour les étudiants, à payer avant la demande de titre.",
            ),
            "es": (
                "¿Los estudiantes extranjeros necesitan un seguro médico?",
                "Sí: hace falta una póliza privada válida en Italia o la inscripción voluntaria en el Servicio Nacional de Salud, "
                "con una cuota anual reducida para estudiantes, que se paga antes de pedir el permiso.",
            ),
        },
    ),
    # ------------------------------------------------------------------ lavoro
    (
        "lavoro",
        "lavoro-rinnovo-documenti",
        {
            "it": (
                "Quali documenti servono per rinnovare il permesso per lavoro subordinato?",
                "Passaporto, copia del permesso in scadenza, contratto di lavoro o ultima busta paga, dichiarazione dei redditi o CU, "
                "e quattro fototessere. Il lavoratore domestico allega anche i versamenti INPS.",
            ),
            "en": (
                "Which documents do I need to renew a permit for employment?",
                "Passport, copy of the expiring permit, employment contract or latest payslip, tax return or CU income statement, "
                "and four passport photos. Domestic workers also enclose their INPS contribution payments.",
            ),
            "fr": (
                "Quels documents faut-il pour renouveler le titre pour travail salarié ?",
                "Passeport, copie du titre qui expire, contrat de travail ou dernier bulletin de salaire, déclaration de revenus ou CU, "
                "et quatre photos d'identité. Les travailleurs domestiques joignent aussi les versements INPS.",
            ),
            "es": (
                "¿Qué documentos hacen falta para renovar el permiso por trabajo por cuenta ajena?",
                "Pasaporte, copia del permiso que caduca, contrato de trabajo o última nómina, declaración de la renta o CU, "
                "y cuatro fotos de carné. Los empleados del hogar adjuntan también las cotizaciones del INPS.",
            ),
        },
    ),
    (
        "lavoro",
        "lavoro-perso",
        {
            "it": (
                "Ho perso il lavoro: perdo anche il permesso di soggiorno?",
                "No. Iscriviti al Centro per l'impiego con la dichiarazione di immediata disponibilità: alla scadenza puoi avere "
                "un permesso per attesa occupazione di almeno 12 mesi per cercare un nuovo lavoro.",
            ),
            "en": (
                "I lost my job: do I also lose my residence permit?",
                "No. Register at the job centre with a declaration of immediate availability: when your permit expires you can get "
                "a job-seeking permit of at least 12 months to find new work.",
            ),
            "fr": (
                "J'ai perdu mon emploi : est-ce que je perds aussi mon titre de séjour ?",
                "Non. Inscrivez-vous au centre pour l'emploi avec la déclaration de disponibilité immédiate : à l'expiration, vous pouvez obtenir "
                "un titre de recherche d'emploi d'au moins 12 mois pour trouver un nouveau travail.",
            ),
            "es": (
                "He perdido el trabajo: ¿pierdo también el permiso de residencia?",
                "No. Inscríbase en el Centro de empleo con la declaración de disponibilidad inmediata: al caducar puede obtener "
                "un permiso de búsqueda de empleo de al menos 12 meses para encontrar un nuevo trabajo.",
            ),
        },
    ),
    (
        "lavoro",
        "lavoro-cambio-datore",
        {
            "it": (
                "Se cambio datore di lavoro devo cambiare il permesso di soggiorno?",
                "No, il permesso per lavoro subordinato resta valido. Il nuovo datore di lavoro comunica l'assunzione al Centro per l'impiego; "
                "al rinnovo presenterai il nuovo contratto.",
            ),
            "en": (
                "If I change employer, do I need a new residence permit?",
                "No, the permit for employment stays valid. Your new employer reports the hiring to the job centre; "
                "at renewal you will present the new contract.",
            ),
            "fr": (
                "Si je change d'employeur, dois-je changer de titre de séjour ?",
                "Non, le titre pour travail salarié reste valable. Le nouvel employeur déclare l'embauche au centre pour l'emploi ; "
                "au renouvellement, vous présenterez le nouveau contrat.",
            ),
            "es": (
                "Si cambio de empleador, ¿tengo que cambiar el permiso de residencia?",
                "No, el permiso por trabajo por cuenta ajena sigue siendo válido. El nuevo empleador comunica la contratación al Centro de empleo; "
                "en la renovación presentará el nuevo contrato.",
            ),
        },
    ),
    (
        "lavoro",
        "lavoro-autonomo-conversione",
        {
            "it": (
                "Posso passare dal lavoro dipendente al lavoro autonomo?",
                "Sì, puoi chiedere la conversione in permesso per lavoro autonomo con la partita IVA, l'iscrizione agli enti previsti "
                "e un reddito annuo almeno pari al minimo per l'esenzione dalla spesa sanitaria.",
            ),
            "en": (
                "Can I switch from employment to self-employment?",
                "Yes, you can ask to convert to a self-employment permit, with a VAT number, registration with the required bodies "
                "and a yearly income at least equal to the minimum for health-charge exemption.",
            ),
            "fr": (
                "Puis-je passer du travail salarié au travail indépendant ?",
                "Oui, vous pouvez demander la conversion en titre pour travail indépendant, avec un numéro de TVA, l'inscription aux organismes requis "
                "et un revenu annuel au moins égal au minimum pour l'exonération des frais de santé.",
            ),
            "es": (
                "¿Puedo pasar del trabajo por cuenta ajena al trabajo autónomo?",
                "Sí, puede pedir la conversión en permiso por trabajo autónomo, con número de IVA, la inscripción en los organismos previstos "
                "y unos ingresos anuales al menos iguales al mínimo para la exención sanitaria.",
            ),
        },
    ),
    (
        "lavoro",
        "lavoro-decreto-flussi",
        {
            "it": (
                "Come si assume un lavoratore che vive all'estero?",
                "Con il decreto flussi: il datore di lavoro presenta online la domanda di nulla osta nei giorni fissati (click day). "
                "Con il nulla osta il lavoratore chiede il visto all'ambasciata e, arrivato, firma il contratto di soggiorno in Prefettura.",
            ),
            "en": (
                "How do I hire a worker who lives abroad?",
                "Through the yearly entry quotas (decreto flussi): the employer applies online for clearance on the set days (click day). "
                "With the clearance the worker applies for the visa at the embassy and, once arrived, signs the residence agreement at the Prefettura.",
            ),
            "fr": (
                "Comment embaucher un travailleur qui vit à l'étranger ?",
                "Avec le décret flux : l'employeur dépose en ligne la demande d'autorisation les jours fixés (click day). "
                "Avec l'autorisation, le travailleur demande le visa à l'ambassade puis, une fois arrivé, signe le contrat de séjour à la Prefettura.",
            ),
            "es": (
                "¿Cómo se contrata a un trabajador que vive en el extranjero?",
                "Con el decreto de flujos: el empleador presenta en línea la solicitud de autorización en los días fijados (click day). "
                "Con la autorización el trabajador pide el visado en la embajada y, una vez llegado, firma el contrato de residencia en la Prefettura.",
            ),
        },
    ),
    (
        "lavoro",
        "lavoro-stagionale",
        {
            "it": (
                "Il permesso per lavoro stagionale si può rinnovare?",
                "Il permesso stagionale dura quanto il contratto, fino a 9 mesi. Si può prorogare con un nuovo contratto stagionale "
                "e, dopo almeno 3 mesi di lavoro regolare, si può convertire in permesso per lavoro subordinato.",
            ),
            "en": (
                "Can a seasonal work permit be renewed?",
                "A seasonal permit lasts as long as the contract, up to 9 months. It can be extended with a new seasonal contract "
                "and, after at least 3 months of regular work, converted into a permit for employment.",
            ),
            "fr": (
                "Le titre pour travail saisonnier peut-il être renouvelé ?",
                "Le titre saisonnier dure autant que le contrat, jusqu'à 9 mois. Il peut être prolongé avec un nouveau contrat saisonnier "
                "et, après au moins 3 mois de travail régulier, converti en titre pour travail salarié.",
            ),
            "es": (
                "¿El permiso por trabajo de temporada se puede renovar?",
                "El permiso de temporada dura lo que el contrato, hasta 9 meses. Se puede prorrogar con un nuevo contrato de temporada "
                "y, tras al menos 3 meses de trabajo regular, convertir en permiso por trabajo por cuenta ajena.",
            ),
        },
    ),
]

RELATED = [
    ("quando-rinnovare-permesso", "kit-postale-permesso"),
    ("quando-rinnovare-permesso", "costi-permesso-soggiorno"),
    ("quando-rinnovare-permesso", "lavoro-rinnovo-documenti"),
    ("kit-postale-permesso", "impronte-questura"),
    ("ricevuta-postale-valore", "stato-pratica-permesso"),
    ("permesso-lungo-periodo-requisiti", "test-italiano-a2"),
    ("cittadinanza-per-residenza-requisiti", "cittadinanza-domanda-online"),
    ("cittadinanza-domanda-online", "cittadinanza-tempi"),
    ("cittadinanza-per-matrimonio", "matrimonio-permesso-familiare"),
    ("cittadinanza-giuramento", "cittadinanza-figli-minori"),
    ("ricongiungimento-chi", "ricongiungimento-reddito"),
    ("ricongiungimento-reddito", "ricongiungimento-alloggio"),
    ("ricongiungimento-nulla-osta-tempi", "ricongiungimento-arrivo-italia"),
    ("matrimonio-nulla-osta-consolato", "matrimonio-pubblicazioni"),
    ("matrimonio-senza-permesso", "matrimonio-nulla-osta-consolato"),
    ("studio-dopo-laurea", "studio-conversione-lavoro"),
    ("studio-lavorare", "studio-rinnovo-esami"),
    ("lavoro-perso", "lavoro-cambio-datore"),
    ("lavoro-autonomo-conversione", "studio-conversione-lavoro"),
]

PROCEDURE_OFFICE_HOURS_NOTE = ""

# slug: (position, topic, {language: dict(title, short_title, summary, documents, fees, where_to_go)})
PROCEDURES = {
    "rinnovo-permesso-lavoro-subordinato": (
        1,
        "permessi-di-soggiorno",
        {
            "it": {
                "title": "Rinnovo del permesso di soggiorno per lavoro subordinato",
                "short_title": "Rinnovo lavoro",
                "summary": "Per chi lavora come dipendente e ha il permesso in scadenza: domanda alla posta almeno 60 giorni prima.",
                "documents": "Passaporto valido (originale e copia di tutte le pagine)\nCopia del permesso di soggiorno in scadenza\nContratto di lavoro o dichiarazione del datore di lavoro\nUltime tre buste paga\nDichiarazione dei redditi o Certificazione Unica\nQuattro fototessere uguali e recenti\nKit postale compilato (moduli 1 e 2)",
                "fees": "Marca da bollo da 16,00 euro\n30,46 euro per il permesso elettronico (bollettino nel kit)\n30,00 euro alla posta per la spedizione\nContributo da 40,00 a 100,00 euro secondo la durata",
                "where_to_go": "Ufficio postale con Sportello Amico per la consegna del kit; poi la Questura, Ufficio Immigrazione, il giorno indicato sulla ricevuta, per le impronte digitali.",
            },
            "en": {
                "title": "Renewal of the residence permit for employment",
                "short_title": "Renewal for work",
                "summary": "For employees whose permit is expiring: apply at the post office at least 60 days before.",
                "documents": "Valid passport (original and copy of every page)\nCopy of the expiring residence permit\nEmployment contract or employer's statement\nLast three payslips\nTax return or CU income statement\nFour identical recent passport photos\nCompleted post office kit (forms 1 and 2)",
                "fees": "16.00-euro revenue stamp\n30.46 euros for the electronic permit (payment slip in the kit)\n30.00 euros at the post office for mailing\nContribution from 40.00 to 100.00 euros depending on duration",
                "where_to_go": "A post office with a Sportello Amico desk to hand in the kit; then the Questura, Immigration Office, on the day printed on the receipt, for fingerprints.",
            },
            "fr": {
                "title": "Renouvellement du titre de séjour pour travail salarié",
                "short_title": "Renouvellement travail",
                "summary": "Pour les salariés dont le titre expire : demande à la poste au moins 60 jours avant.",
                "documents": "Passeport valide (original et copie de toutes les pages)\nCopie du titre de séjour qui expire\nContrat de travail ou attestation de l'employeur\nTrois derniers bulletins de salaire\nDéclaration de revenus ou Certification Unique\nQuatre photos d'identité identiques et récentes\nDossier de la poste rempli (formulaires 1 et 2)",
                "fees": "Timbre fiscal de 16,00 euros\n30,46 euros pour le titre électronique (bulletin dans le dossier)\n30,00 euros à la poste pour l'envoi\nContribution de 40,00 à 100,00 euros selon la durée",
                "where_to_go": "Un bureau de poste avec guichet Sportello Amico pour déposer le dossier ; puis la Questura, service de l'immigration, le jour indiqué sur le récépissé, pour les empreintes.",
            },
            "es": {
                "title": "Renovación del permiso de residencia por trabajo por cuenta ajena",
                "short_title": "Renovación trabajo",
                "summary": "Para quien trabaja por cuenta ajena y tiene el permiso a punto de caducar: solicitud en correos al menos 60 días antes.",
                "documents": "Pasaporte válido (original y copia de todas las páginas)\nCopia del permiso de residencia que caduca\nContrato de trabajo o declaración del empleador\nÚltimas tres nóminas\nDeclaración de la renta o Certificación Única\nCuatro fotos de carné iguales y recientes\nKit de correos rellenado (formularios 1 y 2)",
                "fees": "Timbre fiscal de 16,00 euros\n30,46 euros por el permiso electrónico (boleta en el kit)\n30,00 euros en correos por el envío\nContribución de 40,00 a 100,00 euros según la duración",
                "where_to_go": "Una oficina de correos con ventanilla Sportello Amico para entregar el kit; después la Questura, Oficina de Inmigración, el día indicado en el resguardo, para las huellas.",
            },
        },
    ),
    "permesso-ue-lungo-periodo": (
        2,
        "permessi-di-soggiorno",
        {
            "it": {
                "title": "Permesso UE per soggiornanti di lungo periodo",
                "short_title": "Permesso lungo periodo",
                "summary": "Il permesso a tempo indeterminato per chi vive regolarmente in Italia da almeno 5 anni.",
                "documents": "Passaporto valido e copia\nCopia del permesso di soggiorno in corso di validità\nAttestato del test di italiano A2 o titolo che esonera\nDichiarazioni dei redditi degli ultimi tre anni\nCertificato di idoneità alloggiativa o contratto di affitto registrato\nCertificato del casellario giudiziale e dei carichi pendenti\nQuattro fototessere",
                "fees": "Marca da bollo da 16,00 euro\n30,46 euro per il permesso elettronico\n30,00 euro alla posta per la spedizione\nContributo di 100,00 euro",
                "where_to_go": "Ufficio postale con Sportello Amico; poi la Questura, Ufficio Immigrazione, per le impronte digitali.",
            },
            "en": {
                "title": "EU long-term residence permit",
                "short_title": "Long-term permit",
                "summary": "The permanent permit for people who have lived legally in Italy for at least 5 years.",
                "documents": "Valid passport and copy\nCopy of the current residence permit\nA2 Italian test certificate or exempting qualification\nTax returns of the last three years\nHousing suitability certificate or registered lease\nCriminal record and pending charges certificates\nFour passport photos",
                "fees": "16.00-euro revenue stamp\n30.46 euros for the electronic permit\n30.00 euros at the post office for mailing\n100.00-euro contribution",
                "where_to_go": "A post office with a Sportello Amico desk; then the Questura, Immigration Office, for fingerprints.",
            },
            "fr": {
                "title": "Titre de séjour UE de résident de longue durée",
                "short_title": "Titre longue durée",
                "summary": "Le titre à durée indéterminée pour les personnes en séjour régulier en Italie depuis au moins 5 ans.",
                "documents": "Passeport valide et copie\nCopie du titre de séjour en cours de validité\nAttestation du test d'italien A2 ou diplôme qui en dispense\nDéclarations de revenus des trois dernières années\nCertificat d'aptitude du logement ou bail enregistré\nExtrait de casier judiciaire et certificat des poursuites en cours\nQuatre photos d'identité",
                "fees": "Timbre fiscal de 16,00 euros\n30,46 euros pour le titre électronique\n30,00 euros à la poste pour l'envoi\nContribution de 100,00 euros",
                "where_to_go": "Un bureau de poste avec guichet Sportello Amico ; puis la Questura, service de l'immigration, pour les empreintes.",
            },
            "es": {
                "title": "Permiso UE de residente de larga duración",
                "short_title": "Permiso larga duración",
                "summary": "El permiso indefinido para quien vive legalmente en Italia desde hace al menos 5 años.",
                "documents": "Pasaporte válido y copia\nCopia del permiso de residencia vigente\nCertificado del examen de italiano A2 o título que exime\nDeclaraciones de la renta de los últimos tres años\nCertificado de idoneidad de la vivienda o contrato de alquiler registrado\nCertificados de antecedentes penales y de causas pendientes\nCuatro fotos de carné",
                "fees": "Timbre fiscal de 16,00 euros\n30,46 euros por el permiso electrónico\n30,00 euros en correos por el envío\nContribución de 100,00 euros",
                "where_to_go": "Una oficina de correos con ventanilla Sportello Amico; después la Questura, Oficina de Inmigración, para las huellas.",
            },
        },
    ),
    "ricongiungimento-nulla-osta": (
        3,
        "ricongiungimento-familiare",
        {
            "it": {
                "title": "Ricongiungimento familiare: nulla osta",
                "short_title": "Ricongiungimento",
                "summary": "La domanda allo Sportello Unico per l'Immigrazione per far venire in Italia il coniuge, i figli o i genitori.",
                "documents": "Domanda online sul portale ALI del Ministero dell'Interno (con SPID)\nPassaporto e permesso di soggiorno del richiedente\nCertificato di idoneità alloggiativa del Comune\nDichiarazione dei redditi e buste paga dell'ultimo anno\nContratto di lavoro o attestazione del datore di lavoro\nCopia del passaporto dei familiari",
                "fees": "Marca da bollo da 16,00 euro da portare all'appuntamento",
                "where_to_go": "Sportello Unico per l'Immigrazione della Prefettura, su convocazione via PEC o email dopo la domanda online.",
            },
            "en": {
                "title": "Family reunification: clearance (nulla osta)",
                "short_title": "Family reunification",
                "summary": "The application to the Single Immigration Desk to bring your spouse, children or parents to Italy.",
                "documents": "Online application on the Ministry of the Interior's ALI portal (with SPID)\nApplicant's passport and residence permit\nHousing suitability certificate from the town hall\nTax return and payslips of the last year\nEmployment contract or employer's statement\nCopy of the family members' passports",
                "fees": "16.00-euro revenue stamp to bring to the appointment",
                "where_to_go": "The Prefettura's Single Immigration Desk, when called by certified email or email after the online application.",
            },
            "fr": {
                "title": "Regroupement familial : autorisation (nulla osta)",
                "short_title": "Regroupement familial",
                "summary": "La demande au guichet unique de l'immigration pour faire venir en Italie le conjoint, les enfants ou les parents.",
                "documents": "Demande en ligne sur le portail ALI du ministère de l'Intérieur (avec SPID)\nPasseport et titre de séjour du demandeur\nCertificat d'aptitude du logement de la mairie\nDéclaration de revenus et bulletins de salaire de la dernière année\nContrat de travail ou attestation de l'employeur\nCopie du passeport des membres de la famille",
                "fees": "Timbre fiscal de 16,00 euros à apporter au rendez-vous",
                "where_to_go": "Guichet unique de l'immigration de la Prefettura, sur convocation par PEC ou courriel après la demande en ligne.",
            },
            "es": {
                "title": "Reagrupación familiar: autorización (nulla osta)",
                "short_title": "Reagrupación familiar",
                "summary": "La solicitud a la Ventanilla Única de Inmigración para traer a Italia al cónyuge, los hijos o los padres.",
                "documents": "Solicitud en línea en el portal ALI del Ministerio del Interior (con SPID)\nPasaporte y permiso de residencia del solicitante\nCertificado de idoneidad de la vivienda del Ayuntamiento\nDeclaración de la renta y nóminas del último año\nContrato de trabajo o declaración del empleador\nCopia del pasaporte de los familiares",
                "fees": "Timbre fiscal de 16,00 euros para llevar a la cita",
                "where_to_go": "Ventanilla Única de Inmigración de la Prefettura, tras la convocatoria por PEC o correo electrónico después de la solicitud en línea.",
            },
        },
    ),
    "cittadinanza-per-residenza": (
        4,
        "cittadinanza",
        {
            "it": {
                "title": "Cittadinanza italiana per residenza",
                "short_title": "Cittadinanza",
                "summary": "La domanda online per chi risiede legalmente in Italia da 10 anni (4 per i cittadini UE).",
                "documents": "SPID per accedere al portale del Ministero dell'Interno\nAtto di nascita tradotto e legalizzato\nCertificato penale del Paese d'origine e di quelli di residenza, tradotto e legalizzato\nCertificato di conoscenza dell'italiano livello B1\nDichiarazioni dei redditi degli ultimi tre anni\nDocumento d'identità e permesso di soggiorno",
                "fees": "Contributo di 250,00 euro (bonifico o bollettino)\nMarca da bollo da 16,00 euro",
                "where_to_go": "Domanda solo online. La Prefettura convoca per la verifica degli originali; il giuramento si presta in Comune.",
            },
            "en": {
                "title": "Italian citizenship by residence",
                "short_title": "Citizenship",
                "summary": "The online application for people legally resident in Italy for 10 years (4 for EU citizens).",
                "documents": "SPID to log in to the Ministry of the Interior portal\nBirth certificate, translated and legalised\nCriminal record certificate from your home country and countries of residence, translated and legalised\nItalian language certificate, level B1\nTax returns of the last three years\nIdentity document and residence permit",
                "fees": "250.00-euro fee (bank transfer or payment slip)\n16.00-euro revenue stamp",
                "where_to_go": "Online application only. The Prefettura calls you to check the originals; the oath is taken at the town hall.",
            },
            "fr": {
                "title": "Citoyenneté italienne par résidence",
                "short_title": "Citoyenneté",
                "summary": "La demande en ligne pour les personnes résidant légalement en Italie depuis 10 ans (4 pour les citoyens de l'UE).",
                "documents": "SPID pour accéder au portail du ministère de l'Intérieur\nActe de naissance traduit et légalisé\nCasier judiciaire du pays d'origine et des pays de résidence, traduit et légalisé\nCertificat de connaissance de l'italien niveau B1\nDéclarations de revenus des trois dernières années\nPièce d'identité et titre de séjour",
                "fees": "Contribution de 250,00 euros (virement ou bulletin)\nTimbre fiscal de 16,00 euros",
                "where_to_go": "Demande uniquement en ligne. La Prefettura convoque pour vérifier les originaux ; le serment se prête à la mairie.",
            },
            "es": {
                "title": "Ciudadanía italiana por residencia",
                "short_title": "Ciudadanía",
                "summary": "La solicitud en línea para quien reside legalmente en Italia desde hace 10 años (4 para ciudadanos de la UE).",
                "documents": "SPID para entrar en el portal del Ministerio del Interior\nPartida de nacimiento traducida y legalizada\nCertificado de antecedentes penales del país de origen y de residencia, traducido y legalizado\nCertificado de italiano nivel B1\nDeclaraciones de la renta de los últimos tres años\nDocumento de identidad y permiso de residencia",
                "fees": "Contribución de 250,00 euros (transferencia o boleta)\nTimbre fiscal de 16,00 euros",
                "where_to_go": "Solicitud solo en línea. La Prefettura convoca para comprobar los originales; el juramento se presta en el Ayuntamiento.",
            },
        },
    ),
    "conversione-studio-lavoro": (
        5,
        "studio",
        {
            "it": {
                "title": "Conversione del permesso da studio a lavoro",
                "short_title": "Da studio a lavoro",
                "summary": "Per chi ha un permesso per studio e ha trovato un lavoro in Italia.",
                "documents": "Domanda online allo Sportello Unico per l'Immigrazione (modello VB o Z)\nPassaporto e permesso per studio valido\nContratto di lavoro o proposta di assunzione\nTitolo di studio conseguito in Italia, se presente\nQuattro fototessere",
                "fees": "Marca da bollo da 16,00 euro\nCosti del kit postale come per il rinnovo",
                "where_to_go": "Sportello Unico per l'Immigrazione della Prefettura per la firma del contratto di soggiorno; poi l'ufficio postale con il kit.",
            },
            "en": {
                "title": "Converting a study permit into a work permit",
                "short_title": "Study to work",
                "summary": "For people holding a study permit who have found a job in Italy.",
                "documents": "Online application to the Single Immigration Desk (form VB or Z)\nPassport and valid study permit\nEmployment contract or job offer\nDegree obtained in Italy, if any\nFour passport photos",
                "fees": "16.00-euro revenue stamp\nPost office kit costs as for a renewal",
                "where_to_go": "The Prefettura's Single Immigration Desk to sign the residence agreement; then the post office with the kit.",
            },
            "fr": {
                "title": "Conversion du titre pour études en titre pour travail",
                "short_title": "Études vers travail",
                "summary": "Pour les titulaires d'un titre pour études qui ont trouvé un emploi en Italie.",
                "documents": "Demande en ligne au guichet unique de l'immigration (modèle VB ou Z)\nPasseport et titre pour études valide\nContrat de travail ou promesse d'embauche\nDiplôme obtenu en Italie, le cas échéant\nQuatre photos d'identité",
                "fees": "Timbre fiscal de 16,00 euros\nFrais du dossier de la poste comme pour un renouvellement",
                "where_to_go": "Guichet unique de l'immigration de la Prefettura pour signer le contrat de séjour ; puis le bureau de poste avec le dossier.",
            },
            "es": {
                "title": "Conversión del permiso por estudios en permiso por trabajo",
                "short_title": "Estudios a trabajo",
                "summary": "Para quien tiene un permiso por estudios y ha encontrado trabajo en Italia.",
                "documents": "Solicitud en línea a la Ventanilla Única de Inmigración (modelo VB o Z)\nPasaporte y permiso por estudios válido\nContrato de trabajo u oferta de empleo\nTítulo obtenido en Italia, si lo hay\nCuatro fotos de carné",
                "fees": "Timbre fiscal de 16,00 euros\nCostes del kit de correos como en la renovación",
                "where_to_go": "Ventanilla Única de Inmigración de la Prefettura para firmar el contrato de residencia; después la oficina de correos con el kit.",
            },
        },
    ),
    "matrimonio-cittadino-straniero": (
        6,
        "matrimonio",
        {
            "it": {
                "title": "Matrimonio di cittadino straniero in Italia",
                "short_title": "Matrimonio",
                "summary": "I documenti per le pubblicazioni e la celebrazione quando uno o entrambi gli sposi sono stranieri.",
                "documents": "Passaporto valido di entrambi gli sposi\nNulla osta al matrimonio del consolato (art. 116 del codice civile), legalizzato\nCertificato di nascita, se richiesto, tradotto e legalizzato\nSentenza di divorzio o atto di morte del coniuge precedente, se ci sono stati matrimoni precedenti\nDocumento dell'interprete, se uno degli sposi non parla italiano",
                "fees": "Marca da bollo da 16,00 euro per le pubblicazioni (se entrambi residenti in Comuni diversi, una per Comune)\nTariffa della sala per il rito civile secondo il Comune",
                "where_to_go": "Ufficio di stato civile del Comune dove risiede uno degli sposi, su appuntamento.",
            },
            "en": {
                "title": "Marriage of a foreign national in Italy",
                "short_title": "Marriage",
                "summary": "The documents for the banns and the ceremony when one or both spouses are foreign nationals.",
                "documents": "Valid passport of both spouses\nCertificate of no impediment from the consulate (art. 116 of the Civil Code), legalised\nBirth certificate, if requested, translated and legalised\nDivorce decree or death certificate of the previous spouse, if previously married\nIdentity document of the interpreter, if one spouse does not speak Italian",
                "fees": "16.00-euro revenue stamp for the banns (one per town hall if you live in different towns)\nVenue fee for the civil ceremony, set by the town hall",
                "where_to_go": "The registry office of the town hall where one of the spouses lives, by appointment.",
            },
            "fr": {
                "title": "Mariage d'un ressortissant étranger en Italie",
                "short_title": "Mariage",
                "summary": "Les documents pour les publications et la célébration quand l'un des époux ou les deux sont étrangers.",
                "documents": "Passeport valide des deux époux\nCertificat de capacité à mariage du consulat (art. 116 du code civil), légalisé\nActe de naissance, si demandé, traduit et légalisé\nJugement de divorce ou acte de décès du conjoint précédent, en cas de mariage antérieur\nPièce d'identité de l'interprète, si l'un des époux ne parle pas italien",
                "fees": "Timbre fiscal de 16,00 euros pour les publications (un par mairie si vous résidez dans des communes différentes)\nTarif de la salle pour la cérémonie civile fixé par la mairie",
                "where_to_go": "Service de l'état civil de la mairie où réside l'un des époux, sur rendez-vous.",
            },
            "es": {
                "title": "Matrimonio de ciudadano extranjero en Italia",
                "short_title": "Matrimonio",
                "summary": "Los documentos para las amonestaciones y la ceremonia cuando uno o ambos contrayentes son extranjeros.",
                "documents": "Pasaporte válido de ambos contrayentes\nCertificado de capacidad matrimonial del consulado (art. 116 del Código Civil), legalizado\nPartida de nacimiento, si se pide, traducida y legalizada\nSentencia de divorcio o certificado de defunción del cónyuge anterior, si hubo matrimonios anteriores\nDocumento del intérprete, si uno de los contrayentes no habla italiano",
                "fees": "Timbre fiscal de 16,00 euros para las amonestaciones (uno por Ayuntamiento si residen en municipios distintos)\nTarifa de la sala para la ceremonia civil según el Ayuntamiento",
                "where_to_go": "Registro civil del Ayuntamiento donde reside uno de los contrayentes, con cita previa.",
            },
        },
    ),
}
