// Lint for the facilitator app's style sheets (`make lint`).
export default {
  extends: ["stylelint-config-standard"],
  rules: {
    // Our classes are BEM-like (bc-timer__big) and Streamlit's generated ones are camelCase or
    // st-key-<widget key>: no naming pattern to enforce.
    "selector-class-pattern": null,
    "selector-id-pattern": null,
    // Streamlit's inline styles win over ours without it (e.g. caption opacity, projector mode).
    "declaration-no-important": null,
    // Streamlit's own selectors are long and specific; ours must sometimes come later to win.
    "no-descending-specificity": null,
    // Short one-line rule sets keep the sheet readable next to Streamlit's markup.
    "declaration-block-single-line-max-declarations": null,
    // overflow-wrap: anywhere is meant (Streamlit's labels must never be cut off).
    "declaration-property-value-keyword-no-deprecated": null,
  },
};
