// sparktrain's report: draws window.SPARKTRAIN (runs' metrics.json / evaluation.json, or a bench.json)
// with ECharts, then checks itself: every chart has data and drew pixels; the verdict goes into
// <body data-charts data-blank data-errors data-ready> for headless-browser tests.
(function () {
  'use strict';
  var D = window.SPARKTRAIN;
  var main = document.getElementById('report');
  var charts = [];
  var PALETTE = ['#2f6db5', '#d9822b', '#3a9a5b', '#b3261e', '#7b4fb0', '#8a6d3b', '#1b8a99', '#c2478c'];

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) { e.textContent = text; }
    return e;
  }

  function section(title, wide, note) {
    var s = el('section', wide ? { 'class': 'wide' } : {});
    s.appendChild(el('h2', {}, title));
    main.appendChild(s);
    if (note) { s.appendChild(el('p', { 'class': 'note' }, note)); }
    return s;
  }

  function fmt(v, digits) {
    if (v === null || v === undefined || (typeof v === 'number' && !isFinite(v))) { return '-'; }
    if (typeof v !== 'number') { return String(v); }
    if (Math.abs(v) >= 1000) { return v.toLocaleString('en-US', { maximumFractionDigits: 0 }); }
    return v.toFixed(digits === undefined ? 4 : digits);
  }

  // option.series must hold data; the chart's id names it in the self-check
  function chart(title, option, opts) {
    opts = opts || {};
    var s = section(title, opts.wide, opts.note);
    var div = el('div', { 'class': 'chart' + (opts.tall ? ' tall' : ''), 'data-chart': title });
    s.insertBefore(div, s.children[1] || null);
    var c = echarts.init(div, null, { renderer: 'canvas' });
    option.animation = false;
    option.color = option.color || PALETTE;
    option.tooltip = option.tooltip || { trigger: 'axis' };
    option.grid = option.grid || { left: 64, right: 24, top: 36, bottom: 44 };
    c.setOption(option);
    charts.push({ title: title, chart: c, div: div, option: option });
    return c;
  }

  function table(parent, header, rows) {
    var t = el('table');
    var tr = el('tr');
    header.forEach(function (h) { tr.appendChild(el('th', {}, h)); });
    t.appendChild(tr);
    rows.forEach(function (r) {
      var row = el('tr');
      r.forEach(function (v) { row.appendChild(el('td', {}, v)); });
      t.appendChild(row);
    });
    parent.appendChild(t);
  }

  function details(parent, summary, text) {
    var d = el('details');
    d.appendChild(el('summary', {}, summary));
    d.appendChild(el('pre', {}, text));
    parent.appendChild(d);
  }

  function mean(a) { return a.length ? a.reduce(function (x, y) { return x + y; }, 0) / a.length : NaN; }

  function lineSeries(name, points, extra) {
    var s = { name: name, type: 'line', showSymbol: points.length < 60, data: points };
    Object.keys(extra || {}).forEach(function (k) { s[k] = extra[k]; });
    return s;
  }

  var EVENT_COLOURS = { checkpoint: '#8a96a3', rollback: '#b3261e', pruned: '#7b4fb0', straggler: '#d9822b' };

  function eventLines(run) {
    return (run.metrics.events || []).map(function (e) {
      return { xAxis: e.round, name: e.kind, lineStyle: { color: EVENT_COLOURS[e.kind] || '#999', type: 'dashed' },
        label: { formatter: e.kind, color: EVENT_COLOURS[e.kind] || '#999', fontSize: 10 } };
    });
  }

  function runs(R) {
    var many = R.length > 1;
    // summary
    var s = section(many ? 'Runs compared' : 'Run', true);
    table(s, ['run', 'engine', 'test accuracy', 'macro F1', 'samples/s', 'training s', 'epochs', 'replicas',
      'rounds', 'sync fraction', 'mean k', 'rollbacks', 'retried tasks', 'stragglers'], R.map(function (r) {
      var m = r.metrics;
      var h = m.health || {};
      return [r.name, m.engine, fmt(m.test_accuracy), fmt(m.test_f1_macro), fmt(m.samples_per_second, 0),
        fmt(m.training_seconds, 1), fmt(m.epochs, 0), fmt(m.partitions, 0), fmt(m.rounds_total, 0),
        fmt(m.sync_fraction, 3), fmt(m.mean_k, 1), fmt(m.rollbacks, 0), fmt(m.retried_tasks, 0),
        (h.stragglers || []).join(', ') || 'none'];
    }));

    // loss per round, with the run's events
    chart('Training loss per round', {
      legend: { top: 0 }, xAxis: { type: 'value', name: 'round', nameLocation: 'middle', nameGap: 26, min: 'dataMin' },
      yAxis: { type: 'value', name: 'loss', scale: true },
      series: R.map(function (r, i) {
        return lineSeries(r.name, (r.metrics.rounds || []).map(function (x) { return [x.round, x.loss]; }),
          i === 0 ? { markLine: { symbol: 'none', silent: true, data: eventLines(r) } } : {});
      })
    }, { wide: true, note: 'Dashed lines: checkpoints, rollbacks, pruning steps and stragglers of the first run.' });

    // loss per epoch and the final test accuracy
    chart('Mean training loss per epoch', {
      legend: { top: 0 }, xAxis: { type: 'category', name: 'epoch', nameLocation: 'middle', nameGap: 26 },
      yAxis: { type: 'value', name: 'loss', scale: true },
      series: R.map(function (r) {
        var byEpoch = {};
        (r.metrics.rounds || []).forEach(function (x) {
          (byEpoch[x.epoch] = byEpoch[x.epoch] || []).push([x.loss * x.examples, x.examples]);
        });
        return { name: r.name, type: 'bar', data: Object.keys(byEpoch).map(function (e) {
          var w = byEpoch[e].reduce(function (a, p) { return [a[0] + p[0], a[1] + p[1]]; }, [0, 0]);
          return [e, w[1] ? w[0] / w[1] : NaN];
        }) };
      })
    });
    chart('Test accuracy and macro F1', {
      legend: { top: 0 }, xAxis: { type: 'category', data: R.map(function (r) { return r.name; }) },
      yAxis: { type: 'value', min: function (v) { return Math.max(0, Math.floor(v.min * 20 - 1) / 20); }, max: 1 },
      series: [
        { name: 'accuracy', type: 'bar', data: R.map(function (r) { return r.metrics.test_accuracy; }),
          label: { show: true, position: 'top', formatter: function (p) { return p.value.toFixed(4); } } },
        { name: 'macro F1', type: 'bar', data: R.map(function (r) { return r.metrics.test_f1_macro; }) }]
    });

    // throughput
    chart('Throughput per round (all replicas)', {
      legend: { top: 0 }, xAxis: { type: 'value', name: 'round', nameLocation: 'middle', nameGap: 26, min: 'dataMin' },
      yAxis: { type: 'value', name: 'samples/s' },
      series: R.map(function (r) {
        return lineSeries(r.name, (r.metrics.rounds || []).filter(function (x) { return x.seconds > 0; })
          .map(function (x) { return [x.round, x.examples / x.seconds]; }));
      })
    });
    chart('Throughput per replica (compute + data time)', {
      legend: { top: 0 }, xAxis: { type: 'category', name: 'replica', nameLocation: 'middle', nameGap: 26 },
      yAxis: { type: 'value', name: 'samples/s' },
      series: R.map(function (r) {
        var per = {};
        (r.metrics.rounds || []).forEach(function (x) {
          (x.workers || []).forEach(function (w) {
            var p = per[w.partition] = per[w.partition] || [0, 0];
            p[0] += w.examples; p[1] += w.compute_seconds + w.data_seconds;
          });
        });
        return { name: r.name, type: 'bar', data: Object.keys(per).map(function (k) {
          return [k, per[k][1] > 0 ? per[k][0] / per[k][1] : 0];
        }) };
      })
    }, { note: 'A replica well below the others is a straggler: the synchronous round waits for it.' });

    // where the time went
    var parts = ['compute', 'data', 'load', 'sync'];
    chart('Time per round, mean over replicas', {
      legend: { top: 0 }, xAxis: { type: 'category', data: R.map(function (r) { return r.name; }) },
      yAxis: { type: 'value', name: 's, all rounds' },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      series: parts.map(function (part) {
        return { name: part, type: 'bar', stack: 'time', data: R.map(function (r) {
          return (r.metrics.rounds || []).reduce(function (acc, x) {
            var ws = x.workers || [];
            var v = mean(ws.map(function (w) { return w[part + '_seconds']; }));
            return acc + (isFinite(v) ? v : 0);
          }, 0);
        }) };
      })
    }, { note: 'compute: DL4J fit; data: minibatch assembly; load: round start; sync: waiting, transfer, averaging.' });

    chart('Averaging frequency k per round', {
      legend: { top: 0 }, xAxis: { type: 'value', name: 'round', nameLocation: 'middle', nameGap: 26, min: 'dataMin' },
      yAxis: { type: 'value', name: 'minibatches per round' },
      series: R.map(function (r) {
        return lineSeries(r.name, (r.metrics.rounds || []).map(function (x) { return [x.round, x.k]; }), { step: 'end' });
      })
    });
    chart('Replica spread (RMS distance from the average / its norm)', {
      legend: { top: 0 }, xAxis: { type: 'value', name: 'round', nameLocation: 'middle', nameGap: 26, min: 'dataMin' },
      yAxis: { type: 'value', name: 'relative spread', scale: true },
      series: R.map(function (r) {
        return lineSeries(r.name, (r.metrics.rounds || []).map(function (x) { return [x.round, x.relative_spread]; }));
      })
    });

    // evaluation
    var withEval = R.filter(function (r) { return r.evaluation && r.evaluation.confusion_matrix; });
    if (withEval.length) {
      var e0 = withEval[0].evaluation;
      var cells = [];
      var maxOff = 1;
      e0.confusion_matrix.forEach(function (row, a) {
        row.forEach(function (n, p) { cells.push([p, a, n]); if (a !== p) { maxOff = Math.max(maxOff, n); } });
      });
      chart('Confusion matrix: ' + withEval[0].name + ' (rows actual, columns predicted)', {
        tooltip: { position: 'top' }, grid: { left: 110, right: 24, top: 20, bottom: 90 },
        xAxis: { type: 'category', data: e0.classes, axisLabel: { rotate: 40 }, name: 'predicted' },
        yAxis: { type: 'category', data: e0.classes, inverse: true },
        visualMap: { min: 0, max: maxOff, calculable: false, orient: 'horizontal', left: 'center', bottom: 0,
          itemHeight: 120, inRange: { color: ['#f4f8fc', '#2f6db5'] }, text: ['errors', ''] },
        series: [{ type: 'heatmap', data: cells, label: { show: true, fontSize: 10 } }]
      }, { tall: true, note: 'Colour scaled to the largest off-diagonal count, so confusions stand out.' });
      chart('Per-class F1', {
        legend: { top: 0 }, grid: { left: 64, right: 24, top: 36, bottom: 90 },
        xAxis: { type: 'category', data: e0.classes, axisLabel: { rotate: 40 } },
        yAxis: { type: 'value', min: 0, max: 1 },
        series: withEval.map(function (r) {
          return { name: r.name, type: 'bar', data: r.evaluation.per_class.map(function (c) { return c.f1; }) };
        })
      }, { tall: true });
    }

    // events, health, config and provenance
    R.forEach(function (r) {
      var sec = section('Events, health and provenance: ' + r.name, true);
      var ev = r.metrics.events || [];
      if (ev.length) {
        table(sec, ['round', 'event', 'detail'], ev.map(function (e) { return [String(e.round), e.kind, e.detail]; }));
      } else {
        sec.appendChild(el('p', { 'class': 'note' }, 'No checkpoints, rollbacks, pruning steps or stragglers.'));
      }
      var h = r.metrics.health;
      if (h && h.replicas) {
        sec.appendChild(el('h2', {}, 'Replicas (straggler factor ' + h.straggler_factor + ')'));
        table(sec, ['replica', 'on', 'rounds', 'median s', 'others median s', 'slowness', 'straggler'],
          h.replicas.map(function (a) {
            return [a.name, a.where, String(a.samples), fmt(a.median_seconds), fmt(a.others_median_seconds),
              fmt(a.slowness, 2), a.straggler ? 'YES' : 'no'];
          }));
        var ex = h.executors || {};
        table(sec, ['executor', 'host', 'samples', 'slowness', 'task GC share', 'peak native MB', 'peak resident MB',
          'peak heap MB', 'peak GC share'], Object.keys(ex).map(function (k) {
          var a = ex[k];
          var mb = function (b) { return b === undefined ? '-' : fmt(b / 1048576, 0); };
          return [k, a.where, String(a.samples), fmt(a.slowness, 2), fmt(a.task_gc_fraction, 3),
            mb(a.native_bytes_peak), mb(a.physical_bytes_peak), mb(a.heap_used_bytes_peak), fmt(a.gc_fraction_peak, 3)];
        }));
      }
      if (r.config) { details(sec, 'config.yaml', r.config); }
      if (r.provenance) { details(sec, 'provenance.json', JSON.stringify(r.provenance, null, 2)); }
    });
  }

  function bench(B) {
    var med = B.medians || {};
    var engines = Object.keys(med);
    var s = section('Bench: ' + (B.config || '') + ' (' + B.repeat + ' repeats, ' + B.epochs + ' epochs, batch '
      + B.batch_size_per_worker + ' per worker, k ' + B.averaging_frequency + ')', true,
      'Load average before: ' + B.load_average_before + '; after: ' + B.load_average_after + '.');
    table(s, ['engine', 'runs', 'samples/s (median)', 'training s', 'test accuracy', 'sync fraction', 'mean k'],
      engines.map(function (e) {
        var m = med[e];
        return [e, fmt(m.runs, 0), fmt(m.samples_per_second, 0), fmt(m.wall_seconds, 1), fmt(m.test_accuracy),
          fmt(m.sync_fraction, 3), fmt(m.mean_k, 1)];
      }));
    var runsBy = function (e) { return (B.runs || []).filter(function (r) { return r.engine === e && r.samples_per_second; }); };
    chart('Training throughput: median and every run', {
      legend: { top: 0 }, xAxis: { type: 'category', data: engines },
      yAxis: { type: 'value', name: 'samples/s' },
      series: [
        { name: 'median', type: 'bar', data: engines.map(function (e) { return med[e].samples_per_second; }),
          label: { show: true, position: 'top', formatter: function (p) { return Math.round(p.value).toLocaleString('en-US'); } } },
        { name: 'runs', type: 'scatter', symbolSize: 9, data: [].concat.apply([], engines.map(function (e) {
          return runsBy(e).map(function (r) { return [e, r.samples_per_second]; });
        })) }]
    }, { wide: true });
    chart('Test accuracy per engine (median)', {
      xAxis: { type: 'category', data: engines },
      yAxis: { type: 'value', min: function (v) { return Math.max(0, Math.floor(v.min * 20 - 1) / 20); }, max: 1 },
      series: [{ type: 'bar', data: engines.map(function (e) { return med[e].test_accuracy; }),
        label: { show: true, position: 'top', formatter: function (p) { return p.value.toFixed(4); } } }]
    });
    chart('Training seconds per run', {
      legend: { top: 0 }, xAxis: { type: 'category', name: 'repeat', nameLocation: 'middle', nameGap: 26, data: Array.from({ length: B.repeat }, function (_, i) { return String(i + 1); }) },
      yAxis: { type: 'value', name: 's' },
      series: engines.map(function (e) {
        return { name: e, type: 'bar', data: runsBy(e).map(function (r) { return r.wall_seconds; }) };
      })
    });
    var sx = section('Ratios, absent rows and environment', true);
    table(sx, ['ratio', 'value'], Object.keys(B.ratios || {}).map(function (k) { return [k, fmt(B.ratios[k], 3)]; }));
    Object.keys(B.absent || {}).forEach(function (k) {
      sx.appendChild(el('p', { 'class': 'note' }, k + ': ' + JSON.stringify(B.absent[k])));
    });
    details(sx, 'environment', JSON.stringify(B.environment, null, 2));
  }

  function selfCheck() {
    var blank = [];
    charts.forEach(function (c) {
      var points = (c.option.series || []).reduce(function (n, s) { return n + ((s.data || []).length); }, 0);
      var canvas = c.div.querySelector('canvas');
      var drawn = 0;
      if (canvas && canvas.width && canvas.height) {
        var px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        for (var i = 3; i < px.length; i += 16) { if (px[i] > 0) { drawn++; } }
      }
      if (!points || drawn < 200) { blank.push(c.title + ' (' + points + ' points, ' + drawn + ' pixels)'); }
    });
    document.body.setAttribute('data-charts', String(charts.length));
    document.body.setAttribute('data-blank', blank.join('; '));
    document.body.setAttribute('data-errors', window.__errors.join(' | '));
    document.body.setAttribute('data-ready', '1');
  }

  try {
    if (D.kind === 'bench') { bench(D.bench); } else { runs(D.runs); }
  } catch (e) {
    window.__errors.push('report: ' + (e && e.stack ? e.stack : e));
    var p = el('p', { 'class': 'bad' }, 'The report could not be drawn: ' + e);
    main.appendChild(p);
  }
  selfCheck();
  window.addEventListener('resize', function () { charts.forEach(function (c) { c.chart.resize(); }); });
})();
