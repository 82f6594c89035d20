/* The evidence browser's one script (inline; its sha256 is in the page's CSP). Plain DOM code:
 * every text from the evidence goes in as a text node, never as markup. */
/* global document, window, location, history, crypto, requestAnimationFrame */
'use strict';
(function () {
  const D = JSON.parse(document.getElementById('tp-data').textContent);
  const C = D.controls;
  let F = null; // the findings, from their own block (after this script): see loadFindings
  const ROW = 30;
  // finding columns (see src/report/html/model.ts)
  const FC = 0, FR = 1, FA = 2, FG = 3, FS = 4, FM = 5, FE = 6, FV = 7, FW = 8, FX = 9;
  const WORDS = { PASS: '\u2713 PASS', FAIL: '\u2717 FAIL', ERROR: '! ERROR', WAIVED: '\u2248 WAIVED', MANUAL: '\u270e MANUAL', NOT_APPLICABLE: '\u2013 NOT APPLICABLE', NOT_EVALUATED: '? NOT EVALUATED' };
  const ORDER = ['PASS', 'FAIL', 'ERROR', 'WAIVED', 'MANUAL', 'NOT_APPLICABLE', 'NOT_EVALUATED'];
  let recordTexts = null;
  const checked = new Map(); // record id -> true (matches) | false (altered)
  let activeList = null;

  // The findings and records blocks follow this script, so the requirements are drawn while the
  // browser still parses them; views that need them wait until the document is parsed.
  function bulkParsed() { return document.readyState !== 'loading'; }
  function loadFindings() {
    if (F) return F;
    const b = JSON.parse(document.getElementById('tp-findings').textContent);
    for (const f of b.rows) {
      f[FA] = b.strings[f[FA]]; f[FG] = b.strings[f[FG]]; f[FS] = b.strings[f[FS]]; f[FM] = b.strings[f[FM]];
      f[FV] = f[FV] >= 0 ? b.values[f[FV]] : 0;
    }
    F = b.rows;
    buildIndexInBackground();
    return F;
  }
  function records() {
    if (!recordTexts) recordTexts = JSON.parse(document.getElementById('tp-records').textContent);
    return recordTexts;
  }

  function el(tag, attrs, children) {
    const e = document.createElement(tag);
    if (attrs) for (const k of Object.keys(attrs)) if (attrs[k] !== undefined && attrs[k] !== null) e.setAttribute(k, String(attrs[k]));
    if (children !== undefined) append(e, children);
    return e;
  }
  function append(e, children) {
    for (const c of Array.isArray(children) ? children : [children]) {
      if (c === null || c === undefined || c === false) continue;
      e.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
    }
    return e;
  }
  function status(s) { return el('span', { class: 'st st-' + s }, WORDS[s] || s); }
  function link(href, text, attrs) { return el('a', Object.assign({ href: href }, attrs || {}), text); }
  const enc = encodeURIComponent;
  function show(v) { return typeof v === 'string' ? v : v === undefined ? '(absent)' : JSON.stringify(v); }
  function facts(pairs) {
    const dl = el('dl', { class: 'facts' });
    for (const p of pairs) if (p && p[1] !== undefined && p[1] !== null && p[1] !== '') append(dl, [el('dt', null, p[0]), el('dd', null, p[1])]);
    return dl;
  }
  // links to embedded records; a record the cap left out is named, not linked
  function recordLinks(ids) {
    if (!ids || !ids.length) return el('span', { class: 'muted' }, 'none');
    return el('span', null, ids.map((id) => el('span', null, [D.records.leftOut.some((r) => r.id === id) ? el('code', null, id.slice(0, 16) + '\u2026 (not embedded)') : link('#/record/' + id, id.slice(0, 16) + '\u2026', { class: 'mono' }), ' '])));
  }
  function table(headers, rows, caption) {
    const t = el('table');
    if (caption) t.appendChild(el('caption', { class: 'skip' }, caption));
    t.appendChild(el('thead', null, el('tr', null, headers.map((h) => el('th', { scope: 'col' }, h)))));
    const b = el('tbody');
    for (const r of rows) b.appendChild(el('tr', null, r.map((c) => el('td', null, c))));
    t.appendChild(b);
    return t;
  }

  // ---- requirements: the same words and counts as the PDF; a requirement is never labelled PASS
  function counts(idx) {
    const n = {};
    for (const i of idx) n[C[i].status] = (n[C[i].status] || 0) + 1;
    return n;
  }
  function countText(idx) {
    const n = counts(idx);
    const parts = ORDER.filter((s) => n[s]).map((s) => n[s] + ' ' + s.replace('_', ' '));
    return idx.length + (idx.length === 1 ? ' control' : ' controls') + (parts.length ? ': ' + parts.join(', ') : '');
  }
  function conclusion(idx) {
    if (idx.length === 0) return 'not covered by any control';
    const n = counts(idx);
    const bad = ['FAIL', 'ERROR', 'WAIVED'].filter((s) => n[s]);
    if (bad.length) return 'exceptions noted: ' + bad.map((s) => n[s] + ' ' + (s === 'FAIL' ? 'failed' : s === 'ERROR' ? 'in error (evidence missing)' : 'waived')).join(', ');
    if (idx.every((i) => C[i].status === 'NOT_APPLICABLE' || C[i].status === 'NOT_EVALUATED')) return 'nothing in scope was tested';
    return 'no exceptions noted in the tested aspects: ' + idx.filter((i) => C[i].status !== 'NOT_APPLICABLE').map((i) => C[i].title).join('; ');
  }
  function viewRequirements(main) {
    append(main, el('h2', { id: 'view-title', tabindex: '-1' }, 'Requirements and their controls'));
    append(main, el('p', { class: 'muted' }, 'Each requirement of the framework catalog with the controls mapped to it, their statuses and counts. A requirement is never labelled as passed: where no control shows an exception, the words are "no exceptions noted in the tested aspects", with the aspects named.'));
    for (const fw of D.frameworks) {
      append(main, el('h3', { id: 'fw-' + fw.id }, fw.title));
      const rows = fw.requirements.map((r) => [
        link('#/requirement/' + enc(fw.id) + '/' + enc(r.id), r.id),
        r.title,
        r.controls.length ? el('ul', { class: 'plain' }, r.controls.map((i) => el('li', null, [link('#/control/' + enc(C[i].id), C[i].id), ' ', status(C[i].status)]))) : el('span', { class: 'muted' }, '\u2014'),
        countText(r.controls),
        el('span', { class: 'conclusion' }, conclusion(r.controls)),
      ]);
      append(main, table(['Requirement', 'Title', 'Controls', 'Counts', 'Conclusion'], rows, fw.title));
    }
  }
  function viewRequirement(main, fwId, reqId) {
    const fw = D.frameworks.find((f) => f.id === fwId);
    const r = fw && fw.requirements.find((x) => x.id === reqId);
    if (!r) return notFound(main, 'requirement ' + fwId + ' ' + reqId);
    append(main, el('p', { class: 'crumbs' }, [link('#/requirements', 'Requirements'), ' \u203a ', fw.title]));
    append(main, el('h2', { id: 'view-title', tabindex: '-1' }, r.id + ' \u2014 ' + r.title));
    append(main, facts([['Counts', countText(r.controls)], ['Conclusion', conclusion(r.controls)]]));
    append(main, table(['Control', 'Status', 'Claim', 'Findings not passed'], r.controls.map((i) => {
      return [link('#/control/' + enc(C[i].id), C[i].id + ' \u2014 ' + C[i].title), status(C[i].status), C[i].claim || '\u2014', String(C[i].notPassed)];
    }), 'controls of ' + r.id));
  }

  // ---- controls
  function controlIndex(id) { return C.findIndex((c) => c.id === id); }
  function viewControls(main) {
    append(main, el('h2', { id: 'view-title', tabindex: '-1' }, 'Controls'));
    append(main, table(['Control', 'Status', 'Severity', 'Kind', 'Reason'], C.map((c) => [link('#/control/' + enc(c.id), c.id + ' \u2014 ' + c.title), status(c.status), c.severity, c.kind, c.reason || ''])), 'controls');
  }
  function viewControl(main, id, q) {
    const ci = controlIndex(id);
    if (ci < 0) return notFound(main, 'control ' + id);
    const c = C[ci];
    append(main, el('p', { class: 'crumbs' }, [link('#/controls', 'Controls'), ' \u203a ', c.id]));
    append(main, el('h2', { id: 'view-title', tabindex: '-1' }, c.id + ' \u2014 ' + c.title));
    const maps = Object.keys(c.frameworks).map((k) => k + ': ' + c.frameworks[k].join(', ')).join('; ');
    append(main, facts([
      ['Status', status(c.status)], ['Severity', c.severity], ['Kind', c.kind], ['Public claim', c.claim], ['Description', c.description],
      ['Asserts', c.asserts], ['Why this status', c.reason], ['Requirements', maps],
      ['Runs per status', c.runs ? ORDER.filter((s) => c.runs[s]).map((s) => c.runs[s] + ' ' + s.replace('_', ' ')).join(', ') || 'none' : undefined],
    ]));
    if (c.parameters) append(main, [el('h3', null, 'Parameters'), table(['Parameter', 'Value used'], Object.keys(c.parameters).map((k) => [el('code', null, k), show(c.parameters[k])]), 'parameters')]);
    if (c.attestation) {
      const a = c.attestation;
      append(main, [el('h3', null, 'Attestation'), facts([['Attested by', a.attested_by], ['Attested at', a.attested_at], ['Document', a.document], ['sha256', el('code', null, a.sha256)], ['Expires', a.expires], ['Current', a.current ? 'yes' : 'no'], ['Notes', a.notes]])]);
    }
    if (c.timeline) {
      append(main, el('h3', null, 'Timeline across the runs of the period'));
      append(main, el('ol', { class: 'timeline', 'aria-label': 'status in each run' }, c.timeline.map((s, i) => {
        const run = D.period.runs[i];
        const w = s ? WORDS[s] : 'not evaluated';
        return el('li', { class: 'st-' + (s || 'NONE'), title: run.asOf + ': ' + w, 'aria-label': run.asOf.slice(0, 10) + ': ' + w }, [run.asOf.slice(5, 10), el('br'), s ? WORDS[s].split(' ')[0] : '\u00b7']);
      })));
    }
    if (c.sample) {
      const s = c.sample;
      append(main, [el('h3', null, 'Sample for the auditor\u2019s testing'), facts([['Population', String(s.population)], ['Sample size', String(s.n)], ['Frequency', s.frequency], ['Seed', el('code', null, s.seed)], ['Method', s.method]]),
        table(['Run as of', 'Resource', 'Status', 'Evidence records', 'Key'], s.drawn.map((d) => [d.asOf, el('code', null, d.resource), status(d.status), recordLinks(d.records), el('code', null, d.key.slice(0, 16) + '\u2026')]), 'sample')]);
    }
    append(main, el('h3', null, D.kind === 'period' ? 'Exceptions of the period' : 'Findings'));
    findingsPanel(main, Object.assign({}, q, { control: c.id }), '#/control/' + enc(c.id), true);
  }

  // ---- findings: filters in the URL fragment, a virtualised list
  const FILTERS = [['status', 'Status', FS], ['account', 'Account', FA], ['region', 'Region', FG], ['control', 'Control', -1], ['severity', 'Severity', -2]];
  // the free-text index: one lower-case line per finding, built in slices after the findings are
  // read so that typing never pays for it; a filter before it is complete finishes it first
  let hay = null;
  let hayDone = 0;
  function indexSlice(end) {
    for (; hayDone < end; hayDone++) {
      const f = F[hayDone];
      hay[hayDone] = (C[f[FC]].id + ' ' + f[FR] + ' ' + f[FA] + ' ' + f[FG] + ' ' + f[FS] + ' ' + f[FM]).toLowerCase();
    }
    if (hayDone === F.length) document.body.setAttribute('data-index', 'ready');
  }
  function buildIndexInBackground() {
    hay = new Array(F.length);
    const step = () => {
      if (hayDone >= F.length) return;
      indexSlice(Math.min(F.length, hayDone + 5000));
      setTimeout(step, 0);
    };
    setTimeout(step, 0);
  }
  function haystack(i) {
    if (hayDone < F.length) indexSlice(F.length);
    return hay[i];
  }
  function valueOf(f, col) { return col === -1 ? C[f[FC]].id : col === -2 ? C[f[FC]].severity : f[col]; }
  function filterFindings(q) {
    const out = [];
    const text = (q.q || '').trim().toLowerCase();
    const active = FILTERS.filter((x) => q[x[0]]);
    for (let i = 0; i < F.length; i++) {
      const f = F[i];
      let ok = true;
      for (const x of active) if (valueOf(f, x[2]) !== q[x[0]]) { ok = false; break; }
      if (ok && text && haystack(i).indexOf(text) < 0) ok = false;
      if (ok) out.push(i);
    }
    return out;
  }
  const optionCache = {};
  function options(col) {
    if (!optionCache[col]) {
      const s = new Set();
      for (const f of F) s.add(valueOf(f, col));
      optionCache[col] = Array.from(s).sort();
    }
    return optionCache[col];
  }
  function findingsPanel(main, q, base, fixedControl) {
    const form = el('form', { class: 'filters', role: 'search', 'aria-label': 'filter findings' });
    const inputs = {};
    for (const x of FILTERS) {
      if (fixedControl && x[0] === 'control') continue;
      const sel = el('select', { id: 'filter-' + x[0], name: x[0] }, [el('option', { value: '' }, 'any')].concat(options(x[2]).map((v) => el('option', { value: v }, x[0] === 'status' ? WORDS[v] || v : v))));
      sel.value = q[x[0]] || '';
      inputs[x[0]] = sel;
      form.appendChild(el('label', { for: 'filter-' + x[0] }, [x[1], sel]));
    }
    const text = el('input', { id: 'filter-q', name: 'q', type: 'search', placeholder: 'resource, reason, \u2026', autocomplete: 'off' });
    text.value = q.q || '';
    inputs.q = text;
    form.appendChild(el('label', { for: 'filter-q' }, ['Free text', text]));
    main.appendChild(form);
    const count = el('p', { class: 'count', id: 'finding-count', role: 'status', 'aria-live': 'polite' });
    main.appendChild(count);
    const holder = el('div');
    main.appendChild(holder);
    function update() {
      const nq = {};
      for (const k of Object.keys(inputs)) if (inputs[k].value) nq[k] = inputs[k].value;
      if (fixedControl) nq.control = q.control;
      const own = Object.keys(nq).filter((k) => !(fixedControl && k === 'control')).map((k) => k + '=' + enc(nq[k])).join('&');
      history.replaceState(null, '', base + (own ? '?' + own : ''));
      const idx = filterFindings(nq);
      count.textContent = idx.length + ' of ' + (fixedControl ? C[controlIndex(q.control)].findings : F.length) + (D.kind === 'period' ? ' exceptions' : ' findings');
      holder.textContent = '';
      holder.appendChild(el('div', { class: 'vhead', 'aria-hidden': 'true' }, ['Status', 'Control', 'Resource', 'Account', 'Region', 'Reason'].map((h) => el('span', null, h))));
      holder.appendChild(virtualList(idx.length, (k) => findingRow(idx[k]), 'findings'));
      performance.mark('tp-filtered');
    }
    form.addEventListener('submit', (e) => e.preventDefault());
    for (const k of Object.keys(inputs)) inputs[k].addEventListener(k === 'q' ? 'input' : 'change', update);
    update();
  }
  function findingRow(i) {
    const f = F[i];
    return el('a', { class: 'vrow', href: '#/finding/' + i, 'data-i': i }, [status(f[FS]), el('span', null, C[f[FC]].id), el('span', { class: 'mono' }, f[FR]), el('span', null, f[FA]), el('span', null, f[FG]), el('span', null, f[FM])]);
  }
  function virtualList(n, rowFn, label) {
    const box = el('div', { class: 'vlist', role: 'list', 'aria-label': label + ' (' + n + '; arrow keys move between rows)', tabindex: '0' });
    const spacer = el('div', { class: 'spacer' });
    spacer.style.height = n * ROW + 'px';
    box.appendChild(spacer);
    let drawn = [-1, -1];
    function place(k) {
      const r = rowFn(k);
      r.setAttribute('role', 'listitem');
      r.setAttribute('aria-posinset', String(k + 1));
      r.setAttribute('aria-setsize', String(n));
      r.setAttribute('data-k', String(k));
      r.style.top = k * ROW + 'px';
      return r;
    }
    function draw(force) {
      const top = box.scrollTop;
      const h = box.clientHeight || 600;
      const first = Math.max(0, Math.floor(top / ROW) - 8);
      const last = Math.min(n, Math.ceil((top + h) / ROW) + 8);
      if (!force && first === drawn[0] && last === drawn[1]) return;
      drawn = [first, last];
      spacer.textContent = '';
      for (let k = first; k < last; k++) spacer.appendChild(place(k));
    }
    let pending = false;
    box.addEventListener('scroll', () => {
      if (pending) return;
      pending = true;
      requestAnimationFrame(() => { pending = false; draw(false); });
    });
    box.addEventListener('keydown', (e) => {
      if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp' && e.key !== 'Home' && e.key !== 'End') return;
      const cur = document.activeElement && document.activeElement.getAttribute('data-k');
      let k = cur === null || cur === undefined ? -1 : Number(cur);
      k = e.key === 'Home' ? 0 : e.key === 'End' ? n - 1 : k + (e.key === 'ArrowDown' ? 1 : -1);
      if (k < 0 || k >= n) return;
      e.preventDefault();
      if (k * ROW < box.scrollTop) box.scrollTop = k * ROW;
      else if ((k + 1) * ROW > box.scrollTop + box.clientHeight) box.scrollTop = (k + 1) * ROW - box.clientHeight;
      draw(false);
      const row = spacer.querySelector('[data-k="' + k + '"]');
      if (row) row.focus();
    });
    activeList = {
      printAll: () => {
        spacer.textContent = '';
        const max = Math.min(n, 5000);
        for (let k = 0; k < max; k++) spacer.appendChild(place(k));
        if (n > max) spacer.appendChild(el('p', { class: 'print-only' }, (n - max) + ' more rows are not printed here; the signed PDF pack lists every finding.'));
      },
      redraw: () => draw(true),
    };
    requestAnimationFrame(() => draw(true));
    draw(true);
    return box;
  }
  function viewFindings(main, q) {
    append(main, el('h2', { id: 'view-title', tabindex: '-1' }, D.kind === 'period' ? 'Exceptions of the period' : 'Findings'));
    findingsPanel(main, q, '#/findings', false);
  }

  function viewFinding(main, i) {
    const f = F[i];
    if (!f) return notFound(main, 'finding ' + i);
    const c = C[f[FC]];
    append(main, el('p', { class: 'crumbs' }, [link('#/controls', 'Controls'), ' \u203a ', link('#/control/' + enc(c.id), c.id), ' \u203a finding ' + i]));
    append(main, el('h2', { id: 'view-title', tabindex: '-1' }, [status(f[FS]), ' ', el('span', { class: 'mono' }, f[FR])]));
    const x = f[FX] || {};
    append(main, facts([
      ['Control', link('#/control/' + enc(c.id), c.id + ' \u2014 ' + c.title)], ['Resource', el('code', null, f[FR])], ['Account', f[FA]], ['Region', f[FG]],
      ['Status', status(f[FS])], ['Reason', f[FM]], ['Owner account', x.owner],
      ['First seen', x.firstSeen], ['Last seen', x.lastSeen], ['Resolved', D.kind === 'period' ? (x.resolvedAt || (x.gone ? 'gone (resource deleted or out of scope)' : 'open')) : undefined],
      ['Days open', x.daysOpen !== undefined ? String(x.daysOpen) : undefined], ['Runs', x.runs !== undefined ? x.runs + (x.waivedRuns ? ' (' + x.waivedRuns + ' waived)' : '') : undefined], ['Source', x.source],
    ]));
    if (f[FV]) append(main, [el('h3', null, 'The values that decided it'), table(['Path', 'Value'], Object.keys(f[FV]).map((k) => [el('code', null, k), el('code', null, show(f[FV][k]))]), 'deciding values')]);
    if (f[FW]) append(main, [el('h3', null, 'Waiver'), facts(Object.keys(f[FW]).map((k) => [k, show(f[FW][k])]))]);
    if (x.response) append(main, [el('h3', null, 'Management response'), facts([['Response', x.response.response], ['Owner', x.response.owner], ['Date', x.response.date]])]);
    if (D.kind === 'run') {
      append(main, el('h3', null, 'Evidence records it cites'));
      if (!f[FE].length) append(main, el('p', { class: 'muted' }, 'none'));
      const recs = records();
      append(main, el('ul', null, f[FE].map((id) => {
        const out = D.records.leftOut.find((r) => r.id === id);
        if (recs[id] !== undefined) return el('li', null, [link('#/record/' + id, id, { class: 'mono' }), checked.has(id) ? (checked.get(id) ? ' \u2713 matches its id' : ' \u2717 ALTERED') : '']);
        return el('li', null, [el('code', null, id), ' \u2014 not embedded; ' + (out && out.file ? 'in the bundle file ' + out.file + ' (sha256 ' + out.sha256 + ')' : 'not in the bundle')]);
      })));
    }
  }

  function viewRecord(main, id) {
    const text = records()[id];
    if (text === undefined) {
      const out = D.records.leftOut.find((r) => r.id === id);
      if (out) {
        append(main, el('h2', { id: 'view-title', tabindex: '-1' }, 'Record ' + id));
        return append(main, el('p', { class: 'note' }, 'This record is not embedded in this file (cap of ' + D.records.cap + ' records). It is ' + (out.file ? 'a line of ' + out.file + ' in the evidence bundle, whose sha256 is ' + out.sha256 : 'not in the bundle') + '.'));
      }
      return notFound(main, 'record ' + id);
    }
    append(main, el('p', { class: 'crumbs' }, [link('#/check', 'Check evidence'), ' \u203a record']));
    append(main, el('h2', { id: 'view-title', tabindex: '-1' }, ['Evidence record ', el('code', null, id.slice(0, 16) + '\u2026')]));
    if (checked.has(id)) append(main, el('p', { class: 'note ' + (checked.get(id) ? 'good' : 'bad'), id: 'record-check' }, checked.get(id) ? '\u2713 Its canonical bytes hash to its id.' : '\u2717 ALTERED: the bytes embedded for this record do not hash to its id.'));
    let r;
    try { r = JSON.parse(text); } catch (_e) { r = null; }
    if (!r) { append(main, [el('p', { class: 'note bad' }, 'The embedded text is not readable JSON.'), el('pre', null, text)]); return; }
    const s = r.source || {};
    append(main, facts([
      ['Record id (sha256)', el('code', null, id)], ['Collector', r.collector], ['Resource type', r.resourceType], ['Resource', el('code', null, r.resource)],
      ['Call', (s.service || '') + ':' + (s.operation || '')], ['Parameters', el('code', null, JSON.stringify(s.parameters || {}))], ['Account', s.account], ['Region', s.region], ['Time', s.time],
      ['Origin', s.origin], ['Owner account', r.owner],
      ['Derived from', s.derivedFrom ? el('span', null, s.derivedFrom.map((d) => el('span', null, [link('#/record/' + d, d.slice(0, 16) + '\u2026', { class: 'mono' }), ' ']))) : undefined],
      ['Error', r.error ? r.error.operation + ' ' + r.error.code + ': ' + r.error.message : undefined],
    ]));
    append(main, [el('h3', null, 'The data as AWS returned it'), el('pre', { tabindex: '0', 'aria-label': 'record data' }, JSON.stringify(r.data, null, 2))]);
    if (D.kind === 'period') {
      const items = [];
      for (const c of C) if (c.sample) for (const d of c.sample.drawn) if (d.records.indexOf(id) >= 0) items.push([c, d]);
      append(main, [el('h3', null, 'Sampled items that cite it'), el('ul', null, items.map((x) => el('li', null, [link('#/control/' + enc(x[0].id), x[0].id), ': ' + x[1].resource + ' in the run as of ' + x[1].asOf + ' ', status(x[1].status)])))]);
    } else {
      const citing = [];
      for (let i = 0; i < F.length && citing.length < 50; i++) if (F[i][FE].indexOf(id) >= 0) citing.push(i);
      append(main, [el('h3', null, 'Findings that cite it'), el('ul', null, citing.map((i) => el('li', null, [link('#/finding/' + i, C[F[i][FC]].id + ': ' + F[i][FR]), ' ', status(F[i][FS])])))]);
    }
    append(main, el('details', null, [el('summary', null, 'Canonical bytes (RFC 8785), as hashed'), el('pre', null, text)]));
  }

  // ---- in-browser check: sha256 of each embedded record's canonical bytes against its id
  function hex(buf) {
    const b = new Uint8Array(buf);
    let s = '';
    for (let i = 0; i < b.length; i++) s += (b[i] < 16 ? '0' : '') + b[i].toString(16);
    return s;
  }
  async function checkAll(out) {
    if (!window.crypto || !crypto.subtle) { out.textContent = 'This browser offers no WebCrypto here (crypto.subtle): the check cannot run.'; return; }
    const recs = records();
    const ids = Object.keys(recs);
    const te = new TextEncoder();
    let ok = 0;
    const altered = [];
    for (let i = 0; i < ids.length; i += 512) {
      await Promise.all(ids.slice(i, i + 512).map(async (id) => {
        const h = hex(await crypto.subtle.digest('SHA-256', te.encode(recs[id])));
        checked.set(id, h === id);
        if (h === id) ok++; else altered.push(id);
      }));
      out.textContent = 'checked ' + Math.min(ids.length, i + 512) + ' of ' + ids.length + '\u2026';
    }
    altered.sort();
    const files = await checkFiles(recs, te);
    out.textContent = '';
    const bad = altered.length > 0 || files.differ.length > 0;
    out.className = 'note ' + (bad ? 'bad' : 'good');
    append(out, el('p', { id: 'check-summary' }, ok + ' of ' + ids.length + ' embedded records match their id' + (altered.length ? '; ' + altered.length + ' ALTERED' : ' (all match)') + '.'));
    if (altered.length) append(out, el('ul', { id: 'altered' }, altered.map((id) => el('li', null, [link('#/record/' + id, id, { class: 'mono' }), ' altered: its bytes hash to something else']))));
    if (D.files.length) {
      append(out, el('p', { id: 'check-files' }, files.match.length + ' of ' + D.files.length + ' bundle files rebuilt from the embedded records match the pack\u2019s manifest' +
        (files.differ.length ? '; ' + files.differ.length + ' DIFFER' : '') + (files.partial.length ? '; ' + files.partial.length + ' not checkable here (records left out of this file)' : '') + '.'));
      if (files.differ.length) append(out, el('ul', { id: 'files-differ' }, files.differ.map((f) => el('li', null, [el('code', null, f.path), ' rebuilt from this file hashes to ' + f.got + ', the manifest says ' + f.sha256]))));
    }
    document.body.setAttribute('data-check', bad ? 'altered' : 'intact');
  }
  // RFC 8785 for data that came out of JSON.parse: keys sorted by UTF-16 code units, ECMAScript
  // number and string forms (what JSON.stringify writes), as the bundle writer does
  function canonical(v) {
    if (v === null || typeof v !== 'object') return JSON.stringify(v);
    if (Array.isArray(v)) return '[' + v.map(canonical).join(',') + ']';
    return '{' + Object.keys(v).sort().map((k) => JSON.stringify(k) + ':' + canonical(v[k])).join(',') + '}';
  }
  // A bundle file whose every record is embedded is rebuilt as the signed pack embeds it (its records
  // sorted by id, each the canonical JSON of the record with its id, one per line) and hashed.
  async function checkFiles(recs, te) {
    const result = { match: [], differ: [], partial: [] };
    const lines = new Map();
    for (const id of Object.keys(recs)) {
      let r;
      try { r = JSON.parse(recs[id]); } catch (_e) { continue; }
      r.id = id;
      const path = 'records/' + r.collector + '.jsonl';
      if (!lines.has(path)) lines.set(path, []);
      lines.get(path).push([id, canonical(r)]);
    }
    for (const f of D.files) {
      if (f.records === undefined || f.embedded !== f.records) { result.partial.push(f); continue; }
      const l = (lines.get(f.path) || []).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      const got = hex(await crypto.subtle.digest('SHA-256', te.encode(l.map((x) => x[1] + '\n').join(''))));
      if (got === f.sha256) result.match.push(f); else result.differ.push(Object.assign({ got: got }, f));
    }
    return result;
  }
  function viewCheck(main) {
    append(main, el('h2', { id: 'view-title', tabindex: '-1' }, 'Check evidence'));
    append(main, el('p', null, 'This file embeds the exact canonical bytes (RFC 8785 JSON) of every evidence record ' + (D.kind === 'period' ? 'the sampled items cite' : 'its findings cite, and of the bundle\u2019s other records up to its cap') + '. The check recomputes the sha256 of each with your browser\u2019s WebCrypto and compares it with the record\u2019s id, which is how the evidence bundle names it. It detects a record altered inside this file.'));
    if (D.kind === 'run') append(main, el('p', null, 'It then rebuilds each bundle file whose every record is embedded (records sorted by id, one canonical line each, as the signed pack embeds them) and compares its sha256 with the one the pack\u2019s manifest lists, so a record dropped or added inside this file is found too.'));
    else append(main, el('p', null, 'A period\u2019s records come from the bundles of many runs; those bundles and their manifests are checked against the archive by trustpack archive verify and verify --archive.'));
    append(main, el('p', null, ['It does not prove who made the file. Authenticity comes from the signed PDF pack, which embeds this very file: ', el('code', null, 'trustpack verify pack.pdf --html THIS-FILE.html'), ' says whether this file is byte-identical to the signed copy.']));
    const out = el('div', { id: 'check-result', role: 'status', 'aria-live': 'polite' });
    const btn = el('button', { type: 'button', id: 'check-button' }, 'Check evidence');
    btn.addEventListener('click', () => { btn.disabled = true; checkAll(out).finally(() => { btn.disabled = false; }); });
    append(main, [el('p', null, [btn, ' ', el('span', { class: 'muted' }, D.records.embedded + ' records embedded, ' + D.records.cited + ' cited')]), out]);
    if (D.records.leftOut.length) {
      append(main, [el('h3', null, 'Records left out of this file'), el('p', null, D.records.leftOut.length + ' cited records are not embedded (cap ' + D.records.cap + '); each is a line of a bundle file, named here with that file\u2019s sha256:'),
        table(['Record id', 'Bundle file', 'File sha256'], D.records.leftOut.slice(0, 1000).map((r) => [el('code', null, r.id), r.file || 'not in the bundle', el('code', null, r.sha256 || '\u2014')]), 'left out')]);
      main.lastChild.setAttribute('data-left-out', '');
    }
    if (D.files.length) append(main, [el('h3', null, 'The bundle\u2019s files (from the manifest the signed pack embeds)'), table(['File', 'sha256', 'Records', 'Embedded here'], D.files.map((f) => [f.path, el('code', null, f.sha256), f.records === undefined ? '' : String(f.records), String(f.embedded)]), 'bundle files')]);
  }

  function viewAbout(main) {
    append(main, el('h2', { id: 'view-title', tabindex: '-1' }, 'About this file'));
    const p = D.period;
    const r = D.run;
    append(main, facts([
      ['Organisation', D.organisation], ['Framework', D.framework], ['Made by', 'trustpack ' + D.toolVersion],
      ['Run', r && r.id], ['Started', r && r.startedAt], ['Evidence as of', r && r.asOf], ['Accounts', r && r.accounts.join(', ')], ['Regions', r && r.regions.join(', ')],
      ['Period', p && p.start + ' to ' + p.end], ['Runs', p && String(p.runs.length)], ['Days without a run', p && (p.days.missing.join(', ') || 'none')],
      ['Archive head', p && p.head ? p.head.sha256 + ':' + p.head.n : undefined],
    ]));
    if (D.warnings.length) append(main, [el('h3', null, 'Warnings'), el('ul', null, D.warnings.map((w) => el('li', null, w)))]);
    append(main, el('p', null, 'This page needs nothing but a browser: no network access (its Content-Security-Policy forbids it), tested in Chromium; other browsers are untested.'));
  }

  function notFound(main, what) { append(main, [el('h2', { id: 'view-title', tabindex: '-1' }, 'Not found'), el('p', null, 'This file has no ' + what + '.')]); }

  // ---- routing: every view has a fragment
  function parse() {
    const h = location.hash.replace(/^#\/?/, '');
    const qi = h.indexOf('?');
    const path = (qi < 0 ? h : h.slice(0, qi)).split('/').map((x) => decodeURIComponent(x));
    const q = {};
    if (qi >= 0) for (const kv of h.slice(qi + 1).split('&')) { const e = kv.indexOf('='); if (e > 0) q[decodeURIComponent(kv.slice(0, e))] = decodeURIComponent(kv.slice(e + 1)); }
    return { path: path, q: q };
  }
  const BULK = ['control', 'findings', 'finding', 'record', 'check'];
  function route() {
    const r = parse();
    const main = document.getElementById('main');
    main.textContent = '';
    activeList = null;
    const v = r.path[0] || 'requirements';
    if (BULK.indexOf(v) >= 0) {
      if (!bulkParsed()) {
        append(main, el('p', { role: 'status' }, 'Reading the findings and evidence of this file\u2026'));
        document.addEventListener('DOMContentLoaded', route, { once: true });
        return;
      }
      loadFindings();
    }
    if (v === 'requirements') viewRequirements(main);
    else if (v === 'requirement') viewRequirement(main, r.path[1], r.path.slice(2).join('/'));
    else if (v === 'controls') viewControls(main);
    else if (v === 'control') viewControl(main, r.path.slice(1).join('/'), r.q);
    else if (v === 'findings') viewFindings(main, r.q);
    else if (v === 'finding') viewFinding(main, Number(r.path[1]));
    else if (v === 'record') viewRecord(main, r.path[1]);
    else if (v === 'check') viewCheck(main);
    else if (v === 'about') viewAbout(main);
    else notFound(main, 'view ' + v);
    for (const a of document.querySelectorAll('nav a')) {
      if (a.getAttribute('data-view') === v || (v === 'requirement' && a.getAttribute('data-view') === 'requirements') || (v === 'control' && a.getAttribute('data-view') === 'controls')) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    document.title = D.title + (v === 'requirements' ? '' : ' \u2014 ' + v);
  }
  let first = true;
  window.addEventListener('hashchange', () => {
    route();
    if (!first) { const t = document.getElementById('view-title'); if (t) t.focus(); }
  });
  window.addEventListener('beforeprint', () => { if (activeList) activeList.printAll(); });
  window.addEventListener('afterprint', () => { if (activeList) activeList.redraw(); });
  route();
  first = false;
  document.body.setAttribute('data-ready', 'true');
  performance.mark('tp-ready');
})();
