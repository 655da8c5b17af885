/*
 * dashboard.test.js - the admin dashboard end to end in Debian's headless
 * Chromium (driven by playwright-core): starts ./yizhan serve on a free port
 * with a temp database, seeds data through the webhook and admin APIs, signs
 * in, opens every page (no console error allowed), composes and previews a
 * broadcast and sends it, exports a course's CSV, credits points, and saves
 * screenshots under tests/out/. Run from the repository root (make test-e2e).
 * Ends with "N passed, N failed".
 */
'use strict';

const { chromium } = require('playwright-core');
const { spawn } = require('child_process');
const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');

const ROOT = path.resolve(__dirname, '..', '..');
const OUT = path.join(ROOT, 'tests', 'out');
const TOKEN = 'e2e-super-token';
const UNION = 'e2e-union-token';
const DESK = 'e2e-desk-token';
/* Routes of features built in parallel (reports, service desk): until they
 * are merged they answer 404, which the pages show as "not available yet". */
const FUTURE = /\/admin\/api\/(reports|tickets|volunteers|media)\b/;

let passed = 0, failed = 0;
function check(cond, what) {
  if (cond) { passed++; console.log('ok   ' + what); } else { failed++; console.log('FAIL ' + what); }
}

function startServer(dir) {
  return new Promise((resolve, reject) => {
    const log = path.join(dir, 'serve.log');
    const out = fs.openSync(log, 'w');
    const sets = [
      'listen=127.0.0.1:0', `database=${dir}/y.db`, `media_dir=${dir}/media`, 'push.quiet=',
      'push.rush=', `admin.token=${TOKEN}`, `admin.union_token=${UNION}`, `admin.desk_token=${DESK}`,
      'admin.union_points_budget=100', `admin.web_dir=${ROOT}/web`,
      `content_dir=${ROOT}/content`, `intents_dir=${ROOT}/intents`,
    ];
    const args = ['serve'];
    for (const s of sets) args.push('--set', s);
    const p = spawn(path.join(ROOT, 'yizhan'), args, { cwd: ROOT, stdio: ['ignore', 'ignore', out] });
    let tries = 0;
    const t = setInterval(() => {
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(fs.readFileSync(log, 'utf8'));
      if (m) { clearInterval(t); resolve({ proc: p, port: +m[1], log }); }
      else if (++tries > 100 || p.exitCode !== null) { clearInterval(t); reject(new Error('server did not start:\n' + fs.readFileSync(log, 'utf8'))); }
    }, 50);
  });
}

async function call(port, method, p, body, token) {
  const r = await fetch(`http://127.0.0.1:${port}${p}`, {
    method, headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: 'Bearer ' + token } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  let j = null;
  try { j = JSON.parse(text); } catch (e) { j = text; }
  return { status: r.status, body: j };
}

/* A tiny PNG served locally, for a photo report. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
function photoServer() {
  return new Promise((resolve) => {
    const s = http.createServer((req, res) => { res.writeHead(200, { 'Content-Type': 'image/png' }); res.end(PNG); });
    s.listen(0, '127.0.0.1', () => resolve(s));
  });
}

async function seed(port, photoPort) {
  const say = (id, from, text, extra) => call(port, 'POST', '/webhook/generic', { id, from, name: '张师傅' + from, text, ...extra });
  for (let i = 0; i < 4; i++) await say('m-hi-' + i, 'u-' + i, '积分');
  await say('m-u1', 'u-1', '我想查一下积分呀');
  await say('m-u2', 'u-2', '外卖超时被罚款怎么办');
  await say('m-u3', 'u-3', '外卖超时被罚款怎么办');
  const c = await call(port, 'POST', '/admin/api/courses', {
    title: '养老护理入门', provider: '襄阳职院', place: '驿站二楼', start: '2099-05-01 09:00',
    end: '2099-05-01 11:00', capacity: 2, checkin_points: 10,
  }, UNION);
  check(c.status === 201, 'seed: the union office creates a course');
  await call(port, 'POST', '/admin/api/courses', {
    title: '智能手机课', place: '高校服务站', start: '2099-05-02 14:00', end: '2099-05-02 16:00', capacity: 30,
  }, DESK);
  for (let i = 0; i < 3; i++) await say('m-book-' + i, 'u-' + i, '报名 1');
  const d = await call(port, 'GET', '/admin/api/courses', null, DESK);
  check(d.status === 200 && d.body.items.length === 1 && d.body.items[0].owner === 'desk',
    'seed: the desk sees only its own course');
  const p = await call(port, 'POST', '/admin/api/points', { person: 'generic:u-1', delta: 20, reason: '志愿服务', ref: 'seed-1' }, UNION);
  check(p.status === 201, 'seed: the union office credits points');
  const over = await call(port, 'POST', '/admin/api/points', { person: 'generic:u-1', delta: 90, reason: '志愿服务', ref: 'seed-2' }, UNION);
  check(over.status === 403, 'seed: a credit over the monthly budget is refused');
  /* a photo report, once the reports feature is merged */
  await say('m-photo', 'u-2', '井盖坏了', { media: [{ url: `http://127.0.0.1:${photoPort}/a.png`, type: 'image/png' }], location: { lat: 32.0423, lon: 112.1441 } });
}

