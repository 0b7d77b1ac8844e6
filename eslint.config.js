// JavaScript lint for the player (viz/web/js), its build script and its node tests.
// The pure core (viz/web/js/core) must not touch the page: no window, no document.

import js from "@eslint/js";
import globals from "globals";

export default [
  { ignores: ["viz/web/dist/**", "node_modules/**", ".venv/**"] },
  js.configs.recommended,
  {
    files: ["viz/web/js/**/*.js"],
    languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: { ...globals.browser } },
    rules: { "no-unused-vars": ["error", { args: "none" }], eqeqeq: ["error", "smart"], "prefer-const": "error" },
  },
  {
    files: ["viz/web/js/core/**/*.js"],
    languageOptions: { globals: { atob: "readonly", URLSearchParams: "readonly" } },
    rules: {
      "no-restricted-globals": ["error",
        { name: "window", message: "The core is pure: pass what it needs in." },
        { name: "document", message: "The core is pure: pass what it needs in." },
        { name: "location", message: "The core is pure: pass what it needs in." },
        { name: "performance", message: "The core is pure: pass the time in." }],
      "no-restricted-imports": ["error", { patterns: ["@kitware/*", "../render/*", "../ui/*", "../player.js"] }],
    },
  },
  {
    files: ["tests/js/**/*.mjs", "viz/web/build.mjs"],
    languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: { ...globals.node } },
  },
];
