import type { DinnerSummary } from './dinner-summary';

const WIDTH = 760;
const HEIGHT = 440;
const MARGIN = { top: 78, right: 84, bottom: 64, left: 72 };

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A round tick step giving about five ticks up to `max`. */
function tickStep(max: number): number {
  const rough = Math.max(1, max / 5);
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= rough);
  return step ?? 10 * magnitude;
}

function yAxis(
  top: number,
  plotHeight: number,
  step: number,
  yMax: number,
  y: (v: number) => number,
): string[] {
  const parts: string[] = [];
  for (let v = 0; v <= yMax; v += step) {
    parts.push(
      `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y(v)}" y2="${y(v)}" stroke="#e3e3e3"/>`,
      `<text x="${MARGIN.left - 8}" y="${y(v) + 4}" text-anchor="end" font-size="12" fill="#444">${v}</text>`,
    );
  }
  const middle = top + plotHeight / 2;
  parts.push(
    `<text transform="translate(20 ${middle}) rotate(-90)" text-anchor="middle" font-size="14" fill="#222">meals</text>`,
  );
  return parts;
}

function bars(s: DinnerSummary, plotWidth: number, y: (v: number) => number): string[] {
  const slot = plotWidth / s.meals.length;
  const barWidth = Math.max(2, Math.min(64, slot * 0.7));
  const parts: string[] = [];
  const labelEvery = Math.ceil(s.meals.length / 32);
  s.meals.forEach((count, p) => {
    const killed = s.faults.some((f) => f.type === 'kill-philosopher' && f.philosopher === p);
    const x = MARGIN.left + slot * p + (slot - barWidth) / 2;
    const cx = x + barWidth / 2;
    const fill = killed ? '#c0504d' : '#4f81bd';
    parts.push(
      `<rect x="${x.toFixed(1)}" y="${y(count).toFixed(1)}" width="${barWidth.toFixed(1)}" height="${(y(0) - y(count)).toFixed(1)}" fill="${fill}"><title>P${p}: ${count} meals</title></rect>`,
    );
    if (s.meals.length <= 16)
      parts.push(
        `<text x="${cx.toFixed(1)}" y="${(y(count) - 6).toFixed(1)}" text-anchor="middle" font-size="12" fill="#222">${count}${killed ? ' (killed)' : ''}</text>`,
      );
    if (p % labelEvery === 0)
      parts.push(
        `<text x="${cx.toFixed(1)}" y="${y(0) + 18}" text-anchor="middle" font-size="12" fill="#444">P${p}</text>`,
      );
  });
  return parts;
}

/** The bar chart of meals per philosopher, as a standalone SVG document. */
export function mealsChartSvg(s: DinnerSummary): string {
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const step = tickStep(Math.max(1, ...s.meals));
  // Headroom above the tallest bar for its label.
  const yMax = Math.ceil((Math.max(1, ...s.meals) * 1.08) / step) * step;
  const y = (v: number) => Math.round((MARGIN.top + plotHeight - (v / yMax) * plotHeight) * 10) / 10;
  const mean = s.totalMeals / s.meals.length;
  const title = `Meals per philosopher: ${s.philosophers} philosophers, ${s.elapsedSeconds.toFixed(0)} s on Latchkey`;
  const ratio = s.maxMinRatio === null ? 'inf' : s.maxMinRatio.toFixed(2);
  const subtitle =
    `${s.totalMeals} meals, ${s.mealsPerSecond.toFixed(1)}/s of ideal ${s.idealMealsPerSecond.toFixed(1)}/s; ` +
    `max/min ${ratio}; Jain's index ${s.jainIndex.toFixed(3)}; overlaps ${s.overlaps}; eat ${s.eatMs} ms, think ${s.thinkMs} ms`;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="Helvetica, Arial, sans-serif">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${WIDTH / 2}" y="30" text-anchor="middle" font-size="18" font-weight="bold" fill="#222">${escapeXml(title)}</text>`,
    `<text x="${WIDTH / 2}" y="52" text-anchor="middle" font-size="12" fill="#555">${escapeXml(subtitle)}</text>`,
    ...yAxis(MARGIN.top, plotHeight, step, yMax, y),
    ...bars(s, plotWidth, y),
    `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y(mean).toFixed(1)}" y2="${y(mean).toFixed(1)}" stroke="#333" stroke-dasharray="6 4"/>`,
    `<text x="${WIDTH - MARGIN.right + 6}" y="${(y(mean) + 4).toFixed(1)}" font-size="11" fill="#333">mean ${mean.toFixed(1)}</text>`,
    `<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${y(0)}" stroke="#222"/>`,
    `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y(0)}" y2="${y(0)}" stroke="#222"/>`,
    `<text x="${MARGIN.left + plotWidth / 2}" y="${HEIGHT - 18}" text-anchor="middle" font-size="14" fill="#222">philosopher</text>`,
    '</svg>',
  ];
  return parts.join('\n') + '\n';
}
