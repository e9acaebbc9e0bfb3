// A tool page: Start stays disabled until a photo is chosen; the upload goes by fetch, then the job's
// live progress comes from the API's event stream (/api/v1/jobs/<id>/events, the same one programs use);
// when it ends the page's own JSON is read once for the picture links. Without EventSource, or when the
// server refuses the stream (503: too many open), the job's JSON is polled instead, as before.
// Without JavaScript the form still posts and the server answers with the job's own page.
(function () {
  "use strict";

  var form = document.getElementById("tool-form");
  var facts = document.getElementById("job-facts");
  var progress = document.getElementById("job-progress");
  var statusText = document.getElementById("job-status");
  var bar = document.getElementById("job-bar");
  var jobError = document.getElementById("job-error");
  var section = document.getElementById("compare-section");
  var download = document.getElementById("download");
  var resultFile = document.getElementById("result-file");
  var views = document.getElementById("job-views");
  var frame = document.querySelector("[data-compare]");
  var compare = frame ? window.RestoraCompare.setup(frame) : null;

  function showError(element, message) {
    element.textContent = message;
    element.hidden = !message;
  }

  // "(retrying (attempt 2))" while a job waits for, or runs, another attempt after a lost or failed one.
  function retryingText(job) {
    var attempt = job.attempt || 0;
    var next = job.status === "queued" ? attempt + 1 : attempt;
    if (!(job.status === "queued" && attempt > 0) && !(job.status === "running" && attempt > 1)) { return ""; }
    return " (" + (progress.dataset.msgRetrying || "").replace("NUMBER", String(next)) + ")";
  }

  function render(job) {
    progress.hidden = job.status === "done" || job.status === "failed";
    statusText.textContent = job.status_text + (job.status === "running" ? " " + Math.round(job.progress * 100) + "%" : "") +
      retryingText(job);
    bar.value = job.progress;
    var factStatus = document.getElementById("job-status-text");
    if (factStatus) { factStatus.textContent = job.status_text; }
    if (job.status === "done") {
      compare.show(job.original_url, job.result_url);
      download.href = job.download_url;
      if (resultFile) { resultFile.textContent = job.result_file ? "(" + job.result_file + ")" : ""; }
      showViews(job.views || []);
      section.hidden = false;
    }
    if (job.status === "failed") { showError(jobError, job.error || ""); }
  }

  // The tool's side pictures (a mask) beside the slider: a picture that opens full size, and a download.
  function showViews(list) {
    if (!views) { return; }
    views.textContent = "";
    list.forEach(function (view) {
      var figure = document.createElement("figure");
      figure.className = "job-view";
      figure.dataset.view = view.name;
      var open = document.createElement("a");
      open.href = view.url;
      var picture = document.createElement("img");
      picture.src = view.url;
      picture.alt = view.label;
      open.appendChild(picture);
      var caption = document.createElement("figcaption");
      var save = document.createElement("a");
      save.href = view.download_url;
      save.setAttribute("download", "");
      save.textContent = views.dataset.msgDownload;
      caption.append(view.label + " · ", save);
      figure.append(open, caption);
      views.appendChild(figure);
    });
    views.hidden = list.length === 0;
  }

  function poll(url, onFinished) {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { if (!response.ok) { throw new Error(String(response.status)); } return response.json(); })
      .then(function (job) {
        render(job);
        if (job.status === "done" || job.status === "failed") { if (onFinished) { onFinished(job); } }
        else { window.setTimeout(function () { poll(url, onFinished); }, 500); }
      })
      .catch(function () { window.setTimeout(function () { poll(url, onFinished); }, 2000); });
  }

  // Live progress by Server-Sent Events; polling stays the fallback.
  function follow(eventsUrl, statusUrl, onFinished) {
    if (!window.EventSource || !eventsUrl) { poll(statusUrl, onFinished); return; }
    var source = new EventSource(eventsUrl);
    var ended = false;
    function update(event) {
      var job = JSON.parse(event.data);
      if (job.status === "done" || job.status === "failed") { return; }  // finish() shows those
      render({ status: job.status, status_text: job.status_text, progress: job.progress, attempt: job.attempt });
    }
    function finish() {
      if (ended) { return; }
      ended = true;
      source.close();
      poll(statusUrl, onFinished);  // one read: the page's links and the translated message
    }
    source.addEventListener("status", update);
    source.addEventListener("progress", update);
    source.addEventListener("done", finish);
    source.addEventListener("failed", finish);
    source.addEventListener("gone", finish);
    source.onerror = function () {
      // CONNECTING: the server ended a long stream and the browser reconnects by itself.
      if (source.readyState === EventSource.CLOSED) { finish(); }
    };
  }

  if (facts && facts.dataset.status !== "done" && facts.dataset.status !== "failed") {
    follow(facts.dataset.eventsUrl, facts.dataset.statusUrl);
  }
  if (!form) { return; }

  var photo = document.getElementById("photo");
  var start = document.getElementById("start");
  var formError = document.getElementById("form-error");
  var csrf = form.querySelector("input[name=csrf_token]").value;
  var running = false;

  function updateStart() { start.disabled = running || !(photo.files && photo.files.length); }
  photo.addEventListener("change", updateStart);
  updateStart();

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!photo.files.length) { return; }
    running = true;
    updateStart();
    showError(formError, "");
    showError(jobError, "");
    section.hidden = true;
    progress.hidden = false;
    statusText.textContent = form.dataset.msgSending;
    bar.removeAttribute("value");
    // Drawn controls (painted hints) add their pictures to the form first (static/js/drawn.js).
    var body = window.RestoraDrawn ? window.RestoraDrawn.complete(new FormData(form)) : Promise.resolve(new FormData(form));
    body
      .then(function (formData) {
        return fetch(form.action, {
          method: "POST",
          body: formData,
          credentials: "same-origin",
          headers: { Accept: "application/json", "X-CSRFToken": csrf }
        });
      })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          if (response.status === 202) {
            var eventsUrl = form.dataset.apiJobs ? form.dataset.apiJobs + "/" + body.id + "/events" : null;
            follow(eventsUrl, body.status_url, function () { running = false; updateStart(); });
            return;
          }
          var message = body.error || (response.status === 413 ? form.dataset.msgTooLarge : form.dataset.msgFailed);
          throw new Error(message);
        });
      })
      .catch(function (error) {
        running = false;
        updateStart();
        progress.hidden = true;
        showError(formError, error.message || form.dataset.msgFailed);
      });
  });
})();
