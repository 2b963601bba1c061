// Lint for the front-end code of the facilitator app (`make lint`).
import js from "@eslint/js";
import globals from "globals";

export default [
  js.configs.recommended,
  {
    files: ["facilitator/ui/assets/**/*.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module", // loaded by st.components.v2 as an ES module
      globals: { ...globals.browser },
    },
    rules: {
      "no-unused-vars": ["error", { args: "after-used", argsIgnorePattern: "^_|^all$" }],
      eqeqeq: "error",
      "prefer-const": "error",
    },
  },
];
