/*
 * app.js - the office dashboard: sign-in with a session cookie, then one view
 * per page (#glance, #reports, #broadcasts, ...) drawn from /admin/api/.
 * Text from workers is always set as textContent, never parsed as HTML.
 * Changes carry X-CSRF-Token; a route that answers 404 shows "not yet".
 */
'use strict';

const API = '/admin/api';
const S = { csrf: null, role: null, tz: 'Asia/Shanghai', timers: [] };
const ROLE_NAMES = { admin: '总管理员', union: '工会办公室', desk: '高校服务站' };
const PAGES = [
  ['glance', '概览'], ['reports', '随手拍'], ['broadcasts', '群发'], ['courses', '培训'],
  ['lessons', '微课'], ['tickets', '工单'], ['volunteers', '志愿者'], ['points', '积分'],
  ['unknown', '未识别'],
];

/* --- small helpers --- */

function h(tag, attrs, ...kids) {
  const ns = ['svg', 'rect', 'circle', 'line', 'text', 'g', 'title'].includes(tag)
    ? 'http://www.w3.org/2000/svg' : null;
  const el = ns ? document.createElementNS(ns, tag) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of kids.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function $(id) { return document.getElementById(id); }

function toast(msg) {
  const t = $('toast');
  t.textContent = msg;
  t.classList.remove('hidden');
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => t.classList.add('hidden'), 3500);
}

function fmtTime(ms) {
  if (ms === null || ms === undefined) return '';
  try {
    return new Intl.DateTimeFormat('zh-CN', {
      timeZone: S.tz, year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', hour12: false,
    }).format(new Date(ms));
  } catch (e) {
    return new Date(ms).toLocaleString('zh-CN');
  }
}

function pct(x) { return Math.round((x || 0) * 100) + '%'; }

function bar(frac, red) {
  const span = h('span');
  span.style.width = Math.max(0, Math.min(100, (frac || 0) * 100)) + '%';
  return h('div', { class: red ? 'bar red' : 'bar', title: pct(frac) }, span);
}

class ApiError extends Error {
  constructor(status, msg) { super(msg); this.status = status; }
}

async function api(method, path, body) {
  const opt = { method, credentials: 'same-origin', headers: {} };
  if (method !== 'GET') {
    opt.headers['X-CSRF-Token'] = S.csrf || '';
    opt.headers['Content-Type'] = 'application/json';
    opt.body = JSON.stringify(body || {});
  }
  const r = await fetch(API + path, opt);
  let j = null;
  try { j = await r.json(); } catch (e) { j = null; }
  if (r.status === 401) {
    showLogin('登录已过期，请重新登录');
    throw new ApiError(401, '未登录');
  }
  if (!r.ok) throw new ApiError(r.status, (j && j.error) || ('HTTP ' + r.status));
  return j;
}

/* A section that shows "not available yet" when its route answers 404. */
function notYet(what) {
  return h('div', { class: 'notyet' }, h('p', { text: what + '功能暂未开通' }),
    h('p', { class: 'muted', text: '相关模块上线后此页自动可用。' }));
}

function fail(view, e) {
  view.append(h('p', { class: 'error', text: '出错了：' + e.message }));
}

function items(j) { return Array.isArray(j) ? j : (j && (j.items || j.reports || j.tickets || j.volunteers)) || []; }

function localInput(v) { return v ? v.replace('T', ' ') : null; }

/* --- sign-in --- */

function showLogin(msg) {
  S.timers.forEach(clearInterval);
  S.timers = [];
  $('app').classList.add('hidden');
  $('login').classList.remove('hidden');
  $('login-error').textContent = msg || '';
}

async function login(ev) {
  ev.preventDefault();
  const r = await fetch('/admin/login', {
    method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ token: $('login-token').value }),
  });
  if (!r.ok) {
    $('login-error').textContent = r.status === 401 ? '口令不对' : '登录失败（' + r.status + '）';
    return;
  }
  $('login-token').value = '';
  await start();
}

