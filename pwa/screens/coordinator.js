// The coordinator's dashboard, loaded only when a coordinator's screen is opened (residents and volunteers
// never download it): its texts join the app's, and its screens are handed to the router.
import { TEXT } from "../i18n.js";
import fi from "../i18n/coordinator-fi.js";
import sv from "../i18n/coordinator-sv.js";
import en from "../i18n/coordinator-en.js";

TEXT.fi.coord = fi;
TEXT.sv.coord = sv;
TEXT.en.coord = en;

export { queuesScreen } from "./coordinator-queues.js";
export { requestScreen } from "./coordinator-request.js";
export { onBehalfScreen } from "./coordinator-on-behalf.js";
export { feedbackScreen } from "./coordinator-feedback.js";
export { messagesScreen } from "./coordinator-messages.js";
export { ledgerScreen } from "./coordinator-ledger.js";
export { peopleScreen } from "./coordinator-people.js";
export { placeScreen, placesScreen } from "./coordinator-places.js";
export { topicScreen, topicsScreen } from "./coordinator-topics.js";
export { statisticsScreen } from "./coordinator-statistics.js";
