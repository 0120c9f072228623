// After accepting a request: whom to call, then the time agreed on the phone, which becomes a session.
import { api, apiAll, ApiError } from "../api.js";
import { definitions, h, linkButton } from "../dom.js";
import { addDays, helsinkiInstant, localDate, weekdayOf, when } from "../format.js";
import { language, t } from "../i18n.js";
import { go, stillOn } from "../router.js";
import { ensureLists, helpPointById } from "../state.js";
import { clearFieldError, clearProblem, explain, fieldError, load, loading, problem, say, screen } from "../ui.js";
import { HOME, languageName, offerPlace, telLink, volunteerGate } from "./volunteer-common.js";
import { topicName } from "./where.js";

// The server's slot grid at a help point: 45 minutes and a 15-minute pause, from the opening time on.
const LENGTH = 45;
const STEP = 60;

async function acceptedOffer(root, requestId) {
  const offers = await load(root, async () => {
    const [found] = await Promise.all([apiAll("/me/offers/accepted"), ensureLists()]);
    return found;
  });
  if (!offers) return null;
  root.querySelector(".loading")?.remove();
  const offer = offers.find((o) => o.request_id === requestId);
  if (!offer) {
    problem(root, t("vol.requestGone"), { actions: [linkButton(`#${HOME}`, t("vol.homeLink"))], focus: false });
  }
  return offer || null;
}

export async function callScreen(view, { id }, token) {
  const title = t("vol.callTitle");
  const gate = await volunteerGate(view, { title, id: "call" });
  if (!gate.pass || !stillOn(token)) return gate.shown || null;
  const root = screen({ title, back: `#${HOME}`, id: "call" }, loading());
  view.append(root);
  root.ready = acceptedOffer(root, id).then((offer) => {
    if (!offer || !stillOn(token)) return;
    root.append(
      h("p", {}, t("vol.callIntro")),
      definitions([
        [t("vol.residentLabel"), offer.resident_first_name || ""],
        offer.resident_phone ? [t("vol.phoneLabel"), telLink(offer.resident_phone, "call-phone")] : null,
        offer.home_address ? [t("vol.addressLabel"), offer.home_address] : null,
        [t("topicLabel"), topicName(offer.topic)],
        [t("howLabel"), t(`modality.${offer.modality}`)],
        [t("placeLabel"), offerPlace(offer)],
        [t("vol.languageLabel"), languageName(offer.language)],
      ]),
      h("p", {}, t("vol.callThen")),
      h(
        "div",
        { class: "actions" },
        linkButton(`#${HOME}/pyynto/${id}/aika`, t("vol.putDownTime"), "primary"),
        linkButton(`#${HOME}`, t("vol.homeLink")),
      ),
    );
  });
  return root;
}

function hhmm(minutes) {
  return `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
}

function minutesOf(time) {
  const [hours, minutes] = time.split(":").map(Number);
  return hours * 60 + minutes;
}

/** The times a session can start at the help point on `isoDate` (empty when it is closed). */
function helpPointTimes(point, isoDate) {
  const weekday = weekdayOf(isoDate);
  const times = [];
  for (const period of point?.opening_hours || []) {
    if (period.weekday !== weekday) continue;
    const closes = minutesOf(period.closes);
    for (let start = minutesOf(period.opens); start + LENGTH <= closes; start += STEP) times.push(hhmm(start));
  }
  return times.sort();
}

export async function agreedTimeScreen(view, { id }, token) {
  const title = t("vol.timeTitle");
  const gate = await volunteerGate(view, { title, id: "agreed" });
  if (!gate.pass || !stillOn(token)) return gate.shown || null;
  const root = screen({ title, back: `#${HOME}/pyynto/${id}`, id: "agreed" }, loading());
  view.append(root);
  root.ready = acceptedOffer(root, id).then((offer) => offer && stillOn(token) && timeForm(root, offer));
  return root;
}

function timeForm(root, offer) {
  const point = offer.modality === "help_point" ? helpPointById(offer.help_point_id) : null;
  const today = localDate();
  const date = h("input", {
    id: "agreed-date",
    name: "agreed-date",
    type: "date",
    min: today,
    max: addDays(today, 120),
    attrs: { "aria-describedby": "agreed-date-error" },
  });
  const time = point
    ? h("select", {
        id: "agreed-time",
        name: "agreed-time",
        attrs: { "aria-describedby": "agreed-time-hint agreed-time-error" },
      })
    : h("input", {
        id: "agreed-time",
        name: "agreed-time",
        type: "time",
        step: "300",
        attrs: { "aria-describedby": "agreed-time-hint agreed-time-error" },
      });
  const hint = h("p", { id: "agreed-time-hint", class: "hint" }, point ? t("vol.chooseDateFirst") : t("vol.timeHint"));
  function fillTimes() {
    if (!point) return;
    const times = date.value ? helpPointTimes(point, date.value) : [];
    time.replaceChildren(
      h("option", { value: "" }, times.length ? t("vol.chooseTime") : "–"),
      ...times.map((value) => h("option", { value }, value.replace(":", "."))),
    );
    if (!date.value) hint.textContent = t("vol.chooseDateFirst");
    else if (!times.length) hint.textContent = t("vol.closedThatDay", point.name);
    else
      hint.textContent = t("vol.openThatDay", point.name, times[0].replace(":", "."), times.at(-1).replace(":", "."));
  }
  date.addEventListener("change", fillTimes);
  fillTimes();
  const submit = h("button", { type: "submit", class: "primary", id: "save-agreed" }, t("vol.saveTime"));
  const form = h(
    "form",
    { id: "form-agreed", novalidate: true },
    h("p", {}, `${topicName(offer.topic)} – `, offerPlace(offer)),
    h("label", { for: "agreed-date" }, t("vol.dateLabel")),
    h("p", { id: "agreed-date-error", class: "error", hidden: true }),
    date,
    h("label", { for: "agreed-time" }, t("vol.timeLabel")),
    hint,
    h("p", { id: "agreed-time-error", class: "error", hidden: true }),
    time,
    submit,
  );
  let busy = false;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (busy) return;
    clearProblem(root);
    clearFieldError(date);
    clearFieldError(time);
    if (!date.value) return fieldError(date, t("vol.needDate"));
    if (!time.value) return fieldError(time, t("vol.needTime"));
    busy = true;
    submit.setAttribute("aria-disabled", "true");
    try {
      const startsAt = helsinkiInstant(date.value, time.value);
      const session = await api("POST", `/requests/${offer.request_id}/session`, { starts_at: startsAt });
      await go(`${HOME}/aika/${session.id}`, { replace: true });
      say(t("vol.timeSaved", when(session.starts_at, language())));
    } catch (error) {
      const code = error instanceof ApiError ? error.code : "";
      if (code === "slot_past" || code === "slot_closed") fieldError(time, t(`vol.errors.${code}`));
      else if (code === "volunteer_busy" || code === "resident_busy") problem(root, t(`vol.errors.${code}`));
      else problem(root, explain(error));
    } finally {
      busy = false;
      submit.removeAttribute("aria-disabled");
    }
  });
  root.append(form);
}
