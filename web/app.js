/*
 * app.js - the office dashboard: sign-in with a session cookie, then one view
 * per page (#glance, #reports, #broadcasts, ...) drawn from /admin/api/.
 * Text from workers is always set as textContent, never parsed as HTML.
 * Changes carry X-CSRF-Token. Nothing is loaded from another host: photos
 * come from /admin/api/media/<sha256>, positions are drawn as inline SVG.
 */
'use strict';

const API = '/admin/api';
const S = { csrf: null, role: null, user: null, tz: 'Asia/Shanghai', timers: [], routes: [] };
const ROLE_NAMES = {
  admin: '总管理员', union: '工会办公室', desk: '高校服务站', counsel: '心理咨询台',
  reports: '片区随手拍', viewer: '领导（只读）',
};
const ORG_NAMES = { union: '工会', university: '高校' };
/* May this role call METHOD /path? GET /me lists the role's rows of the
 * server's role x route table ("*" stands for one path segment). */
function can(method, path) {
  const segs = path.split('/');
  return S.routes.some((r) => {
    const [m, p] = r.split(' ');
    const ps = p.split('/');
    return m === method && ps.length === segs.length && ps.every((x, i) => x === '*' || x === segs[i]);
  });
}
/* The route each page needs: pages the role may not use are not shown. */
const PAGE_NEEDS = {
  glance: '/stats', reports: '/reports', broadcasts: '/broadcasts', courses: '/courses',
  lessons: '/lessons', tickets: '/tickets', volunteers: '/volunteers', points: '/points/x',
  unknown: '/unknown', staff: '/staff', audit: '/audit', account: 'POST /password',
};
const PAGES = [
  ['glance', '概览'], ['reports', '随手拍'], ['broadcasts', '群发'], ['courses', '培训'],
  ['lessons', '微课'], ['tickets', '工单'], ['volunteers', '志愿者'], ['points', '积分'],
  ['unknown', '未识别'], ['staff', '账号'], ['audit', '操作记录'], ['account', '我的密码'],
];
/* May the signed-in account open page k? */
function pageAllowed(k) {
  const need = PAGE_NEEDS[k] || '';
  const [m, p] = need.includes(' ') ? need.split(' ') : ['GET', need];
  if (k === 'account' && !S.user) return false; /* a machine client has no password */
  return can(m, p);
}

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
  constructor(status, msg, body) { super(msg); this.status = status; this.body = body; }
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
  if (!r.ok) throw new ApiError(r.status, (j && j.error) || ('HTTP ' + r.status), j);
  return j;
}

function fail(view, e) {
  view.append(h('p', { class: 'error', text: '出错了：' + e.message }));
}

function items(j) { return (j && j.items) || []; }

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
  const user = $('login-user').value.trim(), code = $('login-code').value.trim();
  if (!code && !$('login-password').value) { $('login-error').textContent = '请输入密码或登录码'; return; }
  const r = await fetch('/admin/login', {
    method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(code ? { username: user, code } : { username: user, password: $('login-password').value }),
  });
  $('login-password').value = '';
  $('login-code').value = '';
  if (!r.ok) {
    $('login-error').textContent = r.status === 401 ? '账号或密码不对'
      : r.status === 403 ? '这个账号已停用' : r.status === 429 ? '错误次数太多，请一分钟后再试'
        : r.status === 503 ? '正在为别人登录，请再点一次'
        : '登录失败（' + r.status + '）';
    return;
  }
  await start();
}

/* A one-time code to the account's own linked chat (the answer is the same
 * whether the account exists or not). */
async function askCode() {
  const user = $('login-user').value.trim();
  if (!user) { $('login-error').textContent = '请先输入账号'; return; }
  const r = await fetch('/admin/login/code', {
    method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: user }),
  });
  $('login-code-row').classList.remove('hidden');
  $('login-error').textContent = r.ok ? '如果这个账号绑定了聊天，登录码已发到那里，5 分钟内有效。'
    : r.status === 429 ? '次数太多，请一分钟后再试' : '发送失败（' + r.status + '）';
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
  S.routes = me.routes || [];
  S.tz = me.timezone || S.tz;
  S.user = me.user || null;
  $('user').textContent = me.user || '';
  $('role').textContent = (ROLE_NAMES[me.role] || me.role) + (me.area ? ' · ' + me.area : '');
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

async function pageGlance(view) {
  const st = await api('GET', '/stats?days=30');
  const last = (k) => st[k][st[k].length - 1];
  const none = { items: [] };
  const [fresh, open, taken] = await Promise.all([
    can('GET', '/reports') ? api('GET', '/reports?status=received&limit=1000') : none,
    can('GET', '/tickets') ? api('GET', '/tickets?status=open&limit=1000') : none,
    can('GET', '/tickets') ? api('GET', '/tickets?status=taken&limit=1000') : none]);
  const reports = items(fresh).length, tickets = items(open).length + items(taken).length;
  view.append(h('h1', { text: '今日概览' }),
    h('div', { class: 'tiles' },
      tile(last('messages'), '今日消息'), tile(last('people'), '今日新用户'),
      h('a', { href: '#reports?status=received', class: 'tile-link' }, tile(reports, '待受理随手拍')),
      h('a', { href: '#tickets', class: 'tile-link' }, tile(tickets, '未结工单')),
      tile(st.now.seats_booked, '已订座位'), tile(st.now.broadcasts_going, '正在群发'),
      tile(last('pushes'), '今日已推送'), tile(st.now.unknown, '未识别消息')),
    h('div', { class: 'charts' },
      chart('消息', st.days, st.messages), chart('新用户', st.days, st.people),
      chart('推送', st.days, st.pushes), chart('报名', st.days, st.bookings)));
}

/* Reports (随手拍): list with status filters and thumbnails; a report with its
 * photos, its position plotted, history, status buttons and merge. Photos come
 * only from /admin/api/media/<sha256>: the page's CSP allows no other host. */
const REPORT_STATUS = [['', '全部'], ['received', '待受理'], ['accepted', '已受理'], ['in_progress', '处理中'],
  ['resolved', '已解决'], ['rejected', '已驳回'], ['merged', '已合并']];
