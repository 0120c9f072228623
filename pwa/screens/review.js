// The first name, then (after the number and the code) a last look and the one button that books.
import { api, ApiError, newIdempotencyKey } from "../api.js";
import { button, definitions, h, linkButton } from "../dom.js";
import { when } from "../format.js";
import { language, t } from "../i18n.js";
import { go, stillOn } from "../router.js";
import { ensureLists, helpLanguage, resetDraft, store } from "../state.js";
import { clearFieldError, clearProblem, explain, field, fieldError, guard, problem, screen } from "../ui.js";
import { placeLine } from "./time.js";
import { bringList, topicName } from "./where.js";

const CHOOSE_AGAIN = new Set(["slot_taken", "slot_past", "slot_closed", "resident_busy"]);

/** The journey so far is complete up to the time (or "call me"); otherwise back to where it is not. */
function incomplete() {
  const draft = store.draft;
  if (!draft.topic) return "/aihe";
  if (!draft.modality) return "/tapa";
  if (draft.modality === "help_point" && !draft.helpPointId) return "/kunta";
  if (draft.modality === "home_visit" && !draft.home) return "/koti";
  if (draft.kind === "book" && !draft.slot) return "/aika";
  return null;
}

/** Back from the name or the last look: to the times, or for a home visit to its address. */
function backToChoice() {
  return store.draft.modality === "home_visit" ? "#/koti" : "#/aika";
}

export async function nameScreen(view) {
  const missing = incomplete();
  if (missing) return void go(missing, { replace: true });
  await store.sessionChecked;
  const name = field({
    id: "first-name",
    label: t("nameLabel"),
    hint: t("nameHint"),
    value: store.draft.firstName || store.session?.first_name || "",
    autocomplete: "given-name",
    maxlength: "100",
  });
  name.input.addEventListener("input", () => (store.draft.firstName = name.input.value));
  const submit = h("button", { type: "submit", class: "primary" }, t("continue"));
  const form = h("form", { id: "form-name", novalidate: true }, ...name.nodes, submit);
  const root = screen({ title: t("nameTitle"), back: backToChoice(), id: "name" }, form);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldError(name.input);
    const value = name.input.value.trim();
    if (!value) return fieldError(name.input, t("needName"));
    store.draft.firstName = value;
    if (!store.session) {
      store.signIn.purpose = store.draft.kind;
      return go("/puhelin");
    }
    try {
      if (value !== store.session.first_name) await api("PATCH", "/me", { first_name: value });
      store.session.first_name = value;
      go("/tarkista");
    } catch (error) {
      fieldError(name.input, explain(error));
    }
  });
  view.append(root);
  return root;
}

function summary(draft) {
  const rows = [[t("topicLabel"), topicName(draft.topic)], [t("howLabel"), t(`modality.${draft.modality}`)]];
  if (draft.modality === "help_point") rows.push([t("placeLabel"), placeLine(draft.modality, draft.helpPointId)]);
  if (draft.modality === "home_visit") rows.push([t("homeLabel"), draft.home.address]);
  const time = draft.kind === "book" ? when(draft.slot.starts_at, language()) : t("noFixedTime");
  rows.push([t("timeLabel"), time]);
  rows.push([t("nameLabelShort"), store.session?.first_name || draft.firstName]);
  return definitions(rows);
}

export async function reviewScreen(view, _params, token) {
  const missing = incomplete();
  if (missing) return void go(missing, { replace: true });
  await store.sessionChecked;
  if (!store.session) {
    store.signIn.purpose = store.draft.kind;
    return void go("/nimi", { replace: true });
  }
  const draft = store.draft;
  const booking = draft.kind === "book";
  // One key per attempt: made when the attempt is shown, reused by a second tap or a retry after a lost answer.
  // One key per attempt (not per tap): a second tap, or a retry after a lost answer, returns the first result.
  if (!draft.idempotencyKey) draft.idempotencyKey = newIdempotencyKey();
  const confirm = button(t(booking ? "bookButton" : "askSend"), { class: "primary", id: "confirm" });
  const root = screen(
    { title: t(booking ? "reviewTitle" : "reviewAskTitle"), back: backToChoice(), id: "review" },
    booking ? null : h("p", {}, t("askExplain")),
  );
  const body = h("div", { class: "review-body" }, needsChoice(draft), confirm);
  root.append(body);
  view.append(root);
  guard(confirm, () => (booking ? book(root) : ask(root)));
  try {
    await ensureLists();
  } catch {
    // Names are shown as codes until the lists load; the booking itself does not need them.
  }
  if (!stillOn(token)) return root;
  body.prepend(summary(draft), bringList(draft.topic) || "");
  return root;
}

