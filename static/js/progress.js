// Progress charts: one plotly chart per metric from the page's json_script data (built by
// progress/views.py): a point per swing (click opens it), the daily mean, the target band. A range
// change swaps the page body through htmx and this draws the new data.

const INK = "#1b2420";
const MUTED = "#5f6b66";
const GRID = "#e6eae7";
const POINT = "#2f7dd1";
const MEAN = "#1f6f4a";
const BAND = "rgba(31, 111, 74, 0.11)";
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif';
const UNIT_SUFFIX = { deg: "°", s: " s", ratio: ":1", torso: " torso", stance: " stance", score: "" };
const DIGITS = { deg: 0, s: 2, ratio: 2, torso: 3, stance: 3, score: 0 };

function nextDay(iso) {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

// The x range from the first day to past the last: the last day's swings (late in the evening too)
// and their markers keep a margin at the right edge, 4 % of the span and at least a day.
export function xRange(start, end) {
  const t0 = Date.parse(`${start}T00:00:00Z`);
  const t1 = Date.parse(`${nextDay(end)}T00:00:00Z`);
  const pad = Math.max(86400000, 0.04 * (t1 - t0));
  return [start, new Date(t1 + pad).toISOString().slice(0, 10)];
}

function chart(el, metric, data) {
  const swings = data.swings;
  const unit = UNIT_SUFFIX[metric.unit] ?? "";
  const digits = DIGITS[metric.unit] ?? 2;
  const urls = swings.id.map((id) => data.swing_url.replace(data.url_placeholder, encodeURIComponent(id)));
  const idx = metric.values.map((v, i) => (v === null ? -1 : i)).filter((i) => i >= 0);
  const lastOfDay = {};
  for (const i of idx) lastOfDay[swings.t[i].slice(0, 10)] = urls[i];
  const traces = [
    {
      type: "scatter",
      mode: "lines+markers",
      name: "daily mean",
      x: metric.daily.d.map((d) => `${d} 12:00:00`),
      y: metric.daily.mean,
      // [swings that day, that day's last swing]: a click on a day opens its last swing.
      customdata: metric.daily.d.map((d, i) => [lastOfDay[d] ?? "", metric.daily.n[i]]),
      line: { color: MEAN, width: 2, shape: "linear" },
      marker: { color: MEAN, size: 4 },
      cliponaxis: false, // a point on the plot's edge is drawn whole
      // No <b>/<i> in hover text: plotly styles those with style attributes, which CSP blocks.
      hovertemplate: `%{x|%b %-d, %Y}<br>daily mean %{y:.${digits}f}${unit} (%{customdata[1]} swings)<br>click to open the day's last swing<extra></extra>`,
    },
    {
      type: "scatter",
      mode: "markers",
      name: "swing",
      x: idx.map((i) => swings.t[i]),
      y: idx.map((i) => metric.values[i]),
      customdata: idx.map((i) => [urls[i], swings.score[i] === null ? "–" : Math.round(swings.score[i])]),
      marker: { color: POINT, size: 8, opacity: 0.8, line: { width: 1, color: "#ffffff" } },
      cliponaxis: false,
      hovertemplate:
        `%{x|%b %-d, %Y %H:%M}<br>${metric.label}: %{y:.${digits}f}${unit}` +
        "<br>overall score %{customdata[1]}<br>click to open this swing<extra></extra>",
    },
  ];
  if (metric.name === "overall_score" && data.trend) {
    traces.push({
      type: "scatter",
      mode: "lines",
      name: "trend",
      x: data.trend.t,
      y: data.trend.v,
      line: { color: "#a15c00", width: 2, dash: "dash" },
      hovertemplate: `trend ${data.trend.per_30_days > 0 ? "+" : ""}${data.trend.per_30_days} per 30 days<extra></extra>`,
    });
  }
  const shapes = metric.band ? [{
    type: "rect", xref: "paper", x0: 0, x1: 1, yref: "y", y0: metric.band[0], y1: metric.band[1],
    fillcolor: BAND, line: { width: 0 }, layer: "below",
  }] : [];
  const layout = {
    margin: { l: 52, r: 14, t: 10, b: 34 },
    height: el.classList.contains("tall") ? 300 : 230,
    font: { family: FONT, size: 12, color: INK },
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "rgba(0,0,0,0)",
    showlegend: metric.name === "overall_score",
    legend: { orientation: "h", x: 0, y: 1.12, font: { color: MUTED } },
    hovermode: "closest",
    hoverlabel: { font: { family: FONT } },
    xaxis: {
      type: "date",
      range: xRange(data.start, data.end),
      gridcolor: GRID,
      linecolor: GRID,
      tickfont: { color: MUTED },
      fixedrange: true,
      automargin: true,
    },
    yaxis: {
      gridcolor: GRID,
      zeroline: false,
      tickfont: { color: MUTED },
      ticksuffix: metric.unit === "deg" || metric.unit === "s" ? unit : "",
      automargin: true,
      fixedrange: true,
      // Room above 100 for a perfect swing's marker.
      ...(metric.name === "overall_score" ? { range: [0, 106] } : {}),
    },
    shapes,
  };
  window.Plotly.react(el, traces, layout, { displayModeBar: false, responsive: true });
  if (!el.dataset.clickBound) {
    el.dataset.clickBound = "true";
    el.on("plotly_click", (ev) => {
      const point = ev.points && ev.points[0];
      const url = point && point.customdata && point.customdata[0];
      if (typeof url === "string" && url.startsWith("/")) window.location.assign(url);
    });
  }
}

function draw(scope) {
  const roots = scope.matches?.("[data-progress]") ? [scope] : [...scope.querySelectorAll("[data-progress]")];
  for (const root of roots) {
    const source = document.getElementById(root.dataset.progress);
    if (!source || !window.Plotly) continue;
    const data = JSON.parse(source.textContent);
    for (const metric of data.metrics) {
      const el = root.querySelector(`[data-chart="${CSS.escape(metric.name)}"]`);
      if (el) chart(el, metric, data);
    }
    root.dataset.drawn = data.range + ":" + data.start + ":" + data.end;
  }
}

// Charts being swapped out release plotly's listeners.
document.addEventListener("htmx:beforeSwap", (e) => {
  for (const el of e.detail.target.querySelectorAll?.(".js-plotly-plot") || []) window.Plotly?.purge(el);
});

if (window.htmx) window.htmx.onLoad(draw);
else document.addEventListener("DOMContentLoaded", () => draw(document));
