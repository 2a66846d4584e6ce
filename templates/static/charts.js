/*
 * wawasan charts: brings every <figure class="chart"> to life with the
 * locally served ECharts. Each figure carries its ECharts option as JSON in
 * <script type="application/json" class="chart-option">; data-format,
 * data-currency and data-locale say how values are written. A chart with a
 * dropdown carries one option per value under "wawasanSelect".
 * No modules, no network; fails soft when ECharts is missing.
 */
(function () {
  'use strict';

  var SELECT_KEY = 'wawasanSelect';
  var MESSAGES = {
    id: {
      noEcharts: 'Grafik tidak dapat ditampilkan: pustaka ECharts tidak termuat.',
      noGl: 'Grafik 3D tidak dapat ditampilkan: pustaka echarts-gl tidak termuat.',
      failed: 'Grafik tidak dapat ditampilkan.'
    },
    en: {
      noEcharts: 'This chart cannot be shown: the ECharts library did not load.',
      noGl: 'This 3D chart cannot be shown: the echarts-gl library did not load.',
      failed: 'This chart cannot be shown.'
    }
  };

  var entries = [];

  function isDark() {
    return document.documentElement.getAttribute('data-theme') === 'dark';
  }

  function messages(figure) {
    var locale = (figure.getAttribute('data-locale') || '').toLowerCase();
    return locale.indexOf('id') === 0 ? MESSAGES.id : MESSAGES.en;
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

  /* IDR and JPY are written without decimals, other currencies with two. */
  function moneyDecimals(code) {
    return code === 'IDR' || code === 'JPY' ? 0 : 2;
  }

  /* Money: the number in the locale's digits, then `-`, symbol, number,
   * as `-Rp 1.234`; no sign when the amount rounds to zero. */
  function moneyFormat(nf, prefix) {
    var zero = nf.format(0);
    return {
      format: function (n) {
        var text = nf.format(Math.abs(n));
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
        }), prefix),
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

  /* Tooltips that say more than ECharts' defaults for some kinds. */
  function itemTooltip(option, kind, fmt) {
    if (kind === 'heatmap') {
      var xs = axisData(option.xAxis);
      var ys = axisData(option.yAxis);
      return function (p) {
        var v = p.value || [];
        return p.marker + escapeHtml(ys[v[1]]) + ' \u00b7 ' + escapeHtml(xs[v[0]]) +
          ': <b>' + escapeHtml(fmt.full(v[2])) + '</b>';
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

  /* ---- one chart ------------------------------------------------------- */

  /* A fresh option (formatters attached) for the entry's current selection. */
  function currentOption(entry) {
    var option = JSON.parse(entry.json);
    if (option && option[SELECT_KEY]) {
      var options = option[SELECT_KEY].options || [];
      option = options[entry.index] || options[0] || {};
    }
    return applyFormat(option, entry.kind, entry.fmt);
  }

  function draw(entry) {
    if (typeof echarts === 'undefined') {
      showMessage(entry, 'noEcharts');
      return;
    }
    if (entry.gl && typeof window['echarts-gl'] === 'undefined') {
      showMessage(entry, 'noGl');
      return;
    }
    try {
      if (entry.chart) {
        entry.chart.dispose();
      }
      entry.canvas.textContent = '';
      entry.chart = echarts.init(entry.canvas, isDark() ? 'dark' : null);
      entry.chart.setOption(currentOption(entry), true);
    } catch (e) {
      if (window.console) {
        console.error('wawasan chart #' + entry.figure.id + ':', e);
      }
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
      chart: null
    };
    var select = figure.querySelector('select.chart-select');
    if (select) {
      entry.index = select.selectedIndex > 0 ? select.selectedIndex : 0;
      select.addEventListener('change', function () {
        entry.index = select.selectedIndex;
        if (entry.chart) {
          try {
            entry.chart.setOption(currentOption(entry), true);
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
    entries.forEach(draw);
  }

  var resizeQueued = false;
  function resizeAll() {
    if (resizeQueued) {
      return;
    }
    resizeQueued = true;
    var run = function () {
      resizeQueued = false;
      entries.forEach(function (entry) {
        if (entry.chart) {
          entry.chart.resize();
        }
      });
    };
    if (window.requestAnimationFrame) {
      window.requestAnimationFrame(run);
    } else {
      setTimeout(run, 50);
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
    window.addEventListener('resize', resizeAll);
    window.addEventListener('beforeprint', resizeAll);
  }

  window.wawasanCharts = { init: initAll, redraw: redrawAll };

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
