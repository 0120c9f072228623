// The first question: which language. Each language is named in itself. A volunteer's start is their own home
// (also offline, when this device keeps their sessions).
import { h, linkButton } from "../dom.js";
import { LANGUAGES, TEXT, t } from "../i18n.js";
import { go, stillOn } from "../router.js";
import { isVolunteer, resetDraft, store } from "../state.js";
import { chooseLanguage, screen } from "../ui.js";
import { hasOfflineCopy } from "../volunteer.js";

export async function startScreen(view, _params, token) {
  await store.sessionChecked;
  const volunteerHere = isVolunteer() || (store.offlineAtStart && (await hasOfflineCopy()));
  if (!stillOn(token)) return null;
  if (volunteerHere) return void go("/vapaaehtoinen", { replace: true });
  const choices = LANGUAGES.map((code) =>
    h(
      "li",
      {},
      h(
        "button",
        {
          type: "button",
          class: "tile",
          lang: code,
          on: {
            click: () => {
              chooseLanguage(code);
              resetDraft();
              go("/aihe");
            },
          },
        },
        TEXT[code].languageName,
      ),
    ),
  );
  // Plain Finnish (selkosuomi): the screens in Finnish, the help from someone who speaks it plainly.
  choices.splice(
    1,
    0,
    h(
      "li",
      {},
      h(
        "button",
        {
          type: "button",
          class: "tile",
          lang: "fi",
          id: "plain-finnish",
          on: {
            click: () => {
              chooseLanguage("fi");
              resetDraft();
              store.draft.plain = true;
              go("/aihe");
            },
          },
        },
        h("span", { class: "tile-title" }, TEXT.fi.plainName),
        h("span", { class: "tile-detail" }, TEXT.fi.plainDetail),
      ),
    ),
  );
  const root = screen(
    { title: t("startTitle"), id: "start" },
    h("p", {}, t("startIntro")),
    h("ul", { class: "tiles" }, ...choices),
    h("h2", {}, t("dropInHeading")),
    linkButton("#/ilman-ajanvarausta", t("dropInLink")),
    h("h2", {}, t("eventsHeading")),
    linkButton("#/ryhmat", t("eventsLink")),
    h("h2", {}, t("catalogueHeading")),
    linkButton("#/kumppanit", t("catalogueLink")),
    h("h2", {}, t("alreadyBooked")),
    linkButton("#/omat", t("mySessions")),
  );
  view.append(root);
  return root;
}