async function logout() {
  await fetch('/admin/logout', {
    method: 'POST', credentials: 'same-origin', headers: { 'X-CSRF-Token': S.csrf || '' },
  });
  S.csrf = null;
  showLogin('已退出');
}

async function start() {
  const r = await fetch(API + '/me', { credentials: 'same-origin' });
  const me = r.ok ? await r.json() : {};
  if (!me.role) { showLogin(''); return; }
  S.csrf = me.csrf;
  S.role = me.role;
  S.tz = me.timezone || S.tz;
  $('role').textContent = ROLE_NAMES[me.role] || me.role;
  $('login').classList.add('hidden');
  $('app').classList.remove('hidden');
  route();
}

/* --- pages --- */

function chart(title, days, values) {
  const w = 300, hgt = 80, n = values.length, max = Math.max(1, ...values);
  const bw = w / n;
  const svg = h('svg', { viewBox: `0 0 ${w} ${hgt + 12}`, role: 'img', 'aria-label': title });
  values.forEach((v, i) => {
    const bh = Math.round((v / max) * hgt);
    svg.append(h('rect', {
      x: (i * bw + 1).toFixed(1), y: hgt - bh, width: Math.max(1, bw - 2).toFixed(1), height: bh,
      class: i === n - 1 ? 'today' : null,
    }, h('title', { text: `${days[i]}: ${v}` })));
  });
  svg.append(h('text', { x: 0, y: hgt + 11, text: days[0].slice(5) }));
  svg.append(h('text', { x: w - 34, y: hgt + 11, text: days[n - 1].slice(5) }));
  return h('div', { class: 'card chart' },
    h('div', { class: 'row' }, h('b', { text: title }),
      h('span', { class: 'muted', text: `近 ${n} 天 合计 ${values.reduce((a, b) => a + b, 0)}，最高 ${Math.max(0, ...values)}` })), svg);
}

function tile(n, label) {
  return h('div', { class: 'tile' }, h('div', { class: 'n', text: n }), h('div', { class: 'l', text: label }));
}

/* A count from an optional route: '—' with a note when it is not there yet. */
async function optionalCount(path, filter) {
  try {
    const list = items(await api('GET', path));
    return String(filter ? list.filter(filter).length : list.length);
  } catch (e) {
    return e.status === 404 ? '未开通' : '—';
  }
}

async function pageGlance(view) {
  const st = await api('GET', '/stats?days=30');
  const last = (k) => st[k][st[k].length - 1];
  const open = (t) => !['resolved', 'closed', 'rejected', 'merged', 'done'].includes(t.status);
  const [reports, tickets] = await Promise.all([
    optionalCount('/reports?status=new'), optionalCount('/tickets', open)]);
  view.append(h('h1', { text: '今日概览' }),
    h('div', { class: 'tiles' },
      tile(last('messages'), '今日消息'), tile(last('people'), '今日新用户'),
      tile(reports, '新随手拍'), tile(tickets, '未结工单'),
      tile(st.now.seats_booked, '已订座位'), tile(st.now.broadcasts_going, '正在群发'),
      tile(last('pushes'), '今日已推送'), tile(st.now.unknown, '未识别消息')),
    h('div', { class: 'charts' },
      chart('消息', st.days, st.messages), chart('新用户', st.days, st.people),
      chart('推送', st.days, st.pushes), chart('报名', st.days, st.bookings)));
}

/* Reports: list with thumbnails and status filters; a report with its photos,
 * position, history, status buttons and merge. */
const REPORT_STATUS = [['', '全部'], ['new', '新提交'], ['accepted', '已受理'], ['resolved', '已解决'], ['rejected', '不受理']];
const STATUS_NAMES = Object.fromEntries(REPORT_STATUS.filter((s) => s[0]));

function mediaUrl(p) {
  const sha = typeof p === 'string' ? p : (p && (p.sha256 || p.sha));
  return sha ? `${API}/media/${encodeURIComponent(sha)}` : (p && p.url) || '';
}

