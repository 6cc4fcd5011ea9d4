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
    var bin = atob(b64), n = bin.length, u = new Uint8Array(n);
    for (var i = 0; i < n; i++) u[i] = bin.charCodeAt(i);
    return u;
  }

  // Unsigned LEB128 varints (zigzag when signed), decoded with arithmetic (values > 2^31 ok).
  function varints(b64, signed) {
    var u = bytes(b64), out = [], v = 0, m = 1;
    for (var i = 0; i < u.length; i++) {
      var b = u[i];
      v += (b & 127) * m;
      if (b & 128) { m *= 128; continue; }
      out.push(signed ? (v % 2 ? -(v + 1) / 2 : v / 2) : v);
      v = 0; m = 1;
    }
    return out;
  }

  // Run-length pairs (value, count) -> flat array.
  function runs(b64) {
    var p = varints(b64, false), out = [];
    for (var i = 0; i < p.length; i += 2) for (var k = 0; k < p[i + 1]; k++) out.push(p[i]);
    return out;
  }

  var R = 256 / 360, RAD = Math.PI / 180;
  function mercX(lon) { return (lon + 180) * R; }
  function mercY(lat) {
    var s = Math.sin(Math.max(-85.0511, Math.min(85.0511, lat)) * RAD);
    return 128 - 128 / Math.PI * 0.5 * Math.log((1 + s) / (1 - s));
  }
  function unMercY(y) {
    return (2 * Math.atan(Math.exp((128 - y) * Math.PI / 128)) - Math.PI / 2) / RAD;
  }

  function decode(d) {
    var fp = runs(d.fparts), pt = runs(d.ptype), pr = runs(d.prings), rl = varints(d.rlen, false);
    var c = varints(d.xy, true), nv = c.length / 2, q = d.q;
    var X = new Float64Array(nv), Y = new Float64Array(nv), x = 0, y = 0;
    for (var i = 0; i < nv; i++) {
      x += c[2 * i]; y += c[2 * i + 1];
      X[i] = mercX(x / q); Y[i] = mercY(y / q);
    }
    var n = fp.length, bb = new Float64Array(4 * n), fpart = new Int32Array(n + 1);
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
    var cls = d.cls ? runs(d.cls) : null, byClass = [];
    for (var k = 0; k < d.styles.length; k++) byClass.push([]);
    for (f = 0; f < n; f++) byClass[cls ? cls[f] : 0].push(f);
    return { n: n, X: X, Y: Y, bb: bb, fpart: fpart, ptype: pt, prStart: prStart,
             rStart: rStart, byClass: byClass, cls: cls };
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

  GX.FastLayer = L.Layer.extend({
    options: { pane: "overlayPane", padding: 0.1 },

    initialize: function (data, options) {
      L.setOptions(this, options);
      this.data = data;
      this.g = decode(data);
      this.id = data.id;
      this._drawnCount = 0;
      GX.layers.push(this);
    },

    getBounds: function () {
      var g = this.g, x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
      for (var f = 0; f < g.n; f++) {
        x0 = Math.min(x0, g.bb[4 * f]); y0 = Math.min(y0, g.bb[4 * f + 1]);
        x1 = Math.max(x1, g.bb[4 * f + 2]); y1 = Math.max(y1, g.bb[4 * f + 3]);
      }
      return L.latLngBounds([unMercY(y1), x0 / R - 180], [unMercY(y0), x1 / R - 180]);
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

    _draw: function (r) {
      var map = this._map, g = this.g, ctx = this._ctx, b = this._bounds,
        scale = map.getZoomScale(this._zoom, 0), po = map.getPixelOrigin(),
        ox = po.x + b.min.x, oy = po.y + b.min.y,
        vx0 = ox / scale, vy0 = oy / scale,
        vx1 = (po.x + b.max.x) / scale, vy1 = (po.y + b.max.y) / scale,
        X = g.X, Y = g.Y, bb = g.bb, drawn = 0, styles = this.data.styles;
      ctx.setTransform(r, 0, 0, r, 0, 0);
      ctx.clearRect(0, 0, b.getSize().x, b.getSize().y);
      ctx.lineJoin = "round"; ctx.lineCap = "round";
      // Paths of at most CHUNK features: Chromium builds one path with thousands of
      // sub-paths in quadratic time (10,000 parcels: 690 ms in one path, 25 ms in chunks).
      var CHUNK = 32;
      for (var k = 0; k < styles.length; k++) {
        var st = styles[k], list = g.byClass[k];
        if (!list.length) continue;
        ctx.setLineDash(st.dash ? st.dash : []);
        ctx.lineWidth = st.weight; ctx.strokeStyle = st.color; ctx.fillStyle = st.fill;
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
          if (bb[4 * f + 2] < vx0 || bb[4 * f] > vx1 || bb[4 * f + 3] < vy0 || bb[4 * f + 1] > vy1) continue;
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
              for (var v = v0 + 1; v < v1; v++) {
                var x = X[v] * scale - ox, y = Y[v] * scale - oy;
                if (v < v1 - 1 && Math.abs(x - lx) + Math.abs(y - ly) < 0.7) continue;
                path.lineTo(x, y); lx = x; ly = y;
              }
              if (t === 0) path.closePath();
            }
          }
          if (np + nl + nt >= CHUNK) flush();
        }
        flush();
      }
      ctx.globalAlpha = 1;
      this._drawnCount = drawn;
      GX.drawn[this.id] = drawn;
      this._canvas.setAttribute("data-gx-drawn", String(drawn));
      if (window.performance && performance.mark) performance.mark("gx-drawn-" + this.id);
    },

    // Every feature under world-0 point (wx, wy) within tol, the smallest first:
    // [{index, area}], area 0 for lines and points (they win over any polygon).
    hits: function (wx, wy, tol) {
      var g = this.g, bb = g.bb, X = g.X, Y = g.Y, out = [];
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
        if (near) out.push({ index: f, area: 0 });
        else if (inside) out.push({ index: f, area: (bb[4 * f + 2] - bb[4 * f]) * (bb[4 * f + 3] - bb[4 * f + 1]) });
      }
      return out.sort(function (a, b) { return a.area - b.area; });
    },

    latlngs: function (f) {  // [[lat, lng], ...] rings of feature f, for the highlight outline
      var g = this.g, out = [];
      for (var pi = g.fpart[f]; pi < g.fpart[f + 1]; pi++) {
        for (var ri = g.prStart[pi]; ri < g.prStart[pi + 1]; ri++) {
          var ring = [];
          for (var v = g.rStart[ri]; v < g.rStart[ri + 1]; v++) {
            ring.push([unMercY(this.g.Y[v]), this.g.X[v] / R - 180]);
          }
          out.push({ type: g.ptype[pi], ring: ring });
        }
      }
      return out;
    },

    featureBounds: function (f) {
      var bb = this.g.bb;
      return L.latLngBounds([unMercY(bb[4 * f + 3]), bb[4 * f] / R - 180],
                            [unMercY(bb[4 * f + 1]), bb[4 * f + 2] / R - 180]);
    },

    content: function (f, all) {  // DOM node: layer name + labelled values, as text only
      var d = this.data, lang = GX.lang || "zh", box = document.createElement("div");
      box.className = all ? "gx-popup" : "gx-tip";
      var h = document.createElement(all ? "h4" : "b");
      h.textContent = d.name;
      box.appendChild(h);
      var table = document.createElement("table"), cols = all ? d.cols : d.cols.slice(0, d.tip);
      for (var k = 0; k < cols.length; k++) {
        var tr = table.insertRow(), th = document.createElement("th"), td = tr.insertCell(-1);
        th.textContent = cols[k].label;
        tr.insertBefore(th, td);
        td.textContent = fmt(cols[k], f, lang);
        td.setAttribute("data-col", cols[k].name);
      }
      box.appendChild(table);
      return box;
    },

    // Feature index whose id column equals text (exact) or starts with it (prefix); -1 if none.
    find: function (text, exact) {
      var col = null, d = this.data, q = text.trim().toLowerCase();
      for (var k = 0; k < d.cols.length; k++) if (d.cols[k].name === d.idcol) col = d.cols[k];
      if (!col || !q) return -1;
      for (var f = 0; f < this.g.n; f++) {
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
  // switched on); the topmost layer first.
  GX.search = function (map, text) {
    var shown = GX.shown(map), hidden = GX.layers.filter(function (l) {
      return !l._map && l._gxMap === map;
    });
    var order = shown.concat(hidden);
    for (var pass = 0; pass < 2; pass++) {
      for (var i = 0; i < order.length; i++) {
        var lyr = order[i], f = lyr.find(text, pass === 0);
        if (f < 0) continue;
        if (!lyr._map) lyr.addTo(map);
        var fb = lyr.featureBounds(f);
        map.fitBounds(fb, { maxZoom: 18 });
        GX.openPopup(map, [{ layer: lyr, index: f }], fb.getCenter());
        return true;
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
            msg.textContent = GX.search(map, inp.value) ? "" : opts.text.notFound;
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
