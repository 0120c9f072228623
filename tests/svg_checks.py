"""Checks on the SVG charts shared by the unit and the integration tests."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"
NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}


def parse(text: str) -> ET.Element:
    """The chart as an element tree; parsing fails if it is not well-formed XML."""
    return ET.fromstring(text)  # noqa: S314 - our own server's output, parsed to check it


def title_and_desc(root: ET.Element) -> tuple[str, str]:
    """The texts of the root's <title> and <desc>, which must come first among its drawn children."""
    named = [child for child in root if child.tag in (SVG + "title", SVG + "desc")]
    assert [c.tag for c in named] == [SVG + "title", SVG + "desc"], named
    return named[0].text or "", named[1].text or ""


def external_references(root: ET.Element, text: str, *, labels_may_hold_urls: bool = False) -> list[str]:
    """Anything that refers outside the file: a URL in an attribute or a style sheet (only `url(#…)` may
    stay), and any web address in the text except the SVG namespaces, unless the caller knows a label (text
    typed by a coordinator) holds one."""
    found = [v for e in root.iter() for v in e.attrib.values() if re.search(r"(https?:|//|url\((?!#))", v)]
    found += [s.text or "" for s in root.iter(SVG + "style") if re.search(r"https?:|//|url\((?!#)", s.text or "")]
    if not labels_may_hold_urls:
        found += [u for u in re.findall(r"https?://[^\s\"'<>)]+", text) if u not in NAMESPACES]
    return found
