// The volunteer's shifts on the drop-in hours of their help points: the next four weeks, how many volunteers each
// needs and has, and one button to take a shift or give it back. A shift counts towards the weekly limit, like a
// session, so the server may refuse a full week in words.
import { api, apiAll } from "../api.js";
import { button, h } from "../dom.js";
import { language, t } from "../i18n.js";
import { clock, day, localDate } from "../format.js";
import { redraw, stillOn } from "../router.js";
import { clearProblem, explain, guard, load, loading, problem, say, screen } from "../ui.js";
import { HOME, volunteerGate } from "./volunteer-common.js";

export async function shiftsScreen(view, _params, token) {
  const title = t("vol.shiftsTitle");
  const gate = await volunteerGate(view, { title, id: "vshifts" });
  if (!gate.pass || !stillOn(token)) return gate.shown || null;
  const root = screen({ title, back: `#${HOME}`, id: "vshifts" }, h("p", {}, t("vol.shiftsIntro")), loading());
  view.append(root);
  root.ready = load(root, () => apiAll("/me/drop-in-shifts")).then((shifts) => {
    if (!shifts || !stillOn(token)) return;
    root.querySelector(".loading")?.remove();
    if (!shifts.length) return void root.append(h("p", { class: "empty" }, t("vol.shiftsNone")));
    const days = new Map();
    for (const shift of shifts) {
      const date = localDate(shift.starts_at);
      if (!days.has(date)) days.set(date, []);
      days.get(date).push(shift);
    }
    for (const [date, ofDay] of days) {
      const heading = `shifts-${date}`;
      root.append(
        h("h2", { id: heading }, day(ofDay[0].starts_at, language())),
        h("ul", { class: "drop-ins", attrs: { "aria-labelledby": heading } }, ...ofDay.map((s) => card(root, s))),
      );
    }
  });
  return root;
}

function shiftId(shift) {
  return `shift-${shift.hour_id}-${shift.day}`;
}

function card(root, shift) {
  const id = shiftId(shift);
  const staffed = t("vol.shiftsStaffed", shift.staffed, shift.volunteers_needed);
  let action;
  if (shift.mine) {
    action = button(t("vol.shiftsGiveBack"), { id: `${id}-back`, attrs: { "aria-describedby": `${id}-time` } });
    guard(action, change(root, "DELETE", shift, t("vol.shiftsGivenBack")));
  } else if (shift.staffed >= shift.volunteers_needed) {
    action = h("p", {}, t("vol.shiftsFull"));
  } else {
    action = button(t("vol.shiftsTake"), {
      class: "primary",
      id: `${id}-take`,
      attrs: { "aria-describedby": `${id}-time` },
    });
    guard(action, change(root, "PUT", shift, t("vol.shiftsTaken")));
  }
  return h(
    "li",
    { class: "drop-in", id },
    h("p", { id: `${id}-time` }, h("strong", {}, `${clock(shift.starts_at)}–${clock(shift.ends_at)}`), ", ",
      shift.help_point_name),
    h("p", {}, [shift.street_address, shift.municipality].filter(Boolean).join(", ")),
    h("p", {}, staffed),
    shift.mine ? h("p", {}, h("strong", {}, t("vol.shiftsMine"))) : null,
    action,
  );
}

function change(root, method, shift, message) {
  return async () => {
    clearProblem(root);
    try {
      await api(method, `/drop-in-hours/${shift.hour_id}/shifts/${shift.day}`);
      await redraw();
      const again = document.getElementById(shiftId(shift));
      (again?.querySelector("button") || document.querySelector("#view h1"))?.focus();
      say(message);
    } catch (error) {
      problem(root, explain(error));
    }
  };
}
