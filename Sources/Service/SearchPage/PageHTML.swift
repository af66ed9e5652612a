/// The search page's markup (`GET /`). Every label carries both languages, one `<span lang>`
/// each; the 中文 / English switch hides one of them (PageCSS). No inline script or style: the
/// Content-Security-Policy allows this origin's files only.
enum PageHTML {
    static let text = #"""
<!doctype html>
<html lang="zh-Hans" data-ui="both">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>AdaptCLIP · 图片搜索 Image search</title>
<link rel="icon" href="/assets/icon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/app.css">
<script src="/assets/app.js" defer></script>
</head>
<body>
<header class="top">
  <h1>AdaptCLIP <span lang="zh">图片搜索</span><span lang="en">Image search</span></h1>
  <div class="top-tools">
    <div class="switch" role="group" aria-label="界面语言 Interface language">
      <button type="button" data-ui-choice="zh">中文</button>
      <button type="button" data-ui-choice="both">中 / EN</button>
      <button type="button" data-ui-choice="en">English</button>
    </div>
    <details class="key">
      <summary><span lang="zh">API 密钥</span><span lang="en">API key</span></summary>
      <label for="api-key"><span lang="zh">可选；保存在本浏览器</span><span lang="en">Optional; kept in this browser</span></label>
      <input id="api-key" type="password" autocomplete="off" placeholder="sk-…">
    </details>
  </div>
</header>

<nav class="tabs" role="tablist">
  <button type="button" role="tab" data-tab="search" aria-selected="true"><span lang="zh">搜索</span><span lang="en">Search</span></button>
  <button type="button" role="tab" data-tab="upload" aria-selected="false"><span lang="zh">上传</span><span lang="en">Upload</span></button>
  <button type="button" role="tab" data-tab="classify" aria-selected="false"><span lang="zh">分类</span><span lang="en">Classify</span></button>
  <button type="button" role="tab" data-tab="admin" aria-selected="false"><span lang="zh">管理</span><span lang="en">Admin</span></button>
</nav>

<main>
<section id="tab-search" class="panel" role="tabpanel">
  <form id="search-form" class="search-bar">
    <input id="query" type="search" name="query" autocomplete="off" enterkeyhint="search"
           placeholder="两个红色的圆形 · two red circles" aria-label="搜索 Search">
    <label class="k"><span class="k-label"><span lang="zh">数量</span><span lang="en">Results</span></span>
      <select id="k"><option>12</option><option selected>24</option><option>48</option><option>100</option></select>
    </label>
    <button type="submit" class="primary"><span lang="zh">搜索</span><span lang="en">Search</span></button>
  </form>
  <label id="drop-zone" class="drop" for="search-file">
    <img id="search-preview" alt="" hidden>
    <span><span lang="zh">拖入图片以图搜图，或点击选择</span><span lang="en">Drop an image to search by image, or click to pick one</span></span>
    <input id="search-file" type="file" accept="image/jpeg,image/png,image/webp">
  </label>
  <p id="search-status" class="status" aria-live="polite"></p>
  <div id="results" class="grid"></div>
</section>

<section id="tab-upload" class="panel" role="tabpanel" hidden>
  <form id="upload-form" class="stack">
    <label><span lang="zh">图片（可多选）</span><span lang="en">Images (several at once)</span>
      <input id="upload-file" type="file" accept="image/jpeg,image/png,image/webp" multiple required></label>
    <label><span lang="zh">说明（可选）</span><span lang="en">Caption (optional)</span>
      <input id="upload-caption" type="text" autocomplete="off"></label>
    <button type="submit" class="primary"><span lang="zh">上传到图库</span><span lang="en">Add to the collection</span></button>
    <progress id="upload-progress" max="100" value="0" hidden></progress>
  </form>
  <p id="upload-status" class="status" aria-live="polite"></p>
  <div id="uploaded" class="grid"></div>
</section>

<section id="tab-classify" class="panel" role="tabpanel" hidden>
  <form id="classify-form" class="stack">
    <label><span lang="zh">图片</span><span lang="en">Image</span>
      <input id="classify-file" type="file" accept="image/jpeg,image/png,image/webp" required></label>
    <img id="classify-preview" class="preview" alt="" hidden>
    <label><span lang="zh">类别（逗号分隔）</span><span lang="en">Labels (comma-separated)</span>
      <input id="classify-labels" type="text" value="红色圆形, 蓝色三角形, 绿色正方形, 黄色五角星"></label>
    <button type="submit" class="primary"><span lang="zh">分类</span><span lang="en">Classify</span></button>
  </form>
  <p id="classify-status" class="status" aria-live="polite"></p>
  <div id="classify-bars" class="bars"></div>
</section>

<section id="tab-admin" class="panel" role="tabpanel" hidden>
  <form id="admin-form" class="stack">
    <label><span lang="zh">管理令牌（仅保存在本标签页）</span><span lang="en">Admin token (kept in this tab only)</span>
      <input id="admin-token" type="password" autocomplete="off"></label>
    <button type="submit" class="primary"><span lang="zh">列出适配器</span><span lang="en">List adapters</span></button>
  </form>
  <p id="admin-status" class="status" aria-live="polite"></p>
  <div class="table-wrap"><table id="adapters">
    <thead><tr>
      <th><span lang="zh">适配器</span><span lang="en">Adapter</span></th>
      <th><span lang="zh">类型</span><span lang="en">Kind</span></th>
      <th><span lang="zh">状态</span><span lang="en">State</span></th>
      <th></th>
    </tr></thead>
    <tbody></tbody>
  </table></div>
  <form id="adapter-load-form" class="stack">
    <label><span lang="zh">加载适配器（服务器上的目录）</span><span lang="en">Load an adapter (a directory on the server)</span>
      <input id="adapter-path" type="text" autocomplete="off" placeholder="/srv/adapters/zh-v2" required></label>
    <label class="inline"><input id="adapter-activate" type="checkbox">
      <span lang="zh">加载后激活</span><span lang="en">Activate once loaded</span></label>
    <button type="submit"><span lang="zh">加载</span><span lang="en">Load</span></button>
  </form>
  <div class="stack">
    <button type="button" id="reindex-start"><span lang="zh">重建索引</span><span lang="en">Re-index the collection</span></button>
    <progress id="reindex-progress" max="100" value="0" hidden></progress>
    <p id="reindex-status" class="status" aria-live="polite"></p>
  </div>
</section>
</main>
<footer class="foot"><a href="/openapi.json">OpenAPI</a> · <a href="/readyz">/readyz</a></footer>
</body>
</html>
"""#
}
