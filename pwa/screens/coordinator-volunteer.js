// A volunteer's details changed by their coordinator on their word (many volunteers are retired and will not fill
// in forms): the same profile form and weekly hours the volunteer has in their own app, saved to the volunteer.
// The server checks that the volunteer is one of the coordinator's and records who changed what.
import { api } from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { ensureLists } from "../state.js";
import { editor } from "./availability.js";
import { HOME, deskScreen, loadFor } from "./coordinator-common.js";
import { profileForm } from "./volunteer-profile.js";

export async function volunteerScreen(view, { id }, token) {
  const title = t("coord.volunteerTitle");
  const back = `#${HOME}/vapaaehtoiset`;
  return deskScreen(view, token, { title, id: "volunteer", back, intro: t("coord.volunteerIntro") }, (root) => fill(root, id, token));
}

async function fill(root, id, token) {
  const found = await loadFor(root, token, () =>
    Promise.all([
      api("GET", `/people/${id}`),
      api("GET", `/people/${id}/volunteer-profile`),
      api("GET", `/people/${id}/availability`),
      ensureLists(),
    ]),
  );
  if (found === undefined) return;
  const [person, profile, availability] = found;
  const name = [person.first_name, person.last_name].filter(Boolean).join(" ");
  root.querySelector("h1").textContent = t("coord.volunteerNamed", name);
  root.append(
    h(
      "section",
      { id: "volunteer-profile", attrs: { "aria-labelledby": "h-volunteer-profile" } },
      h("h2", { id: "h-volunteer-profile" }, t("coord.volunteerProfile")),
      profileForm(root, profile, `/people/${id}/volunteer-profile`),
    ),
    // The weekly hours' editor brings its own headings (every week, single dates).
    h("section", { id: "volunteer-hours" }, editor(root, availability, `/people/${id}/availability`)),
  );
}
