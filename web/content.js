/*
 * content.js - the content page of the dashboard (#content, #content/<file>):
 * pick a file of content/ or intents/ (replies, keywords and examples,
 * lessons, the station's texts), edit it, save (checked on the server as
 * `yizhan check` checks the files: problems are listed under the text by
 * line, a click puts the cursor there), see who changed what and revert with
 * one click. A failed SIGHUP reload is shown at the top. Loaded after app.js
 * and uses its helpers (h, api, table, fmtTime, route, toast). docs/api.md
 * has the routes.
 */
'use strict';

PAGES.splice(PAGES.length - 2, 0, ['content', '内容']);
PAGE_NEEDS.content = '/content/files';
VIEWS.content = pageContent;

async function pageContent(view, file) {
  const res = await api('GET', '/content/files');
  const files = items(res);
  const pick = h('select', { id: 'ct-file' }, h('option', { value: '', text: '选择文件…' }),
    files.map((f) => h('option', { value: f.file, text: f.file + (f.edited ? '（已改）' : '') })));
  pick.value = file || '';
  pick.addEventListener('change', () => { location.hash = '#content/' + encodeURIComponent(pick.value); });
  view.append(h('h1', { text: '内容' }));
  if (res.live && res.live.errors) {
    view.append(h('div', { class: 'card', id: 'ct-reload-failed' },
      h('h2', { class: 'error', text: `上次重新加载失败（${fmtTime(res.live.failed_at)}），仍在用之前的内容：` }),
      problemList(res.live.errors, null)));
  }
  view.append(h('div', { class: 'card' }, h('label', {}, '文件 ', pick),
    h('p', { class: 'muted', text: 'content: 回复文字，lessons: 微课，intents: 关键词和例句。保存前按 yizhan check 的规则检查，通过后立即生效。' })));
  if (file) await contentEditor(view, file);
}

/* The problems as a list; with a textarea, a click selects the line. */
function problemList(problems, text) {
  return h('ul', { id: 'ct-errors', class: 'error' }, problems.map((p) => {
    const where = (p.file || '') + (p.line ? ` 第 ${p.line} 行` : '');
    const li = h('li', { 'data-line': p.line || null }, where ? h('b', { text: where + '：' }) : null, p.message || '');
    if (text && p.line) li.addEventListener('click', () => selectLine(text, p.line));
    return li;
  }));
}

function selectLine(text, line) {
  const lines = text.value.split('\n');
  const start = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
  text.focus();
  text.setSelectionRange(start, start + (lines[line - 1] || '').length);
}

async function contentEditor(view, file) {
  const path = '/content/files/' + encodeURIComponent(file);
  const [cur, hist] = await Promise.all([api('GET', path), api('GET', path + '/history')]);
  const text = h('textarea', { id: 'ct-text', rows: 24, spellcheck: 'false' });
  text.value = cur.text;
  const note = h('input', { id: 'ct-note', maxlength: 200, placeholder: '改了什么（可不填）' });
  const errors = h('div', { id: 'ct-problems' });
  const save = h('button', { id: 'ct-save', type: 'button', text: '保存并生效' });
  save.addEventListener('click', async () => {
    errors.replaceChildren();
    try {
      const r = await api('POST', path, { text: text.value, note: note.value.trim() });
      toast(`已保存为第 ${r.version} 版，已生效`);
      route();
    } catch (e) {
      if (e.status === 400 && e.body && e.body.errors) {
        errors.append(h('p', { class: 'error', text: '没有保存：' }), problemList(e.body.errors, text));
      } else toast(e.message);
    }
  });
  const revert = async (version) => {
    try {
      const r = await api('POST', path + '/revert', { version });
      toast(`已恢复（第 ${r.version} 版），已生效`);
      route();
    } catch (e) {
      if (e.status === 400 && e.body && e.body.errors) {
        errors.replaceChildren(h('p', { class: 'error', text: '不能恢复：' }), problemList(e.body.errors, text));
      } else toast(e.message);
    }
  };
  const source = cur.source === 'saved' ? `管理台保存的第 ${cur.version} 版` : '随程序发布的文件';
  view.append(h('div', { class: 'card' },
    h('h2', { text: file }), h('p', { class: 'muted', id: 'ct-source', text: '现在用的是：' + source }),
    text, errors, h('div', { class: 'row' }, h('label', {}, '说明 ', note), save)));
  const rows = items(hist).map((v) => h('tr', { 'data-version': v.version },
    h('td', { text: String(v.version) }), h('td', { text: fmtTime(v.at) }), h('td', { text: v.actor }),
    h('td', { text: v.note }), h('td', { text: v.shipped ? '原始文件' : `${v.lines} 行，${v.size} 字节` }),
    h('td', {}, h('button', { type: 'button', class: 'link ct-revert', text: '恢复此版', onclick: () => revert(v.version) }))));
  view.append(h('div', { class: 'card', id: 'ct-history' }, h('h2', { text: '修改记录' }),
    rows.length ? table(['版本', '时间', '谁', '说明', '内容', ''], rows) : h('p', { class: 'muted', text: '还没有在管理台改过。' }),
    h('button', { type: 'button', id: 'ct-revert-file', class: 'link', text: '恢复为随程序发布的文件', onclick: () => revert(0) })));
}
