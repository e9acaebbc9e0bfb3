// The before/after frame: the original is drawn over the result and clipped at the divider.
// The divider follows the mouse or a finger (pointer events) and the arrow keys; it is a role="slider"
// whose aria-valuenow is the share of the frame, in per cent, that shows the original.
(function () {
  "use strict";

  function setup(frame) {
    var before = frame.querySelector("[data-compare-before]");
    var after = frame.querySelector("[data-compare-after]");
    var handle = frame.querySelector("[data-compare-handle]");
    var dragging = false;

    function set(percent) {
      var value = Math.max(0, Math.min(100, percent));
      before.style.clipPath = "inset(0 " + (100 - value) + "% 0 0)";
      handle.style.left = value + "%";
      handle.setAttribute("aria-valuenow", String(Math.round(value)));
    }

    function fromPointer(event) {
      var box = frame.getBoundingClientRect();
      set(((event.clientX - box.left) / box.width) * 100);
    }

    frame.addEventListener("pointerdown", function (event) {
      dragging = true;
      frame.setPointerCapture(event.pointerId);
      fromPointer(event);
      handle.focus({ preventScroll: true });
      event.preventDefault();
    });
    frame.addEventListener("pointermove", function (event) { if (dragging) { fromPointer(event); } });
    ["pointerup", "pointercancel"].forEach(function (name) {
      frame.addEventListener(name, function () { dragging = false; });
    });

    handle.addEventListener("keydown", function (event) {
      var now = Number(handle.getAttribute("aria-valuenow"));
      var steps = { ArrowLeft: -5, ArrowDown: -5, ArrowRight: 5, ArrowUp: 5, PageDown: -20, PageUp: 20 };
      if (event.key in steps) { set(now + steps[event.key]); }
      else if (event.key === "Home") { set(0); }
      else if (event.key === "End") { set(100); }
      else { return; }
      event.preventDefault();
    });

    // The frame takes the result's shape (a rotation changes it); the original is fitted inside.
    function fit() {
      if (after.naturalWidth && after.naturalHeight) {
        frame.style.aspectRatio = after.naturalWidth + " / " + after.naturalHeight;
        // A tall (portrait) result would not fit the screen at full width: cap its height at 75% of it.
        var width = Math.min(900, 0.75 * window.innerHeight * after.naturalWidth / after.naturalHeight) + "px";
        frame.style.maxWidth = width;
        var legend = frame.parentNode.querySelector(".compare-legend");
        if (legend) { legend.style.maxWidth = width; }
      }
    }
    after.addEventListener("load", fit);
    fit();
    set(50);

    return {
      show: function (originalUrl, resultUrl) {
        before.src = originalUrl;
        after.src = resultUrl;
        set(50);
      }
    };
  }

  window.RestoraCompare = { setup: setup };
})();
