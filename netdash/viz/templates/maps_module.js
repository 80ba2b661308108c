// netdash maps: the one renderer of netdash's map specs (netdash.viz.spec.network_spec).
//
// An ES module whose default export takes {data, parentElement}, as a Streamlit components-v2 module does.
// The dashboard mounts it in its own page (netdash.viz.inpage); a standalone map file puts it in line with its
// export removed (netdash.viz.network_html). Every node already has its place (netdash.viz.layout), so a map
// needs no physics and no graph library: dots, straight ties and labels on a canvas, with pan, zoom, a tooltip
// on hover, a practitioner's ties picked out on click, a choice of node size, and PNG and SVG images of the view.
//
// Names are plain text here: labels are drawn on the canvas (or set as SVG text by the DOM, never parsed), and
// the title, legend, toolbar and tooltips are built with textContent. Colours are set as canvas and style
// properties (the Python side has checked they are CSS colours). Nothing is fetched.

const HOVER_PX = 3; // a pointer this close to a dot's edge is on it
const EDGE_HOVER_PX = 4;
const FIT_MARGIN = 0.92;
const ZOOM_STEP = 1.0015; // per wheel delta unit
const MIN_ZOOM = 0.05;
const MAX_ZOOM = 40; // relative to the fitted view
const FOCUS_GROWTH = 1.6;
const FADED_ALPHA = 0.22;
const LABEL_FONT = 12; // px, whatever the zoom: labels stay readable
const LINE_HEIGHT = 14;
const LABEL_WRAP = 150; // px: a longer label is set on two lines
const LABEL_FACE = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
const SAME_SIZE = "Same size";
const SVG_NS = "http://www.w3.org/2000/svg"; // an XML namespace name, never fetched
const HINT_MS = 1500;
const HALO_PX = 7;
const HALO_COLOUR = "rgba(255,190,0,0.55)";

// Each label's lines and width in the label font (labelLines), kept for the module's life: a page that draws the
// same practitioners again (another window, ties setting or filter) measures their names once. The font never
// changes, so a label's shape is the same on every map.
const labelShapes = new Map();

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function tipBox(lines) {
  const box = element("div", "nd-tip");
  lines.forEach((line, i) => box.appendChild(element("div", i === 0 ? "nd-tip-head" : "nd-tip-line", line)));
  return box;
}

function legend(spec) {
  const box = element("div", "nd-legend");
  box.setAttribute("aria-label", "Legend");
  // Tie styles first: a short list that says what the lines mean, visible even when the agencies scroll.
  if (spec.edges.length) {
    box.appendChild(element("h3", null, "Ties"));
    const list = box.appendChild(element("ul"));
    spec.edges.forEach((item) => {
      const row = list.appendChild(element("li"));
      row.title = String(item.label);
      const line = row.appendChild(element("span", item.dashes ? "nd-line nd-dashed" : "nd-line"));
      line.style.borderTopColor = item.colour;
      line.style.borderTopWidth = `${Number(item.width)}px`;
      row.appendChild(document.createTextNode(String(item.label)));
    });
  }
  if ((spec.marks || []).length) {
    const list = box.appendChild(element("ul"));
    spec.marks.forEach((item) => {
      const row = list.appendChild(element("li"));
      row.appendChild(element("span", "nd-swatch nd-ring"));
      row.appendChild(document.createTextNode(String(item.label)));
    });
  }
  if (spec.nodes.length) {
    if (spec.heading) box.appendChild(element("h3", null, spec.heading));
    const list = box.appendChild(element("ul"));
    spec.nodes.forEach((item) => {
      const row = list.appendChild(element("li"));
      row.title = String(item.label);
      row.appendChild(element("span", "nd-swatch")).style.backgroundColor = item.colour;
      row.appendChild(document.createTextNode(String(item.label)));
    });
  }
  return box;
}

/** Line width of a tie in screen pixels at the fitted view: 0.6 px, +0.5 px per doubling of its weight, at most 3.1. */
function tieWidth(weight) {
  return weight > 0 ? 0.6 + 0.5 * Math.min(Math.max(Math.log2(weight), 0), 5) : 0.6;
}

