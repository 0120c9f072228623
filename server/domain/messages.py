"""The words of every SMS and push: default templates per message and language, the one way times and places
are written, and rendering.

Residents are often older people who have been told never to trust a text message. So messages are short,
plain and the same every time; they carry no topic, health or bank details (SMS bodies sit in the operator's
logs), no link unless the network coordinator wants one, and the resident's own code word when they chose one.
The defaults stay in GSM-7 (å, ä and ö are fine; typographic quotes and dashes are not), so one message is one
160-character segment where possible.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from babel.dates import format_datetime

from server.domain.clocktime import HELSINKI
from server.domain.municipalities import municipality_name
from server.domain.network import Translations, in_language

LANGUAGES = ("fi", "sv", "en")
MAX_TEMPLATE_LENGTH = 480

# One way to write a time, everywhere (SMS, push, the app): weekday, date, clock in Helsinki time.
_WHEN = {
    "fi": ("fi", "cccccc d.M. 'klo' H.mm"),
    "sv": ("sv_FI", "ccc d.M. 'kl.' H.mm"),
    "en": ("en_GB", "EEE d MMM 'at' H.mm"),
}

_REMOTE_PLACE = {
    "phone": {
        "fi": "puhelimitse: avustaja soittaa sinulle",
        "sv": "per telefon: hjälparen ringer dig",
        "en": "by phone: your helper calls you",
    },
    "video": {"fi": "videopuheluna", "sv": "som videosamtal", "en": "as a video call"},
    "home_visit": {"fi": "kotikäynti", "sv": "hembesök", "en": "home visit"},
}

# The same ways told to the helper: by phone, it is they who call.
_HELPER_REMOTE = {
    "phone": {
        "fi": "puhelimitse: soitat asukkaalle",
        "sv": "per telefon: du ringer invånaren",
        "en": "by phone: you call the resident",
    },
}

_CODE_WORD = {"fi": "Tunnussanasi: {}", "sv": "Ditt kodord: {}", "en": "Your code word: {}"}

# The first SMS a new resident gets names the privacy notice (no link: messages are link-free; the host is
# named, as in the sign-in code, and the helpline for those without a browser).
PRIVACY_LINE = {
    "fi": "Tietosuojaseloste: {host} tai soita {helpline}.",
    "sv": "Dataskyddsbeskrivning: {host} eller ring {helpline}.",
    "en": "Privacy notice: {host} or call {helpline}.",
}

# For a resident who gave no first name (booked by phone, or on a landline): never "Resident: , topic: …".
NO_NAME = {"fi": "nimi ei tiedossa", "sv": "namn okänt", "en": "name not given"}

# The SMS for a push planned before pushes carried their own SMS wording (nothing about the session in it).
PUSH_FALLBACK = {
    "fi": "Apuri: Sinulle on uusi ilmoitus Apurissa. Avaa Apuri nähdäksesi sen.",
    "sv": "Apuri: Du har ett nytt meddelande i Apuri. Öppna Apuri för att se det.",
    "en": "Apuri: You have a new notice in Apuri. Open Apuri to see it.",
}

# The placeholders each kind of template may use (checked when a coordinator saves one).
RESIDENT_FIELDS = frozenset({"when", "place", "volunteer", "helpline", "link"})
VOLUNTEER_FIELDS = frozenset({"when", "place", "resident", "topic", "helpline", "link"})
# A volunteer's SMS names no topic and no resident (SMS bodies sit in the operator's logs); the app has both.
VOLUNTEER_SMS_FIELDS = frozenset({"when", "place", "helpline", "link"})
REPLY_FIELDS = frozenset({"when", "place", "options", "helpline", "link"})
APPLICANT_FIELDS = frozenset({"organisation", "helpline", "link"})
REFERRAL_FIELDS = frozenset({"organisation", "helpline", "link"})
VOICE_FIELDS = frozenset({"when", "place", "options", "name", "digit", "helpline", "bring", "organisation", "position"})

DEFAULTS: Mapping[str, Mapping[str, str]] = {
    "resident.confirmation": {
        "fi": "Apuri: Sinulle on varattu digitukiaika {when}. Paikka: {place}. Avustaja: {volunteer}.\n"
        "Jos et pääse, vastaa PERU tai soita {helpline}.\nOmat aikasi: {link}",
        "sv": "Apuri: Du har en tid för digitalt stöd {when}. Plats: {place}. Hjälpare: {volunteer}.\n"
        "Om du inte kan komma, svara AVBOKA eller ring {helpline}.\nDina tider: {link}",
        "en": "Apuri: Your digital help is booked for {when}. Place: {place}. Helper: {volunteer}.\n"
        "If you cannot come, reply CANCEL or call {helpline}.\nYour times: {link}",
    },
    "resident.reminder_24h": {
        "fi": "Apuri muistuttaa: digitukiaika {when}. Paikka: {place}.\n"
        "Vastaa KYLLÄ, jos tulet, tai PERU, jos et pääse. Kysyttävää: {helpline}",
        "sv": "Apuri påminner: tid för digitalt stöd {when}. Plats: {place}.\n"
        "Svara JA om du kommer eller AVBOKA om du inte kan. Frågor: {helpline}",
        "en": "Apuri reminder: digital help {when}. Place: {place}.\n"
        "Reply YES if you are coming or CANCEL if you cannot. Questions: {helpline}",
    },
    "resident.reminder_2h": {
        "fi": "Apuri muistuttaa: digitukiaika {when}. Paikka: {place}. Jos et pääse, vastaa PERU tai soita {helpline}.",
        "sv": "Apuri påminner: digitalt stöd {when}. Plats: {place}. Om du inte kan, svara AVBOKA eller ring "
        "{helpline}.",
        "en": "Apuri reminder: digital help {when}. Place: {place}. If you cannot come, reply CANCEL or call "
        "{helpline}.",
    },
    "resident.moved": {
        "fi": "Apuri: Digitukiaikasi on siirretty. Uusi aika: {when}. Paikka: {place}.\n"
        "Jos et pääse, vastaa PERU tai soita {helpline}.",
        "sv": "Apuri: Din tid har flyttats. Ny tid: {when}. Plats: {place}.\n"
        "Om du inte kan komma, svara AVBOKA eller ring {helpline}.",
        "en": "Apuri: Your time has been moved. New time: {when}. Place: {place}.\n"
        "If you cannot come, reply CANCEL or call {helpline}.",
    },
    "resident.cancelled": {
        "fi": "Apuri: Digitukiaikasi {when} on peruttu. Uuden ajan saat soittamalla {helpline}.\nTai varaa: {link}",
        "sv": "Apuri: Din tid {when} är avbokad. En ny tid får du genom att ringa {helpline}.\nEller boka: {link}",
        "en": "Apuri: Your time {when} has been cancelled. For a new time, call {helpline}.\nOr book: {link}",
    },
    # "Call me when someone can help": the request is in, and what happens next (sent at once, also at night:
    # the resident has just asked).
    "resident.request_received": {
        "fi": "Apuri: Saimme avunpyyntösi. Avustaja soittaa sinulle, kun joku ehtii. "
        "Jos et enää tarvitse apua, soita {helpline}.",
        "sv": "Apuri: Vi har fått din begäran om hjälp. En hjälpare ringer dig när någon har tid. "
        "Om du inte längre behöver hjälp, ring {helpline}.",
        "en": "Apuri: We have your request for help. A helper will call you when someone is free. "
        "If you no longer need help, call {helpline}.",
    },
    # A coordinator passed the request to a partner: who will help, and that they will be in touch (link-free).
    "resident.referred": {
        "fi": "Apuri: Avunpyyntösi on välitetty: {organisation}. He ottavat sinuun yhteyttä. "
        "Kysyttävää? Soita {helpline}.",
        "sv": "Apuri: Din begäran om hjälp har skickats vidare till {organisation}. De kontaktar dig. "
        "Frågor? Ring {helpline}.",
        "en": "Apuri: Your request for help has been passed to {organisation}. They will contact you. "
        "Questions? Call {helpline}.",
    },
    "resident.feedback_request": {
        "fi": "Apuri: Kiitos käynnistä! Miten onnistuimme? Vastaa numerolla 1-5 (5 = erittäin hyvin).",
        "sv": "Apuri: Tack för besöket! Hur lyckades vi? Svara med en siffra 1-5 (5 = mycket bra).",
        "en": "Apuri: Thank you for coming! How did we do? Reply with a number 1-5 (5 = very well).",
    },
    "volunteer.new_session": {
        "fi": "Uusi digitukiaika {when}: {place}. Asukas: {resident}, aihe: {topic}.",
        "sv": "Ny tid {when}: {place}. Invånare: {resident}, ämne: {topic}.",
        "en": "New session {when}: {place}. Resident: {resident}, topic: {topic}.",
    },
    "volunteer.reminder_24h": {
        "fi": "Muistutus: digitukiaika {when}, {place}. Asukas: {resident}, aihe: {topic}.",
        "sv": "Påminnelse: tid {when}, {place}. Invånare: {resident}, ämne: {topic}.",
        "en": "Reminder: session {when}, {place}. Resident: {resident}, topic: {topic}.",
    },
    "volunteer.reminder_1h": {
        "fi": "Digitukiaika alkaa pian: {when}, {place}. Asukas: {resident}.",
        "sv": "Tiden börjar snart: {when}, {place}. Invånare: {resident}.",
        "en": "Session soon: {when}, {place}. Resident: {resident}.",
    },
    "volunteer.moved": {
        "fi": "Aika on siirretty: nyt {when}, {place}. Asukas: {resident}.",
        "sv": "Tiden har flyttats: nu {when}, {place}. Invånare: {resident}.",
        "en": "Session moved: now {when}, {place}. Resident: {resident}.",
    },
    "volunteer.cancelled": {
        "fi": "Aika {when} on peruttu. Sinun ei tarvitse tulla.",
        "sv": "Tiden {when} är avbokad. Du behöver inte komma.",
        "en": "The session {when} has been cancelled. You do not need to come.",
    },
    "volunteer.released": {
        "fi": "Aika {when} siirtyi toiselle avustajalle, koska asukas vaihtoi aikaa. Sinun ei tarvitse tulla.",
        "sv": "Tiden {when} gick till en annan hjälpare när invånaren bytte tid. Du behöver inte komma.",
        "en": "The session {when} went to another helper when the resident changed the time. You need not come.",
    },
    "volunteer.offer": {
        "fi": "Uusi avunpyyntö: {topic}, {place}. Ehditkö auttaa? Avaa Apuri ja vastaa.",
        "sv": "Ny begäran om hjälp: {topic}, {place}. Har du tid? Öppna Apuri och svara.",
        "en": "New request for help: {topic}, {place}. Can you help? Open Apuri to answer.",
    },
    "volunteer.offer_sms": {
        "fi": "Apuri: Sinulle on avunpyyntö ({place}). Vastaa Apurissa puolen tunnin sisällä.\n{link}",
        "sv": "Apuri: Du har en begäran om hjälp ({place}). Svara i Apuri inom en halvtimme.\n{link}",
        "en": "Apuri: A request for help is waiting for you ({place}). Answer in Apuri within half an hour.\n{link}",
    },
    "volunteer.shift_reminder": {
        "fi": "Muistutus: päivystysvuorosi {when}, {place}. Jos et pääse, luovu vuorosta Apurissa.",
        "sv": "Påminnelse: ditt jourpass {when}, {place}. Om du inte kan komma, lämna passet i Apuri.",
        "en": "Reminder: your drop-in shift {when}, {place}. If you cannot come, give it up in Apuri.",
    },
    "volunteer.shift_reminder_sms": {
        "fi": "Apuri: Muistutus: päivystysvuorosi {when}, {place}. Jos et pääse, luovu vuorosta Apurissa.\n{link}",
        "sv": "Apuri: Påminnelse: ditt jourpass {when}, {place}. Om du inte kan komma, lämna passet i Apuri.\n{link}",
        "en": "Apuri: Reminder: your drop-in shift {when}, {place}. If you cannot come, give it up in Apuri.\n{link}",
    },
    "volunteer.shift_removed": {
        "fi": "Päivystysvuorosi {when}, {place}, on peruttu: päivystystä ei sinä päivänä ole. Kiitos, että lupauduit!",
        "sv": "Ditt jourpass {when}, {place}, är inställt: ingen jour den dagen. Tack för att du ställde upp!",
        "en": "Your drop-in shift {when}, {place}, is off: there is no drop-in hour that day. Thank you for offering!",
    },
    "volunteer.shift_removed_sms": {
        "fi": "Apuri: Päivystysvuorosi {when}, {place}, on peruttu: päivystystä ei sinä päivänä ole.",
        "sv": "Apuri: Ditt jourpass {when}, {place}, är inställt: ingen jour den dagen.",
        "en": "Apuri: Your drop-in shift {when}, {place}, is off: there is no drop-in hour that day.",
    },
    # What a volunteer gets by SMS when a push cannot be delivered: no topic, no resident's name.
    "volunteer.new_session_sms": {
        "fi": "Apuri: Sinulle on uusi digitukiaika {when}: {place}. Tiedot ovat Apurissa.\n{link}",
        "sv": "Apuri: Du har en ny tid {when}: {place}. Detaljerna finns i Apuri.\n{link}",
        "en": "Apuri: You have a new session {when}: {place}. The details are in Apuri.\n{link}",
    },
    "volunteer.reminder_24h_sms": {
        "fi": "Apuri muistuttaa: digitukiaika {when}, {place}. Tiedot ovat Apurissa.\n{link}",
        "sv": "Apuri påminner: tid {when}, {place}. Detaljerna finns i Apuri.\n{link}",
        "en": "Apuri reminder: session {when}, {place}. The details are in Apuri.\n{link}",
    },
    "volunteer.reminder_1h_sms": {
        "fi": "Apuri: Digitukiaika alkaa pian: {when}, {place}.",
        "sv": "Apuri: Tiden börjar snart: {when}, {place}.",
        "en": "Apuri: Your session starts soon: {when}, {place}.",
    },
    "volunteer.moved_sms": {
        "fi": "Apuri: Aika on siirretty: nyt {when}, {place}. Tiedot ovat Apurissa.\n{link}",
        "sv": "Apuri: Tiden har flyttats: nu {when}, {place}. Detaljerna finns i Apuri.\n{link}",
        "en": "Apuri: Session moved: now {when}, {place}. The details are in Apuri.\n{link}",
    },
    "volunteer.cancelled_sms": {
        "fi": "Apuri: Aika {when} on peruttu. Sinun ei tarvitse tulla.",
        "sv": "Apuri: Tiden {when} är avbokad. Du behöver inte komma.",
        "en": "Apuri: The session {when} has been cancelled. You do not need to come.",
    },
    "volunteer.released_sms": {
        "fi": "Apuri: Aika {when} siirtyi toiselle avustajalle, koska asukas vaihtoi aikaa. Sinun ei tarvitse tulla.",
        "sv": "Apuri: Tiden {when} gick till en annan hjälpare när invånaren bytte tid. Du behöver inte komma.",
        "en": "Apuri: The session {when} went to another helper when the resident changed the time. You need not come.",
    },
    "applicant.approved": {
        "fi": "Apuri: Tervetuloa vapaaehtoiseksi, {organisation}! Kirjaudu Apuriin ja kerro, missä ja milloin voit "
        "auttaa.\n{link}",
        "sv": "Apuri: Välkommen som frivillig, {organisation}! Logga in i Apuri och berätta var och när du kan "
        "hjälpa.\n{link}",
        "en": "Apuri: Welcome as a volunteer with {organisation}! Sign in to Apuri and say where and when you can "
        "help.\n{link}",
    },
    "applicant.declined": {
        "fi": "Apuri: Kiitos, että halusit auttaa. {organisation} ei voi nyt ottaa uusia vapaaehtoisia. "
        "Kysyttävää: {helpline}",
        "sv": "Apuri: Tack för att du ville hjälpa. {organisation} kan inte ta emot nya frivilliga nu. "
        "Frågor: {helpline}",
        "en": "Apuri: Thank you for offering to help. {organisation} cannot take new volunteers just now. "
        "Questions: {helpline}",
    },
    "reply.confirmed": {
        "fi": "Apuri: Kiitos! Tervetuloa {when}, {place}.",
        "sv": "Apuri: Tack! Välkommen {when}, {place}.",
        "en": "Apuri: Thank you! See you {when}, {place}.",
    },
    "reply.cancelled": {
        "fi": "Apuri: Aikasi {when} on peruttu. Uuden ajan saat soittamalla {helpline}.",
        "sv": "Apuri: Din tid {when} är avbokad. En ny tid får du genom att ringa {helpline}.",
        "en": "Apuri: Your time {when} is cancelled. For a new time, call {helpline}.",
    },
    "reply.too_late": {
        "fi": "Apuri: Aikasi {when} on jo alkanut, joten sitä ei voi enää perua viestillä. Soita {helpline}.",
        "sv": "Apuri: Din tid {when} har redan börjat och kan inte avbokas med sms. Ring {helpline}.",
        "en": "Apuri: Your time {when} has already started, so it cannot be cancelled by text. Call {helpline}.",
    },
    "reply.feedback": {
        "fi": "Apuri: Kiitos palautteestasi!",
        "sv": "Apuri: Tack för din respons!",
        "en": "Apuri: Thank you for your feedback!",
    },
    "reply.stopped": {
        "fi": "Apuri: Et saa enää tekstiviestejä Apurilta. Jos haluat ne takaisin, vastaa START. Apua: {helpline}",
        "sv": "Apuri: Du får inte längre sms från Apuri. Svara START om du vill ha dem igen. Hjälp: {helpline}",
        "en": "Apuri: You will get no more texts from Apuri. Reply START to get them again. Help: {helpline}",
    },
    "reply.started": {
        "fi": "Apuri: Saat taas tekstiviestejä Apurilta.",
        "sv": "Apuri: Du får sms från Apuri igen.",
        "en": "Apuri: You will get texts from Apuri again.",
    },
    "reply.unclear": {
        "fi": "Apuri: Kiitos viestistä. Välitimme sen koordinaattorille. Voit myös soittaa {helpline}.",
        "sv": "Apuri: Tack för meddelandet. Vi har skickat det till koordinatorn. Du kan också ringa {helpline}.",
        "en": "Apuri: Thank you for your message. We passed it to a coordinator. You can also call {helpline}.",
    },
    "reply.already_cancelled": {
        "fi": "Apuri: Aikasi {when} on jo peruttu. Uuden ajan saat soittamalla {helpline}.",
        "sv": "Apuri: Din tid {when} är redan avbokad. En ny tid får du genom att ringa {helpline}.",
        "en": "Apuri: Your time {when} is already cancelled. For a new time, call {helpline}.",
    },
    "reply.which_cancel": {
        "fi": "Apuri: Sinulla on useampi aika. Minkä haluat perua?\n{options}\nVastaa numerolla, esim. 1. "
        "Kysyttävää: {helpline}",
        "sv": "Apuri: Du har flera tider. Vilken vill du avboka?\n{options}\nSvara med numret, t.ex. 1. "
        "Frågor: {helpline}",
        "en": "Apuri: You have more than one time. Which one do you want to cancel?\n{options}\nReply with its "
        "number, e.g. 1. Questions: {helpline}",
    },
    "reply.which_confirm": {
        "fi": "Apuri: Sinulla on useampi aika. Minkä ajan vahvistat?\n{options}\nVastaa numerolla, esim. 1.",
        "sv": "Apuri: Du har flera tider. Vilken tid bekräftar du?\n{options}\nSvara med numret, t.ex. 1.",
        "en": "Apuri: You have more than one time. Which one are you confirming?\n{options}\nReply with its "
        "number, e.g. 1.",
    },
    "reply.text_where": {
        "fi": "Apuri: Autamme mielellämme. Missä kunnassa asut? Vastaa kunnan nimellä. Jos haluat, että "
        "avustaja soittaa sinulle, vastaa SOITA.",
        "sv": "Apuri: Vi hjälper gärna. I vilken kommun bor du? Svara med kommunens namn. Vill du att en "
        "hjälpare ringer dig, svara RING.",
        "en": "Apuri: We are glad to help. Which municipality do you live in? Reply with its name. For a "
        "helper to call you, reply CALL.",
    },
    "reply.text_times": {
        "fi": "Apuri: Vapaat ajat, {place}:\n{options}\nVastaa {numbers}. Vastaa SOITA, niin avustaja soittaa sinulle.",
        "sv": "Apuri: Lediga tider, {place}:\n{options}\nSvara {numbers}. Svara RING, så ringer en hjälpare dig.",
        "en": "Apuri: Free times, {place}:\n{options}\nReply {numbers}. Reply CALL and a helper will call you.",
    },
    "reply.text_taken": {
        "fi": "Apuri: Joku ehti varata sen ajan. Nämä ovat vapaina, {place}:\n{options}\nVastaa {numbers}, tai SOITA.",
        "sv": "Apuri: Någon hann boka den tiden. De här är lediga, {place}:\n{options}\nSvara {numbers}, eller RING.",
        "en": "Apuri: Someone has just booked that time. These are free, {place}:\n{options}\nReply {numbers}, or "
        "CALL.",
    },
    "reply.text_busy": {
        "fi": "Apuri: Sinulla on jo aika {when}. Valitse toinen aika vastaamalla sen numerolla, tai vastaa SOITA.",
        "sv": "Apuri: Du har redan en tid {when}. Välj en annan tid genom att svara med dess nummer, eller svara RING.",
        "en": "Apuri: You already have a time {when}. Choose another time by replying with its number, or reply CALL.",
    },
    "reply.text_expired": {
        "fi": "Apuri: Ne ajat eivät ole enää voimassa, eikä mitään varattu. Kerro uudella viestillä, missä tarvitset "
        "apua, tai soita {helpline}.",
        "sv": "Apuri: De tiderna gäller inte längre, och inget har bokats. Skriv ett nytt meddelande om vad du behöver "
        "hjälp med, eller ring {helpline}.",
        "en": "Apuri: Those times are no longer valid, and nothing was booked. Send a new message saying what you need "
        "help with, or call {helpline}.",
    },
    "reply.text_no_times": {
        "fi": "Apuri: Vapaita aikoja ei nyt löytynyt. Koordinaattori soittaa sinulle arkipäivänä. Voit myös soittaa "
        "{helpline}.",
        "sv": "Apuri: Inga lediga tider hittades nu. En koordinator ringer dig på en vardag. Du kan också ringa "
        "{helpline}.",
        "en": "Apuri: No free times were found now. A coordinator will call you on a working day. You can also call "
        "{helpline}.",
    },
    "reply.text_call": {
        "fi": "Apuri: Avustaja soittaa sinulle arkipäivänä mahdollisimman pian.",
        "sv": "Apuri: En hjälpare ringer dig så snart som möjligt på en vardag.",
        "en": "Apuri: A helper will call you as soon as possible on a working day.",
    },
    "reply.text_routed": {
        "fi": "Apuri: Tässä asiassa sinua auttaa {organisation}. He ottavat sinuun yhteyttä.",
        "sv": "Apuri: I det här ärendet hjälper {organisation} dig. De kontaktar dig.",
        "en": "Apuri: {organisation} helps with this. They will contact you.",
    },
    "reply.drop_in": {
        "fi": "Apuri: Digitukea ilman ajanvarausta, tule paikalle:\n{options}\nAjan voit varata soittamalla "
        "{helpline}.",
        "sv": "Apuri: Digitalt stöd utan tidsbokning, kom på plats:\n{options}\nEn tid kan du boka genom att ringa "
        "{helpline}.",
        "en": "Apuri: Digital help without booking, just come:\n{options}\nTo book a time, call {helpline}.",
    },
    "reply.no_drop_in": {
        "fi": "Apuri: Digitukea ilman ajanvarausta ei ole tiedossa lähiviikkoina. Ajan voit varata soittamalla "
        "{helpline}.",
        "sv": "Apuri: Inget digitalt stöd utan tidsbokning de närmaste veckorna. En tid kan du boka genom att ringa "
        "{helpline}.",
        "en": "Apuri: No digital help without booking in the next few weeks. To book a time, call {helpline}.",
    },
    "reply.no_session": {
        "fi": "Apuri: Sinulla ei ole tulevia aikoja. Ajan saat soittamalla {helpline}.",
        "sv": "Apuri: Du har inga kommande tider. En tid får du genom att ringa {helpline}.",
        "en": "Apuri: You have no upcoming times. To book one, call {helpline}.",
    },
    # Group sessions (a digikahvila, a course): a place, the waitlist, a freed place held for the first in line.
    "resident.event_confirmed": {
        "fi": "Apuri: Sinulla on paikka ryhmätapaamisessa {when}. Paikka: {place}.\n"
        "Jos et pääse, vastaa PERU tai soita {helpline}.\n{link}",
        "sv": "Apuri: Du har en plats i gruppträffen {when}. Plats: {place}.\n"
        "Om du inte kan komma, svara AVBOKA eller ring {helpline}.\n{link}",
        "en": "Apuri: You have a place in the group session {when}. Place: {place}.\n"
        "If you cannot come, reply CANCEL or call {helpline}.\n{link}",
    },
    "resident.event_waitlisted": {
        "fi": "Apuri: Ryhmätapaaminen {when} on täynnä. Olet jonossa sijalla {position}. Jos paikka vapautuu, "
        "saat viestin.\nJos et halua jonottaa, vastaa PERU.",
        "sv": "Apuri: Gruppträffen {when} är full. Du står i kö som nummer {position}. Om en plats blir ledig får "
        "du ett meddelande.\nOm du inte vill köa, svara AVBOKA.",
        "en": "Apuri: The group session {when} is full. You are number {position} on the waiting list. If a "
        "place frees up, we will text you.\nTo leave the list, reply CANCEL.",
    },
    "resident.event_place_offered": {
        "fi": "Apuri: Ryhmätapaamisessa {when} vapautui paikka sinulle. Paikka: {place}.\n"
        "Vastaa 1, jos otat paikan, tai 2, jos et. Paikka on varattu sinulle {until} asti.",
        "sv": "Apuri: En plats i gruppträffen {when} har blivit ledig för dig. Plats: {place}.\n"
        "Svara 1 om du tar platsen, eller 2 om inte. Platsen hålls åt dig till {until}.",
        "en": "Apuri: A place in the group session {when} is free for you. Place: {place}.\n"
        "Reply 1 to take it, or 2 if not. It is held for you until {until}.",
    },
    "resident.event_reminder": {
        "fi": "Apuri: Muistutus: ryhmätapaaminen {when}. Paikka: {place}.\nJos et pääse, vastaa PERU tai soita "
        "{helpline}.",
        "sv": "Apuri: Påminnelse: gruppträffen {when}. Plats: {place}.\nOm du inte kan komma, svara AVBOKA eller "
        "ring {helpline}.",
        "en": "Apuri: Reminder: the group session {when}. Place: {place}.\nIf you cannot come, reply CANCEL or "
        "call {helpline}.",
    },
    "resident.event_cancelled": {
        "fi": "Apuri: Ryhmätapaaminen {when} on valitettavasti peruttu. Kysyttävää? Soita {helpline}.",
        "sv": "Apuri: Gruppträffen {when} har tyvärr ställts in. Frågor? Ring {helpline}.",
        "en": "Apuri: The group session {when} has been cancelled, we are sorry. Questions? Call {helpline}.",
    },
    "resident.event_moved": {
        "fi": "Apuri: Ryhmätapaamisesi aika tai paikka muuttui. Uusi aika: {when}. Paikka: {place}.\n"
        "Jos et pääse, vastaa PERU tai soita {helpline}.",
        "sv": "Apuri: Tiden eller platsen för din gruppträff har ändrats. Ny tid: {when}. Plats: {place}.\n"
        "Om du inte kan komma, svara AVBOKA eller ring {helpline}.",
        "en": "Apuri: The time or place of your group session has changed. New time: {when}. Place: {place}.\n"
        "If you cannot come, reply CANCEL or call {helpline}.",
    },
    "resident.event_left": {
        "fi": "Apuri: Paikkasi ryhmätapaamisessa {when} on peruttu. Kysyttävää? Soita {helpline}.",
        "sv": "Apuri: Din plats i gruppträffen {when} är avbokad. Frågor? Ring {helpline}.",
        "en": "Apuri: Your place in the group session {when} is cancelled. Questions? Call {helpline}.",
    },
    "reply.event_kept": {
        "fi": "Apuri: Kiitos! Paikkasi ryhmätapaamisessa {when} on vahvistettu. Paikka: {place}.",
        "sv": "Apuri: Tack! Din plats i gruppträffen {when} är bekräftad. Plats: {place}.",
        "en": "Apuri: Thank you! Your place in the group session {when} is confirmed. Place: {place}.",
    },
    "reply.event_given_up": {
        "fi": "Apuri: Selvä, paikka annetaan seuraavalle jonossa. Kiitos, että kerroit!",
        "sv": "Apuri: Okej, platsen går till nästa i kön. Tack för att du meddelade!",
        "en": "Apuri: All right, the place goes to the next in line. Thank you for telling us!",
    },
    "reply.event_left": {
        "fi": "Apuri: Paikkasi ryhmätapaamisessa {when} on peruttu. Kiitos, että kerroit!",
        "sv": "Apuri: Din plats i gruppträffen {when} är avbokad. Tack för att du meddelade!",
        "en": "Apuri: Your place in the group session {when} is cancelled. Thank you for telling us!",
    },
    "reply.event_offer_gone": {
        "fi": "Apuri: Paikka ei ole enää varattu sinulle. Jos haluat jonoon uudelleen, soita {helpline}.",
        "sv": "Apuri: Platsen hålls inte längre åt dig. Om du vill stå i kö igen, ring {helpline}.",
        "en": "Apuri: The place is no longer held for you. To join the waiting list again, call {helpline}.",
    },
    "volunteer.duty_reminder": {
        "fi": "Muistutus: ryhmätapaaminen {when}, {place}. Olet mukana vapaaehtoisena. Jos et pääse, luovu "
        "vuorosta Apurissa.",
        "sv": "Påminnelse: gruppträffen {when}, {place}. Du är med som frivillig. Om du inte kan komma, lämna "
        "passet i Apuri.",
        "en": "Reminder: the group session {when}, {place}. You are a volunteer there. If you cannot come, give "
        "it up in Apuri.",
    },
    "volunteer.duty_reminder_sms": {
        "fi": "Apuri: Muistutus: ryhmätapaaminen {when}, {place}. Olet mukana vapaaehtoisena.\n{link}",
        "sv": "Apuri: Påminnelse: gruppträffen {when}, {place}. Du är med som frivillig.\n{link}",
        "en": "Apuri: Reminder: the group session {when}, {place}. You are a volunteer there.\n{link}",
    },
    "volunteer.duty_moved": {
        "fi": "Ryhmätapaaminen, jossa olet vapaaehtoisena, muuttui: nyt {when}, {place}.",
        "sv": "Gruppträffen där du är frivillig har ändrats: nu {when}, {place}.",
        "en": "The group session you volunteer at has changed: now {when}, {place}.",
    },
    "volunteer.duty_moved_sms": {
        "fi": "Apuri: Ryhmätapaaminen, jossa olet vapaaehtoisena, muuttui: nyt {when}, {place}.\n{link}",
        "sv": "Apuri: Gruppträffen där du är frivillig har ändrats: nu {when}, {place}.\n{link}",
        "en": "Apuri: The group session you volunteer at has changed: now {when}, {place}.\n{link}",
    },
    "volunteer.duty_dropped": {
        "fi": "Ryhmätapaaminen siirtyi aikaan {when}, {place}. Sinulla on silloin muuta tai viikkorajasi on täynnä, "
        "joten vuorosi poistui.",
        "sv": "Gruppträffen flyttades till {when}, {place}. Du är upptagen då eller har nått din veckogräns, så "
        "ditt pass togs bort.",
        "en": "The group session moved to {when}, {place}. You are busy then or at your weekly limit, so your duty "
        "was removed.",
    },
    "volunteer.duty_dropped_sms": {
        "fi": "Apuri: Ryhmätapaaminen siirtyi aikaan {when}, {place}. Vuorosi siinä poistui.\n{link}",
        "sv": "Apuri: Gruppträffen flyttades till {when}, {place}. Ditt pass där togs bort.\n{link}",
        "en": "Apuri: The group session moved to {when}, {place}. Your duty there was removed.\n{link}",
    },
    "volunteer.duty_removed": {
        "fi": "Ryhmätapaaminen {when}, {place} on peruttu. Vuorosi siinä poistui.",
        "sv": "Gruppträffen {when}, {place} har ställts in. Ditt pass där är borta.",
        "en": "The group session {when}, {place} has been cancelled. Your duty there is gone.",
    },
    "volunteer.duty_removed_sms": {
        "fi": "Apuri: Ryhmätapaaminen {when}, {place} on peruttu. Vuorosi siinä poistui.\n{link}",
        "sv": "Apuri: Gruppträffen {when}, {place} har ställts in. Ditt pass där är borta.\n{link}",
        "en": "Apuri: The group session {when}, {place} has been cancelled. Your duty there is gone.\n{link}",
    },
}


# The voice menu on the helpline (spoken, so no links; {when} is spoken: "tiistaina 24. marraskuuta kello 14").
VOICE: Mapping[str, Mapping[str, str]] = {
    "voice.language": {
        "fi": "Tervetuloa Apuriin, digituen ajanvaraukseen. Suomeksi, paina 1.",
        "sv": "Välkommen till Apuri. På svenska, tryck 2.",
        "en": "Welcome to Apuri. For English, press 3.",
    },
    "voice.menu": {
        "fi": "Jos haluat varata ajan, paina 1. Jos haluat kuulla seuraavan aikasi, paina 2. Jos haluat perua "
        "aikasi, paina 3. Jos haluat kuulla, missä saat apua ilman ajanvarausta, paina 4. Jos haluat "
        "ilmoittautua ryhmätapaamiseen tai kurssille, paina 5. Jos haluat, että koordinaattori soittaa sinulle, "
        "paina 0.",
        "sv": "Om du vill boka en tid, tryck 1. Om du vill höra din nästa tid, tryck 2. Om du vill avboka din tid, "
        "tryck 3. Om du vill höra var du får hjälp utan tidsbokning, tryck 4. Om du vill anmäla dig till en "
        "gruppträff eller kurs, tryck 5. Om du vill att en koordinator ringer dig, tryck 0.",
        "en": "To book a time, press 1. To hear your next time, press 2. To cancel your time, press 3. To hear "
        "where you can get help without booking, press 4. To sign up for a group session or a course, press 5. "
        "For a coordinator to call you back, press 0.",
    },
    "voice.drop_in": {
        "fi": "Digitukea ilman ajanvarausta, tule vain paikalle: {options}",
        "sv": "Digitalt stöd utan tidsbokning, kom bara dit: {options}",
        "en": "Digital help without booking, just come along: {options}",
    },
    "voice.no_drop_in": {
        "fi": "Digitukea ilman ajanvarausta ei ole tiedossa lähiviikkoina.",
        "sv": "Inget digitalt stöd utan tidsbokning de närmaste veckorna.",
        "en": "There is no digital help without booking in the next few weeks.",
    },
    "voice.events": {
        "fi": "Ryhmätapaamiset ja kurssit. Ilmoittautuaksesi valitse tapaaminen. {options} Palaa valikkoon "
        "painamalla tähteä.",
        "sv": "Gruppträffar och kurser. Välj en träff för att anmäla dig. {options} Tillbaka till menyn med stjärna.",
        "en": "Group sessions and courses. To sign up, choose one. {options} To go back to the menu, press star.",
    },
    "voice.no_events": {
        "fi": "Ryhmätapaamisia ei ole tiedossa lähiviikkoina.",
        "sv": "Inga gruppträffar de närmaste veckorna.",
        "en": "There are no group sessions in the next few weeks.",
    },
    "voice.event_signed": {
        "fi": "Sinulla on paikka ryhmätapaamisessa {when}, {place}. Saat muistutuksen edellisenä päivänä.",
        "sv": "Du har en plats i gruppträffen {when}, {place}. Du får en påminnelse dagen före.",
        "en": "You have a place in the group session {when}, {place}. You will get a reminder the day before.",
    },
    "voice.event_waitlisted": {
        "fi": "Ryhmätapaaminen {when} on täynnä. Olet jonossa sijalla {position}. Jos paikka vapautuu, saat "
        "siitä tiedon.",
        "sv": "Gruppträffen {when} är full. Du står i kö som nummer {position}. Om en plats blir ledig får du "
        "veta det.",
        "en": "The group session {when} is full. You are number {position} on the waiting list. If a place "
        "frees up, we will tell you.",
    },
    "voice.option": {"fi": "{name}, paina {digit}.", "sv": "{name}, tryck {digit}.", "en": "{name}, press {digit}."},
    "voice.topic": {
        "fi": "Missä tarvitset apua? {options} Jos asiasi on jokin muu, paina 0, niin koordinaattori soittaa "
        "sinulle. Alkuun pääset painamalla tähteä.",
        "sv": "Vad behöver du hjälp med? {options} Om det gäller något annat, tryck 0, så ringer en koordinator "
        "upp dig. Till början kommer du med stjärna.",
        "en": "What do you need help with? {options} If it is something else, press 0 and a coordinator will call "
        "you back. To go back, press star.",
    },
    "voice.how": {
        "fi": "Jos haluat tulla apupisteeseen, paina 1. Jos haluat, että avustaja soittaa sinulle, paina 2.",
        "sv": "Om du vill komma till ett hjälpställe, tryck 1. Om du vill att hjälparen ringer dig, tryck 2.",
        "en": "To come to a help point, press 1. For your helper to call you, press 2.",
    },
    "voice.place": {
        "fi": "Mihin apupisteeseen tulet? {options}",
        "sv": "Till vilket hjälpställe kommer du? {options}",
        "en": "Which help point will you come to? {options}",
    },
    "voice.offer": {
        "fi": "Seuraava vapaa aika on {when}, {place}. Jos haluat tämän ajan, paina 1. Seuraavan ajan kuulet "
        "painamalla 2.",
        "sv": "Nästa lediga tid är {when}, {place}. Om du vill ha den här tiden, tryck 1. Nästa tid hör du med 2.",
        "en": "The next free time is {when}, {place}. To take this time, press 1. For the next time, press 2.",
    },
    "voice.taken": {
        "fi": "Joku ehti juuri varata sen ajan.",
        "sv": "Någon hann just boka den tiden.",
        "en": "Someone has just booked that time.",
    },
    "voice.booked": {
        "fi": "Aika on varattu: {when}, {place}. {bring} Jos et pääse, soita tähän numeroon ja paina 3, niin "
        "voit perua ajan. Jos haluat kuulla tämän uudelleen, paina 9.",
        "sv": "Tiden är bokad: {when}, {place}. {bring} Om du inte kan komma, ring det här numret och tryck 3, så "
        "kan du avboka tiden. Om du vill höra det här igen, tryck 9.",
        "en": "Your time is booked: {when}, {place}. {bring} If you cannot come, call this number and press 3 to "
        "cancel it. To hear this again, press 9.",
    },
    "voice.next": {
        "fi": "Seuraava aikasi on {when}, {place}.",
        "sv": "Din nästa tid är {when}, {place}.",
        "en": "Your next time is {when}, {place}.",
    },
    "voice.none": {
        "fi": "Sinulla ei ole tulevia aikoja.",
        "sv": "Du har inga kommande tider.",
        "en": "You have no upcoming times.",
    },
    "voice.cancel": {
        "fi": "Seuraava aikasi on {when}, {place}. Jos haluat perua sen, paina 1. Jos haluat pitää sen, paina 2.",
        "sv": "Din nästa tid är {when}, {place}. Om du vill avboka den, tryck 1. Om du vill behålla den, tryck 2.",
        "en": "Your next time is {when}, {place}. To cancel it, press 1. To keep it, press 2.",
    },
    "voice.cancelled": {
        "fi": "Aika on peruttu.",
        "sv": "Tiden är avbokad.",
        "en": "Your time is cancelled.",
    },
    "voice.kept": {"fi": "Aika pysyy ennallaan.", "sv": "Tiden står kvar.", "en": "Your time stays as it is."},
    "voice.callback": {
        "fi": "Koordinaattori soittaa sinulle takaisin mahdollisimman pian arkipäivänä. Kiitos soitosta. Näkemiin.",
        "sv": "En koordinator ringer upp dig så snart som möjligt på en vardag. Tack för samtalet. Hej då.",
        "en": "A coordinator will call you back as soon as possible on a working day. Thank you. Goodbye.",
    },
    "voice.no_times": {
        "fi": "Vapaita aikoja ei nyt löytynyt kahden viikon ajalta.",
        "sv": "Inga lediga tider hittades för de närmaste två veckorna.",
        "en": "There are no free times in the next two weeks.",
    },
    "voice.again": {
        "fi": "En saanut valintaasi.",
        "sv": "Jag fick inte ditt val.",
        "en": "I did not get your choice.",
    },
    "voice.no_number": {
        "fi": "Puhelinnumerosi ei näy, joten emme voi varata aikaa. Soita uudelleen niin, että numerosi näkyy. "
        "Näkemiin.",
        "sv": "Ditt nummer syns inte, så vi kan inte boka en tid. Ring igen med synligt nummer. Hej då.",
        "en": "Your number is hidden, so we cannot book a time. Please call again showing your number. Goodbye.",
    },
    "voice.reminder": {
        "fi": "Hei, täällä Apuri. Muistutus digitukiajastasi {when}, {place}. Jos tulet, paina 1. Jos haluat "
        "perua, paina 2. Jos haluat puhua koordinaattorin kanssa, paina 3.",
        "sv": "Hej, det här är Apuri. En påminnelse om din tid {when}, {place}. Om du kommer, tryck 1. Om du vill "
        "avboka, tryck 2. Om du vill tala med en koordinator, tryck 3.",
        "en": "Hello, this is Apuri with a reminder of your digital help {when}, {place}. If you are coming, "
        "press 1. To cancel, press 2. To talk to a coordinator, press 3.",
    },
    "voice.cancelled_notice": {
        "fi": "Hei, täällä Apuri. Digitukiaikasi {when} on valitettavasti peruttu. Uuden ajan saat soittamalla "
        "tähän samaan numeroon. Näkemiin.",
        "sv": "Hej, det här är Apuri. Din tid {when} har tyvärr avbokats. En ny tid får du genom att ringa samma "
        "nummer. Hej då.",
        "en": "Hello, this is Apuri. Your digital help {when} has been cancelled, we are sorry. For a new time, "
        "call this same number. Goodbye.",
    },
    "voice.confirmed": {
        "fi": "Kiitos, tervetuloa. Näkemiin.",
        "sv": "Tack, välkommen. Hej då.",
        "en": "Thank you, see you then. Goodbye.",
    },
    "voice.transfer": {
        "fi": "Yhdistän koordinaattorille.",
        "sv": "Jag kopplar dig till en koordinator.",
        "en": "Connecting you to a coordinator.",
    },
    "voice.routed": {
        "fi": "Tässä asiassa sinua auttaa {organisation}. He soittavat sinulle. Kiitos soitosta. Näkemiin.",
        "sv": "I det här ärendet hjälper {organisation} dig. De ringer dig. Tack för samtalet. Hej då.",
        "en": "{organisation} helps with this. They will call you. Thank you for calling. Goodbye.",
    },
    "voice.goodbye": {
        "fi": "Kiitos soitosta. Näkemiin.",
        "sv": "Tack för samtalet. Hej då.",
        "en": "Thank you. Goodbye.",
    },
    "voice.event_place": {
        "fi": "Hei, täällä Apuri. Ryhmätapaamisessa {when}, {place}, vapautui paikka, ja se on nyt sinun. Jos et "
        "pääse, soita numeroon {helpline}. Näkemiin.",
        "sv": "Hej, det här är Apuri. En plats i gruppträffen {when}, {place}, blev ledig, och den är nu din. Om du "
        "inte kan komma, ring {helpline}. Hej då.",
        "en": "Hello, this is Apuri. A place in the group session {when}, {place}, has freed up, and it is now "
        "yours. If you cannot come, call {helpline}. Goodbye.",
    },
    "voice.event_reminder": {
        "fi": "Hei, täällä Apuri. Muistutus ryhmätapaamisesta {when}, {place}. Jos et pääse, soita numeroon "
        "{helpline}. Näkemiin.",
        "sv": "Hej, det här är Apuri. En påminnelse om gruppträffen {when}, {place}. Om du inte kan komma, ring "
        "{helpline}. Hej då.",
        "en": "Hello, this is Apuri with a reminder of the group session {when}, {place}. If you cannot come, "
        "call {helpline}. Goodbye.",
    },
    "voice.event_moved": {
        "fi": "Hei, täällä Apuri. Ryhmätapaamisesi aika tai paikka muuttui. Uusi aika on {when}, {place}. Jos et "
        "pääse, soita numeroon {helpline}. Näkemiin.",
        "sv": "Hej, det här är Apuri. Tiden eller platsen för din gruppträff har ändrats. Den nya tiden är {when}, "
        "{place}. Om du inte kan komma, ring {helpline}. Hej då.",
        "en": "Hello, this is Apuri. The time or place of your group session has changed. The new time is {when}, "
        "{place}. If you cannot come, call {helpline}. Goodbye.",
    },
    "voice.event_cancelled": {
        "fi": "Hei, täällä Apuri. Ryhmätapaaminen {when} on valitettavasti peruttu. Kysyttävää voi soittaa "
        "numeroon {helpline}. Näkemiin.",
        "sv": "Hej, det här är Apuri. Gruppträffen {when} har tyvärr ställts in. Frågor kan du ringa till "
        "{helpline}. Hej då.",
        "en": "Hello, this is Apuri. The group session {when} has been cancelled, we are sorry. For questions, "
        "call {helpline}. Goodbye.",
    },
}

DEFAULTS = {**DEFAULTS, **VOICE}

TEMPLATE_NAMES = tuple(DEFAULTS)


# Messages whose fields differ from the rest of their audience's.
TEXT_BOOKING_FIELDS = frozenset({"place", "options", "numbers", "when", "organisation", "helpline", "link"})
# Group sessions: a place in the queue and until when a freed place is held.
EVENT_FIELDS = frozenset({"when", "place", "position", "until", "helpline", "link"})
FIELDS_BY_NAME = (
    {"resident.referred": REFERRAL_FIELDS}
    | dict.fromkeys(
        (
            "resident.event_confirmed",
            "resident.event_waitlisted",
            "resident.event_place_offered",
            "resident.event_reminder",
            "resident.event_cancelled",
            "resident.event_left",
            "resident.event_moved",
            "reply.event_kept",
            "reply.event_given_up",
            "reply.event_left",
            "reply.event_offer_gone",
        ),
        EVENT_FIELDS,
    )
    | dict.fromkeys(
        (
            "reply.text_where",
            "reply.text_times",
            "reply.text_taken",
            "reply.text_busy",
            "reply.text_expired",
            "reply.text_no_times",
            "reply.text_call",
            "reply.text_routed",
        ),
        TEXT_BOOKING_FIELDS,
    )
)
FIELDS_BY_PREFIX = (
    ("resident.", RESIDENT_FIELDS),
    ("volunteer.", VOLUNTEER_FIELDS),
    ("applicant.", APPLICANT_FIELDS),
    ("voice.", VOICE_FIELDS),
)


def fields_of(name: str) -> frozenset[str]:
    if name in FIELDS_BY_NAME:
        return FIELDS_BY_NAME[name]
    if name.startswith("volunteer.") and name.endswith("_sms"):
        return VOLUNTEER_SMS_FIELDS
    return next((fields for prefix, fields in FIELDS_BY_PREFIX if name.startswith(prefix)), REPLY_FIELDS)


def placeholders(text: str) -> set[str]:
    """The {names} a template uses; ValueError for unbalanced braces or positional/indexed fields."""
    found: set[str] = set()
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        raise ValueError("A { or } has no pair. Write placeholders as {name}, a brace itself as {{ or }}.") from None
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            typed = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
            raise ValueError(f"Write placeholders as {{name}}, without anything else inside the braces: {typed}.")
        found.add(name)
    return found


def check_template(name: str, text: str) -> None:
    """ValueError (with a message for the coordinator) unless `text` is a usable template for `name`."""
    if name not in DEFAULTS:
        raise ValueError(f"There is no message called {name}.")
    if not text.strip():
        raise ValueError("The message cannot be empty.")
    if len(text) > MAX_TEMPLATE_LENGTH:
        raise ValueError(f"Keep the message under {MAX_TEMPLATE_LENGTH} characters.")
    unknown = placeholders(text) - fields_of(name)
    if unknown:
        allowed = ", ".join(f"{{{f}}}" for f in sorted(fields_of(name)))
        raise ValueError(f"Unknown placeholder {', '.join(sorted(unknown))}. This message may use {allowed}.")
    address = web_address_in(text)
    if address:
        raise ValueError(
            f"The message has a web address ({address}). Messages carry no written links (people are taught that "
            "a text with a link can be a scam); where the message may have one, write {link} and choose whether "
            "it is sent."
        )


# What a phone would turn into a link: a scheme, www., or a name with a common top-level domain.
_WEB_ADDRESS = re.compile(
    r"(?i)(?:\b[a-z][a-z0-9+.-]*://\S+|\bwww\.\S+|"
    r"\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:fi|se|com|net|org|eu|io|ly|me|app|info|biz|xyz|co|to|gl|cc|tk|ru|de|uk|nu|"
    r"dk|no|ee|gov|edu|link|page|site|online|top|click)\b(?:/\S*)?)"
)


def web_address_in(text: str) -> str:
    """The first thing in `text` a phone would show as a link ('' if none)."""
    found = _WEB_ADDRESS.search(text)
    return found.group() if found else ""


def check_code_word(word: str) -> None:
    """ValueError unless `word` is a code word people can read out: letters (å, ä, ö too), digits, spaces,
    hyphens; no web address, no symbols."""
    if not word:
        return
    if web_address_in(word) or not re.fullmatch(r"[^\W_](?:[^\W_]|[ '-])*", word) or not any(c.isalpha() for c in word):
        raise ValueError("Choose a code word of ordinary letters (å, ä and ö are fine), at most 20 characters.")


def when_text(instant: datetime, language: str) -> str:
    locale, pattern = _WHEN.get(language, _WHEN["fi"])
    return format_datetime(instant, pattern, tzinfo=HELSINKI, locale=locale)


@dataclass(frozen=True, slots=True)
class PlaceInfo:
    modality: str
    name: str = ""
    street_address: str = ""
    municipality: str = ""
    translations: Translations = field(default_factory=dict)  # the help point's own words in Swedish and English


def place_text(place: PlaceInfo, language: str, *, helper: bool = False) -> str:
    """Where the session is, in `language` (the help point's name and street in it when it has them, the
    municipality by its Swedish name in Swedish); `helper`: worded for the volunteer (by phone, they call)."""
    if place.modality == "help_point":
        name = in_language(place.name, place.translations, "name", language)[0]
        street = in_language(place.street_address, place.translations, "street_address", language)[0]
        town = municipality_name(place.municipality, language)
        return ", ".join(part for part in (name, street, town) if part)
    wording = (_HELPER_REMOTE if helper else {}).get(place.modality) or _REMOTE_PLACE.get(place.modality, {})
    return wording.get(language, place.modality)


def render(text: str, values: Mapping[str, str], *, link_free: bool, code_word: str = "", language: str = "fi") -> str:
    """Fill a template. Link-free drops every line with {link} in it; a code word goes on a line of its own."""
    lines = text.split("\n")
    if link_free:
        lines = [line for line in lines if "{link}" not in line]
    body = "\n".join(lines).format_map(_Blank(values)).strip()
    if code_word:
        body += "\n" + _CODE_WORD.get(language, _CODE_WORD["fi"]).format(code_word)
    return body


class _Blank(dict[str, str]):
    """Unknown names render empty rather than failing a send (templates are checked when saved)."""

    def __missing__(self, key: str) -> str:
        return ""
