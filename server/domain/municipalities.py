"""Municipalities' names in the resident's language.

Apuri keeps a municipality by its Finnish name. In Swedish, a municipality with an official Swedish name is called
by it (Kajaani is Kajana, Oulu Uleåborg); the rest keep their Finnish name, as do all in English. The table holds
the official Swedish names that differ from the Finnish ones (the bilingual municipalities and the Finnish-speaking
ones with an established Swedish name, as the Institute for the Languages of Finland lists them), with Åland's
Mariehamn the other way round. No library on the package index keeps this list; it changes only when
municipalities merge.
"""

from __future__ import annotations

SWEDISH: dict[str, str] = {
    "Enontekiö": "Enontekis",
    "Espoo": "Esbo",
    "Eurajoki": "Euraåminne",
    "Hailuoto": "Karlö",
    "Hamina": "Fredrikshamn",
    "Hanko": "Hangö",
    "Helsinki": "Helsingfors",
    "Hyvinkää": "Hyvinge",
    "Hämeenkyrö": "Tavastkyro",
    "Hämeenlinna": "Tavastehus",
    "Ii": "Ijo",
    "Iisalmi": "Idensalmi",
    "Ikaalinen": "Ikalis",
    "Inari": "Enare",
    "Inkoo": "Ingå",
    "Isokyrö": "Storkyro",
    "Järvenpää": "Träskända",
    "Kaarina": "S:t Karins",
    "Kajaani": "Kajana",
    "Karkkila": "Högfors",
    "Kaskinen": "Kaskö",
    "Kauniainen": "Grankulla",
    "Kemiönsaari": "Kimitoön",
    "Kerava": "Kervo",
    "Kirkkonummi": "Kyrkslätt",
    "Kokemäki": "Kumo",
    "Kokkola": "Karleby",
    "Koski Tl": "Koskis",
    "Kristiinankaupunki": "Kristinestad",
    "Kruunupyy": "Kronoby",
    "Kustavi": "Gustavs",
    "Lahti": "Lahtis",
    "Laihia": "Laihela",
    "Laitila": "Letala",
    "Lapinjärvi": "Lappträsk",
    "Lappeenranta": "Villmanstrand",
    "Lapua": "Lappo",
    "Lieto": "Lundo",
    "Liminka": "Limingo",
    "Lohja": "Lojo",
    "Loviisa": "Lovisa",
    "Luoto": "Larsmo",
    "Maalahti": "Malax",
    "Maarianhamina": "Mariehamn",
    "Marttila": "S:t Mårtens",
    "Merikarvia": "Sastmola",
    "Mikkeli": "S:t Michel",
    "Mustasaari": "Korsholm",
    "Mynämäki": "Virmo",
    "Myrskylä": "Mörskom",
    "Naantali": "Nådendal",
    "Nousiainen": "Nousis",
    "Närpiö": "Närpes",
    "Oulu": "Uleåborg",
    "Paimio": "Pemar",
    "Parainen": "Pargas",
    "Pedersören kunta": "Pedersöre",
    "Pietarsaari": "Jakobstad",
    "Pomarkku": "Påmark",
    "Pori": "Björneborg",
    "Pornainen": "Borgnäs",
    "Porvoo": "Borgå",
    "Pyhtää": "Pyttis",
    "Pöytyä": "Pöytis",
    "Raahe": "Brahestad",
    "Raasepori": "Raseborg",
    "Raisio": "Reso",
    "Rauma": "Raumo",
    "Sauvo": "Sagu",
    "Savonlinna": "Nyslott",
    "Sipoo": "Sibbo",
    "Siuntio": "Sjundeå",
    "Taivassalo": "Tövsala",
    "Tampere": "Tammerfors",
    "Teuva": "Östermark",
    "Tornio": "Torneå",
    "Turku": "Åbo",
    "Tuusula": "Tusby",
    "Ulvila": "Ulvsby",
    "Uusikaarlepyy": "Nykarleby",
    "Uusikaupunki": "Nystad",
    "Vaasa": "Vasa",
    "Vantaa": "Vanda",
    "Vihti": "Vichtis",
    "Virolahti": "Vederlax",
    "Vöyri": "Vörå",
    "Ylitornio": "Övertorneå",
}
_BY_SWEDISH = {swedish.casefold(): finnish for finnish, swedish in SWEDISH.items()}


def municipality_name(finnish: str, language: str) -> str:
    """The municipality as it is called in `language` (Swedish: its official Swedish name, when it has one)."""
    if language == "sv":
        return SWEDISH.get(finnish, finnish)
    return finnish


def finnish_name(name: str) -> str:
    """The Finnish name Apuri keeps for a municipality named in either language ("Kajana" → "Kajaani")."""
    return _BY_SWEDISH.get(name.strip().casefold(), name.strip())
