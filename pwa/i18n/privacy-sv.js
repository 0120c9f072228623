// Dataskyddsbeskrivning (EU:s allmänna dataskyddsförordning, artiklarna 13 och 14). Laddas först när den öppnas.
// Personuppgiftsansvarig, kontakt, lagringstider och biträden kommer från servern (GET /api/v1/about/privacy):
// funktionerna får dess svar. Blocken ritas i ordning, som i privacy-fi.js.
const days = (n) => (n === 1 ? "1 dag" : `${n} dagar`);

export default {
  intro: [
    "Den här beskrivningen berättar hur digitalstödstjänsten Apuri behandlar dina personuppgifter: vilka uppgifter vi samlar in och varför, hur länge vi sparar dem, vem som ser dem och vilka rättigheter du har.",
  ],
  sections: [
    {
      id: "controller",
      title: "Personuppgifts\u00adansvarig",
      blocks: [
        { p: (about) => about.controller },
        { contact: "Skriv till oss:" },
        { helpline: "Rådgivningen per telefon:" },
      ],
    },
    {
      id: "collected",
      title: "Vilka uppgifter vi samlar in och varför",
      blocks: [
        { p: "Vi samlar bara in det som behövs för att du ska få hjälp och påminnelser." },
        {
          list: [
            "Telefonnummer: inloggning med kod, bekräftelser och påminnelser med sms och hjälparens samtal.",
            "Förnamn (och efternamn, om du berättar det): hjälparen vet vem hen träffar eller ringer.",
            "Språk: meddelanden och hjälpare på ditt eget språk.",
            "Kodord: med det känner du igen att ett sms verkligen kommer från oss och inte är ett bedrägeri.",
            "Det du berättar för hjälparen, till exempel att du hör dåligt: hjälparen kan förbereda sig. Bara om du själv berättar.",
            "Förfrågningar och träffar: ämne, sätt, tid, plats, hjälparens anteckning, vad du lärde dig och din respons. Med dem ordnar vi hjälpen och gör statistik.",
            "Hemadress, om du ber om hembesök: hjälparen vet vart hen ska komma.",
            "Sms och samtal: vad vi skickade, vad du svarade och när du ringde rådgivningen. Så sköts dina svar, till exempel AVBOKA.",
            "Inloggningar: när du loggade in och senast använde tjänsten. Så skyddar vi dina uppgifter.",
          ],
        },
        { p: "Vi frågar aldrig efter och sparar aldrig bankkoder, lösenord, PIN-koder eller personbeteckningar." },
      ],
    },
    {
      id: "basis",
      title: "Varför vi får behandla dina uppgifter",
      blocks: [
        { p: "Digitalstöd är en uppgift av allmänt intresse för kommunen. Vi behandlar dina uppgifter för att sköta den uppgiften (dataskyddsförordningens artikel 6.1 e)." },
        { p: "När du bokar en tid per telefon via rådgivningen frågar vi om ditt samtycke till att vi bokar tiden åt dig. Samtycket antecknas (artikel 6.1 a). Du kan återkalla det när som helst." },
        { p: "Det du berättar för hjälparen, som hörsel eller rörlighet, kan säga något om din hälsa. Det är frivilligt, och vi behandlar det bara när du själv berättar det." },
      ],
    },
    {
      id: "retention",
      title: "Hur länge vi sparar uppgifterna",
      blocks: [
        {
          list: ({ periods }) => [
            `Alla dina uppgifter raderas när du inte har använt tjänsten på ${days(periods.inactive_resident_days)}: inga tider, förfrågningar, meddelanden eller inloggningar.`,
            `Hjälparens anteckningar och din hemadress raderas när ${days(periods.note_days)} har gått sedan träffen.`,
            `Innehållet i sms och samtal raderas när ${days(periods.message_days)} har gått.`,
            `Volontärers och koordinatorers uppgifter raderas när ${days(periods.staff_days)} har gått sedan deras uppdrag upphörde.`,
          ],
        },
        { p: "I statistiken blir bara siffror utan namn kvar. I loggen blir identifierare kvar, inga namn, nummer eller adresser." },
      ],
    },
    {
      id: "recipients",
      title: "Vem som ser dina uppgifter",
      blocks: [
        {
          list: [
            "Hjälparen som ger dig hjälp (en volontär eller en anställd hos en samarbetspartner): hen ser ditt förnamn, ämnet, tiden och platsen. Ditt telefonnummer och din hemadress ser hen bara för sina egna träffar.",
            "Samarbetspartner som ger hjälp, till exempel ett bibliotek eller en förening: deras koordinatorer ser de förfrågningar som skickats till dem.",
            "Nätverkets koordinatorer, som ordnar hjälp och svarar i rådgivningens telefon. Varje gång någon tittar på dina uppgifter antecknas det, och du ser det under Mina uppgifter.",
          ],
        },
        { processors: "Sms och samtal förmedlas av ett personuppgiftsbiträde som behandlar uppgifterna bara för vår räkning:" },
        { p: "Vi säljer inte dina uppgifter och använder dem inte för reklam." },
      ],
    },
    {
      id: "rights",
      title: "Dina rättigheter",
      blocks: [
        {
          list: [
            "Du får veta vilka uppgifter som finns om dig och se dem.",
            "Du får dina uppgifter som en fil som du kan flytta till en annan tjänst.",
            "Du kan be att dina uppgifter raderas.",
            "Du kan be att en felaktig uppgift rättas.",
            "Du kan invända mot behandlingen av dina uppgifter.",
            "Du kan klaga hos dataombudsmannens byrå om du anser att dina uppgifter behandlas fel.",
          ],
        },
        { link: { href: "https://tietosuoja.fi/sv/", text: "Dataombudsmannens byrå: tietosuoja.fi" } },
      ],
    },
    {
      id: "how",
      title: "Så använder du dina rättigheter",
      blocks: [
        { myData: ["Under Mina uppgifter ser du alla dina uppgifter, kan ladda ner dem som en fil, skriva ut dem och radera dem:", "Mina uppgifter"] },
        { helpline: "Du kan också ringa rådgivningen. En koordinator kan läsa upp dina uppgifter, skicka dem per post eller radera dem på din begäran:" },
        { contact: "Du kan också skriva till oss:" },
        { p: "Andra begäranden, till exempel om rättelse eller invändning, svarar vi på senast inom en månad." },
      ],
    },
  ],
  processorRoles: { Twilio: "sms och samtal" },
  updated: "Beskrivningen är upprättad i november 2026.",
};