async function pageReports(view, arg) {
  if (arg) return reportDetail(view, arg);
  const status = new URLSearchParams(location.hash.split('?')[1] || '').get('status') || '';
  view.append(h('h1', { text: '随手拍' }));
  let list;
  try {
    list = items(await api('GET', '/reports' + (status ? '?status=' + encodeURIComponent(status) : '')));
  } catch (e) {
    if (e.status === 404) { view.append(notYet('随手拍')); return; }
    throw e;
  }
  view.append(h('div', { class: 'row' }, REPORT_STATUS.map(([k, name]) =>
    h('a', { href: '#reports' + (k ? '?status=' + k : ''), class: k === status ? 'pill on' : 'pill', text: name }))));
  const rows = list.map((r) => {
    const photo = (r.photos || r.media || [])[0];
    return h('tr', {},
      h('td', {}, photo ? h('img', { class: 'thumb', src: mediaUrl(photo), alt: '照片', loading: 'lazy' }) : ''),
      h('td', {}, h('a', { href: '#reports/' + encodeURIComponent(r.code), text: r.code }),
        h('div', { class: 'muted', text: fmtTime(r.created_ms) })),
      h('td', { text: r.text || r.description || '' }),
      h('td', {}, h('span', { class: 'pill', text: STATUS_NAMES[r.status] || r.status || '' })));
  });
  view.append(list.length ? h('div', { class: 'scroll' }, h('table', {},
    h('tr', {}, h('th', { text: '照片' }), h('th', { text: '编号' }), h('th', { text: '描述' }), h('th', { text: '状态' })), rows))
    : h('p', { class: 'muted', text: '没有随手拍。' }));
}

function plot(lat, lon) {
  /* a map-like plot: the point on a grid of 0.01° around it, coordinates written out */
  const svg = h('svg', { class: 'plot', viewBox: '0 0 300 200', role: 'img', 'aria-label': '位置' });
  for (let i = 0; i <= 6; i++) {
    svg.append(h('line', { class: 'grid', x1: i * 50, y1: 0, x2: i * 50, y2: 200 }));
    if (i <= 4) svg.append(h('line', { class: 'grid', x1: 0, y1: i * 50, x2: 300, y2: i * 50 }));
  }
  const fx = (lon * 100) % 1, fy = (lat * 100) % 1;
  svg.append(h('circle', { class: 'dot', cx: 100 + fx * 50, cy: 100 - fy * 50, r: 7 }));
  svg.append(h('text', { x: 6, y: 194, text: `纬度 ${lat.toFixed(5)}  经度 ${lon.toFixed(5)}` }));
  return svg;
}

async function reportDetail(view, code) {
  let r;
  try {
    r = await api('GET', '/reports/' + encodeURIComponent(code));
  } catch (e) {
    if (e.status === 404) { view.append(notYet('随手拍详情')); return; }
    throw e;
  }
  r = r.report || r;
  view.append(h('p', {}, h('a', { href: '#reports', text: '← 返回列表' })),
    h('h1', { text: `随手拍 ${r.code}` }),
    h('div', { class: 'card' },
      h('p', { text: r.text || r.description || '（无描述）' }),
      h('p', { class: 'muted', text: `状态：${STATUS_NAMES[r.status] || r.status}  提交：${fmtTime(r.created_ms)}  ${r.person || ''}` }),
      (r.photos || r.media || []).map((p) => h('a', { href: mediaUrl(p), target: '_blank' },
        h('img', { class: 'photo', src: mediaUrl(p), alt: '照片' })))));
  const lat = r.lat ?? (r.location && r.location.lat), lon = r.lon ?? (r.location && r.location.lon);
  if (typeof lat === 'number' && typeof lon === 'number') {
    view.append(h('div', { class: 'card' }, h('h2', { text: '位置' }), plot(lat, lon),
      h('p', {}, h('a', { href: `geo:${lat},${lon}`, text: '在地图应用中打开' }), ' · ',
        h('a', { href: `https://uri.amap.com/marker?position=${lon},${lat}`, target: '_blank', rel: 'noopener', text: '高德地图' }))));
  }
  const setStatus = async (status) => {
    try {
      await api('POST', `/reports/${encodeURIComponent(r.code)}/status`, { status });
      toast('已更新');
      route();
    } catch (e) { toast(e.status === 404 ? '此功能暂未开通' : e.message); }
  };
  const into = h('input', { placeholder: '重复的编号，如 SP0041', 'aria-label': '合并到' });
  view.append(h('div', { class: 'card' }, h('h2', { text: '处理' }),
    h('div', { class: 'row' },
      h('button', { onclick: () => setStatus('accepted'), text: '受理' }),
      h('button', { onclick: () => setStatus('resolved'), text: '已解决' }),
      h('button', { class: 'secondary', onclick: () => setStatus('rejected'), text: '不受理' })),
    h('div', { class: 'row' }, into, h('button', {
      class: 'secondary', text: '合并为重复',
      onclick: async () => {
        try {
          await api('POST', `/reports/${encodeURIComponent(r.code)}/merge`, { into: into.value.trim() });
          toast('已合并');
          route();
        } catch (e) { toast(e.status === 404 ? '此功能暂未开通' : e.message); }
      },
    }))));
  const hist = r.history || [];
  view.append(h('div', { class: 'card' }, h('h2', { text: '记录' }),
    hist.length ? h('ul', {}, hist.map((x) => h('li', { text: `${fmtTime(x.ms || x.created_ms)} ${STATUS_NAMES[x.status] || x.status || ''} ${x.note || x.by || ''}` })))
      : h('p', { class: 'muted', text: '暂无记录' })));
}

