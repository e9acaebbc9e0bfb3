// The tool page's drawn controls, for any tool: they are found by their markup (templates/tools/_controls.html),
// which forms_from_params draws from the Param kinds, so nothing here knows a tool.
// - colour: radio swatches take their colour from data-swatch; touching the picker selects "custom".
// - box: drag on the chosen photo (shown before any upload); the box is written into the text input as
//   X,Y,W,H in the photo's own pixels, and typing there moves the drawn box.
// - hints: a brush on the chosen photo; the strokes live on a canvas of the photo's natural size and go
//   with the form as an RGBA PNG (window.RestoraDrawn.complete, called by tool.js before it posts).
//   Keep/remove marks (the strokes kind) are the same brush: their colour is the checked mode's (Keep green,
//   Remove red) instead of a colour picker's.
(function () {
  "use strict";

  var form = document.getElementById("tool-form");
  if (!form) { return; }
  var photo = document.getElementById("photo");
  var natural = null;  // {width, height} of the chosen photo once it has loaded
  var objectUrl = null;

  function clamp(value, low, high) { return Math.min(high, Math.max(low, value)); }

  // The photo pixel under a pointer event, for an element showing the whole photo.
  function photoPoint(event, element) {
    var rect = element.getBoundingClientRect();
    return {
      x: clamp((event.clientX - rect.left) / rect.width, 0, 1) * natural.width,
      y: clamp((event.clientY - rect.top) / rect.height, 0, 1) * natural.height
    };
  }

  // ---- colour swatches
  form.querySelectorAll("[data-colour-control]").forEach(function (control) {
    control.querySelectorAll("[data-swatch]").forEach(function (chip) {
      chip.style.backgroundColor = chip.dataset.swatch;  // CSSOM: allowed under the site's style-src 'self'
    });
    var custom = control.querySelector("[data-custom-choice]");
    var picker = control.querySelector("[data-custom-picker]");
    function chooseCustom() { custom.checked = true; }
    picker.addEventListener("input", chooseCustom);
    picker.addEventListener("click", chooseCustom);
  });

  // ---- box
  var boxes = [];
  form.querySelectorAll("[data-box-control]").forEach(function (control) {
    var stage = control.querySelector("[data-photo-stage]");
    var overlay = control.querySelector("[data-box-overlay]");
    var input = control.querySelector("[data-box-input]");
    var start = null;

    function parse(text) {
      var parts = text.replace(/\s+/g, "").split(",");
      if (parts.length !== 4 || !parts.every(function (p) { return /^\d+$/.test(p); })) { return null; }
      var box = parts.map(Number);
      return box[2] > 0 && box[3] > 0 ? box : null;
    }

    function show(box) {
      overlay.hidden = !(box && natural);
      if (overlay.hidden) { return; }
      var x = clamp(box[0], 0, natural.width), y = clamp(box[1], 0, natural.height);
      overlay.style.left = (100 * x / natural.width) + "%";
      overlay.style.top = (100 * y / natural.height) + "%";
      overlay.style.width = (100 * (clamp(box[0] + box[2], 0, natural.width) - x) / natural.width) + "%";
      overlay.style.height = (100 * (clamp(box[1] + box[3], 0, natural.height) - y) / natural.height) + "%";
    }

    function fromDrag(a, b) {
      var x0 = Math.round(Math.min(a.x, b.x)), y0 = Math.round(Math.min(a.y, b.y));
      var x1 = Math.round(Math.max(a.x, b.x)), y1 = Math.round(Math.max(a.y, b.y));
      return [x0, y0, x1 - x0, y1 - y0];
    }

    stage.addEventListener("pointerdown", function (event) {
      if (!natural || event.button > 0) { return; }
      event.preventDefault();
      start = photoPoint(event, stage);
      stage.setPointerCapture(event.pointerId);
    });
    stage.addEventListener("pointermove", function (event) {
      if (!start) { return; }
      show(fromDrag(start, photoPoint(event, stage)));
    });
    function finish(event) {
      if (!start) { return; }
      var box = fromDrag(start, photoPoint(event, stage));
      start = null;
      if (box[2] >= 2 && box[3] >= 2) {
        input.value = box.join(",");
        input.dispatchEvent(new Event("change", { bubbles: true }));
      }
      show(parse(input.value));  // a click without a drag leaves the box as it was
    }
    stage.addEventListener("pointerup", finish);
    stage.addEventListener("pointercancel", function () { start = null; show(parse(input.value)); });
    input.addEventListener("input", function () { show(parse(input.value)); });
    control.querySelector("[data-box-clear]").addEventListener("click", function () {
      input.value = "";
      show(null);
      input.focus();
    });
    boxes.push(function () { show(parse(input.value)); });
  });

  // ---- hints
  var hintLayers = [];
  form.querySelectorAll("[data-hints-control]").forEach(function (control) {
    var canvas = control.querySelector("[data-hints-canvas]");
    var size = control.querySelector("[data-brush-size]");
    var context = canvas.getContext("2d");
    var layer = { name: control.dataset.name, canvas: canvas, painted: false };
    var last = null;

    function brushWidth() {
      // The brush size is in screen pixels; the canvas has the photo's own pixels.
      return Number(size.value) * natural.width / canvas.getBoundingClientRect().width;
    }
    // The picker's colour, or the checked mode's (each mode is a radio whose value is its colour).
    function brushColour() {
      return (control.querySelector("[data-brush-colour]:checked") || control.querySelector("[data-brush-colour]")).value;
    }
    function dot(point) {
      context.fillStyle = brushColour();
      context.beginPath();
      context.arc(point.x, point.y, brushWidth() / 2, 0, 2 * Math.PI);
      context.fill();
    }

    canvas.addEventListener("pointerdown", function (event) {
      if (!natural || event.button > 0) { return; }
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      last = photoPoint(event, canvas);
      dot(last);
      layer.painted = true;
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!last) { return; }
      var point = photoPoint(event, canvas);
      context.strokeStyle = brushColour();
      context.lineWidth = brushWidth();
      context.lineCap = "round";
      context.lineJoin = "round";
      context.beginPath();
      context.moveTo(last.x, last.y);
      context.lineTo(point.x, point.y);
      context.stroke();
      last = point;
    });
    function stop() { last = null; }
    canvas.addEventListener("pointerup", stop);
    canvas.addEventListener("pointercancel", stop);
    control.querySelector("[data-hints-clear]").addEventListener("click", function () {
      context.clearRect(0, 0, canvas.width, canvas.height);
      layer.painted = false;
    });
    layer.reset = function () {
      canvas.width = natural.width;  // also clears: hints belong to the photo they were painted on
      canvas.height = natural.height;
      layer.painted = false;
    };
    hintLayers.push(layer);
  });

  // The strokes as an RGBA PNG of the photo's size. Antialiased stroke edges are made either fully painted
  // or not at all: a pixel with alpha > 0 is a colour wish, and a nearly transparent one carries a colour
  // rounded far from the brush's (the canvas stores colours premultiplied by alpha).
  function hintsPng(layer) {
    var copy = document.createElement("canvas");
    copy.width = layer.canvas.width;
    copy.height = layer.canvas.height;
    var context = copy.getContext("2d");
    context.drawImage(layer.canvas, 0, 0);
    var image = context.getImageData(0, 0, copy.width, copy.height);
    var data = image.data;
    for (var i = 3; i < data.length; i += 4) { data[i] = data[i] >= 128 ? 255 : 0; }
    context.putImageData(image, 0, 0);
    return new Promise(function (resolve) { copy.toBlob(resolve, "image/png"); });
  }

  // ---- the chosen photo, shown in every stage
  var stages = form.querySelectorAll("[data-photo-stage]");
  form.querySelectorAll("[data-stage-empty]").forEach(function (note) { note.hidden = false; });
  form.querySelectorAll("[data-drawn-how], [data-brush-tools]").forEach(function (part) { part.hidden = false; });

  function showPhoto() {
    if (objectUrl) { URL.revokeObjectURL(objectUrl); objectUrl = null; }
    natural = null;
    var file = photo.files && photo.files[0];
    stages.forEach(function (stage) { stage.hidden = true; });
    form.querySelectorAll("[data-stage-empty]").forEach(function (note) { note.hidden = false; });
    if (!file) { return; }
    objectUrl = URL.createObjectURL(file);
    var previews = form.querySelectorAll("[data-photo-preview]");
    var first = previews[0];
    if (!first) { return; }
    first.onload = function () {
      natural = { width: first.naturalWidth, height: first.naturalHeight };
      stages.forEach(function (stage) { stage.hidden = false; });
      form.querySelectorAll("[data-stage-empty]").forEach(function (note) { note.hidden = true; });
      hintLayers.forEach(function (layer) { layer.reset(); });
      boxes.forEach(function (redraw) { redraw(); });
      form.dataset.photoReady = natural.width + "x" + natural.height;  // for tests and styles
    };
    previews.forEach(function (preview) { preview.src = objectUrl; });
  }
  photo.addEventListener("change", showPhoto);
  if (photo.files && photo.files.length) { showPhoto(); }

  window.RestoraDrawn = {
    // Resolves with formData, each painted layer set in it (it replaces a file chosen for that parameter).
    complete: function (formData) {
      var painted = hintLayers.filter(function (layer) { return layer.painted && natural; });
      return Promise.all(painted.map(hintsPng)).then(function (blobs) {
        blobs.forEach(function (blob, index) { formData.set(painted[index].name, blob, painted[index].name + ".png"); });
        return formData;
      });
    }
  };
})();