const STATUS_NAMES = Object.fromEntries(REPORT_STATUS.filter((s) => s[0]));
const PHOTO_NAMES = { none: '无照片', pending: '照片下载中', fetching: '照片下载中', ok: '', failed: '照片下载失败' };
/* What the workflow allows from each status (bot/handle_report.c, allowed()). */
const REPORT_NEXT = {
  received: ['accepted', 'rejected', 'in_progress', 'resolved'], accepted: ['rejected', 'in_progress', 'resolved'],
  in_progress: ['rejected', 'resolved'], resolved: ['in_progress'], rejected: ['accepted'], merged: [],
};
const REPORT_ACTIONS = [['accepted', '受理'], ['in_progress', '处理中'], ['resolved', '已解决'], ['rejected', '驳回']];

function hashQuery() { return new URLSearchParams(location.hash.split('?')[1] || ''); }

function statusPill(s) { return h('span', { class: 'pill st-' + s, text: STATUS_NAMES[s] || s }); }

async function pageReports(view, arg) {
  if (arg) return reportDetail(view, arg);
  const hq = hashQuery(), status = hq.get('status') || '';
  const params = new URLSearchParams();
  for (const k of ['status', 'category', 'district', 'body', 'observer']) if (hq.get(k)) params.set(k, hq.get(k));
  const q = params.toString() ? '?' + params : '';
  const list = items(await api('GET', '/reports' + q + (q ? '&' : '?') + 'limit=200'));
  view.append(h('h1', { text: '随手拍' }),
    h('div', { class: 'row filters' }, REPORT_STATUS.map(([k, name]) =>
      h('a', { href: '#reports' + (k ? '?status=' + k : ''), class: k === status ? 'pill on' : 'pill', text: name })),
    h('a', { class: 'csv', href: `${API}/reports?format=csv${q ? '&' + params : ''}`, download: 'reports.csv', text: '导出 CSV' })));
  const rows = list.map((r) => h('tr', { 'data-report': r.code },
    h('td', {}, r.photo_url ? h('a', { href: '#reports/' + r.code }, h('img', { class: 'thumb', src: r.photo_url, alt: r.code + ' 的照片' }))
      : h('span', { class: 'thumb none', text: PHOTO_NAMES[r.photo_status] || r.photo_status })),
    h('td', {}, h('a', { href: '#reports/' + encodeURIComponent(r.code), text: r.code }),
      h('div', { class: 'muted', text: fmtTime(r.created_ms) })),
    h('td', {}, r.description || h('span', { class: 'muted', text: '（无描述）' }),
      r.possible_duplicate_of ? h('div', { class: 'warn', text: `可能与 ${r.possible_duplicate_of} 重复` }) : null,
      r.merged_into ? h('div', { class: 'muted', text: `已并入 ${r.merged_into}` }) : null),
    h('td', { class: 'hide-phone' }, r.category || h('span', { class: 'muted', text: '未分类' }),
      h('div', { class: 'muted', text: [r.district, r.body].filter(Boolean).join(' · ') }),
      r.observer ? h('span', { class: 'pill observer', text: '观察员' }) : null),
    h('td', { class: 'hide-phone', text: typeof r.lat === 'number' ? `${r.lat.toFixed(4)}, ${r.lon.toFixed(4)}` : '' }),
    h('td', {}, statusPill(r.status), r.reopened ? h('div', { class: 'muted', text: '已重开' }) : null)));
  view.append(list.length ? h('div', { class: 'scroll' }, h('table', { class: 'reports' },
    h('tr', {}, h('th', { text: '照片' }), h('th', { text: '编号' }), h('th', { text: '描述' }),
      h('th', { class: 'hide-phone', text: '类别 · 区县 · 处理单位' }), h('th', { class: 'hide-phone', text: '位置' }), h('th', { text: '状态' })), rows))
    : h('p', { class: 'muted', text: status ? '没有这个状态的随手拍。' : '还没有随手拍。' }));
}

/* Metres per degree of latitude / of longitude at lat. */
function metresPerDeg(lat) { return [111320, 111320 * Math.cos(lat * Math.PI / 180)]; }

/* A map-like plot drawn here (no tiles, nothing loaded): about 1.2 x 0.8 km
 * around the report, a grid of round coordinates, a 200 m scale, the report
 * in red and other reports in the window in grey, the coordinates written out. */
