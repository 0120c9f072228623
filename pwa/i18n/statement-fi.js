// Saavutettavuusseloste (laki digitaalisten palvelujen tarjoamisesta 306/2019). Pidä ajan tasalla.
// \u00ad: a soft hyphen, where a long word may break on a narrow phone.
export default {
  title: "Saavutettavuus\u00adseloste",
  intro: [
    "Tämä seloste koskee Apuri-digitukipalvelun verkkosovellusta: ajan varaamista digitukeen ja omia aikoja.",
    "Haluamme, että kuka tahansa voi käyttää palvelua. Laki digitaalisten palvelujen tarjoamisesta (306/2019) edellyttää, että julkiset verkkopalvelut ovat saavutettavia.",
  ],
  sections: [
    {
      title: "Saavutettavuuden tila",
      paragraphs: [
        "Tavoitteemme on WCAG 2.1 -ohjeiston AA-taso. Palvelu täyttää vaatimukset osittain.",
        "Olemme arvioineet palvelun itse. Jokainen asukkaan varausnäkymä, vapaaehtoisen näkymä ja koordinaattorin näkymä tarkistetaan automaattisesti axe-core-työkalulla puhelimen ja tietokoneen levyisellä näytöllä, ja koko varaus sekä pyynnön ottaminen ja paikalle ilmoittautuminen testataan pelkällä näppäimistöllä. Automaattinen testaus löytää vain osan ongelmista.",
      ],
    },
    {
      title: "Mikä ei vielä ole saavutettavaa",
      list: [
        "Apupisteiden esteettömyystiedot ovat vain suomeksi.",
        "Tilastojen kaaviot ovat kuvia. Niiden luvut ovat kuvan alla taulukossa.",
        "Palvelua ei ole vielä testattu ruudunlukijoilla (NVDA, VoiceOver, TalkBack) eikä ikääntyneiden testikäyttäjien kanssa.",
      ],
    },
    {
      title: "Varaa puhelimitse",
      paragraphs: [
        "Jos sovelluksen käyttö on hankalaa, voit varata, siirtää tai perua ajan soittamalla neuvontaan. Saat puhelimessa saman palvelun.",
      ],
      helpline: "Neuvonnan numero:",
    },
    {
      title: "Anna palautetta",
      paragraphs: [
        "Huomasitko saavutettavuuspuutteen? Kerro siitä meille, niin korjaamme sen. Vastaamme 14 päivän kuluessa. Voit kertoa asiasta myös apupisteessä.",
      ],
      helpline: "Palautetta voi antaa myös soittamalla:",
      form: {
        message: "Mikä ei toiminut?",
        messageHint: "Kerro, millä sivulla ja mitä yritit tehdä.",
        contact: "Puhelinnumero tai sähköposti (jos haluat vastauksen)",
        send: "Lähetä palaute",
        needMessage: "Kirjoita palautteesi.",
        thanks: "Kiitos palautteesta! Vastaamme 14 päivän kuluessa.",
        thanksNoContact: "Kiitos palautteesta! Luemme sen ja korjaamme puutteen.",
      },
    },
    {
      title: "Valvonta\u00adviranomainen",
      paragraphs: [
        "Jos et ole tyytyväinen vastaukseemme tai et saa vastausta kahden viikon kuluessa, voit tehdä ilmoituksen valvontaviranomaiselle.",
        "Saavutettavuutta on valvonut Etelä-Suomen aluehallintoviraston saavutettavuuden valvonnan yksikkö. Viranomaisen nimi voi muuttua vuoden 2026 virastouudistuksessa. Ajantasaiset yhteystiedot ja ohjeet ovat sivustolla saavutettavuusvaatimukset.fi.",
      ],
      link: { href: "https://www.saavutettavuusvaatimukset.fi/", text: "saavutettavuusvaatimukset.fi" },
    },
  ],
  updated: "Seloste on laadittu marraskuussa 2026. Arvion on tehnyt palvelun ylläpitäjä itse.",
};
