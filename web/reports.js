/*
 * reports.js - the dashboard's pages for 随手拍 routing and for leadership,
 * added to app.js's page table: the overview map (#map: Xiangyang's district
 * boundaries from web/vendor/xiangyang.json, reports as points coloured by
 * status, filtered by category), routing settings (#routing: categories,
 * handling bodies, observers), redemptions to hand over (#redemptions) and the
 * printable monthly report (#monthly). Charts are Apache ECharts, served from
 * web/vendor/echarts.min.js (make web-vendor); nothing is loaded from
 * another host.
 */
'use strict';

PAGES.splice(2, 0, ['map', '地图'], ['monthly', '月报']);
PAGES.push(['routing', '分派'], ['redemptions', '兑换']);
Object.assign(PAGE_NEEDS, { map: '/reports', monthly: '/monthly', routing: '/bodies', redemptions: '/redemptions' });

const STATUS_COLORS = {
  received: '#e6a100', accepted: '#1e6fd9', in_progress: '#7b3fc4', resolved: '#2e7d32', rejected: '#8a94a0', merged: '#c5ccd6',
};

/* ECharts instances of the page; those whose element left the page are
 * disposed when the next one is made. */
const CHARTS = [];
function echart(el) {
  for (let i = CHARTS.length - 1; i >= 0; i--) {
    if (!document.body.contains(CHARTS[i].getDom())) { CHARTS[i].dispose(); CHARTS.splice(i, 1); }
  }
  const c = echarts.init(el, null, { renderer: 'canvas' });
  CHARTS.push(c);
  return c;
}
window.addEventListener('resize', () => CHARTS.forEach((c) => c.resize()));

let boundaries = null;
async function loadBoundaries() {
  if (boundaries) return boundaries;
  const r = await fetch('vendor/xiangyang.json', { credentials: 'same-origin' });
  if (!r.ok) throw new Error('区界数据加载失败');
  boundaries = await r.json();
  echarts.registerMap('xiangyang', boundaries);
  return boundaries;
}

/* The overview map: districts, and every report with a position as a point. */
async function pageMap(view) {
  const q = hashQuery(), cat = q.get('category') || '';
  const [geo, list, cats] = await Promise.all([loadBoundaries(), api('GET', '/reports?limit=1000' + (cat ? '&category=' + encodeURIComponent(cat) : '')),
    can('GET', '/report-categories') ? api('GET', '/report-categories') : { items: [] }]);
  const reports = items(list), placed = reports.filter((r) => typeof r.lat === 'number');
  view.append(h('h1', { text: '随手拍地图' }),
    h('div', { class: 'row filters' }, [{ name: '' }].concat(items(cats)).map((c) => h('a', {
      href: '#map' + (c.name ? '?category=' + encodeURIComponent(c.name) : ''), class: c.name === cat ? 'pill on' : 'pill', text: c.name || '全部类别',
    }))),
    h('p', { class: 'muted', id: 'map-summary', text: `${reports.length} 条随手拍，其中 ${placed.length} 条有位置。区界：襄阳市各区县（${geo.features.length} 个）。` }));
  const box = h('div', { id: 'report-map', class: 'echart map' });
  view.append(h('div', { class: 'card' }, box));
  const byStatus = {};
  for (const r of placed) (byStatus[r.status] = byStatus[r.status] || []).push(r);
  const c = echart(box);
  c.setOption({
    tooltip: { trigger: 'item', formatter: (p) => p.seriesType === 'scatter'
      ? `${p.data.code} · ${STATUS_NAMES[p.data.status] || p.data.status}<br>${p.data.category || '未分类'} · ${p.data.district || ''}` : p.name },
    legend: { bottom: 0, data: Object.keys(byStatus).map((s) => STATUS_NAMES[s] || s) },
    geo: { map: 'xiangyang', roam: true, label: { show: true, fontSize: 11, color: '#556' },
      itemStyle: { areaColor: '#eef3ea', borderColor: '#8aa07a' }, emphasis: { itemStyle: { areaColor: '#dde8d4' } } },
    series: Object.entries(byStatus).map(([s, rs]) => ({
      type: 'scatter', coordinateSystem: 'geo', name: STATUS_NAMES[s] || s, symbolSize: 10,
      itemStyle: { color: STATUS_COLORS[s] || '#c62828', borderColor: '#fff', borderWidth: 1 },
      data: rs.map((r) => ({ value: [r.lon, r.lat], code: r.code, status: r.status, category: r.category, district: r.district })),
    })),
  });
  c.on('click', (p) => { if (p.data && p.data.code) location.hash = '#reports/' + p.data.code; });
  /* the same points as a table: by district and category */
  const counts = {};
  for (const r of reports) {
    const k = (r.district || '（无区县）') + '\u0000' + (r.category || '未分类');
    counts[k] = (counts[k] || 0) + 1;
  }
  view.append(h('h2', { text: '按区县和类别' }), table(['区县', '类别', '条数'],
    Object.entries(counts).sort().map(([k, n]) => { const [d, c2] = k.split('\u0000'); return h('tr', {}, h('td', { text: d }), h('td', { text: c2 }), h('td', { text: n })); })));
}

