// Tietosuojaseloste (EU:n yleinen tietosuoja-asetus, 13 ja 14 artikla). Ladataan vasta, kun seloste avataan.
// Rekisterinpitäjä, yhteystieto, säilytysajat ja käsittelijät tulevat palvelimelta (GET /api/v1/about/privacy):
// funktiot saavat sen vastauksen. Lohkot piirretään järjestyksessä: p (kappale), list (luettelo), myData (linkki
// Omiin tietoihin), helpline (neuvonnan numero), contact (kirjoita meille), processors (käsittelijät), link.
// \u00ad: tavuviiva, josta pitkä sana saa katketa kapealla näytöllä.
const days = (n) => (n === 1 ? "1 päivä" : `${n} päivää`);

export default {
  intro: [
    "Tämä seloste kertoo, miten Apuri-digitukipalvelu käsittelee henkilötietojasi: mitä tietoja keräämme ja miksi, kuinka kauan säilytämme ne, kuka ne näkee ja mitä oikeuksia sinulla on.",
  ],
  sections: [
    {
      id: "controller",
      title: "Rekisterin\u00adpitäjä",
      blocks: [
        { p: (about) => about.controller },
        { contact: "Kirjoita meille:" },
        { helpline: "Neuvonta puhelimessa:" },
      ],
    },
    {
      id: "collected",
      title: "Mitä tietoja keräämme ja miksi",
      blocks: [
        { p: "Keräämme vain sen, mitä tarvitaan, jotta saat apua ja muistutukset." },
        {
          list: [
            "Puhelinnumero: kirjautuminen koodilla, vahvistukset ja muistutukset tekstiviestillä ja avustajan soitto.",
            "Etunimi (ja sukunimi, jos kerrot sen): avustaja tietää, ketä hän tapaa tai kenelle soittaa.",
            "Kieli: viestit ja avustaja omalla kielelläsi.",
            "Tunnussana: sen avulla tunnistat, että tekstiviesti on oikeasti meiltä eikä huijaus.",
            "Mitä kerrot avustajalle, esimerkiksi että kuulet huonosti: avustaja osaa varautua. Vain jos itse kerrot.",
            "Pyynnöt ja tapaamiset: aihe, tapa, aika, paikka, avustajan muistiinpano, mitä opit ja palautteesi. Niiden avulla järjestämme avun ja teemme tilastot.",
            "Kotiosoite, jos pyydät kotikäyntiä: avustaja tietää, minne tulla.",
            "Tekstiviestit ja puhelut: mitä lähetimme, mitä vastasit ja milloin soitit neuvontaan. Näin vastauksesi, esimerkiksi PERU, hoituvat.",
            "Kirjautumiset: milloin kirjauduit ja käytit palvelua viimeksi. Näin suojaamme tietojasi.",
          ],
        },
        { p: "Emme koskaan kysy emmekä tallenna pankkitunnuksia, salasanoja, tunnuslukuja tai henkilötunnusta." },
      ],
    },
    {
      id: "basis",
      title: "Miksi saamme käsitellä tietojasi",
      blocks: [
        { p: "Digituki on kunnan yleisen edun mukainen tehtävä. Käsittelemme tietojasi tämän tehtävän hoitamiseksi (tietosuoja-asetuksen 6 artiklan 1 kohdan e alakohta)." },
        { p: "Kun varaat ajan puhelimessa neuvonnan kautta, kysymme suostumuksesi siihen, että varaamme ajan puolestasi. Suostumus kirjataan (6 artiklan 1 kohdan a alakohta). Voit perua sen milloin tahansa." },
        { p: "Avustajalle kertomasi asiat, kuten kuulo tai liikkuminen, voivat kertoa terveydestäsi. Ne ovat vapaaehtoisia, ja käsittelemme niitä vain, kun itse kerrot ne." },
      ],
    },
    {
      id: "retention",
      title: "Kuinka kauan säilytämme tietoja",
      blocks: [
        {
          list: ({ periods }) => [
            `Kaikki tietosi poistetaan, kun et ole käyttänyt palvelua ${periods.inactive_resident_days} päivään: ei aikoja, pyyntöjä, viestejä eikä kirjautumisia.`,
            `Avustajan muistiinpanot ja kotiosoitteesi poistetaan, kun tapaamisesta on kulunut ${days(periods.note_days)}.`,
            `Tekstiviestien ja puhelujen sisältö poistetaan, kun niistä on kulunut ${days(periods.message_days)}.`,
            `Vapaaehtoisten ja koordinaattorien tiedot poistetaan, kun heidän tehtävänsä päättymisestä on kulunut ${days(periods.staff_days)}.`,
          ],
        },
        { p: "Tilastoihin jää vain lukuja ilman nimiä. Lokiin jää tunnisteita, ei nimiä, numeroita eikä osoitteita." },
      ],
    },
    {
      id: "recipients",
      title: "Kuka tietojasi näkee",
      blocks: [
        {
          list: [
            "Avustaja, joka antaa sinulle apua (vapaaehtoinen tai yhteistyökumppanin työntekijä): hän näkee etunimesi, aiheen, ajan ja paikan. Puhelinnumerosi ja kotiosoitteesi hän näkee vain omissa tapaamisissaan.",
            "Yhteistyökumppanit, jotka antavat apua, esimerkiksi kirjasto tai järjestö: niiden koordinaattorit näkevät niille ohjatut pyynnöt.",
            "Verkoston koordinaattorit, jotka järjestävät apua ja vastaavat neuvonnan puheluihin. Jokainen tietojesi katselu kirjataan, ja näet ne kohdassa Omat tietoni.",
          ],
        },
        { processors: "Tekstiviestit ja puhelut välittää henkilötietojen käsittelijä, joka käsittelee tietoja vain meidän lukuumme:" },
        { p: "Emme myy tietojasi emmekä käytä niitä mainontaan." },
      ],
    },
    {
      id: "rights",
      title: "Oikeutesi",
      blocks: [
        {
          list: [
            "Saat tietää, mitä tietoja sinusta on, ja nähdä ne.",
            "Saat tietosi tiedostona, jonka voit viedä toiseen palveluun.",
            "Voit pyytää, että tietosi poistetaan.",
            "Voit pyytää, että väärä tieto korjataan.",
            "Voit vastustaa tietojesi käsittelyä.",
            "Voit tehdä valituksen tietosuojavaltuutetun toimistolle, jos katsot, että tietojasi käsitellään väärin.",
          ],
        },
        { link: { href: "https://tietosuoja.fi/", text: "Tietosuojavaltuutetun toimisto: tietosuoja.fi" } },
      ],
    },
    {
      id: "how",
      title: "Näin käytät oikeuksiasi",
      blocks: [
        { myData: ["Kohdassa Omat tietoni näet kaikki tietosi, voit ladata ne tiedostona, tulostaa ne ja poistaa ne:", "Omat tietoni"] },
        { helpline: "Voit myös soittaa neuvontaan. Koordinaattori voi lukea tietosi sinulle, lähettää ne postitse tai poistaa ne pyynnöstäsi:" },
        { contact: "Voit myös kirjoittaa meille:" },
        { p: "Vastaamme muihin pyyntöihin, esimerkiksi korjaukseen tai vastustamiseen, viimeistään kuukauden kuluessa." },
      ],
    },
  ],
  processorRoles: { Twilio: "tekstiviestit ja puhelut" },
  updated: "Seloste on laadittu marraskuussa 2026.",
};