/* Broadcasts: compose with a live preview (SMS parts, cost), send, progress. */
function progress(b) {
  const c = b.counts || {};
  const total = Math.max(1, b.recipients || 0);
  const done = (c.sent || 0), bad = (c.failed || 0) + (c.dead || 0);
  const left = (c.queued || 0) + (c.held || 0) + (c.sending || 0);
  return { frac: done / total, text: `已发 ${done} / ${b.recipients}，待发 ${left}，失败 ${bad}，取消 ${c.cancelled || 0}`, left };
}

async function pageBroadcasts(view) {
  const text = h('textarea', { id: 'bc-text', maxlength: 1000, placeholder: '要发给大家的话（不超过 1000 字）' });
  const aud = h('select', { id: 'bc-audience' },
    h('option', { value: 'subscribers', text: '所有订阅者' }), h('option', { value: 'all', text: '全部（含未订阅）' }),
    h('option', { value: 'channel:', text: '某个渠道…' }), h('option', { value: 'tag:', text: '某个标签…' }));
  const audArg = h('input', { id: 'bc-audience-arg', placeholder: '渠道或标签名', class: 'hidden' });
  const at = h('input', { id: 'bc-at', type: 'datetime-local' });
  const price = h('input', { id: 'bc-price', type: 'number', step: '0.01', min: '0', value: localStorage.getItem('smsPrice') || '0.05' });
  const prev = h('div', { id: 'bc-preview', class: 'preview muted', text: '输入内容后显示短信条数和费用' });
  const send = h('button', { id: 'bc-send', text: '发送', disabled: true });
  aud.addEventListener('change', () => { audArg.classList.toggle('hidden', !aud.value.endsWith(':')); refresh(); });
  const audience = () => aud.value.endsWith(':') ? aud.value + audArg.value.trim() : aud.value;
  const body = () => ({ text: text.value, audience: audience(), at: localInput(at.value) });
  let timer = null;
  async function refresh() {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      if (!text.value.trim()) { prev.textContent = '输入内容后显示短信条数和费用'; send.disabled = true; return; }
      try {
        const p = await api('POST', '/broadcasts', { ...body(), preview: true });
        localStorage.setItem('smsPrice', price.value);
        const cost = (p.sms_total * (parseFloat(price.value) || 0)).toFixed(2);
        prev.textContent = `收件人 ${p.recipients}（已退订 ${p.opted_out}）· 每条短信 ${p.sms_parts} 段（${p.encoding}，${p.sms_units} 字符）· ` +
          `短信收件人 ${p.sms_recipients}，共 ${p.sms_total} 条，约 ${cost} 元 · 最早发送 ${fmtTime(p.first_at)}` +
          (p.within_cap ? '' : ' · 太长，超过短信段数上限');
        prev.classList.toggle('error', !p.within_cap);
        send.disabled = !p.within_cap || p.recipients === 0;
      } catch (e) {
        prev.textContent = e.message;
        send.disabled = true;
      }
    }, 250);
  }
  [text, audArg, at, price].forEach((el) => el.addEventListener('input', refresh));
  send.addEventListener('click', async () => {
    if (!confirm('确定发送这条群发？')) return;
    try {
      const r = await api('POST', '/broadcasts', body());
      toast(`已排队，收件人 ${r.recipients}`);
      text.value = '';
      route();
    } catch (e) { toast(e.message); }
  });
  view.append(h('h1', { text: '群发' }), h('div', { class: 'card' },
    h('label', {}, '内容', text), prev,
    h('div', { class: 'row' }, h('label', {}, '发给 ', aud), audArg,
      h('label', {}, '时间 ', at), h('label', {}, '每条短信 ', price, ' 元')),
    h('p', { class: 'muted', text: '不选时间就尽快发送；静默时段和用餐高峰不发，自动顺延。' }), send));
  const st = await api('GET', '/stats?days=1');
  const list = h('div', {});
  view.append(h('h2', { text: '最近的群发' }), list);
  if (!st.broadcasts.length) list.append(h('p', { class: 'muted', text: '还没有群发。' }));
  for (const b of st.broadcasts) {
    const line = h('div', { class: 'muted' }), barBox = h('div', {});
    const cancel = h('button', { class: 'secondary', text: '取消' });
    const card = h('div', { class: 'card', 'data-broadcast': b.id },
      h('div', { class: 'row' }, h('b', { text: `#${b.id}` }), h('span', { text: fmtTime(b.at_ms) }),
        h('span', { class: 'pill', text: b.audience })),
      h('p', { text: b.text }), barBox, line, cancel);
    list.append(card);
    const poll = async () => {
      let full;
      try { full = await api('GET', '/broadcasts/' + b.id); } catch (e) { return false; }
      const p = progress(full);
      barBox.replaceChildren(bar(p.frac));
      line.textContent = (full.cancelled_ms ? '已取消 · ' : '') + p.text;
      cancel.disabled = !!full.cancelled_ms || p.left === 0;
      return p.left > 0 && !full.cancelled_ms;
    };
    cancel.addEventListener('click', async () => {
      if (!confirm('取消尚未发出的消息？')) return;
      try { const r = await api('POST', `/broadcasts/${b.id}/cancel`, {}); toast(`已取消 ${r.cancelled} 条`); poll(); } catch (e) { toast(e.message); }
    });
    if (await poll()) {
      const t = setInterval(async () => { if (!(await poll())) clearInterval(t); }, 3000);
      S.timers.push(t);
    }
  }
}

