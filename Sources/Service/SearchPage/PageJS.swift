/// The search page's behaviour (`/assets/app.js`): plain JavaScript over the public API, from
/// this origin. Server text is always set as text, never parsed as markup. The optional API key
/// (localStorage) goes with every user request as `Authorization: Bearer`; the admin token
/// (sessionStorage, this tab only) with admin requests. Thumbnails are fetched with the same
/// headers and shown from blob URLs, so they work when the server requires a key.
enum PageJS {
    static let text = #"""
"use strict";
(() => {
  const $ = (selector, root = document) => root.querySelector(selector);
  const store = {
    get apiKey() { return localStorage.getItem("adaptclip.apiKey") || ""; },
    set apiKey(value) { value ? localStorage.setItem("adaptclip.apiKey", value) : localStorage.removeItem("adaptclip.apiKey"); },
    get adminToken() { return sessionStorage.getItem("adaptclip.adminToken") || ""; },
    set adminToken(value) { value ? sessionStorage.setItem("adaptclip.adminToken", value) : sessionStorage.removeItem("adaptclip.adminToken"); },
    get ui() { return localStorage.getItem("adaptclip.ui") || "both"; },
    set ui(value) { localStorage.setItem("adaptclip.ui", value); },
  };

  /// Both languages of a message, as the static labels have them.
  function bilingual(zh, en) {
    const out = document.createDocumentFragment();
    for (const [lang, text] of [["zh", zh], ["en", en]]) {
      const span = document.createElement("span");
      span.lang = lang;
      span.textContent = text;
      out.append(span);
    }
    return out;
  }

  /// `prefix`: text the same in both languages (a query), shown once before the message.
  function setStatus(element, zh, en, { error = false, extra = null, prefix = "" } = {}) {
    element.replaceChildren(bilingual(zh, en));
    if (prefix) element.prepend(prefix + " · ");
    if (extra) element.append(" ", extra);
    element.classList.toggle("error", error);
  }

  function authHeaders(admin) {
    const token = admin ? store.adminToken : store.apiKey;
    return token ? { Authorization: "Bearer " + token } : {};
  }

  /// A problem document's detail (RFC 9457), or the status line.
  async function failure(response) {
    let detail = response.status + " " + response.statusText;
    try {
      const problem = await response.json();
      if (problem && problem.detail) detail = response.status + " " + problem.detail;
    } catch (_) { /* not JSON */ }
    return new Error(detail);
  }

  async function api(path, { method = "GET", body = undefined, admin = false } = {}) {
    const headers = authHeaders(admin);
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (!response.ok) throw await failure(response);
    return response.status === 204 ? null : response.json();
  }

  function readAsDataURL(file) {
    return new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(reader.result);
      reader.onerror = () => reject(reader.error);
      reader.readAsDataURL(file);
    });
  }

  // Blob URLs of the thumbnails on screen, released when a grid is redrawn.
  const thumbnailURLs = new Map();

  async function loadThumbnail(img, id, grid) {
    try {
      const response = await fetch("/v1/images/" + id + "/thumbnail", { headers: authHeaders(false) });
      if (!response.ok) throw await failure(response);
      const url = URL.createObjectURL(await response.blob());
      thumbnailURLs.get(grid).push(url);
      img.addEventListener("load", () => { img.dataset.loaded = "true"; }, { once: true });
      img.src = url;
    } catch (error) {
      img.alt = String(error.message || error);
      img.dataset.loaded = "failed";
    }
  }

  /// One card per item: thumbnail, score (search hits only), caption, and the Chinese caption
  /// when the item's metadata has one (the demo gallery's do). A click searches for more like it.
  function renderItems(grid, items) {
    for (const url of thumbnailURLs.get(grid) || []) URL.revokeObjectURL(url);
    thumbnailURLs.set(grid, []);
    grid.replaceChildren();
    for (const item of items) {
      const card = document.createElement("figure");
      card.className = "hit";
      card.tabIndex = 0;
      card.dataset.id = item.id;
      card.title = "更多相似 · More like this";
      const img = document.createElement("img");
      img.alt = item.caption || "#" + item.id;
      img.width = 256;
      img.height = 256;
      card.append(img);
      const caption = document.createElement("figcaption");
      if (typeof item.score === "number") {
        const score = document.createElement("span");
        score.className = "score";
        score.textContent = item.score.toFixed(3) + "  #" + item.id;
        caption.append(score);
      }
      const text = document.createElement("span");
      text.className = "caption";
      text.textContent = item.caption || item.uri || "#" + item.id;
      caption.append(text);
      const zh = item.metadata && typeof item.metadata.caption_zh === "string" ? item.metadata.caption_zh : "";
      if (zh) {
        const line = document.createElement("span");
        line.className = "caption-zh";
        line.textContent = zh;
        caption.append(line);
      }
      const more = document.createElement("span");
      more.className = "more";
      more.append(bilingual("点击查看相似图片", "Click for more like this"));
      caption.append(more);
      card.append(caption);
      const open = () => searchLike(item.id);
      card.addEventListener("click", open);
      card.addEventListener("keydown", (event) => { if (event.key === "Enter") open(); });
      grid.append(card);
      loadThumbnail(img, item.id, grid);
    }
  }

