// The first question: which language. Each language is named in itself.
import { h, linkButton } from "../dom.js";
import { LANGUAGES, TEXT, t } from "../i18n.js";
import { go } from "../router.js";
import { resetDraft } from "../state.js";
import { chooseLanguage, screen } from "../ui.js";

export function startScreen(view) {
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
  const root = screen(
    { title: t("startTitle"), id: "start" },
    h("p", {}, t("startIntro")),
    h("ul", { class: "tiles" }, ...choices),
    h("h2", {}, t("alreadyBooked")),
    linkButton("#/omat", t("mySessions")),
  );
  view.append(root);
  return root;
}
