// An organisation's volunteers: applications waiting for a decision, the volunteers (deactivating one ends
// their sign-in at once and puts their coming sessions at risk, so it asks first), and adding a volunteer
// by their mobile number. A partner coordinator sees their own organisation; the network coordinator picks one.
import { api, apiAll, ApiError } from "../api.js";
import { button, h, linkButton } from "../dom.js";
import { phoneDisplay, when } from "../format.js";
import { language, t } from "../i18n.js";
import { go } from "../router.js";
import { clearErrors, field, fieldError, guard, loading, problem, say } from "../ui.js";
import { HOME, confirmFirst, coordExplain, deskScreen, loadFor, select } from "./coordinator-common.js";

const PEOPLE = `${HOME}/vapaaehtoiset`;

export async function peopleScreen(view, { organisation } = {}, token) {
  return deskScreen(view, token, { title: t("coord.peopleTitle"), id: "people" }, (root) => fill(root, organisation, token));
}

async function fill(root, wanted, token) {
  const found = await loadFor(root, token, () =>
    Promise.all([apiAll("/organisations"), apiAll("/volunteer-applications")]),
  );
  if (found === undefined) return;
  const [organisations, applications] = found;
  const active = organisations.filter((o) => o.active).sort((a, b) => a.name.localeCompare(b.name, "fi"));
  const chosen = active.find((o) => o.id === wanted) || active[0];
  if (!chosen) return;
  if (active.length > 1) root.append(organisationPicker(active, chosen));
  else root.append(h("p", {}, `${t("coord.organisationLabel")}: ${chosen.name}`));
  root.append(applicationList(root, applications.filter((a) => a.organisation_id === chosen.id)));
  const volunteers = h("section", { attrs: { "aria-labelledby": "h-volunteers" } }, h("h2", { id: "h-volunteers", tabIndex: -1 }, t("coord.volunteersTitle")), loading());
  root.append(volunteers, addForm(root, chosen));
  await showVolunteers(root, volunteers, chosen, token);
}

function organisationPicker(organisations, chosen) {
  const picker = select({
    id: "organisation",
    label: t("coord.organisationLabel"),
    options: organisations.map((o) => [o.id, o.name]),
    value: chosen.id,
  });
  const show = h("button", { type: "submit", class: "secondary" }, t("coord.show"));
  const form = h("form", { class: "inline-form", id: "organisation-form" }, ...picker.nodes, show);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    go(`${PEOPLE}/${picker.input.value}`);
  });
  return form;
}

function applicationList(root, applications) {
  const section = h(
    "section",
    { attrs: { "aria-labelledby": "h-applications" } },
    h("h2", { id: "h-applications", tabIndex: -1 }, t("coord.applicationsTitle")),
  );
  if (!applications.length) {
    section.append(h("p", { class: "empty" }, t("coord.noApplications")));
    return section;
  }
  const list = h("ul", { class: "cards" });
  for (const application of applications) {
    const name = [application.first_name, application.last_name].filter(Boolean).join(" ");
    const decide = (verb, message) => {
      const press = button(t(`coord.${verb}`), { class: verb === "approve" ? "primary" : "secondary" });
      guard(press, async () => {
        try {
          await api("POST", `/volunteer-applications/${application.id}/${verb}`);
        } catch (error) {
          problem(root, coordExplain(error));
          return;
        }
        if (verb === "approve") {
          await go(path(application.organisation_id)); // the new volunteer shows in the list below
        } else {
          card.remove();
          if (!list.children.length) list.replaceWith(h("p", { class: "empty" }, t("coord.noApplications")));
          section.querySelector("h2").focus();
        }
        say(t(message, name));
      });
      return press;
    };
    const card = h(
      "li",
      { class: "card", attrs: { "data-application": application.id } },
      h("h3", {}, name),
      application.phone ? h("p", {}, h("a", { class: "tel", href: `tel:${application.phone}` }, phoneDisplay(application.phone))) : null,
      h("p", {}, t("coord.applied", when(application.created_at, language()))),
      application.message ? h("blockquote", {}, application.message) : null,
      h("div", { class: "actions" }, decide("approve", "coord.approved"), decide("decline", "coord.declined")),
    );
    list.append(card);
  }
  section.append(list);
  return section;
}