/** Optional: what the helper should know (hearing, sight, moving about, memory); matching takes it into account. */
function needsChoice(draft) {
  const boxes = ["hearing", "sight", "mobility", "memory"].map((need) => {
    const box = h("input", { type: "checkbox", id: `need-${need}`, name: "need", value: need });
    box.checked = draft.needs.includes(need);
    box.addEventListener("change", () => {
      draft.needs = draft.needs.filter((n) => n !== need);
      if (box.checked) draft.needs.push(need);
      draft.idempotencyKey = newIdempotencyKey(); // a changed request is a new attempt
    });
    return h("li", {}, box, h("label", { for: box.id }, t(`residentNeeds.${need}`)));
  });
  return h(
    "fieldset",
    { id: "needs", attrs: { "aria-describedby": "needs-hint" } },
    h("legend", {}, t("needsLegend")),
    h("p", { id: "needs-hint", class: "hint" }, t("needsHint")),
    h("ul", { class: "checks" }, ...boxes),
  );
}

async function book(root) {
  const draft = store.draft;
  const body = {
    topic: draft.topic,
    modality: draft.modality,
    starts_at: draft.slot.starts_at,
    language: draft.language || helpLanguage(language()),
    needs: draft.needs,
  };
  if (draft.modality === "help_point") body.help_point_id = draft.helpPointId;
  try {
    const booked = await api("POST", "/bookings", body, { headers: { "Idempotency-Key": draft.idempotencyKey } });
    store.result = { kind: "book", booked, draft: { ...draft }, phone: draft.phone };
    resetDraft();
    await go("/vahvistus", { replace: true });
  } catch (error) {
    failed(root, error);
  }
}

async function ask(root) {
  const draft = store.draft;
  const body = { topic: draft.topic, modality: draft.modality, language: helpLanguage(language()), needs: draft.needs };
  if (draft.modality === "help_point") body.help_point_id = draft.helpPointId;
  if (draft.modality === "home_visit") {
    const { address, latitude, longitude } = draft.home;
    body.home = { address, latitude, longitude };
  }
  try {
    const asked = await api("POST", "/requests", body, { headers: { "Idempotency-Key": draft.idempotencyKey } });
    store.result = { kind: "ask", asked, draft: { ...draft }, phone: draft.phone };
    resetDraft();
    await go("/vahvistus", { replace: true });
  } catch (error) {
    failed(root, error);
  }
}

function failed(root, error) {
  clearProblem(root);
  const code = error instanceof ApiError ? error.code : "";
  const actions = [];
  if (CHOOSE_AGAIN.has(code)) {
    // This attempt is over: a new time is a new attempt with a new key.
    store.draft.slot = null;
    store.draft.idempotencyKey = null;
    actions.push(linkButton("#/aika", t("chooseAnotherTime"), "primary"));
  } else if (code === "idempotency_mismatch") {
    store.draft.idempotencyKey = newIdempotencyKey(); // the next press is a new attempt
  } else if (code === "too_many_bookings") {
    actions.push(linkButton("#/omat", t("mySessions"), "primary"));
  } else if (error instanceof ApiError && error.status === 401) {
    store.session = null;
    store.signIn.purpose = store.draft.kind;
    actions.push(linkButton("#/puhelin", t("signInAgain"), "primary"));
  }
  problem(root, explain(error), { actions });
}