function plot(lat, lon, code, others) {
  const W = 360, H = 240, [my, mx] = metresPerDeg(lat);
  const spanX = 1200 / mx, spanY = 800 / my; /* degrees shown across and down */
  const x = (lo) => W / 2 + ((lo - lon) / spanX) * W, y = (la) => H / 2 - ((la - lat) / spanY) * H;
  const svg = h('svg', { class: 'plot', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': `${code} 的位置：纬度 ${lat}，经度 ${lon}` });
  svg.append(h('rect', { class: 'land', x: 0, y: 0, width: W, height: H }));
  const step = 0.002;
  for (let g = Math.ceil((lon - spanX / 2) / step) * step; g < lon + spanX / 2; g += step) {
    svg.append(h('line', { class: 'grid', x1: x(g).toFixed(1), y1: 0, x2: x(g).toFixed(1), y2: H }));
    if (x(g) < W - 40) svg.append(h('text', { class: 'tick', x: (x(g) + 2).toFixed(1), y: 10, text: g.toFixed(3) }));
  }
  for (let g = Math.ceil((lat - spanY / 2) / step) * step; g < lat + spanY / 2; g += step) {
    svg.append(h('line', { class: 'grid', x1: 0, y1: y(g).toFixed(1), x2: W, y2: y(g).toFixed(1) }));
    if (y(g) > 20 && y(g) < H - 20) svg.append(h('text', { class: 'tick', x: 2, y: (y(g) - 2).toFixed(1), text: g.toFixed(3) }));
  }
  for (const o of others) {
    const ox = x(o.lon), oy = y(o.lat);
    if (ox < 0 || ox > W || oy < 0 || oy > H) continue;
    svg.append(h('g', { class: 'other' }, h('circle', { cx: ox.toFixed(1), cy: oy.toFixed(1), r: 5 }),
      h('text', { x: (ox + 7).toFixed(1), y: (oy + 4).toFixed(1), text: o.code }),
      h('title', { text: `${o.code} ${o.description || ''}` })));
  }
  const bar = (200 / 1200) * W;
  svg.append(h('line', { class: 'scale', x1: W - bar - 10, y1: H - 24, x2: W - 10, y2: H - 24 }),
    h('text', { class: 'tick', x: W - bar - 10, y: H - 28, text: '200 米' }),
    h('circle', { class: 'dot', cx: W / 2, cy: H / 2, r: 7 }),
    h('text', { class: 'label', x: W / 2 + 10, y: H / 2 - 8, text: code }),
    h('text', { class: 'coords', x: 6, y: H - 6, text: `北纬 ${lat.toFixed(5)}°  东经 ${lon.toFixed(5)}°` }));
  return svg;
}

/* Plain links that open the position elsewhere; nothing is loaded from them here. */
function mapLinks(lat, lon, code) {
  const la = lat.toFixed(6), lo = lon.toFixed(6);
  const ext = { target: '_blank', rel: 'noopener noreferrer' };
  return h('p', { class: 'row maplinks' },
    h('a', { class: 'geo', href: `geo:${la},${lo}?q=${la},${lo}(${encodeURIComponent(code)})`, text: '在地图应用中打开' }),
    h('a', { ...ext, href: `https://uri.amap.com/marker?position=${lo},${la}&name=${encodeURIComponent(code)}&coordinate=wgs84`, text: '高德地图' }),
    h('a', { ...ext, href: `https://www.openstreetmap.org/?mlat=${la}&mlon=${lo}#map=18/${la}/${lo}`, text: 'OpenStreetMap' }));
}

function photoCard(m, code, i) {
  if (m.status !== 'ok' || !m.original_url) {
    const why = m.status === 'failed' ? `照片下载失败（${m.error || '原因不明'}），已请上报人重发。` : '照片下载中…';
    return h('div', { class: 'photo-box muted', text: why });
  }
  return h('figure', { class: 'photo-box' },
    h('a', { href: m.original_url, target: '_blank', rel: 'noopener' },
      h('img', { class: 'photo', src: m.original_url, alt: `${code} 的第 ${i + 1} 张照片` })),
    h('figcaption', { class: 'muted' }, `${m.mime || ''} · ${Math.round((m.bytes || 0) / 102.4) / 10} KB · `,
      h('a', { href: m.original_url, download: `${code}-${i + 1}-原图`, text: '原图（存证）' }), ' · ',
      m.shareable_url ? h('a', { class: 'shareable', href: m.shareable_url, download: `${code}-${i + 1}`, text: '去除位置等信息的副本（可外发）' }) : null));
}

async function reportDetail(view, code) {
  const [r, all] = await Promise.all([api('GET', '/reports/' + encodeURIComponent(code)), api('GET', '/reports?limit=500')]);
  const list = items(all);
  const me = list.find((x) => x.code === r.code) || {};
  view.append(h('p', {}, h('a', { href: '#reports', text: '← 返回列表' })),
    h('h1', {}, `随手拍 ${r.code} `, statusPill(r.status)),
    h('div', { class: 'card' },
      h('p', { class: 'desc', text: r.description || '（无描述）' }),
      h('p', { class: 'muted', text: `提交 ${fmtTime(r.created_ms)} · 更新 ${fmtTime(r.updated_ms)}` + (me.reporter ? ` · 上报人 ${me.reporter}` : '') +
        (r.reopened ? ' · 已重开' : '') }),
      r.reason ? h('p', { text: '驳回原因：' + r.reason }) : null,
      r.merged_into ? h('p', {}, '已并入 ', h('a', { href: '#reports/' + r.merged_into, text: r.merged_into })) : null,
      r.possible_duplicate_of ? h('p', { class: 'warn' }, '附近一天内有相似的随手拍：',
        h('a', { href: '#reports/' + r.possible_duplicate_of, text: r.possible_duplicate_of }), '，如是同一问题可在下方合并。') : null,
      h('div', { class: 'photos' }, r.media.length ? r.media.map((m, i) => photoCard(m, r.code, i)) : h('p', { class: 'muted', text: '没有照片' }))));
  const rc = typeof routingCard === 'function' ? await routingCard(r) : null;
  if (rc) view.append(rc);
  if (typeof r.lat === 'number' && typeof r.lon === 'number') {
    const others = list.filter((x) => x.code !== r.code && typeof x.lat === 'number');
    view.append(h('div', { class: 'card position' }, h('h2', { text: '位置' }), plot(r.lat, r.lon, r.code, others),
      mapLinks(r.lat, r.lon, r.code)));
  } else {
    view.append(h('div', { class: 'card position' }, h('h2', { text: '位置' }), h('p', { class: 'muted', text: '上报人没有发位置，照片里也没有位置信息。' })));
  }

  const note = h('textarea', { id: 'r-note', maxlength: 500, placeholder: '给上报人的说明：驳回时必填（写明原因），其他时候可不填' });
  const noteErr = h('p', { id: 'r-note-error', class: 'error' });
  const next = REPORT_NEXT[r.status] || [];
  const setStatus = async (status) => {
    const text = note.value.trim();
    noteErr.textContent = '';
    if (status === 'rejected' && !text) {
      noteErr.textContent = '驳回需要写明原因，原因会发给上报人。';
      note.focus();
      return;
    }
    try {
      const a = await api('POST', `/reports/${encodeURIComponent(r.code)}/status`, { status, ...(text ? { note: text } : {}) });
      toast(a.changed ? `已改为「${STATUS_NAMES[status]}」，已通知上报人` : '状态没有变化');
      route();
    } catch (e) { toast(e.message); }
  };
  if (can('POST', '/reports/*/area')) { /* the super admin files it under a report handler's area */
    const area = h('input', { id: 'r-area', maxlength: 100, value: me.area || '', placeholder: '如 东津新区' });
    const save = h('button', { id: 'r-area-save', class: 'secondary', text: '保存片区' });
    save.addEventListener('click', async () => {
      try {
        await api('POST', `/reports/${encodeURIComponent(r.code)}/area`, { area: area.value.trim() || null });
        toast(area.value.trim() ? `已归入片区「${area.value.trim()}」` : '已清除片区');
      } catch (e) { toast(e.message); }
    });
    view.append(h('div', { class: 'card' }, h('h2', { text: '片区' }),
      h('div', { class: 'row' }, area, save),
      h('p', { class: 'muted', text: '片区随手拍账号只看得到、只能处理自己片区的随手拍。' })));
  } else if (me.area) {
    view.append(h('p', { class: 'muted', text: '片区：' + me.area }));
  }
  view.append(h('div', { class: 'card actions' }, h('h2', { text: '处理' }), note, noteErr,
    h('div', { class: 'row' }, REPORT_ACTIONS.map(([s, name]) => h('button', {
      'data-status': s, class: s === 'rejected' ? 'secondary' : null, disabled: !next.includes(s),
      onclick: () => setStatus(s), text: name,
    }))),
    r.status === 'merged' ? h('p', { class: 'muted', text: '已合并的随手拍不能再改状态。' }) : null));

  if (r.status !== 'merged') {
    const cands = list.filter((x) => x.code !== r.code && x.status !== 'merged');
    const into = h('select', { id: 'r-merge-into', 'aria-label': '合并到' },
      h('option', { value: '', text: '选择要并入的随手拍…' }),
      cands.map((x) => h('option', {
        value: x.code, selected: x.code === r.possible_duplicate_of,
        text: `${x.code} ${STATUS_NAMES[x.status] || x.status} ${(x.description || '').slice(0, 24)}`,
      })));
    const go = h('button', { id: 'r-merge', class: 'secondary', text: '合并为重复' });
    go.addEventListener('click', async () => {
      if (!into.value) { toast('请先选择要并入的随手拍'); return; }
      if (!confirm(`把 ${r.code} 并入 ${into.value}？上报人会收到通知，合并后不能撤销。`)) return;
      try {
        await api('POST', `/reports/${encodeURIComponent(r.code)}/merge`, { into: into.value });
        toast(`已并入 ${into.value}`);
        route();
      } catch (e) { toast(e.message); }
    });
    view.append(h('div', { class: 'card' }, h('h2', { text: '合并重复' }),
      h('p', { class: 'muted', text: '同一个问题被多次上报时，把这条并入另一条；进度以另一条为准。' }),
      h('div', { class: 'row' }, into, go)));
  }

  view.append(h('div', { class: 'card history' }, h('h2', { text: '记录' }),
    h('div', { class: 'scroll' }, h('table', {},
      h('tr', {}, h('th', { text: '时间' }), h('th', { text: '状态' }), h('th', { text: '操作人' }), h('th', { text: '说明' })),
      r.history.map((x) => h('tr', {}, h('td', { text: fmtTime(x.ms) }), h('td', {}, statusPill(x.status)),
        h('td', { text: x.actor }), h('td', { text: x.note || '' })))))));
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
    h('option', { value: 'channel:', text: '某个渠道…' }), h('option', { value: 'tag:', text: '某个标签…' }),
    h('option', { value: 'filter:', text: '已存筛选…' }));
  const audArg = h('input', { id: 'bc-audience-arg', placeholder: '渠道、标签或筛选名', class: 'hidden' });
  const testTo = h('input', { id: 'bc-test-to', placeholder: '自己的 渠道:账号，如 kannel:13800000000' });
  const test = h('button', { id: 'bc-test', type: 'button', class: 'secondary', text: '先发给自己试试' });
  test.addEventListener('click', async () => {
    try {
      const r = await api('POST', '/broadcasts/test', { text: text.value, to: testTo.value.trim() });
      toast(`已发给 ${r.to}：${r.text}`);
    } catch (e) { toast(e.message); }
  });
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
        prev.textContent = `收件人 ${p.recipients}（已退订 ${p.opted_out}，未联系过驿站 ${p.no_consent}）· 每条短信 ${p.sms_parts} 段（${p.encoding}，${p.sms_units} 字符）· ` +
          `短信收件人 ${p.sms_recipients}，共 ${p.sms_total} 条，约 ${cost} 元 · 最早发送 ${fmtTime(p.first_at)}` +
          (p.unreachable ? ` · 其中 ${p.unreachable} 人无法推送（${Object.keys(p.unreachable_by_channel || {}).join('、')}：只能被动回复的账号），会直接记为失败` : '') +
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
    h('p', { class: 'muted', text: '不选时间就尽快发送；静默时段和用餐高峰不发，自动顺延。' +
      '内容里可写 {name} {district} {platform} {city} {org}，按每个收件人填入。' }),
    h('div', { class: 'row' }, h('label', {}, '试发到 ', testTo), test), send));
  const list = h('div', {});
  view.append(h('h2', { text: '最近的群发' }), list);
  const cards = new Map();
  /* One request for every broadcast's counts; polled while any is still going. */
  const draw = async () => {
    let recent;
    try { recent = items(await api('GET', '/broadcasts?limit=20')); } catch (e) { return false; }
    if (!recent.length) list.replaceChildren(h('p', { class: 'muted', text: '还没有群发。' }));
    let going = false;
    for (const b of recent) {
      let c = cards.get(b.id);
      if (!c) {
        c = { line: h('div', { class: 'muted' }), barBox: h('div', {}), cancel: h('button', { class: 'secondary', text: '取消' }) };
        c.cancel.addEventListener('click', async () => {
          if (!confirm('取消尚未发出的消息？')) return;
          try { const r = await api('POST', `/broadcasts/${b.id}/cancel`, {}); toast(`已取消 ${r.cancelled} 条`); draw(); } catch (e) { toast(e.message); }
        });
        list.append(h('div', { class: 'card', 'data-broadcast': b.id },
          h('div', { class: 'row' }, h('b', { text: `#${b.id}` }), h('span', { text: fmtTime(b.at_ms) }),
            h('span', { class: 'pill', text: b.audience })),
          h('p', { text: b.text }), c.barBox, c.line, c.cancel));
        cards.set(b.id, c);
      }
      const p = progress(b);
      c.barBox.replaceChildren(bar(p.frac));
      c.line.textContent = (b.cancelled_ms ? '已取消 · ' : '') + p.text +
        ((b.errors || []).length ? ' · 失败原因：' + b.errors.map((e) => `${e.error || '未知'}（${e.count}）`).join('；') : '');
      c.cancel.disabled = !!b.cancelled_ms || p.left === 0;
      going = going || (p.left > 0 && !b.cancelled_ms);
    }
    return going;
  };
  if (await draw()) {
    const t = setInterval(async () => { if (!(await draw())) clearInterval(t); }, 3000);
    S.timers.push(t);
  }
  if (S.role === 'admin') await undelivered(view);
}