function save(blob, name) {
  const link = element("a");
  const url = URL.createObjectURL(blob);
  link.href = url;
  link.download = name;
  link.click(); // never added to the page
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/** One map: a canvas with its own view (scale and offset) and pointer handling. */
class CanvasMap {
  constructor(box, spec) {
    this.box = box;
    this.spec = spec;
    this.directed = Boolean(spec.directed);
    this.cap = Number(spec.label_cap ?? 40);
    this.nodes = spec.nodes.map((n, i) => ({
      index: i, id: n.id, x: Number(n.x), y: Number(n.y), size: Number(n.size || 5), label: n.label,
      tip: n.tip, fill: n.colour || "#9e9e9e", focus: n.flags.includes("focus"),
      faded: n.flags.includes("faded"), cop: n.flags.includes("cop"), neighbours: [], width: null,
      steps: n.steps === undefined ? Infinity : Number(n.steps),
      ties: Number(((spec.sizes || {}).Ties || [])[i] || 0), // labels of equal-sized dots: the most tied first
    }));
    const index = new Map(this.nodes.map((n) => [n.id, n]));
    const styles = spec.tie_styles || {};
    const scale = Number(spec.tie_scale || 1);
    this.countWords = Array.isArray(spec.tie_count_words) ? spec.tie_count_words : null;
    this.ties = spec.ties.filter((t) => index.has(t.from) && index.has(t.to)).map((t) => {
      const style = styles[t.style] || styles.tie || { colour: "rgba(110,110,110,0.4)" };
      const tie = {
        from: index.get(t.from), to: index.get(t.to), colour: style.colour, dashes: Boolean(style.dashes),
        width: (style.width !== null && style.width !== undefined ? Number(style.width) : tieWidth(Number(t.weight)))
          * scale,
        tip: t.tip, count: this.countWords && t.count !== undefined ? Number(t.count) : null,
      };
      tie.from.neighbours.push(tie.to);
      tie.to.neighbours.push(tie.from);
      return tie;
    });
    // Ties grouped by style once: each redraw (every frame of a pan or zoom) strokes one path per style.
    this.styles = new Map();
    this.ties.forEach((t) => {
      const key = `${t.colour}|${t.width}|${t.dashes}`;
      if (!this.styles.has(key)) this.styles.set(key, []);
      this.styles.get(key).push(t);
    });
    this.focused = this.nodes.find((n) => n.focus);
    this.sizeBy = spec.size_by || SAME_SIZE;
    this.outward = spec.label_place === "outward";
    this.canvas = box.appendChild(element("canvas"));
    this.canvas.tabIndex = 0; // focusable: the wheel zooms a map that has focus
    this.canvas.setAttribute("aria-label", "Map: click it, then scroll to zoom; drag to pan");
    this.tooltip = box.appendChild(element("div", "nd-tooltip"));
    this.tooltip.hidden = true;
    this.hint = box.appendChild(element("div", "nd-hint", "Hold Ctrl (⌘ on a Mac) and scroll to zoom, or click the map first"));
    this.hint.hidden = true;
    this.selected = null;
    this.hovered = null;
    this.pending = 0;
    this.order();
    this.listen();
    this.resize();
  }

  /** Use the sizes of measure `name` (a key of spec.sizes; anything else: every dot the same size) and redraw. */
  setSize(name) {
    const sizes = this.spec.sizes && this.spec.sizes[name];
    this.nodes.forEach((n, i) => { n.size = sizes ? Number(sizes[i]) : Number(this.spec.node_px || 5); });
    this.sizeBy = sizes ? name : SAME_SIZE;
    this.order();
    this.request();
  }

  /** Label order: nodes in focus, then nearest the focus, then the largest, then by id (the order labels claim space in). */
  order() {
    this.ranked = this.nodes.filter((n) => n.label !== null && n.label !== undefined)
      .sort((a, b) => (b.focus - a.focus) || (a.steps - b.steps) || (a.faded - b.faded) || (b.size - a.size)
        || (b.ties - a.ties) || (a.index - b.index));
  }

  /** Fit every node in the canvas (the initial view, the reset button, and after a resize). */
  fit() {
    let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
    this.nodes.forEach((n) => {
      x0 = Math.min(x0, n.x); y0 = Math.min(y0, n.y);
      x1 = Math.max(x1, n.x); y1 = Math.max(y1, n.y);
    });
    if (!this.nodes.length) [x0, y0, x1, y1] = [-1, -1, 1, 1];
    const dot = 2 * Math.max(8, ...this.nodes.map((n) => n.size * (n.focus ? FOCUS_GROWTH : 1)));
    let [padX, padY] = [dot, dot];
    if (this.outward) { // room for the labels on either side and above and below
      const ctx = this.canvas.getContext("2d");
      ctx.font = `${LABEL_FONT}px ${LABEL_FACE}`;
      const widest = Math.max(0, ...this.ranked.map((n) => this.labelWidth(ctx, n)));
      padX += 2 * Math.min(widest + 8, this.width / 3);
      padY += 2 * (2 * LINE_HEIGHT + 6);
    }
    const w = Math.max(x1 - x0, 1e-9);
    const h = Math.max(y1 - y0, 1e-9);
    this.fitted = FIT_MARGIN * Math.min(Math.max(this.width - padX, 1) / w, Math.max(this.height - padY, 1) / h);
    this.scale = this.fitted;
    this.cx = (x0 + x1) / 2;
    this.cy = (y0 + y1) / 2;
    this.centre = [this.cx, this.cy];
  }

  labelWidth(ctx, n) {
    return this.labelLines(ctx, n).width;
  }

  /** A node's label as lines (two when it is wider than LABEL_WRAP, split at the space that balances them). */
  labelLines(ctx, n) {
    if (n.width === null) {
      const text = String(n.label);
      let best = labelShapes.get(text);
      if (!best) {
        best = { lines: [text], width: ctx.measureText(text).width };
        if (best.width > LABEL_WRAP) {
          [...text.matchAll(/ /g)].forEach((space) => {
            const lines = [text.slice(0, space.index), text.slice(space.index + 1)];
            const width = Math.max(...lines.map((line) => ctx.measureText(line).width));
            if (width < best.width) best = { lines, width };
          });
        }
        labelShapes.set(text, best);
      }
      [n.lines, n.width] = [best.lines, best.width];
    }
    return { lines: n.lines, width: n.width };
  }

  reset() {
    this.fit();
    this.request();
  }

  resize() {
    const rect = this.box.getBoundingClientRect();
    this.width = Math.max(rect.width, 1);
    this.height = Math.max(rect.height, 1);
    const ratio = window.devicePixelRatio || 1;
    this.canvas.width = Math.round(this.width * ratio);
    this.canvas.height = Math.round(this.height * ratio);
    this.canvas.style.width = `${this.width}px`;
    this.canvas.style.height = `${this.height}px`;
    this.ratio = ratio;
    this.fit();
    this.draw();
  }

  toScreen(x, y) {
    return [(x - this.cx) * this.scale + this.width / 2, (y - this.cy) * this.scale + this.height / 2];
  }

  toLayout(sx, sy) {
    return [(sx - this.width / 2) / this.scale + this.cx, (sy - this.height / 2) / this.scale + this.cy];
  }

  /** A node's radius in layout units: its size is in screen pixels at the fitted view, and grows with the zoom. */
  radius(n) {
    return (n.size * (n.focus ? FOCUS_GROWTH : 1)) / this.fitted;
  }

  /** The practitioner whose ties are picked out: clicked, else under the pointer, else the one in focus. */
  picked() {
    return this.selected || this.hovered || this.focused || null;
  }

  request() {
    if (!this.pending) this.pending = requestAnimationFrame(() => { this.pending = 0; this.draw(); });
  }

  draw() {
    const ctx = this.canvas.getContext("2d");
    ctx.setTransform(this.ratio, 0, 0, this.ratio, 0, 0);
    ctx.clearRect(0, 0, this.width, this.height);
    ctx.setTransform(this.ratio * this.scale, 0, 0, this.ratio * this.scale,
      this.ratio * (this.width / 2 - this.cx * this.scale), this.ratio * (this.height / 2 - this.cy * this.scale));
    const unit = 1 / this.fitted; // one screen pixel at the fitted view, in layout units
    const picked = this.picked();
    ctx.lineCap = "round";
    this.styles.forEach((ties) => {
      const { colour, width, dashes } = ties[0];
      ctx.strokeStyle = colour;
      ctx.lineWidth = width * unit;
      ctx.setLineDash(dashes ? [5 / this.scale, 5 / this.scale] : []);
      ctx.beginPath();
      ties.forEach((t) => { ctx.moveTo(t.from.x, t.from.y); ctx.lineTo(t.to.x, t.to.y); });
      ctx.stroke();
      if (this.directed) {
        ctx.fillStyle = colour;
        ctx.beginPath();
        ties.forEach((t) => this.arrowHead(ctx, t));
        ctx.fill();
      }
    });
    ctx.setLineDash([]);
    if (picked) { // the picked practitioner's ties, dark, over the rest
      ctx.strokeStyle = "#333333";
      ctx.beginPath();
      this.ties.forEach((t) => {
        if (t.from === picked || t.to === picked) {
          ctx.lineWidth = t.width * unit + 1.5 / this.scale;
          ctx.moveTo(t.from.x, t.from.y);
          ctx.lineTo(t.to.x, t.to.y);
        }
      });
      ctx.stroke();
    }
    this.nodes.forEach((n) => {
      if (!n.focus) return; // a halo behind a practitioner in focus: easy to find at any size
      ctx.beginPath();
      ctx.arc(n.x, n.y, this.radius(n) + HALO_PX * unit, 0, 2 * Math.PI);
      ctx.fillStyle = HALO_COLOUR;
      ctx.fill();
    });
    this.nodes.forEach((n) => {
      const r = this.radius(n);
      ctx.globalAlpha = n.faded ? FADED_ALPHA : 1;
      ctx.beginPath();
      ctx.arc(n.x, n.y, r, 0, 2 * Math.PI);
      ctx.fillStyle = n.fill;
      ctx.fill();
      const strong = n === picked || n.focus;
      ctx.lineWidth = strong ? Math.max(2.5 * unit, 2 / this.scale) : 0.6 * unit;
      ctx.strokeStyle = strong ? "#111111" : "#4a4a4a";
      ctx.stroke();
      if (n.cop) { // a COP attendee: a dark ring around the dot
        ctx.beginPath();
        ctx.arc(n.x, n.y, r + 2.2 * unit, 0, 2 * Math.PI);
        ctx.lineWidth = 1.4 * unit;
        ctx.strokeStyle = "#1f2328";
        ctx.stroke();
      }
    });
    ctx.globalAlpha = 1;
    this.drawLabels(ctx);
  }

  arrowHead(ctx, t) {
    const dx = t.to.x - t.from.x;
    const dy = t.to.y - t.from.y;
    const length = Math.hypot(dx, dy);
    if (!length) return;
    const [ux, uy] = [dx / length, dy / length];
    const r = this.radius(t.to);
    const tipX = t.to.x - ux * r;
    const tipY = t.to.y - uy * r;
    const size = Math.max(4 * t.width / this.fitted, 3 / this.scale);
    ctx.moveTo(tipX, tipY);
    ctx.lineTo(tipX - ux * size * 2 - uy * size, tipY - uy * size * 2 + ux * size);
    ctx.lineTo(tipX - ux * size * 2 + uy * size, tipY - uy * size * 2 - ux * size);
    ctx.closePath();
  }

  /**
   * The labels to draw now, in screen pixels: the picked practitioner, focused ones, the picked one's
   * neighbours, then the largest dots first; a label that would overlap one already placed is left out, and at
   * most `label_cap` are drawn.
   */
  labels(ctx) {
    const picked = this.selected || this.hovered;
    const first = picked && picked.label !== null && picked.label !== undefined
      ? [picked, ...picked.neighbours.filter((n) => n.label !== null && n.label !== undefined)
        .sort((a, b) => b.size - a.size)] : [];
    const placed = [];
    const seen = new Set();
    const candidates = [...first.slice(0, 1), ...this.ranked.filter((n) => n.focus), ...first.slice(1), ...this.ranked];
    for (const n of candidates) {
      if (placed.length >= this.cap) break;
      if (seen.has(n)) continue;
      seen.add(n);
      const [sx, sy] = this.toScreen(n.x, n.y);
      const text = String(n.label);
      const { lines, width: w } = this.labelLines(ctx, n);
      const h = lines.length * LINE_HEIGHT;
      const r = this.radius(n) * this.scale;
      let [x, top, align] = [sx, sy + r + 2, "center"];
      if (this.outward) { // on the side away from the centre: left or right of the dot, or above or below it
        const [dx, dy] = [n.x - this.centre[0], n.y - this.centre[1]];
        const length = Math.hypot(dx, dy) || 1;
        const [ux, uy] = [dx / length, dy / length];
        x = sx + ux * (r + 4);
        const y = sy + uy * (r + 4);
        top = uy < -0.35 ? y - h : uy > 0.35 ? y : y - h / 2;
        align = ux > 0.35 ? "left" : ux < -0.35 ? "right" : "center";
      }
      let left = align === "left" ? x : align === "right" ? x - w : x - w / 2;
      if (sx >= 0 && sx <= this.width) { // a dot in view keeps its whole label in view
        left = Math.min(Math.max(left, 2), Math.max(this.width - w - 2, 2));
        x = align === "left" ? left : align === "right" ? left + w : left + w / 2;
      }
      const box = [left - 2, top, left + w + 2, top + h];
      if (box[2] < 0 || box[0] > this.width || box[3] < 0 || box[1] > this.height) continue;
      const must = n === picked || n.focus;
      if (!must && placed.some((p) => box[0] < p.box[2] && p.box[0] < box[2] && box[1] < p.box[3] && p.box[1] < box[3])) {
        continue;
      }
      placed.push({ node: n, text, lines, x, y: top, align, box });
    }
    return placed;
  }

  drawLabels(ctx) {
    ctx.setTransform(this.ratio, 0, 0, this.ratio, 0, 0);
    ctx.font = `${LABEL_FONT}px ${LABEL_FACE}`;
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    ctx.lineJoin = "round";
    this.shownLabels = this.labels(ctx);
    this.shownLabels.forEach(({ node, lines, x, y, align }) => {
      ctx.globalAlpha = node.faded ? 0.45 : 1;
      ctx.textAlign = align;
      ctx.lineWidth = 3;
      ctx.strokeStyle = "#ffffff";
      ctx.fillStyle = node.focus || node === this.selected ? "#000000" : "#222222";
      lines.forEach((line, i) => {
        ctx.strokeText(line, x, y + i * LINE_HEIGHT);
        ctx.fillText(line, x, y + i * LINE_HEIGHT);
      });
    });
    ctx.globalAlpha = 1;
  }

  /** What the view shows, in screen pixels: ties, dots and labels inside the frame (for the PNG and SVG images). */
  scene() {
    const [w, h] = [this.width, this.height];
    const inside = (x, y, m) => x >= -m && x <= w + m && y >= -m && y <= h + m;
    const picked = this.picked();
    const ties = [];
    this.ties.forEach((t) => {
      const [x1, y1] = this.toScreen(t.from.x, t.from.y);
      const [x2, y2] = this.toScreen(t.to.x, t.to.y);
      if (Math.max(x1, x2) < 0 || Math.min(x1, x2) > w || Math.max(y1, y2) < 0 || Math.min(y1, y2) > h) return;
      const dark = picked && (t.from === picked || t.to === picked);
      ties.push({ x1, y1, x2, y2, colour: dark ? "#333333" : t.colour, dashes: t.dashes,
        width: t.width * this.scale / this.fitted + (dark ? 1.5 : 0) });
    });
    const dots = [];
    this.nodes.forEach((n) => {
      const [x, y] = this.toScreen(n.x, n.y);
      const r = this.radius(n) * this.scale;
      if (!inside(x, y, r + 4)) return;
      const strong = n === picked || n.focus;
      const unit = this.scale / this.fitted;
      dots.push({ x, y, r, halo: n.focus ? r + HALO_PX * unit : 0, fill: n.fill, alpha: n.faded ? FADED_ALPHA : 1,
        stroke: strong ? "#111111" : "#4a4a4a",
        strokeWidth: strong ? Math.max(2.5 * unit, 2) : 0.6 * unit, ring: n.cop ? r + 2.2 * unit : 0,
        ringWidth: 1.4 * unit });
    });
    const ctx = this.canvas.getContext("2d");
    ctx.font = `${LABEL_FONT}px ${LABEL_FACE}`;
    const labels = this.labels(ctx).map(({ node, text, lines, x, y, align }) => ({ text, lines, x, y, align,
      alpha: node.faded ? 0.45 : 1 }));
    return { width: w, height: h, ties, dots, labels };
  }

  /** The view as a PNG: title above, map, legend on the right (drawn at twice the screen's resolution). */
  png() {
    const { width, height, ties, dots, labels } = this.scene();
    const rows = legendRows(this.spec);
    const [top, side] = [this.spec.title ? 28 : 0, rows.length ? 240 : 0];
    const k = 2;
    const canvas = element("canvas");
    canvas.width = Math.round((width + side) * k);
    canvas.height = Math.round((Math.max(height, rows.length * 18 + 12) + top) * k);
    const ctx = canvas.getContext("2d");
    ctx.scale(k, k);
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, width + side, canvas.height / k);
    ctx.fillStyle = "#1f2328";
    ctx.textBaseline = "top";
    if (this.spec.title) {
      ctx.font = `600 15px ${LABEL_FACE}`;
      ctx.fillText(String(this.spec.title), 8, 7);
    }
    ctx.save();
    ctx.translate(0, top);
    ctx.beginPath();
    ctx.rect(0, 0, width, height);
    ctx.clip();
    ctx.lineCap = "round";
    ties.forEach((t) => {
      ctx.strokeStyle = t.colour;
      ctx.lineWidth = t.width;
      ctx.setLineDash(t.dashes ? [5, 5] : []);
      ctx.beginPath();
      ctx.moveTo(t.x1, t.y1);
      ctx.lineTo(t.x2, t.y2);
      ctx.stroke();
    });
    ctx.setLineDash([]);
    dots.forEach((d) => {
      if (!d.halo) return;
      ctx.beginPath();
      ctx.arc(d.x, d.y, d.halo, 0, 2 * Math.PI);
      ctx.fillStyle = HALO_COLOUR;
      ctx.fill();
    });
    dots.forEach((d) => {
      ctx.globalAlpha = d.alpha;
      ctx.beginPath();
      ctx.arc(d.x, d.y, d.r, 0, 2 * Math.PI);
      ctx.fillStyle = d.fill;
      ctx.fill();
      ctx.lineWidth = d.strokeWidth;
      ctx.strokeStyle = d.stroke;
      ctx.stroke();
      if (d.ring) {
        ctx.beginPath();
        ctx.arc(d.x, d.y, d.ring, 0, 2 * Math.PI);
        ctx.lineWidth = d.ringWidth;
        ctx.strokeStyle = "#1f2328";
        ctx.stroke();
      }
    });
    ctx.font = `${LABEL_FONT}px ${LABEL_FACE}`;
    ctx.textAlign = "center";
    ctx.lineJoin = "round";
    labels.forEach((l) => {
      ctx.globalAlpha = l.alpha;
      ctx.textAlign = l.align;
      ctx.lineWidth = 3;
      ctx.strokeStyle = "#ffffff";
      ctx.fillStyle = "#222222";
      l.lines.forEach((line, i) => {
        ctx.strokeText(line, l.x, l.y + i * LINE_HEIGHT);
        ctx.fillText(line, l.x, l.y + i * LINE_HEIGHT);
      });
    });
    ctx.restore();
    ctx.globalAlpha = 1;
    ctx.textAlign = "left";
    ctx.font = `12px ${LABEL_FACE}`;
    rows.forEach((row, i) => {
      const [x, y] = [width + 12, top + 8 + i * 18];
      ctx.fillStyle = "#1f2328";
      if (row.kind === "heading") {
        ctx.font = `600 12px ${LABEL_FACE}`;
        ctx.fillText(row.label, x, y);
        ctx.font = `12px ${LABEL_FACE}`;
        return;
      }
      swatch(ctx, row, x, y);
      ctx.fillStyle = "#1f2328";
      ctx.fillText(row.label, x + 28, y, side - 44);
    });
    return canvas;
  }

  /** The view as an SVG document: the same picture as png(), built as DOM nodes and serialised. */
  svg() {
    const { width, height, ties, dots, labels } = this.scene();
    const rows = legendRows(this.spec);
    const [top, side] = [this.spec.title ? 28 : 0, rows.length ? 240 : 0];
    const make = (tag, attrs, text) => {
      const node = document.createElementNS(SVG_NS, tag);
      Object.entries(attrs).forEach(([k, v]) => node.setAttribute(k, String(v)));
      if (text !== undefined) node.textContent = String(text);
      return node;
    };
    const r2 = (v) => Math.round(v * 100) / 100;
    const fullHeight = Math.max(height, rows.length * 18 + 12) + top;
    const svg = make("svg", { width: width + side, height: fullHeight, viewBox: `0 0 ${width + side} ${fullHeight}`,
      "font-family": LABEL_FACE });
    svg.appendChild(make("rect", { width: width + side, height: fullHeight, fill: "#ffffff" }));
    if (this.spec.title) svg.appendChild(make("text", { x: 8, y: 19, "font-size": 15, "font-weight": 600, fill: "#1f2328" }, this.spec.title));
    const clip = svg.appendChild(make("clipPath", { id: "nd-view" }));
    clip.appendChild(make("rect", { width, height }));
    const view = svg.appendChild(make("g", { transform: `translate(0 ${top})`, "clip-path": "url(#nd-view)" }));
    const lines = view.appendChild(make("g", { "stroke-linecap": "round" }));
    ties.forEach((t) => lines.appendChild(make("line", { x1: r2(t.x1), y1: r2(t.y1), x2: r2(t.x2), y2: r2(t.y2),
      stroke: t.colour, "stroke-width": r2(t.width), ...(t.dashes ? { "stroke-dasharray": "5 5" } : {}) })));
    dots.forEach((d) => {
      if (d.halo) view.appendChild(make("circle", { cx: r2(d.x), cy: r2(d.y), r: r2(d.halo), fill: HALO_COLOUR }));
    });
    dots.forEach((d) => {
      const g = view.appendChild(make("g", d.alpha < 1 ? { opacity: d.alpha } : {}));
      g.appendChild(make("circle", { cx: r2(d.x), cy: r2(d.y), r: r2(d.r), fill: d.fill, stroke: d.stroke,
        "stroke-width": r2(d.strokeWidth) }));
      if (d.ring) g.appendChild(make("circle", { cx: r2(d.x), cy: r2(d.y), r: r2(d.ring), fill: "none", stroke: "#1f2328",
        "stroke-width": r2(d.ringWidth) }));
    });
    const texts = view.appendChild(make("g", { "font-size": LABEL_FONT, "text-anchor": "middle", fill: "#222222",
      stroke: "#ffffff", "stroke-width": 3, "paint-order": "stroke", "stroke-linejoin": "round" }));
    const anchor = { left: "start", right: "end", center: "middle" };
    labels.forEach((l) => {
      const text = texts.appendChild(make("text", { x: r2(l.x), y: r2(l.y + LABEL_FONT - 2),
        "text-anchor": anchor[l.align], ...(l.alpha < 1 ? { opacity: l.alpha } : {}) }));
      l.lines.forEach((line, i) => text.appendChild(make("tspan", { x: r2(l.x), dy: i ? LINE_HEIGHT : 0 }, line)));
    });
    const key = svg.appendChild(make("g", { "font-size": 12, fill: "#1f2328" }));
    rows.forEach((row, i) => {
      const [x, y] = [width + 12, top + 8 + i * 18];
      if (row.kind === "heading") {
        key.appendChild(make("text", { x, y: y + 11, "font-weight": 600 }, row.label));
        return;
      }
      if (row.kind === "node") key.appendChild(make("circle", { cx: x + 8, cy: y + 7, r: 5.5, fill: row.colour, stroke: "#4a4a4a" }));
      if (row.kind === "mark") key.appendChild(make("circle", { cx: x + 8, cy: y + 7, r: 6, fill: "#ffffff", stroke: "#1f2328", "stroke-width": 1.6 }));
      if (row.kind === "edge") key.appendChild(make("line", { x1: x, y1: y + 7, x2: x + 22, y2: y + 7, stroke: row.colour,
        "stroke-width": row.width, ...(row.dashes ? { "stroke-dasharray": "5 3" } : {}) }));
      key.appendChild(make("text", { x: x + 28, y: y + 11 }, row.label));
    });
    return new XMLSerializer().serializeToString(svg);
  }

  /** A counted tie's tooltip (the spec's tie_count_words): "From – To: 3 working ties". */
  countTip(t) {
    if (t.count === null) return null;
    const [one, many] = this.countWords;
    const [a, b] = t.from.index <= t.to.index ? [t.from, t.to] : [t.to, t.from]; // nodes come in sorted id order
    return [`${a.label ?? a.id} – ${b.label ?? b.id}: ${t.count} ${t.count === 1 ? one : many}`];
  }

  /** The node under a screen point, else a tie with a tooltip, else null. */
  pick(sx, sy) {
    const [x, y] = this.toLayout(sx, sy);
    let best = null;
    let bestGap = HOVER_PX / this.scale;
    this.nodes.forEach((n) => {
      const gap = Math.hypot(n.x - x, n.y - y) - this.radius(n);
      if (gap <= bestGap) { best = n; bestGap = gap; }
    });
    if (best) return { node: best };
    let tie = null;
    let tieGap = EDGE_HOVER_PX / this.scale;
    this.ties.forEach((t) => {
      if (!t.tip && t.count === null) return;
      const dx = t.to.x - t.from.x;
      const dy = t.to.y - t.from.y;
      const s = Math.max(0, Math.min(1, ((x - t.from.x) * dx + (y - t.from.y) * dy) / (dx * dx + dy * dy || 1)));
      const gap = Math.hypot(t.from.x + s * dx - x, t.from.y + s * dy - y);
      if (gap <= tieGap) { tie = t; tieGap = gap; }
    });
    return tie ? { edge: tie } : null;
  }

  showTip(found, sx, sy) {
    const lines = found && (found.node ? found.node.tip : found.edge.tip || this.countTip(found.edge));
    if (!lines) {
      this.tooltip.hidden = true;
      return;
    }
    this.tooltip.replaceChildren(tipBox(lines));
    this.tooltip.hidden = false;
    const left = Math.min(sx + 12, Math.max(this.width - this.tooltip.offsetWidth - 4, 0));
    const top = sy + 14 + this.tooltip.offsetHeight > this.height ? Math.max(sy - 8 - this.tooltip.offsetHeight, 0) : sy + 14;
    this.tooltip.style.left = `${left}px`;
    this.tooltip.style.top = `${top}px`;
  }

  point(event) {
    const rect = this.canvas.getBoundingClientRect();
    return [event.clientX - rect.left, event.clientY - rect.top];
  }

  hasFocus() {
    return this.canvas.getRootNode().activeElement === this.canvas;
  }

  /** Zoom by `factor` about the screen point (sx, sy), keeping the layout point under it in place. */
  zoom(factor, sx, sy) {
    const [x, y] = this.toLayout(sx, sy);
    const scale = Math.min(Math.max(this.scale * factor, this.fitted * MIN_ZOOM), this.fitted * MAX_ZOOM);
    this.cx = x - (sx - this.width / 2) / scale;
    this.cy = y - (sy - this.height / 2) / scale;
    this.scale = scale;
    this.request();
  }

  showHint() {
    this.hint.hidden = false;
    clearTimeout(this.hintTimer);
    this.hintTimer = setTimeout(() => { this.hint.hidden = true; }, HINT_MS);
  }

  listen() {
    const canvas = this.canvas;
    let drag = null;
    this.handlers = {
      wheel: (event) => {
        // The page scrolls under the pointer unless the map has focus or Ctrl (⌘) is held: a map in a long page
        // must not catch every scroll that passes over it. (A trackpad pinch sends the wheel with ctrlKey.)
        if (!(event.ctrlKey || event.metaKey || this.hasFocus())) {
          this.showHint();
          return;
        }
        event.preventDefault();
        this.hint.hidden = true;
        this.zoom(ZOOM_STEP ** -event.deltaY, ...this.point(event));
      },
      keydown: (event) => {
        const keys = { "+": 1.25, "=": 1.25, "-": 0.8, _: 0.8 };
        if (keys[event.key]) this.zoom(keys[event.key], this.width / 2, this.height / 2);
        else if (event.key === "0") this.reset();
        else if (event.key === "Escape") { this.selected = null; this.request(); } else return;
        event.preventDefault();
      },
      pointerdown: (event) => {
        canvas.focus({ preventScroll: true });
        drag = { x: event.clientX, y: event.clientY, cx: this.cx, cy: this.cy, moved: false };
        canvas.setPointerCapture(event.pointerId);
      },
      pointermove: (event) => {
        const [sx, sy] = this.point(event);
        if (drag) {
          const dx = event.clientX - drag.x;
          const dy = event.clientY - drag.y;
          drag.moved = drag.moved || Math.hypot(dx, dy) > 3;
          if (drag.moved) {
            this.cx = drag.cx - dx / this.scale;
            this.cy = drag.cy - dy / this.scale;
            this.showTip(null);
            this.request();
          }
          return;
        }
        const found = this.pick(sx, sy);
        const node = found && found.node ? found.node : null;
        if (node !== this.hovered) {
          this.hovered = node;
          this.request();
        }
        canvas.style.cursor = found ? "pointer" : "grab";
        this.showTip(found, sx, sy);
      },
      pointerup: (event) => {
        if (drag && !drag.moved) {
          const found = this.pick(...this.point(event));
          this.selected = found && found.node ? found.node : null;
          this.request();
        }
        drag = null;
      },
      pointerleave: () => {
        this.hovered = null;
        this.showTip(null);
        this.request();
      },
    };
    Object.entries(this.handlers).forEach(([name, handler]) =>
      canvas.addEventListener(name, handler, name === "wheel" ? { passive: false } : undefined));
    this.observer = new ResizeObserver(() => {
      const rect = this.box.getBoundingClientRect();
      if (Math.abs(rect.width - this.width) > 0.5 || Math.abs(rect.height - this.height) > 0.5) this.resize();
    });
    this.observer.observe(this.box);
  }

  /** Where the node whose label is `label` is drawn, in client coordinates (for tests). */
  clientPosition(label) {
    const n = this.nodes.find((node) => node.label === label);
    if (!n) return null;
    const rect = this.canvas.getBoundingClientRect();
    const [sx, sy] = this.toScreen(n.x, n.y);
    return [rect.left + sx, rect.top + sy];
  }

  destroy() {
    this.observer.disconnect();
    clearTimeout(this.hintTimer);
    if (this.pending) cancelAnimationFrame(this.pending);
  }
}

