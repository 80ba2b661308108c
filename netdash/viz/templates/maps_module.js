// netdash maps drawn in the dashboard's own page (an ES module; its default
// export takes {data, parentElement}, as a Streamlit components-v2 module does).
//
// Every node already has its place (netdash.viz.layout), so a map needs no
// physics and no graph library: this module draws the specs of
// netdash.viz.spec.network_spec on a canvas, as the vis-network map
// pages draw them (dots with a border, straight ties, labels once zoomed in),
// with pan, zoom, a tooltip on hover and a node's ties picked out on click.
// Two maps of 750 practitioners and 1,500 ties are built and drawn in about
// 15 ms; one such vis-network map page took about half a second from its start
// to its first drawing (bench/inpage_maps.py, docs/browser_timings.md).
//
// Names are plain text here: labels are drawn on the canvas, and the title,
// legend and tooltips are built with textContent. Colours are set as canvas
// and style properties (the Python side has checked they are CSS colours).

const HOVER_PX = 3; // a pointer this close to a dot's edge is on it
const EDGE_HOVER_PX = 4;
const FIT_MARGIN = 0.95;
const ZOOM_STEP = 1.0015; // per wheel delta unit
const MIN_ZOOM = 0.05;
const MAX_ZOOM = 40; // relative to the fitted view

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

function colourOf(value, fallback) {
  if (!value) return fallback;
  return typeof value === "string" ? value : value.color || value.background || fallback;
}

/** One map: a canvas with its own view (scale and offset) and pointer handling. */
class CanvasMap {
  constructor(box, data) {
    this.box = box;
    this.options = data.options;
    const nodeOptions = this.options.nodes || {};
    const edgeOptions = this.options.edges || {};
    this.font = nodeOptions.font || {};
    this.labelScaling = (nodeOptions.scaling && nodeOptions.scaling.label) || {};
    this.arrows = Boolean(edgeOptions.arrows && edgeOptions.arrows.to && edgeOptions.arrows.to.enabled);
    this.edgeColour = colourOf(edgeOptions.color, "rgba(110,110,110,0.4)");
    this.selectionWidth = Number(edgeOptions.selectionWidth || 1.5);
    this.nodes = data.nodes.map((n) => ({
      id: n.id, x: Number(n.x), y: Number(n.y), size: Number(n.size || 5), label: n.label, tip: n.tip,
      fill: colourOf(n.color && n.color.background, "#97c2fc"),
      border: colourOf(n.color && n.color.border, "#4a4a4a"),
      borderWidth: Number(n.borderWidth !== undefined ? n.borderWidth : nodeOptions.borderWidth || 1),
      fontColour: (n.font && n.font.color) || this.font.color || "#222222",
    }));
    const index = new Map(this.nodes.map((n, i) => [n.id, i]));
    this.edges = data.edges.filter((e) => index.has(e.from) && index.has(e.to)).map((e) => ({
      from: this.nodes[index.get(e.from)], to: this.nodes[index.get(e.to)], width: Number(e.width || 1),
      colour: colourOf(e.color, this.edgeColour), dashes: Boolean(e.dashes), tip: e.tip,
    }));
    // Ties grouped by style (colour, width, dashes) once: each redraw (every frame of a pan or zoom) strokes
    // one path per style, a few canvas calls for thousands of lines.
    this.styles = new Map();
    this.edges.forEach((e) => {
      const key = `${e.colour}|${e.width}|${e.dashes}`;
      if (!this.styles.has(key)) this.styles.set(key, []);
      this.styles.get(key).push(e);
    });
    this.canvas = box.appendChild(element("canvas"));
    this.tooltip = box.appendChild(element("div", "nd-tooltip"));
    this.tooltip.hidden = true;
    this.selected = null;
    this.hovered = null;
    this.pending = 0;
    this.listen();
    this.resize();
  }