function minutes(m) { return m === null || m === undefined ? '' : duration(m * 60); }

function tiles(list) {
  return h('div', { class: 'tiles' }, list.map(([n, l]) => h('div', { class: 'tile' }, h('div', { class: 'n', text: n }), h('div', { class: 'l', text: l }))));
}

/* A bar chart of counts with the median beside, for the monthly report. */
function barChart(el, rows, name, nameKey) {
  echart(el).setOption({
    animation: false,
    tooltip: { trigger: 'axis' },
    legend: { top: 0, data: ['数量', '中位用时（分钟）'] },
    grid: { left: 48, right: 48, top: 48, bottom: 36 },
    xAxis: { type: 'category', data: rows.map((r) => name(r[nameKey])) },
    yAxis: [{ type: 'value', name: '数量', minInterval: 1 }, { type: 'value', name: '分钟' }],
    series: [
      { name: '数量', type: 'bar', data: rows.map((r) => r.count), itemStyle: { color: '#c62828' } },
      { name: '中位用时（分钟）', type: 'line', yAxisIndex: 1, data: rows.map((r) => r.median_minutes), itemStyle: { color: '#1e6fd9' } },
    ],
  });
}

async function pageMonthly(view) {
  const q = hashQuery();
  const m = await api('GET', '/monthly' + (q.get('month') ? '?month=' + encodeURIComponent(q.get('month')) : ''));
  const pick = h('input', { id: 'month-pick', type: 'month', value: m.month });
  pick.addEventListener('change', () => { if (pick.value) location.hash = '#monthly?month=' + pick.value; });
  const w = m.workers, p = m.points, s = m.seats, l = m.lessons;
  view.append(h('div', { class: 'row no-print' }, h('label', {}, '月份 ', pick),
    h('button', { id: 'month-print', class: 'secondary', text: '打印', onclick: () => window.print() })),
  h('h1', { id: 'monthly-title', text: `驿站工作月报 · ${m.month.replace('-', ' 年 ')} 月` }),
  h('h2', { text: '服务的工友' }),
  tiles([[w.reached, '触达人数'], [w.active, '活跃人数（发过消息）'], [w.new, '新加入']]),
  h('h2', { text: '学习' }), tiles([[l.completed, '完成微课（次）'], [l.learners, '学习人数']]),
  h('h2', { text: '随手拍' }), tiles([[m.reports_by_category.reduce((a, r) => a + r.count, 0), '上报'],
    [m.reports_by_category.reduce((a, r) => a + r.done, 0), '已解决'], [m.observer_reports, '观察员上报']]));
  const rc = h('div', { id: 'chart-reports', class: 'echart' });
  view.append(h('div', { class: 'card' }, rc), table(['类别', '上报', '已解决', '解决用时中位数'],
    m.reports_by_category.map((r) => h('tr', {}, h('td', { text: r.category }), h('td', { text: r.count }), h('td', { text: r.done }), h('td', { text: minutes(r.done ? r.median_minutes : null) })))));
  view.append(h('h2', { text: '服务台工单' }));
  const tc = h('div', { id: 'chart-tickets', class: 'echart' });
  view.append(h('div', { class: 'card' }, tc), table(['服务', '工单', '已回复', '首次回复用时中位数'],
    m.tickets_by_kind.map((r) => h('tr', {}, h('td', { text: DESK_NAMES[r.kind] || r.kind }), h('td', { text: r.count }), h('td', { text: r.done }), h('td', { text: minutes(r.done ? r.median_minutes : null) })))));
  view.append(h('h2', { text: '积分与培训' }),
    tiles([[p.issued, '发放积分'], [p.redeemed, '兑换用掉积分'], [p.redemptions, '兑换次数'], [p.picked_up, '已领取'],
      [`${s.filled} / ${s.capacity}`, '培训名额已报'], [s.attended, '到场'], [s.courses, '开课']]));
  const pc = h('div', { id: 'chart-points', class: 'echart small' });
  view.append(h('div', { class: 'card' }, pc));
  barChart(rc, m.reports_by_category, (x) => x, 'category');
  barChart(tc, m.tickets_by_kind, (x) => DESK_NAMES[x] || x, 'kind');
  echart(pc).setOption({
    animation: false, tooltip: {}, grid: { left: 90, right: 24, top: 12, bottom: 24 },
    xAxis: { type: 'value' }, yAxis: { type: 'category', data: ['发放积分', '兑换积分', '培训名额', '已报名额'] },
    series: [{ type: 'bar', data: [p.issued, p.redeemed, s.capacity, s.filled], itemStyle: { color: '#2e7d32' } }],
  });
  view.append(h('p', { class: 'muted', text: `统计区间：${fmtTime(m.from_ms)} 至 ${fmtTime(m.to_ms)}（不含）。随手拍和工单按提交月份计；用时为已解决、已回复者的中位数。` }));
}

