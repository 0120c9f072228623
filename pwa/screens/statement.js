// The accessibility statement (saavutettavuusseloste) required by law 306/2019, in the chosen language.
import { h, list } from "../dom.js";
import { t } from "../i18n.js";
import { helplineLink, screen } from "../ui.js";

export function statementScreen(view) {
  const text = t("statement");
  const parts = text.sections.map((section) =>
    h(
      "section",
      {},
      h("h2", {}, section.title),
      ...(section.paragraphs || []).map((p) => h("p", {}, p)),
      section.list ? list(section.list) : null,
      section.helpline ? h("p", {}, section.helpline, " ", helplineLink()) : null,
      section.link ? h("p", {}, h("a", { href: section.link.href, rel: "noopener" }, section.link.text)) : null,
    ),
  );
  const root = screen(
    { title: text.title, back: "#/", id: "statement" },
    ...text.intro.map((p) => h("p", {}, p)),
    ...parts,
    h("p", { class: "hint" }, text.updated),
  );
  view.append(root);
  return root;
}
