// A small SVG line-chart writer (no dependencies): a grid of panels, each with its own axes
// (linear or log x; linear y from 0, or log y) and one line per series.

const COLORS = { metarouter: '#1f6feb', baseline: '#8b949e', segment: '#d1242f', posthog: '#bf8700', rudder: '#8250df' };
const DASH = { baseline: '6 4' };
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"';

function escape(text) {
  return String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function niceStep(max, ticks) {
  const raw = max / ticks;
  const power = 10 ** Math.floor(Math.log10(raw));
  const unit = raw / power;
  return (unit <= 1 ? 1 : unit <= 2 ? 2 : unit <= 2.5 ? 2.5 : unit <= 5 ? 5 : 10) * power;
}

function linearScale(yMaxData, top, plotH) {
  const step = niceStep(yMaxData, 4);
  const yMax = Math.ceil((yMaxData * 1.05) / step) * step;
  const yTicks = [];
  for (let v = 0; v <= yMax + step / 2; v += step) yTicks.push(v);
  return { ty: (v) => top + plotH - (v / yMax) * plotH, yTicks };
}

// From the decade below the smallest value to the decade above the largest, ticks at 1-2-5: a
// latency tail spans two or three decades, which a linear axis would squash to the floor.
function logScale(yValues, yMaxData, top, plotH) {
  const low = Math.floor(Math.log10(Math.max(1e-9, Math.min(...yValues.filter((v) => v > 0)))));
  const high = Math.ceil(Math.log10(yMaxData));
  const span = Math.max(1, high - low);
  const yTicks = [];
  for (let decade = low; decade <= high; decade++) for (const unit of [1, 2, 5]) if (decade + Math.log10(unit) <= high) yTicks.push(unit * 10 ** decade);
  return { ty: (v) => top + plotH - ((Math.log10(Math.max(v, 10 ** low)) - low) / span) * plotH, yTicks };
}

/**
 * One panel at (x, y) of size (width, height).
 * panel: { title, xLabel, yLabel, xLog, yLog?, xTicks: [{ value, label }], yFormat(v), yMax?,
 *   series: [{ name, label, points: [[x, y]], color?, dash? }] }
 */
function renderPanel(panel, x, y, width, height) {
  const margin = { left: 64, right: 30, top: 34, bottom: 44 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const xs = panel.xTicks.map((tick) => tick.value);
  const xMin = Math.min(...xs);
  const xMax = Math.max(...xs);
  const tx = panel.xLog
    ? (v) => x + margin.left + ((Math.log10(v) - Math.log10(xMin)) / (Math.log10(xMax) - Math.log10(xMin))) * plotW
    : (v) => x + margin.left + ((v - xMin) / (xMax - xMin)) * plotW;
  const yValues = panel.series.flatMap((series) => series.points.map((point) => point[1])).filter(Number.isFinite);
  // A shared yMax lets panels side by side be compared by eye.
  const yMaxData = panel.yMax ?? Math.max(1e-9, ...yValues);
  const { ty, yTicks } = panel.yLog ? logScale(yValues, yMaxData, y + margin.top, plotH) : linearScale(yMaxData, y + margin.top, plotH);
  const out = [];
  out.push(`<text x="${x + margin.left}" y="${y + 20}" ${FONT} font-size="14" font-weight="600" fill="#24292f">${escape(panel.title)}</text>`);
  for (const v of yTicks) {
    out.push(`<line x1="${x + margin.left}" x2="${x + margin.left + plotW}" y1="${ty(v).toFixed(1)}" y2="${ty(v).toFixed(1)}" stroke="#d0d7de" stroke-width="1"/>`);
    out.push(`<text x="${x + margin.left - 6}" y="${(ty(v) + 4).toFixed(1)}" ${FONT} font-size="11" fill="#57606a" text-anchor="end">${escape(panel.yFormat(v))}</text>`);
  }
  // Every tick gets a mark; a label only where it does not run into the previous one.
  let lastLabelEnd = -Infinity;
  panel.xTicks.forEach((tick, index) => {
    const px = tx(tick.value);
    out.push(`<line x1="${px.toFixed(1)}" x2="${px.toFixed(1)}" y1="${y + margin.top + plotH}" y2="${y + margin.top + plotH + 4}" stroke="#57606a"/>`);
    const halfWidth = tick.label.length * 3.4;
    const isLast = index === panel.xTicks.length - 1;
    if (px - halfWidth < lastLabelEnd + 4 && !isLast) return;
    lastLabelEnd = px + halfWidth;
    out.push(`<text x="${px.toFixed(1)}" y="${y + margin.top + plotH + 17}" ${FONT} font-size="11" fill="#57606a" text-anchor="middle">${escape(tick.label)}</text>`);
  });
  out.push(`<line x1="${x + margin.left}" x2="${x + margin.left + plotW}" y1="${y + margin.top + plotH}" y2="${y + margin.top + plotH}" stroke="#57606a"/>`);
  out.push(`<text x="${x + margin.left + plotW / 2}" y="${y + height - 6}" ${FONT} font-size="12" fill="#24292f" text-anchor="middle">${escape(panel.xLabel)}</text>`);
  out.push(
    `<text transform="translate(${x + 14} ${y + margin.top + plotH / 2}) rotate(-90)" ${FONT} font-size="12" fill="#24292f" text-anchor="middle">${escape(panel.yLabel)}</text>`,
  );
  panel.series.forEach((series, index) => {
    const color = series.color ?? COLORS[series.name] ?? '#2da44e';
    const points = series.points.filter((point) => Number.isFinite(point[1]));
    if (points.length === 0) return;
    const path = points.map((point) => `${tx(point[0]).toFixed(1)},${ty(point[1]).toFixed(1)}`).join(' ');
    const dashArray = series.dash ?? DASH[series.name];
    const dash = dashArray === undefined ? '' : ` stroke-dasharray="${dashArray}"`;
    out.push(`<polyline points="${path}" fill="none" stroke="${color}" stroke-width="2"${dash}/>`);
    for (const point of points) out.push(`<circle cx="${tx(point[0]).toFixed(1)}" cy="${ty(point[1]).toFixed(1)}" r="3.5" fill="${color}"/>`);
    const lx = x + margin.left + 10;
    const ly = y + margin.top + 12 + index * 16;
    out.push(`<line x1="${lx}" x2="${lx + 18}" y1="${ly - 4}" y2="${ly - 4}" stroke="${color}" stroke-width="2"${dash}/>`);
    out.push(`<text x="${lx + 24}" y="${ly}" ${FONT} font-size="11" fill="#24292f">${escape(series.label)}</text>`);
  });
  return out.join('\n');
}

/** An SVG document: `panels` laid out in `columns`, each panel `panelWidth` × `panelHeight`. */
export function renderChart({ title, subtitle, panels, columns = 2, panelWidth = 480, panelHeight = 300 }) {
  const head = 56;
  const rows = Math.ceil(panels.length / columns);
  const width = columns * panelWidth;
  const height = head + rows * panelHeight;
  const body = panels.map((panel, index) => renderPanel(panel, (index % columns) * panelWidth, head + Math.floor(index / columns) * panelHeight, panelWidth, panelHeight));
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="16" y="24" ${FONT} font-size="16" font-weight="600" fill="#24292f">${escape(title)}</text>`,
    `<text x="16" y="44" ${FONT} font-size="12" fill="#57606a">${escape(subtitle)}</text>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}