/** The legend as rows for the images: headings, tie styles, the COP ring and colour swatches. */
function legendRows(spec) {
  const rows = [];
  const { edges, marks, nodes, heading } = spec.legend;
  if (edges.length) rows.push({ kind: "heading", label: "Ties" }, ...edges.map((e) => ({ kind: "edge", ...e, label: String(e.label) })));
  (marks || []).forEach((m) => rows.push({ kind: "mark", label: String(m.label) }));
  if (nodes.length) {
    if (heading) rows.push({ kind: "heading", label: String(heading) });
    nodes.forEach((n) => rows.push({ kind: "node", ...n, label: String(n.label) }));
  }
  return rows;
}

function swatch(ctx, row, x, y) {
  ctx.beginPath();
  if (row.kind === "edge") {
    ctx.strokeStyle = row.colour;
    ctx.lineWidth = Number(row.width);
    ctx.setLineDash(row.dashes ? [5, 3] : []);
    ctx.moveTo(x, y + 7);
    ctx.lineTo(x + 22, y + 7);
    ctx.stroke();
    ctx.setLineDash([]);
    return;
  }
  ctx.arc(x + 8, y + 7, row.kind === "mark" ? 6 : 5.5, 0, 2 * Math.PI);
  ctx.fillStyle = row.kind === "mark" ? "#ffffff" : row.colour;
  ctx.fill();
  ctx.lineWidth = row.kind === "mark" ? 1.6 : 1;
  ctx.strokeStyle = row.kind === "mark" ? "#1f2328" : "#4a4a4a";
  ctx.stroke();
}

