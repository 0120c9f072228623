// Pieces the volunteer's screens share: who may see them, where a session or an offer is, and how a session
// reads in a list.
import { button, h, linkButton } from "../dom.js";
import { phoneDisplay, when } from "../format.js";
import { language, t } from "../i18n.js";
import { go, path } from "../router.js";
import { checkSession, helpPointById, isVolunteer, store } from "../state.js";
import { again, problem, screen } from "../ui.js";
import { hasOfflineCopy } from "../volunteer.js";
import { address, pointName, topicName } from "./where.js";

export const HOME = "/vapaaehtoinen";

/**
 * May the volunteer's screen be shown? `{ pass: true, offline }` when signed in as a volunteer (or, with
 * `offlineOk`, when the app started without a network and keeps an offline copy); otherwise
 * `{ pass: false, shown }` after going to sign-in or telling why not.
 */
export async function volunteerGate(view, { title, id, back = `#${HOME}`, offlineOk = false }) {
  await store.sessionChecked;
  if (store.session) {
    if (store.session.second_factor_required) {
      go("/kirjaudu/salasana", { replace: true });
      return { pass: false, shown: null };
    }
    if (isVolunteer()) return { pass: true, offline: false };
    const root = screen({ title, back: "#/", id });
    view.append(root);
    problem(root, t("vol.notVolunteer"), { focus: false, actions: [linkButton("#/", t("vol.toStart"))] });
    return { pass: false, shown: root };
  }
  if (store.offlineAtStart) {
    if (offlineOk && (await hasOfflineCopy())) return { pass: true, offline: true };
    const root = screen({ title, back, id });
    view.append(root);
    const retry = button(t("tryAgain"), { on: { click: () => checkSession().then(again) } });
    problem(root, t("offline"), { actions: [retry], focus: false });
    return { pass: false, shown: root };
  }
  store.signIn.returnTo = path();
  go("/kirjaudu", { replace: true });
  return { pass: false, shown: null };
}

/** A help point's name and address: text and elements (a name still in Finnish is marked so), for h(). */
export function helpPointText(id) {
  const point = helpPointById(id);
  return point ? [pointName(point), ", ", address(point)] : t("modality.help_point");
}

/** Where a session is: the help point, the home, or "by phone: call Liisa 040 1000101". */
export function sessionPlace(session, homeAddress = null) {
  if (session.modality === "help_point") return helpPointText(session.help_point_id);
  if (session.modality === "home_visit") return homeAddress ? t("vol.place.homeAt", homeAddress) : t("vol.place.home");
  if (!session.resident_phone) return t(`modality.${session.modality}`);
  return t(`vol.place.${session.modality}`, session.resident_first_name || "", phoneDisplay(session.resident_phone));
}

/** Where an offered request would be met (a home's address is shown only after accepting). */
export function offerPlace(offer) {
  if (offer.modality === "help_point") return helpPointText(offer.help_point_id);
  if (offer.modality === "home_visit") {
    return offer.home_address ? t("vol.place.homeAt", offer.home_address) : t("vol.place.homeLater");
  }
  return t(`modality.${offer.modality}`);
}

export function languageName(code) {
  return t(`vol.languages.${code}`);
}

export function needsText(needs) {
  return needs && needs.length ? needs.map((need) => t(`vol.needs.${need}`)).join(", ") : null;
}

export function telLink(phone, id) {
  return h("a", { class: "tel", href: `tel:${phone}`, id }, phoneDisplay(phone));
}

/** A session in the volunteer's lists: its time (a link to it), topic, place and the resident's first name. */
export function sessionCard(session) {
  const time = when(session.starts_at, language());
  return h(
    "li",
    { class: "card", attrs: { "data-session": session.id } },
    h(
      "h3",
      {},
      h(
        "a",
        { href: `#${HOME}/aika/${session.id}` },
        time,
        h("span", { class: "visually-hidden" }, ` ${topicName(session.topic)}`),
      ),
    ),
    h("p", {}, topicName(session.topic)),
    h("p", {}, sessionPlace(session)),
    session.resident_first_name ? h("p", {}, `${t("vol.residentLabel")}: ${session.resident_first_name}`) : null,
    session.state === "checked_in" ? h("p", { class: "state" }, t("vol.sessionState.checked_in")) : null,
  );
}

/** "Offline copy from ti 1.12. klo 9.00: it may be out of date." */
export function offlineCopyNotice(savedAt) {
  return h("p", { class: "offline-copy", id: "offline-copy" }, t("vol.offlineCopy", when(savedAt, language())));
}