/* Courses: create, list with capacity and waitlist, bookings, attendance, CSV. */
async function pageCourses(view, arg) {
  if (arg) return courseDetail(view, arg);
  const f = {
    title: h('input', { id: 'c-title', required: true }), place: h('input', { id: 'c-place', required: true }),
    provider: h('input', { id: 'c-provider' }), start: h('input', { id: 'c-start', type: 'datetime-local', required: true }),
    end: h('input', { id: 'c-end', type: 'datetime-local', required: true }),
    capacity: h('input', { id: 'c-capacity', type: 'number', min: 1, value: 20, required: true }),
    cost: h('input', { id: 'c-cost', type: 'number', min: 0, value: 0 }),
    checkin_points: h('input', { id: 'c-points', type: 'number', min: 0, value: 10 }),
  };
  const owner = h('select', { id: 'c-owner' }, h('option', { value: 'union', text: '工会办公室' }), h('option', { value: 'desk', text: '高校服务站' }));
  const form = h('form', { class: 'card' },
    h('h2', { text: '新建培训' }),
    h('div', { class: 'row' }, h('label', {}, '名称 ', f.title), h('label', {}, '地点 ', f.place), h('label', {}, '主办 ', f.provider)),
    h('div', { class: 'row' }, h('label', {}, '开始 ', f.start), h('label', {}, '结束 ', f.end)),
    h('div', { class: 'row' }, h('label', {}, '名额 ', f.capacity), h('label', {}, '积分费用 ', f.cost),
      h('label', {}, '签到积分 ', f.checkin_points), S.role === 'admin' ? h('label', {}, '归属 ', owner) : null),
    h('button', { type: 'submit', text: '创建' }));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const b = {
      title: f.title.value, place: f.place.value, start: localInput(f.start.value), end: localInput(f.end.value),
      capacity: parseInt(f.capacity.value, 10), cost: parseInt(f.cost.value || '0', 10),
      checkin_points: parseInt(f.checkin_points.value || '0', 10),
    };
    if (f.provider.value) b.provider = f.provider.value;
    if (S.role === 'admin') b.owner = owner.value;
    try {
      const r = await api('POST', '/courses', b);
      toast(`已创建：第 ${r.no} 号，签到码 ${r.checkin_code}`);
      route();
    } catch (e) { toast(e.message); }
  });
  const list = items(await api('GET', '/courses'));
  view.append(h('h1', { text: '培训与报名' }), form,
    list.length ? h('div', { class: 'scroll' }, h('table', {},
      h('tr', {}, h('th', { text: '号' }), h('th', { text: '名称' }), h('th', { text: '时间' }),
        h('th', { text: '名额' }), h('th', { text: '候补' }), h('th', { class: 'hide-phone', text: '签到码' })),
      list.map((c) => h('tr', {},
        h('td', { text: c.no }),
        h('td', {}, h('a', { href: '#courses/' + c.id, text: c.title }), c.cancelled_ms ? h('span', { class: 'pill', text: '已取消' }) : '',
          h('div', { class: 'muted', text: c.place + (S.role === 'admin' && c.owner ? ' · ' + (ROLE_NAMES[c.owner] || c.owner) : '') })),
        h('td', { text: fmtTime(c.start_ms) }),
        h('td', {}, `${c.taken} / ${c.capacity}`, bar(c.taken / Math.max(1, c.capacity), c.taken >= c.capacity)),
        h('td', { text: c.waiting }), h('td', { class: 'hide-phone', text: c.checkin_code || '' })))))
      : h('p', { class: 'muted', text: '还没有培训。' }));
}

