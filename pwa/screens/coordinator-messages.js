// The message templates (network coordinator): choose a message, reword it in Finnish, Swedish and English, see
// what one message costs in SMS segments before saving, and go back to the default wording.
import { api } from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { go } from "../router.js";
import { guard, problem, say } from "../ui.js";
import { HOME, coordExplain, deskScreen, loadFor, select } from "./coordinator-common.js";

const MESSAGES = `${HOME}/viestit`;
const LANGUAGES = ["fi", "sv", "en"];

export async function messagesScreen(view, { name } = {}, token) {
  return deskScreen(view, token, { title: t("coord.messagesTitle"), id: "messages", intro: t("coord.messagesIntro") }, (root) => fill(root, name, token));
}

// Who gets each message, in the order the picker groups them (the part of the name before the dot).
const AUDIENCES = ["resident", "volunteer", "reply", "applicant", "voice"];

/** A template's name in words ("Asukkaalle: vahvistus varauksesta"); the key itself if it has no name yet. */
function templateName(name) {
  return t(`coord.template.${name}`);
}

function audienceOf(name) {
  return name.split(".")[0];
}

/** The picker: an <optgroup> per audience, the messages in the server's order within each. */
function picker(names, templates, chosen) {
  const picked = select({ id: "template-name", label: t("coord.messageLabel"), options: [] });
  const label = (n) => `${templateName(n)}${templates.some((x) => x.name === n && x.customised) ? ` (${t("coord.customised")})` : ""}`;
  const audiences = [...AUDIENCES, ...new Set(names.map(audienceOf).filter((a) => !AUDIENCES.includes(a)))];
  for (const audience of audiences) {
    const members = names.filter((n) => audienceOf(n) === audience);
    if (!members.length) continue;
    const groupKey = `coord.templateGroup.${audience}`;
    picked.input.append(
      h("optgroup", { attrs: { label: t(groupKey) === groupKey ? audience : t(groupKey) } }, ...members.map((n) => h("option", { value: n }, label(n)))),
    );
  }
  picked.input.value = chosen;
  return picked;
}

async function fill(root, wanted, token) {
  const templates = await loadFor(root, token, () => api("GET", "/templates"));
  if (templates === undefined) return;
  const names = [...new Set(templates.map((x) => x.name))];
  const chosen = names.includes(wanted) ? wanted : names[0];
  const choice = picker(names, templates, chosen);
  const pick = h("form", { class: "inline-form", id: "template-pick" }, ...choice.nodes, h("button", { type: "submit", class: "secondary" }, t("coord.show")));
  pick.addEventListener("submit", (event) => {
    event.preventDefault();
    go(`${MESSAGES}/${choice.input.value}`);
  });
  root.append(pick);
  if (!chosen) return;
  // The chosen message's name heads its editors (one per language), so each says which message it rewords.
  root.append(h("h2", { id: "template-title" }, templateName(chosen)));
  for (const language of LANGUAGES) {
    const template = templates.find((x) => x.name === chosen && x.language === language);
    if (template) root.append(editor(root, template));
  }
}

function costText(template) {
  const parts = [t("coord.cost", template.characters, template.segments, template.encoding)];
  if (template.non_gsm.length) parts.push(t("coord.nonGsm", template.non_gsm.join(" ")));
  return parts.join(" ");
}

function editor(root, template) {
  const id = `template-${template.language}`;
  const body = h("textarea", { id, name: id, maxLength: 480, attrs: { "aria-describedby": `${id}-placeholders ${id}-cost ${id}-error` } });
  body.value = template.body;
  const cost = h("p", { id: `${id}-cost`, class: "hint" }, costText(template));
  const error = h("p", { id: `${id}-error`, class: "error", hidden: true });
  const save = h("button", { type: "button", class: "primary" }, t("coord.saveLanguage", t(`vol.languages.${template.language}`)));
  const reset = h("button", { type: "button", class: "secondary", hidden: !template.customised }, t("coord.resetTemplate"));
  const section = h(
    "section",
    { class: "card template", attrs: { "aria-labelledby": `template-title ${id}-title`, "data-language": template.language } },
    h("h3", { id: `${id}-title`, class: "h3" }, t(`vol.languages.${template.language}`)),
    h("label", { for: id }, t("coord.wording")),
    h("p", { id: `${id}-placeholders`, class: "hint" }, template.placeholders.length ? t("coord.placeholders", template.placeholders.map((p) => `{${p}}`).join(" ")) : t("coord.noPlaceholders")),
    error,
    body,
    cost,
    h("div", { class: "actions" }, save, reset),
  );
  const shown = (saved) => {
    template = saved;
    body.value = saved.body;
    cost.textContent = costText(saved);
    reset.hidden = !saved.customised;
  };
  const failed = (failure) => {
    error.textContent = coordExplain(failure);
    error.hidden = false;
    body.setAttribute("aria-invalid", "true");
    body.focus();
    problem(root, coordExplain(failure), { focus: false });
  };
  const path = `/templates/${encodeURIComponent(template.name)}/${template.language}`;
  // The cost while typing (the server counts as it will when sending): the dearer wording shows before it is live.
  let typing = null;
  let asked = 0;
  body.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(async () => {
      const mine = ++asked;
      try {
        const preview = await api("POST", `${path}/preview`, { body: body.value, link_free: template.link_free });
        if (mine !== asked) return;
        error.hidden = true;
        body.removeAttribute("aria-invalid");
        cost.textContent = costText(preview);
      } catch (failure) {
        if (mine !== asked) return;
        cost.textContent = coordExplain(failure);
      }
    }, 400);
  });
  guard(save, async () => {
    error.hidden = true;
    body.removeAttribute("aria-invalid");
    try {
      shown(await api("PUT", path, { body: body.value, link_free: template.link_free }));
    } catch (failure) {
      return failed(failure);
    }
    root.querySelector(".problem")?.remove();
    say(t("coord.templateSaved", costText(template)));
  });
  guard(reset, async () => {
    try {
      shown(await api("DELETE", path));
    } catch (failure) {
      return failed(failure);
    }
    body.focus();
    say(t("coord.templateReset"));
  });
  return section;
}
