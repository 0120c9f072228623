// Privacy notice (EU General Data Protection Regulation, Articles 13 and 14). Loaded only when it is opened.
// The controller, the contact, the retention periods and the processors come from the server
// (GET /api/v1/about/privacy): the functions get its answer. The blocks are drawn in order, as in privacy-fi.js.
const days = (n) => (n === 1 ? "1 day" : `${n} days`);

export default {
  intro: [
    "This notice tells you how the Apuri digital-support service handles your personal data: what we collect and why, how long we keep it, who sees it and what your rights are.",
  ],
  sections: [
    {
      id: "controller",
      title: "Controller",
      blocks: [
        { p: (about) => about.controller },
        { contact: "Write to us:" },
        { helpline: "The helpline by phone:" },
      ],
    },
    {
      id: "collected",
      title: "What we collect and why",
      blocks: [
        { p: "We collect only what is needed for you to get help and reminders." },
        {
          list: [
            "Phone number: signing in with a code, confirmations and reminders by text message, and the helper's call.",
            "First name (and last name, if you give it): the helper knows whom they meet or call.",
            "Language: messages and a helper in your own language.",
            "Code word: with it you can tell that a text message really is from us and not a scam.",
            "What you tell the helper, for example that you do not hear well: the helper can prepare. Only if you tell it yourself.",
            "Requests and sessions: topic, way, time, place, the helper's note, what you learned and your feedback. With these we arrange the help and make statistics.",
            "Home address, if you ask for a home visit: the helper knows where to come.",
            "Text messages and calls: what we sent, what you replied and when you called the helpline. This is how your replies, such as CANCEL, are handled.",
            "Sign-ins: when you signed in and last used the service. This is how we protect your data.",
          ],
        },
        { p: "We never ask for or store bank codes, passwords, PINs or personal identity codes." },
      ],
    },
    {
      id: "basis",
      title: "Why we may handle your data",
      blocks: [
        { p: "Digital support is a task the municipality carries out in the public interest. We handle your data to carry out that task (Article 6(1)(e) of the General Data Protection Regulation)." },
        { p: "When you book a time by phone through the helpline, we ask for your consent to book it for you. The consent is recorded (Article 6(1)(a)). You can withdraw it at any time." },
        { p: "What you tell the helper, such as about your hearing or moving about, can say something about your health. It is voluntary, and we handle it only when you tell it yourself." },
      ],
    },
    {
      id: "retention",
      title: "How long we keep your data",
      blocks: [
        {
          list: ({ periods }) => [
            `All your data is erased when you have not used the service for ${days(periods.inactive_resident_days)}: no sessions, requests, messages or sign-ins.`,
            `The helper's notes and your home address are erased ${days(periods.note_days)} after the session.`,
            `The content of text messages and calls is erased after ${days(periods.message_days)}.`,
            `Volunteers' and coordinators' data is erased ${days(periods.staff_days)} after their role ended.`,
          ],
        },
        { p: "The statistics keep only numbers without names. The log keeps identifiers, never names, numbers or addresses." },
      ],
    },
    {
      id: "recipients",
      title: "Who sees your data",
      blocks: [
        {
          list: [
            "The helper who helps you (a volunteer or a partner's employee): they see your first name, the topic, the time and the place. They see your phone number and home address only for their own sessions.",
            "Partners who give help, for example a library or an association: their coordinators see the requests passed to them.",
            "The network's coordinators, who arrange help and answer the helpline. Every time someone looks at your data it is recorded, and you see it under My data.",
          ],
        },
        { processors: "Text messages and calls are carried by a processor that handles the data only on our behalf:" },
        { p: "We do not sell your data or use it for advertising." },
      ],
    },
    {
      id: "rights",
      title: "Your rights",
      blocks: [
        {
          list: [
            "You may know what data there is about you and see it.",
            "You may get your data as a file that you can take to another service.",
            "You may ask for your data to be erased.",
            "You may ask for wrong data to be corrected.",
            "You may object to your data being handled.",
            "You may complain to the Office of the Data Protection Ombudsman if you think your data is handled wrongly.",
          ],
        },
        { link: { href: "https://tietosuoja.fi/en/", text: "Office of the Data Protection Ombudsman: tietosuoja.fi" } },
      ],
    },
    {
      id: "how",
      title: "How to use your rights",
      blocks: [
        { myData: ["Under My data you see all your data, and can download it as a file, print it and erase it:", "My data"] },
        { helpline: "You can also call the helpline. A coordinator can read your data to you, send it by post or erase it at your request:" },
        { contact: "You can also write to us:" },
        { p: "We answer other requests, for example to correct data or to object, within one month at the latest." },
      ],
    },
  ],
  processorRoles: { Twilio: "text messages and calls" },
  updated: "This notice was written in November 2026.",
};