const BOOKING_NAMES = { seat: '已报名', offered: '待确认', waiting: '候补', cancelled: '已取消', expired: '已过期', declined: '已放弃' };

async function courseDetail(view, id) {
  const c = await api('GET', '/courses/' + id);
  const b = await api('GET', `/courses/${id}/bookings`);
  const csv = h('a', { id: 'csv-link', href: `${API}/courses/${id}/bookings?format=csv`, download: `course-${id}.csv`, text: '导出 CSV' });
  const cancel = h('button', { class: 'secondary', text: '取消这次培训', disabled: !!c.cancelled_ms });
  cancel.addEventListener('click', async () => {
    if (!confirm('取消后所有报名者会收到通知，积分退回。确定？')) return;
    try { await api('POST', `/courses/${id}/cancel`, {}); toast('已取消'); route(); } catch (e) { toast(e.message); }
  });
  view.append(h('p', {}, h('a', { href: '#courses', text: '← 返回培训' })),
    h('h1', { text: `第 ${c.no} 号 ${c.title}` }),
    h('div', { class: 'card' },
      h('p', { text: `${fmtTime(c.start_ms)} – ${fmtTime(c.end_ms)} · ${c.place} · ${c.provider || ''}` }),
      h('p', { text: `名额 ${c.taken} / ${c.capacity} · 候补 ${c.waiting} · 签到码 ${c.checkin_code || '无'}` }),
      bar(c.taken / Math.max(1, c.capacity), c.taken >= c.capacity),
      h('div', { class: 'row' }, csv, cancel)));
  const rows = (b.bookings || []).map((x) => {
    const mark = h('button', { class: 'secondary', text: '签到', disabled: x.status !== 'seat' || !!x.attended_ms });
    mark.addEventListener('click', async () => {
      try { await api('POST', `/courses/${id}/attendance`, { person: x.person }); toast('已记出勤'); route(); } catch (e) { toast(e.message); }
    });
    return h('tr', {}, h('td', { text: x.name || x.person }), h('td', { class: 'hide-phone', text: x.person }),
      h('td', { text: (BOOKING_NAMES[x.status] || x.status) + (x.status === 'waiting' && x.position ? ` 第 ${x.position} 位` : '') }),
      h('td', { text: x.attended_ms ? '已到 ' + fmtTime(x.attended_ms) : '' }), h('td', {}, mark));
  });
  view.append(h('h2', { text: '报名名单' }), rows.length ? h('div', { class: 'scroll' }, h('table', {},
    h('tr', {}, h('th', { text: '姓名' }), h('th', { class: 'hide-phone', text: '账号' }), h('th', { text: '状态' }), h('th', { text: '出勤' }), h('th', { text: '' })), rows))
    : h('p', { class: 'muted', text: '还没有人报名。' }));
}

