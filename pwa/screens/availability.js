// When the volunteer can help: hours per weekday (at a help point, or by phone and video), and dates away or
// with extra hours. Times are Finnish wall-clock time, as the server plans them.
import { api, ApiError } from "../api.js";
import { button, h } from "../dom.js";
import { localDate, weekdayName } from "../format.js";
import { language, t } from "../i18n.js";
import { stillOn } from "../router.js";
import { clearErrors, clearProblem, explain, fieldError, guard, load, loading, problem, say, screen } from "../ui.js";
import { HOME, volunteerGate } from "./volunteer-common.js";

const short = (time) => (time || "").slice(0, 5); // "09:00:00" → "09:00", as a time field holds it
const full = (time) => `${time}:00`; // the server reads RFC 3339 times with seconds
const shown = (time) => time.replace(/^0/, "").replace(":", "."); // "09:00" → "9.00"

function kindOf(override) {
  if (!override.away) return "extra";
  return override.start ? "away_hours" : "away_day";
}

export async function availabilityScreen(view, _params, token) {
  const title = t("vol.availabilityTitle");
  const gate = await volunteerGate(view, { title, id: "vavail" });
  if (!gate.pass || !stillOn(token)) return gate.shown || null;
  const root = screen({ title, back: `#${HOME}`, id: "vavail" }, h("p", {}, t("vol.availabilityIntro")), loading());
  view.append(root);
  root.ready = load(root, () => api("GET", "/me/availability")).then((saved) => {
    if (!saved || !stillOn(token)) return;
    root.querySelector(".loading")?.remove();
    root.append(editor(root, saved));
  });
  return root;
}

function fromServer(saved) {
  return {
    rules: saved.rules.map((r) => ({ weekday: r.weekday, start: short(r.start), end: short(r.end), remote: r.remote })),
    overrides: saved.overrides.map((o) => ({
      day: o.day,
      kind: kindOf(o),
      start: short(o.start),
      end: short(o.end),
      remote: o.remote,
    })),
  };
}

function timeInput(id, value, onChange) {
  const input = h("input", { id, name: id, type: "time", attrs: { "aria-describedby": `${id}-error` } });
  input.value = value || "";
  input.addEventListener("change", () => onChange(input.value));
  return input;
}

function field(id, label, control) {
  return h(
    "div",
    { class: "field" },
    h("label", { for: id }, label),
    h("p", { id: `${id}-error`, class: "error", hidden: true }),
    control,
  );
}

function whereSelect(id, remote, onChange) {
  const box = h(
    "select",
    { id, name: id },
    h("option", { value: "place", selected: !remote }, t("vol.atHelpPoint")),
    h("option", { value: "remote", selected: remote }, t("vol.remote")),
  );
  box.addEventListener("change", () => onChange(box.value === "remote"));
  return box;
}

