// The accessibility statement (saavutettavuusseloste) required by law 306/2019, in the chosen language, with the
// feedback form the law asks for (no sign-in needed; an answer within 14 days when a contact is given).
import { api } from "../api.js";
import { h, list } from "../dom.js";
import { language, t } from "../i18n.js";
import { clearErrors, explain, field, fieldError, guard, helplineLink, say, screen } from "../ui.js";

export function statementScreen(view) {
  const text = t("statement");
  const parts = text.sections.map((section) =>
    h(
      "section",
      {},
      h("h2", {}, section.title),
      ...(section.paragraphs || []).map((p) => h("p", {}, p)),
      section.list ? list(section.list) : null,
      section.form ? feedbackForm(section.form) : null,
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

function feedbackForm(words) {
  const message = h("textarea", {
    id: "feedback-message",
    name: "feedback-message",
    maxLength: 2000,
    attrs: { "aria-describedby": "feedback-message-hint feedback-message-error" },
  });
  const contact = field({ id: "feedback-contact", label: words.contact, autocomplete: "off", maxlength: "200" });
  const send = h("button", { type: "submit", class: "primary" }, words.send);
  const form = h(
    "form",
    { id: "feedback-form", novalidate: true },
    h("label", { for: "feedback-message" }, words.message),
    h("p", { id: "feedback-message-hint", class: "hint" }, words.messageHint),
    h("p", { id: "feedback-message-error", class: "error", hidden: true }),
    message,
    ...contact.nodes,
    send,
  );
  guard(send, async () => {
    clearErrors(form);
    const body = message.value.trim();
    if (body.length < 3) return fieldError(message, words.needMessage);
    const reply = contact.input.value.trim();
    try {
      await api("POST", "/accessibility-feedback", { message: body, contact: reply, language: language(), page: "statement" });
    } catch (error) {
      return fieldError(message, explain(error));
    }
    const thanks = h("p", { class: "sent", id: "feedback-sent", tabIndex: -1 }, reply ? words.thanks : words.thanksNoContact);
    form.replaceWith(thanks);
    thanks.focus();
    say(thanks.textContent);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    send.click();
  });
  return form;
}
