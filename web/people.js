/*
 * people.js - the directory page of the dashboard (#people, #people/<id>):
 * search and filters, pages, CSV export, saved filters (broadcast audiences
 * "filter:<name>"), a person's page with fields and tags, and the roster
 * import (preview with per-row errors, then import). Loaded after app.js
 * and uses its helpers (h, api, table, fmtTime, can, route, toast).
 * docs/api-people.md has the routes.
 */
'use strict';

PAGES.splice(1, 0, ['people', '人员']);
PAGE_NEEDS.people = '/people';
VIEWS.people = pagePeople;

const PEOPLE_FILTERS = [
  ['q', '搜索', '姓名、编号或手机号片段'], ['channel', '渠道', '如 wechat'], ['tag', '标签', ''],
  ['district', '区', '如 樊城区'], ['platform', '平台', '如 美团'],
  ['joined_from', '加入自', 'date'], ['joined_to', '加入至', 'date'],
  ['seen_from', '最近来过自', 'date'], ['seen_to', '最近来过至', 'date'],
];
const PEOPLE_FIELDS = [['name', '姓名'], ['phone', '手机'], ['district', '区'], ['platform', '平台'],
  ['city', '城市'], ['org', '组织']];
const PAGE_SIZE = 50;

async function pagePeople(view, arg) {
  if (arg) return personDetail(view, arg);
  const q = hashQuery();
  const inputs = {};
  for (const [k, label, hint] of PEOPLE_FILTERS) {
    inputs[k] = h('input', { id: 'pf-' + k, type: hint === 'date' ? 'date' : 'text', placeholder: hint === 'date' ? null : hint, value: q.get(k) || '' });
  }
  inputs.opted_out = h('select', { id: 'pf-opted_out' }, h('option', { value: '', text: '不限' }),
    h('option', { value: '0', text: '未退订' }), h('option', { value: '1', text: '已退订' }));
  inputs.opted_out.value = q.get('opted_out') || '';
  const filters = () => Object.fromEntries(Object.entries(inputs).map(([k, el]) => [k, el.value.trim()]).filter(([, v]) => v));
  const offset = parseInt(q.get('offset') || '0', 10) || 0;
  const form = h('form', { class: 'card', id: 'pf-form' },
    h('div', { class: 'row' }, PEOPLE_FILTERS.map(([k, label]) => h('label', {}, label + ' ', inputs[k])),
      h('label', {}, '退订 ', inputs.opted_out)),
    h('button', { type: 'submit', text: '查找' }));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    location.hash = '#people?' + new URLSearchParams(filters());
  });
  const params = new URLSearchParams({ ...filters(), limit: PAGE_SIZE, offset });
  const res = await api('GET', '/people?' + params);
  const list = items(res);
  const pageLink = (o) => '#people?' + new URLSearchParams({ ...filters(), offset: o });
  const pager = h('div', { class: 'row' },
    offset > 0 ? h('a', { href: pageLink(Math.max(0, offset - PAGE_SIZE)), id: 'pf-prev', text: '← 上一页' }) : null,
    h('span', { class: 'muted', id: 'pf-total', text: `共 ${res.total} 人，第 ${offset + 1}–${offset + list.length} 位` }),
    offset + list.length < res.total ? h('a', { href: pageLink(offset + PAGE_SIZE), id: 'pf-next', text: '下一页 →' }) : null,
    can('GET', '/people.csv') ? h('a', { href: API + '/people.csv?' + new URLSearchParams(filters()), id: 'pf-csv', download: 'people.csv', text: '导出 CSV' }) : null);
  view.append(h('h1', { text: '人员' }), form, pager,
    list.length ? table(['编号', '姓名', '手机', '区', '平台', '渠道', '标签', { class: 'hide-phone', text: '加入' }, { class: 'hide-phone', text: '最近来过' }, '退订'],
      list.map((p) => h('tr', { 'data-person': p.id },
        h('td', {}, h('a', { href: '#people/' + p.id, text: String(p.id) })), h('td', { text: p.name || '' }),
        h('td', { text: p.phone || '' }), h('td', { text: p.district || '' }), h('td', { text: p.platform || '' }),
        h('td', { text: p.channels || '' }), h('td', { text: p.tags || '' }),
        h('td', { class: 'hide-phone', text: fmtTime(p.joined_ms) }), h('td', { class: 'hide-phone', text: fmtTime(p.last_seen_ms) }),
        h('td', { text: p.opted_out ? '是' : '' }))))
      : h('p', { class: 'muted', text: '没有找到。' }));
  if (can('POST', '/filters')) view.append(saveFilterCard(filters));
  if (can('POST', '/import')) view.append(importCard());
}