/* Routing settings: categories (add, rename, disable), bodies, observers. */
async function pageRouting(view) {
  const [cats, bodies, dists, obs] = await Promise.all([api('GET', '/report-categories'), api('GET', '/bodies'),
    api('GET', '/districts'), api('GET', '/observers')]);
  const name = h('input', { id: 'cat-name', maxlength: 60, placeholder: '新类别，如 垃圾堆放' });
  const add = h('button', { id: 'cat-add', text: '添加类别' });
  add.addEventListener('click', async () => {
    try { await api('POST', '/report-categories', { name: name.value.trim() }); toast('已添加'); route(); } catch (e) { toast(e.message); }
  });
  const edit = (c, b) => async () => { try { await api('POST', '/report-categories/' + c.id, b()); toast('已保存'); route(); } catch (e) { toast(e.message); } };
  view.append(h('h1', { text: '随手拍分派' }), h('h2', { text: '类别（工友拍照后按序号选择）' }),
    table(['序号', '名称', '状态', ''], items(cats).map((c) => {
      const rn = h('input', { value: c.name, maxlength: 60, 'aria-label': '名称' });
      return h('tr', { 'data-category': c.name }, h('td', { text: c.id }), h('td', {}, rn),
        h('td', { text: c.active ? '启用' : '停用' }),
        h('td', {}, h('button', { class: 'secondary', text: '改名', onclick: edit(c, () => ({ name: rn.value.trim() })) }), ' ',
          h('button', { class: 'secondary', text: c.active ? '停用' : '启用', onclick: edit(c, () => ({ active: !c.active })) })));
    })), h('div', { class: 'row' }, name, add));
  const f = { code: h('input', { id: 'body-code', placeholder: '代码，如 fc-lamps', maxlength: 32 }), name: h('input', { id: 'body-name', placeholder: '名称，如 樊城区路灯所' }),
    cat: h('select', { id: 'body-cat' }, h('option', { value: '', text: '任何类别' }), items(cats).filter((c) => c.active).map((c) => h('option', { value: c.name, text: c.name }))),
    dist: h('select', { id: 'body-dist' }, h('option', { value: '', text: '任何区县' }), items(dists).map((d) => h('option', { value: d, text: d }))) };
  const addBody = h('button', { id: 'body-add', text: '添加处理单位' });
  addBody.addEventListener('click', async () => {
    const r = {};
    if (f.cat.value) r.category = f.cat.value;
    if (f.dist.value) r.district = f.dist.value;
    try { await api('POST', '/bodies', { code: f.code.value.trim(), name: f.name.value.trim(), routes: [r] }); toast('已添加'); route(); } catch (e) { toast(e.message); }
  });
  view.append(h('h2', { text: '处理单位（按类别和区县分派，最具体的规则优先）' }),
    table(['代码', '名称', '负责', '状态'], items(bodies).map((b) => h('tr', { 'data-body': b.code }, h('td', { text: b.code }), h('td', { text: b.name }),
      h('td', { text: b.routes.map((r) => `${r.category || '任何类别'} · ${r.district || '任何区县'}`).join('；') }), h('td', { text: b.active ? '启用' : '停用' })))),
    h('div', { class: 'row' }, f.code, f.name, f.cat, f.dist, addBody),
    h('h2', { text: `社区民情观察员（${items(obs).length}）` }),
    table(['编号', '姓名', '渠道', '登记于', '上报'], items(obs).map((o) => h('tr', {}, h('td', { text: o.id }), h('td', { text: o.name }),
      h('td', { text: o.channel }), h('td', { text: fmtTime(o.since_ms) }), h('td', { text: o.reports })))),
    observerForm());
}

