// What every widget shares, one concern per file, gathered here so that a
// widget imports from one place:
//
//   inputs.js         its language, the page's runtime, attributes, seeded numbers, arrow keys
//   display.js        escaping, number formats, the colour scale, matrix tables, the base style
//   share.js          the "Copy snippet / Copy link" footer
//   shared-models.js  models several widgets on a page load once
//   base.js           GfWidget and GfModelWidget: the concept widgets' life cycle
//   heatmap.js, loss-curve.js (imported directly): the attention heatmap and the loss curve

export * from "./inputs.js";
export * from "./display.js";
export * from "./share.js";
export * from "./shared-models.js";
export * from "./base.js";
