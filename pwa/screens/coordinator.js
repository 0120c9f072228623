// The coordinator's dashboard texts, loaded with the first of its screens (residents and volunteers never
// download them); each screen's module is then fetched when it is opened (app.js).
import { TEXT } from "../i18n.js";
import fi from "../i18n/coordinator-fi.js";
import sv from "../i18n/coordinator-sv.js";
import en from "../i18n/coordinator-en.js";

TEXT.fi.coord = fi;
TEXT.sv.coord = sv;
TEXT.en.coord = en;