/* Pushes that did not go out (dead after the retries, or failed), grouped by
 * why, with a retry of the dead ones by channel and time range. */
async function undelivered(view) {
  const box = h('div', { id: 'undelivered' });
  view.append(h('h2', { text: '未送达的推送' }), box);
  const retry = async (body) => {
    if (!confirm('把这些失败（dead）的推送重新排队？')) return;
    try { const r = await api('POST', '/outbox/retry', body); toast(`已重新排队 ${r.requeued} 条`); draw(); } catch (e) { toast(e.message); }
  };
  const chan = h('input', { id: 'ud-channel', placeholder: '渠道（留空为全部）' });
  const from = h('input', { id: 'ud-from', type: 'datetime-local' }), to = h('input', { id: 'ud-to', type: 'datetime-local' });
  const go = h('button', { id: 'ud-retry', text: '重试这段时间的失败推送' });
  go.addEventListener('click', () => retry({ channel: chan.value.trim() || null, from: localInput(from.value), to: localInput(to.value) }));
  const draw = async () => {
    let list;
    try { list = items(await api('GET', '/outbox/undelivered')); } catch (e) { box.replaceChildren(h('p', { class: 'muted', text: e.message })); return; }
    const dead = list.filter((x) => x.status === 'dead').reduce((n, x) => n + x.count, 0);
    const failed = list.filter((x) => x.status === 'failed').reduce((n, x) => n + x.count, 0);
    box.replaceChildren(
      h('p', { text: `重试用尽（dead）${dead} 条，平台拒绝或无法推送（failed）${failed} 条。` }),
      list.length ? table(['渠道', '状态', '原因', '条数', '时间', ''], list.map((x) => {
        const b = x.status === 'dead' ? h('button', { class: 'secondary', text: '重试' }) : null;
        if (b) b.addEventListener('click', () => retry({ channel: x.channel, from: x.first_ms, to: x.last_ms + 1 }));
        return h('tr', {}, h('td', { text: x.channel }), h('td', { text: x.status }), h('td', { text: x.error || '未知' }),
          h('td', { text: String(x.count) }), h('td', { text: `${fmtTime(x.first_ms)} – ${fmtTime(x.last_ms)}` }), h('td', {}, b));
      })) : h('p', { class: 'muted', text: '没有未送达的推送。' }),
      h('div', { class: 'row' }, h('label', {}, '渠道 ', chan), h('label', {}, '从 ', from), h('label', {}, '到 ', to), go));
  };
  await draw();
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

/* Service desk (工单, 志愿者): tickets with status, response time and rating;
 * one ticket's messages; volunteers with a register form; mentoring pairs and
 * members. */
const DESK_NAMES = { legal: '法律咨询', tutoring: '课业辅导', counsel: '心理咨询', general: '人工服务' };
const TICKET_STATUS = [['', '全部'], ['open', '待接'], ['taken', '处理中'], ['closed', '已结']];
const TICKET_NAMES = Object.fromEntries(TICKET_STATUS.filter((s) => s[0]));

function duration(sec) {
  if (sec === null || sec === undefined) return '';
  if (sec < 60) return `${sec} 秒`;
  if (sec < 3600) return `${Math.round(sec / 60)} 分钟`;
  if (sec < 86400) return `${(sec / 3600).toFixed(1)} 小时`;
  return `${(sec / 86400).toFixed(1)} 天`;
}

function stars(n) { return n ? '★'.repeat(n) + '☆'.repeat(5 - n) : ''; }

function table(head, rows) {
  return h('div', { class: 'scroll' }, h('table', {}, h('tr', {}, head.map((x) => h('th', typeof x === 'string' ? { text: x } : x))), rows));
}

async function pageTickets(view, arg) {
  if (arg) return ticketDetail(view, arg);
  const q = hashQuery(), status = q.get('status') || '', desk = q.get('desk') || '';
  const params = new URLSearchParams({ limit: '200' });
  if (status) params.set('status', status);
  if (desk) params.set('desk', desk);
  const list = items(await api('GET', '/tickets?' + params));
  const link = (s, d) => '#tickets' + ((s || d) ? '?' + new URLSearchParams(Object.entries({ status: s, desk: d }).filter(([, v]) => v)) : '');
  const rated = list.filter((t) => t.rating);
  const answered = list.filter((t) => t.response_seconds !== null);
  const avg = (a, f) => a.length ? a.reduce((s, t) => s + f(t), 0) / a.length : null;
  view.append(h('h1', { text: '工单' }),
    h('div', { class: 'row filters' }, TICKET_STATUS.map(([k, name]) => h('a', { href: link(k, desk), class: k === status ? 'pill on' : 'pill', text: name })),
      h('span', { class: 'muted', text: '｜' }),
      [['', '所有服务']].concat(Object.entries(DESK_NAMES)).map(([k, name]) => h('a', { href: link(status, k), class: k === desk ? 'pill on' : 'pill', text: name }))),
    h('p', { class: 'muted', text: `共 ${list.length} 张` + (answered.length ? ` · 平均首次回复 ${duration(Math.round(avg(answered, (t) => t.response_seconds)))}` : '') +
      (rated.length ? ` · 平均评分 ${avg(rated, (t) => t.rating).toFixed(1)}（${rated.length} 人评价）` : '') }));
  view.append(list.length ? table(['编号', '服务', '问题', '状态', '志愿者', { class: 'hide-phone', text: '提交' }, '首次回复', '评分'],
    list.map((t) => h('tr', { 'data-ticket': t.code },
      h('td', {}, h('a', { href: '#tickets/' + t.id, text: t.code })),
      h('td', { text: DESK_NAMES[t.desk] || t.desk }),
      h('td', {}, t.crisis ? h('span', { class: 'pill crisis', text: '危机' }) : null, ' ', t.question || '',
        t.escalated_ms ? h('div', { class: 'warn', text: '超时未接，已提醒管理员' }) : null),
      h('td', {}, h('span', { class: 'pill tk-' + t.status, text: TICKET_NAMES[t.status] || t.status })),
      h('td', { text: t.volunteer || '' }),
      h('td', { class: 'hide-phone', text: fmtTime(t.created_ms) }),
      h('td', { text: duration(t.response_seconds) }),
      h('td', { class: 'stars', title: t.rating ? t.rating + ' 分' : null, text: stars(t.rating) }))))
    : h('p', { class: 'muted', text: '没有工单。' }));
}

const SIDE_NAMES = { worker: '求助人', volunteer: '志愿者', system: '系统' };

async function ticketDetail(view, id) {
  const t = await api('GET', '/tickets/' + encodeURIComponent(id));
  view.append(h('p', {}, h('a', { href: '#tickets', text: '← 返回工单' })),
    h('h1', {}, `工单 ${t.code} `, h('span', { class: 'pill tk-' + t.status, text: TICKET_NAMES[t.status] || t.status }),
      t.crisis ? h('span', { class: 'pill crisis', text: '危机' }) : null),
    h('div', { class: 'card' },
      h('p', { text: `${DESK_NAMES[t.desk] || t.desk} · 提交 ${fmtTime(t.created_ms)}` + (t.volunteer ? ` · 志愿者 ${t.volunteer}` : ' · 尚无人接') +
        (t.response_seconds !== null ? ` · 首次回复用时 ${duration(t.response_seconds)}` : '') +
        (t.closed_ms ? ` · 已结 ${fmtTime(t.closed_ms)}` : '') + (t.rating ? ` · 评分 ${t.rating}` : '') })),
    h('h2', { text: '对话' }),
    (t.messages || []).length ? h('div', { class: 'card' }, t.messages.map((m) => h('div', { class: 'msg side-' + m.side },
      h('div', { class: 'muted', text: `${SIDE_NAMES[m.side] || m.side} · ${fmtTime(m.ms)}` }), h('div', { text: m.text }))))
      : h('p', { class: 'muted', text: '没有消息。' }));
}

async function pageVolunteers(view) {
  const f = {
    name: h('input', { id: 'v-name', required: true, maxlength: 200 }),
    person: h('input', { id: 'v-person', required: true, placeholder: '渠道:账号，如 wechat:oAbc' }),
    hours: h('input', { id: 'v-hours', placeholder: '如 18:00-21:00，不填按服务时间' }),
  };
  const boxes = Object.entries(DESK_NAMES).map(([k, name]) => h('label', { class: 'check' },
    h('input', { type: 'checkbox', name: 'v-desk', value: k }), ' ' + name));
  const form = h('form', { class: 'card', id: 'v-form' }, h('h2', { text: '登记志愿者' }),
    h('div', { class: 'row' }, h('label', {}, '姓名 ', f.name), h('label', {}, '账号 ', f.person), h('label', {}, '值班时间 ', f.hours)),
    h('div', { class: 'row' }, h('span', { text: '服务：' }), boxes),
    h('p', { class: 'muted', text: '同一账号再次登记会更新资料。' }),
    h('button', { type: 'submit', text: '登记' }));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const desks = boxes.map((b) => b.querySelector('input')).filter((i) => i.checked).map((i) => i.value);
    if (!desks.length) { toast('请至少选一项服务'); return; }
    const b = { name: f.name.value.trim(), person: f.person.value.trim(), desks };
    if (f.hours.value.trim()) b.hours = f.hours.value.trim();
    try {
      await api('POST', '/volunteers', b);
      toast(`已登记：${b.name}`);
      route();
    } catch (e) { toast(e.message); }
  });
  const none = { items: [] };
  const [vols, pairs, members] = await Promise.all([api('GET', '/volunteers'),
    can('GET', '/mentoring') ? api('GET', '/mentoring') : none,
    can('GET', '/members') ? api('GET', '/members?limit=200') : none]);
  const v = items(vols), p = items(pairs), m = items(members);
  view.append(h('h1', { text: '志愿者' }), can('POST', '/volunteers') ? form : null,
    h('h2', { text: `志愿者（${v.length}）` }),
    v.length ? table(['姓名', { class: 'hide-phone', text: '账号' }, '服务', '值班时间', '在岗', '接过的工单', { class: 'hide-phone', text: '最近派单' }],
      v.map((x) => h('tr', { 'data-volunteer': x.id }, h('td', { text: x.name }), h('td', { class: 'hide-phone', text: x.person }),
        h('td', { text: (x.desks || '').split(',').filter(Boolean).map((d) => DESK_NAMES[d] || d).join('、') }),
        h('td', { text: x.hours || '按服务时间' }), h('td', { text: x.active ? '是' : '否' }), h('td', { text: x.tickets }),
        h('td', { class: 'hide-phone', text: x.last_offer_ms ? fmtTime(x.last_offer_ms) : '' }))))
      : h('p', { class: 'muted', text: '还没有志愿者。' }),
    h('h2', { text: `结对帮扶（${p.length}）` }),
    p.length ? table(['编号', '工友', '导师', '最近联系', '消息', '状态'],
      p.map((x) => h('tr', {}, h('td', { text: x.code }), h('td', { text: x.worker }), h('td', { text: x.mentor_name || x.mentor }),
        h('td', { text: fmtTime(x.last_contact_ms) }), h('td', { text: x.messages }),
        h('td', {}, x.silent ? h('span', { class: 'pill crisis', text: '久未联系' }) : (x.active ? '正常' : '已结束')))))
      : h('p', { class: 'muted', text: '还没有结对。' }),
    h('h2', { text: `流动成员（${m.length}）` }),
    m.length ? table(['姓名', '组织', '联系人', '报到城市', '最近报到'],
      m.map((x) => h('tr', {}, h('td', {}, x.name || '', h('div', { class: 'muted', text: x.person })), h('td', { text: x.org }),
        h('td', { text: x.contact || '' }), h('td', { text: x.city || '' }), h('td', { text: x.checkin_ms ? fmtTime(x.checkin_ms) : '未报到' }))))
      : h('p', { class: 'muted', text: '还没有登记。' }));
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
  // teach: the scorer learns the text as the chosen intent at once (no restart)
  function teachCell(u) {
    const s = u.suggest || {};
    if (s.why) return h('div', { class: 'muted', text: '管理指令或随手拍编号，不能教' });
    const intent = h('input', { placeholder: '意图，如 points.balance', value: s.intent || '' });
    const go = h('button', { class: 'secondary', text: '教会它' });
    go.addEventListener('click', async () => {
      if (!intent.value.trim()) { toast('请填写意图'); return; }
      try {
        await api('POST', '/unknown/teach', { text: u.text, intent: intent.value.trim() });
        toast(`已教会：${u.text} → ${intent.value.trim()}`);
        go.disabled = true;
      } catch (e) { toast(e.message); }
    });
    return h('div', { class: 'row' }, intent, go);
  }
  view.append(h('h1', { text: '没听懂的消息' }),
    h('p', { class: 'muted', text: '按出现次数排序。“问过”是机器人给了编号选项的。填上意图点“教会它”，马上生效；也可把建议的规则加到 intents/ 里。' }),
    list.length ? h('div', { class: 'scroll' }, h('table', {},
      h('tr', {}, h('th', { text: '原话' }), h('th', { text: '次数' }), h('th', { text: '建议' }), h('th', { text: '教' })),
      list.map((u) => {
        const s = u.suggest || {};
        return h('tr', {}, h('td', {}, u.text, h('div', { class: 'muted', text: fmtTime(u.last_ms) + (u.asked ? ' · 问过' : '') })),
          h('td', { text: u.count }),
          h('td', {}, s.intent ? h('div', { text: `像是「${s.intent}」（认出了“${s.matched}”）` }) : h('div', { class: 'muted', text: s.why ? '' : '规则都没认出，需新写规则' }),
            h('code', { class: 'rule', text: s.rule || '' })),
          h('td', {}, teachCell(u)));
      })))
      : h('p', { class: 'muted', text: '没有没听懂的消息。' }));
}