/** The editor; `path` is where it is saved: the volunteer's own, or a coordinator's `/people/{id}/availability`. */
export function editor(root, saved, path = "/me/availability") {
  const state = fromServer(saved);
  const weekly = h("div", { class: "weekly" });
  const dates = h("div", { class: "dates" });
  const save = h("button", { type: "submit", class: "primary", id: "save-availability" }, t("vol.saveAvailability"));
  const form = h(
    "form",
    { id: "form-availability", novalidate: true },
    h("h2", { id: "h-weekly" }, t("vol.weeklyTitle")),
    weekly,
    h("h2", { id: "h-dates" }, t("vol.datesTitle")),
    h("p", { class: "hint" }, t("vol.datesHint")),
    dates,
    save,
  );

  function drawWeekly(focusId) {
    weekly.replaceChildren(
      ...[0, 1, 2, 3, 4, 5, 6].map((weekday) => {
        const dayName = weekdayName(weekday, language());
        const rows = state.rules
          .map((rule, index) => ({ rule, index }))
          .filter(({ rule }) => rule.weekday === weekday)
          .sort((a, b) => a.rule.start.localeCompare(b.rule.start))
          .map(({ rule, index }) => ruleRow(rule, index, dayName));
        const add = button(t("vol.addHours"), { attrs: { "data-add-day": weekday } });
        add.append(h("span", { class: "visually-hidden" }, `: ${dayName}`));
        add.addEventListener("click", () => {
          state.rules.push({ weekday, start: "", end: "", remote: false });
          drawWeekly(`rule-${state.rules.length - 1}-start`);
        });
        return h(
          "fieldset",
          { class: "day-hours", id: `day-${weekday}` },
          h("legend", {}, dayName),
          rows.length ? h("ul", { class: "periods" }, ...rows) : h("p", { class: "hint" }, t("vol.noHours")),
          add,
        );
      }),
    );
    if (focusId) form.querySelector(`#${focusId}`)?.focus();
  }

  function ruleRow(rule, index, dayName) {
    const remove = button(t("vol.remove"));
    remove.append(h("span", { class: "visually-hidden" }, `: ${dayName} ${shown(rule.start)}–${shown(rule.end)}`));
    remove.addEventListener("click", () => {
      state.rules.splice(index, 1);
      drawWeekly(null);
      form.querySelector(`[data-add-day="${rule.weekday}"]`)?.focus();
    });
    return h(
      "li",
      { class: "period" },
      field(
        `rule-${index}-start`,
        t("vol.starts"),
        timeInput(`rule-${index}-start`, rule.start, (v) => (rule.start = v)),
      ),
      field(
        `rule-${index}-end`,
        t("vol.ends"),
        timeInput(`rule-${index}-end`, rule.end, (v) => (rule.end = v)),
      ),
      field(
        `rule-${index}-where`,
        t("vol.where"),
        whereSelect(`rule-${index}-where`, rule.remote, (v) => (rule.remote = v)),
      ),
      remove,
    );
  }

  function drawDates(focusId) {
    const rows = state.overrides.map((override, index) => overrideRow(override, index));
    const add = button(t("vol.addDate"), { id: "add-date" });
    add.addEventListener("click", () => {
      state.overrides.push({ day: "", kind: "away_day", start: "", end: "", remote: false });
      drawDates(`over-${state.overrides.length - 1}-day`);
    });
    dates.replaceChildren(
      rows.length ? h("ul", { class: "periods" }, ...rows) : h("p", { class: "hint" }, t("vol.noDates")),
      add,
    );
    if (focusId) form.querySelector(`#${focusId}`)?.focus();
  }

  function overrideRow(override, index) {
    const id = `over-${index}`;
    const day = h("input", {
      id: `${id}-day`,
      name: `${id}-day`,
      type: "date",
      min: localDate(),
      attrs: { "aria-describedby": `${id}-day-error` },
    });
    day.value = override.day;
    day.addEventListener("change", () => (override.day = day.value));
    const kind = h(
      "select",
      { id: `${id}-kind`, name: `${id}-kind` },
      ...["away_day", "away_hours", "extra"].map((k) =>
        h("option", { value: k, selected: override.kind === k }, t(`vol.overrideKind.${k}`)),
      ),
    );
    const hours = h(
      "div",
      { class: "hours", hidden: override.kind === "away_day" },
      field(
        `${id}-start`,
        t("vol.starts"),
        timeInput(`${id}-start`, override.start, (v) => (override.start = v)),
      ),
      field(
        `${id}-end`,
        t("vol.ends"),
        timeInput(`${id}-end`, override.end, (v) => (override.end = v)),
      ),
    );
    const where = field(
      `${id}-where`,
      t("vol.where"),
      whereSelect(`${id}-where`, override.remote, (v) => (override.remote = v)),
    );
    where.hidden = override.kind !== "extra";
    kind.addEventListener("change", () => {
      override.kind = kind.value;
      hours.hidden = kind.value === "away_day";
      where.hidden = kind.value !== "extra";
    });
    const remove = button(t("vol.remove"));
    remove.append(h("span", { class: "visually-hidden" }, `: ${override.day || t("vol.newDate")}`));
    remove.addEventListener("click", () => {
      state.overrides.splice(index, 1);
      drawDates("add-date");
    });
    return h(
      "li",
      { class: "period" },
      field(`${id}-day`, t("vol.dateLabel"), day),
      field(`${id}-kind`, t("vol.overrideKindLabel"), kind),
      hours,
      where,
      remove,
    );
  }

  /** The first mistake, next to its field: [element id, message], or null. */
  function mistake() {
    for (const [index, rule] of state.rules.entries()) {
      if (!rule.start) return [`rule-${index}-start`, t("vol.availErrors.needTime")];
      if (!rule.end) return [`rule-${index}-end`, t("vol.availErrors.needTime")];
      if (rule.start >= rule.end) return [`rule-${index}-end`, t("vol.availErrors.endBeforeStart")];
      const other = state.rules.find(
        (o, i) =>
          i !== index &&
          o.weekday === rule.weekday &&
          o.remote === rule.remote &&
          o.start &&
          o.end &&
          o.start < rule.end &&
          rule.start < o.end,
      );
      if (other) return [`rule-${index}-start`, t("vol.availErrors.overlap", shown(other.start), shown(other.end))];
    }
    const today = localDate();
    for (const [index, override] of state.overrides.entries()) {
      if (!override.day) return [`over-${index}-day`, t("vol.availErrors.needDate")];
      if (override.day < today) return [`over-${index}-day`, t("vol.availErrors.past")];
      if (override.kind === "away_day") continue;
      if (!override.start) return [`over-${index}-start`, t("vol.availErrors.needTime")];
      if (!override.end) return [`over-${index}-end`, t("vol.availErrors.needTime")];
      if (override.start >= override.end) return [`over-${index}-end`, t("vol.availErrors.endBeforeStart")];
    }
    return null;
  }

  function body() {
    return {
      rules: state.rules.map((r) => ({ weekday: r.weekday, start: full(r.start), end: full(r.end), remote: r.remote })),
      overrides: state.overrides.map((o) =>
        o.kind === "away_day"
          ? { day: o.day, away: true }
          : {
              day: o.day,
              away: o.kind !== "extra",
              start: full(o.start),
              end: full(o.end),
              remote: o.kind === "extra" && o.remote,
            },
      ),
    };
  }

  form.addEventListener("submit", (event) => event.preventDefault());
  guard(save, async () => {
    clearProblem(root);
    clearErrors(form);
    const wrong = mistake();
    if (wrong) return fieldError(form.querySelector(`#${wrong[0]}`), wrong[1]);
    try {
      const answer = await api("PUT", path, body());
      Object.assign(state, fromServer(answer));
      drawWeekly(null);
      drawDates(null);
      say(t("vol.availabilitySaved"));
    } catch (error) {
      const code = error instanceof ApiError ? error.code : "";
      const key = error instanceof ApiError ? (error.problem.errors || [])[0]?.key || "" : "";
      const at = key.match(/^(rules|overrides)\[(\d+)\]\.(\w+)/);
      const target =
        at && form.querySelector(`#${at[1] === "rules" ? "rule" : "over"}-${at[2]}-${at[3] === "day" ? "day" : at[3]}`);
      if (target) fieldError(target, t("vol.availErrors.invalid"));
      else if (code && t(`vol.availErrors.${code}`) !== `vol.availErrors.${code}`)
        problem(root, t(`vol.availErrors.${code}`));
      else problem(root, explain(error));
    }
  });
  drawWeekly(null);
  drawDates(null);
  return form;
}
