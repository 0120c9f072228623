// The privacy notice (tietosuojaseloste, GDPR Art. 13 and 14) in the chosen language. Its long text
// (i18n/privacy-*.js) is fetched when the notice is first opened; who the controller is, how to write to them and
// how long each kind of data is kept come from the server (GET /about/privacy), so the notice says what the
// server's settings really do.
import { api } from "../api.js";
import { h, list } from "../dom.js";
import { language, t } from "../i18n.js";
import { stillOn } from "../router.js";
import { helplineLink, load, loading, screen } from "../ui.js";

const TEXTS = {
  fi: () => import("../i18n/privacy-fi.js"),
  sv: () => import("../i18n/privacy-sv.js"),
  en: () => import("../i18n/privacy-en.js"),
};

/** A written contact: an e-mail address as a link to write to, anything else (a postal address) as text. */
function contactNode(contact) {
  const text = String(contact || "");
  return /^[^\s@]+@[^\s@]+$/.test(text) ? h("a", { href: `mailto:${text}` }, text) : h("span", {}, text);
}

/** The helpline as the notice's own answer names it, calling the number the header calls. */
function helpline(about) {
  const link = helplineLink();
  if (about.helpline_display) link.textContent = about.helpline_display;
  return link;
}

function block(item, about, text) {
  const value = (x) => (typeof x === "function" ? x(about) : x);
  if (item.p) return h("p", {}, value(item.p));
  if (item.list) return list(value(item.list));
  // Without a written contact of its own the server names the helpline, which the notice gives anyway.
  if (item.contact) return about.contact === about.helpline_display ? null : h("p", {}, item.contact, " ", contactNode(about.contact));
  if (item.helpline) return h("p", {}, item.helpline, " ", helpline(about));
  if (item.myData) return h("p", {}, item.myData[0], " ", h("a", { href: "#/omat-tiedot" }, item.myData[1]));
  if (item.link) return h("p", {}, h("a", { href: item.link.href, rel: "noopener" }, item.link.text));
  if (item.processors) {
    const named = (about.processors || []).map((name) => (text.processorRoles[name] ? `${name} (${text.processorRoles[name]})` : name));
    return named.length ? [h("p", {}, item.processors), list(named, { class: "processors" })] : null;
  }
  return null;
}

export function privacyScreen(view, _params, token) {
  const lang = language();
  const root = screen({ title: t("privacyTitle"), back: "#/", id: "privacy" }, loading());
  view.append(root);
  root.ready = fill(root, token, lang);
  return root;
}

async function fill(root, token, lang) {
  const loaded = await load(root, () => Promise.all([(TEXTS[lang] || TEXTS.fi)(), api("GET", "/about/privacy")]));
  if (!loaded || !stillOn(token)) return;
  const [{ default: text }, about] = loaded;
  root.querySelector(".loading")?.remove();
  root.append(
    ...text.intro.map((p) => h("p", {}, p)),
    ...text.sections.map((section) =>
      h(
        "section",
        { id: `privacy-${section.id}` },
        h("h2", { id: `h-privacy-${section.id}` }, section.title),
        ...section.blocks.map((item) => block(item, about, text)),
      ),
    ),
    h("p", { class: "hint" }, text.updated),
  );
}