async function pageLessons(view) {
  const list = items(await api('GET', '/lessons'));
  view.append(h('h1', { text: '微课' }), list.length ? h('div', { class: 'scroll' }, h('table', {},
    h('tr', {}, h('th', { text: '课' }), h('th', { text: '标题' }), h('th', { text: '看过' }), h('th', { text: '完成率' }), h('th', { text: '答对率' })),
    list.map((l) => h('tr', {}, h('td', { text: l.id }), h('td', {}, l.title, h('div', { class: 'muted', text: l.topic || '' })),
      h('td', { text: l.shown }),
      h('td', {}, pct(l.completion_rate), bar(l.completion_rate)),
      h('td', {}, pct(l.right_rate), bar(l.right_rate))))))
    : h('p', { class: 'muted', text: '没有微课。' }));
}

/* Tickets and volunteers come from the service-desk feature. */
async function pageList(view, title, path, cols) {
  view.append(h('h1', { text: title }));
  let list;
  try {
    list = items(await api('GET', path));
  } catch (e) {
    if (e.status === 404) { view.append(notYet(title)); return; }
    throw e;
  }
  view.append(list.length ? h('div', { class: 'scroll' }, h('table', {},
    h('tr', {}, cols.map(([, name]) => h('th', { text: name }))),
    list.map((t) => h('tr', {}, cols.map(([k]) => h('td', { text: k.endsWith('_ms') ? fmtTime(t[k]) : (t[k] ?? '') }))))))
    : h('p', { class: 'muted', text: '暂无。' }));
}