function toolbar(map) {
  const bar = element("div", "nd-toolbar");
  const names = Object.keys(map.spec.sizes || {});
  if (names.length && map.spec.size_menu !== false) {
    const label = bar.appendChild(element("label", "nd-size", "Size by "));
    const select = label.appendChild(element("select"));
    [SAME_SIZE, ...names].forEach((name) => {
      const option = select.appendChild(element("option", null, name));
      option.value = name;
    });
    select.value = map.sizeBy;
    select.addEventListener("change", () => map.setSize(select.value));
  }
  const button = (text, title, action) => {
    const b = bar.appendChild(element("button", null, text));
    b.type = "button";
    b.title = title;
    b.addEventListener("click", action);
    return b;
  };
  button("Reset view", "Show the whole map again (key: 0)", () => map.reset()).className = "nd-reset";
  button("PNG", "Save this view as a PNG image", () => map.png().toBlob((blob) => save(blob, "network-map.png")))
    .className = "nd-png";
  button("SVG", "Save this view as an SVG image", () => save(new Blob([map.svg()], { type: "image/svg+xml" }),
    "network-map.svg")).className = "nd-svg";
  return bar;
}

function panel(spec) {
  const box = element("div", "nd-panel");
  box.setAttribute("data-nodes", String(spec.nodes.length));
  box.setAttribute("data-edges", String(spec.ties.length));
  if (spec.title) box.appendChild(element("h2", "nd-title", spec.title));
  const bar = box.appendChild(element("div", "nd-bar"));
  const frame = box.appendChild(element("div", "nd-frame"));
  frame.style.height = `${Number(spec.height_px)}px`;
  const map = frame.appendChild(element("div", "nd-map-box")).appendChild(element("div", "nd-map"));
  map.setAttribute("role", "img");
  map.setAttribute("aria-label", spec.title || "Network map");
  const { nodes, edges, marks } = spec.legend;
  if (nodes.length || edges.length || (marks || []).length) frame.appendChild(legend(spec.legend));
  return { box, bar, map };
}

