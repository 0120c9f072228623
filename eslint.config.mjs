// The PWA's modules are plain ES modules with no build step: ESLint catches a name used but never imported (a
// runtime error only when that line runs) and imports left unused. `make lint` runs it.
import globals from "globals";

export default [
  {
    files: ["pwa/**/*.js"],
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: "module",
      globals: { ...globals.browser },
    },
    rules: {
      "no-undef": "error",
      "no-unused-vars": ["error", { args: "none" }],
    },
  },
  {
    files: ["pwa/sw.js"],
    languageOptions: { sourceType: "script", globals: { ...globals.serviceworker } },
  },
];