  // ---- search -------------------------------------------------------------------------------
  const results = $("#results");
  const searchStatus = $("#search-status");
  const pathNames = { en: ["英文路径", "English path"], zh: ["中文路径（适配器）", "Chinese path (adapter)"],
    "zh-raw": ["中文路径（无适配器）", "Chinese path (no adapter)"], image: ["以图搜图", "image query"], id: ["相似图片", "more like this"] };

  /// Runs one /v1/search and shows its hits; `what` describes the query in the status line.
  async function search(body, what) {
    body.k = Number($("#k").value);
    searchStatus.dataset.state = "busy";
    setStatus(searchStatus, "搜索中…", "Searching…");
    try {
      const answer = await api("/v1/search", { method: "POST", body });
      renderItems(results, answer.hits);
      const [zh, en] = pathNames[answer.lang] || [answer.lang, answer.lang];
      const path = document.createElement("span");
      path.className = "path";
      path.textContent = answer.lang;
      const shared = what[0] === what[1];
      setStatus(searchStatus, (shared ? "" : what[0] + " · ") + zh + " · " + answer.hits.length + " 个结果",
        (shared ? "" : what[1] + " · ") + en + " · " + answer.hits.length + " hits",
        { extra: path, prefix: shared ? what[0] : "" });
      searchStatus.dataset.lang = answer.lang;
      searchStatus.dataset.state = "done";
    } catch (error) {
      setStatus(searchStatus, "搜索失败：" + error.message, "Search failed: " + error.message, { error: true });
      searchStatus.dataset.state = "failed";
    }
  }

  function searchLike(id) {
    selectTab("search");
    window.scrollTo({ top: 0, behavior: "smooth" });
    return search({ id }, ["与 #" + id + " 相似", "More like #" + id]);
  }