function saveFilterCard(filters) {
  const name = h('input', { id: 'pf-save-name', maxlength: 64, placeholder: '如 樊城骑手' });
  const btn = h('button', { id: 'pf-save', type: 'button', text: '保存筛选' });
  btn.addEventListener('click', async () => {
    try {
      await api('POST', '/filters', { name: name.value.trim(), filter: filters() });
      toast(`已保存，群发时选「已存筛选」：${name.value.trim()}`);
    } catch (e) { toast(e.message); }
  });
  return h('div', { class: 'card' }, h('h2', { text: '保存为群发对象' }),
    h('div', { class: 'row' }, h('label', {}, '名称 ', name), btn));
}

/* The roster import: the file's bytes as they are (UTF-8, BOM or GBK). */
function importCard() {
  const file = h('input', { id: 'imp-file', type: 'file', accept: '.csv,text/csv' });
  const kind = h('select', { id: 'imp-kind' }, h('option', { value: 'members', text: '流动成员（需组织列）' }),
    can('POST', '/volunteers') ? h('option', { value: 'volunteers', text: '志愿者（需姓名、服务列）' }) : null,
    can('POST', '/mentoring') ? h('option', { value: 'mentoring', text: '结对帮扶（工友手机、导师姓名、导师手机）' }) : null,
    h('option', { value: 'people', text: '其他名单（按标签区分）' }));
  const out = h('div', { id: 'imp-result' });
  const go = h('button', { id: 'imp-commit', type: 'button', text: '导入', disabled: true });
  async function send(preview) {
    const f = file.files[0];
    if (!f) { toast('请选择文件'); return; }
    const qs = new URLSearchParams({ kind: kind.value, file: f.name.replace(/:/g, '_') });
    if (preview) qs.set('preview', '1');
    const r = await fetch(API + '/import?' + qs, {
      method: 'POST', credentials: 'same-origin',
      headers: { 'X-CSRF-Token': S.csrf || '', 'Content-Type': 'text/csv' }, body: await f.arrayBuffer(),
    });
    const j = await r.json().catch(() => ({}));
    out.replaceChildren();
    if (j.error) { out.append(h('p', { class: 'error', text: j.error })); go.disabled = true; return; }
    out.append(h('p', { id: 'imp-summary', text: `${j.file}（${j.encoding}）：${j.rows} 行，新增 ${j.new} 人，关联已有 ${j.linked} 人` +
      (j.written ? '，已导入' : '') }));
    if ((j.errors || []).length) {
      out.append(h('p', { class: 'error', text: `${j.errors.length} 处错误，改好再导入：` }),
        h('ul', { id: 'imp-errors' }, j.errors.map((e) => h('li', { text: `第 ${e.row} 行：${e.error}` }))));
    }
    go.disabled = !preview || (j.errors || []).length > 0;
    if (j.written) toast('已导入');
  }
  const check = h('button', { id: 'imp-preview', type: 'button', text: '预览' });
  check.addEventListener('click', () => send(true).catch((e) => toast(e.message)));
  go.addEventListener('click', () => send(false).catch((e) => toast(e.message)));
  file.addEventListener('change', () => { go.disabled = true; out.replaceChildren(); });
  return h('div', { class: 'card' }, h('h2', { text: '导入名单（CSV）' }),
    h('p', { class: 'muted', text: '列：姓名、手机、组织、城市、区、平台、标签（志愿者加 服务、值班时间；结对加 导师姓名、导师手机）。Excel 存的 CSV（UTF-8 或 GBK）都可以；先预览，没有错误才能导入。按手机号与已有的人合并。' }),
    h('div', { class: 'row' }, file, kind, check, go), out);
}

