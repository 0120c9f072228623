// Building the DOM without innerHTML: text always goes in as text, never as markup.

export const $ = (id) => document.getElementById(id);

/** h("p", { class: "hint", id: "x", on: { click } , attrs: { "aria-live": "polite" } }, "text", node) */
export function h(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key === "on") for (const [event, handler] of Object.entries(value)) node.addEventListener(event, handler);
    else if (key === "attrs") for (const [name, v] of Object.entries(value)) v != null && node.setAttribute(name, v);
    else if (key in node && typeof value !== "string") node[key] = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  append(node, children);
  return node;
}

function append(node, children) {
  // Any depth: a piece of text may come as an array of text and elements (a place's name marked "in Finnish").
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** A link that looks like a button: used for "back" and for moving on without a server call. */
export function linkButton(href, text, kind = "secondary") {
  return h("a", { class: `button ${kind}`, href }, text);
}

/** A list of strings as <ul>. */
export function list(items, props = {}) {
  return h("ul", props, ...items.map((item) => h("li", {}, item)));
}

/** <button type="button"> with its text: { class, id, on, … } as for h(). */
export function button(text, props = {}) {
  return h("button", { type: "button", class: "secondary", ...props }, text);
}

/** A <dl> of [term, value] rows; empty rows (null) are left out. */
export function definitions(rows) {
  const pairs = rows.filter(Boolean).flatMap(([term, value]) => [h("dt", {}, term), h("dd", {}, value)]);
  return h("dl", { class: "summary" }, ...pairs);
}