  /** Fit every node in the canvas (the initial view, and after a resize). */
  fit() {
    let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
    this.nodes.forEach((n) => {
      x0 = Math.min(x0, n.x - n.size); y0 = Math.min(y0, n.y - n.size);
      x1 = Math.max(x1, n.x + n.size); y1 = Math.max(y1, n.y + n.size);
    });
    if (!this.nodes.length) [x0, y0, x1, y1] = [-1, -1, 1, 1];
    const w = Math.max(x1 - x0, 1e-9);
    const h = Math.max(y1 - y0, 1e-9);
    this.fitted = FIT_MARGIN * Math.min(this.width / w, this.height / h);
    this.scale = this.fitted;
    this.cx = (x0 + x1) / 2;
    this.cy = (y0 + y1) / 2;
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

  request() {
    if (!this.pending) this.pending = requestAnimationFrame(() => { this.pending = 0; this.draw(); });
  }

  draw() {
    const ctx = this.canvas.getContext("2d");
    ctx.setTransform(this.ratio, 0, 0, this.ratio, 0, 0);
    ctx.clearRect(0, 0, this.width, this.height);
    ctx.setTransform(this.ratio * this.scale, 0, 0, this.ratio * this.scale,
      this.ratio * (this.width / 2 - this.cx * this.scale), this.ratio * (this.height / 2 - this.cy * this.scale));
    const picked = this.selected || this.hovered;
    ctx.lineCap = "round";
    this.styles.forEach((edges) => {
      const { colour, width, dashes } = edges[0];
      ctx.strokeStyle = colour;
      ctx.lineWidth = width;
      ctx.setLineDash(dashes ? [5 / this.scale, 5 / this.scale] : []);
      ctx.beginPath();
      edges.forEach((e) => { ctx.moveTo(e.from.x, e.from.y); ctx.lineTo(e.to.x, e.to.y); });
      ctx.stroke();
      if (this.arrows) {
        ctx.fillStyle = colour;
        ctx.beginPath();
        edges.forEach((e) => this.arrowHead(ctx, e));
        ctx.fill();
      }
    });
    ctx.setLineDash([]);
    if (picked) { // the picked practitioner's ties, dark, over the rest
      ctx.strokeStyle = "#333333";
      ctx.beginPath();
      this.edges.forEach((e) => {
        if (e.from === picked || e.to === picked) {
          ctx.lineWidth = e.width + this.selectionWidth / this.scale;
          ctx.moveTo(e.from.x, e.from.y);
          ctx.lineTo(e.to.x, e.to.y);
        }
      });
      ctx.stroke();
    }
    this.nodes.forEach((n) => {
      ctx.beginPath();
      ctx.arc(n.x, n.y, n.size, 0, 2 * Math.PI);
      ctx.fillStyle = n.fill;
      ctx.fill();
      ctx.lineWidth = n === picked ? Math.max(n.borderWidth * 2, 2 / this.scale) : n.borderWidth;
      ctx.strokeStyle = n === picked ? "#111111" : n.border;
      ctx.stroke();
    });
    this.drawLabels(ctx);
  }

  arrowHead(ctx, e) {
    const dx = e.to.x - e.from.x;
    const dy = e.to.y - e.from.y;
    const length = Math.hypot(dx, dy);
    if (!length) return;
    const [ux, uy] = [dx / length, dy / length];
    const tipX = e.to.x - ux * e.to.size;
    const tipY = e.to.y - uy * e.to.size;
    const size = Math.max(4 * e.width, 3 / this.scale);
    ctx.moveTo(tipX, tipY);
    ctx.lineTo(tipX - ux * size * 2 - uy * size, tipY - uy * size * 2 + ux * size);
    ctx.lineTo(tipX - ux * size * 2 + uy * size, tipY - uy * size * 2 - ux * size);
    ctx.closePath();
  }

  /** Labels once they would be readable (vis-network's drawThreshold and maxVisible, in screen pixels). */
  drawLabels(ctx) {
    const size = Number(this.font.size || 14);
    const onScreen = size * this.scale;
    if (onScreen < Number(this.labelScaling.drawThreshold || 5)) return;
    const shown = Math.min(onScreen, Number(this.labelScaling.maxVisible || 30));
    // In screen pixels: a font of a fraction of a layout unit, scaled up, would be drawn blurred or not at all.
    ctx.setTransform(this.ratio, 0, 0, this.ratio, 0, 0);
    ctx.font = `${shown}px ${this.font.face || "sans-serif"}`;
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    ctx.lineJoin = "round";
    const stroke = Number(this.font.strokeWidth || 0) * shown / size;
    this.nodes.forEach((n) => {
      if (n.label === undefined || n.label === null) return;
      const [sx, sy] = this.toScreen(n.x, n.y);
      if (sx < -100 || sx > this.width + 100 || sy < -50 || sy > this.height + 10) return;
      const text = String(n.label);
      const top = sy + n.size * this.scale + 2;
      if (stroke > 0) {
        ctx.lineWidth = stroke;
        ctx.strokeStyle = this.font.strokeColor || "#ffffff";
        ctx.strokeText(text, sx, top);
      }
      ctx.fillStyle = n.fontColour;
      ctx.fillText(text, sx, top);
    });
  }

  /** The node under a screen point, else a tie with a tooltip, else null. */
  pick(sx, sy) {
    const [x, y] = this.toLayout(sx, sy);
    let best = null;
    let bestGap = HOVER_PX / this.scale;
    this.nodes.forEach((n) => {
      const gap = Math.hypot(n.x - x, n.y - y) - n.size;
      if (gap <= bestGap) { best = n; bestGap = gap; }
    });
    if (best) return { node: best };
    let tie = null;
    let tieGap = EDGE_HOVER_PX / this.scale;
    this.edges.forEach((e) => {
      if (!e.tip) return;
      const dx = e.to.x - e.from.x;
      const dy = e.to.y - e.from.y;
      const t = Math.max(0, Math.min(1, ((x - e.from.x) * dx + (y - e.from.y) * dy) / (dx * dx + dy * dy || 1)));
      const gap = Math.hypot(e.from.x + t * dx - x, e.from.y + t * dy - y);
      if (gap <= tieGap) { tie = e; tieGap = gap; }
    });
    return tie ? { edge: tie } : null;
  }

  showTip(found, sx, sy) {
    const lines = found && (found.node ? found.node.tip : found.edge.tip);
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

  listen() {
    const canvas = this.canvas;
    let drag = null;
    this.handlers = {
      wheel: (event) => {
        event.preventDefault();
        const [sx, sy] = this.point(event);
        const [x, y] = this.toLayout(sx, sy);
        const scale = Math.min(Math.max(this.scale * ZOOM_STEP ** -event.deltaY, this.fitted * MIN_ZOOM),
          this.fitted * MAX_ZOOM);
        // keep the layout point under the pointer where it is
        this.cx = x - (sx - this.width / 2) / scale;
        this.cy = y - (sy - this.height / 2) / scale;
        this.scale = scale;
        this.request();
      },
      pointerdown: (event) => {
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

  /** Where the node whose label is ``label`` is drawn, in client coordinates (for tests). */
  clientPosition(label) {
    const n = this.nodes.find((node) => node.label === label);
    if (!n) return null;
    const rect = this.canvas.getBoundingClientRect();
    const [sx, sy] = this.toScreen(n.x, n.y);
    return [rect.left + sx, rect.top + sy];
  }

  destroy() {
    this.observer.disconnect();
    if (this.pending) cancelAnimationFrame(this.pending);
  }
}

function panel(spec) {
  const box = element("div", "nd-panel");
  box.setAttribute("data-nodes", String(spec.data.nodes.length));
  box.setAttribute("data-edges", String(spec.data.edges.length));
  if (spec.title) box.appendChild(element("h2", "nd-title", spec.title));
  const frame = box.appendChild(element("div", "nd-frame"));
  frame.style.height = `${Number(spec.height_px)}px`;
  const map = frame.appendChild(element("div", "nd-map-box")).appendChild(element("div", "nd-map"));
  map.setAttribute("role", "img");
  map.setAttribute("aria-label", spec.title || "Network map");
  if (spec.legend.nodes.length || spec.legend.edges.length) frame.appendChild(legend(spec.legend));
  return { box, map };
}

const roots = new WeakMap();

/**
 * Draw `data` (UTF-8 JSON bytes or an object: {panels: [network_spec, ...]})
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
  const drawn = shown.map(({ spec, map }) => new CanvasMap(map, spec.data));
  root.netdashMaps = drawn; // for tests and benchmarks
  root.setAttribute("data-drawn", "true");
  // Milestones for the benchmarks (ms since the page's navigation start): the maps are drawn once painted.
  requestAnimationFrame(() => {
    window.netdashMaps = { start, drawn: performance.now(), count: drawn.length };
  });
  return () => drawn.forEach((map) => map.destroy());
}
