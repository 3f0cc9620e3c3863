// The job board: polls the read API every 2 s and renders jobs (with a validation-loss chart each)
// and workers. Every value from the API is written with textContent or SVG attributes, never as
// HTML, because job fields (dataset names, errors) come from the chain and may be hostile.
"use strict";

const REFRESH_MS = 2000;
const SVG = "http://www.w3.org/2000/svg";

function el(tag, attrs, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function svg(tag, attrs) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
  return node;
}

function badge(value) {
  const span = el("span", { class: "badge" }, value);
  if (/^[A-Z_]+$/.test(value || "")) span.classList.add(value);
  return span;
}

function span(seconds) {
  if (seconds < 90) return seconds + " s";
  if (seconds < 5400) return Math.round(seconds / 60) + " min";
  if (seconds < 172800) return Math.round(seconds / 3600) + " h";
  return Math.round(seconds / 86400) + " d";
}

function ago(ms) {
  if (ms === null || ms === undefined) return "never";
  const s = Math.round((Date.now() - ms) / 1000);
  return s < 0 ? "in " + span(-s) : span(s) + " ago";
}

// EMT amounts can be as large as a uint256: keep the cell narrow, the exact value in the tooltip.
function emt(text) {
  if (!text || text.length <= 14) return text + " EMT";
  const n = Number(text);
  return (Number.isFinite(n) ? n.toExponential(3) : text.slice(0, 12) + "…") + " EMT";
}

function short(id) {
  return id && id.length > 14 ? id.slice(0, 8) + "…" + id.slice(-6) : id;
}

function bar(fraction, label) {
  const wrap = el("span");
  const outer = el("span", { class: "bar" });
  const inner = el("span");
  inner.style.width = Math.max(0, Math.min(1, fraction)) * 100 + "%";
  outer.appendChild(inner);
  wrap.appendChild(outer);
  wrap.appendChild(document.createTextNode(" " + label));
  return wrap;
}

// A small line chart of validation loss per epoch.
function lossChart(job) {
  const points = (job.losses || []).filter(p => Number.isFinite(p.validationLoss));
  const w = 180, h = 48, pad = 6;
  const chart = svg("svg", {
    class: "loss-chart", width: w, height: h, viewBox: `0 0 ${w} ${h}`,
    "data-job-id": job.jobId, "data-points": points.length, role: "img",
    "aria-label": "validation loss per epoch"
  });
  chart.appendChild(svg("line", { class: "axis", x1: pad, y1: h - pad, x2: w - pad, y2: h - pad }));
  if (points.length === 0) {
    const t = svg("text", { x: pad, y: h / 2 });
    t.textContent = "no rounds yet";
    chart.appendChild(t);
    return chart;
  }
  const losses = points.map(p => p.validationLoss);
  const lo = Math.min(...losses), hi = Math.max(...losses);
  const maxEpoch = Math.max(job.epochs || 1, ...points.map(p => p.epoch));
  const x = e => pad + (maxEpoch <= 1 ? 0 : (e - 1) / (maxEpoch - 1)) * (w - 2 * pad - 40);
  const y = v => (hi === lo ? h / 2 : pad + (hi - v) / (hi - lo) * (h - 2 * pad));
  const coords = points.map(p => `${x(p.epoch).toFixed(1)},${y(p.validationLoss).toFixed(1)}`);
  chart.appendChild(svg("polyline", { points: coords.join(" ") }));
  for (const p of points) {
    const c = svg("circle", { cx: x(p.epoch).toFixed(1), cy: y(p.validationLoss).toFixed(1), r: 2.5 });
    const title = svg("title");
    title.textContent = `epoch ${p.epoch}: ${p.validationLoss.toFixed(4)}`;
    c.appendChild(title);
    chart.appendChild(c);
  }
  const last = svg("text", { x: w - 38, y: 12 });
  last.textContent = losses[losses.length - 1].toFixed(3);
  chart.appendChild(last);
  return chart;
}