const roots = new WeakMap();

/**
 * Draw `data` (UTF-8 JSON bytes or an object: {panels: [map spec, ...]})
 * side by side in `parentElement`; returns the clean-up that frees the maps.
 */
export default function draw({ data, parentElement }) {
  const start = performance.now();
  const maps = data instanceof Uint8Array ? JSON.parse(new TextDecoder().decode(data)) : data;
  // Our own box in the host's element: whatever the host put there (its styles) stays.
  let root = roots.get(parentElement);
  if (!root) {
    root = parentElement.appendChild(element("div", "nd-maps"));
    roots.set(parentElement, root);
  }
  root.removeAttribute("data-drawn");
  root.style.gridTemplateColumns = `repeat(${maps.panels.length}, minmax(0, 1fr))`;
  const shown = maps.panels.map((spec) => ({ spec, ...panel(spec) }));
  root.replaceChildren(...shown.map(({ box }) => box));
  const drawn = shown.map(({ spec, bar, map }) => {
    const canvasMap = new CanvasMap(map, spec);
    bar.appendChild(toolbar(canvasMap));
    return canvasMap;
  });
  root.netdashMaps = drawn; // for tests and benchmarks
  root.setAttribute("data-drawn", "true");
  // Milestones for the benchmarks (ms since the page's navigation start): the maps are drawn once painted.
  requestAnimationFrame(() => {
    window.netdashMaps = { start, drawn: performance.now(), count: drawn.length };
  });
  return () => drawn.forEach((map) => map.destroy());
}
