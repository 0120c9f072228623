// Accessibility statement (Act on the Provision of Digital Services 306/2019). Keep it up to date.
export default {
  title: "Accessibility statement",
  intro: [
    "This statement is about the web app of the Apuri digital-support service: booking a time for digital help and seeing your sessions.",
    "We want everyone to be able to use the service. The Act on the Provision of Digital Services (306/2019) requires public web services to be accessible.",
  ],
  sections: [
    {
      title: "How accessible the service is",
      paragraphs: [
        "Our target is level AA of the WCAG 2.1 guidelines. The service meets the requirements in part.",
        "We have assessed the service ourselves. Every booking screen for residents, every volunteer screen and every coordinator screen is checked automatically with the axe-core tool at phone and computer screen widths, and the whole booking, taking a request and checking in are tested with the keyboard alone. Automatic tests find only some of the problems.",
      ],
    },
    {
      title: "What is not accessible yet",
      list: [
        "The accessibility details of the help points are in Finnish only.",
        "The statistics charts are pictures. Their figures are in a table below each picture.",
        "The service has not yet been tested with screen readers (NVDA, VoiceOver, TalkBack) or with older test users.",
      ],
    },
    {
      title: "Book by phone",
      paragraphs: [
        "If the app is hard to use, you can book, move or cancel a time by calling the helpline. You get the same service on the phone.",
      ],
      helpline: "The helpline number:",
    },
    {
      title: "Give feedback",
      paragraphs: [
        "Have you found something that is not accessible? Tell us and we will fix it. We answer within 14 days. You can also tell us at a help point.",
      ],
      helpline: "You can also give feedback by calling:",
      form: {
        message: "What did not work?",
        messageHint: "Tell us on which page and what you were trying to do.",
        contact: "Phone number or e-mail (if you want an answer)",
        send: "Send feedback",
        needMessage: "Write your feedback.",
        thanks: "Thank you for your feedback! We answer within 14 days.",
        thanksNoContact: "Thank you for your feedback! We read it and fix the problem.",
      },
    },
    {
      title: "Supervising authority",
      paragraphs: [
        "If you are not happy with our answer, or you get no answer within two weeks, you can report it to the supervising authority.",
        "Accessibility has been supervised by the accessibility supervision unit of the Regional State Administrative Agency for Southern Finland. The agency's name may change in the 2026 reform of state agencies. Current contact details and instructions are on the website saavutettavuusvaatimukset.fi.",
      ],
      link: { href: "https://www.saavutettavuusvaatimukset.fi/", text: "saavutettavuusvaatimukset.fi" },
    },
  ],
  updated: "This statement was written in November 2026. The assessment was made by the service's own team.",
};