function jobRow(job) {
  const tr = el("tr", { class: "job-row", "data-job-id": job.jobId });
  tr.appendChild(el("td", { class: "mono", title: job.jobId }, short(job.jobId)));
  const status = el("td");
  status.appendChild(badge(job.state));
  if (job.chainStatus && job.chainStatus !== job.state) {
    status.appendChild(el("span", { class: "muted" }, " chain: " + job.chainStatus));
  }
  tr.appendChild(status);
  tr.appendChild(el("td", { class: "nowrap", title: job.fee + " wei" }, emt(job.feeEmt)));
  const deadline = new Date(job.deadline);
  const deadlineCell = el("td", { class: "nowrap", title: deadline.toISOString() }, deadline.toLocaleString());
  deadlineCell.appendChild(el("div", { class: "muted" }, ago(job.deadline)));
  tr.appendChild(deadlineCell);
  const epochs = el("td");
  epochs.appendChild(bar(job.epochs ? job.epoch / job.epochs : 0, `${job.epoch}/${job.epochs}`));
  tr.appendChild(epochs);
  tr.appendChild(el("td", {}, job.numAttempt));
  const chart = el("td");
  chart.appendChild(lossChart(job));
  tr.appendChild(chart);
  tr.appendChild(el("td", { class: "error", title: job.lastError || "" }, job.lastError || ""));
  return tr;
}

function workerRow(w) {
  const tr = el("tr", { class: "worker-row", "data-worker": w.address });
  tr.appendChild(el("td", { class: "mono", title: w.address }, w.address));
  const state = el("td");
  state.appendChild(badge(w.state));
  tr.appendChild(state);
  const phase = el("td");
  phase.appendChild(badge(w.phase));
  tr.appendChild(phase);
  tr.appendChild(el("td", {}, w.powerCapacity));
  tr.appendChild(el("td", {}, w.device));
  tr.appendChild(el("td", { class: "mono", title: w.jobId || "" }, w.jobId ? short(w.jobId) + (w.epoch ? " · epoch " + w.epoch : "") : "—"));
  const progress = el("td");
  if (w.progress !== null && w.progress !== undefined) {
    progress.appendChild(bar(w.progress, Math.round(w.progress * 100) + "%"));
  } else {
    progress.textContent = "—";
  }
  tr.appendChild(progress);
  tr.appendChild(el("td", { title: w.lastHeartbeatAt ? new Date(w.lastHeartbeatAt).toISOString() : "" }, ago(w.lastHeartbeatAt)));
  return tr;
}

function fill(tableId, emptyId, countId, rows, render) {
  const body = document.querySelector(`#${tableId} tbody`);
  body.replaceChildren(...rows.map(render));
  document.getElementById(emptyId).hidden = rows.length > 0;
  document.getElementById(countId).textContent = `(${rows.length})`;
}

async function getJson(path) {
  const response = await fetch(path, { headers: { Accept: "application/json" }, cache: "no-store" });
  if (!response.ok) {
    let message = response.status + " " + response.statusText;
    try { message = (await response.json()).error || message; } catch (e) { /* not JSON */ }
    throw new Error(path + ": " + message);
  }
  return response.json();
}

async function refresh() {
  const status = document.getElementById("status");
  try {
    const [jobs, workers] = await Promise.all([getJson("/api/v1/jobs"), getJson("/api/v1/workers")]);
    fill("jobs", "jobs-empty", "job-count", jobs, jobRow);
    fill("workers", "workers-empty", "worker-count", workers, workerRow);
    status.textContent = "updated " + new Date().toLocaleTimeString();
    status.classList.remove("error");
    document.body.dataset.state = "loaded";
  } catch (e) {
    status.textContent = "refresh failed: " + e.message;
    status.classList.add("error");
    document.body.dataset.state = "error";
  } finally {
    setTimeout(refresh, REFRESH_MS);
  }
}

refresh();