/* Staff accounts (super admin): the list; a new account, or one of the list
 * edited in the same form (role, area, chats, a password reset); disable or
 * enable. */
async function pageStaff(view) {
  const f = {
    username: h('input', { id: 's-user', required: true, maxlength: 47, pattern: '[a-z0-9._\\-]{2,47}', placeholder: '小写字母、数字' }),
    display: h('input', { id: 's-display', required: true, maxlength: 100 }),
    org: h('select', { id: 's-org' }, Object.entries(ORG_NAMES).map(([k, n]) => h('option', { value: k, text: n }))),
    role: h('select', { id: 's-role' }, Object.entries(ROLE_NAMES).map(([k, n]) => h('option', { value: k, text: n }))),
    area: h('input', { id: 's-area', maxlength: 100, placeholder: '片区随手拍才填' }),
    chats: h('input', { id: 's-chats', placeholder: '如 telegram:123，多个用逗号' }),
    password: h('input', { id: 's-password', type: 'password', required: true, minlength: 10, autocomplete: 'new-password' }),
  };
  let editing = null; /* the account being edited, or null for a new one */
  const title = h('h2', { text: '开设账号' }), submit = h('button', { type: 'submit', text: '开设' });
  const cancel = h('button', { type: 'button', class: 'link hidden', text: '取消修改', onclick: () => route() });
  const form = h('form', { class: 'card', id: 's-form' }, title,
    h('div', { class: 'row' }, h('label', {}, '账号 ', f.username), h('label', {}, '姓名 ', f.display),
      h('label', {}, '单位 ', f.org), h('label', {}, '角色 ', f.role)),
    h('div', { class: 'row' }, h('label', {}, '片区 ', f.area), h('label', {}, '绑定聊天 ', f.chats),
      h('label', {}, '密码 ', f.password)),
    h('p', { class: 'muted', text: '密码至少 10 个字，请当面交给本人，本人登录后自行修改；修改账号时不填则不变。绑定聊天后，#受理 等命令以此账号执行，登录码也发到那里。' }),
    h('div', { class: 'row' }, submit, cancel));
  const edit = (x) => {
    editing = x;
    title.textContent = `修改账号 ${x.username}`;
    submit.textContent = '保存';
    cancel.classList.remove('hidden');
    f.username.value = x.username;
    f.username.disabled = true;
    f.org.disabled = true;
    f.display.value = x.display;
    f.org.value = x.org;
    f.role.value = x.role;
    f.area.value = x.area || '';
    f.chats.value = (x.chats || []).join(',');
    f.password.required = false;
    f.password.value = '';
    form.scrollIntoView();
  };
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const b = { display: f.display.value.trim(), role: f.role.value, area: f.area.value.trim() };
    b.chats = f.chats.value.split(',').map((c) => c.trim()).filter(Boolean);
    if (f.password.value) b.password = f.password.value;
    try {
      if (editing) {
        await api('POST', '/staff/' + editing.id, b);
        toast(`已保存：${editing.username}`);
      } else {
        await api('POST', '/staff', { ...b, username: f.username.value.trim(), org: f.org.value });
        toast(`已开设：${f.username.value.trim()}`);
      }
      route();
    } catch (e) { toast(e.message); }
  });
  const list = items(await api('GET', '/staff'));
  const toggle = async (x) => {
    try {
      await api('POST', '/staff/' + x.id, { disabled: !x.disabled });
      toast(x.disabled ? `已启用：${x.username}` : `已停用：${x.username}（其登录已结束）`);
      route();
    } catch (e) { toast(e.message); }
  };
  view.append(h('h1', { text: '账号' }), form,
    table(['账号', '姓名', '单位', '角色', '片区', { class: 'hide-phone', text: '绑定聊天' }, '状态', ''],
      list.map((x) => h('tr', { 'data-staff': x.username }, h('td', { text: x.username }), h('td', { text: x.display }),
        h('td', { text: ORG_NAMES[x.org] || x.org }), h('td', { text: ROLE_NAMES[x.role] || x.role }),
        h('td', { text: x.area || '' }), h('td', { class: 'hide-phone', text: (x.chats || []).join('，') }),
        h('td', { text: x.disabled ? '已停用' : '在用' }),
        h('td', {}, h('button', { class: 'link', 'data-edit': x.username, onclick: () => edit(x), text: '修改' }), ' ',
          h('button', { class: 'link', 'data-toggle': x.username, onclick: () => toggle(x), text: x.disabled ? '启用' : '停用' }))))));
}

