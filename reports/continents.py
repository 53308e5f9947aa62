"""ISO 3166-1 alpha-2 country → continent, for 'foreign nationals by continent'.

A vetted table we ship rather than a dependency: the packages that do this on PyPI are
unmaintained. Continents follow the seven-continent convention of the UN geoscheme
(Americas split at Panama/Colombia; Russia and Turkey in Europe, Cyprus in Asia, as
Eurostat and ISTAT publish them; Caribbean and Central America in North America).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

CONTINENT_NAMES = {
    "AF": _("Africa"),
    "AN": _("Antarctica"),
    "AS": _("Asia"),
    "EU": _("Europe"),
    "NA": _("North and Central America"),
    "OC": _("Oceania"),
    "SA": _("South America"),
    "": _("Unknown"),
}

_BY_CONTINENT = {
    "AF": "AO BF BI BJ BW CD CF CG CI CM CV DJ DZ EG EH ER ET GA GH GM GN GQ GW IO KE KM LR LS LY MA MG ML MR MU "
    "MW MZ NA NE NG RE RW SC SD SH SL SN SO SS ST SZ TD TF TG TN TZ UG YT ZA ZM ZW",
    "AN": "AQ BV GS HM",
    "AS": "AE AF AM AZ BD BH BN BT CC CN CX CY GE HK ID IL IN IQ IR JO JP KG KH KP KR KW KZ LA LB LK MM MN MO MV "
    "MY NP OM PH PK PS QA SA SG SY TH TJ TL TM TW UZ VN YE",
    "EU": "AD AL AT AX BA BE BG BY CH CZ DE DK EE ES FI FO FR GB GG GI GR HR HU IE IM IS IT JE LI LT LU LV MC MD "
    "ME MK MT NL NO PL PT RO RS RU SE SI SJ SK SM TR UA VA XK",
    "NA": "AG AI AW BB BL BM BQ BS BZ CA CR CU CW DM DO GD GL GP GT HN HT JM KN KY LC MF MQ MS MX NI PA PM PR SV "
    "SX TC TT UM US VC VG VI",
    "OC": "AS AU CK FJ FM GU KI MH MP NC NF NR NU NZ PF PG PN PW SB TK TO TV VU WF WS",
    "SA": "AR BO BR CL CO EC FK GF GY PE PY SR UY VE",
}

COUNTRY_TO_CONTINENT: dict[str, str] = {
    country: continent for continent, countries in _BY_CONTINENT.items() for country in countries.split()
}


def continent_of(country: str) -> str:
    """The continent code of an ISO alpha-2 country, '' when unknown."""
    return COUNTRY_TO_CONTINENT.get((country or "").upper(), "")