async function personDetail(view, id) {
  const p = await api('GET', '/people/' + encodeURIComponent(id));
  const me = p.person;
  view.append(h('p', {}, h('a', { href: '#people', text: '← 返回人员' })),
    h('h1', { id: 'person-name', text: `${me.name || '（未留姓名）'} #${me.id}` }));
  const f = {};
  for (const [k] of PEOPLE_FIELDS) f[k] = h('input', { id: 'pp-' + k, value: me[k] || '', maxlength: 200 });
  const tags = h('input', { id: 'pp-tags', value: me.tags || '', placeholder: '用逗号分隔' });
  const edit = can('POST', '/people/' + me.id);
  const form = h('form', { class: 'card', id: 'pp-form' }, h('h2', { text: '资料' }),
    h('div', { class: 'row' }, PEOPLE_FIELDS.filter(([k]) => k in me).map(([k, label]) => h('label', {}, label + ' ', f[k]))),
    h('label', {}, '标签 ', tags),
    h('p', { class: 'muted', text: `渠道 ${me.channels} · 加入 ${fmtTime(me.joined_ms)} · 最近来过 ${fmtTime(me.last_seen_ms)}` +
      (p.points_balance !== undefined ? ` · 积分 ${p.points_balance}` : '') +
      (me.opted_out ? ' · 已退订' : '') + (me.consent ? ` · 同意来源 ${me.consent}` : ' · 未同意群发') }),
    edit ? h('button', { type: 'submit', text: '保存' }) : null);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const fields = {};
    for (const [k] of PEOPLE_FIELDS) if (k in me && f[k].value.trim() !== (me[k] || '')) fields[k] = f[k].value.trim() || null;
    try {
      await api('POST', '/people/' + me.id, { fields, tags: tags.value.split(/[,，、;；]/).map((t) => t.trim()).filter(Boolean) });
      toast('已保存');
      route();
    } catch (e) { toast(e.message); }
  });
  /* a part the role may not read is absent from the answer: not shown */
  const part = (title, rows, head, cells) => !rows ? [] : [h('h2', { text: `${title}（${rows.length}）` }),
    rows.length ? table(head, rows.map((r) => h('tr', {}, cells(r).map((c) => h('td', { text: c == null ? '' : String(c) })))))
      : h('p', { class: 'muted', text: '无' })];
  view.append(form,
    ...part('渠道', p.channels, ['渠道', '账号', '退订', '最近来过'], (c) => [c.channel, c.ext_id, c.opted_out ? '是' : '', fmtTime(c.last_seen_ms)]),
    ...part('积分记录', p.points, ['时间', '分数', '原因'], (x) => [fmtTime(x.created_ms), x.delta, x.reason]),
    ...part('培训报名', p.bookings, ['课程', '开课', '状态'], (x) => [x.course, fmtTime(x.start_ms), BOOKING_NAMES[x.status] || x.status]),
    ...part('随手拍', p.reports, ['编号', '状态', '内容', '时间'], (x) => [x.code, STATUS_NAMES[x.status] || x.status, x.description, fmtTime(x.created_ms)]),
    ...part('工单', p.tickets, ['编号', '服务', '状态', '提交'], (x) => [x.id, DESK_NAMES[x.desk] || x.desk, TICKET_NAMES[x.status] || x.status, fmtTime(x.created_ms)]));
}

/* 定时 (#schedules): the monthly 报到 reminder and pushes after joining. */
PAGES.splice(PAGES.findIndex(([k]) => k === 'broadcasts') + 1, 0, ['schedules', '定时']);
PAGE_NEEDS.schedules = '/schedules';
VIEWS.schedules = pageSchedules;
const SCHEDULE_KINDS = { monthly_checkin: '每月报到提醒（本月未报到的成员）', after_join: '加入后第 N 天' };

async function pageSchedules(view) {
  const kind = h('select', { id: 'sc-kind' }, Object.entries(SCHEDULE_KINDS).map(([k, t]) => h('option', { value: k, text: t })));
  const day = h('input', { id: 'sc-day', type: 'number', min: 0, max: 365, value: 5 });
  const time = h('input', { id: 'sc-time', type: 'time', value: '10:00' });
  const tag = h('input', { id: 'sc-tag', placeholder: '不填：所有人' });
  const text = h('textarea', { id: 'sc-text', maxlength: 1000, placeholder: '{name}，这个月还没报到，回复 报到 城市名' });
  const form = h('form', { class: 'card', id: 'sc-form' }, h('h2', { text: '新建' }),
    h('div', { class: 'row' }, h('label', {}, '类型 ', kind), h('label', {}, '日子（每月几号 / 加入后几天） ', day),
      h('label', {}, '时间 ', time), h('label', {}, '标签 ', tag)),
    h('label', {}, '内容', text),
    h('p', { class: 'muted', text: '按群发的规则发：静默时段和用餐高峰顺延，退订和未同意的人不发。' }),
    h('button', { type: 'submit', text: '保存' }));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const b = { kind: kind.value, day: parseInt(day.value, 10), time: time.value, text: text.value };
    if (tag.value.trim()) b.tag = tag.value.trim();
    try { await api('POST', '/schedules', b); toast('已保存'); route(); } catch (e) { toast(e.message); }
  });
  const list = items(await api('GET', '/schedules'));
  const hhmm = (m) => String(Math.floor(m / 60)).padStart(2, '0') + ':' + String(m % 60).padStart(2, '0');
  view.append(h('h1', { text: '定时推送' }), form,
    list.length ? table(['编号', '类型', '何时', '内容', '已排队', '状态', ''], list.map((s) => {
      const stop = h('button', { class: 'secondary', text: '停用', disabled: !s.active });
      stop.addEventListener('click', async () => {
        try { await api('POST', `/schedules/${s.id}/cancel`, {}); toast('已停用'); route(); } catch (e) { toast(e.message); }
      });
      return h('tr', { 'data-schedule': s.id }, h('td', { text: String(s.id) }), h('td', { text: SCHEDULE_KINDS[s.kind] || s.kind }),
        h('td', { text: s.kind === 'monthly_checkin' ? `每月 ${s.day} 日 ${hhmm(s.minute)}` : `加入后 ${s.day} 天` }),
        h('td', { text: s.text }), h('td', { text: String(s.pushes) }), h('td', { text: s.active ? '启用' : '已停用' }), h('td', {}, stop));
    })) : h('p', { class: 'muted', text: '还没有定时推送。' }));
}