  $("#search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const query = $("#query").value.trim();
    if (query) search({ query }, ["“" + query + "”", "“" + query + "”"]);
  });

  async function searchByImage(file) {
    if (!file) return;
    const preview = $("#search-preview");
    if (preview.src.startsWith("blob:")) URL.revokeObjectURL(preview.src);
    preview.src = URL.createObjectURL(file);
    preview.hidden = false;
    await search({ image: await readAsDataURL(file) }, ["以图搜图：" + file.name, "Image: " + file.name]);
  }

  const dropZone = $("#drop-zone");
  $("#search-file").addEventListener("change", (event) => searchByImage(event.target.files[0]));
  for (const name of ["dragenter", "dragover"]) {
    dropZone.addEventListener(name, (event) => { event.preventDefault(); dropZone.classList.add("over"); });
  }
  for (const name of ["dragleave", "drop"]) {
    dropZone.addEventListener(name, () => dropZone.classList.remove("over"));
  }
  dropZone.addEventListener("drop", (event) => {
    event.preventDefault();
    searchByImage(event.dataTransfer.files[0]);
  });

  // ---- upload -------------------------------------------------------------------------------
  const uploadStatus = $("#upload-status");
  const uploadProgress = $("#upload-progress");

  /// One file as multipart/form-data; XMLHttpRequest because fetch reports no upload progress.
  function uploadOne(file, caption, onProgress) {
    return new Promise((resolve, reject) => {
      const form = new FormData();
      form.append("file", file, file.name);
      if (caption) form.append("caption", caption);
      const request = new XMLHttpRequest();
      request.open("POST", "/v1/images");
      for (const [name, value] of Object.entries(authHeaders(false))) request.setRequestHeader(name, value);
      request.responseType = "json";
      request.upload.addEventListener("progress", (event) => { if (event.lengthComputable) onProgress(event.loaded, event.total); });
      request.addEventListener("load", () => {
        if (request.status >= 200 && request.status < 300) return resolve(request.response);
        const detail = request.response && request.response.detail ? request.response.detail : request.statusText;
        reject(new Error(request.status + " " + detail));
      });
      request.addEventListener("error", () => reject(new Error("network error")));
      request.send(form);
    });
  }

  $("#upload-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const files = Array.from($("#upload-file").files);
    if (!files.length) return;
    const caption = $("#upload-caption").value.trim();
    const total = files.reduce((sum, file) => sum + file.size, 0) || 1;
    let done = 0;
    const stored = [];
    uploadProgress.hidden = false;
    uploadProgress.value = 0;
    uploadStatus.dataset.state = "busy";
    const button = event.submitter;
    if (button) button.disabled = true;
    try {
      for (const [index, file] of files.entries()) {
        setStatus(uploadStatus, "上传中 " + (index + 1) + "/" + files.length, "Uploading " + (index + 1) + " of " + files.length);
        const item = await uploadOne(file, caption, (loaded) => {
          uploadProgress.value = Math.round(100 * (done + loaded) / total);
        });
        done += file.size;
        stored.push(item);
      }
      uploadProgress.value = 100;
      renderItems($("#uploaded"), stored);
      uploadStatus.dataset.ids = stored.map((item) => item.id).join(",");
      setStatus(uploadStatus, "已加入图库：" + stored.map((item) => "#" + item.id).join(" "),
        "Added: " + stored.map((item) => "#" + item.id).join(" "));
      uploadStatus.dataset.state = "done";
    } catch (error) {
      setStatus(uploadStatus, "上传失败：" + error.message, "Upload failed: " + error.message, { error: true });
      uploadStatus.dataset.state = "failed";
    } finally {
      if (button) button.disabled = false;
    }
  });

  // ---- classify -----------------------------------------------------------------------------
  const classifyStatus = $("#classify-status");
  $("#classify-file").addEventListener("change", (event) => {
    const preview = $("#classify-preview");
    if (preview.src.startsWith("blob:")) URL.revokeObjectURL(preview.src);
    const file = event.target.files[0];
    preview.hidden = !file;
    if (file) preview.src = URL.createObjectURL(file);
  });

  $("#classify-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = $("#classify-file").files[0];
    const labels = $("#classify-labels").value.split(/[,，、]/).map((label) => label.trim()).filter(Boolean);
    if (!file || !labels.length) return;
    setStatus(classifyStatus, "分类中…", "Classifying…");
    try {
      const answer = await api("/v1/classify", { method: "POST", body: { image: await readAsDataURL(file), labels } });
      const bars = $("#classify-bars");
      bars.replaceChildren();
      for (const entry of answer.labels) {
        const row = document.createElement("div");
        row.className = "bar";
        const name = document.createElement("span");
        name.textContent = entry.label;
        const track = document.createElement("div");
        track.className = "track";
        const fill = document.createElement("div");
        fill.className = "fill";
        fill.style.width = (100 * entry.probability).toFixed(1) + "%";
        track.append(fill);
        const value = document.createElement("span");
        value.className = "value";
        value.textContent = (100 * entry.probability).toFixed(1) + "%";
        row.append(name, track, value);
        bars.append(row);
      }
      const template = answer.template || answer.prompt || "";
      setStatus(classifyStatus, "路径 " + answer.lang + " · 模板 " + template, "Path " + answer.lang + " · template " + template);
    } catch (error) {
      setStatus(classifyStatus, "分类失败：" + error.message, "Classification failed: " + error.message, { error: true });
    }
  });

  // ---- admin --------------------------------------------------------------------------------
  const adminStatus = $("#admin-status");

  async function listAdapters() {
    try {
      const listing = await api("/admin/adapters", { admin: true });
      // Learned prompts are loaded and used by name (classify's "prompt"); only adapters switch.
      const items = listing.adapters.concat(listing.prompts.map((prompt) => ({ ...prompt, switchable: false })));
      const body = $("#adapters tbody");
      body.replaceChildren();
      for (const adapter of items) {
        const row = document.createElement("tr");
        const cells = [adapter.key, adapter.kind + (adapter.side || adapter.variant ? " · " + (adapter.side || adapter.variant) : "")];
        for (const text of cells) {
          const cell = document.createElement("td");
          cell.textContent = text;
          row.append(cell);
        }
        const state = document.createElement("td");
        state.append(adapter.active ? bilingual("已激活", "active") : bilingual("已加载", "loaded"));
        row.append(state);
        const actions = document.createElement("td");
        const action = adapter.active ? "deactivate" : "activate";
        if (adapter.switchable !== false && !(adapter.active && adapter.kind === "language")) {
          const button = document.createElement("button");
          button.type = "button";
          button.append(adapter.active ? bilingual("停用", "Deactivate") : bilingual("激活", "Activate"));
          button.addEventListener("click", () => adapterAction(adapter.key, action));
          actions.append(button);
        }
        row.append(actions);
        body.append(row);
      }
      setStatus(adminStatus, items.length + " 个适配器", items.length + " adapters");
    } catch (error) {
      setStatus(adminStatus, "管理请求失败：" + error.message, "Admin request failed: " + error.message, { error: true });
    }
  }

  async function adapterAction(key, action) {
    try {
      await api("/admin/adapters/" + encodeURIComponent(key) + "/" + action, { method: "POST", admin: true });
      await listAdapters();
    } catch (error) {
      setStatus(adminStatus, "操作失败：" + error.message, "Action failed: " + error.message, { error: true });
    }
  }

  $("#admin-token").value = store.adminToken;
  $("#admin-form").addEventListener("submit", (event) => {
    event.preventDefault();
    store.adminToken = $("#admin-token").value.trim();
    listAdapters();
  });

  $("#adapter-load-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    setStatus(adminStatus, "加载中…", "Loading…");
    try {
      const adapter = await api("/admin/adapters", { method: "POST", admin: true,
        body: { path: $("#adapter-path").value.trim(), activate: $("#adapter-activate").checked } });
      setStatus(adminStatus, "已加载 " + adapter.key, "Loaded " + adapter.key);
      await listAdapters();
    } catch (error) {
      setStatus(adminStatus, "加载失败：" + error.message, "Load failed: " + error.message, { error: true });
    }
  });

  const reindexStatus = $("#reindex-status");
  const reindexProgress = $("#reindex-progress");
  let reindexTimer = 0;

  function showReindex(status) {
    reindexProgress.hidden = false;
    reindexProgress.value = status.total ? Math.round(100 * status.done / status.total) : (status.state === "running" ? 0 : 100);
    const counts = status.done + "/" + status.total + (status.failed ? " (" + status.failed + " ✗)" : "");
    setStatus(reindexStatus, "重建索引：" + status.state + " " + counts + (status.error ? " " + status.error : ""),
      "Re-index: " + status.state + " " + counts + (status.error ? " " + status.error : ""), { error: status.state === "failed" });
    clearTimeout(reindexTimer);
    if (status.state === "running") reindexTimer = setTimeout(pollReindex, 1000);
  }

  async function pollReindex() {
    try { showReindex(await api("/admin/reindex", { admin: true })); } catch (error) {
      setStatus(reindexStatus, "无法读取进度：" + error.message, "Cannot read progress: " + error.message, { error: true });
    }
  }

  $("#reindex-start").addEventListener("click", async () => {
    store.adminToken = $("#admin-token").value.trim();
    try { showReindex(await api("/admin/reindex", { method: "POST", admin: true })); } catch (error) {
      setStatus(reindexStatus, "重建索引失败：" + error.message, "Re-index failed: " + error.message, { error: true });
    }
  });

  // ---- tabs, interface language, API key ----------------------------------------------------
  function selectTab(name) {
    for (const tab of document.querySelectorAll("[data-tab]")) {
      const selected = tab.dataset.tab === name;
      tab.setAttribute("aria-selected", String(selected));
      $("#tab-" + tab.dataset.tab).hidden = !selected;
    }
  }
  for (const tab of document.querySelectorAll("[data-tab]")) tab.addEventListener("click", () => selectTab(tab.dataset.tab));

  function applyUI(choice) {
    document.documentElement.dataset.ui = choice;
    document.documentElement.lang = choice === "en" ? "en" : "zh-Hans";
    for (const button of document.querySelectorAll("[data-ui-choice]")) {
      button.setAttribute("aria-pressed", String(button.dataset.uiChoice === choice));
    }
  }
  for (const button of document.querySelectorAll("[data-ui-choice]")) {
    button.addEventListener("click", () => { store.ui = button.dataset.uiChoice; applyUI(store.ui); });
  }
  applyUI(store.ui);

  const keyField = $("#api-key");
  keyField.value = store.apiKey;
  keyField.addEventListener("change", () => { store.apiKey = keyField.value.trim(); });
})();
"""#
}