/* The audit trail (super admin): who did what, on what, from where; filters
 * by who, what and dates, and the same rows as CSV. Read-only: no route
 * changes it. */
async function pageAudit(view) {
  const q = hashQuery();
  const f = {
    who: h('input', { id: 'a-who', value: q.get('who') || '', placeholder: '如 staff:wang' }),
    what: h('input', { id: 'a-what', value: q.get('what') || '', placeholder: '如 tickets、login' }),
    since: h('input', { id: 'a-since', type: 'date', value: q.get('since') || '' }),
    until: h('input', { id: 'a-until', type: 'date', value: q.get('until') || '' }),
  };
  const params = new URLSearchParams();
  for (const k of ['who', 'what', 'since', 'until']) if (q.get(k)) params.set(k, q.get(k));
  const form = h('form', { class: 'row filters', id: 'a-form' }, h('label', {}, '谁 ', f.who), h('label', {}, '做了什么 ', f.what),
    h('label', {}, '从 ', f.since), h('label', {}, '到（不含） ', f.until), h('button', { type: 'submit', text: '筛选' }),
    h('a', { class: 'csv', id: 'a-csv', href: `${API}/audit?format=csv&limit=1000${params.toString() ? '&' + params : ''}`, download: 'audit.csv', text: '导出 CSV' }));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const p = new URLSearchParams();
    for (const k of ['who', 'what', 'since', 'until']) if (f[k].value.trim()) p.set(k, f[k].value.trim());
    location.hash = 'audit' + (p.toString() ? '?' + p : '');
  });
  const list = items(await api('GET', '/audit?limit=500' + (params.toString() ? '&' + params : '')));
  view.append(h('h1', { text: '操作记录' }), form,
    h('p', { class: 'muted', text: '每一次后台操作、聊天命令、登录，以及查看心理咨询工单和个人联系方式，都记在这里，不能修改或删除。' }),
    list.length ? table(['时间', '谁', '做了什么', '对象', { class: 'hide-phone', text: '来自' }, '结果'],
      list.map((x) => h('tr', { 'data-audit': x.id }, h('td', { text: fmtTime(x.at_ms) }), h('td', { text: x.actor }),
        h('td', { text: x.action }), h('td', { text: x.object || '' }), h('td', { class: 'hide-phone', text: x.origin || '' }),
        h('td', { text: String(x.status) }))))
      : h('p', { class: 'muted', text: '没有符合条件的记录。' }));
}

