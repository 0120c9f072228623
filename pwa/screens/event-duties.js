// The group sessions (a digikahvila, a course) at the volunteer's help points that need volunteers, eight weeks
// ahead: how many each needs and has, and one button to take a duty or give it back (a duty counts towards the
// weekly limit, like a session, so the server may refuse a full week in words). On a session they are on, the
// participants' first names, and from an hour before the start, "came" and "did not come" for each.
import { api, apiAll } from "../api.js";
import { button, h } from "../dom.js";
import { clock, day, localDate } from "../format.js";
import { language, t } from "../i18n.js";
import { redraw, stillOn } from "../router.js";
import { clearProblem, explain, guard, load, loading, problem, say, screen } from "../ui.js";
import { HOME, volunteerGate } from "./volunteer-common.js";

// Attendance is marked from this long before the start (server/services/events.py ATTENDANCE_FROM).
const ATTENDANCE_FROM_MS = 60 * 60 * 1000;

export async function dutiesScreen(view, _params, token) {
  const title = t("vol.eventsTitle");
  const gate = await volunteerGate(view, { title, id: "vevents" });
  if (!gate.pass || !stillOn(token)) return gate.shown || null;
  const root = screen({ title, back: `#${HOME}`, id: "vevents" }, h("p", {}, t("vol.eventsIntro")), loading());
  view.append(root);
  root.ready = fill(root, token);
  return root;
}

async function fill(root, token) {
  const found = await load(root, async () => {
    const duties = await apiAll("/me/event-duties");
    // The participants of the sessions I am on (first names only).
    const lists = await Promise.all(duties.map((d) => (d.mine ? apiAll(`/events/${d.id}/signups`) : null)));
    return duties.map((duty, n) => ({ duty, signups: lists[n] }));
  });
  if (!found || !stillOn(token)) return;
  root.querySelector(".loading")?.remove();
  if (!found.length) return void root.append(h("p", { class: "empty" }, t("vol.eventsNone")));
  const days = new Map();
  for (const item of found) {
    const date = localDate(item.duty.starts_at);
    if (!days.has(date)) days.set(date, []);
    days.get(date).push(item);
  }
  for (const [date, ofDay] of days) {
    const heading = `duties-${date}`;
    root.append(
      h("h2", { id: heading }, day(ofDay[0].duty.starts_at, language())),
      h("ul", { class: "drop-ins", attrs: { "aria-labelledby": heading } }, ...ofDay.map((item) => card(root, item))),
    );
  }
}

function dutyId(duty) {
  return `duty-${duty.id}`;
}

function place(duty) {
  if (duty.remote) return t("vol.eventsRemote");
  return [duty.help_point_name, duty.street_address, duty.municipality].filter(Boolean).join(", ");
}

function card(root, { duty, signups }) {
  const id = dutyId(duty);
  const begun = Date.parse(duty.starts_at) <= Date.now();
  const taken = duty.capacity - duty.places_left;
  let action = null;
  if (begun) {
    action = h("p", { class: "state" }, t("vol.eventsBegun"));
  } else if (duty.mine) {
    action = button(t("vol.eventsGiveBack"), { id: `${id}-back`, attrs: { "aria-describedby": `${id}-title ${id}-time` } });
    guard(action, change(root, "DELETE", duty, t("vol.eventsGivenBack")));
  } else if (duty.staffed >= duty.volunteers_needed) {
    action = h("p", {}, t("vol.eventsFull"));
  } else {
    action = button(t("vol.eventsTake"), {
      class: "primary",
      id: `${id}-take`,
      attrs: { "aria-describedby": `${id}-title ${id}-time` },
    });
    guard(action, change(root, "PUT", duty, t("vol.eventsTaken")));
  }
  return h(
    "li",
    { class: "drop-in", id, attrs: { "data-event": duty.id } },
    h("h3", { id: `${id}-title`, lang: duty.language }, duty.title),
    h("p", { id: `${id}-time` }, h("strong", {}, `${clock(duty.starts_at)}–${clock(duty.ends_at)}`), ", ", place(duty)),
    h("p", {}, t("vol.shiftsStaffed", duty.staffed, duty.volunteers_needed)),
    h("p", {}, t("vol.eventsParticipants", taken, duty.capacity, duty.waitlisted)),
    duty.bring ? h("p", {}, `${t("vol.eventsBring")} `, h("span", { lang: duty.language }, duty.bring)) : null,
    duty.mine ? h("p", {}, h("strong", {}, t("vol.eventsMine"))) : null,
    action,
    duty.mine && signups ? participants(root, duty, signups) : null,
  );
}

/** The first names of those with a place, and once attendance can be marked, came / did not come for each. */
function participants(root, duty, signups) {
  const id = dutyId(duty);
  const heading = `${id}-participants`;
  const placed = signups.filter((s) => s.state === "confirmed");
  const marking = Date.now() >= Date.parse(duty.starts_at) - ATTENDANCE_FROM_MS;
  return h(
    "section",
    { class: "walk-in", attrs: { "aria-labelledby": heading } },
    h("h4", { id: heading }, t("vol.attendanceTitle")),
    placed.length
      ? h("ul", { class: "attendance" }, ...placed.map((s) => participant(root, duty, s, marking)))
      : h("p", {}, t("vol.attendanceNobody")),
    placed.length && !marking ? h("p", { class: "hint" }, t("vol.attendanceLater")) : null,
  );
}

function participant(root, duty, signup, marking) {
  const id = `signup-${signup.id}`;
  const state = h("span", { class: "state", id: `${id}-state` }, attendanceText(signup.attendance));
  const item = h("li", { id, attrs: { "data-signup": signup.id } }, h("span", { class: "name" }, signup.first_name), " – ", state);
  if (!marking) return item;
  const came = button(t("vol.attendedButton"), { id: `${id}-came` });
  const missed = button(t("vol.noShowButton"), { id: `${id}-missed` });
  for (const [control, value] of [
    [came, true],
    [missed, false],
  ]) {
    control.append(h("span", { class: "visually-hidden" }, ` – ${signup.first_name}`));
    guard(control, async () => {
      clearProblem(root);
      // Pressed again: back to not marked.
      const attended = control.getAttribute("aria-pressed") === "true" ? null : value;
      let marked;
      try {
        marked = await api("PUT", `/events/${duty.id}/signups/${signup.id}/attendance`, { attended });
      } catch (error) {
        return void problem(root, explain(error));
      }
      show(marked.attendance);
      const name = signup.first_name;
      say(marked.attendance ? t("vol.attendanceSaved", name, attendanceText(marked.attendance)) : t("vol.attendanceCleared", name));
    });
  }
  const show = (attendance) => {
    came.setAttribute("aria-pressed", String(attendance === "attended"));
    missed.setAttribute("aria-pressed", String(attendance === "no_show"));
    state.textContent = attendanceText(attendance);
  };
  show(signup.attendance);
  item.append(h("div", { class: "actions" }, came, missed));
  return item;
}

function attendanceText(attendance) {
  return attendance ? t(`vol.attendance.${attendance}`) : t("vol.attendance.none");
}

function change(root, method, duty, message) {
  return async () => {
    clearProblem(root);
    try {
      await api(method, `/events/${duty.id}/duty`);
      await redraw();
      const again = document.getElementById(dutyId(duty));
      (again?.querySelector("button") || document.querySelector("#view h1"))?.focus();
      say(message);
    } catch (error) {
      problem(root, explain(error));
    }
  };
}
