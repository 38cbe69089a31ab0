/* The colours of the chart series (Okabe-Ito), one module so that it can
 * be generated from the Rust palette.
 */

// Okabe-Ito: readable by most colour-blind viewers and on a projector.
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'];