async function main() {
  fs.mkdirSync(OUT, { recursive: true });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yizhan-e2e-'));
  const photos = await photoServer();
  const srv = await startServer(dir);
  const base = `http://127.0.0.1:${srv.port}`;
  let ctx = null;
  try {
    await seed(srv.port, photos.address().port);
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'yizhan-chromium-'));
    ctx = await chromium.launchPersistentContext(profile, {
      executablePath: '/usr/bin/chromium', headless: true, acceptDownloads: true,
      viewport: { width: 1280, height: 860 }, locale: 'zh-CN',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    const page = ctx.pages()[0] || await ctx.newPage();
    const errors = [];
    page.on('console', (m) => {
      if (m.type() !== 'error') return;
      const url = (m.location() && m.location().url) || '';
      if (/status of 404/.test(m.text()) && FUTURE.test(url)) return;
      errors.push(m.text() + ' ' + url);
    });
    page.on('pageerror', (e) => errors.push('page error: ' + e.message));
    page.on('dialog', (d) => d.accept());

    await page.goto(base + '/admin/');
    await page.waitForSelector('#login-form');
    check(await page.isVisible('#login-form'), 'the sign-in form shows');
    await page.screenshot({ path: path.join(OUT, 'login.png') });
    await page.fill('#login-token', TOKEN);
    await page.click('#login-form button');
    await page.waitForSelector('#view[data-ready="glance"]');
    const cookies = await ctx.cookies(base + '/admin/');
    const sid = cookies.find((c) => c.name === 'yz_sid');
    check(sid && sid.httpOnly && sid.sameSite === 'Strict', 'the session cookie is HttpOnly and SameSite=Strict');
    check((await page.textContent('#role')) === '总管理员', 'signed in as the super-admin');
    check(await page.locator('.chart svg rect').count() >= 120, 'four 30-day charts are drawn');

    const pages = ['glance', 'reports', 'broadcasts', 'courses', 'lessons', 'tickets', 'volunteers', 'points', 'unknown'];
    for (const p of pages) {
      await page.goto(`${base}/admin/#${p}`);
      await page.waitForSelector(`#view[data-ready="${p}"]`);
      const err = await page.locator('#view .error').count();
      check(err === 0, `page ${p} loads without an error message`);
      await page.screenshot({ path: path.join(OUT, `${p}.png`), fullPage: true });
    }
    await page.goto(`${base}/admin/#unknown`);
    await page.waitForSelector('#view[data-ready="unknown"]');
    const unk = await page.textContent('#view');
    check(unk.includes('外卖超时被罚款怎么办') && unk.includes('points.balance'), 'not-understood list with a suggested intent');

    /* reports: triage when the feature is there, else "not available yet" */
    const rep = await call(srv.port, 'GET', '/admin/api/reports', null, TOKEN);
    await page.goto(`${base}/admin/#reports`);
    await page.waitForSelector('#view[data-ready="reports"]');
    if (rep.status === 404) {
      check(await page.locator('.notyet').count() === 1, 'reports page says not available yet');
    } else {
      const first = page.locator('#view table a').first();
      await first.click();
      await page.waitForSelector('#view[data-ready="reports"] h1');
      await page.waitForSelector('#view img.photo');
      await page.screenshot({ path: path.join(OUT, 'report.png'), fullPage: true });
      await page.click('text=受理');
      await page.waitForSelector('#toast:not(.hidden)');
      check(/已更新/.test(await page.textContent('#toast')), 'a report is accepted from its page');
    }

    /* broadcasts: compose, live preview, send, progress */
    await page.goto(`${base}/admin/#broadcasts`);
    await page.waitForSelector('#view[data-ready="broadcasts"]');
    await page.fill('#bc-text', '今晚八点驿站有免费体检，欢迎来。回复 TD 退订');
    await page.waitForFunction(() => /收件人 \d+/.test(document.querySelector('#bc-preview').textContent));
    const prev = await page.textContent('#bc-preview');
    check(/每条短信 1 段/.test(prev) && /约 [\d.]+ 元/.test(prev), 'the preview shows SMS parts and cost: ' + prev);
    await page.screenshot({ path: path.join(OUT, 'broadcast-compose.png'), fullPage: true });
    await page.click('#bc-send');
    await page.waitForSelector('#view[data-ready="broadcasts"] [data-broadcast] .bar');
    check(await page.locator('[data-broadcast]').count() === 1, 'the broadcast is listed with a progress bar');
    await page.screenshot({ path: path.join(OUT, 'broadcast-sent.png'), fullPage: true });

    /* courses: a course's bookings, attendance, CSV export */
    await page.goto(`${base}/admin/#courses`);
    await page.waitForSelector('#view[data-ready="courses"]');
    check((await page.textContent('#view')).includes('2 / 2'), 'the union course shows its seats taken');
    await page.click('text=养老护理入门');
    await page.waitForSelector('#csv-link');
    check((await page.textContent('#view')).includes('候补 第 1 位'), 'the waitlist shows its position');
    await page.screenshot({ path: path.join(OUT, 'course.png'), fullPage: true });
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#csv-link')]);
    const csv = fs.readFileSync(await dl.path(), 'utf8');
    check(csv.startsWith('id,person,name,status,position,cost,booked_at,attended_at') && csv.split('\r\n').length >= 4,
      'the CSV export has the header and the bookings');
    await page.locator('#view td button:not([disabled])').first().click();
    await page.waitForSelector('#toast:not(.hidden)');
    check(/已记出勤/.test(await page.textContent('#toast')), 'attendance is recorded');

    /* points: look a worker up and credit with a reason */
    await page.goto(`${base}/admin/#points`);
    await page.waitForSelector('#view[data-ready="points"]');
    await page.fill('#p-person', 'generic:u-1');
    await page.click('text=查询');
    await page.waitForSelector('text=余额 20 分');
    await page.fill('#p-delta', '5');
    await page.fill('#p-reason', '帮助新人');
    await page.click('#p-credit');
    await page.waitForSelector('text=余额 25 分');
    check(true, 'points are credited with a reason');
    await page.screenshot({ path: path.join(OUT, 'points-after.png'), fullPage: true });

    /* the phone layout */
    await page.setViewportSize({ width: 390, height: 844 });
    for (const p of ['glance', 'courses']) {
      await page.goto(`${base}/admin/#${p}`);
      await page.waitForSelector(`#view[data-ready="${p}"]`);
      await page.screenshot({ path: path.join(OUT, `phone-${p}.png`), fullPage: true });
    }
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    check(wide <= 400, 'the phone layout does not scroll sideways (' + wide + ')');

    /* sign out: the API refuses the old session */
    await page.click('#logout');
    await page.waitForSelector('#login-form');
    check(errors.length === 0, 'no console error' + (errors.length ? ':\n  ' + errors.join('\n  ') : ''));
    const old = await fetch(base + '/admin/api/stats', { headers: { Cookie: 'yz_sid=' + sid.value } });
    check(old.status === 401, 'signed out: the old session cookie gets 401');
  } catch (e) {
    failed++;
    console.log('FAIL ' + (e.stack || e));
  } finally {
    if (ctx) await ctx.close();
    photos.close();
    srv.proc.kill('SIGTERM');
    await new Promise((r) => srv.proc.once('exit', r));
    const log = fs.readFileSync(srv.log, 'utf8');
    check(!/Z error /.test(log), 'no error line in the server log');
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main();
