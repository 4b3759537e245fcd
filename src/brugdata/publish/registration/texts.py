"""The words of the registration template and the codebook page, in Dutch and English."""

from __future__ import annotations

from typing import Any

__all__ = ["TEXTS"]

TEXTS: dict[str, dict[str, Any]] = {
    "nl": {
        "title": "Registratie brugfunctionaris",
        "instructions_sheet": "instructie",
        "lists_sheet": "lijsten",
        "sheet": "Tabblad",
        "column": "kolom",
        "required": "verplicht",
        "explanation": "uitleg",
        "yes": "ja",
        "no": "nee",
        "pilot": "Pilot",
        "school_year": "Schooljaar",
        "schools": "Scholen",
        "officers": "Functionarissen",
        "partners": "Partners",
        "extra_theme": "Nog een thema (mag leeg blijven).",
        "how": (
            "Vul per tabblad één regel in per contactmoment (contacten), per activiteit "
            "(activiteiten), per taak (tijdsbesteding) of per partnerorganisatie waarmee u "
            "samenwerkt (ketenpartners). De eerste regel met de kolomnamen niet veranderen; "
            "geen regels of kolommen boven de kolomnamen invoegen.",
            "Kies codes uit de keuzelijst in de cel. Datums als dd-mm-jjjj, niet in de "
            "toekomst. Meer dan één thema: gebruik thema 2 en thema 3.",
            "Schrijf nooit een naam, adres, telefoonnummer of BSN in het werkboek. Gebruik bij "
            "persoon en gezin een eigen code (bijv. G12); brugdata vervangt die bij inlezen "
            "door een pseudoniem. Namen in notities worden bij inlezen weggelakt.",
            "Lever het werkboek in bij de onderzoeker of lees het in met: "
            "brugdata validate registratie.xlsx.",
        ),
        "from_store": "De keuzelijsten van school, functionaris en partner komen uit de "
        "gegevensbank van de pilot; staat een code er niet in, vraag de onderzoeker hem toe "
        "te voegen.",
        "not_in_list_title": "Geen keuze uit de lijst",
        "not_in_list": "Kies een waarde uit de keuzelijst.",
        "not_in_store": "Deze code staat niet in de lijst. Toch gebruiken?",
        "bad_date_title": "Geen geldige datum",
        "bad_date": "Vul een datum in tussen {low} en {high} (dd-mm-jjjj).",
        "bad_number": "Vul een getal in van {low} tot en met {high}.",
    },
    "en": {
        "title": "Brugfunctionaris registration",
        "instructions_sheet": "instructions",
        "lists_sheet": "lists",
        "sheet": "Sheet",
        "column": "column",
        "required": "required",
        "explanation": "explanation",
        "yes": "yes",
        "no": "no",
        "pilot": "Pilot",
        "school_year": "School year",
        "schools": "Schools",
        "officers": "Officers",
        "partners": "Partners",
        "extra_theme": "Another theme (may stay empty).",
        "how": (
            "On each sheet fill in one row per contact (contacts), per activity (activities), "
            "per task (time use) or per partner organisation you work with (partners). Do not "
            "change the first row with the column names; do not insert rows or columns above "
            "it.",
            "Pick codes from the drop-down list in the cell. Dates as dd-mm-yyyy, not in the "
            "future. More than one theme: use theme 2 and theme 3.",
            "Never write a name, address, phone number or citizen service number in the "
            "workbook. For person and family use a code of your own (e.g. G12); brugdata "
            "replaces it by a pseudonym when reading. Names in notes are redacted on reading.",
            "Hand the workbook to the researcher, or read it with: "
            "brugdata validate registration.xlsx.",
        ),
        "from_store": "The drop-down lists of school, officer and partner come from the "
        "pilot's store; if a code is missing, ask the researcher to add it.",
        "not_in_list_title": "Not a choice from the list",
        "not_in_list": "Pick a value from the drop-down list.",
        "not_in_store": "This code is not in the list. Use it anyway?",
        "bad_date_title": "Not a valid date",
        "bad_date": "Enter a date between {low} and {high} (dd-mm-yyyy).",
        "bad_number": "Enter a number from {low} to {high}.",
    },
}
