// Tillgänglighetsutlåtande (lagen om tillhandahållande av digitala tjänster 306/2019). Håll det aktuellt.
// \u00ad: a soft hyphen, where a long word may break on a narrow phone.
export default {
  title: "Tillgänglighets\u00adutlåtande",
  intro: [
    "Det här utlåtandet gäller webbappen för digistödstjänsten Apuri: att boka en tid för digistöd och att se sina tider.",
    "Vi vill att alla ska kunna använda tjänsten. Lagen om tillhandahållande av digitala tjänster (306/2019) kräver att offentliga webbtjänster är tillgängliga.",
  ],
  sections: [
    {
      title: "Tillgänglighetens status",
      paragraphs: [
        "Vårt mål är nivå AA i riktlinjerna WCAG 2.1. Tjänsten uppfyller kraven delvis.",
        "Vi har bedömt tjänsten själva. Varje bokningsvy för invånare, varje vy för frivilliga och varje vy för koordinatorer kontrolleras automatiskt med verktyget axe-core i telefonens och datorns skärmbredd, och hela bokningen, att ta en förfrågan och att checka in testas med enbart tangentbordet. Automatiska tester hittar bara en del av problemen.",
      ],
    },
    {
      title: "Det här är ännu inte tillgängligt",
      list: [
        "Hjälppunkternas tillgänglighetsuppgifter finns bara på finska.",
        "Statistikens diagram är bilder. Deras siffror finns i en tabell under bilden.",
        "Tjänsten har ännu inte testats med skärmläsare (NVDA, VoiceOver, TalkBack) eller med äldre testanvändare.",
      ],
    },
    {
      title: "Boka per telefon",
      paragraphs: [
        "Om appen är svår att använda kan du boka, flytta eller avboka en tid genom att ringa rådgivningen. Du får samma tjänst per telefon.",
      ],
      helpline: "Rådgivningens nummer:",
    },
    {
      title: "Ge respons",
      paragraphs: [
        "Har du hittat en brist i tillgängligheten? Berätta det för oss, så rättar vi den. Vi svarar inom 14 dagar. Du kan också berätta det på en hjälppunkt.",
      ],
      helpline: "Du kan också ge respons genom att ringa:",
      form: {
        message: "Vad fungerade inte?",
        messageHint: "Berätta på vilken sida och vad du försökte göra.",
        contact: "Telefonnummer eller e-post (om du vill ha svar)",
        send: "Skicka respons",
        needMessage: "Skriv din respons.",
        thanks: "Tack för responsen! Vi svarar inom 14 dagar.",
        thanksNoContact: "Tack för responsen! Vi läser den och rättar bristen.",
      },
    },
    {
      title: "Tillsyns\u00admyndighet",
      paragraphs: [
        "Om du inte är nöjd med vårt svar eller inte får något svar inom två veckor kan du göra en anmälan till tillsynsmyndigheten.",
        "Tillgängligheten har övervakats av enheten för tillsyn av tillgänglighet vid Regionförvaltningsverket i Södra Finland. Myndighetens namn kan ändras i ämbetsverksreformen 2026. Aktuella kontaktuppgifter och anvisningar finns på webbplatsen saavutettavuusvaatimukset.fi.",
      ],
      link: { href: "https://www.saavutettavuusvaatimukset.fi/", text: "saavutettavuusvaatimukset.fi" },
    },
  ],
  updated: "Utlåtandet är utarbetat i november 2026. Bedömningen har gjorts av tjänstens upprätthållare själv.",
};
