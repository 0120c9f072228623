// One way to write a time, everywhere: weekday, date and clock in Helsinki time, the way the SMS say it
// ("ti 1.12. klo 9.00", "tis 1.12. kl. 9.00", "Tue 1 Dec at 9.00"; server/domain/messages.py `_WHEN`).

const ZONE = "Europe/Helsinki";
const LOCALE = { fi: "fi-FI", sv: "sv-FI", en: "en-GB" };
const cache = new Map();

function formatter(language, options) {
  const key = `${language}|${JSON.stringify(options)}`;
  if (!cache.has(key)) {
    cache.set(key, new Intl.DateTimeFormat(LOCALE[language] || LOCALE.fi, { timeZone: ZONE, ...options }));
  }
  return cache.get(key);
}

function parts(instant, language, options) {
  const out = {};
  for (const part of formatter(language, options).formatToParts(new Date(instant))) out[part.type] = part.value;
  return out;
}

/** "9.00": hours without a leading zero, a dot, minutes. */
export function clock(instant) {
  const p = parts(instant, "fi", { hour: "numeric", minute: "2-digit", hourCycle: "h23" });
  return `${Number(p.hour)}.${p.minute}`;
}

/** "ti 1.12. klo 9.00" / "tis 1.12. kl. 9.00" / "Tue 1 Dec at 9.00" */
export function when(instant, language) {
  const month = language === "en" ? "short" : "numeric";
  const p = parts(instant, language, { weekday: "short", day: "numeric", month });
  if (language === "en") return `${p.weekday} ${p.day} ${p.month} at ${clock(instant)}`;
  return `${p.weekday} ${p.day}.${p.month}. ${language === "sv" ? "kl." : "klo"} ${clock(instant)}`;
}

/** "Tiistai 1.12." / "Tisdag 1.12." / "Tuesday 1 December": the heading of a day in the list of times. */
export function day(instant, language) {
  // The weekday on its own, so that Finnish says "tiistai" (not "tiistaina", the form used inside a date).
  const weekday = parts(instant, language, { weekday: "long" }).weekday;
  const capital = weekday.charAt(0).toLocaleUpperCase(language) + weekday.slice(1);
  if (language === "en") {
    const p = parts(instant, language, { day: "numeric", month: "long" });
    return `${capital} ${p.day} ${p.month}`;
  }
  const p = parts(instant, language, { day: "numeric", month: "numeric" });
  return `${capital} ${p.day}.${p.month}.`;
}

/** The Helsinki calendar date of an instant, "2026-12-01". */
export function localDate(instant = Date.now()) {
  const p = parts(instant, "en", { year: "numeric", month: "2-digit", day: "2-digit" });
  return `${p.year}-${p.month}-${p.day}`;
}

export function addDays(isoDate, days) {
  const [y, m, d] = isoDate.split("-").map(Number);
  const moved = new Date(Date.UTC(y, m - 1, d + days));
  return moved.toISOString().slice(0, 10);
}
