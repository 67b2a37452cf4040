// Upload swings: one request per video with its own pose file, club and view, and a progress bar
// fed by XMLHttpRequest's upload progress. Keyed on data-upload-* attributes; without JS the form
// posts every file at once and the page reloads.
const started = new WeakSet();

// The real size: an empty file reads "0 bytes", not "1 KB".
function formatSize(bytes) {
  if (bytes < 1024) return bytes === 1 ? "1 byte" : `${bytes} bytes`;
  const mb = bytes / (1024 * 1024);
  if (mb < 1) return `${Math.round(bytes / 1024)} KB`;
  return mb >= 10 ? `${mb.toFixed(0)} MB` : `${mb.toFixed(1)} MB`;
}

function csrfToken(form) {
  const input = form.querySelector("input[name=csrfmiddlewaretoken]");
  return input ? input.value : "";
}

function setState(item, text, kind) {
  item.state.textContent = text;
  item.li.dataset.state = kind;
}

function buildQueue(form, queue, template, files) {
  const maxBytes = Number(form.dataset.maxBytes);
  const defaults = {};
  for (const el of form.querySelectorAll("[data-default]")) {
    defaults[el.dataset.default] = el.value;
  }
  queue.replaceChildren();
  const items = [];
  for (const file of files) {
    const li = template.content.firstElementChild.cloneNode(true);
    li.querySelector("[data-name]").textContent = file.name;
    li.querySelector("[data-size]").textContent = formatSize(file.size);
    const fields = {};
    for (const el of li.querySelectorAll("[data-field]")) {
      fields[el.dataset.field] = el;
      if (el.type !== "file" && defaults[el.dataset.field] !== undefined) {
        el.value = defaults[el.dataset.field];
      }
      el.addEventListener("change", () => { el.dataset.touched = "1"; });
    }
    const item = {
      file,
      li,
      fields,
      progress: li.querySelector("[data-progress]"),
      state: li.querySelector("[data-state]"),
      done: false,
    };
    if (file.size > maxBytes) {
      setState(item, `too large: the limit is ${form.dataset.maxSize}`, "error");
      item.done = true;
    }
    queue.append(li);
    items.push(item);
  }
  queue.hidden = items.length === 0;
  return items;
}

function send(form, item) {
  return new Promise((resolve) => {
    const data = new FormData();
    data.append("csrfmiddlewaretoken", csrfToken(form));
    for (const [name, el] of Object.entries(item.fields)) {
      if (el.type === "file") {
        if (el.files.length) data.append(name, el.files[0]);
      } else if (el.value) {
        data.append(name, el.value);
      }
    }
    data.append("file", item.file);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("X-CSRFToken", csrfToken(form));
    xhr.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable) {
        item.progress.value = Math.round((e.loaded / e.total) * 100);
        setState(item, `uploading ${item.progress.value}%`, "uploading");
      }
    });
    xhr.upload.addEventListener("load", () => setState(item, "checking the video…", "checking"));
    xhr.addEventListener("load", () => {
      let body = {};
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = { error: `the server answered ${xhr.status}` };
      }
      if (xhr.status === 201) {
        item.progress.value = 100;
        const video = body.videos && body.videos[0];
        setState(item, video ? video.status : "uploaded", "done");
        item.done = true;
      } else {
        setState(item, body.error || `failed (${xhr.status})`, "error");
        item.state.setAttribute("role", "alert");
      }
      resolve();
    });
    xhr.addEventListener("error", () => {
      setState(item, "the connection broke: nothing was saved, try again", "error");
      resolve();
    });
    xhr.send(data);
  });
}

function setup(form) {
  const input = form.querySelector("[data-upload-files]");
  const queue = form.querySelector("[data-upload-queue]");
  const template = form.querySelector("template[data-upload-row]");
  const button = form.querySelector("[data-upload-submit]");
  if (!input || !queue || !template) return;
  form.classList.add("js-upload");
  let items = [];
  input.addEventListener("change", () => {
    items = buildQueue(form, queue, template, input.files);
  });
  // Files may have been chosen before this module arrived (it loads with the htmx panel).
  if (input.files.length) items = buildQueue(form, queue, template, input.files);
  for (const el of form.querySelectorAll("[data-default]")) {
    el.addEventListener("change", () => {
      for (const item of items) {
        const field = item.fields[el.dataset.default];
        if (field && !field.dataset.touched && !item.done) field.value = el.value;
      }
    });
  }
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const todo = items.filter((item) => !item.done);
    if (!todo.length || button.disabled) return;
    button.disabled = true;
    for (const item of todo) {
      await send(form, item);
    }
    button.disabled = false;
    if (items.every((item) => item.done)) input.value = "";
    if (window.htmx) window.htmx.trigger(document.body, "swings-changed");
  });
}

function init(root) {
  const scope = root && root.querySelectorAll ? root : document;
  const forms = scope.matches && scope.matches("[data-upload-form]")
    ? [scope]
    : scope.querySelectorAll("[data-upload-form]");
  for (const form of forms) {
    if (started.has(form)) continue;
    started.add(form);
    setup(form);
  }
}

// This module may arrive inside a partial htmx just swapped in (the player page's upload panel),
// after that swap's htmx:load: so look at the document now, and at every later swap.
init(document);
if (window.htmx) window.htmx.onLoad(init);