/* One's own password, with the old one. */
async function pageAccount(view) {
  const f = {
    old: h('input', { id: 'pw-old', type: 'password', required: true, autocomplete: 'current-password' }),
    new: h('input', { id: 'pw-new', type: 'password', required: true, minlength: 10, autocomplete: 'new-password' }),
  };
  const form = h('form', { class: 'card', id: 'pw-form' }, h('h2', { text: '修改密码' }),
    h('div', { class: 'row' }, h('label', {}, '原密码 ', f.old), h('label', {}, '新密码 ', f.new)),
    h('p', { class: 'muted', text: '新密码至少 10 个字。' }), h('button', { type: 'submit', text: '修改' }));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await api('POST', '/password', { old: f.old.value, new: f.new.value });
      toast('密码已修改');
      f.old.value = '';
      f.new.value = '';
    } catch (e) { toast(e.status === 403 ? '原密码不对' : e.message); }
  });
  view.append(h('h1', { text: `我的密码（${S.user}）` }), form);
}

const VIEWS = {
  glance: pageGlance, reports: pageReports, broadcasts: pageBroadcasts, courses: pageCourses,
  lessons: pageLessons, points: pagePoints, unknown: pageUnknown,
  tickets: pageTickets, volunteers: pageVolunteers, staff: pageStaff, audit: pageAudit,
  account: pageAccount,
};

async function route() {
  S.timers.forEach(clearInterval);
  S.timers = [];
  const hash = location.hash.replace(/^#/, '').split('?')[0] || 'glance';
  let [page, arg] = hash.split('/');
  if (!VIEWS[page] || !pageAllowed(page)) [page, arg] = ['glance', undefined]; /* not this role's */
  const fn = VIEWS[page];
  const nav = $('nav');
  nav.replaceChildren(...PAGES.filter(([k]) => pageAllowed(k))
    .map(([k, name]) => h('a', { href: '#' + k, class: k === page ? 'on' : null, text: name })));
  const view = $('view');
  view.replaceChildren();
  view.dataset.page = page;
  delete view.dataset.ready; /* set again once the page is drawn: tests wait for it */
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
  $('login-code-ask').addEventListener('click', askCode);
  $('logout').addEventListener('click', logout);
  start();
});
