// Finnish first; Swedish and English. Plain words, no jargon. The chosen language is remembered on this
// device (the only thing the app keeps in localStorage).
import fi from "./i18n/fi.js";
import sv from "./i18n/sv.js";
import en from "./i18n/en.js";

export const TEXT = { fi, sv, en };
export const LANGUAGES = ["fi", "sv", "en"];
const STORAGE_KEY = "apuri.language";
let current = chosenLanguage();

export function chosenLanguage() {
  let saved = null;
  try {
    saved = localStorage.getItem(STORAGE_KEY);
  } catch {
    saved = null;
  }
  return saved in TEXT ? saved : "fi";
}

export function rememberLanguage(language) {
  try {
    localStorage.setItem(STORAGE_KEY, language);
  } catch {
    // Private mode without storage: the choice lasts for this visit only.
  }
}

export function language() {
  return current;
}

export function setLanguage(next) {
  if (!(next in TEXT)) return;
  current = next;
  rememberLanguage(next);
  document.documentElement.lang = next;
}

function lookup(table, key) {
  return key.split(".").reduce((node, part) => (node == null ? undefined : node[part]), table);
}

/** t("errors.slot_taken"), t("hello", name): the text in the chosen language (Finnish if missing). */
export function t(key, ...args) {
  const value = lookup(TEXT[current], key) ?? lookup(TEXT.fi, key);
  if (value === undefined) return key;
  return typeof value === "function" ? value(...args) : value;
}
