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

/** "09:00": the Helsinki wall-clock time of an instant, as a time field holds it. */
export function localTime(instant) {
  const p = parts(instant, "en", { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  return `${p.hour}:${p.minute}`;
}

/** The instant of a Helsinki wall-clock time ("2026-12-01", "09:00"), as ISO 8601 in UTC. */
export function helsinkiInstant(isoDate, hhmm) {
  const [y, m, d] = isoDate.split("-").map(Number);
  const [hour, minute] = hhmm.split(":").map(Number);
  const wanted = Date.UTC(y, m - 1, d, hour, minute);
  let guess = wanted;
  // Twice: the first pass finds the offset, the second corrects it across a daylight-saving change.
  for (let pass = 0; pass < 2; pass += 1) {
    const p = parts(guess, "en", {
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    guess += wanted - Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute));
  }
  return new Date(guess).toISOString();
}

/** 0 = Monday … 6 = Sunday, as the server counts weekdays. */
export function weekdayOf(isoDate) {
  const [y, m, d] = isoDate.split("-").map(Number);
  return (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7;
}

/** "Maanantai" / "Måndag" / "Monday" for 0 … 6. */
export function weekdayName(index, language) {
  // 1 January 2024 was a Monday; noon UTC is the same date in Helsinki.
  const name = parts(Date.UTC(2024, 0, 1 + index, 12), language, { weekday: "long" }).weekday;
  return name.charAt(0).toLocaleUpperCase(language) + name.slice(1);
}

/** "+358401000101" → "040 1000101", the way Finns write their numbers; others as they are. */
export function phoneDisplay(e164) {
  if (!e164 || !e164.startsWith("+358")) return e164 || "";
  const national = `0${e164.slice(4)}`;
  // As the server writes it (phonenumbers' national format): the prefix, a space, the rest. Mobile (04x, 050),
  // service (020, 010) and the old three-digit area codes (013–019) have three digits; the two-digit area codes
  // (02, 03, 05, 06, 08, 09) two: "040 1234567", "09 31012345", "08 8501235".
  const short = /^0[235689]/.test(national) && !/^0(20|50)/.test(national);
  const cut = short ? 2 : 3;
  return `${national.slice(0, cut)} ${national.slice(cut)}`;
}
