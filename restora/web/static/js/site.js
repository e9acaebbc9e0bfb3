// Site-wide behaviour, no framework: the language menu submits itself, the home carousel steps through
// its slides (buttons and arrow keys; the current slide is announced), and the user menu closes on Escape.
(function () {
  "use strict";

  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  document.querySelectorAll("details.user-menu").forEach(function (menu) {
    menu.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { menu.open = false; menu.querySelector("summary").focus(); }
    });
  });

  document.querySelectorAll("[data-carousel]").forEach(function (carousel) {
    var slides = carousel.querySelectorAll(".slide");
    var status = carousel.querySelector("[data-carousel-status]");
    var current = 0;
    function show(index) {
      current = (index + slides.length) % slides.length;
      slides.forEach(function (slide, i) {
        slide.classList.toggle("is-current", i === current);
        slide.setAttribute("aria-hidden", i === current ? "false" : "true");
      });
      if (status) { status.textContent = (current + 1) + " / " + slides.length; }
    }
    carousel.querySelector("[data-carousel-prev]").addEventListener("click", function () { show(current - 1); });
    carousel.querySelector("[data-carousel-next]").addEventListener("click", function () { show(current + 1); });
    carousel.addEventListener("keydown", function (event) {
      if (event.key === "ArrowLeft") { show(current - 1); }
      if (event.key === "ArrowRight") { show(current + 1); }
    });
    carousel.classList.remove("no-js");
    show(0);
  });
})();
