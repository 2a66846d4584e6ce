/*
 * wawasan charts: brings every <figure class="chart"> to life with the
 * locally served ECharts. Each figure carries its ECharts option as JSON in
 * <script type="application/json" class="chart-option">; data-format,
 * data-currency and data-locale say how values are written. A chart with a
 * dropdown carries one option per value under "wawasanSelect".
 * Fits each chart to its width on every resize (category labels turned or
 * cut, graph label room, 3D camera distance), draws a 2D scatter with a
 * note where a 3D chart cannot be drawn, and redraws every chart without
 * animation at the printed width for print (A4 and Letter).
 * No modules, no network; fails soft when ECharts is missing.
 */
(function () {
  'use strict';

  var SELECT_KEY = 'wawasanSelect';
  var MESSAGES = {
    id: {
      noEcharts: 'Grafik tidak dapat ditampilkan: pustaka ECharts tidak termuat.',
      failed: 'Grafik tidak dapat ditampilkan.',
      flatNoWebgl: 'Tampilan 2D ({x} \u00d7 {y}): peramban ini tidak mendukung WebGL, ' +
        'yang dibutuhkan grafik 3D. Nilai {z} ada di tooltip setiap titik.',
      flatNoGl: 'Tampilan 2D ({x} \u00d7 {y}): pustaka grafik 3D (echarts-gl) tidak termuat. ' +
        'Nilai {z} ada di tooltip setiap titik.'
    },
    en: {
      noEcharts: 'This chart cannot be shown: the ECharts library did not load.',
      failed: 'This chart cannot be shown.',
      flatNoWebgl: '2D view ({x} \u00d7 {y}): this browser does not support WebGL, ' +
        'which the 3D chart needs. Each point\'s {z} is in its tooltip.',
      flatNoGl: '2D view ({x} \u00d7 {y}): the 3D chart library (echarts-gl) did not load. ' +
        'Each point\'s {z} is in its tooltip.'
    }
  };

  /* Charts are printed this wide (CSS px: the printable width of A4 and of
   * Letter with 12 mm margins, less the figure's padding) and at most this
   * tall (so that a chart fits on one page). */
  var PRINT_WIDTH = 640;
  var PRINT_MAX_HEIGHT = 820;

  var entries = [];

  function isDark() {
    return document.documentElement.getAttribute('data-theme') === 'dark';
  }

  /* The page's language (`<html lang>`), else the chart's locale. */
  function messages(figure) {
    var lang = (document.documentElement.lang || figure.getAttribute('data-locale') || '');
    return lang.toLowerCase().indexOf('id') === 0 ? MESSAGES.id : MESSAGES.en;
  }

  function printMedia() {
    return !!(window.matchMedia && window.matchMedia('print').matches);
  }

  var webgl = null;
  /* Can this browser draw WebGL? Asked once; the probe context is freed. */
  function hasWebgl() {
    if (webgl === null) {
      webgl = false;
      try {
        var probe = document.createElement('canvas');
        var gl = probe.getContext('webgl') || probe.getContext('experimental-webgl');
        webgl = !!gl;
        var lose = gl && gl.getExtension('WEBGL_lose_context');
        if (lose) {
          lose.loseContext();
        }
      } catch (e) {
        webgl = false;
      }
    }
    return webgl;
  }

  function showMessage(entry, key) {
    if (entry.chart) {
      entry.chart.dispose();
      entry.chart = null;
    }
    var p = document.createElement('p');
    p.className = 'chart-message';
    p.textContent = messages(entry.figure)[key];
    entry.canvas.textContent = '';
    entry.canvas.appendChild(p);
  }

  /* ---- number formatting ---------------------------------------------- */

  function numberFormat(locale, options) {
    try {
      return new Intl.NumberFormat(locale || undefined, options);
    } catch (e) {
      // Unknown locale or currency code: plain numbers rather than nothing.
      return new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });
    }
  }

  /* Currency symbols as src/render/locale.rs writes them (the `money`
   * filter): Intl's own symbols differ by locale (`US$` in id-ID). */
  var SYMBOLS = { IDR: 'Rp ', USD: '$', INR: '\u20b9', EUR: '\u20ac', GBP: '\u00a3' };

  function currencyPrefix(code) {
    if (!code) {
      return '';
    }
    return Object.prototype.hasOwnProperty.call(SYMBOLS, code) ? SYMBOLS[code] : code + ' ';
  }

  /* IDR and JPY are written without decimals, other currencies with two
   * below a thousand and none from a thousand up (as `Locale::money`). */
  function moneyDecimals(code) {
    return code === 'IDR' || code === 'JPY' ? 0 : 2;
  }

  /* Money: the number in the locale's digits, then `-`, symbol, number,
   * as `-Rp 1.234`; no sign when the amount rounds to zero. `large`, when
   * given, formats amounts of a thousand and more. */
  function moneyFormat(nf, prefix, large) {
    var zero = nf.format(0);
    return {
      format: function (n) {
        var abs = Math.abs(n);
        var text = (large && abs >= 1000 ? large : nf).format(abs);
        return (n < 0 && text !== zero ? '-' : '') + prefix + text;
      }
    };
  }

  /* Full (tooltips, labels) and compact (axes) formatters for one format. */
  function formatPair(format, locale, currency) {
    if (format === 'money') {
      var code = currency.trim().toUpperCase();
      var digits = moneyDecimals(code);
      var prefix = currencyPrefix(code);
      return {
        full: moneyFormat(numberFormat(locale, {
          minimumFractionDigits: digits, maximumFractionDigits: digits
        }), prefix, numberFormat(locale, { maximumFractionDigits: 0 })),
        compact: moneyFormat(numberFormat(locale, {
          notation: 'compact', maximumFractionDigits: 1
        }), prefix)
      };
    }
    if (format === 'percent') {
      // The values are ratios: 0.125 is written 12.5 %.
      return {
        full: numberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }),
        compact: numberFormat(locale, { style: 'percent', maximumFractionDigits: 0 })
      };
    }
    if (format === 'plain') {
      // Numbers on an x axis (years, distances): grouped from 10 000 up only.
      var plain = numberFormat(locale, { maximumFractionDigits: 2, useGrouping: 'min2' });
      return { full: plain, compact: plain };
    }
    return {
      full: numberFormat(locale, { maximumFractionDigits: 2 }),
      compact: numberFormat(locale, { notation: 'compact', maximumFractionDigits: 1 })
    };
  }

  /* Formatters per figure: full (tooltips, labels), compact (axes), plain
   * (numbers), and x.full / x.compact for a numeric x (data-x-format). */
  function makeFormatters(figure) {
    var format = figure.getAttribute('data-format') || 'number';
    var xFormat = figure.getAttribute('data-x-format') || 'plain';
    var locale = figure.getAttribute('data-locale') || undefined;
    var currency = figure.getAttribute('data-currency') || 'IDR';
    var values = formatPair(format, locale, currency);
    var xs = formatPair(xFormat, locale, currency);
    var plain = numberFormat(locale, { maximumFractionDigits: 2 });
    return {
      full: wrap(values.full),
      compact: wrap(values.compact),
      plain: wrap(plain),
      x: { full: wrap(xs.full), compact: wrap(xs.compact) }
    };
  }

  function wrap(nf) {
    return function (value) {
      if (value === null || value === undefined || value === '' || value === '-') {
        return '-';
      }
      var n = Number(value);
      return isNaN(n) ? String(value) : nf.format(n);
    };
  }

  function asList(component) {
    if (!component) {
      return [];
    }
    return Array.isArray(component) ? component : [component];
  }

  /* Data values are untrusted: escape them in tooltip HTML we build. */
  function escapeHtml(text) {
    return String(text === null || text === undefined ? '' : text)
      .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;').replace(/'/g, '&#39;');
  }

  function axisData(axis) {
    var first = asList(axis)[0];
    return (first && first.data) || [];
  }

  function axisName(axis, fallback) {
    var first = asList(axis)[0];
    return (first && first.name) || fallback;
  }

  /* An axis name before its value: "Kohort 2023-05", "bulan ke-4". */
  function named(name, value) {
    if (!name) {
      return String(value);
    }
    return /[-\u2013]$/.test(name) ? name + value : name + ' ' + value;
  }

  /* Tooltips that say more than ECharts' defaults for some kinds. */
  function itemTooltip(option, kind, fmt) {
    if (kind === 'heatmap') {
      var xs = axisData(option.xAxis);
      var ys = axisData(option.yAxis);
      var series = asList(option.series);
      return function (p) {
        var v = p.value || [];
        var s = series[p.seriesIndex] || {};
        var names = s.tooltipNames || {};
        var value = s.noData ? escapeHtml(names.noData || '-') :
          '<b>' + escapeHtml(fmt.full(v[2])) + '</b>';
        return p.marker + escapeHtml(named(names.y, ys[v[1]])) + ' \u00b7 ' +
          escapeHtml(named(names.x, xs[v[0]])) + ': ' + value;
      };
    }
    if (kind === 'scatter3d' && option.xAxis) {
      // The 2D stand-in of a 3D chart: all three dimensions.
      var dims = option.flatNames || ['x', 'y', 'z'];
      return function (p) {
        var v = p.value || [];
        return p.marker + escapeHtml(p.seriesName) + dims.map(function (name, i) {
          var text = i === 2 ? fmt.full(v[i]) : fmt.plain(v[i]);
          return '<br>' + escapeHtml(name) + ': <b>' + escapeHtml(text) + '</b>';
        }).join('');
      };
    }
    if (kind === 'scatter') {
      var xName = axisName(option.xAxis, 'x');
      var yName = axisName(option.yAxis, 'y');
      return function (p) {
        var v = p.value || [];
        return p.marker + escapeHtml(p.seriesName) + '<br>' + escapeHtml(xName) + ': ' +
          escapeHtml(fmt.x.full(v[0])) + '<br>' + escapeHtml(yName) + ': <b>' +
          escapeHtml(fmt.full(v[1])) + '</b>';
      };
    }
    if (kind === 'graph') {
      return function (p) {
        if (p.dataType === 'edge') {
          var d = p.data || {};
          var w = d.value === undefined || d.value === null ? '' :
            ' (' + escapeHtml(p.seriesName) + ': ' + escapeHtml(fmt.full(d.value)) + ')';
          return escapeHtml(d.source) + ' \u2192 ' + escapeHtml(d.target) + w;
        }
        return p.marker + escapeHtml(p.name);
      };
    }
    return null;
  }

  /* Line and area charts over a numeric x carry [x, y] points: the axis
   * tooltip names the x value and each series' y value. */
  function pointTooltip(fmt) {
    return function (params) {
      var list = asList(params);
      if (!list.length) {
        return '';
      }
      var head = escapeHtml(fmt.x.full((list[0].value || [])[0]));
      return head + list.map(function (p) {
        var v = p.value || [];
        return '<br>' + p.marker + escapeHtml(p.seriesName) + ': <b>' +
          escapeHtml(fmt.full(v[1])) + '</b>';
      }).join('');
    };
  }

  /* Does the x axis carry data values (a numeric x) rather than the values
   * of the series (horizontal bars)? */
  function xIsData(kind) {
    return kind === 'line' || kind === 'area' || kind === 'scatter';
  }

  /* Attach formatters to value axes, tooltips, the visual map and heatmap labels. */
  function applyFormat(option, kind, fmt) {
    ['xAxis', 'yAxis'].forEach(function (name) {
      var forX = name === 'xAxis' && xIsData(kind);
      asList(option[name]).forEach(function (axis) {
        if (axis && axis.type === 'value') {
          axis.axisLabel = axis.axisLabel || {};
          axis.axisLabel.formatter = forX ? fmt.x.compact : fmt.compact;
          if (forX) {
            axis.axisPointer = axis.axisPointer || {};
            axis.axisPointer.label = axis.axisPointer.label || {};
            axis.axisPointer.label.formatter = function (p) {
              return fmt.x.full(p.value);
            };
          }
        }
      });
    });
    option.tooltip = option.tooltip || {};
    option.tooltip.valueFormatter = fmt.full;
    var tooltip = itemTooltip(option, kind, fmt);
    var firstX = asList(option.xAxis)[0];
    if ((kind === 'line' || kind === 'area') && firstX && firstX.type === 'value') {
      tooltip = pointTooltip(fmt);
    }
    if (tooltip) {
      option.tooltip.formatter = tooltip;
    }
    asList(option.visualMap).forEach(function (vm) {
      vm.formatter = fmt.full;
    });
    asList(option.series).forEach(function (series) {
      if (series.type === 'heatmap' && series.label && series.label.show) {
        series.label.formatter = function (params) {
          return fmt.full(params.value && params.value[2]);
        };
      }
    });
    if (option.backgroundColor === undefined) {
      option.backgroundColor = 'transparent';
    }
    return option;
  }

  /* ---- fitting a chart to its width ----------------------------------- */

  var measure = null;
  /* The width of `text` in ECharts' default 12 px label font. */
  function textWidth(text) {
    if (measure === null) {
      var ctx = document.createElement('canvas').getContext('2d');
      measure = ctx || false;
      if (ctx) {
        ctx.font = '12px sans-serif';
      }
    }
    var t = String(text === null || text === undefined ? '' : text);
    return measure ? measure.measureText(t).width : t.length * 7;
  }

  function widest(labels) {
    // A few pixels of slack: ECharts cuts a label that only just fits.
    return labels.reduce(function (w, l) { return Math.max(w, textWidth(l)); }, 0) + 4;
  }

  function clamp(v, lo, hi) {
    return Math.max(lo, Math.min(hi, v));
  }

  /* Every label of a category axis under the plot (built with
   * `interval: 0`): level when they fit side by side at this width, else
   * turned 45° (90° when crowded) and cut with an ellipsis; the full text
   * is in the tooltip. Only where even upright labels cannot fit (long
   * lines over many months) does ECharts pick which to show. */
  function fitBottom(axis, width) {
    var data = axis.data || [];
    var label = axis.axisLabel;
    var per = Math.max(1, width * 0.93 - 60) / Math.max(1, data.length);
    var w = widest(data);
    var rotate = 0;
    var cut = Math.floor(per);
    if (w > per) {
      rotate = per >= 28 ? 45 : 90;
      cut = Math.ceil(Math.min(w, clamp(width * 0.3, 60, 140)));
    }
    label.rotate = rotate;
    label.width = cut;
    label.interval = per >= 14 ? 0 : 'auto';
    if (axis.name && axis.nameLocation === 'middle') {
      var rad = rotate * Math.PI / 180;
      var h = rotate ? cut * Math.sin(rad) + 12 * Math.cos(rad) : 12;
      axis.nameGap = Math.ceil(8 + h + 10);
    }
  }

  /* Every label of a category axis left of the plot, cut at a share of the
   * width so that the bars keep room. */
  function fitSide(axis, width) {
    var label = axis.axisLabel;
    var cut = Math.ceil(Math.max(1, Math.min(widest(axis.data || []), clamp(width * 0.38, 60, 160))));
    label.width = cut;
    if (axis.name && axis.nameLocation === 'middle') {
      axis.nameGap = cut + 14;
    }
  }

  function fitAxes(option, width) {
    ['xAxis', 'yAxis'].forEach(function (name) {
      asList(option[name]).forEach(function (axis) {
        if (axis && axis.type === 'category' && axis.axisLabel && axis.axisLabel.interval === 0) {
          if (name === 'xAxis') {
            fitBottom(axis, width);
          } else {
            fitSide(axis, width);
          }
        }
      });
    });
  }

  /* A circular graph: label room that leaves the circle a useful size,
   * labels only where the circle spaces them at least a line apart (else
   * on hover). */
  function fitGraph(option, width, height) {
    asList(option.series).forEach(function (s) {
      if (s.type !== 'graph' || s.layout !== 'circular' || !s.label) {
        return;
      }
      var labelled = s.label.show !== false;
      var nodes = s.data || s.nodes || [];
      var short = Math.min(width, height);
      var room = Math.min(s.label.width || 120, Math.max(40, Math.floor(short * 0.2)));
      var margin = 24;
      var radius = short / 2 - room - margin;
      var show = labelled && radius > 0 && 2 * Math.PI * radius / Math.max(1, nodes.length) >= 14;
      var side = show ? room + margin : margin;
      // A square frame in the middle: a circle, not an ellipse.
      var box = Math.max(1, short - 2 * side);
      s.left = s.right = Math.floor((width - box) / 2);
      s.top = s.bottom = Math.floor((height - box) / 2);
      s.label.show = show;
      s.label.width = room;
      // Nodes shrink with a small circle (sizes are set for a radius of
      // about 150 px), so that they do not cover each other.
      var scale = clamp((box / 2) / 150, 0.35, 1);
      nodes.forEach(function (n) {
        if (typeof n.symbolSize === 'number') {
          n.symbolSize = Math.max(4, Math.round(n.symbolSize * scale));
        }
      });
    });
  }

  /* 3D: the camera steps back on narrow canvases so that the box is never
   * cropped; axes in colours that read on the page's background. */
  function fit3d(option, width, height) {
    if (!option.grid3D) {
      return;
    }
    var aspect = Math.max(0.2, width / Math.max(1, height));
    var distance = Math.round(200 * Math.max(1, 1.35 / aspect));
    var c = isDark() ?
      { line: '#9aa3b2', text: '#d5d9e0', split: '#3a3f47', name: '#e6e8eb' } :
      { line: '#6b7280', text: '#374151', split: '#d5d9e0', name: '#1f2937' };
    var grid = option.grid3D;
    grid.viewControl = grid.viewControl || {};
    grid.viewControl.distance = distance;
    grid.viewControl.maxDistance = Math.max(400, distance * 2);
    grid.axisLine = { lineStyle: { color: c.line, width: 2 } };
    grid.axisLabel = { textStyle: { color: c.text } };
    grid.splitLine = { lineStyle: { color: [c.split] } };
    grid.axisPointer = { lineStyle: { color: c.text } };
    ['xAxis3D', 'yAxis3D', 'zAxis3D'].forEach(function (name) {
      asList(option[name]).forEach(function (axis) {
        axis.nameTextStyle = { color: c.name, fontSize: 14 };
        axis.axisLabel = { textStyle: { color: c.text } };
      });
    });
  }

  /* Heatmap cells without data: darker grey and hatching in dark mode. */
  function themeEmptyCells(option) {
    if (!isDark()) {
      return;
    }
    asList(option.series).forEach(function (s) {
      if (s.noData && s.itemStyle) {
        s.itemStyle.color = '#3a3f47';
        if (s.itemStyle.decal) {
          s.itemStyle.decal.color = 'rgba(230, 232, 235, 0.3)';
        }
      }
    });
  }

  /* A 3D scatter's stand-in: the first two dimensions as a 2D scatter (the
   * third in the tooltip). */
  function flatten3d(option) {
    var names = [
      axisName(option.xAxis3D, 'x'), axisName(option.yAxis3D, 'y'), axisName(option.zAxis3D, 'z')
    ];
    var series = asList(option.series).map(function (s) {
      return { type: 'scatter', name: s.name, symbolSize: 8, data: s.data || [] };
    });
    var legend = option.legend;
    return {
      flatNames: names,
      tooltip: { trigger: 'item' },
      legend: legend,
      grid: { left: '3%', right: '4%', top: legend ? 58 : 42, bottom: 36, containLabel: true },
      xAxis: { type: 'value', scale: true, name: names[0], nameLocation: 'middle', nameGap: 30 },
      yAxis: {
        type: 'value', scale: true, name: names[1], nameLocation: 'end',
        nameTextStyle: { align: 'left' }
      },
      series: series
    };
  }

  /* The note above a chart drawn in 2D instead of 3D (or none). */
  function setNote(entry, text) {
    var note = entry.figure.querySelector('.chart-note');
    if (!text) {
      if (note) {
        note.parentNode.removeChild(note);
      }
      return;
    }
    if (!note) {
      note = document.createElement('p');
      note.className = 'chart-note';
      entry.figure.insertBefore(note, entry.canvas);
    }
    note.textContent = text;
  }

  /* Why a 3D chart is drawn flat: no echarts-gl, no WebGL, or nothing. */
  function flatReason(entry) {
    if (!entry.gl) {
      return null;
    }
    if (typeof window['echarts-gl'] === 'undefined') {
      return 'flatNoGl';
    }
    return hasWebgl() ? null : 'flatNoWebgl';
  }

  /* The size a chart is drawn at: its canvas, or the printed size. */
  function drawSize(entry) {
    var width = entry.canvas.clientWidth || PRINT_WIDTH;
    var height = entry.canvas.clientHeight || 360;
    if (printing) {
      // In print the canvas takes its chart's height: ask its own style.
      height = parseFloat(entry.canvas.style.height) || height;
      return { width: PRINT_WIDTH, height: Math.min(height, PRINT_MAX_HEIGHT) };
    }
    return { width: width, height: height };
  }

  /* ---- one chart ------------------------------------------------------- */

  /* A fresh option (formatters attached, fitted to the chart's size) for
   * the entry's current selection. */
  function currentOption(entry, size) {
    var option = JSON.parse(entry.json);
    if (option && option[SELECT_KEY]) {
      var options = option[SELECT_KEY].options || [];
      option = options[entry.index] || options[0] || {};
    }
    if (entry.flat) {
      option = flatten3d(option);
    }
    applyFormat(option, entry.kind, entry.fmt);
    fitAxes(option, size.width);
    fitGraph(option, size.width, size.height);
    fit3d(option, size.width, size.height);
    themeEmptyCells(option);
    if (printing || printMedia()) {
      option.animation = false;
    }
    return option;
  }

  function draw(entry, still) {
    if (typeof echarts === 'undefined') {
      showMessage(entry, 'noEcharts');
      return;
    }
    var reason = flatReason(entry);
    entry.flat = !!reason;
    if (reason) {
      var names = flatten3d(JSON.parse(entry.json)).flatNames;
      setNote(entry, messages(entry.figure)[reason]
        .replace('{x}', names[0]).replace('{y}', names[1]).replace('{z}', names[2]));
    }
    try {
      if (entry.chart) {
        entry.chart.dispose();
      }
      entry.canvas.textContent = '';
      var size = drawSize(entry);
      var opts = printing ? { width: size.width, height: size.height, devicePixelRatio: 2 } : null;
      entry.chart = echarts.init(entry.canvas, isDark() ? 'dark' : null, opts);
      entry.width = size.width;
      var option = currentOption(entry, size);
      if (still) {
        option.animation = false;
      }
      entry.chart.setOption(option, true);
    } catch (e) {
      if (window.console) {
        console.error('wawasan chart #' + entry.figure.id + ':', e);
      }
      showMessage(entry, 'failed');
    }
  }

  /* After a resize: the option fitted again to the new width, merged. */
  function refit(entry) {
    if (!entry.chart) {
      return;
    }
    entry.chart.resize();
    var size = drawSize(entry);
    if (size.width === entry.width) {
      return;
    }
    entry.width = size.width;
    try {
      entry.chart.setOption(currentOption(entry, size));
    } catch (e) {
      showMessage(entry, 'failed');
    }
  }

  function setUp(figure) {
    var script = figure.querySelector('script.chart-option');
    var canvas = figure.querySelector('.chart-canvas');
    if (!script || !canvas || figure.getAttribute('data-chart-ready')) {
      return;
    }
    figure.setAttribute('data-chart-ready', 'true');
    var entry = {
      figure: figure,
      canvas: canvas,
      json: script.textContent,
      kind: figure.getAttribute('data-kind') || '',
      gl: figure.getAttribute('data-gl') === 'true',
      fmt: makeFormatters(figure),
      index: 0,
      chart: null,
      flat: false,
      width: 0
    };
    var select = figure.querySelector('select.chart-select');
    if (select) {
      entry.index = select.selectedIndex > 0 ? select.selectedIndex : 0;
      select.addEventListener('change', function () {
        entry.index = select.selectedIndex;
        if (entry.chart) {
          try {
            entry.chart.setOption(currentOption(entry, drawSize(entry)), true);
          } catch (e) {
            showMessage(entry, 'failed');
          }
        } else {
          draw(entry);
        }
      });
    }
    entries.push(entry);
    draw(entry);
  }

  /* ---- page-wide ------------------------------------------------------- */

  function initAll() {
    var figures = document.querySelectorAll('figure.chart');
    for (var i = 0; i < figures.length; i++) {
      setUp(figures[i]);
    }
  }

  function redrawAll() {
    entries.forEach(function (entry) {
      draw(entry);
    });
  }

  var resizeQueued = false;
  function resizeAll() {
    if (resizeQueued || printing) {
      return;
    }
    resizeQueued = true;
    var run = function () {
      resizeQueued = false;
      entries.forEach(refit);
    };
    if (window.requestAnimationFrame) {
      window.requestAnimationFrame(run);
    } else {
      setTimeout(run, 50);
    }
  }

  /* Print: every chart drawn again at the printed width, without
   * animation (a print taken at once shows the final state), at twice the
   * pixel density; back to the screen size afterwards. */
  var printing = false;
  function startPrint() {
    if (printing) {
      return;
    }
    printing = true;
    entries.forEach(function (entry) {
      draw(entry, true);
    });
  }

  function endPrint() {
    if (!printing) {
      return;
    }
    printing = false;
    entries.forEach(function (entry) {
      draw(entry, true);
    });
  }

  function watchPrint() {
    window.addEventListener('beforeprint', startPrint);
    window.addEventListener('afterprint', endPrint);
    var query = window.matchMedia && window.matchMedia('print');
    var onChange = function (e) {
      if (e.matches) {
        startPrint();
      } else {
        endPrint();
      }
    };
    if (query && query.addEventListener) {
      query.addEventListener('change', onChange);
    } else if (query && query.addListener) {
      query.addListener(onChange);
    }
  }

  function watchTheme() {
    if (typeof MutationObserver === 'undefined') {
      return;
    }
    var dark = isDark();
    new MutationObserver(function () {
      if (isDark() !== dark) {
        dark = isDark();
        redrawAll();
      }
    }).observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
  }

  function start() {
    initAll();
    watchTheme();
    watchPrint();
    window.addEventListener('resize', resizeAll);
    if (printMedia()) {
      startPrint();
    }
  }

  window.wawasanCharts = { init: initAll, redraw: redrawAll };

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