async function pagePoints(view) {
  const who = h('input', { id: 'p-person', placeholder: '渠道:账号，如 generic:u-42' });
  const out = h('div', {});
  const budget = h('p', { class: 'muted' });
  const delta = h('input', { id: 'p-delta', type: 'number', value: 10 });
  const reason = h('input', { id: 'p-reason', placeholder: '原因，如 志愿服务' });
  async function show() {
    out.replaceChildren();
    if (!who.value.trim()) return;
    try {
      const p = await api('GET', '/points/' + encodeURIComponent(who.value.trim()));
      out.append(h('p', {}, h('b', { text: `余额 ${p.balance} 分` })), h('div', { class: 'scroll' }, h('table', {},
        h('tr', {}, h('th', { text: '时间' }), h('th', { text: '变动' }), h('th', { text: '原因' })),
        p.entries.map((e) => h('tr', {}, h('td', { text: fmtTime(e.ms) }), h('td', { text: (e.delta > 0 ? '+' : '') + e.delta }), h('td', { text: e.reason }))))));
    } catch (e) { out.append(h('p', { class: 'error', text: e.status === 404 ? '查无此人' : e.message })); }
  }
  async function loadBudget() {
    const b = await api('GET', '/budget');
    budget.textContent = b.budget === null ? '总管理员：不限额度' : `本月手动加分额度 ${b.budget}，已用 ${b.used}，剩余 ${b.left}`;
  }
  const credit = h('button', { id: 'p-credit', text: '加分' });
  credit.addEventListener('click', async () => {
    const d = parseInt(delta.value, 10);
    if (!who.value.trim() || !d || !reason.value.trim()) { toast('请填写账号、分数和原因'); return; }
    try {
      const ref = 'web-' + Date.now().toString(36) + '-' + Math.random().toString(36).slice(2, 8);
      const r = await api('POST', '/points', { person: who.value.trim(), delta: d, reason: reason.value.trim(), ref });
      toast(`已记 ${r.delta > 0 ? '+' : ''}${r.delta}，余额 ${r.balance}`);
      show();
      loadBudget();
    } catch (e) { toast(e.message); }
  });
  view.append(h('h1', { text: '积分' }), h('div', { class: 'card' },
    h('div', { class: 'row' }, who, h('button', { class: 'secondary', text: '查询', onclick: show })), out),
  h('div', { class: 'card' }, h('h2', { text: '加分 / 更正' }), budget,
    h('div', { class: 'row' }, h('label', {}, '分数 ', delta), h('label', {}, '原因 ', reason), credit),
    h('p', { class: 'muted', text: '负数为更正扣分；每次记账都留痕，不能修改。' })));
  await loadBudget();
}

async function pageUnknown(view) {
  const list = items(await api('GET', '/unknown?suggest=1&limit=100'));
  view.append(h('h1', { text: '没听懂的消息' }),
    h('p', { class: 'muted', text: '按出现次数排序。把建议的规则加到 intents/ 里的 .rules 文件，机器人就能听懂。' }),
    list.length ? h('div', { class: 'scroll' }, h('table', {},
      h('tr', {}, h('th', { text: '原话' }), h('th', { text: '次数' }), h('th', { text: '建议' })),
      list.map((u) => {
        const s = u.suggest || {};
        return h('tr', {}, h('td', {}, u.text, h('div', { class: 'muted', text: fmtTime(u.last_ms) })),
          h('td', { text: u.count }),
          h('td', {}, s.intent ? h('div', { text: `像是「${s.intent}」（认出了“${s.matched}”）` }) : h('div', { class: 'muted', text: '规则都没认出，需新写规则' }),
            h('code', { class: 'rule', text: s.rule || '' })));
      })))
      : h('p', { class: 'muted', text: '没有没听懂的消息。' }));
}

const VIEWS = {
  glance: pageGlance, reports: pageReports, broadcasts: pageBroadcasts, courses: pageCourses,
  lessons: pageLessons, points: pagePoints, unknown: pageUnknown,
  tickets: (v) => pageList(v, '工单', '/tickets', [['id', '编号'], ['kind', '类别'], ['text', '内容'], ['status', '状态'], ['created_ms', '时间']]),
  volunteers: (v) => pageList(v, '志愿者', '/volunteers', [['name', '姓名'], ['kind', '服务'], ['person', '账号'], ['active', '在岗']]),
};

async function route() {
  S.timers.forEach(clearInterval);
  S.timers = [];
  const hash = location.hash.replace(/^#/, '').split('?')[0] || 'glance';
  const [page, arg] = hash.split('/');
  const fn = VIEWS[page] || pageGlance;
  const nav = $('nav');
  nav.replaceChildren(...PAGES.map(([k, name]) => h('a', { href: '#' + k, class: k === page ? 'on' : null, text: name })));
  const view = $('view');
  view.replaceChildren();
  view.dataset.page = page;
  try {
    await fn(view, arg && decodeURIComponent(arg));
  } catch (e) {
    if (e.status !== 401) fail(view, e);
  }
  view.dataset.ready = page;
}

window.addEventListener('hashchange', () => {
  $('toast').classList.add('hidden');
  if (!$('app').classList.contains('hidden')) route();
});
document.addEventListener('DOMContentLoaded', () => {
  $('login-form').addEventListener('submit', login);
  $('logout').addEventListener('click', logout);
  start();
});
