// What every widget shares, one concern per file, gathered here so that a
// widget imports from one place:
//
//   inputs.js         its language, the page's runtime, attributes, seeded numbers, arrow keys
//   display.js        escaping, number formats, the colour scale, matrix tables, the base style
//   share.js          the "Copy snippet / Copy link" footer
//   shared-models.js  models several widgets on a page load once
//   base.js           GfWidget and GfModelWidget: every widget's life cycle
//   trainer.js        GfTrainerWidget: the training demos' loop, pause and resume
//
// Imported directly where needed: heatmap.js and loss-curve.js (the
// attention heatmap and the training curve), translation-views.js (what the
// translator demo draws), and each demo's words and look in text/ and style/.

export * from "./inputs.js";
export * from "./display.js";
export * from "./share.js";
export * from "./shared-models.js";
export * from "./base.js";
export * from "./trainer.js";
