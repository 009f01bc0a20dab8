import { formatFen } from '../money';
import { barLayout, donutSegments, ticks } from './scale';

const PALETTE = ['#1f6feb', '#2da44e', '#d4a72c', '#cf222e', '#8250df', '#57606a'];

/** Hourly bars (values in fen). Hand-written SVG, scales with its container. */
export function HourlyBars(props: { values: number[]; labels: string[]; title: string; formatValue?: (v: number) => string }) {
  const W = 720;
  const H = 220;
  const left = 64;
  const bottom = 24;
  const top = 10;
  const plotW = W - left - 8;
  const plotH = H - bottom - top;
  const { bars, max } = barLayout(props.values, { width: plotW, height: plotH, gap: 0.3 });
  const fmt = props.formatValue ?? ((v: number) => formatFen(Math.round(v)).replace(/\.00$/, ''));
  return (
    <svg class="chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={props.title} preserveAspectRatio="xMidYMid meet">
      <g transform={`translate(${left},${top})`}>
        {ticks(max, 4).map((v) => {
          const y = plotH - (v / max) * plotH;
          return (
            <g key={v}>
              <line x1={0} x2={plotW} y1={y} y2={y} class="grid" />
              <text x={-8} y={y + 4} class="axis" text-anchor="end">
                {fmt(v)}
              </text>
            </g>
          );
        })}
        {bars.map((b) => (
          <rect key={b.index} x={b.x} y={b.y} width={b.width} height={b.height} rx={2} class="bar" data-value={props.values[b.index]}>
            <title>{`${props.labels[b.index]}: ${fmt(b.value)}`}</title>
          </rect>
        ))}
        {bars.map((b) =>
          b.index % 3 === 0 ? (
            <text key={`l${b.index}`} x={b.x + b.width / 2} y={plotH + 16} class="axis" text-anchor="middle">
              {props.labels[b.index]}
            </text>
          ) : null,
        )}
      </g>
    </svg>
  );
}

/** Donut with a legend (values in fen). */
export function MixDonut(props: { items: { label: string; value: number; count: number }[]; title: string }) {
  const segs = donutSegments(
    props.items.map((i) => i.value),
    90,
    90,
    80,
    50,
  );
  const total = props.items.reduce((a, i) => a + Math.max(0, i.value), 0);
  return (
    <div class="donut-wrap">
      <svg class="chart donut" viewBox="0 0 180 180" role="img" aria-label={props.title}>
        {segs.length === 0 && <circle cx={90} cy={90} r={65} class="donut-empty" />}
        {segs.map((s) => (
          <path key={s.index} d={s.path} fill={PALETTE[s.index % PALETTE.length]}>
            <title>{`${props.items[s.index].label}: ${Math.round(s.fraction * 100)}%`}</title>
          </path>
        ))}
        <text x={90} y={96} text-anchor="middle" class="donut-total">
          {formatFen(total).replace(/\.\d\d$/, '')}
        </text>
      </svg>
      <ul class="legend">
        {props.items.map((i, idx) => (
          <li key={i.label}>
            <span class={`swatch swatch-${idx % PALETTE.length}`} />
            <span class="legend-label">{i.label}</span>
            <span class="legend-count">{i.count}</span>
            <span class="legend-value">{formatFen(i.value)}</span>
            <span class="legend-pct">{total > 0 ? `${Math.round((Math.max(0, i.value) / total) * 100)}%` : '—'}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
