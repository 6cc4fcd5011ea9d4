/* gaoxin map runtime: compact layers drawn on one canvas each, hit-tested in JS.
 *
 * A layer arrives as base64 varint streams (structure + delta-coded coordinates at 1e-6 deg)
 * and columnar attributes. It is decoded once, projected to zoom-0 Web Mercator pixels and
 * drawn per style class as one Path2D per class, culled to the view and decimated to one
 * vertex per screen pixel. No Leaflet object per feature exists, so 100,000 parcels decode
 * and draw in a fraction of a second. Tooltips and popups are built with textContent:
 * attribute values are text, never HTML.
 */
(function () {
  "use strict";
  var GX = window.gaoxin = window.gaoxin || {};
  GX.layers = GX.layers || [];
  GX.drawn = GX.drawn || {};

  function bytes(b64) {
    if (Uint8Array.fromBase64) return Uint8Array.fromBase64(b64);
    var bin = atob(b64), n = bin.length, u = new Uint8Array(n);
    for (var i = 0; i < n; i++) u[i] = bin.charCodeAt(i);
    return u;
  }

  // Unsigned LEB128 varints of u[s, e) (zigzag when signed), decoded with arithmetic
  // (values > 2^31 ok).
  function varintsOf(u, s, e, signed) {
    var out = new Float64Array(e - s), n = 0, v = 0, m = 1;
    for (var i = s; i < e; i++) {
      var b = u[i];
      v += (b & 127) * m;
      if (b & 128) { m *= 128; continue; }
      out[n++] = signed ? (v % 2 ? -(v + 1) / 2 : v / 2) : v;
      v = 0; m = 1;
    }
    return out.subarray(0, n);
  }
  function varints(b64, signed) { var u = bytes(b64); return varintsOf(u, 0, u.length, signed); }

  // Run-length pairs (value, count) -> flat array.
  function runsOf(p) {
    var out = [];
    for (var i = 0; i < p.length; i += 2) for (var k = 0; k < p[i + 1]; k++) out.push(p[i]);
    return out;
  }
  function runs(b64) { return runsOf(varints(b64, false)); }

  // A zlib blob (base64) inflated by the browser, cut into its sections ([start, end) each).
  function inflate(b64) {
    var stream = new Blob([bytes(b64)]).stream().pipeThrough(new DecompressionStream("deflate"));
    return new Response(stream).arrayBuffer().then(function (buf) {
      var u = new Uint8Array(buf), i = 0, head = [], v = 0, m = 1;
      while (head.length < 1 + (head.length ? head[0] : 0)) {
        var b = u[i++];
        v += (b & 127) * m;
        if (b & 128) { m *= 128; continue; }
        head.push(v); v = 0; m = 1;
      }
      var secs = [];
      for (var k = 1; k < head.length; k++) { secs.push([i, i + head[k]]); i += head[k]; }
      return { u: u, s: secs };
    });
  }
  function sectionVarints(b, k, signed) { return varintsOf(b.u, b.s[k][0], b.s[k][1], signed); }
  function sectionText(b, k) { return new TextDecoder().decode(b.u.subarray(b.s[k][0], b.s[k][1])); }

  var R = 256 / 360, RAD = Math.PI / 180;
  function mercX(lon) { return (lon + 180) * R; }
  function mercY(lat) {
    var s = Math.sin(Math.max(-85.0511, Math.min(85.0511, lat)) * RAD);
    return 128 - 128 / Math.PI * 0.5 * Math.log((1 + s) / (1 - s));
  }
  function unMercY(y) {
    return (2 * Math.atan(Math.exp((128 - y) * Math.PI / 128)) - Math.PI / 2) / RAD;
  }

  // Structure + projected vertices -> what drawing and hit-testing read.
  function build(fp, pt, pr, rl, X, Y, cls, nStyles) {
    var n = fp.length, bb = new Float64Array(4 * n), fpart = new Int32Array(n + 1), i;
    var prStart = new Int32Array(pr.length + 1), rStart = new Int32Array(rl.length + 1);
    for (i = 0; i < pr.length; i++) prStart[i + 1] = prStart[i] + pr[i];
    for (i = 0; i < rl.length; i++) rStart[i + 1] = rStart[i] + rl[i];
    for (i = 0; i < n; i++) fpart[i + 1] = fpart[i] + fp[i];
    for (var f = 0; f < n; f++) {
      var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
      for (var v = rStart[prStart[fpart[f]]]; v < rStart[prStart[fpart[f + 1]]]; v++) {
        if (X[v] < x0) x0 = X[v]; if (X[v] > x1) x1 = X[v];
        if (Y[v] < y0) y0 = Y[v]; if (Y[v] > y1) y1 = Y[v];
      }
      bb[4 * f] = x0; bb[4 * f + 1] = y0; bb[4 * f + 2] = x1; bb[4 * f + 3] = y1;
    }
    var byClass = [];
    for (var k = 0; k < nStyles; k++) byClass.push([]);
    for (f = 0; f < n; f++) byClass[cls ? cls[f] : 0].push(f);
    return { n: n, X: X, Y: Y, bb: bb, fpart: fpart, ptype: pt, prStart: prStart,
             rStart: rStart, byClass: byClass, cls: cls };
  }

  function decode(d) {
    var c = varints(d.xy, true), nv = c.length / 2, q = d.q;
    var X = new Float64Array(nv), Y = new Float64Array(nv), x = 0, y = 0;
    for (var i = 0; i < nv; i++) {
      x += c[2 * i]; y += c[2 * i + 1];
      X[i] = mercX(x / q); Y[i] = mercY(y / q);
    }
    return build(runs(d.fparts), runs(d.ptype), runs(d.prings), varints(d.rlen, false), X, Y,
                 d.cls ? runs(d.cls) : null, d.styles.length);
  }

  // One chunk of a big layer (see gaoxin/maps/chunks.py): a vertex is either new (reference
  // 0, its delta from the previous vertex follows) or the k-th last new vertex (reference k).
  function decodeChunk(b, d) {
    var ref = sectionVarints(b, 4, false), c = sectionVarints(b, 5, true), q = d.lod.q;
    var nv = ref.length, nu = c.length / 2, UX = new Float64Array(nu), UY = new Float64Array(nu),
      MX = new Float64Array(nu), MY = new Float64Array(nu), X = new Float64Array(nv),
      Y = new Float64Array(nv), x = 0, y = 0, u = 0;
    for (var i = 0; i < nv; i++) {
      var k;
      if (ref[i] === 0) {
        x += c[2 * u]; y += c[2 * u + 1];
        UX[u] = x; UY[u] = y; MX[u] = mercX(x / q); MY[u] = mercY(y / q); k = u++;
      } else { k = u - ref[i]; x = UX[k]; y = UY[k]; }
      X[i] = MX[k]; Y[i] = MY[k];
    }
    var cls = b.s[6][1] > b.s[6][0] ? runsOf(sectionVarints(b, 6, false)) : null;
    var g = build(runsOf(sectionVarints(b, 0, false)), runsOf(sectionVarints(b, 1, false)),
                  runsOf(sectionVarints(b, 2, false)), sectionVarints(b, 3, false), X, Y, cls,
                  d.styles.length);
    var vals = JSON.parse(sectionText(b, 7)), cols = [];
    for (var j = 0; j < d.cols.length; j++) cols.push(L.extend({}, d.cols[j], vals[j]));
    return { g: g, cols: cols };
  }

  function fmt(col, i, lang) {
    var v;
    if (col.t === "c") { var code = col.i[i]; v = code < 0 ? null : col.k[code]; }
    else v = col.v[i];
    if (v === null || v === undefined || v === "") return lang === "en" ? "—" : "—";
    if (col.t === "n") {
      return Number(v).toLocaleString(lang === "en" ? "en-US" : "zh-CN",
        { minimumFractionDigits: col.d, maximumFractionDigits: col.d });
    }
    return String(v);
  }

  // Paths of at most CHUNK features: Chromium builds one path with thousands of sub-paths
  // in quadratic time (10,000 parcels: 690 ms in one path, 25 ms in chunks).
  var CHUNK = 32;

  // Draw the features of list (indices into g) in style st; returns how many were in view.
  function drawList(ctx, g, list, st, scale, ox, oy, v) {
    var X = g.X, Y = g.Y, bb = g.bb, drawn = 0;
    var polys = new Path2D(), lines = new Path2D(), pts = new Path2D(), np = 0, nl = 0, nt = 0;
    var flush = function () {
      if (np) {
        if (st.fillOpacity > 0) { ctx.globalAlpha = st.fillOpacity; ctx.fill(polys, "nonzero"); }
        ctx.globalAlpha = st.opacity; ctx.stroke(polys);
      }
      if (nl) { ctx.globalAlpha = st.opacity; ctx.stroke(lines); }
      if (nt) {
        ctx.globalAlpha = Math.max(st.fillOpacity, 0.6); ctx.fill(pts);
        ctx.globalAlpha = st.opacity; ctx.stroke(pts);
      }
      polys = new Path2D(); lines = new Path2D(); pts = new Path2D(); np = nl = nt = 0;
    };
    for (var j = 0; j < list.length; j++) {
      var f = list[j];
      if (bb[4 * f + 2] < v[0] || bb[4 * f] > v[2] || bb[4 * f + 3] < v[1] || bb[4 * f + 1] > v[3]) continue;
      drawn++;
      var w = (bb[4 * f + 2] - bb[4 * f]) * scale, h = (bb[4 * f + 3] - bb[4 * f + 1]) * scale;
      for (var pi = g.fpart[f]; pi < g.fpart[f + 1]; pi++) {
        var t = g.ptype[pi];
        if (t === 2) {
          var pv = g.rStart[g.prStart[pi]], px = X[pv] * scale - ox, py = Y[pv] * scale - oy;
          pts.moveTo(px + st.radius, py); pts.arc(px, py, st.radius, 0, 6.2832); nt++;
          continue;
        }
        var path = t === 0 ? polys : lines;
        if (t === 0) np++; else nl++;
        if (w < 1.5 && h < 1.5) {  // sub-pixel feature: one pixel-sized rectangle
          path.rect(bb[4 * f] * scale - ox, bb[4 * f + 1] * scale - oy, Math.max(w, 1), Math.max(h, 1));
          break;
        }
        for (var ri = g.prStart[pi]; ri < g.prStart[pi + 1]; ri++) {
          var v0 = g.rStart[ri], v1 = g.rStart[ri + 1];
          if (v1 <= v0) continue;
          var lx = X[v0] * scale - ox, ly = Y[v0] * scale - oy;
          path.moveTo(lx, ly);
          for (var vv = v0 + 1; vv < v1; vv++) {
            var x = X[vv] * scale - ox, y = Y[vv] * scale - oy;
            if (vv < v1 - 1 && Math.abs(x - lx) + Math.abs(y - ly) < 0.7) continue;
            path.lineTo(x, y); lx = x; ly = y;
          }
          if (t === 0) path.closePath();
        }
      }
      if (np + nl + nt >= CHUNK) flush();
    }
    flush();
    return drawn;
  }

  // Every feature of g under world-0 point (wx, wy) within tol, as [{index, area}] (area 0
  // for lines and points: they win over any polygon).
  function hitsIn(g, wx, wy, tol, out, base) {
    var bb = g.bb, X = g.X, Y = g.Y;
    for (var f = 0; f < g.n; f++) {
      if (wx < bb[4 * f] - tol || wx > bb[4 * f + 2] + tol ||
          wy < bb[4 * f + 1] - tol || wy > bb[4 * f + 3] + tol) continue;
      var inside = false, near = false;
      for (var pi = g.fpart[f]; pi < g.fpart[f + 1]; pi++) {
        var t = g.ptype[pi];
        for (var ri = g.prStart[pi]; ri < g.prStart[pi + 1]; ri++) {
          var v0 = g.rStart[ri], v1 = g.rStart[ri + 1];
          if (t === 2) { near = near || Math.hypot(X[v0] - wx, Y[v0] - wy) <= 1.5 * tol; continue; }
          for (var v = v0, u = v1 - 1; v < v1; u = v++) {
            if (t === 1 && v === v0) continue;
            var ax = X[u], ay = Y[u], bx = X[v], by = Y[v];
            if (t === 0 && ((ay > wy) !== (by > wy)) &&
                wx < (bx - ax) * (wy - ay) / (by - ay) + ax) inside = !inside;
            if (t === 1 && segDist(wx, wy, ax, ay, bx, by) <= tol) near = true;
          }
        }
      }
      if (near) out.push({ index: base + f, area: 0 });
      else if (inside) out.push({ index: base + f, area: (bb[4 * f + 2] - bb[4 * f]) * (bb[4 * f + 3] - bb[4 * f + 1]) });
    }
  }

  function boxBounds(x0, y0, x1, y1) {
    return L.latLngBounds([unMercY(y1), x0 / R - 180], [unMercY(y0), x1 / R - 180]);
  }

  // A big layer draws its features when a view holds at most this many (estimated from the
  // chunks in view), else its grid cells; it keeps at most LOD_KEEP features decoded.
  GX.LOD_LIMIT = GX.LOD_LIMIT || 60000;
  GX.LOD_KEEP = GX.LOD_KEEP || 400000;

  GX.FastLayer = L.Layer.extend({
    options: { pane: "overlayPane", padding: 0.1 },

    initialize: function (data, options) {
      L.setOptions(this, options);
      this.data = data;
      this.id = data.id;
      this._drawnCount = 0;
      if (data.lod) this._initChunks(data.lod);
      else this.parts = [{ g: decode(data), cols: data.cols, base: 0 }];
      GX.layers.push(this);
    },

    _initChunks: function (lod) {
      var base = 0, self = this;
      this.parts = [];
      this.chunks = lod.cn.map(function (n, k) {
        var c = { k: k, n: n, base: base, bb: lod.cbb.slice(4 * k, 4 * k + 4), part: null,
                  pending: null, used: 0 };
        base += n;
        return c;
      });
      this._clock = 0;
      this.mode = "cells";
      var cells = lod.cells;
      this.cellsReady = inflate(cells.blob).then(function (b) {
        var idx = sectionVarints(b, 0, false), cls = runsOf(sectionVarints(b, 1, false)),
          body = JSON.parse(sectionText(b, 2)), at = new Int32Array(cells.nx * cells.ny).fill(-1),
          cell = new Int32Array(idx.length), byClass = [], i, s = 0;
        for (i = 0; i < self.data.styles.length; i++) byClass.push([]);
        for (i = 0; i < idx.length; i++) { s += idx[i]; cell[i] = s; at[s] = i; byClass[cls[i]].push(i); }
        self.cells = { cell: cell, cls: cls, n: body.n, v: body.v, at: at, byClass: byClass };
        self._update();
      });
    },

    // The chunk holding feature f of a big layer, decoded (a promise).
    ensure: function (f) {
      var cs = this.chunks, lo = 0, hi = cs.length - 1;
      while (lo < hi) { var mid = (lo + hi + 1) >> 1; if (cs[mid].base <= f) lo = mid; else hi = mid - 1; }
      return this._decode(cs[lo]);
    },

    _decode: function (c) {
      var self = this;
      c.used = ++this._clock;
      if (c.part) return Promise.resolve(c.part);
      if (!c.pending) {
        c.pending = inflate(this.data.lod.chunks[c.k]).then(function (b) {
          var p = decodeChunk(b, self.data);
          p.base = c.base; p.chunk = c;
          c.part = p; c.pending = null;
          self.parts.push(p);
          self._evict();
          return p;
        });
      }
      return c.pending;
    },

    // Forget the least recently used chunks beyond LOD_KEEP features (not those in view).
    _evict: function () {
      var kept = 0, cs = this.chunks.filter(function (c) { return c.part; });
      cs.sort(function (a, b) { return b.used - a.used; });
      for (var i = 0; i < cs.length; i++) {
        kept += cs[i].n;
        if (kept > GX.LOD_KEEP && cs[i].used < this._clock - 1 && i > 0) cs[i].part = null;
      }
      this.parts = this.parts.filter(function (p) { return p.chunk.part === p; });
    },

    getBounds: function () {
      var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity, boxes = [];
      if (this.chunks) boxes = this.chunks.map(function (c) { return { bb: c.bb, n: 1 }; });
      else boxes = [{ bb: this.parts[0].g.bb, n: this.parts[0].g.n }];
      boxes.forEach(function (b) {
        for (var f = 0; f < b.n; f++) {
          x0 = Math.min(x0, b.bb[4 * f]); y0 = Math.min(y0, b.bb[4 * f + 1]);
          x1 = Math.max(x1, b.bb[4 * f + 2]); y1 = Math.max(y1, b.bb[4 * f + 3]);
        }
      });
      return boxBounds(x0, y0, x1, y1);
    },

    onAdd: function (map) {
      var c = this._canvas = L.DomUtil.create("canvas", "gx-canvas leaflet-zoom-animated");
      c.setAttribute("data-gx-layer", this.id);
      c.setAttribute("data-gx-name", this.data.name);
      this.getPane().appendChild(c);
      this._ctx = c.getContext("2d");
      map.on("viewreset", this._reset, this);
      map.on("zoom", this._onZoom, this);
      map.on("moveend", this._update, this);
      if (map._zoomAnimated) map.on("zoomanim", this._onAnimZoom, this);
      GX.hook(map);
      this._reset();
    },

    onRemove: function (map) {
      map.off("viewreset", this._reset, this);
      map.off("zoom", this._onZoom, this);
      map.off("moveend", this._update, this);
      map.off("zoomanim", this._onAnimZoom, this);
      if (this._frame) { L.Util.cancelAnimFrame(this._frame); this._frame = null; }
      L.DomUtil.remove(this._canvas);
      this._canvas = null;
      GX.drawn[this.id] = 0;
      GX.unhover(map);
    },

    _reset: function () { this._update(); },
    _onZoom: function () {
      if (this._bounds) this._updateTransform(this._map.getCenter(), this._map.getZoom());
    },
    _onAnimZoom: function (e) { if (this._bounds) this._updateTransform(e.center, e.zoom); },

    _updateTransform: function (center, zoom) {
      var map = this._map, scale = map.getZoomScale(zoom, this._zoom),
        half = map.getSize().multiplyBy(0.5 + this.options.padding),
        cp = map.project(this._center, zoom),
        tl = half.multiplyBy(-scale).add(cp).subtract(map._getNewPixelOrigin(center, zoom));
      if (L.Browser.any3d) L.DomUtil.setTransform(this._canvas, tl, scale);
      else L.DomUtil.setPosition(this._canvas, tl);
    },

    // Coalesce the redraws of one frame (add, fitBounds, viewreset, moveend) into one.
    _update: function () {
      if (this._frame) return;
      this._frame = L.Util.requestAnimFrame(function () { this._frame = null; this._redraw(); }, this);
    },

    _redraw: function () {
      var map = this._map;
      if (!map || !this._canvas) return;
      if (map._animatingZoom && this._bounds) { this._update(); return; }
      var p = this.options.padding, size = map.getSize(),
        min = map.containerPointToLayerPoint(size.multiplyBy(-p)).round();
      this._bounds = L.bounds(min, min.add(size.multiplyBy(1 + 2 * p)).round());
      this._center = map.getCenter();
      this._zoom = map.getZoom();
      var b = this._bounds, s = b.getSize(), r = L.Browser.retina ? 2 : 1, c = this._canvas;
      L.DomUtil.setPosition(c, b.min);
      c.width = r * s.x; c.height = r * s.y;
      c.style.width = s.x + "px"; c.style.height = s.y + "px";
      this._draw(r);
      this._updateTransform(this._center, this._zoom);
    },

    // The chunks of a big layer whose bounds meet view v, and the features they put in it.
    _inView: function (v) {
      var out = [], est = 0;
      for (var k = 0; k < this.chunks.length; k++) {
        var c = this.chunks[k], bb = c.bb;
        if (bb[2] < v[0] || bb[0] > v[2] || bb[3] < v[1] || bb[1] > v[3]) continue;
        var w = Math.max(bb[2] - bb[0], 1e-12), h = Math.max(bb[3] - bb[1], 1e-12),
          share = (Math.min(bb[2], v[2]) - Math.max(bb[0], v[0])) * (Math.min(bb[3], v[3]) - Math.max(bb[1], v[1])) / (w * h);
        est += c.n * Math.min(1, share);
        out.push(c);
      }
      return { chunks: out, features: est };
    },

    _draw: function (r) {
      var map = this._map, ctx = this._ctx, b = this._bounds,
        scale = map.getZoomScale(this._zoom, 0), po = map.getPixelOrigin(),
        ox = po.x + b.min.x, oy = po.y + b.min.y,
        v = [ox / scale, oy / scale, (po.x + b.max.x) / scale, (po.y + b.max.y) / scale],
        drawn = 0, styles = this.data.styles, parts = this.parts, pending = 0, placeholders = [];
      ctx.setTransform(r, 0, 0, r, 0, 0);
      ctx.clearRect(0, 0, b.getSize().x, b.getSize().y);
      ctx.lineJoin = "round"; ctx.lineCap = "round";
      this._view = v;
      if (this.chunks) {
        if (!this.cells) { this._canvas.setAttribute("data-gx-pending", "1"); return; }
        var seen = this._inView(v), self = this;
        this.mode = seen.features <= GX.LOD_LIMIT ? "features" : "cells";
        parts = [];
        if (this.mode === "features") {
          seen.chunks.forEach(function (c) {
            if (c.part) { c.used = ++self._clock; parts.push(c.part); return; }
            pending++; placeholders.push(c);
            self._decode(c).then(function () { self._update(); });
          });
        } else placeholders = null;
        this._canvas.setAttribute("data-gx-mode", this.mode);
      }
      for (var k = 0; k < styles.length; k++) {
        var st = styles[k];
        ctx.setLineDash(st.dash ? st.dash : []);
        ctx.lineWidth = st.weight; ctx.strokeStyle = st.color; ctx.fillStyle = st.fill;
        for (var i = 0; i < parts.length; i++) {
          if (parts[i].g.byClass[k].length) drawn += drawList(ctx, parts[i].g, parts[i].g.byClass[k], st, scale, ox, oy, v);
        }
        if (this.chunks && (placeholders === null || placeholders.length)) {
          drawn += this._drawCells(ctx, k, st, scale, ox, oy, v, placeholders);
        }
      }
      ctx.globalAlpha = 1;
      this._drawnCount = drawn;
      GX.drawn[this.id] = drawn;
      this._canvas.setAttribute("data-gx-drawn", String(drawn));
      if (this.chunks) this._canvas.setAttribute("data-gx-pending", String(pending));
      if (window.performance && performance.mark) performance.mark("gx-drawn-" + this.id);
    },

    // The grid cells of class k in view v (only inside the chunks of within, if given).
    _drawCells: function (ctx, k, st, scale, ox, oy, v, within) {
      var cells = this.cells, G = this.data.lod.cells, list = cells.byClass[k], drawn = 0,
        path = new Path2D(), n = 0, s = G.size;
      ctx.globalAlpha = Math.max(st.fillOpacity, 0.5);
      for (var j = 0; j < list.length; j++) {
        var i = list[j], id = cells.cell[i], x = G.x0 + (id % G.nx) * s, y = G.y0 + Math.floor(id / G.nx) * s;
        if (x + s < v[0] || x > v[2] || y + s < v[1] || y > v[3]) continue;
        if (within) {
          var inside = false;
          for (var c = 0; c < within.length && !inside; c++) {
            var bb = within[c].bb;
            inside = !(x + s < bb[0] || x > bb[2] || y + s < bb[1] || y > bb[3]);
          }
          if (!inside) continue;
        }
        drawn++;
        path.rect(x * scale - ox, y * scale - oy, s * scale + 0.5, s * scale + 0.5);
        if (++n >= 256) { ctx.fill(path); path = new Path2D(); n = 0; }
      }
      if (n) ctx.fill(path);
      return drawn;
    },

    _part: function (f) {
      var ps = this.parts;
      for (var i = 0; i < ps.length; i++) if (f >= ps[i].base && f < ps[i].base + ps[i].g.n) return ps[i];
      return null;
    },

    // The grid cell under world-0 point (wx, wy), as a hit ("c" + its number), or null.
    _cellAt: function (wx, wy) {
      var G = this.data.lod.cells, cx = Math.floor((wx - G.x0) / G.size), cy = Math.floor((wy - G.y0) / G.size);
      if (!this.cells || cx < 0 || cy < 0 || cx >= G.nx || cy >= G.ny) return null;
      var i = this.cells.at[cy * G.nx + cx];
      return i < 0 ? null : { index: "c" + i, area: G.size * G.size };
    },

    // Every feature under world-0 point (wx, wy) within tol, the smallest first:
    // [{index, area}], area 0 for lines and points (they win over any polygon). A big layer
    // tests its decoded chunks in view; zoomed out, or over a chunk still decoding, its cell.
    hits: function (wx, wy, tol) {
      var out = [], ps = this.parts;
      for (var i = 0; i < ps.length; i++) {
        var bb = ps[i].chunk ? ps[i].chunk.bb : null;
        if (bb && (wx < bb[0] - tol || wx > bb[2] + tol || wy < bb[1] - tol || wy > bb[3] + tol)) continue;
        hitsIn(ps[i].g, wx, wy, tol, out, ps[i].base);
      }
      if (this.chunks && !out.length) {
        var undecoded = this.mode === "cells" || this.chunks.some(function (c) {
          var b = c.bb;
          return !c.part && wx >= b[0] && wx <= b[2] && wy >= b[1] && wy <= b[3];
        });
        var cell = undecoded ? this._cellAt(wx, wy) : null;
        if (cell) out.push(cell);
      }
      return out.sort(function (a, b) { return a.area - b.area; });
    },

    _cellBox: function (f) {
      var G = this.data.lod.cells, id = this.cells.cell[+f.slice(1)],
        x = G.x0 + (id % G.nx) * G.size, y = G.y0 + Math.floor(id / G.nx) * G.size;
      return [x, y, x + G.size, y + G.size];
    },

    latlngs: function (f) {  // [[lat, lng], ...] rings of feature f, for the highlight outline
      if (typeof f === "string") {
        var c = this._cellBox(f);
        return [{ type: 0, ring: [[unMercY(c[1]), c[0] / R - 180], [unMercY(c[1]), c[2] / R - 180],
                                  [unMercY(c[3]), c[2] / R - 180], [unMercY(c[3]), c[0] / R - 180]] }];
      }
      var p = this._part(f), g = p.g, out = [];
      f -= p.base;
      for (var pi = g.fpart[f]; pi < g.fpart[f + 1]; pi++) {
        for (var ri = g.prStart[pi]; ri < g.prStart[pi + 1]; ri++) {
          var ring = [];
          for (var v = g.rStart[ri]; v < g.rStart[ri + 1]; v++) ring.push([unMercY(g.Y[v]), g.X[v] / R - 180]);
          out.push({ type: g.ptype[pi], ring: ring });
        }
      }
      return out;
    },

    featureBounds: function (f) {
      if (typeof f === "string") { var c = this._cellBox(f); return boxBounds(c[0], c[1], c[2], c[3]); }
      var p = this._part(f), bb = p.g.bb, i = f - p.base;
      return boxBounds(bb[4 * i], bb[4 * i + 1], bb[4 * i + 2], bb[4 * i + 3]);
    },

    content: function (f, all) {  // DOM node: layer name + labelled values, as text only
      var d = this.data, lang = GX.lang || "zh", box = document.createElement("div");
      box.className = all ? "gx-popup" : "gx-tip";
      var h = document.createElement(all ? "h4" : "b"), table = document.createElement("table");
      h.textContent = d.name;
      box.appendChild(h);
      function row(name, label, text) {
        var tr = table.insertRow(), th = document.createElement("th"), td = tr.insertCell(-1);
        th.textContent = label;
        tr.insertBefore(th, td);
        td.textContent = text;
        td.setAttribute("data-col", name);
      }
      if (typeof f === "string") {
        var G = d.lod.cells, i = +f.slice(1), cells = this.cells;
        h.textContent = d.name + " · " + G.words.title;
        box.setAttribute("data-gx-cell", String(cells.cell[i]));
        row("count", G.words.count, cells.n[i].toLocaleString(lang === "en" ? "en-US" : "zh-CN"));
        if (G.value === "mean") row("value", G.words.value, fmt({ t: "n", d: G.d, v: cells.v }, i, lang));
        else if (G.value === "class") row("value", G.words.value, G.labels[cells.cls[i]]);
      } else {
        var p = this._part(f), cols = all ? p.cols : p.cols.slice(0, d.tip);
        for (var k = 0; k < cols.length; k++) row(cols[k].name, cols[k].label, fmt(cols[k], f - p.base, lang));
      }
      box.appendChild(table);
      return box;
    },

    // A big layer's search index, inflated on the first search (a promise).
    prepareSearch: function () {
      var self = this, lod = this.data.lod;
      if (!lod || !lod.ids || this._ids) return Promise.resolve();
      if (!this._idsPending) {
        this._idsPending = inflate(lod.ids).then(function (b) {
          self._ids = sectionText(b, 0).toLowerCase().split("\n");
        });
      }
      return this._idsPending;
    },
    searchReady: function () { return !this.data.lod || !this.data.lod.ids || !!this._ids; },

    // Feature index whose id column equals text (exact) or starts with it (prefix); -1 if none.
    find: function (text, exact) {
      var col = null, d = this.data, q = text.trim().toLowerCase(), f;
      if (!q) return -1;
      if (this._ids) {
        var ids = this._ids;
        for (f = 0; f < ids.length; f++) if (exact ? ids[f] === q : ids[f].indexOf(q) === 0) return f;
        return -1;
      }
      if (d.lod) return -1;
      var p = this.parts[0];
      for (var k = 0; k < p.cols.length; k++) if (p.cols[k].name === d.idcol) col = p.cols[k];
      if (!col) return -1;
      for (f = 0; f < p.g.n; f++) {
        var s = fmt(col, f, "en").toLowerCase();
        if (exact ? s === q : s.indexOf(q) === 0) return f;
      }
      return -1;
    }
  });

  function segDist(px, py, ax, ay, bx, by) {
    var dx = bx - ax, dy = by - ay, l = dx * dx + dy * dy,
      t = l ? Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / l)) : 0;
    return Math.hypot(px - ax - t * dx, py - ay - t * dy);
  }

  GX.fastLayer = function (data, options) { return new GX.FastLayer(data, options); };

  // The layers shown on map, topmost first: canvases later in the pane are drawn on top
  // (a layer switched on again is appended, so creation order is not drawing order).
  GX.shown = function (map) {
    var byId = {}, out = [], canvases = map.getPanes().overlayPane.querySelectorAll("canvas.gx-canvas");
    for (var i = 0; i < GX.layers.length; i++) if (GX.layers[i]._map === map) byId[GX.layers[i].id] = GX.layers[i];
    for (var k = canvases.length - 1; k >= 0; k--) {
      var lyr = byId[canvases[k].getAttribute("data-gx-layer")];
      if (lyr) out.push(lyr);
    }
    return out;
  };

  function world(map, latlng) {
    return { x: mercX(latlng.lng), y: mercY(latlng.lat), tol: 4 / map.getZoomScale(map.getZoom(), 0) };
  }

  // Every feature under a lat/lng: the topmost layer first, within a layer the smallest first.
  GX.pickAll = function (map, latlng) {
    var w = world(map, latlng), layers = GX.shown(map), out = [];
    for (var i = 0; i < layers.length; i++) {
      var h = layers[i].hits(w.x, w.y, w.tol);
      for (var k = 0; k < h.length; k++) out.push({ layer: layers[i], index: h[k].index });
    }
    return out;
  };

  // The first of pickAll, without testing the layers below it (hover runs on every move).
  GX.pick = function (map, latlng) {
    var w = world(map, latlng), layers = GX.shown(map);
    for (var i = 0; i < layers.length; i++) {
      var h = layers[i].hits(w.x, w.y, w.tol);
      if (h.length) return { layer: layers[i], index: h[0].index };
    }
    return null;
  };

  GX.outline = function (map, lyr, f, style) {
    var group = L.featureGroup(), parts = lyr.latlngs(f);
    for (var i = 0; i < parts.length; i++) {
      var p = parts[i], o = L.extend({ interactive: false, pane: "gxHighlight" }, style);
      if (p.type === 0) group.addLayer(L.polygon(p.ring, o));
      else if (p.type === 1) group.addLayer(L.polyline(p.ring, o));
      else group.addLayer(L.circleMarker(p.ring[0], L.extend({ radius: 7 }, o)));
    }
    return group.addTo(map);
  };

  GX.unhover = function (map) {
    if (map._gxHover) { map.removeLayer(map._gxHover.shape); map._gxHover = null; }
    map.closeTooltip && map._gxTip && map.closeTooltip(map._gxTip);
    map.getContainer().style.cursor = "";
  };

  GX.select = function (map, lyr, f) {
    if (map._gxSel) map.removeLayer(map._gxSel);
    map._gxSel = GX.outline(map, lyr, f, { color: "#00e5ff", weight: 3, fill: false });
  };

  // A popup sized to the map: on a phone it is at most the screen less 40 px wide and
  // scrolls inside rather than running off the screen; it is panned below the top controls.
  function popup(map) {
    var size = map.getSize(), top = Math.min(160, Math.round(size.y * 0.2));
    return L.popup({ maxWidth: Math.max(120, Math.min(360, size.x - 40)),
                     minWidth: Math.min(160, size.x - 60),
                     maxHeight: Math.max(120, Math.min(Math.round(size.y * 0.6), size.y - top - 80)),
                     autoPanPaddingTopLeft: [10, top], autoPanPaddingBottomRight: [10, 40],
                     className: "gx-popup-frame" });
  }

  GX.MAX_HITS = 12;

  // One popup listing every feature in hits (topmost first), each headed by its layer name;
  // the first is outlined, and tapping another's heading outlines that one instead.
  GX.openPopup = function (map, hits, latlng) {
    var box = document.createElement("div"), shown = hits.slice(0, GX.MAX_HITS);
    box.className = "gx-popup-list";
    shown.forEach(function (h, k) {
      var node = h.layer.content(h.index, true);
      node.setAttribute("data-gx-layer", h.layer.id);
      if (k === 0) node.className += " gx-selected";
      node.firstChild.addEventListener("click", function () {
        GX.select(map, h.layer, h.index);
        var sel = box.querySelectorAll(".gx-selected");
        for (var i = 0; i < sel.length; i++) sel[i].classList.remove("gx-selected");
        node.classList.add("gx-selected");
      });
      box.appendChild(node);
    });
    if (hits.length > shown.length) {
      el("div", "gx-more", (GX.text.more || "+{n}").replace("{n}", String(hits.length - shown.length)), box);
    }
    GX.select(map, hits[0].layer, hits[0].index);
    popup(map).setLatLng(latlng).setContent(box).openOn(map);
  };

  GX.hook = function (map) {
    if (map._gxHooked) return;
    map._gxHooked = true;
    if (!map.getPane("gxHighlight")) map.createPane("gxHighlight").style.zIndex = 450;
    map._gxTip = L.tooltip({ direction: "top", offset: [0, -8], className: "gx-tooltip" });
    map.on("click", function (e) {
      if (map._measureActive) return;
      var hits = GX.pickAll(map, e.latlng);
      if (hits.length) GX.openPopup(map, hits, e.latlng);
    });
    map.on("popupclose", function () { if (map._gxSel) { map.removeLayer(map._gxSel); map._gxSel = null; } });
    var pending = null;
    map.on("mousemove", function (e) {
      if (pending) { pending = e; return; }
      pending = e;
      L.Util.requestAnimFrame(function () {
        var ev = pending; pending = null;
        var p = GX.pick(map, ev.latlng), cur = map._gxHover;
        if (!p) { GX.unhover(map); return; }
        if (!cur || cur.layer !== p.layer || cur.index !== p.index) {
          if (cur) map.removeLayer(cur.shape);
          map._gxHover = { layer: p.layer, index: p.index,
            shape: GX.outline(map, p.layer, p.index, { color: "#ffff00", weight: 2, fill: false }) };
          map._gxTip.setContent(p.layer.content(p.index, false));
        }
        map.getContainer().style.cursor = "pointer";
        map.openTooltip(map._gxTip, ev.latlng);
      });
    });
    map.on("mouseout", function () { GX.unhover(map); });
  };

  function el(tag, cls, text, parent) {
    var e = L.DomUtil.create(tag, cls || "", parent);
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }

  // A control that folds to one button: the button toggles "gx-folded" on box. On a small
  // screen (a phone) it starts folded, so the map stays visible.
  function foldable(map, box, text) {
    var btn = L.DomUtil.create("button", "gx-fold", null);
    btn.type = "button";
    el("span", "gx-fold-label", text, btn);
    el("span", "gx-caret", null, btn);
    box.insertBefore(btn, box.firstChild);
    function set(folded) {
      box.classList.toggle("gx-folded", folded);
      btn.setAttribute("aria-expanded", folded ? "false" : "true");
    }
    L.DomEvent.on(btn, "click", function (ev) {
      L.DomEvent.stop(ev);
      set(!box.classList.contains("gx-folded"));
    });
    L.DomEvent.disableClickPropagation(box);
    var size = map.getSize();
    set(size.x < 700 || size.y < 500);
    return btn;
  }

  // Search: an exact id wins over a prefix, a shown layer over a hidden one (which is then
  // switched on); the topmost layer first. True or false, or (when a big layer's index or
  // chunk must be inflated first) a promise of it.
  GX.search = function (map, text) {
    var shown = GX.shown(map), hidden = GX.layers.filter(function (l) {
      return !l._map && l._gxMap === map;
    });
    var order = shown.concat(hidden);
    var waiting = order.filter(function (l) { return !l.searchReady(); });
    if (waiting.length) {
      return Promise.all(waiting.map(function (l) { return l.prepareSearch(); }))
        .then(function () { return GX.search(map, text); });
    }
    function show(lyr, f) {
      var fb = lyr.featureBounds(f);
      map.fitBounds(fb, { maxZoom: 18 });
      GX.openPopup(map, [{ layer: lyr, index: f }], fb.getCenter());
      return true;
    }
    for (var pass = 0; pass < 2; pass++) {
      for (var i = 0; i < order.length; i++) {
        var lyr = order[i], f = lyr.find(text, pass === 0);
        if (f < 0) continue;
        if (!lyr._map) lyr.addTo(map);
        if (lyr.chunks) return lyr.ensure(f).then(show.bind(null, lyr, f));
        return show(lyr, f);
      }
    }
    return false;
  };

  // Title, layer control, measure and legend share the right-hand column (a flex column,
  // see gaoxin-map.css): they stack and the legend scrolls, so none can cover another.
  GX.ui = function (map, opts) {
    GX.lang = opts.lang;
    GX.text = opts.text;
    GX.layers.forEach(function (l) { l._gxMap = l._gxMap || map; });
    L.control.scale({ metric: true, imperial: false }).addTo(map);
    var right = map.getContainer().querySelector(".leaflet-top.leaflet-right");
    if (opts.title) {
      var T = L.Control.extend({ onAdd: function () { return el("div", "gx-title", opts.title); } });
      var title = new T({ position: "topright" }).addTo(map).getContainer();
      right.insertBefore(title, right.firstChild);
      map.getContainer().parentNode.setAttribute("data-gx-title", opts.title);
    }
    var layers = map.getContainer().querySelector(".leaflet-control-layers");
    if (layers) foldable(map, layers, opts.text.layers);
    var Legend = L.Control.extend({
      onAdd: function () {
        var box = el("div", "gx-legend leaflet-bar"), body = el("div", "gx-legend-body", null, box);
        L.DomEvent.disableScrollPropagation(box);
        foldable(map, box, opts.text.legend);
        opts.legend.forEach(function (item) {
          var sec = el("div", "gx-legend-layer", null, body);
          sec.setAttribute("data-gx-layer", item.id);
          el("div", "gx-legend-name", item.name, sec);
          if (item.note) el("div", "gx-legend-note", item.note, sec);
          if (item.lod) el("div", "gx-legend-note gx-legend-lod", item.lod, sec);
          if (item.caption) el("div", "gx-legend-caption", item.caption, sec);
          item.entries.forEach(function (e) {
            var row = el("div", "gx-legend-row", null, sec), sw = el("span", "gx-swatch", null, row);
            sw.style.background = e.fill; sw.style.borderColor = e.color;
            sw.style.opacity = Math.max(e.fillOpacity, 0.35);
            if (e.line) { sw.className += " gx-swatch-line"; sw.style.background = e.color; }
            el("span", "gx-legend-label", e.label, row);
          });
          var lyr = window[item.var];
          sec.style.display = lyr && map.hasLayer(lyr) ? "" : "none";
          map.on("layeradd layerremove", function (ev) {
            if (ev.layer === lyr) sec.style.display = map.hasLayer(lyr) ? "" : "none";
          });
        });
        opts.notes.forEach(function (n) { el("div", "gx-note", n, body); });
        var degraded = el("div", "gx-note gx-basemap-offline", opts.text.basemapOffline, body);
        degraded.style.display = "none";
        (opts.tiles || []).forEach(function (name) {
          var t = window[name];
          if (t) t.on("tileerror", function () {
            degraded.style.display = "";
            map.getContainer().classList.add("gx-no-basemap");
          });
        });
        return box;
      }
    });
    new Legend({ position: "topright" }).addTo(map);
    if (opts.search) {
      var S = L.Control.extend({
        onAdd: function () {
          var box = el("div", "gx-search leaflet-bar"), inp = el("input", "", null, box),
            msg = el("div", "gx-search-msg", null, box);
          inp.type = "search"; inp.placeholder = opts.text.search;
          inp.setAttribute("aria-label", opts.text.search);
          L.DomEvent.disableClickPropagation(box);
          L.DomEvent.on(inp, "keydown", function (ev) {
            if (ev.key !== "Enter") return;
            Promise.resolve(GX.search(map, inp.value)).then(function (found) {
              msg.textContent = found ? "" : opts.text.notFound;
            });
          });
          return box;
        }
      });
      new S({ position: "topleft" }).addTo(map);
    }
    GX.ready = true;
    map.getContainer().setAttribute("data-gx-ready", "1");
  };
})();
