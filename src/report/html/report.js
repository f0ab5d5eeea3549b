// Filter (severity / concept / rule) and next/previous navigation. Plain ES5 so the page
// works offline in any browser; without scripts every finding simply stays visible.
(function () {
  'use strict';
  var body = document.body;
  var notes = Array.prototype.slice.call(document.querySelectorAll('aside.note'));
  notes.sort(function (a, b) { return Number(a.getAttribute('data-n')) - Number(b.getAttribute('data-n')); });
  var marks = Array.prototype.slice.call(document.querySelectorAll('mark.hl'));
  var docs = Array.prototype.slice.call(document.querySelectorAll('section.doc'));
  var rank = { info: 1, warning: 2, error: 3 };
  var severityOf = {};
  notes.forEach(function (n) { severityOf[n.getAttribute('data-n')] = n.getAttribute('data-severity'); });
  var filters = {
    severity: document.getElementById('filter-severity'),
    concept: document.getElementById('filter-concept'),
    rule: document.getElementById('filter-rule')
  };
  var status = document.getElementById('filter-status');
  var current = null;

  function matches(note) {
    return ['severity', 'concept', 'rule'].every(function (key) {
      var want = filters[key] ? filters[key].value : '';
      return !want || note.getAttribute('data-' + key) === want;
    });
  }

  function visibleNotes() {
    return notes.filter(function (n) { return !n.hidden; });
  }

  function apply() {
    var shown = {};
    var count = 0;
    notes.forEach(function (n) {
      var ok = matches(n);
      n.hidden = !ok;
      if (ok) { shown[n.getAttribute('data-n')] = true; count += 1; }
    });
    // A mark shares its text among findings: colour it by the worst finding still shown.
    marks.forEach(function (m) {
      var worst = '';
      var on = 0;
      m.getAttribute('data-f').split(' ').forEach(function (id) {
        var s = severityOf[id];
        if (!shown[id]) { return; }
        on += 1;
        if (!worst || rank[s] > rank[worst]) { worst = s; }
      });
      m.setAttribute('data-sev', worst);
      m.setAttribute('data-count', String(on));
    });
    docs.forEach(function (d) {
      d.hidden = !d.querySelector('aside.note:not([hidden])');
    });
    status.textContent = 'Showing ' + count + ' of ' + notes.length + ' findings';
    body.setAttribute('data-shown', String(count));
  }

  function select(note) {
    if (!note) { return; }
    var n = note.getAttribute('data-n');
    document.querySelectorAll('.current').forEach(function (e) { e.classList.remove('current'); });
    note.classList.add('current');
    var first = null;
    marks.forEach(function (m) {
      if ((' ' + m.getAttribute('data-f') + ' ').indexOf(' ' + n + ' ') >= 0) {
        m.classList.add('current');
        if (!first) { first = m; }
      }
    });
    current = note;
    (first || note).scrollIntoView({ block: 'center' });
    if (history.replaceState) { history.replaceState(null, '', '#f-' + n); }
  }

  function step(direction) {
    var list = visibleNotes();
    if (!list.length) { return; }
    var at = current ? Number(current.getAttribute('data-n')) : (direction > 0 ? 0 : Infinity);
    var pick = null;
    if (direction > 0) {
      pick = list.filter(function (n) { return Number(n.getAttribute('data-n')) > at; })[0] || list[0];
    } else {
      var before = list.filter(function (n) { return Number(n.getAttribute('data-n')) < at; });
      pick = before[before.length - 1] || list[list.length - 1];
    }
    select(pick);
  }

  function noteOfHash() {
    var m = /^#f-(\d+)$/.exec(location.hash);
    return m ? document.getElementById('f-' + m[1]) : null;
  }

  Object.keys(filters).forEach(function (key) {
    if (filters[key]) { filters[key].addEventListener('change', apply); }
  });
  document.getElementById('filter-reset').addEventListener('click', function () {
    Object.keys(filters).forEach(function (key) { filters[key].value = ''; });
    apply();
  });
  document.getElementById('nav-next').addEventListener('click', function () { step(1); });
  document.getElementById('nav-prev').addEventListener('click', function () { step(-1); });
  document.addEventListener('keydown', function (e) {
    var tag = (e.target && e.target.tagName) || '';
    if (e.ctrlKey || e.metaKey || e.altKey || tag === 'SELECT' || tag === 'INPUT') { return; }
    if (e.key === 'n' || e.key === 'j') { step(1); }
    if (e.key === 'p' || e.key === 'k') { step(-1); }
  });
  // Summary links filter to what they name, then go to its first finding.
  document.querySelectorAll('a[data-set-severity], a[data-set-concept], a[data-set-rule]').forEach(function (a) {
    a.addEventListener('click', function (e) {
      e.preventDefault();
      Object.keys(filters).forEach(function (key) {
        filters[key].value = a.getAttribute('data-set-' + key) || '';
      });
      apply();
      current = null;
      step(1);
    });
  });
  marks.forEach(function (m) {
    m.addEventListener('click', function () {
      var ids = m.getAttribute('data-f').split(' ');
      for (var i = 0; i < ids.length; i += 1) {
        var note = document.getElementById('f-' + ids[i]);
        if (note && !note.hidden) { select(note); note.scrollIntoView({ block: 'nearest' }); return; }
      }
    });
  });
  window.addEventListener('hashchange', function () {
    var note = noteOfHash();
    if (note) { current = note; }
  });

  // A link can open the page filtered: report.html?severity=error&rule=CN-FMT-001
  function decode(text) {
    try { return decodeURIComponent((text || '').replace(/\+/g, ' ')); } catch (e) { return ''; }
  }

  function filterFromQuery() {
    var query = location.search.replace(/^\?/, '');
    if (!query) { return; }
    query.split('&').forEach(function (pair) {
      var kv = pair.split('=');
      var key = decode(kv[0]);
      var value = decode(kv[1]);
      var box = filters[key];
      if (!box) { return; }
      for (var i = 0; i < box.options.length; i += 1) {
        if (box.options[i].value === value) { box.value = value; }
      }
    });
  }

  document.getElementById('toolbar').hidden = false;
  filterFromQuery();
  apply();
  // Opened at a finding (report.html#f-12): mark it as the current one.
  var start = noteOfHash();
  if (start && !start.hidden) { select(start); }
  body.setAttribute('data-script', 'ready');
})();
