/** Styles scoped to the visualizer's shadow root: the host page is untouched. */
export const STYLES = `
:host { all: initial; display: block; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: #1b1b1b; }
.snnv { display: grid; gap: 12px; padding: 8px; }
header { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 16px; }
header h1 { font-size: 18px; margin: 0; }
.notices { margin: 0; }
.notice, .error { display: flex; align-items: center; gap: 8px; justify-content: space-between; padding: 4px 8px; margin: 4px 0; }
.notice { background: #eef6ff; border-left: 4px solid #0072B2; }
.error { background: #fff0f0; border-left: 4px solid #b3261e; }
.dismiss { min-width: 32px; min-height: 32px; padding: 0 8px; }
.explain { margin: 4px 0 6px; max-width: 75ch; }
.equation { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 13px; background: #f5f5f5; padding: 4px 8px; border-radius: 4px; overflow-wrap: anywhere; }
.note { font-size: 13px; color: #333; max-width: 75ch; }
.panel h3 { font-size: 14px; margin: 10px 0 4px; }
.readout { display: block; font-size: 13px; min-height: 1.4em; font-variant-numeric: tabular-nums; }
.row.compact { margin: 0; }
.row.compact label { min-width: 0; }
.grow { flex: 1 1 300px; }
.frame { width: 168px; height: 168px; border: 1px solid #767676; image-rendering: pixelated; }
.probs { list-style: none; padding: 0; margin: 4px 0; flex: 1 1 260px; max-width: 420px; }
.prob { display: grid; grid-template-columns: 1.5em 1fr 11em; align-items: center; gap: 6px; font-variant-numeric: tabular-nums; font-size: 13px; }
.prob .track { background: #eee; height: 14px; border-radius: 2px; overflow: hidden; }
.prob .bar { display: block; width: 0; height: 100%; background: #767676; }
.prob.winner { font-weight: 700; }
.prob.winner .bar { background: #0072B2; }
.prob.winner .digit-name { outline: 2px solid #0072B2; text-align: center; }
.prob.truth .digit-name { text-decoration: underline; }
.meter { border-collapse: collapse; font-size: 13px; font-variant-numeric: tabular-nums; margin: 8px 0 0; }
.meter caption { text-align: left; font-weight: 600; padding-bottom: 4px; }
.meter th, .meter td { border-bottom: 1px solid #ddd; padding: 3px 8px; text-align: right; }
.meter th[scope=row], .meter thead th:first-child { text-align: left; }
.meter-box { overflow-x: auto; }
.picker output { min-width: 12em; }
.export { display: flex; gap: 6px; align-items: center; font-size: 12px; color: #444; margin: 2px 0 6px; }
button.small { font-size: 12px; padding: 2px 8px; min-height: 24px; min-width: 40px; }
.frame-figure { margin: 0; }
.raster { display: block; max-width: 100%; border: none; }
.busy::after { content: " (working…)"; color: #8a4b00; }
input[type=checkbox] { width: 24px; height: 24px; margin: 0; }
input[type=range] { min-height: 24px; }
select, input[type=url], input[type=file], input[type=number], input[type=text] { min-height: 32px; font: inherit; }
button { min-height: 32px; min-width: 32px; }
.panel { border: 1px solid #ddd; border-radius: 8px; padding: 8px 12px; min-width: 0; }
.panel h2 { font-size: 16px; margin: 4px 0 8px; }
.row { display: flex; align-items: center; gap: 8px; margin: 4px 0; flex-wrap: wrap; }
.row label { min-width: 130px; }
.row input[type=range] { flex: 1 1 160px; min-width: 120px; }
.row output { min-width: 56px; font-variant-numeric: tabular-nums; }
.controls { display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); gap: 0 16px; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 8px; }
.chart { min-width: 0; }
.split { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
.digit { width: 168px; height: 168px; border: 1px solid #999; touch-action: none; cursor: crosshair; image-rendering: pixelated; }
.digit-box { display: grid; gap: 4px; justify-items: start; }
figure { margin: 8px 0; }
figcaption { font-size: 13px; color: #444; }
.buttons { display: flex; gap: 8px; flex-wrap: wrap; margin: 6px 0; }
button { font: inherit; padding: 4px 12px; border-radius: 6px; border: 1px solid #888; background: #f6f6f6; cursor: pointer; }
button.primary { background: #0062a0; color: white; border-color: #0062a0; }
button:disabled { opacity: 0.5; cursor: default; }
button:focus-visible, input:focus-visible, select:focus-visible { outline: 3px solid #0072B2; outline-offset: 2px; }
.prediction { font-size: 16px; font-weight: 600; }
.status { color: #333; font-size: 13px; }
.u-legend { font-size: 12px; }
.nir.dragging { outline: 2px dashed #1f77b4; outline-offset: -4px; }
.nir .graph { flex: 1 1 420px; max-width: 600px; }
.nir .lint { flex: 1 1 240px; margin: 8px 0; padding-left: 18px; font-size: 13px; }
.nir .lint .warning { color: #8a2a00; }
.nir .lint .info { color: #444; }
.nir .rasters { display: grid; gap: 4px; }
@media (max-width: 600px) { .row label { min-width: 100%; } .charts { grid-template-columns: 1fr; } .picker label { min-width: 0; } }
`;