function path(organisationId) {
  return `${PEOPLE}/${organisationId}`;
}

async function showVolunteers(root, section, organisation, token) {
  const people = await loadFor(root, token, () => apiAll(`/organisations/${organisation.id}/members?role=volunteer`));
  section.querySelector(".loading")?.remove();
  if (people === undefined) return;
  if (!people.length) {
    section.append(h("p", { class: "empty" }, t("coord.noVolunteers")));
    return;
  }
  people.sort((a, b) => Number(b.active) - Number(a.active) || a.first_name.localeCompare(b.first_name, "fi"));
  section.append(h("ul", { class: "cards people" }, ...people.map((person) => personCard(root, person))));
}

function personCard(root, person) {
  const name = [person.first_name, person.last_name].filter(Boolean).join(" ");
  const card = h(
    "li",
    { class: "card", attrs: { "data-person": person.id } },
    h("h3", {}, name),
    h("p", {}, h("a", { class: "tel", href: `tel:${person.phone}` }, phoneDisplay(person.phone)), ` · ${t(`vol.languages.${person.language}`)}`),
  );
  if (!person.active) {
    card.append(h("p", { class: "state" }, t("coord.inactive")));
    return card;
  }
  const edit = linkButton(`#${HOME}/vapaaehtoinen/${person.id}`, t("coord.editVolunteer", name));
  edit.dataset.edit = person.id;
  card.append(h("p", {}, edit));
  const actions = h("div", { class: "actions" });
  const ask = button(t("coord.deactivate", name));
  const deactivate = async () => {
    try {
      await api("POST", `/people/${person.id}/deactivate`);
    } catch (error) {
      problem(root, coordExplain(error));
      return;
    }
    actions.replaceWith(h("p", { class: "state" }, t("coord.inactive")));
    card.querySelector("h3").tabIndex = -1;
    card.querySelector("h3").focus();
    say(t("coord.deactivated", name));
  };
  ask.addEventListener("click", () =>
    confirmFirst(actions, {
      question: t("coord.deactivateConfirm", name),
      yes: t("coord.deactivateYes"),
      restore: [ask],
      back: ask,
      onYes: deactivate,
    }),
  );
  actions.append(ask);
  card.append(actions);
  return card;
}

function addForm(root, organisation) {
  const phone = field({ id: "add-phone", label: t("coord.phoneLabel"), hint: t("coord.phoneHint"), type: "tel", inputmode: "tel", autocomplete: "off" });
  const first = field({ id: "add-first", label: t("coord.firstNameLabel"), autocomplete: "off" });
  const last = field({ id: "add-last", label: t("coord.lastNameLabel"), autocomplete: "off" });
  const lang = select({ id: "add-language", label: t("coord.languageLabel"), options: ["fi", "sv", "en"].map((c) => [c, t(`vol.languages.${c}`)]), value: "fi" });
  const submit = h("button", { type: "submit", class: "primary" }, t("coord.add"));
  const form = h(
    "form",
    { id: "add-volunteer", novalidate: true, attrs: { "aria-labelledby": "h-add" } },
    h("h2", { id: "h-add" }, t("coord.addTitle")),
    ...phone.nodes,
    ...first.nodes,
    ...last.nodes,
    ...lang.nodes,
    submit,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (submit.dataset.busy) return;
    clearErrors(form);
    if (!phone.input.value.trim()) return fieldError(phone.input, t("coord.check.phone"));
    if (!first.input.value.trim()) return fieldError(first.input, t("coord.check.firstName"));
    submit.dataset.busy = "true";
    try {
      const person = await api("POST", `/organisations/${organisation.id}/members`, {
        role: "volunteer",
        phone: phone.input.value.trim(),
        first_name: first.input.value.trim(),
        last_name: last.input.value.trim(),
        language: lang.input.value,
      });
      await go(path(organisation.id));
      say(t("coord.added", person.first_name));
    } catch (error) {
      const code = error instanceof ApiError ? error.code : "";
      if (code.startsWith("phone_") || code === "person_exists" || code === "already_member") fieldError(phone.input, coordExplain(error));
      else problem(root, coordExplain(error));
    } finally {
      delete submit.dataset.busy;
    }
  });
  return form;
}
