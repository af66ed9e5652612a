/// The search page's styles (`/assets/app.css`): one column on a phone, a grid of hits that
/// fills the width on a desktop; system fonts only (nothing is fetched from elsewhere).
enum PageCSS {
    static let text = #"""
:root {
  --bg: #f6f7f9; --card: #fff; --ink: #1d232b; --muted: #5d6877; --line: #dde2e8;
  --accent: #1f6feb; --accent-ink: #fff; --bar: #3d8bfd; --radius: 10px;
  font-family: system-ui, -apple-system, "Segoe UI", "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei",
    "WenQuanYi Micro Hei", sans-serif;
  color: var(--ink); background: var(--bg);
}
* { box-sizing: border-box; }
body { margin: 0; min-height: 100vh; display: flex; flex-direction: column; }
html[data-ui="zh"] [lang="en"] { display: none; }
html[data-ui="en"] [lang="zh"] { display: none; }
html[data-ui="both"] span[lang="en"]:not(:first-child)::before { content: " · "; color: var(--muted); }

.top { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; justify-content: space-between;
  padding: .75rem 1rem; background: var(--card); border-bottom: 1px solid var(--line); }
.top h1 { font-size: 1.2rem; margin: 0; }
.top-tools { display: flex; gap: .75rem; align-items: center; flex-wrap: wrap; }
.switch { display: inline-flex; border: 1px solid var(--line); border-radius: 999px; overflow: hidden; }
.switch button { border: 0; border-radius: 0; background: transparent; padding: .3rem .7rem; }
.switch button[aria-pressed="true"] { background: var(--accent); color: var(--accent-ink); }
.key summary { cursor: pointer; color: var(--muted); font-size: .9rem; }
.key[open] { display: grid; gap: .25rem; }

.tabs { display: flex; gap: .25rem; padding: .5rem 1rem 0; overflow-x: auto; }
.tabs button { border: 0; border-bottom: 3px solid transparent; border-radius: 0; background: none;
  padding: .5rem .75rem; font-weight: 600; color: var(--muted); white-space: nowrap; }
.tabs button[aria-selected="true"] { color: var(--ink); border-bottom-color: var(--accent); }

main { flex: 1; padding: 1rem; width: 100%; max-width: 1400px; margin: 0 auto; }
.panel { display: grid; gap: 1rem; align-content: start; }
.panel[hidden] { display: none; }
.foot { padding: 1rem; text-align: center; color: var(--muted); font-size: .85rem; }
.foot a { color: inherit; }

input, select, button { font: inherit; }
input[type="text"], input[type="search"], input[type="password"], select {
  padding: .55rem .7rem; border: 1px solid var(--line); border-radius: var(--radius); background: var(--card); min-width: 0; }
button { padding: .55rem .9rem; border: 1px solid var(--line); border-radius: var(--radius); background: var(--card);
  cursor: pointer; }
button.primary { background: var(--accent); color: var(--accent-ink); border-color: var(--accent); }
button:disabled { opacity: .6; cursor: progress; }

.search-bar { display: grid; grid-template-columns: 1fr auto auto; gap: .5rem; align-items: end; }
.search-bar #query { font-size: 1.1rem; }
.search-bar .k { display: grid; gap: .15rem; font-size: .8rem; color: var(--muted); white-space: nowrap; }
.drop { display: flex; gap: .75rem; align-items: center; justify-content: center; min-height: 4.5rem; padding: .75rem;
  border: 2px dashed var(--line); border-radius: var(--radius); color: var(--muted); cursor: pointer; text-align: center; }
.drop.over { border-color: var(--accent); background: #eaf2ff; color: var(--ink); }
.drop input { position: absolute; width: 1px; height: 1px; opacity: 0; }
.drop img { width: 3.5rem; height: 3.5rem; object-fit: cover; border-radius: 6px; }

.status { margin: 0; color: var(--muted); min-height: 1.3em; }
.status .path { display: inline-block; padding: .05rem .5rem; border-radius: 999px; background: #e7edf6; color: var(--ink);
  font-family: ui-monospace, monospace; }
.status.error { color: #b42318; }

.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: .75rem; }
.hit { margin: 0; background: var(--card); border: 1px solid var(--line); border-radius: var(--radius); overflow: hidden;
  display: flex; flex-direction: column; cursor: pointer; transition: box-shadow .15s; }
.hit:hover, .hit:focus-visible { box-shadow: 0 4px 14px rgba(0, 0, 0, .12); outline: none; }
.hit img { width: 100%; height: auto; aspect-ratio: 1 / 1; object-fit: cover; background: #eef1f4; display: block; }
.hit figcaption { padding: .5rem .6rem .6rem; display: grid; gap: .2rem; font-size: .88rem; }
.hit .score { font-family: ui-monospace, monospace; font-size: .8rem; color: var(--accent); }
.hit .caption { overflow-wrap: anywhere; }
.hit .caption-zh { color: var(--muted); }
.hit .more { font-size: .78rem; color: var(--muted); }

.stack { display: grid; gap: .6rem; max-width: 40rem; }
/* The label's two languages run on one line; the field takes the next. */
.stack label { display: flex; flex-wrap: wrap; align-items: baseline; row-gap: .25rem; }
.stack label > input { flex: 1 1 100%; }
.stack label.inline { flex-wrap: nowrap; gap: .5rem; align-items: center; }
.stack label.inline > input { flex: 0 0 auto; }
progress { width: 100%; height: 1rem; }
.preview { max-width: 14rem; max-height: 14rem; border-radius: var(--radius); border: 1px solid var(--line); }

.bars { display: grid; gap: .4rem; max-width: 40rem; }
.bar { display: grid; grid-template-columns: minmax(6rem, 12rem) 1fr 4rem; gap: .5rem; align-items: center; }
.bar .track { height: 1.1rem; background: #e7edf6; border-radius: 999px; overflow: hidden; }
.bar .fill { height: 100%; background: var(--bar); width: 0; }
.bar .value { font-family: ui-monospace, monospace; text-align: right; }

.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; background: var(--card); border-radius: var(--radius); }
th, td { text-align: left; padding: .45rem .6rem; border-bottom: 1px solid var(--line); font-size: .9rem; }
td button { padding: .25rem .6rem; }

@media (max-width: 600px) {
  .top { padding: .6rem .75rem; }
  .top h1 { font-size: 1.05rem; }
  .tabs { display: grid; grid-template-columns: repeat(4, 1fr); padding: .25rem .5rem 0; gap: 0; }
  .tabs button { padding: .4rem .2rem; font-size: .9rem; }
  .tabs button span { display: block; }
  html[data-ui] .tabs button span[lang="en"]::before { content: none; }
  .hit .more { display: none; }
  main { padding: .75rem; }
  .search-bar { grid-template-columns: 1fr auto; }
  .search-bar .k { display: none; }
  .grid { grid-template-columns: repeat(2, minmax(0, 1fr)); gap: .5rem; }
  .hit figcaption { font-size: .82rem; }
  .bar { grid-template-columns: 6rem 1fr 3.2rem; }
}
"""#
}