/* Register (or unregister) a person as 社区民情观察员 by their number. */
function observerForm() {
  const id = h('input', { id: 'obs-id', type: 'number', min: 1, placeholder: '工友编号' });
  const set = (on) => async () => {
    try { await api('POST', `/people/${parseInt(id.value, 10)}/observer`, { observer: on }); toast(on ? '已登记为观察员' : '已取消观察员'); route(); } catch (e) { toast(e.message); }
  };
  return h('div', {}, h('div', { class: 'row' }, id, h('button', { id: 'obs-add', text: '登记观察员', onclick: set(true) }),
    h('button', { class: 'secondary', text: '取消登记', onclick: set(false) })),
  h('p', { class: 'muted', text: '观察员的上报在列表中带「观察员」标记，并在月报中单独计数。' }));
}

/* Redemptions: what workers took with their points, marked picked up here. */
async function pageRedemptions(view) {
  const list = items(await api('GET', '/redemptions?limit=200'));
  view.append(h('h1', { text: '积分兑换' }),
    h('div', { class: 'row filters' }, h('a', { class: 'csv', id: 'redemptions-csv', href: `${API}/redemptions?format=csv&limit=1000`, download: 'redemptions.csv', text: '导出 CSV' })),
    list.length ? table(['编号', '物品', '工友', '积分', '兑换时间', '领取'], list.map((r) => {
      const b = h('button', { class: 'secondary', text: '标记已领取', 'data-pick': r.id });
      b.addEventListener('click', async () => { try { await api('POST', `/redemptions/${r.id}/picked`, {}); toast('已标记领取'); route(); } catch (e) { toast(e.message); } });
      return h('tr', { 'data-redemption': r.id }, h('td', { text: r.id }), h('td', { text: r.item }), h('td', {}, r.name || '', h('div', { class: 'muted', text: r.person })),
        h('td', { text: r.cost }), h('td', { text: fmtTime(r.created_ms) }), h('td', {}, r.picked_ms ? '已领取 ' + fmtTime(r.picked_ms) : (can('POST', '/redemptions/*/picked') ? b : '未领取')));
    })) : h('p', { class: 'muted', text: '还没有兑换。' }));
}

/* The report page's routing card: category and district set by staff. */
async function routingCard(r) {
  if (!can('POST', '/reports/*/category')) return null;
  const [cats, dists] = await Promise.all([api('GET', '/report-categories'), api('GET', '/districts')]);
  const cat = h('select', { id: 'r-category', 'aria-label': '类别' }, h('option', { value: '', text: '未分类' }),
    items(cats).filter((c) => c.active || c.name === r.category).map((c) => h('option', { value: c.name, text: c.name, selected: c.name === r.category })));
  const dist = h('select', { id: 'r-district', 'aria-label': '区县' }, h('option', { value: '', text: '未定区县', disabled: true, selected: !r.district }),
    items(dists).map((d) => h('option', { value: d, text: d, selected: d === r.district })));
  const save = (what, v) => async () => {
    try {
      const a = await api('POST', `/reports/${encodeURIComponent(r.code)}/${what}`, { [what]: v() });
      toast(`已保存，分派给 ${a.body_name || '（没有处理单位）'}`);
      route();
    } catch (e) { toast(e.message); }
  };
  cat.addEventListener('change', save('category', () => cat.value || null));
  dist.addEventListener('change', save('district', () => dist.value));
  return h('div', { class: 'card', id: 'r-routing' }, h('h2', { text: '分派' }),
    h('p', { id: 'r-body', text: r.body_name ? `处理单位：${r.body_name}` : '处理单位：尚未分派（设定类别和区县后按规则分派）' }),
    r.observer ? h('p', {}, h('span', { class: 'pill observer', text: '观察员上报' })) : null,
    h('div', { class: 'row' }, h('label', {}, '类别 ', cat), h('label', {}, '区县 ', dist)));
}

Object.assign(VIEWS, { map: pageMap, monthly: pageMonthly, routing: pageRouting, redemptions: pageRedemptions });
